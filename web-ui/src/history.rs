//! The view in the browser's history: one entry per deliberate change, so back and forward walk
//! through the views the user chose, not through every mouse move.
//!
//! The first change after a pause pushes an entry; further changes of the same gesture (a drag,
//! typing, a burst of wheel notches) replace it; the gesture's end closes it.

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use leptos::prelude::*;
use render_core::RenderParams;
use wasm_bindgen::JsValue;

use crate::config::ApiBase;
use crate::url_state::{from_pairs, iter_is_auto, split_query, to_query};

/// A wheel gesture ends when no notch came for this long.
const WHEEL_GESTURE_GAP: Duration = Duration::from_millis(400);

/// Writes views into the history. Cheap to clone; clones share one state.
#[derive(Clone)]
pub struct ViewHistory {
    inner: Rc<Inner>,
}

struct Inner {
    api_pair: Option<String>,
    /// Whether `max_iter` follows the depth rule (`depth.rs`) rather than the user's choice; the
    /// URL names `iter` only in the latter case.
    iter_auto: RwSignal<bool>,
    gesture_open: Cell<bool>,
    gesture_timer: Cell<Option<TimeoutHandle>>,
}

impl ViewHistory {
    pub fn new(api: &ApiBase) -> Self {
        Self {
            inner: Rc::new(Inner {
                api_pair: api.query_pair(),
                iter_auto: RwSignal::new(Self::current_iter_auto()),
                gesture_open: Cell::new(false),
                gesture_timer: Cell::new(None),
            }),
        }
    }

    /// The view in the page's current URL.
    pub fn current_view() -> RenderParams {
        let search = window().location().search().unwrap_or_default();
        from_pairs(split_query(&search))
    }

    /// Whether the page's current URL leaves `max_iter` to the depth rule.
    pub fn current_iter_auto() -> bool {
        let search = window().location().search().unwrap_or_default();
        iter_is_auto(split_query(&search))
    }

    /// Whether `max_iter` follows the depth rule; the user's own limit turns it off.
    pub fn iter_auto(&self) -> RwSignal<bool> {
        self.inner.iter_auto
    }

    /// Records a change of view as part of the current gesture.
    pub fn record(&self, view: &RenderParams) {
        let iter_auto = self.inner.iter_auto.get_untracked();
        let mut url = format!("?{}", to_query(view, iter_auto));
        if let Some(pair) = &self.inner.api_pair {
            url.push('&');
            url.push_str(pair);
        }
        if window().location().search().ok().as_deref() == Some(url.as_str()) {
            return;
        }
        let Ok(history) = window().history() else {
            return;
        };
        let result = if self.inner.gesture_open.replace(true) {
            history.replace_state_with_url(&JsValue::NULL, "", Some(&url))
        } else {
            history.push_state_with_url(&JsValue::NULL, "", Some(&url))
        };
        if let Err(err) = result {
            leptos::logging::warn!("cannot record the view in the URL: {err:?}");
        }
    }

    /// Ends the current gesture: the next change gets a history entry of its own.
    pub fn end_gesture(&self) {
        if let Some(timer) = self.inner.gesture_timer.take() {
            timer.clear();
        }
        self.inner.gesture_open.set(false);
    }

    /// Ends the current gesture once no further change came for a moment (wheel, held keys).
    pub fn end_gesture_after_pause(&self) {
        if let Some(timer) = self.inner.gesture_timer.take() {
            timer.clear();
        }
        let inner = Rc::clone(&self.inner);
        let timer =
            set_timeout_with_handle(move || inner.gesture_open.set(false), WHEEL_GESTURE_GAP);
        self.inner.gesture_timer.set(timer.ok());
    }
}
