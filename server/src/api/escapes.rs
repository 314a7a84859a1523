//! `GET /api/jobs/{id}/escapes`: a finished job's escape data, every sample's count and `|z|²`
//! (`render_core::encode::EscapesStreamEncoder`'s npy), so a client can colour it in any palette
//! and mapping itself. Stored gzip-compressed; a client that accepts gzip gets the file as it is
//! (`Content-Encoding: gzip`), any other the npy, decompressed as it streams. Never in memory.

use axum::body::{Body, Bytes};
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use tokio_util::io::ReaderStream;

use julia_api_types::ErrorBody;

use super::error::ApiError;
use super::jobs::parse_job_id;
use super::state::AppState;
use super::stored::{STREAM_CHUNK, done_job, immutable, not_modified, storage_unavailable};
use crate::results::Derived;

/// The escape data (`application/octet-stream`, npy with dtype `[('count', '<u4'), ('norm2', '<f4')]`,
/// shape `(height·supersample, width·supersample)`).
#[utoipa::path(
    get, path = "/api/jobs/{id}/escapes", tag = "jobs",
    params(("id" = String, Path, description = "job id (UUID)")),
    responses(
        (status = 200, description = "npy: every sample's escape count and |z|² at escape, gzip-encoded when the client accepts it", content(
            (Vec<u8> = "application/octet-stream")),
            headers(("ETag" = String), ("Cache-Control" = String), ("Content-Encoding" = String))),
        (status = 304, description = "the client's copy (If-None-Match) is current"),
        (status = 404, description = "no such job, or its escape data is not kept (too large, or evicted)", body = ErrorBody),
        (status = 409, description = "the job is not done", body = ErrorBody),
        (status = 503, description = "storage unavailable (see Retry-After)", body = ErrorBody),
    )
)]
pub async fn get_escapes(
    State(app): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = parse_job_id(id)?;
    let job = done_job(&app, id).await?;
    let hash = render_core::escapes_hash(&job.params);
    let tag = format!("{hash}.escapes");
    let opened = app
        .results
        .open_derived(&hash, Derived::Escapes)
        .map_err(|err| {
            tracing::error!(%err, "opening escape data failed");
            storage_unavailable()
        })?;
    let Some((file, len)) = opened else {
        return Err(ApiError::new(
            StatusCode::NOT_FOUND,
            "escapes_not_kept",
            "this job's escape data is not kept (too large to keep, or evicted); its image is \
             at …/result",
        ));
    };
    let vary = (header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Some(mut current) = not_modified(&headers, &tag) {
        current.headers_mut().insert(vary.0, vary.1);
        return Ok(current);
    }
    let caching = (immutable(&tag), [vary]);
    let octets = HeaderValue::from_static("application/octet-stream");
    if accepts_gzip(&headers) {
        let stream = ReaderStream::with_capacity(tokio::fs::File::from_std(file), STREAM_CHUNK);
        return Ok((
            caching,
            [
                (header::CONTENT_TYPE, octets),
                (header::CONTENT_ENCODING, HeaderValue::from_static("gzip")),
                (header::CONTENT_LENGTH, HeaderValue::from(len)),
            ],
            Body::from_stream(stream),
        )
            .into_response());
    }
    Ok((
        caching,
        [(header::CONTENT_TYPE, octets)],
        Body::from_stream(decompressed(file)),
    )
        .into_response())
}

/// Whether `Accept-Encoding` admits gzip (any q above 0).
fn accepts_gzip(headers: &HeaderMap) -> bool {
    headers
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .any(|value| {
            value.to_str().is_ok_and(|list| {
                list.split(',').any(|coding| {
                    let mut parts = coding.split(';').map(str::trim);
                    let name = parts.next().unwrap_or("");
                    let refused = parts.any(|p| {
                        p.replace(' ', "").trim_start_matches("q=").parse::<f32>() == Ok(0.0)
                    });
                    (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
                })
            })
        })
}

/// The file decompressed on a blocking thread, one chunk at a time; a slow client holds back
/// the reader (the channel holds two chunks).
fn decompressed(
    file: std::fs::File,
) -> impl futures::Stream<Item = std::io::Result<Bytes>> + Send + 'static {
    let (tx, rx) = tokio::sync::mpsc::channel::<std::io::Result<Bytes>>(2);
    tokio::task::spawn_blocking(move || {
        use std::io::Read;
        let mut gz = flate2::read::GzDecoder::new(std::io::BufReader::new(file));
        loop {
            let mut chunk = vec![0u8; STREAM_CHUNK];
            match gz.read(&mut chunk) {
                Ok(0) => return,
                Ok(n) => {
                    chunk.truncate(n);
                    if tx.blocking_send(Ok(Bytes::from(chunk))).is_err() {
                        return;
                    }
                }
                Err(err) => {
                    let _ = tx.blocking_send(Err(err));
                    return;
                }
            }
        }
    });
    tokio_stream::wrappers::ReceiverStream::new(rx)
}
