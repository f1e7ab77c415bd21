//! `POST /callbacks/alliance2020/{tenant}`: Alliance 2020 status callbacks
//! (Standard Webhooks signature with the tenant's callback secrets; two during rotation).

use super::hub::Hub;
use super::problem::Reply;
use super::provider_callback::{self, Target};
use crate::domain::providers::alliance::{self, ProviderStatus, ProviderUpdate};
use crate::domain::{Integration, Order, ScreeningResult};
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
    provider_callback::handle(
        hub,
        Integration::Alliance2020,
        tenant,
        headers,
        body,
        |cb: Callback, now| {
            let update = ProviderUpdate {
                status: cb.status,
                result: cb.result,
                reason: cb.reason,
            };
            Ok(Target {
                provider_ref: cb.order_id,
                client_reference: cb.client_reference,
                decide: move |order: &Order| alliance::apply_update(order, &update, now),
            })
        },
    )
    .await
}
