//! `POST /callbacks/alliance2020/{tenant}`: Alliance 2020 status callbacks
//! (Standard Webhooks signature with the tenant's callback secrets; two during rotation).

use super::hub::Hub;
use super::problem::{ApiError, Reply};
use super::provider_callback::{self, refused};
use crate::domain::alliance::{self, ProviderStatus, ProviderUpdate};
use crate::domain::{Integration, ScreeningResult};
use http::HeaderMap;
use serde::Deserialize;

#[derive(Deserialize)]
struct Callback {
    order_id: String,
    #[serde(default)]
    client_reference: Option<String>,
    status: ProviderStatus,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    result: Option<ScreeningResult>,
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
    const INTEGRATION: Integration = Integration::Alliance2020;
    let verified = provider_callback::verify(hub, INTEGRATION, tenant, headers, body).await?;
    let cb: Callback = serde_json::from_slice(body).map_err(|_| ApiError::BodyMalformed)?;
    let update = ProviderUpdate {
        status: cb.status,
        result: cb.result,
        reason: cb.reason,
    };
    let now = hub.clock.now();
    provider_callback::apply(
        hub,
        INTEGRATION,
        &verified,
        &cb.order_id,
        cb.client_reference.as_deref(),
        |order| alliance::apply_update(order, &update, now).into_change(),
    )
    .await
}
