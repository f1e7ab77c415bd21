//! The scheduled status poll: orders in flight with a provider whose status can be read
//! ([`crate::ports::provider::Capabilities::status`]) and whose tenant did not turn it off
//! are read again when their `poll_at` comes, so a tenant whose provider sends no callbacks
//! still converges. It reads only those orders, page by page, from the store's sparse poll
//! index (never a Scan), at most `max_orders` per run and never past the invocation's
//! deadline; the rest waits for the next run.
//!
//! A reading is applied by the decision a provider's callback gets
//! ([`crate::domain::status_poll::decide`] over [`crate::domain::transitions::apply`]), as one
//! commit conditional on the order's version (re-read and decided again when a callback got
//! there first), so a poll and a callback that report the same status make one change and one
//! set of effects. A reading that changes nothing, or that fails, only moves the order's next
//! poll (one conditional `UpdateItem`), with a back-off that grows while nothing changes.
//!
//! DynamoDB calls per run: one `Query` per page of due orders (a page holds up to
//! `page_size`), then per order read either one `TransactWriteItems` (it changed) or one
//! `UpdateItem` (next poll moved); a lost race adds one `GetItem` and one more write. Tenant
//! configuration and secrets come from the per-container caches.

use crate::adapters::secrets_cache::CachedSecrets;
use crate::adapters::tenant_cache::TenantCache;
use crate::domain::effects::OutboxItem;
use crate::domain::status_poll::{self, PollDecision};
use crate::domain::transitions::StatusChange;
use crate::domain::{Order, Phase};
use crate::ports::Clock;
use crate::ports::provider::ProviderAccount;
use crate::ports::provider::{ProviderAdapter, ProviderError};
use crate::ports::store::{Commit, CommitError, Store, StoreError};
use crate::registry::Registry;
use std::sync::Arc;

#[derive(Clone, Debug)]
pub struct StatusPollSettings {
    /// Orders read per page of the index.
    pub page_size: usize,
    /// Orders read per run at most (the rest waits for the next run).
    pub max_orders: usize,
}

impl Default for StatusPollSettings {
    fn default() -> Self {
        Self {
            page_size: 25,
            max_orders: 200,
        }
    }
}

#[derive(Clone)]
pub struct StatusPoll {
    pub store: Arc<dyn Store>,
    pub tenants: Arc<TenantCache>,
    pub secrets: Arc<CachedSecrets>,
    pub registry: Registry,
    pub clock: Arc<dyn Clock>,
    pub settings: StatusPollSettings,
}

/// What one run did (counts only, safe to log).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct StatusPollReport {
    /// Due orders read from the index.
    pub due: usize,
    /// Orders whose status was read at the provider.
    pub read: usize,
    /// Readings that changed the order.
    pub changed: usize,
    /// Readings that changed nothing (the next poll moved).
    pub unchanged: usize,
    /// Orders taken out of the poll (the tenant turned polls off, or the order ended).
    pub dropped: usize,
    /// Readings that failed (the next poll moved; the run goes on).
    pub failed: usize,
    /// Orders left for the next run (the deadline or `max_orders` was reached).
    pub cut_short: bool,
}

/// What became of one due order.
enum Outcome {
    Changed,
    Unchanged,
    Dropped,
    Failed,
}

impl StatusPoll {
    /// Read what is due, until the index has no more due orders, `max_orders` were read or
    /// `deadline` passed. A store failure ends the run (it alarms); a provider's failure for
    /// one order does not.
    pub async fn run(
        &self,
        deadline: Option<std::time::Instant>,
    ) -> Result<StatusPollReport, StoreError> {
        let mut report = StatusPollReport::default();
        let now = self.clock.now();
        let mut after = None;
        'pages: loop {
            let left = self.settings.max_orders.saturating_sub(report.due);
            if left == 0 || deadline.is_some_and(|d| std::time::Instant::now() >= d) {
                report.cut_short = true;
                break;
            }
            let page = self
                .store
                .due_polls(now, self.settings.page_size.min(left), after)
                .await?;
            for order in &page.orders {
                if deadline.is_some_and(|d| std::time::Instant::now() >= d) {
                    report.cut_short = true;
                    break 'pages;
                }
                report.due += 1;
                match self.poll_one(order).await? {
                    Outcome::Changed => report.changed += 1,
                    Outcome::Unchanged => report.unchanged += 1,
                    Outcome::Dropped => report.dropped += 1,
                    Outcome::Failed => report.failed += 1,
                }
            }
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        report.read = report.changed + report.unchanged;
        crate::metrics::count_n("StatusPollsChanged", &[], report.changed);
        crate::metrics::count_n("StatusPollsFailed", &[], report.failed);
        Ok(report)
    }

    /// Read one order's status and apply it.
    async fn poll_one(&self, indexed: &Order) -> Result<Outcome, StoreError> {
        let now = self.clock.now();
        let provider = self.registry.provider(indexed.provider);
        let tenant = self.tenants.get(&indexed.tenant).await?;
        let polled = tenant.as_ref().filter(|t| {
            provider.capabilities().status
                && provider.status_poll(t)
                && t.orders_from(indexed.provider)
        });
        let (Some(tenant), Some(provider_ref)) = (polled, indexed.provider_ref.as_deref()) else {
            // The tenant turned polls off (or is gone): the order leaves the index.
            self.store.defer_poll(indexed, None).await?;
            tracing::info!(tenant = %indexed.tenant, order_id = %indexed.id, "order no longer polled");
            return Ok(Outcome::Dropped);
        };
        let reading = match self.read(tenant, provider, provider_ref).await {
            Ok(change) => change,
            Err(why) => {
                // The provider's own words may describe the candidate: its code only.
                let error = match &why {
                    ProviderError::Refused { code, .. } => format!("refused ({code})"),
                    other => other.to_string(),
                };
                tracing::warn!(tenant = %indexed.tenant, order_id = %indexed.id, provider = indexed.provider.as_str(), error, "status poll failed; read again later");
                crate::metrics::count("ProviderErrors", &[("Provider", indexed.provider.as_str())]);
                let later = status_poll::still_polled(indexed)
                    .then(|| status_poll::next_poll(indexed, now));
                self.store.defer_poll(indexed, later).await?;
                return Ok(Outcome::Failed);
            }
        };
        self.apply(indexed.clone(), &reading, now).await
    }

    /// The provider's word on the order, as a canonical change.
    async fn read(
        &self,
        tenant: &crate::config::TenantConfig,
        provider: &dyn ProviderAdapter,
        provider_ref: &str,
    ) -> Result<StatusChange, ProviderError> {
        let secrets = self
            .secrets
            .get(&tenant.id)
            .await
            .map_err(|e| ProviderError::Transient(format!("secrets: {e}")))?
            .ok_or_else(|| ProviderError::Unexpected("the tenant has no secrets".into()))?;
        // Reads send no callback address.
        let acct = ProviderAccount::of(tenant, &secrets, provider, String::new())
            .map_err(|e| ProviderError::Unexpected(e.to_string()))?;
        let report = provider.read_status(&acct, provider_ref).await?;
        if report.provider_ref != provider_ref {
            return Err(ProviderError::Unexpected(
                "the provider answered about another order".into(),
            ));
        }
        Ok(report.change)
    }

    /// Apply a reading to the order's current version; re-read and decide again when a
    /// callback (or another poll) changed it meanwhile.
    async fn apply(
        &self,
        mut order: Order,
        reading: &StatusChange,
        now: time::OffsetDateTime,
    ) -> Result<Outcome, StoreError> {
        for _ in 0..3 {
            let (next, effects) = match status_poll::decide(&order, reading, now) {
                PollDecision::Apply(next, effects) => (*next, effects),
                PollDecision::Defer(at) => {
                    // Lost to a concurrent change: that version has its own next poll.
                    self.store.defer_poll(&order, at).await?;
                    return Ok(Outcome::Unchanged);
                }
            };
            let outbox = effects
                .into_iter()
                .map(|e| OutboxItem::new(order.tenant.clone(), e, now))
                .collect();
            let to = next.status;
            match self
                .store
                .commit(Commit::update(&order, next, "status_poll", outbox))
                .await
            {
                Ok(()) => {
                    tracing::info!(tenant = %order.tenant, order_id = %order.id, status = to.as_str(), "order updated by status poll");
                    if to.phase() == Phase::Results && order.status.phase() != Phase::Results {
                        crate::metrics::count(
                            "OrdersCompleted",
                            &[
                                ("Integration", order.route.as_str()),
                                ("Provider", order.provider.as_str()),
                            ],
                        );
                    }
                    return Ok(Outcome::Changed);
                }
                Err(CommitError::VersionConflict) => match self.store.get_order(order.id).await? {
                    Some(current) => order = current,
                    None => return Ok(Outcome::Dropped),
                },
                Err(CommitError::Store(e)) => return Err(e),
                Err(e) => return Err(StoreError::Unavailable(e.to_string())),
            }
        }
        // Still changing under us: the next run reads it again.
        Ok(Outcome::Unchanged)
    }
}
