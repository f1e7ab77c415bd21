//! The scheduled Lever tag poll (Lever sends no webhook for tag changes): per tenant with
//! Backgrounds Online enabled, one paginated list of the opportunities carrying the Start or
//! the Cancel tag (Lever's `tag` filter is a union), updated since the tenant's cursor minus
//! an overlap. Each opportunity turns into at most one order or one cancel request.
//!
//! Idempotence: every decision is committed together with a delivery key made of the
//! opportunity id, the tag and the opportunity's `updatedAt`; a second poll (or two polls at
//! once) seeing the same version of the opportunity commits nothing. Every decision removes
//! the tag it acted on, which bumps `updatedAt` and takes the opportunity out of the list.
//!
//! Resumable: the cursor moves to the poll's start time only when every page was read and
//! every opportunity handled; a run cut short (deadline, error) leaves it where it was, and
//! the next run re-reads those opportunities harmlessly.

use crate::adapters::secrets_cache::CachedSecrets;
use crate::domain::ats::lever::Opportunity;
use crate::domain::effects::{Effect, OutboxItem};
use crate::domain::providers::backgrounds_online::{
    self, CANCEL_TAG, CancelDecision, START_TAG, StartDecision,
};
use crate::domain::{Integration, Order, TenantConfig, TenantId};
use crate::ports::Clock;
use crate::ports::lever::{LeverAccount, LeverApi, LeverError, OpportunityQuery};
use crate::ports::store::{Commit, CommitError, DeliveryRecord, Record, Store, StoreError};
use std::sync::Arc;
use time::OffsetDateTime;

/// Name of the tenant's cursor item.
pub const CURSOR: &str = "backgrounds_online_tags";

#[derive(Clone, Debug)]
pub struct PollSettings {
    /// Re-read this much before the cursor (clock skew, Lever's indexing delay).
    pub overlap: time::Duration,
    /// How long a decision key is remembered.
    pub decision_ttl: time::Duration,
}

impl Default for PollSettings {
    fn default() -> Self {
        Self {
            overlap: time::Duration::minutes(5),
            decision_ttl: time::Duration::days(30),
        }
    }
}

#[derive(Clone)]
pub struct TagPoll {
    pub store: Arc<dyn Store>,
    pub secrets: Arc<CachedSecrets>,
    pub lever: Arc<dyn LeverApi>,
    pub clock: Arc<dyn Clock>,
    pub settings: PollSettings,
}

/// What one poll did (counts only, safe to log).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct PollReport {
    pub tenants: usize,
    pub lever_list_calls: usize,
    pub opportunities: usize,
    pub orders_created: usize,
    pub orders_rejected: usize,
    pub cancels_requested: usize,
    pub cancels_refused: usize,
    /// Already decided (same opportunity version seen before, or by a concurrent poll).
    pub already_decided: usize,
    pub failed: usize,
    /// Tenants whose cursor did not move (cut short or failures): re-read next time.
    pub incomplete_tenants: usize,
}

/// What one Start tag led to.
enum Started {
    Created,
    Rejected,
    AlreadyOrdered,
}

#[derive(Debug, thiserror::Error)]
enum PollError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Lever(#[from] LeverError),
    #[error("{0}")]
    Config(&'static str),
}

impl TagPoll {
    /// Poll every tenant with Backgrounds Online enabled; stop starting new pages once
    /// `deadline` has passed.
    pub async fn run(
        &self,
        deadline: Option<std::time::Instant>,
    ) -> Result<PollReport, StoreError> {
        let mut report = PollReport::default();
        for tenant in self.store.list_tenants().await? {
            if tenant.backgrounds_online.is_none() {
                continue;
            }
            report.tenants += 1;
            match self.poll_tenant(&tenant, deadline, &mut report).await {
                Ok(true) => {}
                Ok(false) => report.incomplete_tenants += 1,
                Err(e) => {
                    report.incomplete_tenants += 1;
                    tracing::warn!(tenant = %tenant.id, error = %e, "tag poll failed for tenant");
                }
            }
        }
        crate::metrics::count_n(
            "OrdersCreated",
            &[("Integration", Integration::BackgroundsOnline.as_str())],
            report.orders_created,
        );
        Ok(report)
    }

    async fn lever_account(&self, tenant: &TenantConfig) -> Result<LeverAccount, PollError> {
        let secrets = self
            .secrets
            .get(&tenant.id)
            .await
            .map_err(|_| PollError::Config("tenant secrets unavailable"))?
            .ok_or(PollError::Config("tenant has no secrets"))?;
        LeverAccount::for_tenant(tenant, &secrets)
            .ok_or(PollError::Config("no Lever API key configured"))
    }

    /// `Ok(true)` when the tenant was polled completely and its cursor moved.
    async fn poll_tenant(
        &self,
        tenant: &TenantConfig,
        deadline: Option<std::time::Instant>,
        report: &mut PollReport,
    ) -> Result<bool, PollError> {
        let acct = self.lever_account(tenant).await?;
        let started = self.clock.now();
        let cursor = self
            .store
            .get_cursor(&tenant.id, CURSOR)
            .await?
            .and_then(|c| c.parse::<i64>().ok());
        let query = OpportunityQuery {
            tags: vec![START_TAG.to_owned(), CANCEL_TAG.to_owned()],
            updated_at_start: cursor
                .map(|ms| ms - self.settings.overlap.whole_milliseconds() as i64),
            archived: Some(false),
            limit: Some(100),
        };
        let mut offset: Option<String> = None;
        let mut complete = true;
        loop {
            if deadline.is_some_and(|d| std::time::Instant::now() >= d) {
                complete = false;
                break;
            }
            report.lever_list_calls += 1;
            let page = self
                .lever
                .list_opportunities(&acct, &query, offset.as_deref())
                .await?;
            for opp in &page.data {
                report.opportunities += 1;
                if let Err(e) = self.handle(tenant, opp, report).await {
                    report.failed += 1;
                    complete = false;
                    tracing::warn!(tenant = %tenant.id, opportunity_id = %opp.id, error = %e, "tag not handled; retried next poll");
                }
            }
            match page.next.filter(|_| page.has_next) {
                Some(next) => offset = Some(next),
                None => break,
            }
        }
        if complete {
            let ms = started.unix_timestamp_nanos() / 1_000_000;
            self.store
                .put_cursor(&tenant.id, CURSOR, &ms.to_string())
                .await?;
        }
        Ok(complete)
    }

    async fn handle(
        &self,
        tenant: &TenantConfig,
        opp: &Opportunity,
        report: &mut PollReport,
    ) -> Result<(), StoreError> {
        let has = |tag: &str| opp.tags.iter().any(|t| t == tag);
        if has(START_TAG) {
            self.start(tenant, opp, report).await?;
        }
        if has(CANCEL_TAG) {
            self.cancel(tenant, opp, report).await?;
        }
        Ok(())
    }

    fn delivery(
        &self,
        tenant: &TenantId,
        opp: &Opportunity,
        tag: &str,
        now: OffsetDateTime,
    ) -> DeliveryRecord {
        DeliveryRecord {
            key: format!(
                "lever-tag:{tenant}:{}:{tag}:{}",
                opp.id,
                opp.updated_at.unwrap_or_default()
            ),
            expires_at: now + self.settings.decision_ttl,
            fingerprint: None,
        }
    }

    fn items(tenant: &TenantId, effects: Vec<Effect>, now: OffsetDateTime) -> Vec<OutboxItem> {
        effects
            .into_iter()
            .map(|e| OutboxItem::new(tenant.clone(), e, now))
            .collect()
    }

    async fn start(
        &self,
        tenant: &TenantConfig,
        opp: &Opportunity,
        report: &mut PollReport,
    ) -> Result<(), StoreError> {
        let Some(settings) = tenant.backgrounds_online.as_ref() else {
            return Ok(());
        };
        let now = self.clock.now();
        let active = self
            .store
            .find_active(&tenant.id, Integration::BackgroundsOnline, &opp.id)
            .await?;
        let fresh = Order::new(
            tenant.id.clone(),
            Integration::BackgroundsOnline,
            opp.id.clone(),
            now,
        );
        let delivery = self.delivery(&tenant.id, opp, "start", now);
        let outcome = match backgrounds_online::decide_start(settings, active.as_ref(), opp, fresh)
        {
            StartDecision::AlreadyOrdered(effects) => {
                let record = Record {
                    deliveries: vec![delivery],
                    outbox: Self::items(&tenant.id, effects, now),
                    consumes: None,
                    audit: Vec::new(),
                    now,
                };
                self.store
                    .record(record)
                    .await
                    .map(|()| Started::AlreadyOrdered)
            }
            StartDecision::Create(order, effects) => {
                let rejected = order.status.is_terminal();
                let outbox = Self::items(&tenant.id, effects, now);
                let commit =
                    Commit::create(*order, "lever_tag_poll:start", outbox).with_delivery(delivery);
                self.store.commit(commit).await.map(|()| {
                    if rejected {
                        Started::Rejected
                    } else {
                        Started::Created
                    }
                })
            }
        };
        match outcome {
            Ok(Started::Created) => report.orders_created += 1,
            Ok(Started::Rejected) => {
                report.orders_rejected += 1;
                crate::metrics::count(
                    "OrdersRejected",
                    &[
                        ("Integration", Integration::BackgroundsOnline.as_str()),
                        ("Reason", "not_orderable"),
                    ],
                );
            }
            Ok(Started::AlreadyOrdered)
            | Err(CommitError::DuplicateDelivery | CommitError::ActiveOrderExists) => {
                report.already_decided += 1
            }
            Err(CommitError::Store(e)) => return Err(e),
            Err(e) => return Err(StoreError::Unavailable(e.to_string())),
        }
        Ok(())
    }

    async fn cancel(
        &self,
        tenant: &TenantConfig,
        opp: &Opportunity,
        report: &mut PollReport,
    ) -> Result<(), StoreError> {
        let now = self.clock.now();
        let active = self
            .store
            .find_active(&tenant.id, Integration::BackgroundsOnline, &opp.id)
            .await?;
        let delivery = self.delivery(&tenant.id, opp, "cancel", now);
        let effects = match backgrounds_online::decide_cancel(active.as_ref(), opp) {
            CancelDecision::AskProvider(effects) | CancelDecision::Refuse(effects) => effects,
        };
        let refused = !effects
            .iter()
            .any(|e| matches!(e, Effect::CancelOrder { .. }));
        let record = Record {
            deliveries: vec![delivery],
            outbox: Self::items(&tenant.id, effects, now),
            consumes: None,
            audit: Vec::new(),
            now,
        };
        let outcome = self.store.record(record).await;
        match outcome {
            Ok(()) if refused => report.cancels_refused += 1,
            Ok(()) => report.cancels_requested += 1,
            Err(CommitError::DuplicateDelivery) => report.already_decided += 1,
            Err(CommitError::Store(e)) => return Err(e),
            Err(e) => return Err(StoreError::Unavailable(e.to_string())),
        }
        Ok(())
    }
}
