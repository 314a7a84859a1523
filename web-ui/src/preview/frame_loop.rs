//! When previews are drawn: a coarse frame on every animation frame while the view changes, then,
//! once input rests, progressively sharper frames up to the canvas's own resolution in device
//! pixels, computed by the preview workers in parallel (or, where they cannot start, a slice per
//! animation frame on the page's thread) so the page keeps responding.
//!
//! Edits only mark the preview dirty; the frame callback reads the view as it is *then*, so a burst
//! of input events costs one render and a frame never shows a view that has already been replaced.
//! Every coarse frame bumps a generation number and cancels the workers' image, and refinement
//! work of an older generation is dropped at its next slice or answer.

use std::cell::{Cell, OnceCell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use leptos::html::Canvas;
use leptos::prelude::*;
use render_core::{CpuSource, RenderParams};
use web_sys::HtmlCanvasElement;

use super::canvas::draw_rgba;
use super::progressive::ProgressiveImage;
use super::timing::{FrameKind, now_ms, record, set_refined_by, set_settled};
use super::workers::WorkerPool;
use super::{FAST_PIXELS, PreviewRenderer, REFINED_PIXELS, preview_params, preview_size};

/// How long the input must rest before refinement starts.
const REFINE_AFTER: Duration = Duration::from_millis(150);
/// Work per animation frame while refining: leaves the rest of a 60 Hz frame to the browser.
const SLICE_MS: f64 = 10.0;
/// Coarse frames slower than this halve their pixels (deep views while dragging) ...
const COARSE_SLOW_MS: f64 = 30.0;
/// ... and faster than this double them again, up to [`FAST_PIXELS`].
const COARSE_FAST_MS: f64 = 8.0;
/// Fewest pixels of a coarse frame.
const MIN_COARSE_PIXELS: u32 = FAST_PIXELS / 16;

/// The preview's frame scheduler. Cheap to clone; clones share one schedule.
#[derive(Clone)]
pub struct FrameLoop {
    inner: Rc<Inner>,
}

struct Inner {
    view: Signal<RenderParams>,
    canvas: NodeRef<Canvas>,
    renderer: RefCell<PreviewRenderer>,
    source: RefCell<CpuSource>,
    /// Refines off the page's thread; `None` where workers cannot start. Started after the first
    /// preview is on screen, so loading them never delays it.
    workers: OnceCell<Option<WorkerPool>>,
    frame_requested: Cell<bool>,
    /// Bumped by every coarse frame, so refinement of an older view knows it is stale.
    generation: Cell<u64>,
    refine_timer: Cell<Option<TimeoutHandle>>,
    /// Pixels of the coarse frame, adapted to how long the last one took.
    coarse_pixels: Cell<u32>,
}

impl FrameLoop {
    pub fn new(view: Signal<RenderParams>, canvas: NodeRef<Canvas>) -> Self {
        Self {
            inner: Rc::new(Inner {
                view,
                canvas,
                renderer: RefCell::new(PreviewRenderer::default()),
                source: RefCell::new(CpuSource::new()),
                workers: OnceCell::new(),
                frame_requested: Cell::new(false),
                generation: Cell::new(0),
                refine_timer: Cell::new(None),
                coarse_pixels: Cell::new(FAST_PIXELS),
            }),
        }
    }

    /// Marks the preview out of date; it is redrawn on the next animation frame.
    pub fn invalidate(&self) {
        set_settled(false);
        if self.inner.frame_requested.replace(true) {
            return;
        }
        let inner = Rc::clone(&self.inner);
        request_animation_frame(move || Inner::coarse_frame(&inner));
    }
}

/// The sizes refinement goes through after the coarse frame: twice as sharp, then the canvas's
/// device pixels (the intermediate step is skipped when it would not be much smaller).
fn refine_sizes(view: &RenderParams, full: (u32, u32)) -> Vec<(u32, u32)> {
    let full_pixels = u64::from(full.0) * u64::from(full.1);
    let mut sizes = Vec::new();
    if full_pixels > 2 * u64::from(REFINED_PIXELS) {
        sizes.push(preview_size(view, REFINED_PIXELS));
    }
    sizes.push(full);
    sizes
}

/// The canvas's size on screen in device pixels: the backing size of a sharp preview.
fn device_size(canvas: &HtmlCanvasElement) -> (u32, u32) {
    let rect = canvas.get_bounding_client_rect();
    let dpr = window().device_pixel_ratio().max(0.25);
    (
        (rect.width() * dpr).round().max(1.0) as u32,
        (rect.height() * dpr).round().max(1.0) as u32,
    )
}

impl Inner {
    fn coarse_frame(this: &Rc<Self>) {
        this.frame_requested.set(false);
        let generation = this.generation.get() + 1;
        this.generation.set(generation);
        set_settled(false);
        if let Some(timer) = this.refine_timer.take() {
            timer.clear();
        }
        if let Some(Some(workers)) = this.workers.get() {
            workers.cancel();
        }
        let view = this.view.get_untracked();
        let pixels = this.coarse_pixels.get();
        if let Some(ms) = this.draw_whole(&view, preview_size(&view, pixels)) {
            record(FrameKind::Fast, ms);
            let next = if ms > COARSE_SLOW_MS {
                (pixels / 2).max(MIN_COARSE_PIXELS)
            } else if ms < COARSE_FAST_MS {
                (pixels * 2).min(FAST_PIXELS)
            } else {
                pixels
            };
            this.coarse_pixels.set(next);
        }
        this.workers.get_or_init(WorkerPool::start);
        let inner = Rc::clone(this);
        let timer = set_timeout_with_handle(
            move || Inner::start_refining(&inner, generation),
            REFINE_AFTER,
        );
        this.refine_timer.set(timer.ok());
    }

    /// Renders `size` in one go and draws it; the time it took, or `None` if nothing was drawn.
    fn draw_whole(&self, view: &RenderParams, size: (u32, u32)) -> Option<f64> {
        let canvas = self.canvas.get_untracked()?;
        let params = preview_params(view, size);
        let started = now_ms();
        let mut renderer = self.renderer.borrow_mut();
        let rgba = renderer.render(&params);
        if let Err(err) = draw_rgba(&canvas, rgba, size.0, size.1) {
            leptos::logging::error!("drawing the preview failed: {err:?}");
            return None;
        }
        Some(now_ms() - started)
    }

    fn is_current(&self, generation: u64) -> bool {
        self.generation.get() == generation && !self.frame_requested.get()
    }

    fn start_refining(this: &Rc<Self>, generation: u64) {
        let Some(canvas) = this.canvas.get_untracked() else {
            return;
        };
        if !this.is_current(generation) {
            return;
        }
        let view = this.view.get_untracked();
        let mut stages = refine_sizes(&view, device_size(&canvas));
        stages.reverse();
        let started = now_ms();
        match this
            .workers
            .get()
            .cloned()
            .flatten()
            .filter(|w| w.ready_workers() > 0)
        {
            Some(workers) => Inner::refine_on_workers(
                Rc::clone(this),
                workers,
                generation,
                view,
                stages,
                started,
            ),
            None => Inner::refine_slice(Rc::clone(this), generation, view, stages, None, started),
        }
    }

    /// Refinement on the workers: each stage's image computed in parallel bands, drawn when
    /// whole. Should the workers fail, the page finishes the work itself.
    fn refine_on_workers(
        this: Rc<Self>,
        workers: WorkerPool,
        generation: u64,
        view: RenderParams,
        mut stages: Vec<(u32, u32)>,
        started: f64,
    ) {
        let Some(size) = stages.pop() else { return };
        let params = preview_params(&view, size);
        let pool = workers.clone();
        workers.compute(
            &params,
            Box::new(move |computed| {
                if !this.is_current(generation) {
                    return;
                }
                let rgba = match computed {
                    Ok(rgba) => rgba,
                    Err(problem) => {
                        leptos::logging::warn!("preview workers failed ({problem}); refining here");
                        stages.push(size);
                        return Inner::refine_slice(this, generation, view, stages, None, started);
                    }
                };
                this.show_refined(&rgba, size, stages.is_empty(), started);
                if stages.is_empty() {
                    set_refined_by("workers");
                } else {
                    Inner::refine_on_workers(this, pool, generation, view, stages, started);
                }
            }),
        );
    }

    /// Draws a refined image and records its time since refinement `started`; the last stage
    /// settles the preview.
    fn show_refined(&self, rgba: &[u8], size: (u32, u32), last: bool, started: f64) {
        if let Some(canvas) = self.canvas.get_untracked()
            && draw_rgba(&canvas, rgba, size.0, size.1).is_ok()
        {
            let kind = if last {
                FrameKind::Full
            } else {
                FrameKind::Refined
            };
            record(kind, now_ms() - started);
        }
        if last {
            set_settled(true);
        }
    }

    /// One slice of refinement: continues the current stage's image, draws it when done, and
    /// schedules the next slice on the next animation frame, until the last stage is drawn.
    fn refine_slice(
        this: Rc<Self>,
        generation: u64,
        view: RenderParams,
        mut stages: Vec<(u32, u32)>,
        image: Option<ProgressiveImage>,
        started: f64,
    ) {
        if !this.is_current(generation) {
            return; // The view changed: this work is stale.
        }
        let mut image = match image {
            Some(image) => image,
            None => match stages.pop() {
                Some(size) => ProgressiveImage::new(preview_params(&view, size)),
                None => return,
            },
        };
        image.step(&mut this.source.borrow_mut(), SLICE_MS, &now_ms);
        let mut next = Some(image);
        if let Some(done) = next.as_ref().filter(|i| i.is_done()) {
            let p = done.params();
            this.show_refined(done.rgba(), (p.width, p.height), stages.is_empty(), started);
            if stages.is_empty() {
                set_refined_by("page");
                return;
            }
            next = None;
        }
        request_animation_frame(move || {
            Inner::refine_slice(this, generation, view, stages, next, started)
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refinement_ends_at_the_canvas_device_size() {
        let view = RenderParams::default();
        let sizes = refine_sizes(&view, (1920, 1440));
        assert_eq!(sizes, vec![(640, 480), (1920, 1440)]);
        // A small canvas goes straight to its own size.
        assert_eq!(refine_sizes(&view, (700, 525)), vec![(700, 525)]);
    }
}
