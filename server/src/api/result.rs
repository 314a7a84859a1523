//! `GET /api/jobs/{id}/result`: streams a finished result from its file (never read into memory),
//! with the hash as a strong `ETag` and an immutable cache lifetime: a hash names its bytes forever.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::Response;

use julia_api_types::ErrorBody;

use super::error::ApiError;
use super::jobs::parse_job_id;
use super::state::AppState;
use super::stored::{done_job, not_modified, result_evicted, storage_unavailable, stream_file};

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
    let job = done_job(&app, id).await?;
    let format = job.params.format;
    if app.results.contains(&job.hash, format)
        && let Some(current) = not_modified(&headers, &job.hash)
    {
        return Ok(current);
    }
    let opened = app.results.open(&job.hash, format).map_err(|err| {
        tracing::error!(%err, "opening a result failed");
        storage_unavailable()
    })?;
    let Some((file, len)) = opened else {
        return Err(result_evicted(&app, id).await);
    };
    let name = format!("julia-{}.{}", job.hash, format.extension());
    Ok(stream_file(file, len, format.mime_type(), &job.hash, &name))
}
