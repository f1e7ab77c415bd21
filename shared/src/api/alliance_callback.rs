//! `POST /callbacks/alliance2020/{tenant}`: Alliance 2020 status callbacks
//! (Standard Webhooks signature with the tenant's callback secrets; two during rotation).

use super::hub::Hub;
use super::problem::{ApiError, Reply};
use crate::domain::alliance::{self, ProviderStatus, ProviderUpdate, UpdateDecision};
use crate::domain::effects::OutboxItem;
use crate::domain::ids::OrderId;
use crate::domain::{Integration, Order, ScreeningResult, TenantId};
use crate::ports::store::{Commit, CommitError, DeliveryRecord};
use crate::webhooks::standard::{self, SignedHeaders, VerifyError};
use http::HeaderMap;
use serde::Deserialize;
use serde_json::json;

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
    match receive(hub, tenant, headers, body).await {
        Ok(reply) => reply,
        Err(e) => {
            tracing::info!(
                tenant,
                code = e.code(),
                status = e.status(),
                "provider callback refused"
            );
            e.into()
        }
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

async fn receive(
    hub: &Hub,
    tenant_raw: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Reply, ApiError> {
    if body.len() > hub.settings.max_body_bytes {
        return Err(ApiError::BodyTooLarge {
            limit: hub.settings.max_body_bytes,
        });
    }
    let tenant_id = TenantId::parse(tenant_raw).map_err(|_| ApiError::TenantUnknown)?;
    let tenant = hub
        .store
        .get_tenant(&tenant_id)
        .await
        .map_err(|e| unavailable("tenant", e))?
        .filter(|t| t.alliance.is_some())
        .ok_or(ApiError::TenantUnknown)?;
    let signed = SignedHeaders {
        id: header(headers, "webhook-id"),
        timestamp: header(headers, "webhook-timestamp"),
        signature: header(headers, "webhook-signature"),
    };
    if signed.id.is_none() || signed.timestamp.is_none() || signed.signature.is_none() {
        return Err(ApiError::SignatureMissing);
    }
    let now = hub.clock.now();
    let tolerance = hub.settings.callback_tolerance.whole_seconds();
    let check = |secrets: &crate::ports::TenantSecrets| {
        let Some(a) = &secrets.alliance else {
            return Err(VerifyError::Invalid);
        };
        let keys: Vec<&str> = a.callback_secrets.iter().map(|s| s.expose()).collect();
        standard::verify(&keys, &signed, body, now.unix_timestamp(), tolerance)
    };
    // Stale is decided only after a signature matched; a non-match triggers one re-read.
    let verified = hub
        .secrets
        .verify_with(&tenant_id, |s| {
            !matches!(check(s), Err(VerifyError::Invalid | VerifyError::Missing))
        })
        .await
        .map_err(|e| unavailable("secrets", e))?
        .ok_or(ApiError::SignatureInvalid)?;
    if check(&verified) == Err(VerifyError::Stale) {
        return Err(ApiError::DeliveryStale);
    }
    let message_id = signed.id.unwrap_or_default();
    let cb: Callback = serde_json::from_slice(body).map_err(|_| ApiError::BodyMalformed)?;

    let update = ProviderUpdate {
        status: cb.status,
        provider_ref: cb.order_id.clone(),
        result: cb.result,
        reason: cb.reason,
    };
    // Optimistic concurrency: re-read and re-decide when another writer got there first.
    for _ in 0..5 {
        let order = find_order(
            hub,
            &tenant.id,
            &cb.order_id,
            cb.client_reference.as_deref(),
        )
        .await?;
        let UpdateDecision::Apply(next, effects) = alliance::apply_update(&order, &update, now)
        else {
            return Ok(Reply::ok(
                json!({ "status": "ignored", "reason": "not_forward" }),
            ));
        };
        let outbox = effects
            .into_iter()
            .map(|e| OutboxItem::new(tenant_id.clone(), e, now))
            .collect();
        let to = next.status;
        let commit = Commit::update(
            &order,
            *next,
            &format!("provider_callback:{message_id}"),
            outbox,
        )
        .with_delivery(DeliveryRecord {
            key: format!("alliance2020:{tenant_id}:{message_id}"),
            expires_at: now + hub.settings.delivery_ttl,
        });
        match hub.store.commit(commit).await {
            Ok(()) => {
                tracing::info!(tenant = %tenant_id, order_id = %order.id, status = to.as_str(), "order updated by provider");
                return Ok(Reply::ok(
                    json!({ "status": "accepted", "order_status": to.as_str() }),
                ));
            }
            Err(CommitError::DuplicateDelivery) => {
                return Ok(Reply::ok(
                    json!({ "status": "ignored", "reason": "duplicate_delivery" }),
                ));
            }
            Err(CommitError::VersionConflict) => continue,
            Err(e) => return Err(unavailable("commit", e)),
        }
    }
    Err(ApiError::Unavailable)
}

/// The order this callback is about, only if it belongs to the signing tenant.
async fn find_order(
    hub: &Hub,
    tenant: &TenantId,
    provider_ref: &str,
    client_ref: Option<&str>,
) -> Result<Order, ApiError> {
    let by_id = match client_ref.and_then(OrderId::parse) {
        Some(id) => hub
            .store
            .get_order(id)
            .await
            .map_err(|e| unavailable("order", e))?,
        None => None,
    };
    let order = match by_id {
        Some(o) => Some(o),
        None => hub
            .store
            .find_by_provider_ref(Integration::Alliance2020, provider_ref)
            .await
            .map_err(|e| unavailable("order", e))?,
    };
    order
        .filter(|o| &o.tenant == tenant && o.integration == Integration::Alliance2020)
        .filter(|o| o.provider_ref.as_deref().is_none_or(|r| r == provider_ref))
        .ok_or(ApiError::OrderUnknown)
}

fn unavailable(what: &str, e: impl std::fmt::Display) -> ApiError {
    tracing::error!(what, error = %e, "dependency failed");
    ApiError::Unavailable
}
