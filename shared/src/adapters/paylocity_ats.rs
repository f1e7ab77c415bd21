//! Paylocity as an ATS adapter. Orders arrive pushed (`api::paylocity_orders` opens them with
//! the candidate Paylocity sent); their state goes back through the one status PATCH, built by
//! [`crate::domain::ats::paylocity`] from what Paylocity last accepted, which is kept on the
//! order ([`PaylocityState`]).
//!
//! Every PATCH happens once and in order:
//! - Before sending, the worker records the PATCH on the order as in flight (a conditional
//!   write, with a short lease): a second worker rendering the same order meanwhile leaves it
//!   to the first, which reads the order again after each PATCH until Paylocity shows its
//!   current state.
//! - A PATCH whose answer was lost stays in flight and is sent again first. If Paylocity then
//!   refuses its `oldStatus`, the first one was applied: its state is taken as accepted.
//! - Otherwise a refused `oldStatus` means Paylocity's record moved under us: the order is
//!   marked for attention, `PaylocityStatusConflicts` counts it, and nothing more is sent.
//! - A move the lifecycle does not allow in Paylocity's terms is never sent: it is recorded
//!   in the order's audit trail (`PaylocityIllegalMoves`).

use crate::adapters::paylocity_http::{PaylocityAccount, PaylocityError, PaylocityHttp};
use crate::adapters::secrets_cache::CachedSecrets;
use crate::config::Route;
use crate::domain::ats::paylocity::{
    InFlight, NotSent, PaylocityState, StatusPatch, next_hop, next_patch_toward,
};
use crate::domain::ats::paylocity_order::Intake;
use crate::domain::kinds::AtsKind;
use crate::domain::order::{AdapterData, AuditEntry, Order, OrderStatus};
use crate::ports::ats::{AtsAdapter, AtsContext, AtsError, Attempt, Loaded};
use crate::ports::secrets::PaylocityPartner;
use crate::ports::store::{CommitError, Record, Store, update_order};
use crate::ports::{Clock, Secret};
use std::sync::Arc;

/// How long a worker may hold a PATCH in flight (the HTTP timeout and the writes around it).
const IN_FLIGHT_LEASE: time::Duration = time::Duration::seconds(30);
/// PATCHes one render sends at most (more than any order's path): a render that has not
/// converged by then is retried.
const MAX_ROUNDS: usize = 16;

pub struct PaylocityAts {
    http: Arc<PaylocityHttp>,
    store: Arc<dyn Store>,
    secrets: Arc<CachedSecrets>,
    clock: Arc<dyn Clock>,
}

fn transient(e: impl std::fmt::Display) -> AtsError {
    AtsError::Transient(e.to_string())
}

fn committed(e: CommitError) -> AtsError {
    match e {
        CommitError::Store(e) => AtsError::Transient(e.to_string()),
        e => AtsError::Transient(e.to_string()),
    }
}

/// The partner account, as the Paylocity client takes it.
pub fn account(partner: &PaylocityPartner) -> PaylocityAccount {
    PaylocityAccount {
        api_base: partner.api_base.clone(),
        token_url: partner.token_url.clone(),
        client_id: partner.client_id.clone(),
        client_secret: Secret::new(partner.client_secret.expose()),
    }
}

fn state_of(order: &Order) -> Result<PaylocityState, AtsError> {
    order
        .ats_state
        .as_ref()
        .and_then(AdapterData::read)
        .ok_or_else(|| AtsError::Permanent("the order has no Paylocity state".into()))
}

impl PaylocityAts {
    pub fn new(
        http: Arc<PaylocityHttp>,
        store: Arc<dyn Store>,
        secrets: Arc<CachedSecrets>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            http,
            store,
            secrets,
            clock,
        }
    }

    async fn account(&self) -> Result<PaylocityAccount, AtsError> {
        self.secrets
            .partner()
            .await
            .map_err(transient)?
            .and_then(|p| p.paylocity)
            .map(|p| account(&p))
            .ok_or_else(|| {
                AtsError::Permanent("this deployment has no Paylocity partner account".into())
            })
    }

    /// Change the order's Paylocity state (and, with `attention`, mark it) as `change`
    /// decides from the latest version; `None` from `change` leaves it as it is.
    async fn write(
        &self,
        order: &Order,
        cause: &str,
        change: impl Fn(&Order, &mut PaylocityState) -> Option<Option<String>>,
    ) -> Result<Option<Order>, AtsError> {
        let now = self.clock.now();
        update_order(self.store.as_ref(), order.clone(), cause, now, 5, |o| {
            let mut state = state_of(o).ok()?;
            let attention = change(o, &mut state)?;
            let mut next = o.next(now);
            next.ats_state = Some(AdapterData::of(&state));
            if attention.is_some() {
                next.attention = attention;
            }
            Some((next, Vec::new()))
        })
        .await
        .map_err(committed)
    }

    async fn record_illegal(&self, order: &Order, refusal: &NotSent) -> Result<(), AtsError> {
        tracing::warn!(order_id = %order.id, %refusal, "status not sent to Paylocity");
        crate::metrics::count("PaylocityIllegalMoves", &[]);
        let now = self.clock.now();
        let entry = AuditEntry::refused(
            order,
            order.status,
            "illegal",
            format!("paylocity:not_sent: {refusal}"),
            now,
        );
        let record = Record {
            deliveries: Vec::new(),
            outbox: Vec::new(),
            consumes: None,
            audit: vec![entry],
            now,
        };
        self.store.record(record).await.map_err(committed)
    }

    /// Send what Paylocity does not show yet, one PATCH at a time, until it shows the order's
    /// current state.
    async fn converge(&self, acct: &PaylocityAccount, first: &Order) -> Result<(), AtsError> {
        let holder = uuid::Uuid::new_v4().simple().to_string();
        let mut order = first.clone();
        for _ in 0..MAX_ROUNDS {
            if order.attention.is_some() {
                tracing::info!(order_id = %order.id, "order marked for attention; nothing sent to Paylocity");
                return Ok(());
            }
            let state = state_of(&order)?;
            let now = self.clock.now();
            let (patch, resend) = match &state.in_flight {
                Some(f) if f.holder != holder && f.until > now.unix_timestamp() => {
                    // Another worker is sending; it reads the order again when done.
                    tracing::info!(order_id = %order.id, "another worker is updating Paylocity");
                    return Ok(());
                }
                Some(f) => (f.patch.clone(), true),
                None => {
                    let at = now
                        .format(&time::format_description::well_known::Rfc3339)
                        .unwrap_or_default();
                    let path = self.path(&order).await?;
                    let target = next_hop(&path, &order, state.accepted.order);
                    match next_patch_toward(
                        &order.ats_ref,
                        &state.accepted,
                        &order,
                        target,
                        &state.package_services,
                        &at,
                    ) {
                        Ok(p) => (p, false),
                        Err(NotSent::Unchanged) => return Ok(()),
                        Err(refusal) => return self.record_illegal(&order, &refusal).await,
                    }
                }
            };
            let until = (now + IN_FLIGHT_LEASE).unix_timestamp();
            let claim = InFlight {
                patch: patch.clone(),
                holder: holder.clone(),
                until,
            };
            let Some(claimed) = self
                .write(&order, "paylocity:sending", |_, s| {
                    let free = match &s.in_flight {
                        None => !resend,
                        Some(f) => {
                            resend
                                && f.patch == patch
                                && (f.holder == holder || f.until <= now.unix_timestamp())
                        }
                    };
                    free.then(|| {
                        s.in_flight = Some(claim.clone());
                        None
                    })
                })
                .await?
            else {
                // Someone else claimed or changed it first: look again.
                order = self.reread(&order).await?;
                continue;
            };
            let sent = self
                .http
                .patch_status(acct, &state.company_id, &patch)
                .await;
            order = self.settle(&claimed, &patch, resend, sent).await?;
        }
        Err(AtsError::Transient(
            "Paylocity does not show the order's state yet".into(),
        ))
    }

    /// The statuses the order went through, oldest first (its audit trail).
    async fn path(&self, order: &Order) -> Result<Vec<OrderStatus>, AtsError> {
        Ok(self
            .store
            .audit_trail(order.id)
            .await
            .map_err(transient)?
            .into_iter()
            .filter(|e| e.refused.is_none())
            .map(|e| e.to)
            .collect())
    }

    async fn reread(&self, order: &Order) -> Result<Order, AtsError> {
        self.store
            .get_order(order.id)
            .await
            .map_err(transient)?
            .ok_or_else(|| AtsError::Permanent("order not found".into()))
    }

    /// Record what Paylocity answered to `patch`; returns the order as it now stands.
    async fn settle(
        &self,
        claimed: &Order,
        patch: &StatusPatch,
        resend: bool,
        sent: Result<(), PaylocityError>,
    ) -> Result<Order, AtsError> {
        let accept = |cause: &str| {
            let cause = cause.to_owned();
            async move {
                self.write(claimed, &cause, |_, s| {
                    s.accepted = patch.accepted(&s.accepted);
                    s.in_flight = None;
                    Some(None)
                })
                .await
            }
        };
        let told = |s: Option<crate::domain::ats::paylocity::OrderStatus>| {
            s.map(|s| format!("{s:?}")).unwrap_or_else(|| "-".into())
        };
        let written = match sent {
            Ok(()) => {
                tracing::info!(order_id = %claimed.id, "Paylocity accepted the status update");
                accept(&format!("paylocity:accepted:{}", told(patch.new_status))).await?
            }
            Err(PaylocityError::StatusConflict(_)) if resend => {
                tracing::info!(order_id = %claimed.id, "an earlier status update had been applied");
                accept(&format!(
                    "paylocity:applied_earlier:{}",
                    told(patch.new_status)
                ))
                .await?
            }
            Err(PaylocityError::StatusConflict(_)) => {
                tracing::warn!(order_id = %claimed.id, "Paylocity refused the oldStatus; order marked for attention");
                crate::metrics::count("PaylocityStatusConflicts", &[]);
                let why = format!(
                    "Paylocity no longer shows this order as {}: the update to {} was refused and \
                     nothing more is sent until an operator resolves it",
                    told(patch.old_status),
                    told(patch.new_status)
                );
                // Marked, not retried: the loop stops at the mark.
                self.write(claimed, "paylocity:status_conflict", |_, s| {
                    s.in_flight = None;
                    Some(Some(why.clone()))
                })
                .await?
            }
            Err(PaylocityError::Transient(m)) => {
                // The answer may be lost after Paylocity applied it: the PATCH stays in flight
                // (sent again first), its lease given up so the next attempt may send it.
                self.write(claimed, "paylocity:unanswered", |_, s| {
                    let f = s.in_flight.as_mut()?;
                    f.until = 0;
                    Some(None)
                })
                .await?;
                return Err(AtsError::Transient(format!("Paylocity: {m}")));
            }
            Err(e) => {
                self.write(claimed, "paylocity:refused", |_, s| {
                    s.in_flight = None;
                    Some(None)
                })
                .await?;
                return Err(AtsError::Permanent(format!("Paylocity: {e}")));
            }
        };
        match written {
            Some(o) => Ok(o),
            None => self.reread(claimed).await,
        }
    }
}

#[async_trait::async_trait]
impl AtsAdapter for PaylocityAts {
    fn kind(&self) -> AtsKind {
        AtsKind::Paylocity
    }

    /// Paylocity has no API to read an order back: its subject is what the authenticated
    /// order body carried (the order's intake), ordering the package's provider package.
    async fn load_subject(&self, ctx: &AtsContext<'_>, order: &Order) -> Result<Loaded, AtsError> {
        let Some(intake) = order.intake.as_ref().and_then(AdapterData::read::<Intake>) else {
            return Ok(Loaded::Unconfirmed(
                "The order holds no candidate data from Paylocity; nothing was ordered.".into(),
            ));
        };
        let state = state_of(order)?;
        let provider_package = ctx
            .tenant
            .ats
            .paylocity
            .as_ref()
            .and_then(|s| s.package(&state.package_id))
            .and_then(|p| p.provider_package.clone());
        Ok(Loaded::Subject(Box::new(
            intake.subject(provider_package.as_deref()),
        )))
    }

    async fn render(
        &self,
        _ctx: &AtsContext<'_>,
        _route: &Route,
        order: &Order,
        _to: Option<OrderStatus>,
        _attempt: Attempt,
    ) -> Result<(), AtsError> {
        let acct = self.account().await?;
        self.converge(&acct, order).await
    }
}

/// Why an operator's resync was not done.
#[derive(Debug, thiserror::Error)]
pub enum ResyncError {
    #[error("no such Paylocity order for this tenant")]
    OrderUnknown,
    #[error("store unavailable: {0}")]
    Store(String),
}

/// An operator looked at an order marked for attention and says what Paylocity shows now
/// (`shown`, and each service's status where known): that is taken as what Paylocity last
/// accepted, the mark is cleared, and the order is rendered again from there
/// (`screenhub paylocity resync`).
pub async fn resync(
    store: &dyn Store,
    tenant: &crate::domain::TenantId,
    order_id: crate::domain::OrderId,
    shown: crate::domain::ats::paylocity::OrderStatus,
    services: &std::collections::BTreeMap<String, crate::domain::ats::paylocity::ServiceStatus>,
    now: time::OffsetDateTime,
) -> Result<Order, ResyncError> {
    let order = store
        .get_order(order_id)
        .await
        .map_err(|e| ResyncError::Store(e.to_string()))?
        .filter(|o| &o.tenant == tenant && o.ats == AtsKind::Paylocity)
        .ok_or(ResyncError::OrderUnknown)?;
    let updated = update_order(store, order, "operator:paylocity_resync", now, 5, |o| {
        let mut state = state_of(o).ok()?;
        state.accepted.order = Some(shown);
        state.accepted.services.extend(services.clone());
        state.in_flight = None;
        let mut next = o.next(now);
        next.ats_state = Some(AdapterData::of(&state));
        next.attention = None;
        let render = crate::domain::Effect::Render {
            order_id: o.id,
            to: None,
        };
        Some((next, vec![render]))
    })
    .await
    .map_err(|e| ResyncError::Store(e.to_string()))?;
    updated.ok_or(ResyncError::OrderUnknown)
}
