//! The scheduled Lever tag poll (Lever sends no webhook for tag changes): per tenant with
//! `lever_tag` routes, one paginated list of the opportunities carrying any of their start or
//! cancel tags (Lever's `tag` filter is a union), updated since the tenant's cursor minus an
//! overlap. Each opportunity turns into at most one order or one cancel request per route.
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
use crate::config::{Route, TenantConfig, Trigger};
use crate::domain::TenantId;
use crate::domain::ats::lever::Opportunity;
use crate::domain::ats::lever_route::LeverTrigger;
use crate::domain::effects::{Effect, OutboxItem};
use crate::ports::Clock;
use crate::ports::lever::{LeverAccount, LeverApi, LeverError, OpportunityQuery};
use crate::ports::store::{CommitError, DeliveryRecord, Record, Store, StoreError};
use std::sync::Arc;
use time::OffsetDateTime;

/// Name of the tenant's cursor item (one list for all its tag routes; the name predates
/// routes and is kept so deployed cursors stay valid).
pub const CURSOR: &str = "backgrounds_online_tags";

/// The tenant's routes started by a Lever tag.
fn tag_routes(tenant: &TenantConfig) -> Vec<(&Route, LeverTrigger)> {
    tenant
        .routes
        .iter()
        .filter(|r| matches!(r.trigger, Trigger::LeverTag { .. }))
        .filter_map(|r| r.trigger.lever().map(|t| (r, t)))
        .collect()
}

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
    /// Orders opened (each is then placed, or refused with a note, by the dispatcher).
    pub orders_created: usize,
    pub cancels_requested: usize,
    pub cancels_refused: usize,
    /// Already decided (same opportunity version seen before, or by a concurrent poll).
    pub already_decided: usize,
    pub failed: usize,
    /// Tenants whose cursor did not move (cut short or failures): re-read next time.
    pub incomplete_tenants: usize,
    /// Tenants skipped because their Lever connection is lost (they resume on reconnect).
    pub disconnected_tenants: usize,
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
    /// Poll every tenant with a tag route; stop starting new pages once `deadline` has
    /// passed.
    pub async fn run(
        &self,
        deadline: Option<std::time::Instant>,
    ) -> Result<PollReport, StoreError> {
        let mut report = PollReport::default();
        for tenant in self.store.list_tenants().await? {
            if tag_routes(&tenant).is_empty() {
                continue;
            }
            if let Ok(acct) = self.lever_account(&tenant).await
                && let Err(LeverError::Disconnected(why)) = self.lever.ready(&acct).await
            {
                tracing::info!(tenant = %tenant.id, reason = %why, "tag poll skips a disconnected tenant");
                report.disconnected_tenants += 1;
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
        let mut tags: Vec<String> = Vec::new();
        for (_, trigger) in tag_routes(tenant) {
            if let LeverTrigger::Tag { start, cancel } = trigger {
                tags.extend([start].into_iter().chain(cancel));
            }
        }
        tags.sort();
        tags.dedup();
        let query = OpportunityQuery {
            tags,
            updated_at_start: cursor
                .map(|ms| ms - self.settings.overlap.whole_milliseconds() as i64),
            archived: Some(false),
            limit: Some(100),
            ..OpportunityQuery::default()
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
        for (route, trigger) in tag_routes(tenant) {
            let LeverTrigger::Tag { start, cancel } = &trigger else {
                continue;
            };
            if has(start) {
                self.start(tenant, route, &trigger, opp, report).await?;
            }
            if cancel.as_deref().is_some_and(has) {
                self.cancel(tenant, route, &trigger, opp, report).await?;
            }
        }
        Ok(())
    }

    fn delivery(
        &self,
        tenant: &TenantId,
        route: &Route,
        opp: &Opportunity,
        what: &str,
        now: OffsetDateTime,
    ) -> DeliveryRecord {
        DeliveryRecord {
            key: format!(
                "lever-tag:{tenant}:{}:{}:{what}:{}",
                opp.id,
                route.id,
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
        route: &Route,
        trigger: &LeverTrigger,
        opp: &Opportunity,
        report: &mut PollReport,
    ) -> Result<(), StoreError> {
        let now = self.clock.now();
        let active = self
            .store
            .find_active(&tenant.id, &route.id, &opp.id)
            .await?;
        let delivery = self.delivery(&tenant.id, route, opp, "start", now);
        let outcome = if active.is_some() {
            // An order is already under way: only make sure the start tag goes.
            let record = Record {
                deliveries: vec![delivery],
                outbox: Self::items(
                    &tenant.id,
                    trigger.already_ordered(opp).into_iter().collect(),
                    now,
                ),
                consumes: None,
                audit: Vec::new(),
                now,
            };
            self.store.record(record).await.map(|()| false)
        } else {
            let commit = crate::intake::open(
                &tenant.id,
                route,
                &opp.id,
                crate::intake::Opening::default(),
                "lever_tag_poll:start",
                now,
            )
            .with_delivery(delivery);
            self.store.commit(commit).await.map(|()| true)
        };
        match outcome {
            Ok(true) => {
                report.orders_created += 1;
                crate::intake::count_opened(route, 1);
            }
            Ok(false) | Err(CommitError::DuplicateDelivery | CommitError::ActiveOrderExists) => {
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
        route: &Route,
        trigger: &LeverTrigger,
        opp: &Opportunity,
        report: &mut PollReport,
    ) -> Result<(), StoreError> {
        let now = self.clock.now();
        let active = self
            .store
            .find_active(&tenant.id, &route.id, &opp.id)
            .await?;
        let delivery = self.delivery(&tenant.id, route, opp, "cancel", now);
        let effects: Vec<Effect> = trigger
            .decide_cancel(active.as_ref(), opp)
            .into_iter()
            .collect();
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
