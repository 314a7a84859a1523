//! The render on the stage: after Render, the stage shows the job's progress (from the server's
//! events) and then the server's full-resolution image in place of the preview, over the very same
//! view, until the view changes; from there it can be downloaded.
//!
//! The image covers the preview canvas exactly: both show `view` with the image's aspect ratio
//! (the canvas's CSS `aspect-ratio`), so pixel for pixel they are the same region of the plane.

use leptos::prelude::*;
use render_core::RenderParams;
use uuid::Uuid;

use crate::connection::ServerLink;
use crate::job::{Job, JobStatus, JobView};

/// The job Render submitted for the view on the stage.
#[derive(Clone, Debug, PartialEq)]
pub struct StageJob {
    pub id: Uuid,
    /// The view as it was when Render was pressed: the stage shows the job while the view equals it.
    pub view: RenderParams,
}

#[component]
pub fn StageResult(
    view: RwSignal<RenderParams>,
    jobs: RwSignal<Vec<Job>>,
    stage_job: RwSignal<Option<StageJob>>,
    link: ServerLink,
) -> impl IntoView {
    // The job on the stage while the view is still the one it renders.
    let current = Memo::new(move |_| {
        let staged = stage_job.get()?;
        if !view.with(|v| *v == staged.view) {
            return None;
        }
        jobs.with(|list| list.iter().find(|j| j.id == staged.id).cloned())
    });
    let api = link.api().clone();
    move || {
        let job = current.get()?;
        let shown = match job.status {
            JobStatus::Done => {
                let url = api.resolve(job.result_url.as_deref()?);
                let name = job.file_name();
                view! {
                    <img class="stage-result" src=url.clone() alt="The rendered image of this view"/>
                    <a class="stage-download" href=url download=name>"Download PNG"</a>
                }
                .into_any()
            }
            status if status.is_active() => {
                let percent = (job.progress * 100.0).round();
                view! {
                    <div class="stage-progress" role="status">
                        <progress max="100" value=percent></progress>
                        <span>{format!("Rendering {percent} %")}</span>
                    </div>
                }
                .into_any()
            }
            _ => view! {
                <div class="stage-progress problem" role="status">
                    {format!("The render {}", job.status.as_str())}
                </div>
            }
            .into_any(),
        };
        Some(shown)
    }
}
