//! `POST /lever/webhooks/{tenant}`: Lever webhook receiver.
//!
//! Order of checks: size → tenant → envelope → signature (per-event token, at most one
//! throttled re-read on failure, for rotation) → freshness → ids → one write that records the
//! delivery's token together with whatever the delivery decides.
//!
//! Lever signs only `token + triggeredAt` (facts/lever.md §1.4), so:
//! - a token is single-use per tenant and event: a second use with a byte-identical body is an
//!   acknowledged duplicate, with any other body it is refused (`409 token-reused`);
//! - what `data` claims is not acted on until Lever's API confirms it: a stage change opens an
//!   order that records the claimed move, and the dispatcher places it only when Lever's
//!   `stageChanges` show that move; a deletion queues a check, and only Lever answering that
//!   the opportunity is gone scrubs anything.
//!
//! Events acted on: `candidateStageChange` onto the stage of one of the tenant's
//! `lever_stage` routes (an order on that route, from its provider) and `candidateDeleted`.
//! Others are acknowledged without effect.

use super::hub::Hub;
use super::problem::{ApiError, Reply};
use crate::config::{Route, TenantConfig, Trigger};
use crate::domain::TenantId;
use crate::domain::effects::{Effect, OutboxItem};
use crate::domain::ids::external_id;
use crate::domain::kinds::AtsKind;
use crate::domain::order::ClaimedMove;
use crate::ports::store::{Commit, CommitError, DeliveryRecord, Record};
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

/// What a verified delivery decided, before it is written.
enum Decision {
    /// Open this order on this route (with its first effects).
    Open(Box<Commit>, Route),
    /// Queue these effects, or none: the delivery is recorded either way.
    Queue(Vec<Effect>, Reply),
}

async fn receive(hub: &Hub, tenant_raw: &str, body: &[u8]) -> Result<Reply, ApiError> {
    let tenant = hub.admit(tenant_raw, body).await?;
    let delivery = sig::parse(body).map_err(|_| ApiError::BodyMalformed)?;
    if delivery.signature.as_deref().is_none_or(str::is_empty) {
        return Err(ApiError::SignatureMissing);
    }
    let verified = hub
        .secrets
        .verify_with(&tenant.id, |s| {
            s.lever_webhook_tokens_for(&delivery.event)
                .any(|t| sig::verify(&delivery, t.expose().as_bytes()))
        })
        .await
        .map_err(|e| ApiError::unavailable("secrets", e))?;
    if verified.is_none() {
        return Err(ApiError::SignatureInvalid);
    }
    let now = hub.clock.now();
    let fresh = sig::is_fresh(
        delivery.triggered_at_ms,
        unix_ms(now),
        hub.settings.lever_max_age.whole_milliseconds().max(0) as u64,
        hub.settings.max_future_skew.whole_milliseconds().max(0) as u64,
    );
    if !fresh {
        return Err(ApiError::DeliveryStale);
    }

    // Signed (token and time) and fresh from here on; `data` is still only a claim.
    let once = Once::new(hub, &tenant.id, &delivery, body, now);
    let decision = match delivery.event.as_str() {
        CANDIDATE_DELETED => {
            // Lever names the opportunity; older payloads only the candidate (the same id
            // in Lever's legacy model).
            let opportunity = ["opportunityId", "candidateId"]
                .iter()
                .find_map(|k| data_str(&delivery, k))
                .ok_or(ApiError::BodyMalformed)?;
            let opportunity = external_id(opportunity).map_err(|_| ApiError::IdInvalid)?;
            Decision::Queue(
                vec![Effect::ConfirmDeletion {
                    ats: AtsKind::Lever,
                    ats_ref: opportunity.to_owned(),
                }],
                Reply::ok(json!({ "status": "accepted", "action": "deletion_check_queued" })),
            )
        }
        STAGE_CHANGE => stage_change(&tenant, &delivery, now)?,
        _ => Decision::Queue(Vec::new(), ignored("no_action_for_event")),
    };
    once.write(decision).await
}

/// Only stage changes onto a route's trigger stage open anything; the hub's own stage moves
/// land elsewhere and are acknowledged without effect.
fn stage_change(
    tenant: &TenantConfig,
    delivery: &sig::Delivery,
    now: OffsetDateTime,
) -> Result<Decision, ApiError> {
    let Some(opportunity) = data_str(delivery, "opportunityId") else {
        return Ok(Decision::Queue(Vec::new(), ignored("no_action_for_event")));
    };
    let opportunity = external_id(opportunity).map_err(|_| ApiError::IdInvalid)?;
    let to_stage = data_str(delivery, "toStageId")
        .map(external_id)
        .transpose()
        .map_err(|_| ApiError::IdInvalid)?;
    let route = tenant.routes.iter().find(|r| {
        matches!(&r.trigger, Trigger::LeverStage { stage_id } if Some(stage_id.as_str()) == to_stage)
    });
    let Some(route) = route else {
        return Ok(Decision::Queue(Vec::new(), ignored("not_trigger_stage")));
    };
    let claimed = ClaimedMove {
        stage_id: to_stage.unwrap_or_default().to_owned(),
        at_ms: delivery.triggered_at_ms,
    };
    let commit = crate::intake::open(
        &tenant.id,
        route,
        opportunity,
        crate::intake::Opening {
            claimed: Some(claimed),
            ..Default::default()
        },
        "lever_webhook",
        now,
    );
    Ok(Decision::Open(Box::new(commit), route.clone()))
}

/// Makes a delivery happen once: its token is recorded in the same write as what it decided,
/// and so is what it says happened (event, time, opportunity, stage), for a retry that
/// carries a fresh token.
struct Once<'h> {
    hub: &'h Hub,
    tenant: TenantId,
    token: DeliveryRecord,
    content: DeliveryRecord,
    now: OffsetDateTime,
}

impl<'h> Once<'h> {
    fn new(
        hub: &'h Hub,
        tenant: &TenantId,
        delivery: &sig::Delivery,
        body: &[u8],
        now: OffsetDateTime,
    ) -> Self {
        let expires_at = now + hub.settings.delivery_ttl.max(hub.settings.lever_max_age);
        let token = DeliveryRecord::new(
            format!(
                "lever-token:{tenant}:{}:{}",
                delivery.event,
                digest(&[delivery.token.as_bytes()])
            ),
            expires_at,
        )
        .with_fingerprint(digest(&[body]));
        let content = DeliveryRecord::new(
            format!(
                "lever:{tenant}:{}",
                digest(&[
                    delivery.event.as_bytes(),
                    delivery.triggered_at_text.as_bytes(),
                    data_str(delivery, "opportunityId")
                        .or_else(|| data_str(delivery, "candidateId"))
                        .unwrap_or("")
                        .as_bytes(),
                    data_str(delivery, "toStageId").unwrap_or("").as_bytes(),
                ])
            ),
            expires_at,
        );
        Self {
            hub,
            tenant: tenant.clone(),
            token,
            content,
            now,
        }
    }

    async fn write(&self, decision: Decision) -> Result<Reply, ApiError> {
        let deliveries = vec![self.token.clone(), self.content.clone()];
        let (result, accepted) = match decision {
            Decision::Open(commit, route) => {
                let mut commit = *commit;
                commit.deliveries = deliveries;
                let order_id = commit.order.id;
                let result = self.hub.store.commit(commit).await;
                if result.is_ok() {
                    tracing::info!(tenant = %self.tenant, %order_id, route = %route.id, "order opened from Lever stage change");
                    crate::intake::count_opened(&route, 1);
                }
                (
                    result,
                    Reply::ok(json!({ "status": "accepted", "order_id": order_id.to_string() })),
                )
            }
            Decision::Queue(effects, reply) => {
                let record = Record {
                    deliveries,
                    outbox: effects
                        .into_iter()
                        .map(|e| OutboxItem::new(self.tenant.clone(), e, self.now))
                        .collect(),
                    consumes: None,
                    audit: Vec::new(),
                    now: self.now,
                };
                (self.hub.store.record(record).await, reply)
            }
        };
        match result {
            Ok(()) => Ok(accepted),
            Err(CommitError::DuplicateDelivery) => self.seen_before().await,
            Err(CommitError::ActiveOrderExists) => {
                if self.record_token().await? {
                    Ok(ignored("order_already_active"))
                } else {
                    self.seen_before().await
                }
            }
            Err(e) => Err(ApiError::unavailable("commit", e)),
        }
    }

    /// A delivery key was recorded already: the same body again is a duplicate; its token
    /// with another body is a replay; the same content under a fresh token is Lever retrying
    /// (the token is then recorded on its own).
    async fn seen_before(&self) -> Result<Reply, ApiError> {
        for _ in 0..3 {
            let kept = self
                .hub
                .store
                .get_delivery(&self.token.key, self.now)
                .await
                .map_err(|e| ApiError::unavailable("delivery", e))?;
            match kept {
                Some(k) if k.fingerprint == self.token.fingerprint => {
                    return Ok(ignored("duplicate_delivery"));
                }
                Some(_) => return Err(ApiError::TokenReused),
                None if self.record_token().await? => return Ok(ignored("duplicate_delivery")),
                // Recorded by a concurrent use meanwhile: read it again.
                None => {}
            }
        }
        Err(ApiError::Unavailable)
    }

    /// Record the token on its own (nothing else is committed); `false` when it was
    /// recorded meanwhile.
    async fn record_token(&self) -> Result<bool, ApiError> {
        let record = Record {
            deliveries: vec![self.token.clone()],
            outbox: Vec::new(),
            consumes: None,
            audit: Vec::new(),
            now: self.now,
        };
        match self.hub.store.record(record).await {
            Ok(()) => Ok(true),
            Err(CommitError::DuplicateDelivery) => Ok(false),
            Err(e) => Err(ApiError::unavailable("commit", e)),
        }
    }
}

fn data_str<'d>(delivery: &'d sig::Delivery, key: &str) -> Option<&'d str> {
    delivery
        .data
        .get(key)
        .and_then(|v| v.as_str())
        .filter(|s| !s.is_empty())
}

/// Hex SHA-256 over the parts, each followed by a NUL (so parts cannot run into each other).
fn digest(parts: &[&[u8]]) -> String {
    let mut h = Sha256::new();
    for part in parts {
        h.update(part);
        h.update([0u8]);
    }
    hex::encode(h.finalize())
}

fn unix_ms(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

fn ignored(reason: &str) -> Reply {
    Reply::ok(json!({ "status": "ignored", "reason": reason }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::embedded_store::EmbeddedStore;
    use crate::adapters::secrets_cache::CachedSecrets;
    use crate::api::HubSettings;
    use crate::ports::clock::ManualClock;
    use crate::ports::secrets::{Secret, SecretSource, SecretsError, TenantSecrets};
    use crate::ports::{Clock, Store};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A secret source that counts its reads (each one a billed Secrets Manager call).
    #[derive(Default)]
    struct Counting(AtomicUsize);

    #[async_trait::async_trait]
    impl SecretSource for Counting {
        async fn tenant_secrets(
            &self,
            _: &TenantId,
        ) -> Result<Option<TenantSecrets>, SecretsError> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Ok(Some(TenantSecrets {
                lever_webhook_tokens: [(STAGE_CHANGE.to_owned(), Secret::new("real-token"))].into(),
                ..TenantSecrets::default()
            }))
        }
    }

    #[tokio::test]
    async fn a_hundred_forged_deliveries_cost_at_most_two_secret_reads() {
        let store = Arc::new(EmbeddedStore::new());
        let clock = Arc::new(ManualClock::new(
            time::macros::datetime!(2026-12-01 9:00 UTC),
        ));
        let tenant: TenantConfig = serde_json::from_value(json!({
            "id": "acme", "name": "Acme", "ats": { "lever": {} }
        }))
        .unwrap();
        store.put_tenant(&tenant).await.unwrap();
        let source = Arc::new(Counting::default());
        let secrets = Arc::new(CachedSecrets::new(
            source.clone(),
            clock.clone(),
            time::Duration::minutes(5),
        ));
        let hub = Hub::new(
            store.clone(),
            secrets,
            clock.clone(),
            HubSettings::default(),
        );
        let now_ms = unix_ms(clock.now());
        for i in 0..100 {
            let forged = json!({
                "event": STAGE_CHANGE, "triggeredAt": now_ms, "token": format!("t{i}"),
                "signature": sig::sign(b"guessed-token", &format!("t{i}"), &now_ms.to_string()),
                "data": { "opportunityId": "o1", "toStageId": "s1" }
            });
            let reply = handle(&hub, "acme", &serde_json::to_vec(&forged).unwrap()).await;
            assert_eq!(reply.code(), Some("signature-invalid"));
            clock.advance(time::Duration::milliseconds(50));
        }
        let reads = source.0.load(Ordering::SeqCst);
        assert!(reads <= 2, "{reads} secret reads for 100 forged deliveries");
        assert!(store.pending_outbox(10).await.unwrap().is_empty());
    }
}
