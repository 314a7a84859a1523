//! What the endpoints serving a finished job's stored files (`…/result`, `…/thumbnail`,
//! `…/escapes`) share: the job must be done, the file is named by a hash so it is cached forever
//! under a strong `ETag` (with `304` for a current copy), and the same errors for storage that
//! cannot be read and for a result evicted from the cache.

use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use julia_api_types::{Job, JobStatus};

use super::error::ApiError;
use super::jobs::queue_full;
use super::state::AppState;
use crate::store::Requeued;

/// A hash names its bytes forever.
pub(super) const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Bytes read per step of a file stream. Each read is a hop to tokio's blocking pool, so larger
/// reads make a cached 1 MB PNG cheaper to serve (5 hops instead of 17) while a response still
/// holds at most this much in memory.
pub(super) const STREAM_CHUNK: usize = 256 * 1024;

/// The job, which must be done (`404` unknown, `409` otherwise).
pub(super) async fn done_job(app: &AppState, id: uuid::Uuid) -> Result<Job, ApiError> {
    let job = app
        .store
        .get(id)
        .await?
        .ok_or_else(|| ApiError::not_found("job"))?;
    if job.status != JobStatus::Done {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "not_done",
            format!(
                "the job is {}; its files exist once it is done",
                job.status.as_str()
            ),
        ));
    }
    Ok(job)
}

/// A finished file as the answer, streamed (never read into memory): its type, its length, its
/// download name and the caching headers of an entity tag `tag`.
pub(super) fn stream_file(
    file: std::fs::File,
    len: u64,
    mime_type: &'static str,
    tag: &str,
    file_name: &str,
) -> Response {
    let stream =
        tokio_util::io::ReaderStream::with_capacity(tokio::fs::File::from_std(file), STREAM_CHUNK);
    let disposition = format!("inline; filename=\"{file_name}\"");
    (
        immutable(tag),
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(mime_type)),
            (header::CONTENT_LENGTH, HeaderValue::from(len)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition).expect("names are ASCII"),
            ),
        ],
        axum::body::Body::from_stream(stream),
    )
        .into_response()
}

/// The caching headers of a file whose entity tag is `tag`.
pub(super) fn immutable(tag: &str) -> [(HeaderName, HeaderValue); 2] {
    [
        (
            header::ETAG,
            HeaderValue::from_str(&format!("\"{tag}\"")).expect("tags are hex and dots"),
        ),
        (header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE)),
    ]
}

/// `304 Not Modified` when `If-None-Match` names `tag` (or `*`).
pub(super) fn not_modified(headers: &HeaderMap, tag: &str) -> Option<Response> {
    if_none_match(headers, tag).then(|| (StatusCode::NOT_MODIFIED, immutable(tag)).into_response())
}

/// Whether `If-None-Match` names this entity tag (or `*`).
fn if_none_match(headers: &HeaderMap, tag: &str) -> bool {
    headers.get_all(header::IF_NONE_MATCH).iter().any(|value| {
        value.to_str().is_ok_and(|list| {
            list.split(',').map(str::trim).any(|candidate| {
                let candidate = candidate.strip_prefix("W/").unwrap_or(candidate);
                candidate == "*" || candidate.trim_matches('"') == tag
            })
        })
    })
}

/// Storage that cannot be read right now (`503`, retry in a second).
pub(super) fn storage_unavailable() -> ApiError {
    ApiError::unavailable(
        "storage_unavailable",
        "the result cannot be read right now",
        1,
    )
}

/// A done job whose result was evicted: it renders again (`409`), or `503` when the queue is full.
pub(super) async fn result_evicted(app: &AppState, id: uuid::Uuid) -> ApiError {
    let capacity = app.config.queue_capacity;
    match app.store.requeue_done(id, capacity).await {
        Ok(Requeued::QueueFull) => queue_full(capacity),
        Ok(_) => ApiError::new(
            StatusCode::CONFLICT,
            "result_evicted",
            "the result was evicted from the cache and is being rendered again",
        ),
        Err(err) => err.into(),
    }
}
