//! Alliance 2020 accounts and orders: validation and idempotency rules, no I/O.

use std::collections::HashMap;

use serde_json::{Value, json};

use crate::provider::ProviderError;
use crate::server::text;

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
    /// The searches reported with each callback (`services[]`: `{name, status}`); the
    /// provider may add one while it works (an extra county).
    pub services: Vec<Value>,
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
    pub clock: crate::server::SandboxClock,
    pub callback_retries: bool,
}

/// Outcome of `POST /v1/orders`.
pub(crate) enum Placed {
    Created(Order),
    Existing(Order),
}

impl AllianceState {
    pub fn place(&mut self, api_key: &str, body: Value) -> Result<Placed, ProviderError> {
        let account = self
            .accounts
            .get(api_key)
            .ok_or_else(ProviderError::unauthorized)?;
        let missing = |field: &str| {
            ProviderError::unprocessable("missing_field", format!("{field} is required"))
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
            return Err(ProviderError::unprocessable(
                "unknown_product",
                format!("Unknown product: {product}"),
            ));
        }
        if account
            .client_codes
            .as_ref()
            .is_some_and(|cs| !cs.iter().any(|c| c == client_code))
        {
            return Err(ProviderError::unprocessable(
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
            created_at_ms: self.clock.now_ms(),
            services: Vec::new(),
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
    /// Report `name` at `status` among the order's services (added when new).
    pub fn set_service(&mut self, id: &str, name: &str, status: &str) -> Option<Order> {
        let order = self.orders.iter_mut().find(|o| o.id == id)?;
        let line = serde_json::json!({ "name": name, "status": status });
        match order.services.iter_mut().find(|s| s["name"] == name) {
            Some(s) => *s = line,
            None => order.services.push(line),
        }
        Some(order.clone())
    }

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
