//! Performs outbox effects: once each, with retries and backoff, and dead-letters what still
//! fails. Triggered by the table's stream on AWS (plus a scheduled re-drive) and by an
//! in-process worker locally.
//!
//! Every effect is safe to run again: provider orders are idempotent on our order id, tag
//! changes converge on the order's current state, and an effect that changes an order
//! consumes its outbox item in the same transaction. An item is deleted only after its
//! effect succeeded, so a dispatcher that dies between two effects loses nothing.

use crate::adapters::secrets_cache::CachedSecrets;
use crate::adapters::tenant_cache::TenantCache;
use crate::domain::ats::confirmation::{self, DeletionCheck};
use crate::domain::ats::lever::{NewNote, already_posted};
use crate::domain::ats::{lever_tags, tags};
use crate::domain::effects::{CancelReason, DeadLetter, Effect, OutboxItem};
use crate::domain::ids::OrderId;
use crate::domain::providers::{alliance, backgrounds_online};
use crate::domain::tenant::BackgroundsOnlineSettings;
use crate::domain::{Integration, Order, OrderStatus, TenantConfig, TenantId};
use crate::outbound::{RetryPolicy, deadline};
use crate::ports::events::EventPublisher;
use crate::ports::lever::{LeverAccount, LeverApi, LeverError};
use crate::ports::provider::{AllianceApi, BackgroundsOnlineApi, ProviderAccount, ProviderError};
use crate::ports::store::{Commit, CommitError, Record, Store, StoreError};
use crate::ports::{Clock, TenantSecrets};
use std::sync::Arc;
use std::time::Duration;
use tracing::Instrument;

#[derive(Clone)]
pub struct Dispatcher {
    pub store: Arc<dyn Store>,
    /// Tenant configuration, cached per container.
    pub tenants: Arc<TenantCache>,
    pub secrets: Arc<CachedSecrets>,
    pub clock: Arc<dyn Clock>,
    pub lever: Arc<dyn LeverApi>,
    pub alliance: Arc<dyn AllianceApi>,
    pub backgrounds_online: Arc<dyn BackgroundsOnlineApi>,
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
}

/// How long an attempt holds an item: longer than any invocation (60 s), so a lease runs
/// out only when its holder died.
pub const LEASE: time::Duration = time::Duration::minutes(2);

/// Pages of an opportunity's notes read when looking for one already posted.
const MAX_NOTE_PAGES: usize = 10;

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
            crate::metrics::count(
                "ProviderErrors",
                &[("Provider", order.integration.as_str())],
            );
            let (next, effects) = match order.integration {
                Integration::BackgroundsOnline => backgrounds_online::failed(&order, &error, now),
                Integration::Alliance2020 => alliance::failed(&order, &error, now),
            };
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
        // the Cancel tag goes and a note says so.
        if let Effect::CancelOrder {
            order_id,
            reason: CancelReason::Cancelled,
        } = item.effect
            && let Some(order) = self.store.get_order(order_id).await?
        {
            let why = format!(
                "{} could not be reached after several retries; add the tag \"{}\" again to retry",
                backgrounds_online::PROVIDER_NAME,
                backgrounds_online::CANCEL_TAG
            );
            let effect = backgrounds_online::cancel_refused(&order.opportunity_id, &why);
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

    fn items(&self, tenant: &TenantId, effects: Vec<Effect>) -> Vec<OutboxItem> {
        let now = self.clock.now();
        effects
            .into_iter()
            .map(|e| OutboxItem::new(tenant.clone(), e, now))
            .collect()
    }

    /// `attempt` is the item's attempt number across runs (1 for the first).
    async fn perform(&self, item: &OutboxItem, attempt: u32) -> Result<Done, Failure> {
        match &item.effect {
            Effect::PlaceOrder { order_id } => {
                let (order, tenant, secrets) = self.context(*order_id).await?;
                match order.integration {
                    Integration::Alliance2020 => {
                        self.submit_alliance(item, order, tenant, secrets).await
                    }
                    Integration::BackgroundsOnline => {
                        self.submit_backgrounds_online(item, order, tenant, secrets)
                            .await
                    }
                }
            }
            Effect::CancelOrder { order_id, reason } => {
                let (order, tenant, secrets) = self.context(*order_id).await?;
                match order.integration {
                    Integration::BackgroundsOnline => {
                        self.cancel_backgrounds_online(item, order, tenant, secrets, *reason)
                            .await
                    }
                    // Alliance 2020 has no cancel call; its late reports are refused.
                    Integration::Alliance2020 => Ok(Done::Performed),
                }
            }
            Effect::ClearTrigger {
                ats_ref,
                tags,
                note,
            } => {
                self.clear_trigger(item, attempt, ats_ref, tags, note.as_ref())
                    .await
            }
            Effect::Render { order_id } => self.sync_status(*order_id).await,
            Effect::Notify { order_id, note } => self.note(item, attempt, *order_id, note).await,
            Effect::ConfirmDeletion { ats_ref } => {
                self.confirm_deletion(&item.tenant, ats_ref).await
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

    async fn context(
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

    async fn tenant_context(
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

    /// The account to call the provider of `integration` with, for this tenant.
    fn provider_account(
        &self,
        tenant: &TenantConfig,
        secrets: &TenantSecrets,
        integration: Integration,
        api_base: &str,
    ) -> Result<ProviderAccount, Failure> {
        let creds = secrets.provider(integration).ok_or_else(|| {
            Failure::Permanent(format!(
                "no {} credentials configured",
                integration.as_str()
            ))
        })?;
        Ok(ProviderAccount {
            tenant: tenant.id.clone(),
            api_base: api_base.to_owned(),
            api_key: creds.api_key.clone(),
            callback_url: format!(
                "{}{}{}",
                self.public_base_url.trim_end_matches('/'),
                crate::api::callback_prefix(integration),
                tenant.id
            ),
        })
    }

    /// Once an order's candidate data is removed (the candidate was deleted in Lever, or the
    /// retention period passed) nothing more about it is written to Lever: the opportunity may
    /// be gone, and a queued results note would carry the very data that was removed.
    fn candidate_data_removed(order: &Order) -> bool {
        if order.scrubbed_at.is_some() {
            tracing::info!(order_id = %order.id, "candidate data removed; Lever not written");
            return true;
        }
        false
    }

    /// The tenant's Backgrounds Online settings and the account they and its credentials make.
    fn backgrounds_online_account<'t>(
        &self,
        tenant: &'t TenantConfig,
        secrets: &TenantSecrets,
    ) -> Result<(&'t BackgroundsOnlineSettings, ProviderAccount), Failure> {
        let settings = tenant.backgrounds_online.as_ref().ok_or_else(|| {
            Failure::Permanent("Backgrounds Online is not enabled for this tenant".into())
        })?;
        let acct = self.provider_account(
            tenant,
            secrets,
            Integration::BackgroundsOnline,
            &settings.api_base,
        )?;
        Ok((settings, acct))
    }

    /// Commit an order change caused by (and consuming) an outbox item.
    async fn commit_consuming(&self, commit: Commit) -> Result<Done, Failure> {
        match self.store.commit(commit).await {
            Ok(()) | Err(CommitError::OutboxItemGone) => Ok(Done::Consumed),
            Err(CommitError::VersionConflict) => {
                Err(Failure::Transient("order changed meanwhile".into()))
            }
            Err(CommitError::Store(e)) => Err(Failure::Store(e)),
            Err(e) => Err(Failure::Permanent(e.to_string())),
        }
    }

    async fn submit_backgrounds_online(
        &self,
        item: &OutboxItem,
        order: Order,
        tenant: TenantConfig,
        secrets: TenantSecrets,
    ) -> Result<Done, Failure> {
        if order.status != OrderStatus::Requested {
            return Ok(Done::Performed); // already submitted, cancelled or failed
        }
        let Some(request) = order
            .request
            .as_ref()
            .and_then(|r| r.read::<backgrounds_online::BackgroundsOnlineOrder>())
        else {
            return Err(Failure::Permanent(
                "order has no Backgrounds Online request".into(),
            ));
        };
        let (settings, acct) = self.backgrounds_online_account(&tenant, &secrets)?;
        let now = self.clock.now();
        let (next, effects, cause) =
            match self.backgrounds_online.place_order(&acct, &request).await {
                Ok(placed) => {
                    let (next, effects) =
                        backgrounds_online::accepted(settings, &order, placed.provider_ref, now);
                    (next, effects, "dispatcher:accepted")
                }
                Err(ProviderError::Refused { code, message }) => {
                    crate::metrics::count(
                        "OrdersRejected",
                        &[
                            ("Integration", order.integration.as_str()),
                            ("Reason", "provider_refused"),
                        ],
                    );
                    tracing::info!(order_id = %order.id, code, "provider refused order");
                    let (next, effects) = backgrounds_online::rejected(&order, &message, now);
                    (next, effects, "dispatcher:provider_refused")
                }
                Err(e) => return Err(provider_failure(backgrounds_online::PROVIDER_NAME, e)),
            };
        let outbox = self.items(&order.tenant, effects);
        self.commit_consuming(Commit::update(&order, next, cause, outbox).consuming(item.id))
            .await
    }

    async fn cancel_backgrounds_online(
        &self,
        item: &OutboxItem,
        order: Order,
        tenant: TenantConfig,
        secrets: TenantSecrets,
        reason: CancelReason,
    ) -> Result<Done, Failure> {
        if reason == CancelReason::Cancelled && order.status == OrderStatus::Requested {
            // The order is still being placed: cancel once the provider has it.
            return Err(Failure::Transient("order not placed yet".into()));
        }
        let Some(provider_ref) = order.provider_ref.clone() else {
            return Ok(Done::Performed); // never reached the provider: nothing to close
        };
        if reason == CancelReason::Cancelled && order.status != OrderStatus::Pending {
            if order.status == OrderStatus::Cancelled {
                return Ok(Done::Performed);
            }
            // The candidate submitted (or the order ended) since the poll decided.
            let why = if order.status == OrderStatus::InProgress {
                "the candidate has already submitted their information and the check is in process"
            } else {
                "the request is no longer awaiting the candidate's submission"
            };
            let effect = backgrounds_online::cancel_refused(&order.opportunity_id, why);
            return self
                .record_consuming(item, &order.tenant, vec![effect])
                .await;
        }
        let (_, acct) = self.backgrounds_online_account(&tenant, &secrets)?;
        let outcome = self
            .backgrounds_online
            .cancel_order(&acct, &provider_ref, reason)
            .await;
        match (reason, outcome) {
            // The order already ended here: closing it at the provider is all there is to do.
            (CancelReason::Expired | CancelReason::CandidateDeleted, Ok(())) => Ok(Done::Performed),
            (
                CancelReason::Expired | CancelReason::CandidateDeleted,
                Err(ProviderError::Refused { code, .. }),
            ) => {
                tracing::info!(order_id = %order.id, code, reason = reason.as_str(), "provider kept the ended order open");
                Ok(Done::Performed)
            }
            (CancelReason::Cancelled, Ok(())) => {
                let (next, effects) = backgrounds_online::cancelled(&order, self.clock.now());
                let outbox = self.items(&order.tenant, effects);
                self.commit_consuming(
                    Commit::update(&order, next, "dispatcher:cancelled", outbox).consuming(item.id),
                )
                .await
            }
            (CancelReason::Cancelled, Err(ProviderError::Refused { message, .. })) => {
                let effect = backgrounds_online::cancel_refused(
                    &order.opportunity_id,
                    &format!("{} refused: {message}", backgrounds_online::PROVIDER_NAME),
                );
                self.record_consuming(item, &order.tenant, vec![effect])
                    .await
            }
            (_, Err(e)) => Err(provider_failure(backgrounds_online::PROVIDER_NAME, e)),
        }
    }

    /// Queue follow-up effects and consume the item that decided them, in one write.
    async fn record_consuming(
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

    async fn clear_trigger(
        &self,
        item: &OutboxItem,
        attempt: u32,
        opportunity_id: &str,
        remove: &[String],
        note: Option<&NewNote>,
    ) -> Result<Done, Failure> {
        let (config, secrets) = self.tenant_context(&item.tenant).await?;
        let lever = Self::lever_account(&config, &secrets)?;
        if !remove.is_empty() {
            self.lever
                .remove_tags(&lever, opportunity_id, remove)
                .await?;
        }
        if let Some(note) = note {
            self.note_once(&lever, opportunity_id, note, item, attempt)
                .await?;
        }
        Ok(Done::Performed)
    }

    /// Post `note` at most once for `item`: Lever has no idempotency key for notes, so an
    /// attempt after the first (whose request may have been applied although its answer was
    /// lost) first looks for the note among those added since the item was queued.
    async fn note_once(
        &self,
        lever: &LeverAccount,
        opportunity_id: &str,
        note: &NewNote,
        item: &OutboxItem,
        attempt: u32,
    ) -> Result<(), LeverError> {
        if attempt > 1 && self.note_exists(lever, opportunity_id, note, item).await? {
            tracing::info!(outbox_id = %item.id, "note already posted by an earlier attempt");
            return Ok(());
        }
        self.lever
            .create_note(lever, opportunity_id, note)
            .await
            .map(|_| ())
    }

    async fn note_exists(
        &self,
        lever: &LeverAccount,
        opportunity_id: &str,
        note: &NewNote,
        item: &OutboxItem,
    ) -> Result<bool, LeverError> {
        let since =
            i64::try_from(item.created_at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX);
        let mut offset: Option<String> = None;
        for _ in 0..MAX_NOTE_PAGES {
            let page = self
                .lever
                .list_notes(lever, opportunity_id, offset.as_deref())
                .await?;
            if already_posted(&page.data, note, since) {
                return Ok(true);
            }
            offset = page.next.filter(|_| page.has_next);
            if offset.is_none() {
                break;
            }
        }
        Ok(false)
    }

    fn lever_account(
        tenant: &TenantConfig,
        secrets: &TenantSecrets,
    ) -> Result<LeverAccount, Failure> {
        LeverAccount::for_tenant(tenant, secrets)
            .ok_or_else(|| Failure::Permanent("no Lever API key configured".into()))
    }

    async fn submit_alliance(
        &self,
        item: &OutboxItem,
        order: Order,
        tenant: TenantConfig,
        secrets: TenantSecrets,
    ) -> Result<Done, Failure> {
        if order.status != OrderStatus::Requested {
            return Ok(Done::Performed); // already submitted by an earlier run
        }
        let settings = tenant.alliance.as_ref().ok_or_else(|| {
            Failure::Permanent("Alliance 2020 is not enabled for this tenant".into())
        })?;
        let lever = Self::lever_account(&tenant, &secrets)?;
        let opp = match self
            .lever
            .get_opportunity(&lever, &order.opportunity_id)
            .await
        {
            Ok(opp) => Some(opp),
            Err(LeverError::Status { status: 404, .. }) => None,
            Err(e) => return Err(e.into()),
        };
        // The webhook's claim (which opportunity moved where) was not signed: only Lever's
        // own record of the move lets the order go to the provider.
        let Some(opp) =
            opp.filter(|o| confirmation::move_confirmed(order.claimed_move.as_ref(), o))
        else {
            tracing::warn!(tenant = %order.tenant, order_id = %order.id, "stage move not confirmed by Lever; nothing ordered");
            crate::metrics::count(
                "TriggersUnconfirmed",
                &[("Integration", order.integration.as_str())],
            );
            let (next, effects) = confirmation::unconfirmed(&order, self.clock.now());
            let outbox = self.items(&order.tenant, effects);
            return self
                .commit_consuming(
                    Commit::update(&order, next, "dispatcher:trigger_unconfirmed", outbox)
                        .consuming(item.id),
                )
                .await;
        };
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
                    crate::metrics::count(
                        "OrdersRejected",
                        &[
                            ("Integration", order.integration.as_str()),
                            ("Reason", rejection.code),
                        ],
                    );
                    let (next, effects) = alliance::rejected(&order, rejection.message, now);
                    (next, effects, "dispatcher:rejected")
                }
                Ok(request) => {
                    let acct = self.provider_account(
                        &tenant,
                        &secrets,
                        Integration::Alliance2020,
                        &settings.api_base,
                    )?;
                    match self.alliance.place_order(&acct, &request).await {
                        Ok(placed) => {
                            let (next, effects) =
                                alliance::accepted(&order, placed.provider_ref, request, now);
                            (next, effects, "dispatcher:accepted")
                        }
                        Err(ProviderError::Refused { code, message }) => {
                            crate::metrics::count(
                                "OrdersRejected",
                                &[
                                    ("Integration", order.integration.as_str()),
                                    ("Reason", "provider_refused"),
                                ],
                            );
                            tracing::info!(order_id = %order.id, code, "provider refused order");
                            let msg = format!(
                                "{} rejected the background check order: {message}",
                                alliance::PROVIDER_NAME
                            );
                            let (next, effects) = alliance::rejected(&order, msg, now);
                            (next, effects, "dispatcher:provider_refused")
                        }
                        Err(e) => return Err(provider_failure(alliance::PROVIDER_NAME, e)),
                    }
                }
            };
        let outbox = self.items(&order.tenant, effects);
        self.commit_consuming(Commit::update(&order, next, cause, outbox).consuming(item.id))
            .await
    }

    /// Scrub the opportunity's orders once Lever confirms it is gone; otherwise nothing.
    async fn confirm_deletion(
        &self,
        tenant: &TenantId,
        opportunity_id: &str,
    ) -> Result<Done, Failure> {
        let (config, secrets) = self.tenant_context(tenant).await?;
        let lever = Self::lever_account(&config, &secrets)?;
        let check = match self.lever.get_opportunity(&lever, opportunity_id).await {
            Err(LeverError::Status { status: 404, .. }) => DeletionCheck::NotFound,
            Err(e) => return Err(e.into()),
            Ok(o) if o.deleted_at.is_some() => DeletionCheck::MarkedDeleted,
            Ok(_) => DeletionCheck::Present,
        };
        if !confirmation::deletion_confirmed(check) {
            tracing::warn!(%tenant, opportunity_id, "candidate deletion not confirmed by Lever; nothing scrubbed");
            crate::metrics::count("DeletionsUnconfirmed", &[("Ats", "lever")]);
            return Ok(Done::Performed);
        }
        match crate::erasure::erase_opportunity(
            self.store.as_ref(),
            tenant,
            opportunity_id,
            self.clock.now(),
        )
        .await
        {
            Ok(_) => Ok(Done::Performed),
            Err(CommitError::Store(e)) => Err(Failure::Store(e)),
            Err(e) => Err(Failure::Transient(e.to_string())),
        }
    }

    async fn sync_status(&self, order_id: OrderId) -> Result<Done, Failure> {
        let (order, tenant, secrets) = self.context(order_id).await?;
        if Self::candidate_data_removed(&order) {
            return Ok(Done::Performed);
        }
        let Some((desired, managed)) = lever_tags::for_order(&tenant, &order) else {
            return Err(Failure::Permanent(format!(
                "{} is not enabled for this tenant",
                order.integration.as_str()
            )));
        };
        let lever = Self::lever_account(&tenant, &secrets)?;
        let Some(opp) = opportunity_gone_is_done(
            self.lever
                .get_opportunity(&lever, &order.opportunity_id)
                .await,
        )?
        else {
            return Ok(Done::Performed);
        };
        let diff = tags::diff(&opp.tags, &desired, &managed);
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

    async fn note(
        &self,
        item: &OutboxItem,
        attempt: u32,
        order_id: OrderId,
        note: &NewNote,
    ) -> Result<Done, Failure> {
        let (order, tenant, secrets) = self.context(order_id).await?;
        if Self::candidate_data_removed(&order) {
            return Ok(Done::Performed);
        }
        let lever = Self::lever_account(&tenant, &secrets)?;
        opportunity_gone_is_done(
            self.note_once(&lever, &order.opportunity_id, note, item, attempt)
                .await,
        )?;
        Ok(Done::Performed)
    }
}

/// A Lever write about an opportunity Lever no longer has (404): there is nothing left to
/// write to, so the effect is done rather than failed (the candidate was deleted; the hub
/// hears of it by webhook and scrubs its orders).
fn opportunity_gone_is_done<T>(result: Result<T, LeverError>) -> Result<Option<T>, Failure> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(LeverError::Status { status: 404, .. }) => {
            tracing::info!("opportunity no longer in Lever; nothing written");
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

fn provider_failure(provider: &str, e: ProviderError) -> Failure {
    if e.is_transient() {
        Failure::Transient(format!("{provider}: {e}"))
    } else {
        Failure::Permanent(format!("{provider}: {e}"))
    }
}
