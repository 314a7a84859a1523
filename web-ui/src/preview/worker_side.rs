//! The worker's side of the preview workers: in a Web Worker, the page's program serves preview
//! bands instead of mounting the app (`main` calls [`serve`] when there is no window), so refining
//! a preview to the canvas's device pixels never holds up the page. The page runs a few of these
//! (`workers.rs`) and shares each image's bands among them.
//!
//! It keeps its `CpuSource` (and so the reference orbits of a deep view) and the colouring of the
//! last parameters between requests: the bands of one image, and the images of one view at
//! growing sizes, reuse them.

use std::cell::RefCell;

use js_sys::{Array, Uint8Array};
use render_core::{Colorizer, CpuSource, EscapeSample, RenderParams};
use wasm_bindgen::prelude::*;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

use super::band::{BandDone, BandRequest, READY, band_failed, render_band};

/// What one worker keeps between requests.
#[derive(Default)]
struct Worker {
    source: CpuSource,
    /// The last request's parameters, as sent and as parsed, with their colouring.
    current: Option<(String, RenderParams, Colorizer)>,
    samples: Vec<EscapeSample>,
    rgba: Vec<u8>,
}

impl Worker {
    fn answer(&mut self, request: &BandRequest) -> Result<BandDone, String> {
        if self.current.as_ref().map(|(json, _, _)| json) != Some(&request.params_json) {
            let params: RenderParams = serde_json::from_str(&request.params_json)
                .map_err(|err| format!("unreadable parameters: {err}"))?;
            let colorizer = Colorizer::new(&params);
            self.current = Some((request.params_json.clone(), params, colorizer));
        }
        let (_, params, colorizer) = self.current.as_ref().expect("just set");
        if request.band.rows == 0 || request.band.y0 + request.band.rows > params.height {
            return Err(format!("band {:?} is outside the image", request.band));
        }
        render_band(
            &mut self.source,
            colorizer,
            params,
            request.band,
            &mut self.samples,
            &mut self.rgba,
        );
        Ok(BandDone {
            job: request.job,
            band: request.band,
            rgba: Uint8Array::from(self.rgba.as_slice()),
        })
    }
}

/// Serves band requests from the page until the worker ends; says [`READY`] once it listens.
pub fn serve() {
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    let worker = RefCell::new(Worker::default());
    let reply_to = scope.clone();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let Some(request) = BandRequest::from_js(&event.data()) else {
            web_sys::console::error_1(&"preview worker: not a band request".into());
            return;
        };
        match worker.borrow_mut().answer(&request) {
            Ok(done) => {
                // The pixels move to the page; no copy.
                let transfer = Array::of1(&done.rgba.buffer());
                if let Err(err) = reply_to.post_message_with_transfer(&done.to_js(), &transfer) {
                    web_sys::console::error_1(&err);
                }
            }
            Err(problem) => {
                web_sys::console::error_1(&problem.as_str().into());
                let _ = reply_to.post_message(&band_failed(&request, &problem));
            }
        }
    });
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    // The worker lives as long as the page: its handler is never dropped.
    on_message.forget();
    let _ = scope.post_message(&READY.into());
}
