//! The live job feed: `GET /api/events` through the browser's `EventSource`, which reconnects by
//! itself after a dropped connection.

use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{Event, EventSource, MessageEvent};

use crate::job::Job;

/// An open event stream; dropping it closes the connection.
pub struct JobEvents {
    source: EventSource,
    _on_job: Closure<dyn FnMut(MessageEvent)>,
    _on_open: Closure<dyn FnMut(Event)>,
    _on_error: Closure<dyn FnMut(Event)>,
}

impl JobEvents {
    /// Connects to `url`; `on_job` gets every `job` event, `on_open` every (re)connection and
    /// `on_error` every interruption.
    pub fn open(
        url: &str,
        mut on_job: impl FnMut(Job) + 'static,
        mut on_open: impl FnMut() + 'static,
        mut on_error: impl FnMut() + 'static,
    ) -> Result<Self, wasm_bindgen::JsValue> {
        let source = EventSource::new(url)?;
        let on_job = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let Some(data) = event.data().as_string() else {
                return;
            };
            match serde_json::from_str::<Job>(&data) {
                Ok(job) => on_job(job),
                Err(err) => leptos::logging::warn!("ignoring an unreadable job event: {err}"),
            }
        });
        let on_open = Closure::<dyn FnMut(Event)>::new(move |_: Event| on_open());
        let on_error = Closure::<dyn FnMut(Event)>::new(move |_: Event| on_error());
        source.add_event_listener_with_callback("job", on_job.as_ref().unchecked_ref())?;
        source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
        source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Self {
            source,
            _on_job: on_job,
            _on_open: on_open,
            _on_error: on_error,
        })
    }

    /// Whether the browser gave up on this stream (it does after a non-stream answer such as a
    /// 404); a closed stream must be replaced, an interrupted one reconnects by itself.
    pub fn is_closed(&self) -> bool {
        self.source.ready_state() == EventSource::CLOSED
    }
}

impl Drop for JobEvents {
    fn drop(&mut self) {
        self.source.close();
    }
}
