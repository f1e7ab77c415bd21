//! What every provider callback route shares: the size limit, the tenant, the Standard
//! Webhooks signature (two secrets during rotation, one re-read of the secret on a mismatch,
//! staleness judged only once a signature matched), and applying the change to the order
//! with optimistic concurrency and delivery de-duplication.

use super::hub::Hub;
use super::problem::{ApiError, Reply};
use crate::domain::AuditEntry;
use crate::domain::effects::OutboxItem;
use crate::domain::effects::UpdateDecision;
use crate::domain::ids::{OrderId, external_id};
use crate::domain::{Integration, Order, TenantConfig, TenantId};
use crate::ports::TenantSecrets;
use crate::ports::store::{Commit, CommitError, DeliveryRecord, Record};
use crate::webhooks::standard::{self, SignedHeaders, VerifyError};
use http::HeaderMap;
use serde::de::DeserializeOwned;
use serde_json::json;
use time::OffsetDateTime;

/// What a provider's callback is about, read from its body: the provider's order id, our
/// order id when the provider echoes it, and the change it makes to the order, as the
/// lifecycle allows it.
pub struct Target<F> {
    pub provider_ref: String,
    pub client_reference: Option<String>,
    pub decide: F,
}

/// A provider callback route, whole: authenticate, read the body as `C` and turn it into a
/// [`Target`] with `read` (which may refuse it), apply the change; refusals are logged and
/// answered as problems.
pub async fn handle<C, F>(
    hub: &Hub,
    integration: Integration,
    tenant: &str,
    headers: &HeaderMap,
    body: &[u8],
    read: impl FnOnce(C, OffsetDateTime) -> Result<Target<F>, ApiError>,
) -> Reply
where
    C: DeserializeOwned,
    F: Fn(&Order) -> UpdateDecision,
{
    let received = async {
        let verified = verify(hub, integration, tenant, headers, body).await?;
        let callback: C = serde_json::from_slice(body).map_err(|_| ApiError::BodyMalformed)?;
        let target = read(callback, hub.clock.now())?;
        // Provider ids end up in keys and URLs: checked once, here.
        external_id(&target.provider_ref).map_err(|_| ApiError::IdInvalid)?;
        if let Some(c) = &target.client_reference {
            external_id(c).map_err(|_| ApiError::IdInvalid)?;
        }
        apply(
            hub,
            integration,
            &verified,
            &target.provider_ref,
            target.client_reference.as_deref(),
            target.decide,
        )
        .await
    };
    received.await.unwrap_or_else(|e| refused(tenant, e))
}

/// A callback whose signature matched one of the tenant's secrets.
pub struct Verified {
    pub tenant: TenantConfig,
    pub message_id: String,
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Authenticate a callback before anything in its body is trusted.
async fn verify(
    hub: &Hub,
    integration: Integration,
    tenant_raw: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Verified, ApiError> {
    let tenant = hub.admit(tenant_raw, body).await?;
    if !tenant.enables(integration) {
        return Err(ApiError::TenantUnknown);
    }
    let tenant_id = tenant.id.clone();
    let signed = SignedHeaders {
        id: header(headers, "webhook-id"),
        timestamp: header(headers, "webhook-timestamp"),
        signature: header(headers, "webhook-signature"),
    };
    let Some(message_id) = signed
        .id
        .filter(|_| signed.timestamp.is_some() && signed.signature.is_some())
    else {
        return Err(ApiError::SignatureMissing);
    };
    let now = hub.clock.now();
    let tolerance = hub.settings.callback_tolerance.whole_seconds();
    let check = |secrets: &TenantSecrets| {
        let Some(p) = secrets.provider(integration) else {
            return Err(VerifyError::Invalid);
        };
        let keys: Vec<&str> = p.callback_secrets.iter().map(|s| s.expose()).collect();
        standard::verify(&keys, &signed, body, now.unix_timestamp(), tolerance)
    };
    // Stale is decided only after a signature matched; a non-match triggers one re-read.
    let verified = hub
        .secrets
        .verify_with(&tenant_id, |s| {
            !matches!(check(s), Err(VerifyError::Invalid | VerifyError::Missing))
        })
        .await
        .map_err(|e| ApiError::unavailable("secrets", e))?
        .ok_or(ApiError::SignatureInvalid)?;
    if check(&verified) == Err(VerifyError::Stale) {
        return Err(ApiError::DeliveryStale);
    }
    Ok(Verified {
        tenant,
        message_id: message_id.to_owned(),
    })
}

/// The order a callback is about, only if it belongs to the signing tenant.
async fn find_order(
    hub: &Hub,
    integration: Integration,
    tenant: &TenantId,
    provider_ref: &str,
    client_ref: Option<&str>,
) -> Result<Order, ApiError> {
    let by_id = match client_ref.and_then(OrderId::parse) {
        Some(id) => hub
            .store
            .get_order(id)
            .await
            .map_err(|e| ApiError::unavailable("order", e))?,
        None => None,
    };
    let order = match by_id {
        Some(o) => Some(o),
        None => hub
            .store
            .find_by_provider_ref(tenant, integration, provider_ref)
            .await
            .map_err(|e| ApiError::unavailable("order", e))?,
    };
    order
        .filter(|o| &o.tenant == tenant && o.integration == integration)
        .filter(|o| o.provider_ref.as_deref().is_none_or(|r| r == provider_ref))
        .ok_or(ApiError::OrderUnknown)
}

/// Apply `decide` to the current order and commit it with the delivery record; re-read and
/// re-decide when another writer got there first. A change the lifecycle refuses is recorded
/// in the order's audit trail (once per callback message) and acknowledged.
async fn apply(
    hub: &Hub,
    integration: Integration,
    verified: &Verified,
    provider_ref: &str,
    client_ref: Option<&str>,
    decide: impl Fn(&Order) -> UpdateDecision,
) -> Result<Reply, ApiError> {
    let tenant_id = &verified.tenant.id;
    let now = hub.clock.now();
    let cause = format!("provider_callback:{}", verified.message_id);
    let delivery = DeliveryRecord::new(
        format!(
            "{}:{tenant_id}:{}",
            integration.as_str(),
            verified.message_id
        ),
        now + hub.settings.delivery_ttl,
    );
    for _ in 0..5 {
        let order = find_order(hub, integration, tenant_id, provider_ref, client_ref).await?;
        let (mut next, effects) = match decide(&order) {
            UpdateDecision::Apply(next, effects) => (*next, effects),
            UpdateDecision::Ignore(reason) => {
                return Ok(Reply::ok(json!({ "status": "ignored", "reason": reason })));
            }
            UpdateDecision::Refuse { to, verdict } => {
                tracing::info!(tenant = %tenant_id, order_id = %order.id, from = order.status.as_str(), to = to.as_str(), verdict = verdict.as_str(), "provider report refused by the lifecycle");
                let record = Record {
                    deliveries: vec![delivery.clone()],
                    outbox: Vec::new(),
                    consumes: None,
                    audit: vec![AuditEntry::refused(
                        &order,
                        to,
                        verdict.as_str(),
                        &cause,
                        now,
                    )],
                    now,
                };
                return match hub.store.record(record).await {
                    Ok(()) | Err(CommitError::DuplicateDelivery) => Ok(Reply::ok(
                        json!({ "status": "ignored", "reason": verdict.as_str() }),
                    )),
                    Err(e) => Err(ApiError::unavailable("commit", e)),
                };
            }
        };
        // A callback may overtake our own record of the provider's answer to the order.
        next.provider_ref
            .get_or_insert_with(|| provider_ref.to_owned());
        let outbox = effects
            .into_iter()
            .map(|e| OutboxItem::new(tenant_id.clone(), e, now))
            .collect();
        let to = next.status;
        let commit = Commit::update(&order, next, &cause, outbox).with_delivery(delivery.clone());
        match hub.store.commit(commit).await {
            Ok(()) => {
                tracing::info!(tenant = %tenant_id, order_id = %order.id, status = to.as_str(), "order updated by provider");
                if to == crate::domain::OrderStatus::Complete {
                    crate::metrics::count(
                        "OrdersCompleted",
                        &[("Integration", integration.as_str())],
                    );
                }
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
            Err(e) => return Err(ApiError::unavailable("commit", e)),
        }
    }
    Err(ApiError::Unavailable)
}

/// Log a refusal (code and status only) and turn it into the problem reply.
fn refused(tenant: &str, e: ApiError) -> Reply {
    tracing::info!(
        tenant,
        code = e.code(),
        status = e.status(),
        "provider callback refused"
    );
    e.into()
}
