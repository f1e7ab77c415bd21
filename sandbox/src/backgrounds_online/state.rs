//! Backgrounds Online accounts and orders: validation, idempotency and cancel rules, no I/O.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::callbacks::SignedCallback;
use crate::provider::ProviderError;
use crate::server::text;

/// Order statuses of the contract.
pub const PENDING_SUBMISSION: &str = "pending_submission";
pub const IN_PROCESS: &str = "in_process";
pub const COMPLETE: &str = "complete";
pub const CANCELLED: &str = "cancelled";
pub const EXPIRED: &str = "expired";

/// An order as the fake provider holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    /// `BO-000001`, `BO-000002`, …
    pub id: String,
    pub client_reference: String,
    /// The JSON body of the `POST /v1/orders` that created it, exactly as received.
    pub request: Value,
    /// `pending_submission | in_process | complete | cancelled | expired`.
    pub status: String,
    /// `clear | review` once complete.
    pub result: Option<String>,
    /// `{base}/sandbox/reports/{id}` once complete.
    pub report_url: Option<String>,
    pub callback_url: String,
    /// The Bearer key the order was placed with.
    pub api_key: String,
    pub created_at_ms: i64,
}

impl Order {
    pub(crate) fn render(&self) -> Value {
        let r = &self.request;
        json!({
            "order_id": self.id,
            "client_reference": self.client_reference,
            "status": self.status,
            "result": self.result,
            "report_url": self.report_url,
            "package": r.get("package"),
            "candidate": r.get("candidate"),
            "position": r.get("position"),
            "callback_url": self.callback_url,
            "created_at_ms": self.created_at_ms,
        })
    }
}

/// One callback POSTed to the hub, kept whole so it can be re-sent unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentCallback {
    pub order_id: Option<String>,
    /// The exact request sent (url, headers incl. `webhook-id`, signed body); the last
    /// attempt's when retries are on.
    pub callback: SignedCallback,
    /// The hub's final HTTP status; 0 when there was no response.
    pub delivered_status: u16,
    pub attempts: u32,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Account {
    /// Callbacks are signed with the first one.
    pub secrets: Vec<String>,
    pub packages: Vec<String>,
}

#[derive(Default)]
pub(crate) struct BoState {
    pub accounts: HashMap<String, Account>,
    pub orders: Vec<Order>,
    pub callbacks: Vec<SentCallback>,
    pub clock_skew: i64,
    pub clock: crate::server::SandboxClock,
    pub callback_retries: bool,
}

/// Outcome of `POST /v1/orders`.
pub(crate) enum Placed {
    Created(Order),
    Existing(Order),
}

impl BoState {
    pub fn is_key(&self, api_key: &str) -> bool {
        self.accounts.contains_key(api_key)
    }

    /// `POST /v1/orders` for an authenticated key.
    pub fn place(&mut self, api_key: &str, body: Value) -> Result<Placed, ProviderError> {
        let account = self
            .accounts
            .get(api_key)
            .ok_or_else(ProviderError::unauthorized)?;
        let reference = text(&body, &["client_reference"])
            .ok_or_else(|| ProviderError::bad_request("client_reference is required"))?;
        if let Some(existing) = self
            .orders
            .iter()
            .find(|o| o.api_key == api_key && o.client_reference == reference)
        {
            return Ok(Placed::Existing(existing.clone()));
        }
        let callback_url = text(&body, &["callback_url"])
            .ok_or_else(|| ProviderError::bad_request("callback_url is required"))?;
        let offered = if account.packages.is_empty() {
            "none".to_owned()
        } else {
            account.packages.join(", ")
        };
        match text(&body, &["package"]) {
            None => {
                return Err(ProviderError::new(
                    422,
                    "unknown_package",
                    format!(
                        "No Backgrounds Online package was given. Packages available on this account: {offered}."
                    ),
                ));
            }
            Some(package) if !account.packages.iter().any(|p| p == package) => {
                return Err(ProviderError::new(
                    422,
                    "unknown_package",
                    format!(
                        "The package \"{package}\" is not available on this Backgrounds Online account. Packages available: {offered}."
                    ),
                ));
            }
            Some(_) => {}
        }
        if text(&body, &["candidate", "name"]).is_none() {
            return Err(ProviderError::new(
                422,
                "invalid_candidate",
                "The candidate has no name. Add the candidate's name in Lever and order again.",
            ));
        }
        if text(&body, &["candidate", "email"]).is_none() {
            return Err(ProviderError::new(
                422,
                "invalid_candidate",
                "The candidate has no email address, so Backgrounds Online cannot invite them to submit their details. Add an email address to the candidate in Lever and order again.",
            ));
        }
        let order = Order {
            id: format!("BO-{:06}", self.orders.len() + 1),
            client_reference: reference.to_owned(),
            callback_url: callback_url.to_owned(),
            status: PENDING_SUBMISSION.into(),
            result: None,
            report_url: None,
            api_key: api_key.to_owned(),
            created_at_ms: self.clock.now_ms(),
            request: body,
        };
        self.orders.push(order.clone());
        Ok(Placed::Created(order))
    }

    /// `POST /v1/orders/{id}/cancel` for an authenticated key; returns the order's status.
    pub fn cancel(
        &mut self,
        api_key: &str,
        id: &str,
        reason: &str,
    ) -> Result<String, ProviderError> {
        let order = self
            .orders
            .iter_mut()
            .find(|o| o.id == id && o.api_key == api_key)
            .ok_or_else(|| ProviderError::not_found("order"))?;
        match order.status.as_str() {
            PENDING_SUBMISSION => {
                order.status = reason.to_owned();
                Ok(order.status.clone())
            }
            CANCELLED | EXPIRED => Ok(order.status.clone()),
            _ => Err(ProviderError::new(
                409,
                "not_cancellable",
                format!(
                    "Order {id} can no longer be cancelled: the candidate has submitted their details and the order is {}.",
                    order.status.replace('_', " ")
                ),
            )),
        }
    }

    pub fn order(&self, id: &str) -> Option<&Order> {
        self.orders.iter().find(|o| o.id == id)
    }

    /// The secret callbacks for `order` are signed with: its account's first one.
    pub fn secret_for(&self, order: &Order) -> Vec<String> {
        self.accounts
            .get(&order.api_key)
            .and_then(|a| a.secrets.first().cloned())
            .into_iter()
            .collect()
    }

    /// Record a status change; returns the updated order.
    pub fn update(
        &mut self,
        id: &str,
        status: &str,
        result: Option<String>,
        report_url: Option<String>,
    ) -> Option<Order> {
        let order = self.orders.iter_mut().find(|o| o.id == id)?;
        order.status = status.to_owned();
        order.result = result;
        order.report_url = report_url;
        Some(order.clone())
    }
}
