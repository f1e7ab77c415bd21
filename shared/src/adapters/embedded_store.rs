//! In-process order store for local runs: the same semantics as the DynamoDB store
//! (conditional versions, one transaction per commit), checked by the same conformance suite.

use crate::config::TenantConfig;
use crate::domain::effects::DeadLetter;
use crate::domain::ids::OrderId;
use crate::domain::{AuditEntry, Order, OutboxId, OutboxItem, ProviderKind, RouteId, TenantId};
use crate::ports::clock::{Clock, SystemClock};
use crate::ports::connections::{ConnectionStore, LeverConnection};
use crate::ports::profiles::{CandidateRecord, Candidates, ProfileStore, encode_bucket, replacing};
use crate::ports::store::{
    Commit, CommitError, DeliveryRecord, DueCursor, DuePage, Record, Store, StoreError,
};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use time::OffsetDateTime;
use tokio::sync::Notify;

type ActiveKey = (TenantId, RouteId, String);

#[derive(Default)]
struct State {
    tenants: BTreeMap<TenantId, TenantConfig>,
    orders: BTreeMap<OrderId, Order>,
    provider_refs: BTreeMap<(TenantId, ProviderKind, String), OrderId>,
    active: BTreeMap<ActiveKey, OrderId>,
    audit: BTreeMap<OrderId, Vec<AuditEntry>>,
    outbox: BTreeMap<OutboxId, OutboxItem>,
    /// Outbox leases: holder and until when.
    leases: BTreeMap<OutboxId, (String, OffsetDateTime)>,
    /// Outbox items sent to the back of the queue (returned while their ATS was disconnected).
    requeued: BTreeMap<OutboxId, OffsetDateTime>,
    dead: BTreeMap<OutboxId, DeadLetter>,
    deliveries: BTreeMap<String, DeliveryRecord>,
    cursors: BTreeMap<(TenantId, String), String>,
    candidates: BTreeMap<TenantId, BTreeMap<String, CandidateRecord>>,
    connections: BTreeMap<TenantId, LeverConnection>,
    /// Named leases (`take_lease`): holder and until when.
    named_leases: BTreeMap<String, (String, OffsetDateTime)>,
    /// Single-use keys and until when they are remembered.
    used: BTreeMap<String, OffsetDateTime>,
}

impl State {
    /// Whether any of `records` is already recorded and unexpired at `now`.
    fn any_recorded(&self, records: &[DeliveryRecord], now: OffsetDateTime) -> bool {
        records.iter().any(|d| {
            self.deliveries
                .get(&d.key)
                .is_some_and(|kept| kept.expires_at > now)
        })
    }
}

#[derive(Clone)]
pub struct EmbeddedStore {
    state: Arc<Mutex<State>>,
    outbox_ready: Arc<Notify>,
    /// What `use_once` takes for now (the other operations are given it).
    clock: Arc<dyn Clock>,
}

impl Default for EmbeddedStore {
    fn default() -> Self {
        Self {
            state: Arc::default(),
            outbox_ready: Arc::default(),
            clock: Arc::new(SystemClock),
        }
    }
}

impl EmbeddedStore {
    pub fn new() -> Self {
        Self::default()
    }

    /// With `clock` telling `use_once` the time (tests move it).
    pub fn with_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Signalled whenever new outbox items are committed (wakes the local dispatcher).
    pub fn outbox_ready(&self) -> Arc<Notify> {
        self.outbox_ready.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// One page of `orders` that have a sort time (`at`), in (time, id) order after `after` —
/// what a sparse time-sorted index gives the DynamoDB store.
fn sorted_page<'a>(
    orders: impl Iterator<Item = &'a Order>,
    at: impl Fn(&Order) -> Option<OffsetDateTime>,
    limit: usize,
    after: Option<DueCursor>,
) -> DuePage {
    let after = after.map(|c| (c.at, c.order_id));
    let mut keyed: Vec<((OffsetDateTime, OrderId), &Order)> = orders
        .filter_map(|o| at(o).map(|t| ((t, o.id), o)))
        .filter(|(k, _)| after.is_none_or(|a| *k > a))
        .collect();
    keyed.sort_by_key(|(k, _)| *k);
    let more = keyed.len() > limit;
    keyed.truncate(limit);
    let next = if more {
        keyed.last().map(|((t, id), _)| DueCursor::new(*t, *id))
    } else {
        None
    };
    DuePage {
        orders: keyed.into_iter().map(|(_, o)| o.clone()).collect(),
        next,
    }
}

fn active_key(order: &Order) -> ActiveKey {
    (
        order.tenant.clone(),
        order.route.clone(),
        order.ats_ref.clone(),
    )
}

#[async_trait::async_trait]
impl Store for EmbeddedStore {
    async fn put_tenant(&self, config: &TenantConfig) -> Result<(), StoreError> {
        self.lock()
            .tenants
            .insert(config.id.clone(), config.clone());
        Ok(())
    }

    async fn get_tenant(&self, id: &TenantId) -> Result<Option<TenantConfig>, StoreError> {
        Ok(self.lock().tenants.get(id).cloned())
    }

    async fn list_tenants(&self) -> Result<Vec<TenantConfig>, StoreError> {
        Ok(self.lock().tenants.values().cloned().collect())
    }

    async fn get_cursor(
        &self,
        tenant: &TenantId,
        name: &str,
    ) -> Result<Option<String>, StoreError> {
        Ok(self
            .lock()
            .cursors
            .get(&(tenant.clone(), name.to_owned()))
            .cloned())
    }

    async fn put_cursor(
        &self,
        tenant: &TenantId,
        name: &str,
        value: &str,
    ) -> Result<(), StoreError> {
        self.lock()
            .cursors
            .insert((tenant.clone(), name.to_owned()), value.to_owned());
        Ok(())
    }

    async fn get_order(&self, id: OrderId) -> Result<Option<Order>, StoreError> {
        Ok(self.lock().orders.get(&id).cloned())
    }

    async fn find_by_provider_ref(
        &self,
        tenant: &TenantId,
        provider: ProviderKind,
        reference: &str,
    ) -> Result<Option<Order>, StoreError> {
        let s = self.lock();
        Ok(s.provider_refs
            .get(&(tenant.clone(), provider, reference.to_owned()))
            .and_then(|id| s.orders.get(id))
            .cloned())
    }

    async fn find_active(
        &self,
        tenant: &TenantId,
        route: &RouteId,
        opportunity_id: &str,
    ) -> Result<Option<Order>, StoreError> {
        let s = self.lock();
        Ok(s.active
            .get(&(tenant.clone(), route.clone(), opportunity_id.to_owned()))
            .and_then(|id| s.orders.get(id))
            .cloned())
    }

    async fn orders_of_opportunity(
        &self,
        tenant: &TenantId,
        opportunity_id: &str,
    ) -> Result<Vec<Order>, StoreError> {
        let mut orders: Vec<Order> = self
            .lock()
            .orders
            .values()
            .filter(|o| o.tenant == *tenant && o.ats_ref == opportunity_id)
            .cloned()
            .collect();
        orders.sort_by_key(|o| o.id);
        Ok(orders)
    }

    async fn audit_trail(&self, id: OrderId) -> Result<Vec<AuditEntry>, StoreError> {
        Ok(self.lock().audit.get(&id).cloned().unwrap_or_default())
    }

    async fn commit(&self, c: Commit) -> Result<(), CommitError> {
        let has_new_outbox = !c.outbox.is_empty();
        {
            let mut s = self.lock();
            // Check every condition before changing anything (all-or-nothing).
            if s.any_recorded(&c.deliveries, c.order.updated_at) {
                return Err(CommitError::DuplicateDelivery);
            }
            let key = active_key(&c.order);
            match c.expected_version {
                None => {
                    if s.orders.contains_key(&c.order.id) {
                        return Err(CommitError::VersionConflict);
                    }
                    if !c.order.status.is_terminal() && s.active.contains_key(&key) {
                        return Err(CommitError::ActiveOrderExists);
                    }
                }
                Some(v) => {
                    if s.orders.get(&c.order.id).map(|o| o.version) != Some(v) {
                        return Err(CommitError::VersionConflict);
                    }
                }
            }
            if let Some(id) = c.consumes
                && !s.outbox.contains_key(&id)
            {
                return Err(CommitError::OutboxItemGone);
            }

            for d in c.deliveries {
                s.deliveries.insert(d.key.clone(), d);
            }
            if c.expected_version.is_none() && !c.order.status.is_terminal() {
                s.active.insert(key.clone(), c.order.id);
            } else if c.order.status.is_terminal() {
                s.active.remove(&key);
            }
            if let Some(r) = &c.order.provider_ref {
                s.provider_refs.insert(
                    (c.order.tenant.clone(), c.order.provider, r.clone()),
                    c.order.id,
                );
            }
            if let Some(id) = c.consumes {
                s.outbox.remove(&id);
                s.leases.remove(&id);
            }
            if let Some(letter) = c.dead_letter {
                s.dead.insert(letter.item.id, letter);
            }
            for item in c.outbox {
                s.outbox.insert(item.id, item);
            }
            s.audit.entry(c.order.id).or_default().push(c.audit);
            s.orders.insert(c.order.id, c.order);
        }
        if has_new_outbox {
            self.outbox_ready.notify_one();
        }
        Ok(())
    }

    async fn get_delivery(
        &self,
        key: &str,
        now: OffsetDateTime,
    ) -> Result<Option<DeliveryRecord>, StoreError> {
        Ok(self
            .lock()
            .deliveries
            .get(key)
            .filter(|d| d.expires_at > now)
            .cloned())
    }

    async fn record(&self, r: Record) -> Result<(), CommitError> {
        let has_new_outbox = !r.outbox.is_empty();
        {
            let mut s = self.lock();
            if s.any_recorded(&r.deliveries, r.now) {
                return Err(CommitError::DuplicateDelivery);
            }
            if let Some(id) = r.consumes
                && !s.outbox.contains_key(&id)
            {
                return Err(CommitError::OutboxItemGone);
            }
            for d in r.deliveries {
                s.deliveries.insert(d.key.clone(), d);
            }
            if let Some(id) = r.consumes {
                s.outbox.remove(&id);
                s.leases.remove(&id);
            }
            for item in r.outbox {
                s.outbox.insert(item.id, item);
            }
            for entry in r.audit {
                s.audit.entry(entry.order_id).or_default().push(entry);
            }
        }
        if has_new_outbox {
            self.outbox_ready.notify_one();
        }
        Ok(())
    }

    async fn due_orders(
        &self,
        now: OffsetDateTime,
        limit: usize,
        after: Option<DueCursor>,
    ) -> Result<DuePage, StoreError> {
        let s = self.lock();
        Ok(sorted_page(
            s.orders.values().filter(|o| !o.status.is_terminal()),
            |o| o.expires_at.filter(|at| *at <= now),
            limit,
            after,
        ))
    }

    async fn ended_holding_pii(
        &self,
        ended_before: OffsetDateTime,
        limit: usize,
        after: Option<DueCursor>,
    ) -> Result<DuePage, StoreError> {
        let s = self.lock();
        Ok(sorted_page(
            s.orders.values().filter(|o| o.holds_pii_after_end()),
            |o| Some(o.updated_at).filter(|at| *at <= ended_before),
            limit,
            after,
        ))
    }

    async fn due_polls(
        &self,
        now: OffsetDateTime,
        limit: usize,
        after: Option<DueCursor>,
    ) -> Result<DuePage, StoreError> {
        let s = self.lock();
        Ok(sorted_page(
            s.orders.values().filter(|o| !o.status.is_terminal()),
            |o| o.poll_at.filter(|at| *at <= now),
            limit,
            after,
        ))
    }

    async fn defer_poll(
        &self,
        order: &Order,
        at: Option<OffsetDateTime>,
    ) -> Result<bool, StoreError> {
        let mut s = self.lock();
        match s.orders.get_mut(&order.id) {
            Some(kept) if kept.version == order.version => {
                kept.poll_at = at.filter(|_| !kept.status.is_terminal());
                Ok(true)
            }
            _ => Ok(false),
        }
    }

    async fn pending_outbox(&self, limit: usize) -> Result<Vec<OutboxItem>, StoreError> {
        let s = self.lock();
        let mut items: Vec<OutboxItem> = s.outbox.values().cloned().collect();
        items.sort_by_key(|i| (s.requeued.get(&i.id).copied().unwrap_or(i.created_at), i.id));
        items.truncate(limit);
        Ok(items)
    }

    async fn lease_outbox(
        &self,
        id: OutboxId,
        holder: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<Option<u32>, StoreError> {
        let mut s = self.lock();
        if !s.outbox.contains_key(&id) {
            return Ok(None);
        }
        if let Some((other, running_until)) = s.leases.get(&id)
            && other != holder
            && *running_until > now
        {
            return Ok(None);
        }
        s.leases.insert(id, (holder.to_owned(), until));
        let item = s.outbox.get_mut(&id).expect("checked above");
        item.attempts += 1;
        Ok(Some(item.attempts))
    }

    async fn release_outbox(&self, id: OutboxId, holder: &str) -> Result<(), StoreError> {
        let mut s = self.lock();
        if s.leases.get(&id).is_some_and(|(h, _)| h == holder) {
            s.leases.remove(&id);
        }
        Ok(())
    }

    async fn return_outbox(
        &self,
        id: OutboxId,
        holder: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        let mut s = self.lock();
        if s.leases.get(&id).is_some_and(|(h, _)| h == holder) {
            s.leases.remove(&id);
            if let Some(item) = s.outbox.get_mut(&id) {
                item.attempts = item.attempts.saturating_sub(1);
                s.requeued.insert(id, now);
            }
        }
        Ok(())
    }

    async fn get_outbox(&self, id: OutboxId) -> Result<Option<OutboxItem>, StoreError> {
        Ok(self.lock().outbox.get(&id).cloned())
    }

    async fn complete_outbox(&self, id: OutboxId) -> Result<(), StoreError> {
        let mut s = self.lock();
        s.outbox.remove(&id);
        s.leases.remove(&id);
        Ok(())
    }

    async fn dead_letter(&self, letter: DeadLetter) -> Result<(), StoreError> {
        let mut s = self.lock();
        s.outbox.remove(&letter.item.id);
        s.leases.remove(&letter.item.id);
        s.dead.insert(letter.item.id, letter);
        Ok(())
    }

    async fn dead_letters(&self, limit: usize) -> Result<Vec<DeadLetter>, StoreError> {
        let s = self.lock();
        let mut letters: Vec<DeadLetter> = s.dead.values().cloned().collect();
        letters.sort_by_key(|l| (l.failed_at, l.item.id));
        letters.truncate(limit);
        Ok(letters)
    }
}

#[async_trait::async_trait]
impl ProfileStore for EmbeddedStore {
    async fn load_candidates(&self, tenant: &TenantId) -> Result<Candidates, StoreError> {
        let state = self.lock();
        let Some(held) = state.candidates.get(tenant) else {
            return Ok(Candidates::default());
        };
        let records: Vec<&CandidateRecord> = held.values().collect();
        Ok(Candidates {
            buckets: records
                .chunks(200)
                .map(|c| encode_bucket(c.iter().copied()))
                .collect::<Result<_, _>>()?,
        })
    }

    async fn put_profiles(
        &self,
        tenant: &TenantId,
        records: Vec<CandidateRecord>,
    ) -> Result<(), StoreError> {
        let mut state = self.lock();
        let held = state.candidates.entry(tenant.clone()).or_default();
        for r in records {
            let r = replacing(held.get(&r.id), r);
            held.insert(r.id.clone(), r);
        }
        Ok(())
    }

    async fn mark_refine(
        &self,
        tenant: &TenantId,
        ids: &[String],
        queued: bool,
    ) -> Result<(), StoreError> {
        if let Some(held) = self.lock().candidates.get_mut(tenant) {
            for id in ids {
                if let Some(r) = held.get_mut(id) {
                    r.refine = queued;
                }
            }
        }
        Ok(())
    }

    async fn remove_profiles(
        &self,
        tenant: &TenantId,
        ids: &[String],
    ) -> Result<usize, StoreError> {
        let mut state = self.lock();
        let Some(held) = state.candidates.get_mut(tenant) else {
            return Ok(0);
        };
        Ok(ids.iter().filter(|id| held.remove(*id).is_some()).count())
    }
}

#[async_trait::async_trait]
impl ConnectionStore for EmbeddedStore {
    async fn get_lever_connection(
        &self,
        tenant: &TenantId,
    ) -> Result<Option<LeverConnection>, StoreError> {
        Ok(self.lock().connections.get(tenant).cloned())
    }

    async fn put_lever_connection(
        &self,
        conn: &LeverConnection,
        expected: Option<u64>,
    ) -> Result<bool, StoreError> {
        let mut s = self.lock();
        if s.connections.get(&conn.tenant).map(|c| c.version) != expected {
            return Ok(false);
        }
        s.connections.insert(conn.tenant.clone(), conn.clone());
        Ok(true)
    }

    async fn delete_lever_connection(&self, tenant: &TenantId) -> Result<(), StoreError> {
        self.lock().connections.remove(tenant);
        Ok(())
    }

    async fn lever_connections(&self) -> Result<Vec<LeverConnection>, StoreError> {
        Ok(self.lock().connections.values().cloned().collect())
    }

    async fn take_lease(
        &self,
        key: &str,
        holder: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        let mut s = self.lock();
        if let Some((other, running_until)) = s.named_leases.get(key)
            && other != holder
            && *running_until > now
        {
            return Ok(false);
        }
        s.named_leases
            .insert(key.to_owned(), (holder.to_owned(), until));
        Ok(true)
    }

    async fn release_lease(&self, key: &str, holder: &str) -> Result<(), StoreError> {
        let mut s = self.lock();
        if s.named_leases.get(key).is_some_and(|(h, _)| h == holder) {
            s.named_leases.remove(key);
        }
        Ok(())
    }

    async fn use_once(&self, key: &str, expires_at: OffsetDateTime) -> Result<bool, StoreError> {
        let now = self.clock.now();
        let mut s = self.lock();
        if s.used.get(key).is_some_and(|kept| *kept > now) {
            return Ok(false);
        }
        s.used.insert(key.to_owned(), expires_at);
        Ok(true)
    }
}
