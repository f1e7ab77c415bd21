//! Status postbacks from the fake Accurate to the hub: the body of our contract
//! (docs/providers/accurate.md), signed and posted with the shared Standard Webhooks
//! plumbing of the Alliance fake.

use serde_json::json;

pub use crate::alliance::SignedCallback;
pub(crate) use crate::alliance::callbacks::{new_webhook_id, post, unix_now};
use crate::alliance::callbacks::{rfc3339, sign_as};

use super::state::{COMPLETED, IN_PROGRESS, Order};

const USER_AGENT: &str = "Accurate-Postback (screenhub sandbox)";

/// The postback body for `order` reporting `status` (its percentage while in progress, its
/// adjudication and report link once completed).
pub(crate) fn body(order: &Order, status: &str, now: i64) -> Vec<u8> {
    let mut body = json!({
        "type": "order.status",
        "orderId": order.id,
        "clientReference": order.client_reference,
        "status": status,
        "occurredAt": rfc3339(now),
    });
    if status == IN_PROGRESS {
        body["percentComplete"] = json!(order.percent_complete);
    }
    if let Some(a) = order
        .adjudication
        .as_ref()
        .filter(|_| status == IN_PROGRESS || status == COMPLETED)
    {
        body["adjudication"] = json!(a);
    }
    if let Some(url) = order.report_url.as_ref().filter(|_| status == COMPLETED) {
        body["reportUrl"] = json!(url);
    }
    body.to_string().into_bytes()
}

/// Sign `body` for `url` with `secrets`.
pub(crate) fn sign(
    url: &str,
    body: Vec<u8>,
    secrets: &[String],
    webhook_id: &str,
    timestamp: i64,
) -> SignedCallback {
    sign_as(USER_AGENT, url, body, secrets, webhook_id, timestamp)
}
