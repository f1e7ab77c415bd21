//! `POST /lever/webhooks/{tenant}`: Lever webhook receiver.
//!
//! Order of checks: size → tenant → envelope → signature (per-event token, one re-read on
//! failure for rotation) → freshness → decision → one transaction (order + audit + outbox +
//! delivery record). Duplicates, concurrent or not, commit nothing and get 200.
//!
//! Events acted on: `candidateStageChange` onto the tenant's trigger stage (an Alliance 2020
//! order) and `candidateDeleted` (every order of the opportunity scrubbed at once, see
//! [`crate::domain::deletion`]). Others are acknowledged without effect.

use super::hub::Hub;
use super::problem::{ApiError, Reply};
use crate::domain::effects::OutboxItem;
use crate::domain::{Integration, Order, TenantConfig, TenantId, alliance, deletion};
use crate::ports::store::{Commit, CommitError, DeliveryRecord, update_order};
use crate::webhooks::lever as sig;
use serde_json::json;
use sha2::{Digest, Sha256};
use time::OffsetDateTime;

pub const STAGE_CHANGE: &str = "candidateStageChange";
pub const CANDIDATE_DELETED: &str = "candidateDeleted";

pub async fn handle(hub: &Hub, tenant: &str, body: &[u8]) -> Reply {
    match receive(hub, tenant, body).await {
        Ok(reply) => reply,
        Err(e) => {
            tracing::info!(
                tenant,
                code = e.code(),
                status = e.status(),
                "lever webhook refused"
            );
            e.into()
        }
    }
}

async fn receive(hub: &Hub, tenant_raw: &str, body: &[u8]) -> Result<Reply, ApiError> {
    let tenant = hub.admit(tenant_raw, body).await?;
    let tenant_id = tenant.id.clone();
    let delivery = sig::parse(body).map_err(|_| ApiError::BodyMalformed)?;
    if delivery.signature.as_deref().is_none_or(str::is_empty) {
        return Err(ApiError::SignatureMissing);
    }
    let verified = hub
        .secrets
        .verify_with(&tenant_id, |s| {
            s.lever_webhook_tokens
                .get(&delivery.event)
                .is_some_and(|t| sig::verify(&delivery, t.expose().as_bytes()))
        })
        .await
        .map_err(|e| ApiError::unavailable("secrets", e))?;
    if verified.is_none() {
        return Err(ApiError::SignatureInvalid);
    }
    let now = hub.clock.now();
    let now_ms = i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX);
    let fresh = sig::is_fresh(
        delivery.triggered_at_ms,
        now_ms,
        hub.settings.lever_max_age.whole_milliseconds() as i64,
        hub.settings.max_future_skew.whole_milliseconds() as i64,
    );
    if !fresh {
        return Err(ApiError::DeliveryStale);
    }

    // Verified from here on.
    match delivery.event.as_str() {
        CANDIDATE_DELETED => {
            // Lever names the opportunity; older payloads only the candidate (the same id
            // in Lever's legacy model).
            let opportunity = ["opportunityId", "candidateId"]
                .iter()
                .find_map(|k| delivery.data.get(*k).and_then(|v| v.as_str()))
                .filter(|s| !s.is_empty())
                .ok_or(ApiError::BodyMalformed)?;
            erase_candidate(hub, &tenant_id, opportunity, now).await
        }
        STAGE_CHANGE => start_alliance_order(hub, &tenant, &delivery, now).await,
        _ => Ok(ignored("no_action_for_event")),
    }
}

/// Only stage changes onto the trigger stage start anything; the hub's own stage moves land
/// elsewhere and are acknowledged without effect.
async fn start_alliance_order(
    hub: &Hub,
    tenant: &TenantConfig,
    delivery: &sig::Delivery,
    now: OffsetDateTime,
) -> Result<Reply, ApiError> {
    let tenant_id = &tenant.id;
    let opportunity = delivery.data.get("opportunityId").and_then(|v| v.as_str());
    let to_stage = delivery.data.get("toStageId").and_then(|v| v.as_str());
    let (Some(opportunity), Some(settings)) = (opportunity, tenant.alliance.as_ref()) else {
        return Ok(ignored("no_action_for_event"));
    };
    if to_stage != Some(settings.trigger_stage_id.as_str()) {
        return Ok(ignored("not_trigger_stage"));
    }

    let order = Order::new(
        tenant_id.clone(),
        Integration::Alliance2020,
        opportunity.to_owned(),
        now,
    );
    let outbox = alliance::creation_effects(&order)
        .into_iter()
        .map(|e| OutboxItem::new(tenant_id.clone(), e, now))
        .collect();
    let key = delivery_key(
        tenant_id,
        &delivery.event,
        &delivery.triggered_at_text,
        opportunity,
        to_stage.unwrap_or(""),
    );
    let order_id = order.id;
    let commit = Commit::create(order, "lever_webhook", outbox).with_delivery(DeliveryRecord {
        key,
        expires_at: now + hub.settings.delivery_ttl,
    });
    match hub.store.commit(commit).await {
        Ok(()) => {
            tracing::info!(tenant = %tenant_id, %order_id, "order created from Lever stage change");
            crate::metrics::count("OrdersCreated", Integration::Alliance2020.as_str());
            Ok(Reply::ok(
                json!({ "status": "accepted", "order_id": order_id.to_string() }),
            ))
        }
        Err(CommitError::DuplicateDelivery) => Ok(ignored("duplicate_delivery")),
        Err(CommitError::ActiveOrderExists) => Ok(ignored("order_already_active")),
        Err(e) => Err(ApiError::unavailable("commit", e)),
    }
}

/// Every order of the opportunity gives up the candidate's data now (DESIGN §3). Idempotent
/// by state: a repeated delivery finds nothing left to remove and changes nothing.
async fn erase_candidate(
    hub: &Hub,
    tenant: &TenantId,
    opportunity: &str,
    now: OffsetDateTime,
) -> Result<Reply, ApiError> {
    let orders = hub
        .store
        .orders_of_opportunity(tenant, opportunity)
        .await
        .map_err(|e| ApiError::unavailable("orders", e))?;
    let mut scrubbed = 0;
    for order in orders {
        if scrub_order(hub, order, now).await? {
            scrubbed += 1;
        }
    }
    tracing::info!(%tenant, orders_scrubbed = scrubbed, "candidate deleted in Lever");
    if scrubbed > 0 {
        crate::metrics::count_n("OrdersScrubbed", "candidate_deleted", scrubbed);
    }
    Ok(Reply::ok(
        json!({ "status": "accepted", "orders_scrubbed": scrubbed }),
    ))
}

/// Scrub one order, re-reading it when something else changed it meanwhile.
async fn scrub_order(hub: &Hub, order: Order, now: OffsetDateTime) -> Result<bool, ApiError> {
    match update_order(
        hub.store.as_ref(),
        order,
        "lever_webhook:candidate_deleted",
        now,
        3,
        |o| deletion::on_candidate_deleted(o, now),
    )
    .await
    {
        Ok(Some(o)) => {
            tracing::info!(order_id = %o.id, "order scrubbed: candidate deleted");
            Ok(true)
        }
        Ok(None) => Ok(false),
        // Still changing under us, or the store failed: Lever retries the delivery.
        Err(e) => Err(ApiError::unavailable("commit", e)),
    }
}

/// Lever may or may not reuse `token` on retries, so duplicates are recognised by what the
/// delivery says happened, not by its token.
fn delivery_key(
    tenant: &TenantId,
    event: &str,
    triggered_at: &str,
    opp: &str,
    stage: &str,
) -> String {
    let mut h = Sha256::new();
    for part in [event, triggered_at, opp, stage] {
        h.update(part.as_bytes());
        h.update([0u8]);
    }
    format!("lever:{tenant}:{}", hex::encode(h.finalize()))
}

fn ignored(reason: &str) -> Reply {
    Reply::ok(json!({ "status": "ignored", "reason": reason }))
}
