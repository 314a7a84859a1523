//! Famous Julia sets to start from: a click takes the view to that c, the whole set in view, and
//! keeps everything else (size, palette, iterations).

use leptos::prelude::*;
use render_core::{Complex, RenderParams};

use crate::history::ViewHistory;

/// A named place: its c and the width of the plane that shows the whole set.
pub struct Famous {
    pub name: &'static str,
    pub c: Complex,
    pub view_width: f64,
}

/// The gallery, in the order it is shown.
pub const FAMOUS: [Famous; 8] = [
    Famous {
        name: "Douady rabbit",
        c: Complex::new(-0.123, 0.745),
        view_width: 3.2,
    },
    Famous {
        name: "San Marco",
        c: Complex::new(-0.75, 0.0),
        view_width: 3.6,
    },
    Famous {
        name: "Dendrite",
        c: Complex::new(0.0, 1.0),
        view_width: 3.4,
    },
    Famous {
        name: "Siegel disk",
        c: Complex::new(-0.390_541, -0.586_788),
        view_width: 3.2,
    },
    Famous {
        name: "Basilica",
        c: Complex::new(-1.0, 0.0),
        view_width: 3.6,
    },
    Famous {
        name: "Airplane",
        c: Complex::new(-1.754_877_666, 0.0),
        view_width: 4.0,
    },
    Famous {
        name: "Cauliflower",
        c: Complex::new(0.25, 0.0),
        view_width: 3.2,
    },
    Famous {
        name: "Galaxies",
        c: Complex::new(-0.7269, 0.1889),
        view_width: 3.2,
    },
];

/// `view` moved to a famous place.
pub fn at(view: &RenderParams, place: &Famous) -> RenderParams {
    RenderParams {
        c: place.c,
        center: Complex::new(0.0, 0.0),
        view_width: place.view_width,
        exact: Default::default(),
        ..view.clone()
    }
}

#[component]
pub fn Gallery(view: RwSignal<RenderParams>, history: ViewHistory) -> impl IntoView {
    let history = StoredValue::new_local(history);
    view! {
        <section class="gallery" aria-label="Famous Julia sets">
            <h2>"Start from"</h2>
            <ul>
                {FAMOUS
                    .iter()
                    .enumerate()
                    .map(|(i, place)| {
                        let go = move |_| {
                            let next = at(&view.get_untracked(), &FAMOUS[i]);
                            view.set(next.clone());
                            history.with_value(|h| {
                                h.record(&next);
                                h.end_gesture();
                            });
                        };
                        let title = format!("c = {} {:+}i", place.c.re, place.c.im);
                        view! { <li><button on:click=go title=title>{place.name}</button></li> }
                    })
                    .collect_view()}
            </ul>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_famous_place_sets_c_and_the_whole_set_and_keeps_the_rest() {
        let mine = RenderParams {
            width: 300,
            max_iter: 900,
            center: Complex::new(0.4, 0.1),
            ..RenderParams::default()
        };
        let rabbit = at(&mine, &FAMOUS[0]);
        assert_eq!(rabbit.c, Complex::new(-0.123, 0.745));
        assert_eq!(rabbit.center, Complex::new(0.0, 0.0));
        assert_eq!((rabbit.width, rabbit.max_iter), (300, 900));
        assert!(
            FAMOUS
                .iter()
                .any(|f| f.name == "Siegel disk" && f.c.im == -0.586_788)
        );
    }
}
