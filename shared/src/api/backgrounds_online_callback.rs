//! `POST /callbacks/backgrounds-online/{tenant}`: Backgrounds Online status callbacks
//! (docs/providers/backgrounds-online.md; Standard Webhooks, two secrets during rotation).

use super::hub::Hub;
use super::problem::{ApiError, Reply};
use super::provider_callback::{self, Target};
use crate::domain::providers::backgrounds_online::{self, ProviderUpdate};
use crate::domain::{Integration, Order};
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
    provider_callback::handle(
        hub,
        Integration::BackgroundsOnline,
        tenant,
        headers,
        body,
        |cb: Callback, now| {
            let update = match (cb.status, cb.result) {
                (Status::InProcess, _) => ProviderUpdate::InProcess,
                (Status::Complete, Some(outcome)) => ProviderUpdate::Complete {
                    clear: outcome == Outcome::Clear,
                },
                // A completion without its result cannot be rendered: refuse it, change
                // nothing.
                (Status::Complete, None) => return Err(ApiError::BodyMalformed),
                (Status::Cancelled, _) => ProviderUpdate::Cancelled,
            };
            let report_url = cb.report_url;
            Ok(Target {
                provider_ref: cb.order_id,
                client_reference: cb.client_reference,
                decide: move |order: &Order| {
                    backgrounds_online::apply_update(order, update, report_url.clone(), now)
                },
            })
        },
    )
    .await
}
