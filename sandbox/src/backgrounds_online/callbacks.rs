//! Status callbacks from the fake Backgrounds Online to the hub: the body of the contract,
//! signed and posted with the shared Standard Webhooks plumbing of the Alliance fake.

use serde_json::json;

pub use crate::alliance::SignedCallback;
pub(crate) use crate::alliance::callbacks::{new_webhook_id, post, unix_now};
use crate::alliance::callbacks::{rfc3339, sign_as};

use super::state::Order;

const USER_AGENT: &str = "BackgroundsOnline-Webhooks (screenhub sandbox)";

/// The callback body for `order` at `status` (`result`/`report_url` only when given).
pub(crate) fn body(
    order: &Order,
    status: &str,
    result: Option<&str>,
    report_url: Option<&str>,
    now: i64,
) -> Vec<u8> {
    let mut body = json!({
        "type": "order.status_changed",
        "order_id": order.id,
        "client_reference": order.client_reference,
        "status": status,
        "occurred_at": rfc3339(now),
    });
    if let Some(result) = result {
        body["result"] = json!(result);
    }
    if let Some(url) = report_url {
        body["report_url"] = json!(url);
    }
    body.to_string().into_bytes()
}

/// Sign `body` for `url` with `secrets` (the account's first secret, or a chosen one).
pub(crate) fn sign(
    url: &str,
    body: Vec<u8>,
    secrets: &[String],
    webhook_id: &str,
    timestamp: i64,
) -> SignedCallback {
    sign_as(USER_AGENT, url, body, secrets, webhook_id, timestamp)
}
