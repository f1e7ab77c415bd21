//! Performs outbox effects: once each, with retries and backoff, and dead-letters what still
//! fails. Triggered by the table's stream on AWS (plus a scheduled re-drive) and by an
//! in-process worker locally.
//!
//! Vendor-free: each effect goes to the order's provider or ATS adapter, found in the
//! [`Registry`] by the kinds the order carries ([`orders`]: place and cancel; [`ats`]: render,
//! notify, clear triggers, confirm deletions). Every effect is safe to run again:
//! provider orders are idempotent on our order id, ATS renderings converge on the order's
//! current state, notes are posted once, and an effect that changes an order consumes its
//! outbox item in the same transaction. An item is deleted only after its
//! effect succeeded, so a dispatcher that dies between two effects loses nothing.

mod ats;
mod orders;

use crate::adapters::secrets_cache::CachedSecrets;
use crate::adapters::tenant_cache::TenantCache;
use crate::config::{Route, TenantConfig};
use crate::domain::effects::{CancelReason, DeadLetter, Effect, OutboxItem};
use crate::domain::ids::OrderId;
use crate::domain::{Order, OrderStatus, TenantId, transitions};
use crate::outbound::{RetryPolicy, deadline};
use crate::ports::ats::{AtsContext, AtsError, Attempt, Lead, StageMove};
use crate::ports::events::EventPublisher;
use crate::ports::profiles::ProfileStore;
use crate::ports::store::{Commit, CommitError, Record, Store, StoreError};
use crate::ports::{Clock, TenantSecrets};
use crate::registry::Registry;
use std::sync::Arc;
use std::time::Duration;
use tracing::Instrument;

#[derive(Clone)]
pub struct Dispatcher {
    pub store: Arc<dyn Store>,
    /// The candidate database of the recruiting passes (a deleted candidate leaves it too).
    pub profiles: Arc<dyn ProfileStore>,
    /// Tenant configuration, cached per container.
    pub tenants: Arc<TenantCache>,
    pub secrets: Arc<CachedSecrets>,
    pub clock: Arc<dyn Clock>,
    /// The adapter of every ATS and provider kind.
    pub registry: Registry,
    pub events: Arc<dyn EventPublisher>,
    pub retry: RetryPolicy,
    /// Base URL of this deployment's HTTP API (for provider callback URLs).
    pub public_base_url: String,
}

/// How one outbox item ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// The effect happened (or had already happened) and the item is gone.
    Done,
    /// Failed for good: kept as a dead letter.
    DeadLettered,
    /// Gone already, or another dispatcher holds it right now: nothing done here.
    Busy,
    /// Failed for now and the invocation's budget has no room for another try: left, with
    /// its attempts counted, for the next run.
    Deferred,
    /// Its ATS account is disconnected: left, its attempt not counted, until the tenant
    /// reconnects.
    Waiting,
}

/// How long an attempt holds an item: longer than any invocation (60 s), so a lease runs
/// out only when its holder died.
pub const LEASE: time::Duration = time::Duration::minutes(2);

#[derive(Debug)]
pub(crate) enum Failure {
    /// Worth retrying (timeouts, 429, 5xx, version races).
    Transient(String),
    /// Retrying cannot help (missing configuration, refused credentials, unknown objects).
    Permanent(String),
    /// The tenant's ATS account is disconnected: wait for it, never dead-letter.
    Waiting(String),
    Store(StoreError),
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::Store(e)
    }
}

impl From<AtsError> for Failure {
    fn from(e: AtsError) -> Self {
        match e {
            AtsError::Transient(m) => Failure::Transient(m),
            AtsError::Permanent(m) => Failure::Permanent(m),
            AtsError::Disconnected(m) => Failure::Waiting(m),
        }
    }
}

/// What a successful effect did with its outbox item.
pub(crate) enum Done {
    /// The effect's own commit consumed the item.
    Consumed,
    /// The item still exists and must be deleted now.
    Performed,
}

impl Dispatcher {
    /// Perform every pending item (oldest first), up to `limit`. Returns how many were listed.
    /// No item is started once the invocation's budget has no room for it (see
    /// [`deadline`]); those wait for the next run.
    pub async fn drain(&self, limit: usize) -> Result<usize, StoreError> {
        let items = self.store.pending_outbox(limit).await?;
        for item in &items {
            if !deadline::allows(Duration::ZERO) {
                tracing::info!("invocation budget spent; the rest waits for the next run");
                break;
            }
            self.process(item).await?;
        }
        Ok(items.len())
    }

    /// Perform items created before `cutoff` (the scheduled re-drive of anything a crashed
    /// or timed-out dispatcher left behind).
    pub async fn redrive(
        &self,
        older_than: time::Duration,
        limit: usize,
    ) -> Result<usize, StoreError> {
        let cutoff = self.clock.now() - older_than;
        let items: Vec<OutboxItem> = self
            .store
            .pending_outbox(limit)
            .await?
            .into_iter()
            .filter(|i| i.created_at <= cutoff)
            .collect();
        for item in &items {
            if !deadline::allows(Duration::ZERO) {
                break;
            }
            self.process(item).await?;
        }
        Ok(items.len())
    }

    /// Perform one item with retries. Only store failures are returned as errors (the caller
    /// then leaves the item for a later run).
    ///
    /// Every attempt first takes the item's lease, which also counts the attempt in the
    /// store: two dispatchers (the stream and the re-drive, or two containers) never perform
    /// one item at once, an item that keeps failing reaches its dead letter after
    /// `retry.max_attempts` attempts in all however many runs they span, and an attempt that
    /// follows another (which may have been applied before its answer was lost) knows it.
    pub async fn process(&self, item: &OutboxItem) -> Result<Outcome, StoreError> {
        // Every log line of the item carries its ids: the order id follows the order from the
        // webhook that opened it, through the outbox, to here.
        let span = tracing::info_span!(
            "effect",
            tenant = %item.tenant,
            outbox_id = %item.id,
            effect = item.effect.name(),
            order_id = tracing::field::Empty,
        );
        if let Some(order_id) = item.effect.order_id() {
            span.record("order_id", tracing::field::display(order_id));
        }
        let outcome = self.process_leased(item).instrument(span.clone()).await;
        span.in_scope(|| tracing::debug!(outcome = ?outcome, "effect handled"));
        outcome
    }

    async fn process_leased(&self, item: &OutboxItem) -> Result<Outcome, StoreError> {
        let holder = uuid::Uuid::new_v4().simple().to_string();
        loop {
            let now = self.clock.now();
            let Some(attempt) = self
                .store
                .lease_outbox(item.id, &holder, now, now + LEASE)
                .await?
            else {
                // Done already, or being performed elsewhere.
                return Ok(Outcome::Busy);
            };
            let item = &OutboxItem {
                attempts: attempt,
                ..item.clone()
            };
            if attempt > self.retry.max_attempts {
                let error = format!("gave up after {} attempts", attempt - 1);
                return self.give_up(item, error).await;
            }
            let error = match self.perform(item, attempt).await {
                Ok(Done::Consumed) => return Ok(Outcome::Done),
                Ok(Done::Performed) => {
                    self.store.complete_outbox(item.id).await?;
                    return Ok(Outcome::Done);
                }
                Err(Failure::Store(e)) => {
                    self.store.release_outbox(item.id, &holder).await.ok();
                    return Err(e);
                }
                Err(Failure::Waiting(msg)) => {
                    tracing::info!(outbox_id = %item.id, tenant = %item.tenant, effect = item.effect.name(), reason = %msg, "effect waits for the tenant to reconnect");
                    crate::metrics::count(
                        "EffectsWaitingForConnection",
                        &[("Effect", item.effect.name())],
                    );
                    self.store
                        .return_outbox(item.id, &holder, self.clock.now())
                        .await?;
                    return Ok(Outcome::Waiting);
                }
                Err(Failure::Permanent(msg)) => msg,
                Err(Failure::Transient(msg)) => {
                    if !self.retry.allows_retry(attempt) {
                        msg
                    } else {
                        let wait = self.retry.jittered_delay(attempt);
                        if !deadline::allows(wait) {
                            tracing::info!(outbox_id = %item.id, effect = item.effect.name(), attempt, error = %msg, "effect left for the next run");
                            self.store.release_outbox(item.id, &holder).await?;
                            return Ok(Outcome::Deferred);
                        }
                        tracing::info!(outbox_id = %item.id, effect = item.effect.name(), attempt, wait_ms = wait.as_millis() as u64, error = %msg, "effect retried");
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                }
            };
            return self.give_up(item, error).await;
        }
    }

    async fn give_up(&self, item: &OutboxItem, error: String) -> Result<Outcome, StoreError> {
        tracing::warn!(outbox_id = %item.id, tenant = %item.tenant, effect = item.effect.name(), error = %error, "effect dead-lettered");
        crate::metrics::count("DeadLetteredEffects", &[("Effect", item.effect.name())]);
        let now = self.clock.now();
        let letter = DeadLetter::new(item.clone(), error.clone(), now);
        // A submission that failed for good puts the order in Error (tag + note) in the same
        // transaction that dead-letters the item.
        let failed_order = match item.effect {
            Effect::PlaceOrder { order_id } => self.store.get_order(order_id).await?,
            _ => None,
        };
        if let Some(order) = failed_order
            && order.status == OrderStatus::Requested
        {
            crate::metrics::count("ProviderErrors", &[("Provider", order.provider.as_str())]);
            let hint = self.route_hint(&order).await;
            let message = format!(
                "Background check could not be ordered: communication between {} and {} failed \
                 after several retries ({error}). {hint}",
                order.ats.display_name(),
                order.provider.display_name()
            );
            let (next, effects) =
                transitions::not_ordered(&order, OrderStatus::Error, message, now);
            let outbox = self.items(&order.tenant, effects);
            let commit = Commit::update(&order, next, "dispatcher:gave_up", outbox)
                .dead_lettering(letter.clone());
            match self.store.commit(commit).await {
                Ok(()) => return Ok(Outcome::DeadLettered),
                Err(CommitError::Store(e)) => return Err(e),
                Err(_) => {} // the order moved meanwhile: keep the letter without the state change
            }
        }
        // A recruiter's cancel that could not reach the provider: the order stays as it is,
        // and the ATS is told (the route's way).
        if let Effect::CancelOrder {
            order_id,
            reason: CancelReason::Cancelled,
        } = item.effect
            && let Some(order) = self.store.get_order(order_id).await?
            && let Ok((tenant, _)) = self.tenant_context(&order.tenant).await
            && let Some(effect) = tenant
                .route(&order.route)
                .and_then(|r| r.cancel_unreachable(&order.ats_ref))
        {
            let record = Record {
                deliveries: Vec::new(),
                outbox: self.items(&order.tenant, vec![effect]),
                consumes: None,
                audit: Vec::new(),
                now,
            };
            match self.store.record(record).await {
                Ok(()) => {}
                Err(CommitError::Store(e)) => return Err(e),
                Err(_) => {}
            }
        }
        self.store.dead_letter(letter).await?;
        Ok(Outcome::DeadLettered)
    }

    pub(crate) fn items(&self, tenant: &TenantId, effects: Vec<Effect>) -> Vec<OutboxItem> {
        let now = self.clock.now();
        effects
            .into_iter()
            .map(|e| OutboxItem::new(tenant.clone(), e, now))
            .collect()
    }

    /// `attempt` is the item's attempt number across runs (1 for the first).
    async fn perform(&self, item: &OutboxItem, attempt: u32) -> Result<Done, Failure> {
        let attempt = Attempt {
            queued_at: item.created_at,
            number: attempt,
        };
        match &item.effect {
            Effect::PlaceOrder { order_id } => {
                let (order, tenant, secrets) = self.context(*order_id).await?;
                self.place_order(item, order, tenant, secrets).await
            }
            Effect::CancelOrder { order_id, reason } => {
                let (order, tenant, secrets) = self.context(*order_id).await?;
                self.cancel_order(item, order, tenant, secrets, *reason)
                    .await
            }
            Effect::ClearTrigger {
                ats,
                ats_ref,
                tags,
                note,
            } => {
                let (tenant, secrets) = self.tenant_context(&item.tenant).await?;
                let ctx = AtsContext {
                    tenant: &tenant,
                    secrets: &secrets,
                };
                self.registry
                    .ats(*ats)
                    .clear_trigger(&ctx, ats_ref, tags, note.as_ref(), attempt)
                    .await?;
                Ok(Done::Performed)
            }
            Effect::Render { order_id, to } => self.render(*order_id, *to, attempt).await,
            Effect::Notify { order_id, note } => self.notify(*order_id, note, attempt).await,
            Effect::ConfirmDeletion { ats, ats_ref } => {
                self.confirm_deletion(&item.tenant, *ats, ats_ref).await
            }
            Effect::AdvanceStage {
                ats,
                ats_ref,
                from,
                to,
                actor,
                note,
            } => {
                let (tenant, secrets) = self.tenant_context(&item.tenant).await?;
                let ctx = AtsContext {
                    tenant: &tenant,
                    secrets: &secrets,
                };
                let step = StageMove {
                    ats_ref,
                    from,
                    to,
                    actor: actor.as_deref(),
                };
                self.registry
                    .ats(*ats)
                    .advance_stage(&ctx, &step, note, attempt)
                    .await?;
                Ok(Done::Performed)
            }
            Effect::CreateLead {
                ats,
                contact,
                posting,
                actor,
                source,
                note,
            } => {
                let (tenant, secrets) = self.tenant_context(&item.tenant).await?;
                let ctx = AtsContext {
                    tenant: &tenant,
                    secrets: &secrets,
                };
                let lead = Lead {
                    contact,
                    posting,
                    actor: actor.as_deref(),
                    source,
                };
                self.registry
                    .ats(*ats)
                    .create_lead(&ctx, &lead, note, attempt)
                    .await?;
                Ok(Done::Performed)
            }
            Effect::PublishEvent { event } => {
                self.events
                    .publish(std::slice::from_ref(event))
                    .await
                    .map_err(|e| Failure::Transient(e.to_string()))?;
                Ok(Done::Performed)
            }
        }
    }

    /// The route an order follows, as the tenant configures it now.
    pub(crate) fn route_of<'t>(
        tenant: &'t TenantConfig,
        order: &Order,
    ) -> Result<&'t Route, Failure> {
        tenant.route(&order.route).ok_or_else(|| {
            Failure::Permanent(format!(
                "route {} is no longer configured for this tenant",
                order.route
            ))
        })
    }

    /// How a recruiter retries the order's trigger (empty when the route is gone).
    async fn route_hint(&self, order: &Order) -> String {
        match self.tenants.get(&order.tenant).await {
            Ok(Some(t)) => t
                .route(&order.route)
                .map(Route::retry_hint)
                .unwrap_or_default(),
            _ => String::new(),
        }
    }

    pub(crate) async fn context(
        &self,
        order_id: OrderId,
    ) -> Result<(Order, TenantConfig, TenantSecrets), Failure> {
        let order = self
            .store
            .get_order(order_id)
            .await?
            .ok_or_else(|| Failure::Permanent("order not found".into()))?;
        let (tenant, secrets) = self.tenant_context(&order.tenant).await?;
        Ok((order, tenant, secrets))
    }

    pub(crate) async fn tenant_context(
        &self,
        tenant: &TenantId,
    ) -> Result<(TenantConfig, TenantSecrets), Failure> {
        let config = self
            .tenants
            .get(tenant)
            .await?
            .ok_or_else(|| Failure::Permanent("tenant not configured".into()))?;
        let secrets = self
            .secrets
            .get(tenant)
            .await
            .map_err(|e| Failure::Transient(e.to_string()))?
            .ok_or_else(|| Failure::Permanent("tenant has no secrets".into()))?;
        Ok((config, secrets))
    }

    /// Commit an order change caused by (and consuming) an outbox item.
    pub(crate) async fn commit_consuming(&self, commit: Commit) -> Result<Done, Failure> {
        match self.store.commit(commit).await {
            Ok(()) | Err(CommitError::OutboxItemGone) => Ok(Done::Consumed),
            Err(CommitError::VersionConflict) => {
                Err(Failure::Transient("order changed meanwhile".into()))
            }
            Err(CommitError::Store(e)) => Err(Failure::Store(e)),
            Err(e) => Err(Failure::Permanent(e.to_string())),
        }
    }

    /// Queue follow-up effects and consume the item that decided them, in one write.
    pub(crate) async fn record_consuming(
        &self,
        item: &OutboxItem,
        tenant: &TenantId,
        effects: Vec<Effect>,
    ) -> Result<Done, Failure> {
        let record = Record {
            deliveries: Vec::new(),
            outbox: self.items(tenant, effects),
            consumes: Some(item.id),
            audit: Vec::new(),
            now: self.clock.now(),
        };
        match self.store.record(record).await {
            Ok(()) | Err(CommitError::OutboxItemGone) => Ok(Done::Consumed),
            Err(CommitError::Store(e)) => Err(Failure::Store(e)),
            Err(e) => Err(Failure::Permanent(e.to_string())),
        }
    }
}
