//! `GET /api/jobs/{id}/thumbnail`: a finished PNG job's image scaled to at most
//! `results::THUMBNAIL_SIDE` pixels on the long side, made once from the result (in a blocking
//! task, streaming it) and kept on disk by the job's hash, with the result's caching rules: a
//! strong `ETag`, an immutable lifetime and `304`.

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use julia_api_types::ErrorBody;
use render_core::OutputFormat;

use super::error::ApiError;
use super::jobs::parse_job_id;
use super::state::AppState;
use super::stored::{done_job, immutable, not_modified, result_evicted, storage_unavailable};
use crate::results::{Derived, make_thumbnail};

/// The thumbnail (`image/png`).
#[utoipa::path(
    get, path = "/api/jobs/{id}/thumbnail", tag = "jobs",
    params(("id" = String, Path, description = "job id (UUID)")),
    responses(
        (status = 200, description = "the image scaled to at most 256 pixels on its long side", content(
            (Vec<u8> = "image/png")),
            headers(("ETag" = String), ("Cache-Control" = String), ("Content-Length" = u64))),
        (status = 304, description = "the client's copy (If-None-Match) is current"),
        (status = 404, description = "no such job, or an npy job (no image)", body = ErrorBody),
        (status = 409, description = "the job is not done (or its evicted result is rendering again)", body = ErrorBody),
        (status = 503, description = "storage unavailable, or the result was evicted and the queue is full (see Retry-After)", body = ErrorBody),
    )
)]
pub async fn get_thumbnail(
    State(app): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = parse_job_id(id)?;
    let job = done_job(&app, id).await?;
    if job.params.format != OutputFormat::Png {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "no_thumbnail",
            "an npy job has no image, so no thumbnail",
        ));
    }
    let tag = format!("{}.thumb", job.hash);
    if let Some(current) = not_modified(&headers, &tag) {
        return Ok(current);
    }
    let results = app.results.clone();
    let hash = job.hash.clone();
    let made = tokio::task::spawn_blocking(move || -> std::io::Result<Option<Vec<u8>>> {
        if let Some((mut file, _)) = results.open_derived(&hash, Derived::Thumbnail)? {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut file, &mut bytes)?;
            return Ok(Some(bytes));
        }
        let Some((result, _)) = results.open(&hash, OutputFormat::Png)? else {
            return Ok(None);
        };
        let bytes = make_thumbnail(std::io::BufReader::with_capacity(1 << 16, result))?;
        // Kept for the next request; a failure to keep it costs only a remake.
        let kept = results
            .begin_derived(&hash, Derived::Thumbnail)
            .and_then(|mut pending| {
                pending.writer().write_all(&bytes)?;
                pending.publish()
            });
        match kept {
            Ok(published) => results.committed_derived(&hash, Derived::Thumbnail, published.bytes),
            Err(err) => tracing::warn!(%err, "could not keep a thumbnail"),
        }
        Ok(Some(bytes))
    })
    .await
    .map_err(|_| storage_unavailable())?
    .map_err(|err| {
        tracing::error!(%err, "making a thumbnail failed");
        storage_unavailable()
    })?;
    let Some(bytes) = made else {
        return Err(result_evicted(&app, id).await);
    };
    Ok((
        immutable(&tag),
        [(header::CONTENT_TYPE, HeaderValue::from_static("image/png"))],
        bytes,
    )
        .into_response())
}
