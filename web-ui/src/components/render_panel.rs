//! The `Render` button and what it says: submits the current view at full resolution as one job,
//! superseding this page's previous job if that one is still queued or running.

use leptos::prelude::*;
use leptos::task::spawn_local;
use render_core::{Limits, OutputFormat, RenderParams, validate};
use uuid::Uuid;

use crate::api::ApiError;
use crate::components::stage_result::StageJob;
use crate::connection::{ServerLink, ServerState};
use crate::job::{Job, add_submitted};

/// A message under the Render button.
#[derive(Clone, Debug, PartialEq)]
pub enum Notice {
    Info(String),
    Problem(String),
}

#[component]
pub fn RenderPanel(
    view: RwSignal<RenderParams>,
    jobs: RwSignal<Vec<Job>>,
    server: RwSignal<ServerState>,
    link: ServerLink,
    /// Set to the submitted job, so the stage shows its progress and image.
    stage_job: RwSignal<Option<StageJob>>,
) -> impl IntoView {
    let notice = RwSignal::new(None::<Notice>);
    let submitting = RwSignal::new(false);
    // The last image job this page submitted: the one a new Render supersedes while it runs.
    let mine = RwSignal::new(None::<Uuid>);
    let server_address = link.api().base().display();

    let on_render = move |_| {
        if submitting.get_untracked() {
            return;
        }
        let submitted_view = view.get_untracked();
        let params = RenderParams {
            format: OutputFormat::Png,
            ..submitted_view.clone()
        };
        if let Err(err) = validate(&params, &Limits::default()) {
            notice.set(Some(Notice::Problem(format!("Cannot render: {err}"))));
            return;
        }
        let replaces = mine.get_untracked().filter(|id| {
            jobs.with_untracked(|list| list.iter().any(|j| &j.id == id && j.status.is_active()))
        });
        submitting.set(true);
        notice.set(Some(Notice::Info("Submitting…".into())));
        let link = link.clone();
        spawn_local(async move {
            let answer = link.api().submit(&params, replaces).await;
            submitting.set(false);
            match answer {
                Ok(job) => {
                    let short = short_id(&job.id);
                    let text = if job.deduplicated {
                        format!("Same parameters as job {short}: showing that one.")
                    } else {
                        format!("Submitted job {short}.")
                    };
                    mine.set(Some(job.id));
                    stage_job.set(Some(StageJob {
                        id: job.id,
                        view: submitted_view,
                    }));
                    jobs.update(|list| add_submitted(list, job));
                    notice.set(Some(Notice::Info(text)));
                }
                Err(err @ ApiError::Unreachable(_)) => {
                    link.report_unreachable();
                    notice.set(Some(Notice::Problem(format!(
                        "{err}. The preview keeps working; press Render again once the server \
                         is back (this page reconnects by itself)."
                    ))));
                }
                Err(ApiError::Rejected { message, .. }) => {
                    notice.set(Some(Notice::Problem(format!(
                        "The server refused the job: {message}"
                    ))));
                }
            }
        });
    };

    // A "cannot reach" message is stale once the server answers again.
    Effect::new(move |_| {
        if server.get() == ServerState::Online
            && matches!(notice.get_untracked(), Some(Notice::Problem(ref text)) if text.starts_with("Cannot reach"))
        {
            notice.set(None);
        }
    });

    let status_line = move || match server.get() {
        ServerState::Connecting => format!("Connecting to the render server at {server_address}…"),
        ServerState::Online => format!("Render server: connected ({server_address})"),
        ServerState::Offline => format!(
            "Cannot reach the render server at {server_address}. Previews still work; \
             retrying…"
        ),
    };
    let server_class = move || match server.get() {
        ServerState::Online => "server online",
        ServerState::Connecting => "server connecting",
        ServerState::Offline => "server offline",
    };
    view! {
        <section class="render-panel" aria-label="Render">
            <button class="render" on:click=on_render disabled=move || submitting.get()>
                "Render"
            </button>
            <p class="notice" role="status" aria-live="polite"
                class:problem=move || matches!(notice.get(), Some(Notice::Problem(_)))>
                {move || match notice.get() {
                    Some(Notice::Info(text) | Notice::Problem(text)) => text,
                    None => String::new(),
                }}
            </p>
            <p class=server_class>{status_line}</p>
        </section>
    }
}

/// The first block of a job id, enough to tell jobs apart on screen.
pub fn short_id(id: &Uuid) -> String {
    let id = id.to_string();
    id.split('-').next().unwrap_or(&id).to_string()
}
