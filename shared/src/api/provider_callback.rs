//! What every provider callback route shares: the size limit, the tenant, the Standard
//! Webhooks signature (two secrets during rotation, one re-read of the secret on a mismatch,
//! staleness judged only once a signature matched), and applying the change to the order
//! with optimistic concurrency and delivery de-duplication.

use super::hub::Hub;
use super::problem::{ApiError, Reply};
use crate::config::TenantConfig;
use crate::domain::AuditEntry;
use crate::domain::effects::OutboxItem;
use crate::domain::effects::UpdateDecision;
use crate::domain::ids::{OrderId, external_id};
use crate::domain::kinds::ProviderKind;
use crate::domain::providers::{ProviderReport, read_callback};
use crate::domain::transitions;
use crate::domain::{Order, TenantId};
use crate::ports::TenantSecrets;
use crate::ports::store::{Commit, CommitError, DeliveryRecord, Record};
use crate::webhooks::standard::{self, SignedHeaders, VerifyError};
use http::HeaderMap;
use serde_json::json;

/// A provider callback route, whole: authenticate, read the body by the provider's rules
/// (which may refuse it), apply the change as the lifecycle allows; refusals are logged and
/// answered as problems.
pub async fn handle(
    hub: &Hub,
    provider: ProviderKind,
    tenant: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Reply {
    let received = async {
        let verified = verify(hub, provider, tenant, headers, body).await?;
        let report = read_callback(provider, body).map_err(|_| ApiError::BodyMalformed)?;
        // Provider ids end up in keys and URLs: checked once, here.
        external_id(&report.provider_ref).map_err(|_| ApiError::IdInvalid)?;
        if let Some(c) = &report.client_reference {
            external_id(c).map_err(|_| ApiError::IdInvalid)?;
        }
        let now = hub.clock.now();
        apply(hub, provider, &verified, &report, |order: &Order| {
            transitions::apply(order, &report.change, now)
        })
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
    provider: ProviderKind,
    tenant_raw: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Verified, ApiError> {
    let tenant = hub.admit(tenant_raw, body).await?;
    if !tenant.orders_from(provider) {
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
        let Some(p) = secrets.provider(provider) else {
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
    provider: ProviderKind,
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
            .find_by_provider_ref(tenant, provider, provider_ref)
            .await
            .map_err(|e| ApiError::unavailable("order", e))?,
    };
    order
        .filter(|o| &o.tenant == tenant && o.provider == provider)
        .filter(|o| o.provider_ref.as_deref().is_none_or(|r| r == provider_ref))
        .ok_or(ApiError::OrderUnknown)
}

/// Apply `decide` to the current order and commit it with the delivery record; re-read and
/// re-decide when another writer got there first. A change the lifecycle refuses is recorded
/// in the order's audit trail (once per callback message) and acknowledged.
async fn apply(
    hub: &Hub,
    provider: ProviderKind,
    verified: &Verified,
    report: &ProviderReport,
    decide: impl Fn(&Order) -> UpdateDecision,
) -> Result<Reply, ApiError> {
    let provider_ref = report.provider_ref.as_str();
    let client_ref = report.client_reference.as_deref();
    let tenant_id = &verified.tenant.id;
    let now = hub.clock.now();
    let cause = format!("provider_callback:{}", verified.message_id);
    let delivery = DeliveryRecord::new(
        format!("{}:{tenant_id}:{}", provider.as_str(), verified.message_id),
        now + hub.settings.delivery_ttl,
    );
    for _ in 0..5 {
        let order = find_order(hub, provider, tenant_id, provider_ref, client_ref).await?;
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
                if to.phase() == crate::domain::Phase::Results {
                    crate::metrics::count(
                        "OrdersCompleted",
                        &[
                            ("Integration", order.route.as_str()),
                            ("Provider", provider.as_str()),
                        ],
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
