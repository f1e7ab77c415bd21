//! Alliance 2020 accounts and orders: validation and idempotency rules, no I/O.

use std::collections::HashMap;

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::server::{now_ms, text};

/// An order as the fake provider holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    /// `A20-000001`, `A20-000002`, …
    pub id: String,
    pub client_reference: String,
    /// The JSON body of the `POST /v1/orders` that created it.
    pub request: Value,
    /// `pending | in_progress | complete | rejected` (whatever `advance` last set).
    pub status: String,
    pub callback_url: String,
    /// The Bearer key the order was placed with.
    pub api_key: String,
    pub result: Option<Value>,
    pub reason: Option<String>,
    pub created_at_ms: i64,
}

impl Order {
    pub(crate) fn render(&self) -> Value {
        let r = &self.request;
        json!({
            "order_id": self.id,
            "client_reference": self.client_reference,
            "status": self.status,
            "client_code": r.get("client_code"),
            "product": r.get("product"),
            "reference": r.get("reference"),
            "candidate": r.get("candidate"),
            "position": r.get("position"),
            "tags": r.get("tags"),
            "callback_url": self.callback_url,
            "result": self.result,
            "reason": self.reason,
            "created_at_ms": self.created_at_ms,
        })
    }
}

/// One callback POSTed to the hub.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallbackRecord {
    pub order_id: Option<String>,
    pub webhook_id: String,
    pub url: String,
    /// Final status; 0 when there was no response.
    pub status: u16,
    pub attempts: u32,
}

/// An error answered by the fake provider: `{code, message}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllianceError {
    pub status: u16,
    pub code: &'static str,
    pub message: String,
}

impl AllianceError {
    fn unprocessable(code: &'static str, message: impl Into<String>) -> Self {
        AllianceError {
            status: 422,
            code,
            message: message.into(),
        }
    }
    pub(crate) fn unauthorized() -> Self {
        AllianceError {
            status: 401,
            code: "unauthorized",
            message: "invalid or missing API key".into(),
        }
    }
    pub(crate) fn not_found(what: &str) -> Self {
        AllianceError {
            status: 404,
            code: "not_found",
            message: format!("{what} not found"),
        }
    }
    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        AllianceError {
            status: 400,
            code: "bad_request",
            message: message.into(),
        }
    }
}

impl IntoResponse for AllianceError {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::BAD_REQUEST);
        (
            status,
            Json(json!({"code": self.code, "message": self.message})),
        )
            .into_response()
    }
}

/// Error body for an injected fault status.
pub(crate) fn error_body(status: u16) -> Value {
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

#[derive(Debug, Clone, Default)]
pub(crate) struct Account {
    pub secrets: Vec<String>,
    pub products: Option<Vec<String>>,
    pub client_codes: Option<Vec<String>>,
}

#[derive(Default)]
pub(crate) struct AllianceState {
    pub accounts: HashMap<String, Account>,
    pub orders: Vec<Order>,
    pub callbacks: Vec<CallbackRecord>,
    pub clock_skew: i64,
    pub callback_retries: bool,
}

/// Outcome of `POST /v1/orders`.
pub(crate) enum Placed {
    Created(Order),
    Existing(Order),
}

impl AllianceState {
    pub fn place(&mut self, api_key: &str, body: Value) -> Result<Placed, AllianceError> {
        let account = self
            .accounts
            .get(api_key)
            .ok_or_else(AllianceError::unauthorized)?;
        let missing = |field: &str| {
            AllianceError::unprocessable("missing_field", format!("{field} is required"))
        };
        let reference =
            text(&body, &["client_reference"]).ok_or_else(|| missing("client_reference"))?;
        if let Some(existing) = self
            .orders
            .iter()
            .find(|o| o.api_key == api_key && o.client_reference == reference)
        {
            return Ok(Placed::Existing(existing.clone()));
        }
        text(&body, &["candidate", "name"]).ok_or_else(|| missing("candidate name"))?;
        text(&body, &["candidate", "email"]).ok_or_else(|| missing("candidate email"))?;
        let product = text(&body, &["product"]).ok_or_else(|| missing("product"))?;
        let client_code = text(&body, &["client_code"]).ok_or_else(|| missing("client_code"))?;
        let callback_url = text(&body, &["callback_url"]).ok_or_else(|| missing("callback_url"))?;
        if account
            .products
            .as_ref()
            .is_some_and(|ps| !ps.iter().any(|p| p == product))
        {
            return Err(AllianceError::unprocessable(
                "unknown_product",
                format!("Unknown product: {product}"),
            ));
        }
        if account
            .client_codes
            .as_ref()
            .is_some_and(|cs| !cs.iter().any(|c| c == client_code))
        {
            return Err(AllianceError::unprocessable(
                "unknown_client",
                format!("Unknown client code: {client_code}"),
            ));
        }
        let order = Order {
            id: format!("A20-{:06}", self.orders.len() + 1),
            client_reference: reference.to_owned(),
            callback_url: callback_url.to_owned(),
            status: "pending".into(),
            api_key: api_key.to_owned(),
            result: None,
            reason: None,
            created_at_ms: now_ms(),
            request: body,
        };
        self.orders.push(order.clone());
        Ok(Placed::Created(order))
    }

    pub fn order(&self, id: &str) -> Option<&Order> {
        self.orders.iter().find(|o| o.id == id)
    }

    pub fn secrets_for(&self, order: &Order) -> Vec<String> {
        self.accounts
            .get(&order.api_key)
            .map(|a| a.secrets.clone())
            .unwrap_or_default()
    }

    /// Record a status change; returns the updated order.
    pub fn update(
        &mut self,
        id: &str,
        status: &str,
        result: Option<Value>,
        reason: Option<String>,
    ) -> Option<Order> {
        let order = self.orders.iter_mut().find(|o| o.id == id)?;
        order.status = status.to_owned();
        order.result = result;
        order.reason = reason;
        Some(order.clone())
    }
}
