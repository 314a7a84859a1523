//! The line under the stage that says where the view is: its width in the plane ("1.2e-300"),
//! the precision a render of it needs (f32, f64 or deep perturbation) and the iteration limit,
//! marked "auto" while it follows the depth rule of `depth.rs`.

use leptos::prelude::*;
use render_core::{Precision, RenderParams};

use crate::depth::{depth_label, suggested_max_iter};

/// Keeps `max_iter` on the depth rule while `iter_auto` holds (until the user sets a limit).
pub fn follow_depth(view: RwSignal<RenderParams>, iter_auto: RwSignal<bool>) {
    Effect::new(move |_| {
        if !iter_auto.get() {
            return;
        }
        let suggested = view.with(suggested_max_iter);
        if view.with_untracked(|v| v.max_iter) != suggested {
            view.update(|v| v.max_iter = suggested);
        }
    });
}

#[component]
pub fn ViewInfo(view: RwSignal<RenderParams>, iter_auto: RwSignal<bool>) -> impl IntoView {
    let depth = move || view.with(depth_label);
    let precision = move || match view.with(RenderParams::resolved_precision) {
        Precision::F32 => "f32",
        Precision::F64 => "f64",
        Precision::Deep | Precision::Auto => "deep (perturbation)",
    };
    let iterations = move || {
        let n = view.with(|v| v.max_iter);
        if iter_auto.get() {
            format!("{n} iterations (auto)")
        } else {
            format!("{n} iterations")
        }
    };
    view! {
        <p class="view-info" aria-label="View">
            "Width " <span class="depth" title="The view's width in the complex plane">{depth}</span>
            " · " <span class="precision">{precision}</span>
            " · " <span class="iterations">{iterations}</span>
        </p>
    }
}
