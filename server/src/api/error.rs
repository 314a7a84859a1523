//! The error answer of every endpoint: `{"error": {"code", "message", "field"}}` with the status
//! codes of docs/DESIGN.md §4. No input maps to a `500`; a failing store is a `503` with `Retry-After`.

use axum::Json;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use julia_api_types::{ErrorBody, ErrorDetail};
use render_core::ParseError;

use crate::store::StoreError;

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    pub field: Option<String>,
    pub retry_after_secs: Option<u32>,
    /// `WWW-Authenticate` of a `401`.
    pub challenge: Option<&'static str>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            field: None,
            retry_after_secs: None,
            challenge: None,
        }
    }

    pub fn with_challenge(mut self, challenge: &'static str) -> ApiError {
        self.challenge = Some(challenge);
        self
    }

    /// `429` with the seconds until the client may try again.
    pub fn too_many_requests(retry_after_secs: u32) -> ApiError {
        ApiError {
            retry_after_secs: Some(retry_after_secs),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                format!("too many requests from this client; try again in {retry_after_secs} s"),
            )
        }
    }

    pub fn with_field(mut self, field: impl Into<String>) -> ApiError {
        self.field = Some(field.into());
        self
    }

    pub fn not_found(what: &str) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("no such {what}"),
        )
    }

    pub fn unavailable(
        code: &'static str,
        message: impl Into<String>,
        retry_after_secs: u32,
    ) -> ApiError {
        ApiError {
            retry_after_secs: Some(retry_after_secs),
            ..ApiError::new(StatusCode::SERVICE_UNAVAILABLE, code, message)
        }
    }

    pub fn bad_query(rejection: QueryRejection) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_query", rejection.body_text())
    }

    pub fn bad_body(rejection: BytesRejection) -> ApiError {
        let status = rejection.status();
        let code = if status == StatusCode::PAYLOAD_TOO_LARGE {
            "body_too_large"
        } else {
            "bad_body"
        };
        // Never echo a server-side status for a client-side problem.
        let status = if status.is_server_error() {
            StatusCode::BAD_REQUEST
        } else {
            status
        };
        ApiError::new(status, code, rejection.body_text())
    }

    /// An unusable job id in a path is simply a job that does not exist.
    pub fn bad_path(_rejection: PathRejection) -> ApiError {
        ApiError::not_found("job")
    }
}

impl From<ParseError> for ApiError {
    fn from(err: ParseError) -> ApiError {
        match err {
            ParseError::Malformed(message) => {
                ApiError::new(StatusCode::BAD_REQUEST, "malformed_json", message)
            }
            ParseError::Invalid(p) => {
                let field = p.field.clone();
                ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "invalid_params",
                    p.to_string(),
                )
                .with_field(field)
            }
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> ApiError {
        tracing::error!(%err, "job store failed");
        ApiError::unavailable(
            "store_unavailable",
            "the job store is unavailable; try again",
            1,
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message,
                field: self.field,
            },
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(secs) = self.retry_after_secs {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if let Some(challenge) = self.challenge {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(challenge),
            );
        }
        response
    }
}

/// Unknown routes under `/api` (and everywhere when no UI is served).
pub async fn route_not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found", "no such route")
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        "this route does not accept that method",
    )
}
