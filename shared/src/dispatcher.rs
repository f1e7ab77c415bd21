//! Performs outbox effects: once each, with retries and backoff, and dead-letters what still
//! fails. Triggered by the table's stream on AWS (plus a scheduled re-drive) and by an
//! in-process worker locally.
//!
//! Every effect is safe to run again: provider orders are idempotent on our order id, tag
//! changes converge on the order's current state, and an effect that changes an order
//! consumes its outbox item in the same transaction. An item is deleted only after its
//! effect succeeded, so a dispatcher that dies between two effects loses nothing.

use crate::adapters::secrets_cache::CachedSecrets;
use crate::domain::alliance;
use crate::domain::effects::{DeadLetter, Effect, OutboxItem};
use crate::domain::ids::OrderId;
use crate::domain::lever::NewNote;
use crate::domain::tags;
use crate::domain::{Order, OrderStatus, TenantConfig};
use crate::outbound::RetryPolicy;
use crate::ports::events::EventPublisher;
use crate::ports::lever::{LeverAccount, LeverApi, LeverError};
use crate::ports::provider::{AllianceAccount, AllianceApi, ProviderError};
use crate::ports::store::{Commit, CommitError, Store, StoreError};
use crate::ports::{Clock, TenantSecrets};
use std::sync::Arc;

#[derive(Clone)]
pub struct Dispatcher {
    pub store: Arc<dyn Store>,
    pub secrets: Arc<CachedSecrets>,
    pub clock: Arc<dyn Clock>,
    pub lever: Arc<dyn LeverApi>,
    pub alliance: Arc<dyn AllianceApi>,
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
}

#[derive(Debug)]
enum Failure {
    /// Worth retrying (timeouts, 429, 5xx, version races).
    Transient(String),
    /// Retrying cannot help (missing configuration, refused credentials, unknown objects).
    Permanent(String),
    Store(StoreError),
}

impl From<StoreError> for Failure {
    fn from(e: StoreError) -> Self {
        Failure::Store(e)
    }
}

impl From<LeverError> for Failure {
    fn from(e: LeverError) -> Self {
        if e.is_transient() {
            Failure::Transient(format!("Lever: {e}"))
        } else {
            Failure::Permanent(format!("Lever: {e}"))
        }
    }
}

/// What a successful effect did with its outbox item.
enum Done {
    /// The effect's own commit consumed the item.
    Consumed,
    /// The item still exists and must be deleted now.
    Performed,
}

impl Dispatcher {
    /// Perform every pending item (oldest first), up to `limit`. Returns how many were handled.
    pub async fn drain(&self, limit: usize) -> Result<usize, StoreError> {
        let items = self.store.pending_outbox(limit).await?;
        for item in &items {
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
            self.process(item).await?;
        }
        Ok(items.len())
    }

    /// Perform one item with retries. Only store failures are returned as errors (the caller
    /// then leaves the item for a later run).
    pub async fn process(&self, item: &OutboxItem) -> Result<Outcome, StoreError> {
        // A re-drive and a stream delivery may both see an item: only one that still
        // exists is performed (notes are not idempotent on Lever's side).
        if self.store.get_outbox(item.id).await?.is_none() {
            return Ok(Outcome::Done);
        }
        let mut failed = item.attempts;
        loop {
            let error = match self.perform(item).await {
                Ok(Done::Consumed) => return Ok(Outcome::Done),
                Ok(Done::Performed) => {
                    self.store.complete_outbox(item.id).await?;
                    return Ok(Outcome::Done);
                }
                Err(Failure::Store(e)) => return Err(e),
                Err(Failure::Permanent(msg)) => msg,
                Err(Failure::Transient(msg)) => {
                    failed += 1;
                    if self.retry.allows_retry(failed) {
                        let wait = self.retry.jittered_delay(failed);
                        tracing::info!(outbox_id = %item.id, effect = item.effect.name(), attempt = failed, wait_ms = wait.as_millis() as u64, error = %msg, "effect retried");
                        tokio::time::sleep(wait).await;
                        continue;
                    }
                    msg
                }
            };
            return self.give_up(item, error).await;
        }
    }

    async fn give_up(&self, item: &OutboxItem, error: String) -> Result<Outcome, StoreError> {
        tracing::warn!(outbox_id = %item.id, tenant = %item.tenant, effect = item.effect.name(), error = %error, "effect dead-lettered");
        crate::metrics::count("DeadLetteredEffects", item.effect.name());
        let now = self.clock.now();
        let letter = DeadLetter {
            item: item.clone(),
            error: error.clone(),
            failed_at: now,
        };
        // A submission that failed for good puts the order in Error (tag + note) in the same
        // transaction that dead-letters the item.
        if let Effect::SubmitAllianceOrder { order_id } = item.effect
            && let Some(order) = self.store.get_order(order_id).await?
            && order.status == OrderStatus::Requested
        {
            crate::metrics::count("ProviderErrors", order.integration.as_str());
            let (next, effects) = alliance::failed(&order, &error, now);
            let outbox = self.items(&order, effects);
            let commit = Commit::update(&order, next, "dispatcher:gave_up", outbox)
                .dead_lettering(letter.clone());
            match self.store.commit(commit).await {
                Ok(()) => return Ok(Outcome::DeadLettered),
                Err(CommitError::Store(e)) => return Err(e),
                Err(_) => {} // the order moved meanwhile: keep the letter without the state change
            }
        }
        self.store.dead_letter(letter).await?;
        Ok(Outcome::DeadLettered)
    }

    fn items(&self, order: &Order, effects: Vec<Effect>) -> Vec<OutboxItem> {
        let now = self.clock.now();
        effects
            .into_iter()
            .map(|e| OutboxItem::new(order.tenant.clone(), e, now))
            .collect()
    }

    async fn perform(&self, item: &OutboxItem) -> Result<Done, Failure> {
        match &item.effect {
            Effect::SubmitAllianceOrder { order_id } => self.submit_alliance(item, *order_id).await,
            Effect::LeverSyncStatus { order_id } => self.sync_status(*order_id).await,
            Effect::LeverNote { order_id, note } => self.note(*order_id, note).await,
            Effect::PublishEvent { event } => {
                self.events
                    .publish(std::slice::from_ref(event))
                    .await
                    .map_err(|e| Failure::Transient(e.to_string()))?;
                Ok(Done::Performed)
            }
        }
    }

    async fn context(
        &self,
        order_id: OrderId,
    ) -> Result<(Order, TenantConfig, TenantSecrets), Failure> {
        let order = self
            .store
            .get_order(order_id)
            .await?
            .ok_or_else(|| Failure::Permanent("order not found".into()))?;
        let tenant = self
            .store
            .get_tenant(&order.tenant)
            .await?
            .ok_or_else(|| Failure::Permanent("tenant not configured".into()))?;
        let secrets = self
            .secrets
            .get(&order.tenant)
            .await
            .map_err(|e| Failure::Transient(e.to_string()))?
            .ok_or_else(|| Failure::Permanent("tenant has no secrets".into()))?;
        Ok((order, tenant, secrets))
    }

    fn lever_account(
        tenant: &TenantConfig,
        secrets: &TenantSecrets,
    ) -> Result<LeverAccount, Failure> {
        let api_key = secrets
            .lever_api_key
            .clone()
            .ok_or_else(|| Failure::Permanent("no Lever API key configured".into()))?;
        Ok(LeverAccount {
            tenant: tenant.id.clone(),
            api_base: tenant.lever.api_base.clone(),
            api_key,
            perform_as: tenant.lever.perform_as.clone(),
            requests_per_second: tenant.lever.requests_per_second,
            burst: tenant.lever.burst,
        })
    }

    async fn submit_alliance(&self, item: &OutboxItem, order_id: OrderId) -> Result<Done, Failure> {
        let (order, tenant, secrets) = self.context(order_id).await?;
        if order.status != OrderStatus::Requested {
            return Ok(Done::Performed); // already submitted by an earlier run
        }
        let settings = tenant.alliance.as_ref().ok_or_else(|| {
            Failure::Permanent("Alliance 2020 is not enabled for this tenant".into())
        })?;
        let lever = Self::lever_account(&tenant, &secrets)?;
        let opp = self
            .lever
            .get_opportunity(&lever, &order.opportunity_id)
            .await?;
        let posting = match opp.posting_id() {
            Some(id) => match self.lever.get_posting(&lever, id).await {
                Ok(p) => Some(p),
                Err(LeverError::Status { status: 404, .. }) => None,
                Err(e) => return Err(e.into()),
            },
            None => None,
        };
        let now = self.clock.now();
        let (next, effects, cause) =
            match alliance::build_order(settings, &order, &opp, posting.as_ref()) {
                Err(rejection) => {
                    crate::metrics::count("OrdersRejected", rejection.code);
                    let (next, effects) = alliance::rejected(&order, rejection.message, now);
                    (next, effects, "dispatcher:rejected")
                }
                Ok(request) => {
                    let creds = secrets.alliance.as_ref().ok_or_else(|| {
                        Failure::Permanent("no Alliance 2020 credentials configured".into())
                    })?;
                    let acct = AllianceAccount {
                        tenant: tenant.id.clone(),
                        api_base: settings.api_base.clone(),
                        api_key: creds.api_key.clone(),
                        callback_url: format!(
                            "{}{}{}",
                            self.public_base_url.trim_end_matches('/'),
                            crate::api::ALLIANCE_CALLBACK_PREFIX,
                            tenant.id
                        ),
                    };
                    match self.alliance.place_order(&acct, &request).await {
                        Ok(placed) => {
                            let (next, effects) =
                                alliance::accepted(&order, placed.provider_ref, request, now);
                            (next, effects, "dispatcher:accepted")
                        }
                        Err(ProviderError::Refused { code, message }) => {
                            crate::metrics::count("OrdersRejected", "provider_refused");
                            tracing::info!(order_id = %order.id, code, "provider refused order");
                            let msg = format!(
                                "{} rejected the background check order: {message}",
                                alliance::PROVIDER_NAME
                            );
                            let (next, effects) = alliance::rejected(&order, msg, now);
                            (next, effects, "dispatcher:provider_refused")
                        }
                        Err(e) if e.is_transient() => {
                            return Err(Failure::Transient(format!(
                                "{}: {e}",
                                alliance::PROVIDER_NAME
                            )));
                        }
                        Err(e) => {
                            return Err(Failure::Permanent(format!(
                                "{}: {e}",
                                alliance::PROVIDER_NAME
                            )));
                        }
                    }
                }
            };
        let commit =
            Commit::update(&order, next, cause, self.items(&order, effects)).consuming(item.id);
        match self.store.commit(commit).await {
            Ok(()) | Err(CommitError::OutboxItemGone) => Ok(Done::Consumed),
            Err(CommitError::VersionConflict) => {
                Err(Failure::Transient("order changed meanwhile".into()))
            }
            Err(CommitError::Store(e)) => Err(Failure::Store(e)),
            Err(e) => Err(Failure::Permanent(e.to_string())),
        }
    }

    async fn sync_status(&self, order_id: OrderId) -> Result<Done, Failure> {
        let (order, tenant, secrets) = self.context(order_id).await?;
        let Some(settings) = tenant.alliance.as_ref() else {
            return Err(Failure::Permanent(
                "Alliance 2020 is not enabled for this tenant".into(),
            ));
        };
        let lever = Self::lever_account(&tenant, &secrets)?;
        let opp = self
            .lever
            .get_opportunity(&lever, &order.opportunity_id)
            .await?;
        let diff = tags::diff(
            &opp.tags,
            &alliance::desired_tags(settings, &order),
            &alliance::managed_tags(settings),
        );
        if !diff.remove.is_empty() {
            self.lever
                .remove_tags(&lever, &order.opportunity_id, &diff.remove)
                .await?;
        }
        if !diff.add.is_empty() {
            self.lever
                .add_tags(&lever, &order.opportunity_id, &diff.add)
                .await?;
        }
        Ok(Done::Performed)
    }

    async fn note(&self, order_id: OrderId, note: &NewNote) -> Result<Done, Failure> {
        let (order, tenant, secrets) = self.context(order_id).await?;
        let lever = Self::lever_account(&tenant, &secrets)?;
        self.lever
            .create_note(&lever, &order.opportunity_id, note)
            .await?;
        Ok(Done::Performed)
    }
}
