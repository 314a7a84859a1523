//! `GET /api/events`: Server-Sent Events, one `job` event (the Job as JSON) per state change and
//! per persisted (throttled) progress update, with keep-alives. A client that connects late reads
//! current states from `GET /api/jobs`.

use std::convert::Infallible;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::{Stream, StreamExt};
use tokio_stream::wrappers::BroadcastStream;

use julia_api_types::ErrorBody;

use super::error::ApiError;
use super::state::AppState;

/// Seconds a client refused for too many streams is told to wait.
const STREAMS_FULL_RETRY_SECS: u32 = 10;

/// Live job events.
#[utoipa::path(
    get, path = "/api/events", tag = "jobs",
    responses((status = 200, description = "an event stream; every event is named `job` and carries a Job as JSON",
        content_type = "text/event-stream", body = crate::openapi::JobEventSchema),
        (status = 401, description = "`--keys-for-reads` and no valid API key", body = ErrorBody),
        (status = 503, description = "as many event streams are open as the server allows (see Retry-After)", body = ErrorBody)),
    security((), ("api_key" = []))
)]
pub async fn job_events(
    State(app): State<AppState>,
) -> Result<Sse<impl Stream<Item = Result<Event, Infallible>>>, ApiError> {
    // Held by the stream: the slot frees when the client goes away or the server shuts down.
    let permit = app.sse_permits.clone().try_acquire_owned().map_err(|_| {
        ApiError::unavailable(
            "too_many_streams",
            format!(
                "{} event streams are open, the most this server allows; try again later",
                app.config.http.max_sse
            ),
            STREAMS_FULL_RETRY_SECS,
        )
    })?;
    let shutdown = app.shutdown.clone();
    let events = BroadcastStream::new(app.store.subscribe())
        // A client too slow to keep up skips events; the next one carries the full state anyway.
        .filter_map(|event| async move { event.ok() })
        .filter_map(|job| async move { Event::default().event("job").json_data(job).ok() })
        .map(move |event| {
            let _slot = &permit;
            Ok(event)
        })
        .take_until(async move { shutdown.cancelled().await });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}
