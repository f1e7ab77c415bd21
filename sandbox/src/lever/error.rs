//! Lever-style error bodies: `{"code": "...", "message": "..."}`.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// An error answered by the fake Lever API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl ApiError {
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        ApiError {
            status: 400,
            code: "BadRequestError",
            message: message.into(),
        }
    }

    pub(crate) fn not_found(kind: &str, id: &str) -> Self {
        ApiError {
            status: 404,
            code: "ResourceNotFound",
            message: format!("{kind} {id} was not found"),
        }
    }

    pub(crate) fn invalid_offset() -> Self {
        Self::bad_request("Invalid offset token: Offset token is invalid for sort")
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        (
            status,
            Json(json!({"code": self.code, "message": self.message})),
        )
            .into_response()
    }
}

/// The error body Lever sends with a given status (used for injected faults).
pub(crate) fn error_body(status: u16) -> Value {
    let (code, message) = match status {
        400 => ("BadRequestError", "Bad request"),
        401 => ("UnauthorizedError", "Invalid API key"),
        403 => ("ForbiddenError", "Forbidden"),
        404 => ("ResourceNotFound", "Resource not found"),
        429 => (
            "TooManyRequests",
            "Rate limit exceeded, retry with exponential backoff",
        ),
        500 => ("InternalServerError", "Internal server error"),
        503 => ("ServiceUnavailable", "Lever is down for maintenance"),
        _ => ("Error", "Injected fault"),
    };
    json!({"code": code, "message": message})
}
