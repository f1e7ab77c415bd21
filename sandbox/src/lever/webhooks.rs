//! Outbound Lever webhook deliveries: envelope, signing, POST, optional retries.

use std::time::Duration;

use serde_json::{Value, json};

use super::Inner;
use super::model::DeliveryResult;
use crate::server::{lock, status_or_zero};
use crate::signing::{lever_signature, random_hex};

/// Extra attempts after a failed delivery when retries are on ("five times" per Lever).
const RETRIES: u32 = 5;

/// Build a signed envelope `{id?, event, triggeredAt, data, token, signature}` with a fresh
/// random 48-char `token`.
pub(crate) fn envelope(
    event: &str,
    data: Value,
    signature_token: &str,
    triggered_at_ms: i64,
    include_id: bool,
) -> Value {
    let token = random_hex(48);
    let signature = lever_signature(signature_token, &token, triggered_at_ms);
    let mut body = json!({
        "triggeredAt": triggered_at_ms,
        "event": event,
        "data": data,
        "signature": signature,
        "token": token,
    });
    if include_id {
        body["id"] = json!(uuid::Uuid::new_v4().to_string());
    }
    body
}

/// One POST as Lever sends it; the status, or 0 without a response.
pub(crate) async fn post(client: &reqwest::Client, url: &str, body: &Value) -> u16 {
    let result = client
        .post(url)
        .header("User-Agent", "Lever-Webhooks")
        .header("Content-Type", "application/json")
        .body(body.to_string())
        .send()
        .await;
    status_or_zero(result)
}

fn is_success(status: u16) -> bool {
    (200..300).contains(&status)
}

/// Deliver one envelope (retrying if enabled: same body each time, growing gaps), record it.
pub(crate) async fn deliver(inner: &Inner, url: &str, event: &str, body: Value) -> DeliveryResult {
    let retries = lock(&inner.state).retries;
    let mut attempts = 1;
    let mut status = post(&inner.http, url, &body).await;
    while retries && !is_success(status) && attempts <= RETRIES {
        tokio::time::sleep(Duration::from_millis(20 << (attempts - 1))).await;
        attempts += 1;
        status = post(&inner.http, url, &body).await;
    }
    let result = DeliveryResult {
        url: url.to_owned(),
        status,
        attempts,
        event: event.to_owned(),
        body,
    };
    let count = {
        let mut state = lock(&inner.state);
        state.deliveries.push(result.clone());
        state.deliveries.len()
    };
    inner.delivered.send_replace(count);
    result
}

/// Notify every subscriber of `event` (filtered by origin conditions), one signed envelope
/// per webhook with that webhook's own signature token.
pub(crate) async fn fire(
    inner: &Inner,
    event: &str,
    data: Value,
    origin: Option<&str>,
) -> Vec<DeliveryResult> {
    let (hooks, include_id, triggered_at) = {
        let state = lock(&inner.state);
        (
            state.subscribers(event, origin),
            state.include_event_id,
            state.now_ms(),
        )
    };
    let mut results = Vec::with_capacity(hooks.len());
    for hook in hooks {
        let body = envelope(
            event,
            data.clone(),
            &hook.signature_token,
            triggered_at,
            include_id,
        );
        results.push(deliver(inner, &hook.url, event, body).await);
    }
    results
}
