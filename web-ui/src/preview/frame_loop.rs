//! When previews are drawn: at most one per animation frame, always of the latest view, then one
//! sharper frame once the edits pause.
//!
//! Edits only mark the preview dirty; the frame callback reads the view as it is *then*, so a burst
//! of input events costs one render and a frame never shows a view that has already been replaced.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Duration;

use leptos::html::Canvas;
use leptos::prelude::*;
use render_core::RenderParams;

use super::canvas::draw_rgba;
use super::timing::{FrameKind, now_ms, record};
use super::{FAST_PIXELS, PreviewRenderer, REFINED_PIXELS, preview_params, preview_size};

/// How long the input must rest before the sharper preview is drawn.
const REFINE_AFTER: Duration = Duration::from_millis(150);

/// The preview's frame scheduler. Cheap to clone; clones share one schedule.
#[derive(Clone)]
pub struct FrameLoop {
    inner: Rc<Inner>,
}

struct Inner {
    view: Signal<RenderParams>,
    canvas: NodeRef<Canvas>,
    renderer: RefCell<PreviewRenderer>,
    frame_requested: Cell<bool>,
    /// Bumped by every fast frame, so a refine scheduled before it knows it is stale.
    generation: Cell<u64>,
    refine_timer: Cell<Option<TimeoutHandle>>,
}

impl FrameLoop {
    pub fn new(view: Signal<RenderParams>, canvas: NodeRef<Canvas>) -> Self {
        Self {
            inner: Rc::new(Inner {
                view,
                canvas,
                renderer: RefCell::new(PreviewRenderer::default()),
                frame_requested: Cell::new(false),
                generation: Cell::new(0),
                refine_timer: Cell::new(None),
            }),
        }
    }

    /// Marks the preview out of date; it is redrawn on the next animation frame.
    pub fn invalidate(&self) {
        if self.inner.frame_requested.replace(true) {
            return;
        }
        let inner = Rc::clone(&self.inner);
        request_animation_frame(move || Inner::fast_frame(&inner));
    }
}

impl Inner {
    fn fast_frame(this: &Rc<Self>) {
        this.frame_requested.set(false);
        let generation = this.generation.get() + 1;
        this.generation.set(generation);
        if let Some(timer) = this.refine_timer.take() {
            timer.clear();
        }
        this.draw(FAST_PIXELS, FrameKind::Fast);
        let inner = Rc::clone(this);
        let timer = set_timeout_with_handle(
            move || {
                if inner.generation.get() == generation && !inner.frame_requested.get() {
                    inner.draw(REFINED_PIXELS, FrameKind::Refined);
                }
            },
            REFINE_AFTER,
        );
        this.refine_timer.set(timer.ok());
    }

    fn draw(&self, pixel_budget: u32, kind: FrameKind) {
        let Some(canvas) = self.canvas.get_untracked() else {
            return;
        };
        let view = self.view.get_untracked();
        let size = preview_size(&view, pixel_budget);
        let params = preview_params(&view, size);
        let started = now_ms();
        let mut renderer = self.renderer.borrow_mut();
        let rgba = renderer.render(&params);
        if let Err(err) = draw_rgba(&canvas, rgba, size.0, size.1) {
            leptos::logging::error!("drawing the preview failed: {err:?}");
            return;
        }
        record(kind, now_ms() - started);
    }
}
