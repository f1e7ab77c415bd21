//! The fake Paylocity's state: OAuth clients and tokens, companies' onboarding and packages,
//! the partner's order subscription, and every order with its status and service history.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::SandboxClock;

/// Paylocity's 18 order statuses (facts/vendors-and-aws.md §1.5).
pub const ORDER_STATUSES: [&str; 18] = [
    "Ordered",
    "WaitingOnCandidate",
    "InProgress",
    "Hold",
    "Complete",
    "CompleteWithCancelled",
    "Cancelled",
    "CompleteNeedsReview",
    "CompleteNotEligible",
    "Suspended",
    "Resumed",
    "CompleteDisputed",
    "InvitationExpired",
    "InvitationCancelled",
    "PreAdverseActionSent",
    "AdverseActionCancelled",
    "Dispute",
    "AdverseActionSent",
];

/// Paylocity's 9 service statuses.
pub const SERVICE_STATUSES: [&str; 9] = [
    "Pending",
    "InProgress",
    "Completed",
    "Cancelled",
    "NeedsReview",
    "NotEligible",
    "Suspended",
    "Disputed",
    "Expired",
];

/// One accepted status PATCH, as received.
#[derive(Clone, Debug, PartialEq)]
pub struct StatusUpdate {
    pub old_status: Option<String>,
    pub new_status: Option<String>,
    pub services: Vec<Value>,
    pub report_documents: Vec<String>,
}

/// An order Paylocity sent to the partner.
#[derive(Clone, Debug, PartialEq)]
pub struct Order {
    pub id: String,
    pub company_id: String,
    pub package_id: String,
    /// Paylocity's current status (`Ordered` until the partner says otherwise).
    pub status: String,
    pub services: BTreeMap<String, String>,
    /// Every accepted PATCH, oldest first.
    pub history: Vec<StatusUpdate>,
    /// The body Paylocity sent the partner (re-sent as is for a duplicate delivery).
    pub sent: Value,
}

/// The partner's registered new-order webhook.
#[derive(Clone, Debug, PartialEq)]
pub struct Subscription {
    pub callback_id: String,
    pub api_key: Option<String>,
    pub success_url: String,
    pub error_url: Option<String>,
    pub caller_name: String,
}

#[derive(Default)]
pub(crate) struct PaylocityState {
    pub(crate) clients: BTreeMap<String, String>,
    /// token → (client id, expiry in ms).
    pub(crate) tokens: BTreeMap<String, (String, i64)>,
    pub(crate) token_ttl_secs: i64,
    pub(crate) onboarding: BTreeMap<String, String>,
    pub(crate) packages: BTreeMap<String, BTreeMap<String, Value>>,
    pub(crate) subscription: Option<Subscription>,
    pub(crate) orders: BTreeMap<String, Order>,
    pub(crate) clock: SandboxClock,
}

/// Why a request is refused: HTTP status and a message.
pub(crate) type Refused = (u16, String);

fn bad(message: impl Into<String>) -> Refused {
    (400, message.into())
}

impl PaylocityState {
    pub(crate) fn issue_token(&mut self, client_id: &str, secret: &str) -> Option<(String, i64)> {
        if self.clients.get(client_id).is_none_or(|s| s != secret) {
            return None;
        }
        let token = uuid::Uuid::new_v4().simple().to_string();
        let ttl = if self.token_ttl_secs > 0 {
            self.token_ttl_secs
        } else {
            3600
        };
        let expires = self.clock.now_ms() + ttl * 1000;
        self.tokens
            .insert(token.clone(), (client_id.to_owned(), expires));
        Some((token, ttl))
    }

    pub(crate) fn token_valid(&self, token: &str) -> bool {
        self.tokens
            .get(token)
            .is_some_and(|(_, expires)| self.clock.now_ms() < *expires)
    }

    /// Linear onboarding: InProgress → Approved → Suspended (Rejected from InProgress); an
    /// approved client never goes back, a suspended one needs Paylocity's support.
    pub(crate) fn set_onboarding(&mut self, company: &str, status: &str) -> Result<(), Refused> {
        let current = self.onboarding.get(company).map(String::as_str);
        let allowed = matches!(
            (current, status),
            (None, "InProgress")
                | (Some("InProgress"), "Approved" | "Rejected" | "InProgress")
                | (Some("Approved"), "Suspended" | "Approved")
        );
        if !["InProgress", "Approved", "Rejected", "Suspended"].contains(&status) {
            return Err(bad(format!("unknown onboarding status {status}")));
        }
        if !allowed {
            return Err(bad(format!(
                "onboarding cannot move from {} to {status}",
                current.unwrap_or("nothing")
            )));
        }
        self.onboarding
            .insert(company.to_owned(), status.to_owned());
        Ok(())
    }

    /// Upsert packages, with the documented field limits.
    pub(crate) fn upsert_packages(&mut self, company: &str, body: &Value) -> Result<(), Refused> {
        let packages = body
            .get("packages")
            .and_then(Value::as_array)
            .ok_or_else(|| bad("packages must be a list"))?;
        let within = |v: &Value, key: &str, max: usize, required: bool| -> Result<(), Refused> {
            match v.get(key).and_then(Value::as_str) {
                Some(s) if s.chars().count() <= max => Ok(()),
                Some(_) => Err(bad(format!("{key} longer than {max}"))),
                None if required => Err(bad(format!("{key} is required"))),
                None => Ok(()),
            }
        };
        for p in packages {
            within(p, "packageId", 36, true)?;
            within(p, "packageName", 250, true)?;
            within(p, "packageSummary", 250, false)?;
            for s in p
                .get("services")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                within(s, "serviceName", 50, true)?;
                within(s, "serviceSummary", 250, false)?;
            }
        }
        let listed = self.packages.entry(company.to_owned()).or_default();
        for p in packages {
            let id = p["packageId"].as_str().unwrap_or_default().to_owned();
            listed.insert(id, p.clone());
        }
        Ok(())
    }

    /// Apply a status PATCH: `oldStatus` must be the order's current status, every status one
    /// of Paylocity's, every service's `oldStatus` its current one (none for a new service).
    pub(crate) fn patch_status(&mut self, company: &str, body: &Value) -> Result<(), Refused> {
        let id = body
            .get("candidateScreeningOrderId")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("candidateScreeningOrderId is required"))?;
        let order = self
            .orders
            .get_mut(id)
            .filter(|o| o.company_id == company)
            .ok_or_else(|| bad(format!("unknown candidateScreeningOrderId {id}")))?;
        let status_of =
            |key: &str, v: &Value, allowed: &[&str]| -> Result<Option<String>, Refused> {
                match v.get(key) {
                    None | Some(Value::Null) => Ok(None),
                    Some(Value::String(s)) if allowed.contains(&s.as_str()) => Ok(Some(s.clone())),
                    Some(other) => Err(bad(format!("{key}: {other} is not a valid status"))),
                }
            };
        let old = status_of("oldStatus", body, &ORDER_STATUSES)?;
        let new = status_of("newStatus", body, &ORDER_STATUSES)?;
        if old.as_deref().unwrap_or("Ordered") != order.status {
            return Err(bad(format!(
                "oldStatus {} does not match the order's status {}",
                old.as_deref().unwrap_or("null"),
                order.status
            )));
        }
        let services: Vec<Value> = body
            .get("services")
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut next_services = order.services.clone();
        for s in &services {
            let name = s
                .get("serviceName")
                .and_then(Value::as_str)
                .filter(|n| !n.is_empty() && n.chars().count() <= 50)
                .ok_or_else(|| bad("serviceName is required (at most 50 characters)"))?;
            if s.get("note")
                .and_then(Value::as_str)
                .is_some_and(|n| n.chars().count() > 250)
            {
                return Err(bad("note longer than 250"));
            }
            let s_old = status_of("oldStatus", s, &SERVICE_STATUSES)?;
            let s_new = status_of("newStatus", s, &SERVICE_STATUSES)?;
            if s_old.as_ref() != order.services.get(name) {
                return Err(bad(format!(
                    "service {name}: oldStatus does not match its status"
                )));
            }
            if let Some(s_new) = s_new {
                next_services.insert(name.to_owned(), s_new);
            }
        }
        let reports: Vec<String> = body
            .get("screeningReportDocuments")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|d| d.as_str().map(str::to_owned))
            .collect();
        if let Some(new) = &new {
            order.status = new.clone();
        }
        order.services = next_services;
        order.history.push(StatusUpdate {
            old_status: old,
            new_status: new,
            services,
            report_documents: reports,
        });
        Ok(())
    }
}
