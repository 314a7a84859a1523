//! The job list: every job this server knows (latest first), live from `/api/events`, with
//! progress, backend and device, duration, Cancel, and for finished jobs the image and downloads.
//! A finished image job shows its thumbnail (`GET …/thumbnail`); a click on it restores that
//! job's view and parameters and selects it, so its colouring can change in the page
//! (`colour_controls::RecolourStage`).

use leptos::prelude::*;
use leptos::task::spawn_local;
use render_core::{OutputFormat, RenderParams};

use crate::api::ApiError;
use crate::components::colour_controls::RecolourStage;
use crate::components::render_panel::short_id;
use crate::connection::ServerLink;
use crate::history::ViewHistory;
use crate::job::{Job, JobStatus, JobView, add_submitted, upsert};

/// What a click on a job's thumbnail changes: the view, its URL, and the selected job.
#[derive(Clone, Copy)]
struct Restore {
    view: RwSignal<RenderParams>,
    history: StoredValue<ViewHistory, LocalStorage>,
    selected: RwSignal<Option<Job>>,
}

impl Restore {
    fn job(&self, job: &Job) {
        let params = job.params.clone();
        self.view.set(params.clone());
        self.history.with_value(|h| {
            h.record(&params);
            h.end_gesture();
        });
        self.selected.set(Some(job.clone()));
    }
}

#[component]
pub fn JobList(
    jobs: RwSignal<Vec<Job>>,
    link: ServerLink,
    view: RwSignal<RenderParams>,
    history: ViewHistory,
) -> impl IntoView {
    let selected = RwSignal::new(None::<Job>);
    let restore = Restore {
        view,
        history: StoredValue::new_local(history),
        selected,
    };
    let stage_link = link.clone();
    let link = StoredValue::new_local(link);
    view! {
        <section class="jobs" aria-label="Jobs">
            <h2>"Jobs"</h2>
            <RecolourStage selected view link=stage_link/>
            <Show when=move || jobs.with(Vec::is_empty)>
                <p class="empty">"No jobs yet: press Render to make one."</p>
            </Show>
            <ul>
                <For each=move || jobs.get() key=Job::display_key
                    children=move |job| view! { <JobRow job jobs link restore/> }/>
            </ul>
        </section>
    }
}

#[component]
fn JobRow(
    job: Job,
    jobs: RwSignal<Vec<Job>>,
    link: StoredValue<ServerLink, LocalStorage>,
    restore: Restore,
) -> impl IntoView {
    let api = link.with_value(|l| l.api().clone());
    let problem = RwSignal::new(None::<String>);
    let short = short_id(&job.id);
    let p = &job.params;
    let title = format!(
        "{}×{} {} · {} iterations",
        p.width,
        p.height,
        p.format.extension(),
        p.max_iter
    );
    let meta = [
        job.backend.clone(),
        job.device.clone(),
        job.duration_ms
            .map(|ms| format!("{:.2} s", ms as f64 / 1000.0)),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(" · ");
    let result_url = job
        .result_url
        .as_deref()
        .filter(|_| job.status == JobStatus::Done)
        .map(|url| api.resolve(url));

    let cancel = {
        let id = job.id;
        move |_| {
            let link = link.get_value();
            spawn_local(async move {
                match link.api().cancel(id).await {
                    Ok(job) => jobs.update(|list| upsert(list, job)),
                    Err(err @ ApiError::Unreachable(_)) => {
                        link.report_unreachable();
                        problem.set(Some(err.to_string()));
                    }
                    Err(err) => problem.set(Some(format!("Cannot cancel: {err}"))),
                }
            });
        }
    };
    // The counts behind an image, as NumPy's .npy: the same view rendered as its own job.
    let request_npy = {
        let params = RenderParams {
            format: OutputFormat::Npy,
            supersample: 1,
            ..job.params.clone()
        };
        move |_| {
            let params = params.clone();
            let link = link.get_value();
            spawn_local(async move {
                match link.api().submit(&params, None).await {
                    Ok(job) => jobs.update(|list| add_submitted(list, job)),
                    Err(err @ ApiError::Unreachable(_)) => {
                        link.report_unreachable();
                        problem.set(Some(err.to_string()));
                    }
                    Err(err) => problem.set(Some(format!("Cannot render the .npy: {err}"))),
                }
            });
        }
    };

    let thumbnail = (job.status == JobStatus::Done && job.is_image()).then(|| {
        let src = api.resolve(&format!("/api/jobs/{}/thumbnail", job.id));
        let label = format!("Restore the view of job {short}");
        let clicked = job.clone();
        view! {
            <button class="thumbnail" aria-label=label on:click=move |_| restore.job(&clicked)>
                <img src=src alt="" loading="lazy"/>
            </button>
        }
    });
    let active = job.status.is_active();
    let percent = (job.progress * 100.0).round();
    let outputs = result_url.map(|url| {
        let file_name = job.file_name();
        if job.is_image() {
            view! {
                <img class="result" src=url.clone() alt=format!("Rendered image of job {short}")
                    data-job-id=job.id.to_string()/>
                <div class="downloads">
                    <a href=url download=file_name>"Download PNG"</a>
                    <button on:click=request_npy>"Render .npy"</button>
                </div>
            }
            .into_any()
        } else {
            view! {
                <div class="downloads">
                    <a href=url download=file_name>"Download .npy"</a>
                </div>
            }
            .into_any()
        }
    });
    view! {
        <li class="job" data-job-id=job.id.to_string() data-status=job.status.as_str()>
            {thumbnail}
            <div class="job-head">
                <span class=format!("status {}", job.status.as_str())>{job.status.as_str()}</span>
                <span class="job-title">{title}</span>
                <span class="job-id">{short.clone()}</span>
            </div>
            {active.then(|| view! {
                <div class="progress">
                    <progress max="1" value=job.progress
                        aria-label=format!("Progress of job {short}")></progress>
                    <span>{format!("{percent}%")}</span>
                    <button on:click=cancel>"Cancel"</button>
                </div>
            })}
            <div class="job-meta">{meta}</div>
            {job.error.as_ref().map(|e| view! { <p class="problem">{format!("{}: {}", e.code, e.message)}</p> })}
            {move || problem.get().map(|text| view! { <p class="problem">{text}</p> })}
            {outputs}
        </li>
    }
}
