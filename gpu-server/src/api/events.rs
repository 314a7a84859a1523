//! `GET /api/events`: Server-Sent Events, one `job` event (the Job as JSON) per state change and
//! per persisted (throttled) progress update, with keep-alives. A client that connects late reads
//! current states from `GET /api/jobs`.

use std::convert::Infallible;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::{Stream, StreamExt};
use tokio_stream::wrappers::BroadcastStream;

use super::state::AppState;

/// Live job events.
#[utoipa::path(
    get, path = "/api/events", tag = "jobs",
    responses((status = 200, description = "an event stream; every event is named `job` and carries a Job as JSON",
        content_type = "text/event-stream", body = crate::openapi::JobEventSchema))
)]
pub async fn job_events(
    State(app): State<AppState>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let shutdown = app.shutdown.clone();
    let events = BroadcastStream::new(app.store.subscribe())
        // A client too slow to keep up skips events; the next one carries the full state anyway.
        .filter_map(|event| async move { event.ok() })
        .filter_map(|job| async move { Event::default().event("job").json_data(job).ok() })
        .map(Ok)
        .take_until(async move { shutdown.cancelled().await });
    Sse::new(events).keep_alive(KeepAlive::default())
}
