//! `/api/jobs`: submit, look up, list, cancel and delete jobs. Handlers validate, store and answer; they
//! never render.
//!
//! An evicted result (the disk budget removed its file) turns its done job back into a queued one
//! when the same parameters are submitted again (`202`, same id) or its result is asked for (`409`
//! while it renders again): the job keeps its id, so links stay valid.

use axum::Extension;
use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use render_core::{canonical_hash, parse_params};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

use super::auth::Caller;
use julia_api_types::ErrorBody;

use super::error::ApiError;
use super::state::AppState;
use crate::metrics::names::{DEDUP_HITS, QUEUE_REJECTIONS};
use crate::results::Derived;
use crate::store::{Canceled, Deleted, Inserted, NewJob, Requeued};
use julia_api_types::{Job, JobStatus};
use render_core::RenderParams;

const DEFAULT_LIST_LIMIT: u32 = 10;
const MAX_LIST_LIMIT: u32 = 100;
/// Seconds a client is told to wait when the queue is full.
const QUEUE_FULL_RETRY_SECS: u32 = 5;

// Both queries are read as text and parsed by the handler, so a bad value is a 400 naming the
// parameter; the documented types are what the handler accepts.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubmitQuery {
    /// Id of an earlier job to cancel if it is still queued or running (a superseded view).
    #[param(value_type = Option<String>, format = Uuid)]
    replaces: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// How many jobs (default 10).
    #[param(value_type = Option<u32>, minimum = 1, maximum = 100)]
    limit: Option<String>,
}

/// Parses a job id; anything that is not a UUID names no job.
pub fn parse_job_id(raw: Result<Path<String>, PathRejection>) -> Result<Uuid, ApiError> {
    let Path(raw) = raw.map_err(ApiError::bad_path)?;
    Uuid::parse_str(&raw).map_err(|_| ApiError::not_found("job"))
}

/// Submit a render job.
#[utoipa::path(
    post, path = "/api/jobs", tag = "jobs",
    params(SubmitQuery),
    request_body(content = RenderParams, content_type = "application/json"),
    responses(
        (status = 202, description = "a new job was queued", body = Job,
            headers(("Location" = String, description = "the job's URL"))),
        (status = 200, description = "equal parameters are already queued, running or done: that job, with `deduplicated: true`", body = Job),
        (status = 400, description = "malformed JSON or query", body = ErrorBody),
        (status = 401, description = "API keys are required and none (or a wrong one) was sent", body = ErrorBody),
        (status = 403, description = "`replaces` names a job another API key submitted", body = ErrorBody),
        (status = 413, description = "body over the limit", body = ErrorBody),
        (status = 415, description = "the body is not `application/json`", body = ErrorBody),
        (status = 421, description = "the Host is not one this server answers for", body = ErrorBody),
        (status = 422, description = "invalid parameters; `field` names the first bad one", body = ErrorBody),
        (status = 429, description = "too many submissions from this client (see Retry-After)", body = ErrorBody),
        (status = 503, description = "queue full or server draining (see Retry-After)", body = ErrorBody),
    ),
    security((), ("api_key" = []))
)]
pub async fn create_job(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    query: Result<Query<SubmitQuery>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Response, ApiError> {
    let owner = accept_submission(&app, &caller, &headers)?;
    let Query(query) = query.map_err(ApiError::bad_query)?;
    let replaces = match query.replaces.as_deref() {
        None => None,
        Some(raw) => Some(Uuid::parse_str(raw).map_err(|_| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                "bad_query",
                "`replaces` must be a job id",
            )
            .with_field("replaces")
        })?),
    };
    if let Some(old) = replaces
        && let Some(old_job) = app.store.get(old).await?
    {
        caller.check_owner(&old_job)?;
    }
    let body = body.map_err(ApiError::bad_body)?;
    let text = body_text(&body)?;
    let params = parse_params(text, &app.limits())?;
    let hash = canonical_hash(&params);
    let inserted = app
        .store
        .insert_or_get(
            NewJob {
                params,
                hash,
                owner,
            },
            app.config.queue_capacity,
        )
        .await?;
    let (status, job) = match inserted {
        Inserted::Created(job) => (StatusCode::ACCEPTED, job),
        Inserted::Existing(job)
            if job.status == JobStatus::Done
                && !app.results.contains(&job.hash, job.params.format) =>
        {
            let capacity = app.config.queue_capacity;
            match app.store.requeue_done(job.id, capacity).await? {
                Requeued::Queued(job) => (StatusCode::ACCEPTED, job),
                Requeued::NotDone => dedup_hit(job),
                Requeued::QueueFull => return Err(queue_full(capacity)),
            }
        }
        Inserted::Existing(job) => dedup_hit(job),
        Inserted::QueueFull => return Err(queue_full(app.config.queue_capacity)),
    };
    if let Some(old) = replaces.filter(|old| *old != job.id)
        && let Canceled::Canceled(_) = app.store.cancel(old).await?
    {
        tracing::info!(%old, new = %job.id, "canceled the job this submission replaces");
    }
    let location = HeaderValue::from_str(&Job::location(job.id)).expect("ids are ASCII");
    Ok((status, [(header::LOCATION, location)], Json(job)).into_response())
}

/// What every submission checks first: the caller's identity to record (`401` when keys are
/// required and none was sent), a JSON body (`415`), and a server that is not draining (`503`).
pub(super) fn accept_submission(
    app: &AppState,
    caller: &Caller,
    headers: &HeaderMap,
) -> Result<Option<String>, ApiError> {
    let owner = caller.require()?.map(str::to_string);
    require_json(headers)?;
    if app.is_draining() {
        return Err(ApiError::unavailable(
            "draining",
            "the server is shutting down; try another node or later",
            5,
        ));
    }
    Ok(owner)
}

/// The body as text (`400` when it is not UTF-8).
pub(super) fn body_text(body: &Bytes) -> Result<&str, ApiError> {
    std::str::from_utf8(body).map_err(|_| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed_json",
            "the body is not UTF-8",
        )
    })
}

/// `503` + Retry-After: the queue is at `capacity` (new jobs and re-queues alike).
pub(super) fn queue_full(capacity: u64) -> ApiError {
    metrics::counter!(QUEUE_REJECTIONS).increment(1);
    ApiError::unavailable(
        "queue_full",
        format!("the queue holds {capacity} jobs, its capacity; try again later"),
        QUEUE_FULL_RETRY_SECS,
    )
}

/// `415` unless the body is declared JSON: a cross-site HTML form can send only form encodings
/// and `text/plain`, so this keeps any web page from queueing or replacing jobs.
fn require_json(headers: &HeaderMap) -> Result<(), ApiError> {
    let essence = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or_default().trim());
    if essence.is_some_and(|e| e.eq_ignore_ascii_case("application/json")) {
        return Ok(());
    }
    Err(ApiError::new(
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "unsupported_media_type",
        "the body must be sent as `Content-Type: application/json`",
    )
    .with_field("Content-Type"))
}

fn dedup_hit(mut job: Job) -> (StatusCode, Job) {
    metrics::counter!(DEDUP_HITS).increment(1);
    job.deduplicated = true;
    (StatusCode::OK, job)
}

/// One job.
#[utoipa::path(
    get, path = "/api/jobs/{id}", tag = "jobs",
    params(("id" = String, Path, description = "job id (UUID)")),
    responses((status = 200, body = Job), (status = 404, body = ErrorBody))
)]
pub async fn get_job(
    State(app): State<AppState>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Job>, ApiError> {
    let id = parse_job_id(id)?;
    app.store
        .get(id)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("job"))
}

/// The latest jobs, newest first.
#[utoipa::path(
    get, path = "/api/jobs", tag = "jobs",
    params(ListQuery),
    responses((status = 200, body = Vec<Job>), (status = 400, body = ErrorBody))
)]
pub async fn list_jobs(
    State(app): State<AppState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Json<Vec<Job>>, ApiError> {
    let Query(query) = query.map_err(ApiError::bad_query)?;
    let limit = match query.limit.as_deref() {
        None => DEFAULT_LIST_LIMIT,
        Some(raw) => raw
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=MAX_LIST_LIMIT).contains(n))
            .ok_or_else(|| {
                ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "bad_query",
                    format!("`limit` must be an integer from 1 to {MAX_LIST_LIMIT}"),
                )
                .with_field("limit")
            })?,
    };
    Ok(Json(app.store.list(limit).await?))
}

/// Cancel a queued or running job.
#[utoipa::path(
    post, path = "/api/jobs/{id}/cancel", tag = "jobs",
    params(("id" = String, Path, description = "job id (UUID)")),
    responses(
        (status = 200, description = "canceled", body = Job),
        (status = 401, description = "API keys are required and none (or a wrong one) was sent", body = ErrorBody),
        (status = 403, description = "another API key submitted this job", body = ErrorBody),
        (status = 404, description = "no such job", body = ErrorBody),
        (status = 409, description = "the job already finished", body = ErrorBody),
        (status = 429, description = "too many requests from this client (see Retry-After)", body = ErrorBody),
    ),
    security((), ("api_key" = []))
)]
pub async fn cancel_job(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Job>, ApiError> {
    let id = parse_job_id(id)?;
    cancel_as(&app, &caller, id).await
}

/// Cancels job `id` if `caller` may: its submitting key (when keys are required).
pub async fn cancel_as(app: &AppState, caller: &Caller, id: Uuid) -> Result<Json<Job>, ApiError> {
    require_owner(app, caller, id).await?;
    match app.store.cancel(id).await? {
        Canceled::Canceled(job) => Ok(Json(job)),
        Canceled::AlreadyFinished(job) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "wrong_state",
            format!(
                "the job is {} and can no longer be canceled",
                job.status.as_str()
            ),
        )),
        Canceled::NotFound => Err(ApiError::not_found("job")),
    }
}

/// `401` without a valid key (when keys are required), `404` for an unknown job, `403` when
/// another key submitted it: the rule every write to an existing job follows.
async fn require_owner(app: &AppState, caller: &Caller, id: Uuid) -> Result<(), ApiError> {
    caller.require()?;
    let job = app
        .store
        .get(id)
        .await?
        .ok_or_else(|| ApiError::not_found("job"))?;
    caller.check_owner(&job)
}

/// Delete a job and its result (a queued or running job is canceled first).
#[utoipa::path(
    delete, path = "/api/jobs/{id}", tag = "jobs",
    params(("id" = String, Path, description = "job id (UUID)")),
    responses(
        (status = 204, description = "deleted; the job and its result are gone"),
        (status = 401, description = "API keys are required and none (or a wrong one) was sent", body = ErrorBody),
        (status = 403, description = "another API key submitted this job", body = ErrorBody),
        (status = 404, description = "no such job", body = ErrorBody),
        (status = 429, description = "too many requests from this client (see Retry-After)", body = ErrorBody),
    ),
    security((), ("api_key" = []))
)]
pub async fn delete_job(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    id: Result<Path<String>, PathRejection>,
) -> Result<StatusCode, ApiError> {
    let id = parse_job_id(id)?;
    // Deleting is cancelling and more: the same key rules.
    require_owner(&app, &caller, id).await?;
    match app.store.delete(id).await? {
        Deleted::Deleted { job, hash_in_use } => {
            // Another job of the same parameters (a later resubmission) still serves this file.
            if !hash_in_use && let Err(err) = app.results.remove(&job.hash, job.params.format) {
                tracing::warn!(%err, %id, "could not remove the deleted job's result");
            }
            if !hash_in_use
                && let Err(err) = app.results.remove_derived(&job.hash, Derived::Thumbnail)
            {
                tracing::warn!(%err, %id, "could not remove the deleted job's thumbnail");
            }
            Ok(StatusCode::NO_CONTENT)
        }
        Deleted::NotFound => Err(ApiError::not_found("job")),
    }
}
