//! Standard-Webhooks-signed status callbacks from the fake provider to the hub.

use crate::server::SandboxClock;

use serde_json::{Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::state::Order;
use crate::server::status_or_zero;
use crate::signing::standard_webhooks_header;

/// A callback built (and signed) but not yet sent: replay it, duplicate it, reorder it, or
/// tamper with `body`/`headers` to forge it, then [`send`](super::FakeAlliance::send) it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedCallback {
    pub url: String,
    /// `content-type`, `user-agent`, `webhook-id`, `webhook-timestamp`, `webhook-signature`.
    pub headers: Vec<(String, String)>,
    /// The exact bytes that were signed.
    pub body: Vec<u8>,
}

impl SignedCallback {
    /// The first header with this (case-insensitive) name.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON (`Null` if it no longer parses).
    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

/// Unix seconds from the fake's clock plus `skew`.
pub(crate) fn unix_now(clock: &SandboxClock, skew: i64) -> i64 {
    clock.unix().saturating_add(skew)
}

pub(crate) fn rfc3339(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_default()
}

/// The callback body for `order` moving to `status`.
pub(crate) fn body(
    order: &Order,
    status: &str,
    result: Option<Value>,
    reason: Option<String>,
    now: i64,
) -> Vec<u8> {
    let mut body = json!({
        "type": "order.status_changed",
        "order_id": order.id,
        "client_reference": order.client_reference,
        "status": status,
        "occurred_at": rfc3339(now),
    });
    if let Some(reason) = reason {
        body["reason"] = json!(reason);
    }
    if let Some(result) = result {
        body["result"] = result;
    }
    if !order.services.is_empty() {
        body["services"] = json!(order.services);
    }
    body.to_string().into_bytes()
}

pub(crate) fn new_webhook_id() -> String {
    format!("msg_{}", uuid::Uuid::new_v4().simple())
}

/// Sign `body` for `url` with every secret.
pub(crate) fn sign(
    url: &str,
    body: Vec<u8>,
    secrets: &[String],
    webhook_id: &str,
    timestamp: i64,
) -> SignedCallback {
    sign_as(
        "Alliance2020-Webhooks (screenhub sandbox)",
        url,
        body,
        secrets,
        webhook_id,
        timestamp,
    )
}

/// Sign `body` for `url` with every secret, sent with this `user-agent`.
pub(crate) fn sign_as(
    user_agent: &str,
    url: &str,
    body: Vec<u8>,
    secrets: &[String],
    webhook_id: &str,
    timestamp: i64,
) -> SignedCallback {
    let signature = standard_webhooks_header(secrets, webhook_id, timestamp, &body);
    SignedCallback {
        url: url.to_owned(),
        headers: vec![
            ("content-type".into(), "application/json".into()),
            ("user-agent".into(), user_agent.to_owned()),
            ("webhook-id".into(), webhook_id.to_owned()),
            ("webhook-timestamp".into(), timestamp.to_string()),
            ("webhook-signature".into(), signature),
        ],
        body,
    }
}

/// POST a signed callback; the hub's status, or 0 without a response.
pub(crate) async fn post(client: &reqwest::Client, callback: &SignedCallback) -> u16 {
    let mut req = client.post(&callback.url).body(callback.body.clone());
    for (name, value) in &callback.headers {
        req = req.header(name.as_str(), value.as_str());
    }
    status_or_zero(req.send().await)
}
