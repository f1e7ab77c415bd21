//! Accurate accounts, requesters, candidates and orders: validation, idempotency and cancel
//! rules, no I/O.

use std::collections::HashMap;

use serde_json::{Value, json};

use super::callbacks::SignedCallback;
use crate::provider::ProviderError;
use crate::server::text;

/// Order statuses of the contract (docs/providers/accurate.md).
pub const INVITATION_SENT: &str = "INVITATION_SENT";
pub const IN_PROGRESS: &str = "IN_PROGRESS";
pub const COMPLETED: &str = "COMPLETED";
pub const CANCELLED: &str = "CANCELLED";

/// Adjudications of a completed order.
pub const ADJUDICATIONS: [&str; 3] = ["ELIGIBLE", "REVIEW", "NOT_ELIGIBLE"];

/// A candidate as the fake holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// `CAND-000001`, …
    pub id: String,
    /// The JSON body of the `POST /v3/candidate` that created it, exactly as received.
    pub request: Value,
    pub api_key: String,
}

/// An order as the fake holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct Order {
    /// `ACC-000001`, `ACC-000002`, …
    pub id: String,
    pub client_reference: String,
    pub candidate_id: String,
    /// The JSON body of the `POST /v3/order` that created it, exactly as received.
    pub request: Value,
    /// `INVITATION_SENT | IN_PROGRESS | COMPLETED | CANCELLED`.
    pub status: String,
    pub percent_complete: u8,
    /// `ELIGIBLE | REVIEW | NOT_ELIGIBLE` once adjudicated.
    pub adjudication: Option<String>,
    /// `{base}/sandbox/reports/{id}` once completed.
    pub report_url: Option<String>,
    pub postback_url: String,
    /// The Basic user name (API key) the order was placed with.
    pub api_key: String,
    pub created_at_ms: i64,
}

impl Order {
    pub(crate) fn render(&self) -> Value {
        let r = &self.request;
        json!({
            "id": self.id,
            "clientReference": self.client_reference,
            "candidateId": self.candidate_id,
            "status": self.status,
            "percentComplete": self.percent_complete,
            "adjudication": self.adjudication,
            "reportUrl": self.report_url,
            "packageType": r.get("packageType"),
            "workflow": r.get("workflow"),
            "jobLocation": r.get("jobLocation"),
        })
    }
}

/// One callback POSTed to the hub, kept whole so it can be re-sent unchanged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentCallback {
    pub order_id: Option<String>,
    pub callback: SignedCallback,
    /// The hub's HTTP status; 0 when there was no response.
    pub delivered_status: u16,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Account {
    pub password: String,
    /// Postbacks are signed with the first one.
    pub secrets: Vec<String>,
    pub packages: Vec<String>,
    /// Users of the account who may order (lower-cased emails).
    pub requesters: Vec<String>,
}

#[derive(Default)]
pub(crate) struct AccurateState {
    pub accounts: HashMap<String, Account>,
    pub candidates: Vec<Candidate>,
    pub orders: Vec<Order>,
    pub callbacks: Vec<SentCallback>,
    pub clock_skew: i64,
    pub clock: crate::server::SandboxClock,
    /// Postbacks are not sent (an account without postbacks: the hub must read the status).
    pub postbacks_off: bool,
}

/// Outcome of `POST /v3/order`.
pub(crate) enum Placed {
    Created(Order),
    Existing(Order),
}

fn invalid(code: &'static str, message: impl Into<String>) -> ProviderError {
    ProviderError::unprocessable(code, message)
}

impl AccurateState {
    /// Whether `user`/`password` are an account's HTTP Basic credentials.
    pub fn authenticates(&self, user: &str, password: &str) -> bool {
        self.accounts
            .get(user)
            .is_some_and(|a| a.password == password)
    }

    pub fn account(&self, api_key: &str) -> Result<&Account, ProviderError> {
        self.accounts
            .get(api_key)
            .ok_or_else(ProviderError::unauthorized)
    }

    pub fn has_requester(&self, api_key: &str, email: &str) -> bool {
        let email = email.trim().to_ascii_lowercase();
        self.accounts
            .get(api_key)
            .is_some_and(|a| a.requesters.contains(&email))
    }

    /// `POST /v3/candidate`.
    pub fn create_candidate(
        &mut self,
        api_key: &str,
        body: Value,
    ) -> Result<Candidate, ProviderError> {
        for field in ["firstName", "lastName", "email"] {
            if text(&body, &[field]).is_none() {
                return Err(invalid(
                    "invalid_candidate",
                    format!("The candidate's {field} is required."),
                ));
            }
        }
        let candidate = Candidate {
            id: format!("CAND-{:06}", self.candidates.len() + 1),
            request: body,
            api_key: api_key.to_owned(),
        };
        self.candidates.push(candidate.clone());
        Ok(candidate)
    }

    pub fn candidate(&self, api_key: &str, id: &str) -> Option<&Candidate> {
        self.candidates
            .iter()
            .find(|c| c.id == id && c.api_key == api_key)
    }

    /// `POST /v3/order`: idempotent on `clientReference` per account.
    pub fn place(&mut self, api_key: &str, body: Value) -> Result<Placed, ProviderError> {
        let reference = text(&body, &["clientReference"])
            .ok_or_else(|| ProviderError::bad_request("clientReference is required"))?;
        if let Some(existing) = self
            .orders
            .iter()
            .find(|o| o.api_key == api_key && o.client_reference == reference)
        {
            return Ok(Placed::Existing(existing.clone()));
        }
        let postback_url = text(&body, &["postbackUrl"])
            .ok_or_else(|| ProviderError::bad_request("postbackUrl is required"))?;
        let account = self.account(api_key)?;
        let offered = account.packages.join(", ");
        match text(&body, &["packageType"]) {
            Some(p) if account.packages.iter().any(|k| k == p) => {}
            Some(p) => {
                return Err(invalid(
                    "unknown_package",
                    format!(
                        "The package type \"{p}\" is not available on this Accurate account. Packages available: {offered}."
                    ),
                ));
            }
            None => {
                return Err(invalid(
                    "unknown_package",
                    format!("No packageType was given. Packages available: {offered}."),
                ));
            }
        }
        if !matches!(text(&body, &["workflow"]), Some("INTERACTIVE" | "EXPRESS")) {
            return Err(invalid(
                "invalid_workflow",
                "workflow must be INTERACTIVE or EXPRESS.",
            ));
        }
        if text(&body, &["jobLocation", "city"]).is_none()
            || text(&body, &["jobLocation", "country"]).is_none_or(|c| c.len() != 2)
        {
            return Err(invalid(
                "invalid_job_location",
                "jobLocation needs a city and a two-letter country.",
            ));
        }
        let candidate_id = text(&body, &["candidateId"]).unwrap_or_default();
        if self.candidate(api_key, candidate_id).is_none() {
            return Err(invalid(
                "invalid_candidate",
                "The candidate does not exist on this account.",
            ));
        }
        let order = Order {
            id: format!("ACC-{:06}", self.orders.len() + 1),
            client_reference: reference.to_owned(),
            candidate_id: candidate_id.to_owned(),
            status: INVITATION_SENT.into(),
            percent_complete: 0,
            adjudication: None,
            report_url: None,
            postback_url: postback_url.to_owned(),
            api_key: api_key.to_owned(),
            created_at_ms: self.clock.now_ms(),
            request: body,
        };
        self.orders.push(order.clone());
        Ok(Placed::Created(order))
    }

    /// `POST /v3/order/{id}/cancel`: the order's status (idempotent; 409 once the candidate
    /// has submitted).
    pub fn cancel(&mut self, api_key: &str, id: &str) -> Result<String, ProviderError> {
        let order = self
            .orders
            .iter_mut()
            .find(|o| o.id == id && o.api_key == api_key)
            .ok_or_else(|| ProviderError::not_found("order"))?;
        match order.status.as_str() {
            INVITATION_SENT | CANCELLED => {
                order.status = CANCELLED.into();
                Ok(order.status.clone())
            }
            other => Err(ProviderError::new(
                409,
                "not_cancellable",
                format!("Order {id} can no longer be cancelled: it is {other}."),
            )),
        }
    }

    pub fn order(&self, id: &str) -> Option<&Order> {
        self.orders.iter().find(|o| o.id == id)
    }

    /// The secret postbacks for `order` are signed with: its account's first one.
    pub fn secret_for(&self, order: &Order) -> Vec<String> {
        self.accounts
            .get(&order.api_key)
            .and_then(|a| a.secrets.first().cloned())
            .into_iter()
            .collect()
    }

    /// Apply `f` to an order; returns it updated.
    pub fn update(&mut self, id: &str, f: impl FnOnce(&mut Order)) -> Option<Order> {
        let order = self.orders.iter_mut().find(|o| o.id == id)?;
        f(order);
        Some(order.clone())
    }
}
