//! The parameter controls, each a labelled input whose accessible name is its label (docs/DESIGN.md §6).
//!
//! Every keystroke updates the view (and so the preview) at once; the URL gets a
//! history entry per edit, closed when the input commits (`change`: Enter or leaving the field).

use leptos::html::Input;
use leptos::prelude::*;
use render_core::{Palette, RenderParams};

use crate::history::ViewHistory;

/// All controls for `view`.
#[component]
pub fn Controls(view: RwSignal<RenderParams>, history: ViewHistory) -> impl IntoView {
    let history = StoredValue::new_local(history);
    // Applies an edit to the view and records it in the URL as part of the current gesture.
    let edit = move |change: &dyn Fn(&mut RenderParams)| {
        view.update(|v| change(v));
        history.with_value(|h| h.record(&view.get_untracked()));
    };
    let commit = Callback::new(move |()| history.with_value(ViewHistory::end_gesture));

    let c_re = Callback::new(move |x: f64| edit(&|v| v.c.re = x));
    let c_im = Callback::new(move |x: f64| edit(&|v| v.c.im = x));
    let iter_auto = history.with_value(ViewHistory::iter_auto);
    let max_iter = Callback::new(move |x: f64| {
        if let Some(n) = positive_integer(x, render_core::validate::MAX_ITER_LIMIT) {
            // A limit the user types is theirs: the depth rule stops changing it.
            iter_auto.set(false);
            edit(&|v| v.max_iter = n);
        }
    });
    let on_iter_auto = move |ev: leptos::ev::Event| {
        iter_auto.set(event_target_checked(&ev));
        edit(&|_| {});
        commit.run(());
    };
    let width = Callback::new(move |x: f64| {
        if let Some(n) = positive_integer(x, MAX_SIDE) {
            edit(&|v| v.width = n);
        }
    });
    let height = Callback::new(move |x: f64| {
        if let Some(n) = positive_integer(x, MAX_SIDE) {
            edit(&|v| v.height = n);
        }
    });
    let on_palette = move |ev: leptos::ev::Event| {
        if let Some(palette) = Palette::from_name(&event_target_value(&ev)) {
            edit(&|v| v.palette = palette);
            commit.run(());
        }
    };
    let on_supersample = move |ev: leptos::ev::Event| {
        if let Ok(n) = event_target_value(&ev).parse::<u32>() {
            edit(&|v| v.supersample = n);
            commit.run(());
        }
    };

    view! {
        <fieldset class="controls">
            <legend>"Parameters"</legend>
            <NumberField id="c-re" label="c real"
                value=Signal::derive(move || view.with(|v| v.c.re)) on_edit=c_re on_commit=commit/>
            <NumberField id="c-im" label="c imaginary"
                value=Signal::derive(move || view.with(|v| v.c.im)) on_edit=c_im on_commit=commit/>
            <NumberField id="max-iter" label="Max iterations"
                value=Signal::derive(move || f64::from(view.with(|v| v.max_iter)))
                on_edit=max_iter on_commit=commit/>
            <div class="field check">
                <label for="iter-auto">"Iterations follow depth"</label>
                <input id="iter-auto" type="checkbox" prop:checked=move || iter_auto.get()
                    on:change=on_iter_auto/>
            </div>
            <div class="field">
                <label for="palette">"Palette"</label>
                <select id="palette" on:change=on_palette
                    prop:value=move || view.with(|v| v.palette.name())>
                    {Palette::ALL
                        .into_iter()
                        .map(|p| view! { <option value=p.name()>{p.name()}</option> })
                        .collect_view()}
                </select>
            </div>
            <NumberField id="width" label="Width"
                value=Signal::derive(move || f64::from(view.with(|v| v.width)))
                on_edit=width on_commit=commit/>
            <NumberField id="height" label="Height"
                value=Signal::derive(move || f64::from(view.with(|v| v.height)))
                on_edit=height on_commit=commit/>
            <div class="field">
                <label for="supersample">"Supersample"</label>
                <select id="supersample" on:change=on_supersample
                    prop:value=move || view.with(|v| v.supersample.to_string())>
                    {(1..=render_core::validate::MAX_SUPERSAMPLE)
                        .map(|n| view! { <option value=n.to_string()>{format!("{n}×{n}")}</option> })
                        .collect_view()}
                </select>
            </div>
        </fieldset>
    }
}

/// The largest width or height the controls accept; the server enforces its own pixel limit.
const MAX_SIDE: u32 = 65_536;

fn positive_integer(x: f64, max: u32) -> Option<u32> {
    (x.fract() == 0.0 && x >= 1.0 && x <= f64::from(max)).then_some(x as u32)
}

/// A labelled number input bound to `value`.
///
/// A text input rather than `type=number`: Chrome's number inputs hide half-typed values such as
/// "-0." from scripts and reset the caret when the value is written back, which breaks typing.
/// While the user types, the text they typed is kept as long as it means the current value, so
/// re-rendering never rewrites "0." to "0" under their cursor.
#[component]
fn NumberField(
    id: &'static str,
    label: &'static str,
    #[prop(into)] value: Signal<f64>,
    on_edit: Callback<f64>,
    on_commit: Callback<()>,
) -> impl IntoView {
    let input = NodeRef::<Input>::new();
    let shown = move || {
        let v = value.get();
        let typed = input.get_untracked().map(|el| el.value());
        match typed {
            Some(text) if text.trim().parse::<f64>().ok() == Some(v) => text,
            _ => v.to_string(),
        }
    };
    view! {
        <div class="field">
            <label for=id>{label}</label>
            <input id=id type="text" inputmode="decimal" autocomplete="off" spellcheck="false"
                node_ref=input prop:value=shown
                on:input=move |ev| {
                    if let Ok(x) = event_target_value(&ev).trim().parse::<f64>()
                        && x.is_finite()
                    {
                            on_edit.run(x);
                    }
                }
                on:change=move |_| on_commit.run(())/>
        </div>
    }
}
