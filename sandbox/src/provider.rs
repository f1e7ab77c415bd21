//! What the fake screening providers share: their `{code, message}` errors, the error body
//! of an injected fault, and reading a JSON-object request body.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::fault::Traffic;
use crate::server::bearer;

/// An error answered by a fake provider: `{code, message}` with an HTTP status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl ProviderError {
    pub(crate) fn new(status: u16, code: &'static str, message: impl Into<String>) -> Self {
        ProviderError {
            status,
            code,
            message: message.into(),
        }
    }
    pub(crate) fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(422, code, message)
    }
    pub(crate) fn unauthorized() -> Self {
        Self::new(401, "unauthorized", "invalid or missing API key")
    }
    pub(crate) fn not_found(what: &str) -> Self {
        Self::new(404, "not_found", format!("{what} not found"))
    }
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, "bad_request", message)
    }
}

impl IntoResponse for ProviderError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        (
            status,
            Json(json!({"code": self.code, "message": self.message})),
        )
            .into_response()
    }
}

/// Request log and fault injection for a provider fake: Bearer keys, `{code, message}`
/// fault bodies, admin `/sandbox/…` routes exempt.
pub(crate) fn traffic() -> Arc<Traffic> {
    traffic_with(bearer)
}

/// Like [`traffic`], with the provider's own way of naming the key of a request.
pub(crate) fn traffic_with(key_of: fn(&axum::http::HeaderMap) -> Option<String>) -> Arc<Traffic> {
    Traffic::new(key_of, error_body, Some("/sandbox/"))
}

/// Error body for an injected fault status.
fn error_body(status: u16) -> Value {
    let code = match status {
        400 => "bad_request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        422 => "unprocessable",
        429 => "rate_limited",
        500 => "internal_error",
        502 => "bad_gateway",
        503 => "unavailable",
        504 => "gateway_timeout",
        _ => "error",
    };
    json!({"code": code, "message": format!("injected fault ({status})")})
}

/// A request body that must be a JSON object (400 otherwise).
pub(crate) fn json_object(body: &Bytes) -> Result<Value, ProviderError> {
    let body: Value = serde_json::from_slice(body)
        .map_err(|e| ProviderError::bad_request(format!("invalid JSON body: {e}")))?;
    if body.is_object() {
        Ok(body)
    } else {
        Err(ProviderError::bad_request("body must be a JSON object"))
    }
}

/// Text escaped for an HTML page (the fakes' report pages).
pub(crate) fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A provider fake's read-only views of its orders: `orders()`, `order(id)` and
/// `order_by_reference(client_reference)` (the fake's `Order` and its state's `orders`).
macro_rules! order_views {
    () => {
        /// All orders, in creation order.
        pub fn orders(&self) -> Vec<Order> {
            self.state().orders.clone()
        }

        pub fn order(&self, order_id: impl AsRef<str>) -> Option<Order> {
            self.state().order(order_id.as_ref()).cloned()
        }

        pub fn order_by_reference(&self, client_reference: impl AsRef<str>) -> Option<Order> {
            let r = client_reference.as_ref();
            self.state()
                .orders
                .iter()
                .find(|o| o.client_reference == r)
                .cloned()
        }
    };
}
pub(crate) use order_views;

/// A provider fake's views of the signed callbacks it sent (`SentCallback` records) and its
/// report pages: `report_url(id)`, `callbacks()`, `last_callback(id)`.
macro_rules! callback_views {
    () => {
        /// `{base}/sandbox/reports/{order_id}`.
        pub fn report_url(&self, order_id: impl AsRef<str>) -> String {
            format!(
                "{}/sandbox/reports/{}",
                self.inner.base_url,
                order_id.as_ref()
            )
        }

        /// Every callback sent (by the driving methods, `send`, `resend_last` or the admin
        /// routes), in order.
        pub fn callbacks(&self) -> Vec<SentCallback> {
            self.state().callbacks.clone()
        }

        /// The last callback sent for `order_id`, exactly as sent.
        pub fn last_callback(&self, order_id: impl AsRef<str>) -> Option<SignedCallback> {
            let id = order_id.as_ref();
            self.state()
                .callbacks
                .iter()
                .rev()
                .find(|c| c.order_id.as_deref() == Some(id))
                .map(|c| c.callback.clone())
        }
    };
}
pub(crate) use callback_views;
