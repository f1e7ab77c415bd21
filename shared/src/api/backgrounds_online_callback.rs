//! `POST /callbacks/backgrounds-online/{tenant}`: Backgrounds Online status callbacks
//! (docs/providers/backgrounds-online.md; Standard Webhooks, two secrets during rotation).

use super::hub::Hub;
use super::problem::{ApiError, Reply};
use super::provider_callback::{self, refused};
use crate::domain::Integration;
use crate::domain::backgrounds_online::{self, ProviderUpdate};
use http::HeaderMap;
use serde::Deserialize;

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Status {
    InProcess,
    Complete,
    Cancelled,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Outcome {
    Clear,
    Review,
}

#[derive(Deserialize)]
struct Callback {
    order_id: String,
    #[serde(default)]
    client_reference: Option<String>,
    status: Status,
    #[serde(default)]
    result: Option<Outcome>,
    #[serde(default)]
    report_url: Option<String>,
}

pub async fn handle(hub: &Hub, tenant: &str, headers: &HeaderMap, body: &[u8]) -> Reply {
    receive(hub, tenant, headers, body)
        .await
        .unwrap_or_else(|e| refused(tenant, e))
}

async fn receive(
    hub: &Hub,
    tenant: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Reply, ApiError> {
    const INTEGRATION: Integration = Integration::BackgroundsOnline;
    let verified = provider_callback::verify(hub, INTEGRATION, tenant, headers, body).await?;
    let cb: Callback = serde_json::from_slice(body).map_err(|_| ApiError::BodyMalformed)?;
    let update = match (cb.status, cb.result) {
        (Status::InProcess, _) => ProviderUpdate::InProcess,
        (Status::Complete, Some(outcome)) => ProviderUpdate::Complete {
            clear: outcome == Outcome::Clear,
        },
        // A completion without its result cannot be rendered: refuse it, change nothing.
        (Status::Complete, None) => return Err(ApiError::BodyMalformed),
        (Status::Cancelled, _) => ProviderUpdate::Cancelled,
    };
    let now = hub.clock.now();
    provider_callback::apply(
        hub,
        INTEGRATION,
        &verified,
        &cb.order_id,
        cb.client_reference.as_deref(),
        |order| {
            backgrounds_online::apply_update(order, update, cb.report_url.clone(), now)
                .into_change()
        },
    )
    .await
}
