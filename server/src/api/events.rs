//! `GET /api/events`: Server-Sent Events, one `job` event (the Job as JSON) per state change and
//! per persisted (throttled) progress update, with keep-alives. A client reads current states from
//! `GET /api/jobs` once its stream is open (events from before are not sent), and again whenever
//! it reconnects: a stream that falls behind the broadcast is ended rather than left with a gap.

use std::convert::Infallible;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::{Stream, StreamExt};
use tokio::sync::broadcast;
use tokio_stream::wrappers::BroadcastStream;

use julia_api_types::{ErrorBody, Job};

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
    let events = until_behind(app.store.subscribe())
        .filter_map(|job| async move { Event::default().event("job").json_data(job).ok() })
        .map(move |event| {
            let _slot = &permit;
            Ok(event)
        })
        .take_until(async move { shutdown.cancelled().await });
    Ok(Sse::new(events).keep_alive(KeepAlive::default()))
}

/// The jobs the broadcast sends, until this receiver falls behind it. A client too slow to keep
/// up has missed events, perhaps a job's last one: its stream ends, so it reconnects and reads the
/// current states again, as it does on every opening.
fn until_behind(receiver: broadcast::Receiver<Job>) -> impl Stream<Item = Job> {
    BroadcastStream::new(receiver)
        .take_while(|event| std::future::ready(event.is_ok()))
        .filter_map(|event| std::future::ready(event.ok()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(progress: f64) -> Job {
        let params = render_core::RenderParams::default();
        Job {
            id: uuid::Uuid::new_v4(),
            status: julia_api_types::JobStatus::Running,
            progress,
            hash: String::new(),
            precision_used: Default::default(),
            backend: None,
            device: None,
            created_at: time::OffsetDateTime::UNIX_EPOCH,
            started_at: None,
            finished_at: None,
            duration_ms: None,
            error: None,
            result_url: None,
            deduplicated: false,
            owner: None,
            params,
        }
    }

    #[tokio::test]
    async fn a_stream_that_falls_behind_ends_instead_of_skipping() {
        let (sender, receiver) = broadcast::channel(2);
        let mut stream = Box::pin(until_behind(receiver));
        sender.send(job(0.1)).unwrap();
        assert_eq!(stream.next().await.map(|j| j.progress), Some(0.1));
        for progress in [0.2, 0.3, 0.4] {
            sender.send(job(progress)).unwrap();
        }
        assert!(stream.next().await.is_none(), "a gap was skipped over");
    }

    #[tokio::test]
    async fn a_stream_that_keeps_up_sees_every_event() {
        let (sender, receiver) = broadcast::channel(2);
        let mut stream = Box::pin(until_behind(receiver));
        for progress in [0.1, 0.2, 0.3, 0.4] {
            sender.send(job(progress)).unwrap();
            assert_eq!(stream.next().await.map(|j| j.progress), Some(progress));
        }
        drop(sender);
        assert!(stream.next().await.is_none());
    }
}
