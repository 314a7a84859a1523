//! The preview workers: a few Web Workers that compute the bands of a refined preview in
//! parallel, off the page's thread. Each runs the page's own WebAssembly program (no second
//! download): `preview-worker.js` imports the module the page was loaded from, and its start
//! function, finding no window, serves bands (`worker_side.rs`). The pool hands out one band per idle
//! worker, gathers the answers into one image, and gives it to the caller when the last band is
//! in. A new image, or [`WorkerPool::cancel`], drops the current one at once: its bands still
//! queued are never sent, and answers still on their way are recognised by their job number and
//! ignored.
//!
//! A worker counts only once it has said it is ready, so a page whose workers cannot start (a
//! host that blocks them, a build without the worker) keeps refining on its own thread instead;
//! `?workers=0` in the page's URL asks for that too (to compare the two side by side).

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use render_core::{Band, RenderParams};
use wasm_bindgen::prelude::*;
use web_sys::{MessageEvent, Worker, WorkerOptions, WorkerType};

use super::band::{BandDone, BandRequest, READY, bands, failed_job};

/// The workers' entry script, copied beside the page's assets by Trunk.
const WORKER_SCRIPT: &str = "/preview-worker.js";
/// Most workers started, whatever the number of cores.
const MAX_WORKERS: usize = 4;

/// What the caller gets: the image's RGBA pixels, or why the workers could not make it.
pub type Finished = Box<dyn FnOnce(Result<Vec<u8>, String>)>;

/// Cheap to clone; clones share the workers.
#[derive(Clone)]
pub struct WorkerPool {
    inner: Rc<Pool>,
}

struct Pool {
    workers: RefCell<Vec<Slot>>,
    job: RefCell<Option<Job>>,
    /// Numbers jobs, so answers for a dropped job are recognised.
    last_job: Cell<u32>,
}

struct Slot {
    worker: Worker,
    ready: bool,
    /// The band this worker is computing, if any (of the current job or a dropped one).
    busy: bool,
}

/// The image being computed.
struct Job {
    number: u32,
    params_json: String,
    width: u32,
    height: u32,
    queued: VecDeque<Band>,
    rows_done: u32,
    rgba: Vec<u8>,
    finished: Option<Finished>,
}

impl WorkerPool {
    /// Starts one worker per core (at most [`MAX_WORKERS`]); `None` when the page cannot start
    /// any.
    pub fn start() -> Option<Self> {
        if workers_turned_off() {
            return None;
        }
        let cores = leptos::prelude::window().navigator().hardware_concurrency();
        let count = (cores as usize).clamp(1, MAX_WORKERS);
        let inner = Rc::new(Pool {
            workers: RefCell::new(Vec::new()),
            job: RefCell::new(None),
            last_job: Cell::new(0),
        });
        let Some(script) = worker_script_url() else {
            leptos::logging::warn!("preview workers unavailable: the page's module is not named");
            return None;
        };
        let options = WorkerOptions::new();
        options.set_type(WorkerType::Module);
        for index in 0..count {
            let worker = match Worker::new_with_options(&script, &options) {
                Ok(worker) => worker,
                Err(err) => {
                    leptos::logging::warn!("preview workers unavailable: {err:?}");
                    break;
                }
            };
            let pool = Rc::downgrade(&inner);
            let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
                if let Some(pool) = pool.upgrade() {
                    Pool::on_message(&pool, index, &event.data());
                }
            });
            worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            // The handler lives as long as the worker, which lives as long as the page.
            on_message.forget();
            inner.workers.borrow_mut().push(Slot {
                worker,
                ready: false,
                busy: false,
            });
        }
        if inner.workers.borrow().is_empty() {
            return None;
        }
        Some(Self { inner })
    }

    /// Workers ready to take bands.
    pub fn ready_workers(&self) -> usize {
        self.inner
            .workers
            .borrow()
            .iter()
            .filter(|s| s.ready)
            .count()
    }

    /// Computes `params` (one sample per pixel) on the workers and calls `finished` with its
    /// pixels, unless another image or [`Self::cancel`] comes first (then it is never called).
    pub fn compute(&self, params: &RenderParams, finished: Finished) {
        let params_json = match serde_json::to_string(params) {
            Ok(json) => json,
            Err(err) => return finished(Err(format!("parameters not serialisable: {err}"))),
        };
        let number = self.inner.last_job.get().wrapping_add(1);
        self.inner.last_job.set(number);
        *self.inner.job.borrow_mut() = Some(Job {
            number,
            params_json,
            width: params.width,
            height: params.height,
            queued: bands(params.width, params.height).into(),
            rows_done: 0,
            rgba: vec![0; params.width as usize * params.height as usize * 4],
            finished: Some(finished),
        });
        Pool::hand_out(&self.inner);
    }

    /// Drops the current image, if any: nothing more of it is computed or delivered.
    pub fn cancel(&self) {
        self.inner.job.borrow_mut().take();
    }
}

/// The workers' script with the page's own module in its query: the JS glue and the `.wasm` that
/// Trunk's `index.html` preloads (`<link rel="modulepreload">`, `<link rel="preload" as="fetch">`).
fn worker_script_url() -> Option<String> {
    let href = |selector: &str| {
        leptos::prelude::document()
            .query_selector(selector)
            .ok()
            .flatten()
            .and_then(|link| link.get_attribute("href"))
    };
    let glue = href("link[rel=modulepreload][href$='.js']")?;
    let wasm = href("link[rel=preload][href$='.wasm']")?;
    let encode = |value: &str| String::from(js_sys::encode_uri_component(value));
    Some(format!(
        "{WORKER_SCRIPT}?glue={}&wasm={}",
        encode(&glue),
        encode(&wasm)
    ))
}

/// Whether the page's URL says `workers=0`.
fn workers_turned_off() -> bool {
    let search = leptos::prelude::window()
        .location()
        .search()
        .unwrap_or_default();
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()
        .and_then(|query| query.get("workers"))
        .is_some_and(|value| value == "0")
}

impl Pool {
    fn on_message(this: &Rc<Self>, index: usize, data: &JsValue) {
        if data.as_string().as_deref() == Some(READY) {
            if let Some(slot) = this.workers.borrow_mut().get_mut(index) {
                slot.ready = true;
            }
            Pool::hand_out(this);
            return;
        }
        if let Some(slot) = this.workers.borrow_mut().get_mut(index) {
            slot.busy = false;
        }
        if let Some((number, problem)) = failed_job(data) {
            let failed = this.job.borrow_mut().take_if(|job| job.number == number);
            if let Some(finished) = failed.and_then(|mut job| job.finished.take()) {
                finished(Err(problem));
            }
        } else if let Some(done) = BandDone::from_js(data) {
            Pool::take_band(this, done);
        }
        Pool::hand_out(this);
    }

    /// Copies a band into its image; delivers the image when it was the last.
    fn take_band(this: &Rc<Self>, done: BandDone) {
        let mut slot = this.job.borrow_mut();
        let Some(job) = slot.as_mut().filter(|job| job.number == done.job) else {
            return; // An answer for a dropped image.
        };
        let row_bytes = job.width as usize * 4;
        let start = done.band.y0 as usize * row_bytes;
        let len = done.band.rows as usize * row_bytes;
        if done.rgba.length() as usize != len || start + len > job.rgba.len() {
            leptos::logging::error!("a preview worker sent a band of the wrong size");
            return;
        }
        done.rgba.copy_to(&mut job.rgba[start..start + len]);
        job.rows_done += done.band.rows;
        if job.rows_done < job.height {
            return;
        }
        let mut job = slot.take().expect("checked above");
        drop(slot);
        if let Some(finished) = job.finished.take() {
            finished(Ok(std::mem::take(&mut job.rgba)));
        }
    }

    /// Sends queued bands of the current image to idle, ready workers; fails the image when no
    /// worker is left to take them.
    fn hand_out(this: &Rc<Self>) {
        if !Pool::send_bands(this) {
            return;
        }
        let stalled = this.job.borrow_mut().take();
        if let Some(finished) = stalled.and_then(|mut job| job.finished.take()) {
            finished(Err("no preview worker takes bands".into()));
        }
    }

    /// The sending part of [`Self::hand_out`]; whether the current image is stalled.
    fn send_bands(this: &Rc<Self>) -> bool {
        let mut job = this.job.borrow_mut();
        let Some(job) = job.as_mut() else {
            return false;
        };
        let mut workers = this.workers.borrow_mut();
        for slot in workers.iter_mut().filter(|slot| slot.ready && !slot.busy) {
            let Some(band) = job.queued.pop_front() else {
                break;
            };
            let request = BandRequest {
                job: job.number,
                band,
                params_json: job.params_json.clone(),
            };
            match slot.worker.post_message(&request.to_js()) {
                Ok(()) => slot.busy = true,
                Err(err) => {
                    leptos::logging::warn!("a preview worker refused a band: {err:?}");
                    slot.ready = false;
                    job.queued.push_front(band);
                }
            }
        }
        !workers.iter().any(|slot| slot.ready)
    }
}
