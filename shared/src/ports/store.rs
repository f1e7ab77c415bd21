//! The order store: one port, two adapters (DynamoDB, embedded), one conformance suite.

use crate::config::TenantConfig;
use crate::domain::effects::DeadLetter;
use crate::domain::ids::OrderId;
use crate::domain::{AuditEntry, Order, OutboxId, OutboxItem, ProviderKind, RouteId, TenantId};
use time::OffsetDateTime;

/// A delivery de-duplication record (kept until `expires_at`, then TTL-deleted).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveryRecord {
    /// Scoped key, e.g. `lever:<tenant>:<hash>` or `alliance2020:<tenant>:<webhook-id>`.
    pub key: String,
    pub expires_at: OffsetDateTime,
    /// What the recorded delivery said (a hash of its body), where a second use of the same
    /// key must be told apart: the same body again is a duplicate, another body a replay.
    pub fingerprint: Option<String>,
}

impl DeliveryRecord {
    pub fn new(key: String, expires_at: OffsetDateTime) -> Self {
        Self {
            key,
            expires_at,
            fingerprint: None,
        }
    }

    pub fn with_fingerprint(mut self, fingerprint: String) -> Self {
        self.fingerprint = Some(fingerprint);
        self
    }
}

/// One atomic change: an order's new version with its audit line and the effects it causes.
///
/// - `expected_version = None` creates the order; it also claims the opportunity's single
///   active slot for the integration, so a second active order cannot exist.
/// - `expected_version = Some(v)` updates the order only if it is still at version `v`;
///   reaching a terminal status releases the active slot.
/// - `consumes` deletes the outbox item whose effect produced this change (it must still exist,
///   so the same effect applied twice commits once). With `dead_letter`, that item is kept
///   as a dead letter instead.
/// - `deliveries` records inbound delivery keys (each must be new: duplicates commit nothing).
#[derive(Clone, Debug)]
pub struct Commit {
    pub order: Order,
    pub expected_version: Option<u64>,
    pub audit: AuditEntry,
    pub outbox: Vec<OutboxItem>,
    pub consumes: Option<OutboxId>,
    pub dead_letter: Option<DeadLetter>,
    pub deliveries: Vec<DeliveryRecord>,
}

impl Commit {
    pub fn create(order: Order, audit_cause: &str, outbox: Vec<OutboxItem>) -> Self {
        let audit = AuditEntry::for_change(None, &order, audit_cause);
        Self {
            order,
            expected_version: None,
            audit,
            outbox,
            consumes: None,
            dead_letter: None,
            deliveries: Vec::new(),
        }
    }

    pub fn update(
        before: &Order,
        after: Order,
        audit_cause: &str,
        outbox: Vec<OutboxItem>,
    ) -> Self {
        let audit = AuditEntry::for_change(Some(before), &after, audit_cause);
        Self {
            order: after,
            expected_version: Some(before.version),
            audit,
            outbox,
            consumes: None,
            dead_letter: None,
            deliveries: Vec::new(),
        }
    }

    pub fn consuming(mut self, item: OutboxId) -> Self {
        self.consumes = Some(item);
        self
    }

    pub fn dead_lettering(mut self, letter: DeadLetter) -> Self {
        self.consumes = Some(letter.item.id);
        self.dead_letter = Some(letter);
        self
    }

    pub fn with_delivery(mut self, record: DeliveryRecord) -> Self {
        self.deliveries.push(record);
        self
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("store unavailable: {0}")]
    Unavailable(String),
    #[error("stored item is corrupt: {0}")]
    Corrupt(String),
}

#[derive(Debug, thiserror::Error)]
pub enum CommitError {
    #[error("the order changed since it was read")]
    VersionConflict,
    #[error("this delivery was already recorded")]
    DuplicateDelivery,
    #[error("the opportunity already has an active order for this integration")]
    ActiveOrderExists,
    #[error("the outbox item was already consumed")]
    OutboxItemGone,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A decision that changes no order: its effects; the delivery keys that make it happen once
/// (`DuplicateDelivery` when one is already recorded); the outbox item it consumes
/// (`OutboxItemGone` when already consumed); audit lines of changes that were refused.
#[derive(Clone, Debug)]
pub struct Record {
    pub deliveries: Vec<DeliveryRecord>,
    pub outbox: Vec<OutboxItem>,
    pub consumes: Option<OutboxId>,
    /// Refused changes, appended to their orders' audit trails (never a version change).
    pub audit: Vec<AuditEntry>,
    pub now: OffsetDateTime,
}

/// One page of orders past their expiry (from the sparse due-order index).
#[derive(Clone, Debug, Default)]
pub struct DuePage {
    pub orders: Vec<Order>,
    /// Pass back to read the next page; `None` at the end.
    pub next: Option<DueCursor>,
}

/// Where the next page of due orders starts: the last order read (opaque to callers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueCursor {
    /// The sort time of the last order read (`expires_at`, or `updated_at` for ended orders).
    pub(crate) at: OffsetDateTime,
    pub(crate) order_id: OrderId,
}

impl DueCursor {
    pub(crate) fn new(at: OffsetDateTime, order_id: OrderId) -> Self {
        Self { at, order_id }
    }
}

#[async_trait::async_trait]
pub trait Store: Send + Sync {
    async fn put_tenant(&self, config: &TenantConfig) -> Result<(), StoreError>;
    async fn get_tenant(&self, id: &TenantId) -> Result<Option<TenantConfig>, StoreError>;
    /// Every configured tenant (read from a sparse index, never a scan).
    async fn list_tenants(&self) -> Result<Vec<TenantConfig>, StoreError>;

    /// A named cursor of a scheduled pass (e.g. the tag poll's `updated_at_start`).
    async fn get_cursor(&self, tenant: &TenantId, name: &str)
    -> Result<Option<String>, StoreError>;
    async fn put_cursor(
        &self,
        tenant: &TenantId,
        name: &str,
        value: &str,
    ) -> Result<(), StoreError>;

    async fn get_order(&self, id: OrderId) -> Result<Option<Order>, StoreError>;
    /// Callbacks: the tenant's order its provider account knows by `reference`.
    async fn find_by_provider_ref(
        &self,
        tenant: &TenantId,
        provider: ProviderKind,
        reference: &str,
    ) -> Result<Option<Order>, StoreError>;
    /// The single active (non-terminal) order of an ATS object on a route.
    async fn find_active(
        &self,
        tenant: &TenantId,
        route: &RouteId,
        opportunity_id: &str,
    ) -> Result<Option<Order>, StoreError>;
    /// Every order ever placed for an opportunity (any integration, any status), oldest
    /// first: what a candidate's deletion in the ATS must scrub.
    async fn orders_of_opportunity(
        &self,
        tenant: &TenantId,
        opportunity_id: &str,
    ) -> Result<Vec<Order>, StoreError>;
    /// Every transition of an order, oldest first.
    async fn audit_trail(&self, id: OrderId) -> Result<Vec<AuditEntry>, StoreError>;

    async fn commit(&self, commit: Commit) -> Result<(), CommitError>;
    /// A recorded delivery that has not expired by `now` (read consistently).
    async fn get_delivery(
        &self,
        key: &str,
        now: OffsetDateTime,
    ) -> Result<Option<DeliveryRecord>, StoreError>;
    /// Record a decision that changes no order, atomically (see [`Record`]).
    async fn record(&self, record: Record) -> Result<(), CommitError>;

    /// Ended orders that still hold candidate data and ended at or before `ended_before`,
    /// earliest first, from the sparse scrub index: reads only those.
    async fn ended_holding_pii(
        &self,
        ended_before: OffsetDateTime,
        limit: usize,
        after: Option<DueCursor>,
    ) -> Result<DuePage, StoreError>;

    /// Orders whose `expires_at` is at or before `now`, earliest first, from the sparse
    /// due-order index: reads only due orders.
    async fn due_orders(
        &self,
        now: OffsetDateTime,
        limit: usize,
        after: Option<DueCursor>,
    ) -> Result<DuePage, StoreError>;

    /// Orders in flight whose next status poll is due (`poll_at` at or before `now`),
    /// earliest first, from the sparse poll index: reads only those, never a scan.
    async fn due_polls(
        &self,
        now: OffsetDateTime,
        limit: usize,
        after: Option<DueCursor>,
    ) -> Result<DuePage, StoreError>;

    /// Move `order`'s next status poll to `at` (`None`: out of the poll index), unless the
    /// order changed since it was read (`false` then: its newer version carries its own).
    /// Scheduling only: the order's version, status and audit trail stay as they are.
    async fn defer_poll(
        &self,
        order: &Order,
        at: Option<OffsetDateTime>,
    ) -> Result<bool, StoreError>;

    /// Pending outbox items, oldest first. An item that cannot be read is set aside (out of
    /// the pending list, kept for inspection, logged by id) rather than blocking the rest.
    async fn pending_outbox(&self, limit: usize) -> Result<Vec<OutboxItem>, StoreError>;
    /// Claim an outbox item for one more attempt: take its lease until `until` (or renew it,
    /// for the same `holder`) and count the attempt. Returns the attempt's number (1 for the
    /// first ever, across every run), or `None` when the item is gone or another holder's
    /// lease has not run out by `now`.
    async fn lease_outbox(
        &self,
        id: OutboxId,
        holder: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<Option<u32>, StoreError>;
    /// Give up `holder`'s lease early, so the next run may take the item at once.
    async fn release_outbox(&self, id: OutboxId, holder: &str) -> Result<(), StoreError>;
    /// Give the lease up and take back the attempt it counted: the item could not even be
    /// tried (its ATS account is disconnected), so waiting must not bring it nearer its dead
    /// letter. It also goes to the back of the pending queue (as if queued at `now`), so a
    /// disconnected tenant's waiting items never crowd out the others' in a run. Only if
    /// `holder` still has the lease.
    async fn return_outbox(
        &self,
        id: OutboxId,
        holder: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError>;
    async fn get_outbox(&self, id: OutboxId) -> Result<Option<OutboxItem>, StoreError>;
    /// The effect is done: forget the item (no error when it is already gone).
    async fn complete_outbox(&self, id: OutboxId) -> Result<(), StoreError>;
    /// Give up on an item that is not tied to an order change.
    async fn dead_letter(&self, letter: DeadLetter) -> Result<(), StoreError>;
    /// Dead letters, oldest first.
    async fn dead_letters(&self, limit: usize) -> Result<Vec<DeadLetter>, StoreError>;
}

/// Decide a change from the order's current version and commit it; when something else
/// changed the order meanwhile, re-read it and decide again (`attempts` decisions at most).
/// `Ok(None)`: the decision was to change nothing, or the order is gone. After the last
/// attempt loses, `Err(VersionConflict)`.
pub async fn update_order(
    store: &dyn Store,
    order: Order,
    cause: &str,
    now: OffsetDateTime,
    attempts: usize,
    decide: impl Fn(&Order) -> Option<(Order, Vec<crate::domain::Effect>)>,
) -> Result<Option<Order>, CommitError> {
    let mut current = order;
    for attempt in 1..=attempts {
        let Some((next, effects)) = decide(&current) else {
            return Ok(None);
        };
        let outbox = effects
            .into_iter()
            .map(|e| OutboxItem::new(current.tenant.clone(), e, now))
            .collect();
        match store
            .commit(Commit::update(&current, next.clone(), cause, outbox))
            .await
        {
            Ok(()) => return Ok(Some(next)),
            Err(CommitError::VersionConflict) if attempt < attempts => {
                match store.get_order(current.id).await? {
                    Some(o) => current = o,
                    None => return Ok(None),
                }
            }
            Err(e) => return Err(e),
        }
    }
    Err(CommitError::VersionConflict)
}
