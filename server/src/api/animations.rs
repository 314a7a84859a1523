//! `/api/animations` (docs/DESIGN.md §8.5): submit a video as keyframes, follow its frames, cancel
//! it, fetch the video. The handler plans every frame's parameters and queues each frame as an
//! ordinary job (deduplicated by hash like any other), then stores the animation naming its
//! frames; workers render the frames and one of them encodes the video. Handlers never render
//! or encode.

use axum::Extension;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use render_core::{OutputFormat, ParseError, canonical_hash};
use serde::Deserialize;
use sha2::{Digest, Sha256};
use utoipa::IntoParams;
use uuid::Uuid;

use super::auth::Caller;
use super::error::ApiError;
use super::jobs::{accept_submission, body_text, queue_full};
use super::state::AppState;
use super::stored::{not_modified, storage_unavailable, stream_file};
use crate::animation::spec::WireSpec;
use crate::animation::{AnimationLimits, Interpolator, parse_spec};
use crate::results::Derived;
use crate::store::animations::{
    AnimationInserted, CanceledAnimation, NewAnimation, StoredAnimation,
};
use crate::store::{Inserted, NewJob, Requeued};
use julia_api_types::{Animation, AnimationStatus, ErrorBody, JobStatus, VideoFormat};

/// Most frames of one animation submitted over HTTP (two minutes at 30 fps): each is a job, and
/// the handler queues them all. The command line renders longer ones.
pub const MAX_API_FRAMES: u64 = 3600;

/// Most keyframes of one animation submitted over HTTP.
pub const MAX_API_KEYFRAMES: usize = 100;

/// The largest body of a submission: 100 keyframes whose every coordinate is a decimal of the
/// longest length (2000 characters) fit.
pub const BODY_LIMIT_BYTES: usize = 2 * 1024 * 1024;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubmitQuery {
    /// `mp4` (H.264, the default) or `webm` (VP9).
    #[param(value_type = Option<VideoFormat>)]
    format: Option<String>,
}

/// Submit an animation: the spec of `julia-server animate` (docs/DESIGN.md §8.1).
#[utoipa::path(
    post, path = "/api/animations", tag = "animations",
    params(SubmitQuery),
    request_body(content = WireSpec, content_type = "application/json"),
    responses(
        (status = 202, description = "its frames are queued (or, for one that had failed or been canceled, its missing frames)", body = Animation,
            headers(("Location" = String, description = "the animation's URL"))),
        (status = 200, description = "the same animation is already rendering or done: that one, with `deduplicated: true`", body = Animation),
        (status = 400, description = "malformed JSON or query", body = ErrorBody),
        (status = 401, description = "API keys are required and none (or a wrong one) was sent", body = ErrorBody),
        (status = 413, description = "body over the limit (2 MiB)", body = ErrorBody),
        (status = 415, description = "the body is not `application/json`", body = ErrorBody),
        (status = 422, description = "invalid spec; `field` names the first bad one", body = ErrorBody),
        (status = 429, description = "too many submissions from this client (see Retry-After)", body = ErrorBody),
        (status = 503, description = "the queue has no room for its frames, or the server is draining (see Retry-After)", body = ErrorBody),
    ),
    security((), ("api_key" = []))
)]
pub async fn create_animation(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    query: Result<Query<SubmitQuery>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let owner = accept_submission(&app, &caller, &headers)?;
    let Query(query) = query.map_err(ApiError::bad_query)?;
    let format = match query.format.as_deref() {
        None => VideoFormat::Mp4,
        Some(raw) => VideoFormat::parse(raw).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_query",
                "`format` must be `mp4` or `webm`",
            )
            .with_field("format")
        })?,
    };
    let body = body.map_err(ApiError::bad_body)?;
    let text = body_text(&body)?;
    let limits = AnimationLimits {
        max_frames: MAX_API_FRAMES.min(app.config.queue_capacity),
        max_keyframes: MAX_API_KEYFRAMES,
        frame: app.limits(),
        ..AnimationLimits::default()
    };
    let spec = parse_spec(text, &limits)?;
    let interp = Interpolator::new(&spec);
    let mut frames = Vec::new();
    for n in 0..spec.frame_count() {
        let mut params = interp.frame(n).map_err(ParseError::Invalid)?;
        params.format = OutputFormat::Png;
        let hash = canonical_hash(&params);
        frames.push((params, hash));
    }
    let hash = animation_hash(format, spec.fps, frames.iter().map(|(_, h)| h.as_str()));

    // The same animation, rendering or done with its video at hand: that one.
    let existing = app.store.animations().animation_by_hash(&hash).await?;
    if let Some(existing) = existing.clone()
        && reusable(&app, &existing.animation)
    {
        return Ok(answer(StatusCode::OK, existing, true));
    }
    let video_missing = existing.is_some_and(|e| e.animation.status == AnimationStatus::Done);
    let stats = app.store.stats().await?;
    let capacity = app.config.queue_capacity;
    if stats.count(JobStatus::Queued) + frames.len() as u64 > capacity {
        return Err(queue_full(capacity));
    }
    let frame_hashes = frames.iter().map(|(_, h)| h.clone()).collect();
    for (params, hash) in frames {
        queue_frame(&app, params, hash, owner.clone()).await?;
    }
    let new = NewAnimation {
        hash,
        spec: serde_json::to_string(&spec.wire).expect("a spec serialises"),
        format,
        width: spec.width,
        height: spec.height,
        fps: spec.fps,
        frame_hashes,
        owner,
        video_missing,
    };
    let stored = match app.store.animations().insert_animation(new).await? {
        AnimationInserted::Created(stored) | AnimationInserted::Existing(stored) => stored,
    };
    Ok(answer(StatusCode::ACCEPTED, stored, false))
}

/// Rendering, encoding, or done with its video still kept.
fn reusable(app: &AppState, animation: &Animation) -> bool {
    match animation.status {
        AnimationStatus::Rendering | AnimationStatus::Encoding => true,
        AnimationStatus::Done => app
            .results
            .open_derived(&animation.hash, Derived::Video(animation.format))
            .is_ok_and(|file| file.is_some()),
        AnimationStatus::Failed | AnimationStatus::Canceled => false,
    }
}

/// Queues one frame as a job, or finds its job; a done frame whose file the disk budget evicted
/// is queued again.
async fn queue_frame(
    app: &AppState,
    params: render_core::RenderParams,
    hash: String,
    owner: Option<String>,
) -> Result<(), ApiError> {
    // The capacity was checked for the whole animation: its frames are queued together.
    let inserted = app
        .store
        .insert_or_get(
            NewJob {
                params,
                hash,
                owner,
            },
            u64::MAX,
        )
        .await?;
    if let Inserted::Existing(job) = inserted
        && job.status == JobStatus::Done
        && !app.results.contains(&job.hash, OutputFormat::Png)
        && let Requeued::QueueFull = app.store.requeue_done(job.id, u64::MAX).await?
    {
        return Err(queue_full(app.config.queue_capacity));
    }
    Ok(())
}

/// Names an animation: its format, rate and frames, so equal videos are one animation however
/// their specs were written.
fn animation_hash<'a>(
    format: VideoFormat,
    fps: u32,
    frames: impl Iterator<Item = &'a str>,
) -> String {
    let mut h = Sha256::new();
    h.update(b"julia-animation/v1");
    h.update(format.as_str().as_bytes());
    h.update(fps.to_le_bytes());
    for frame in frames {
        h.update(frame.as_bytes());
    }
    h.finalize()[..16]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn answer(status: StatusCode, stored: StoredAnimation, deduplicated: bool) -> Response {
    let mut animation = stored.animation;
    animation.deduplicated = deduplicated;
    let location = HeaderValue::from_str(&Animation::location(animation.id)).expect("ASCII");
    (status, [(header::LOCATION, location)], Json(animation)).into_response()
}

fn parse_id(raw: Result<Path<String>, PathRejection>) -> Result<Uuid, ApiError> {
    let Path(raw) = raw.map_err(|_| ApiError::not_found("animation"))?;
    Uuid::parse_str(&raw).map_err(|_| ApiError::not_found("animation"))
}

async fn find(app: &AppState, id: Uuid) -> Result<StoredAnimation, ApiError> {
    app.store
        .animations()
        .get_animation(id)
        .await?
        .ok_or_else(|| ApiError::not_found("animation"))
}

/// One animation: its state and how many frames are done.
#[utoipa::path(
    get, path = "/api/animations/{id}", tag = "animations",
    params(("id" = String, Path, description = "animation id (UUID)")),
    responses((status = 200, body = Animation), (status = 404, body = ErrorBody))
)]
pub async fn get_animation(
    State(app): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Animation>, ApiError> {
    let id = parse_id(id)?;
    Ok(Json(find(&app, id).await?.animation))
}

/// Cancel an animation: its queued and running frames (those no other active animation uses)
/// are canceled as jobs; frames already done stay done.
#[utoipa::path(
    post, path = "/api/animations/{id}/cancel", tag = "animations",
    params(("id" = String, Path, description = "animation id (UUID)")),
    responses(
        (status = 200, description = "canceled", body = Animation),
        (status = 401, description = "API keys are required and none (or a wrong one) was sent", body = ErrorBody),
        (status = 403, description = "another API key submitted this animation", body = ErrorBody),
        (status = 404, description = "no such animation", body = ErrorBody),
        (status = 409, description = "the animation already finished", body = ErrorBody),
        (status = 429, description = "too many requests from this client (see Retry-After)", body = ErrorBody),
    ),
    security((), ("api_key" = []))
)]
pub async fn cancel_animation(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Animation>, ApiError> {
    let id = parse_id(id)?;
    let stored = find(&app, id).await?;
    caller.check_owner_of(stored.owner.as_deref())?;
    let Some(CanceledAnimation { stored, frame_jobs }) =
        app.store.animations().cancel_animation(id).await?
    else {
        return Err(ApiError::not_found("animation"));
    };
    if stored.animation.status != AnimationStatus::Canceled {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "wrong_state",
            format!(
                "the animation is {} and can no longer be canceled",
                stored.animation.status.as_str()
            ),
        ));
    }
    for job in frame_jobs {
        app.store.cancel(job).await?;
    }
    Ok(Json(stored.animation))
}

/// The finished video (`video/mp4` or `video/webm`).
#[utoipa::path(
    get, path = "/api/animations/{id}/video", tag = "animations",
    params(("id" = String, Path, description = "animation id (UUID)")),
    responses(
        (status = 200, description = "the video file", content(
            (Vec<u8> = "video/mp4"), (Vec<u8> = "video/webm")),
            headers(("ETag" = String), ("Cache-Control" = String), ("Content-Length" = u64))),
        (status = 304, description = "the client's copy (If-None-Match) is current"),
        (status = 404, body = ErrorBody),
        (status = 409, description = "the animation is not done, or its video was evicted (submit it again)", body = ErrorBody),
    )
)]
pub async fn get_video(
    State(app): State<AppState>,
    id: Result<Path<String>, PathRejection>,
    headers: HeaderMap,
) -> Result<Response, ApiError> {
    let id = parse_id(id)?;
    let animation = find(&app, id).await?.animation;
    if animation.status != AnimationStatus::Done {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "not_done",
            format!("the animation is {}", animation.status.as_str()),
        ));
    }
    let kind = Derived::Video(animation.format);
    let opened = app
        .results
        .open_derived(&animation.hash, kind)
        .map_err(|err| {
            tracing::error!(%err, "opening a video failed");
            storage_unavailable()
        })?;
    let Some((file, len)) = opened else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "video_evicted",
            "the video was evicted by the disk budget; submit the animation again to encode it",
        ));
    };
    if let Some(current) = not_modified(&headers, &animation.hash) {
        return Ok(current);
    }
    let name = format!("julia-{}.{}", animation.hash, animation.format.as_str());
    let mime_type = animation.format.mime_type();
    Ok(stream_file(file, len, mime_type, &animation.hash, &name))
}
