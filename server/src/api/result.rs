//! `GET /api/jobs/{id}/result`: streams a finished result from its file (never read into memory),
//! with the hash as a strong `ETag` and an immutable cache lifetime: a hash names its bytes forever.

use axum::body::Body;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio_util::io::ReaderStream;

use julia_api_types::ErrorBody;

use super::error::ApiError;
use super::jobs::{parse_job_id, queue_full};
use super::state::AppState;
use crate::store::Requeued;
use julia_api_types::JobStatus;

pub(super) const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Bytes read per step of a result stream. Each read is a hop to tokio's blocking pool, so larger
/// reads make a cached 1 MB PNG cheaper to serve (5 hops instead of 17) while a response still
/// holds at most this much in memory.
pub(super) const STREAM_CHUNK: usize = 256 * 1024;

/// The finished image (`image/png`) or array (`.npy`).
#[utoipa::path(
    get, path = "/api/jobs/{id}/result", tag = "jobs",
    params(("id" = String, Path, description = "job id (UUID)")),
    responses(
        (status = 200, description = "the result file", content(
            (Vec<u8> = "image/png"), (Vec<u8> = "application/octet-stream")),
            headers(("ETag" = String), ("Cache-Control" = String), ("Content-Length" = u64))),
        (status = 304, description = "the client's copy (If-None-Match) is current"),
        (status = 404, body = ErrorBody),
        (status = 409, description = "the job is not done (or its evicted result is rendering again)", body = ErrorBody),
        (status = 503, description = "the result was evicted and the queue is too full to render it again (see Retry-After)", body = ErrorBody),
    )
)]
pub async fn get_result(
    State(app): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = parse_job_id(id)?;
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
                "the job is {}; its result exists once it is done",
                job.status.as_str()
            ),
        ));
    }
    let format = job.params.format;
    let etag = HeaderValue::from_str(&format!("\"{}\"", job.hash)).expect("hashes are hex");
    if if_none_match(&headers, &job.hash) && app.results.contains(&job.hash, format) {
        return Ok((
            StatusCode::NOT_MODIFIED,
            [
                (header::ETAG, etag),
                (header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE)),
            ],
        )
            .into_response());
    }
    let opened = app.results.open(&job.hash, format).map_err(|err| {
        tracing::error!(%err, "opening a result failed");
        ApiError::unavailable(
            "storage_unavailable",
            "the result cannot be read right now",
            1,
        )
    })?;
    let Some((file, len)) = opened else {
        let capacity = app.config.queue_capacity;
        if let Requeued::QueueFull = app.store.requeue_done(id, capacity).await? {
            return Err(queue_full(capacity));
        }
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "result_evicted",
            "the result was evicted from the cache and is being rendered again",
        ));
    };
    let stream = ReaderStream::with_capacity(tokio::fs::File::from_std(file), STREAM_CHUNK);
    let disposition = format!(
        "inline; filename=\"julia-{}.{}\"",
        job.hash,
        format.extension()
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(format.mime_type()),
            ),
            (header::CONTENT_LENGTH, HeaderValue::from(len)),
            (header::ETAG, etag),
            (header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE)),
            (
                header::CONTENT_DISPOSITION,
                HeaderValue::from_str(&disposition).expect("ASCII"),
            ),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

/// Whether `If-None-Match` names this entity tag (or `*`).
pub(super) fn if_none_match(headers: &HeaderMap, hash: &str) -> bool {
    headers.get_all(header::IF_NONE_MATCH).iter().any(|value| {
        value.to_str().is_ok_and(|list| {
            list.split(',').map(str::trim).any(|tag| {
                let tag = tag.strip_prefix("W/").unwrap_or(tag);
                tag == "*" || tag.trim_matches('"') == hash
            })
        })
    })
}
