//! The body of every error answer: `{"error": {"code", "message", "field"}}`.

use serde::{Deserialize, Serialize};

/// The JSON body of every error.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErrorDetail {
    /// Stable machine-readable code, e.g. `invalid_params`, `not_found`, `queue_full`.
    pub code: String,
    pub message: String,
    /// The offending field (dotted path, e.g. `c.re`) for `422` answers.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
}
