//! DynamoDB order store: one table, synthetic keys, three sparse GSIs and a keys-only one.
//!
//! | item        | pk                                   | sk            | gsi1pk / gsi2pk            |
//! |-------------|--------------------------------------|---------------|----------------------------|
//! | tenant      | `TENANT#<id>`                        | `CONFIG`      | gsi2 `TENANT`              |
//! | order       | `ORDER#<id>`                         | `ORDER`       | gsi1 `PREF#<tenant>#<integ>#<ref>`, |
//! |             |                                      |               | gsi2 `DUE` while waiting   |
//! |             |                                      |               | or `SCRUB` once ended,     |
//! |             |                                      |               | gsi3 `OPP#<tenant>#<opp>`, |
//! |             |                                      |               | gsi4 `POLL` while in flight|
//! |             |                                      |               | with a status poll due     |
//! | audit line  | `ORDER#<id>`                         | `AUDIT#<ver>` |                            |
//! | active slot | `ACTIVE#<tenant>#<integ>#<opp>`      | `ACTIVE`      |                            |
//! | outbox item | `OUTBOX#<id>`                        | `OUTBOX`      | gsi2 `OUTBOX`              |
//! | dead letter | `DEAD#<id>`                          | `DEAD`        | gsi2 `DEAD`                |
//! | delivery    | `DELIVERY#<key>`                     | `DELIVERY`    | (TTL `expires_at`)         |
//! | cursor      | `CURSOR#<tenant>#<name>`             | `CURSOR`      |                            |
//! | rate window | `RATE#lever:<tenant>#<unix second>`  | `RATE`        | (TTL `expires_at`)         |
//! | connection  | `LEVERCONN`                          | `<tenant>`    | (one partition: a Query)   |
//! | lease       | `LEASE#<key>`                        | `LEASE`       | (TTL `expires_at`)         |
//! | used once   | `ONCE#<key>`                         | `ONCE`        | (TTL `expires_at`)         |
//!
//! Every commit is one `TransactWriteItems`; conditions enforce versions, single active
//! orders, once-only outbox consumption and delivery de-duplication.

mod connections;
mod items;
mod profiles;
mod schema;
mod stats;

pub use profiles::{BUCKETS, SEGMENTS, bucket_of};
pub use schema::create_table;
pub use stats::StoreStats;

/// An outbox item from a raw item (e.g. a stream record's NewImage).
pub fn outbox_from_item(item: &items::Item) -> Result<OutboxItem, StoreError> {
    items::parse_outbox(item)
}

use super::aws_sdk::{Sdk, SdkClient};
use crate::config::TenantConfig;
use crate::domain::effects::DeadLetter;
use crate::domain::ids::OrderId;
use crate::domain::{AuditEntry, Order, OutboxId, OutboxItem, ProviderKind, RouteId, TenantId};
use crate::ports::store::{
    Commit, CommitError, DeliveryRecord, DueCursor, DuePage, Record, Store, StoreError,
};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeValue, Delete, Put, PutRequest, TransactWriteItem, WriteRequest,
};
use items::*;

/// Which items of a partition a query reads, by sort key.
#[derive(Clone, Copy, Debug)]
pub(crate) enum SortKeys<'a> {
    All,
    Prefix(&'a str),
    Between(&'a str, &'a str),
}
use std::sync::Arc;
use time::OffsetDateTime;

/// More orders than any opportunity plausibly has (one per check ever run on it).
const MAX_ORDERS_PER_OPPORTUNITY: usize = 1000;

#[derive(Clone)]
pub struct DynamoStore {
    client: Arc<SdkClient<Client>>,
    table: String,
    stats: Arc<StoreStats>,
}

/// A conditional write's answer (UpdateItem, PutItem, DeleteItem), `None` when its condition
/// did not hold.
fn unless_condition_failed<T, E>(
    res: Result<
        T,
        aws_sdk_dynamodb::error::SdkError<E, aws_sdk_dynamodb::config::http::HttpResponse>,
    >,
) -> Result<Option<T>, StoreError>
where
    E: aws_sdk_dynamodb::error::ProvideErrorMetadata + std::error::Error + 'static,
{
    match res {
        Ok(v) => Ok(Some(v)),
        Err(e)
            if e.as_service_error().and_then(|s| s.code())
                == Some("ConditionalCheckFailedException") =>
        {
            Ok(None)
        }
        Err(e) => Err(unavailable(e)),
    }
}

fn unavailable<E: std::error::Error>(e: E) -> StoreError {
    StoreError::Unavailable(aws_sdk_dynamodb::error::DisplayErrorContext(e).to_string())
}

/// What each action of a transaction checks, to map cancellation reasons back.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Check {
    None,
    Version,
    Active,
    Outbox,
    Delivery,
}

impl DynamoStore {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self::with(SdkClient::ready(client), table)
    }

    /// With its client built from `sdk` on first use.
    pub fn lazy(sdk: Arc<Sdk>, table: impl Into<String>) -> Self {
        Self::with(SdkClient::lazy(sdk, Client::new), table)
    }

    fn with(client: SdkClient<Client>, table: impl Into<String>) -> Self {
        Self {
            client: Arc::new(client),
            table: table.into(),
            stats: Arc::new(StoreStats::default()),
        }
    }

    /// From the environment (`AWS_*`, `AWS_ENDPOINT_URL_DYNAMODB` …) and a table name.
    pub async fn from_env(table: impl Into<String>) -> Self {
        Self::lazy(Sdk::from_env(), table)
    }

    pub async fn client(&self) -> &Client {
        self.client.get().await
    }

    pub fn table(&self) -> &str {
        &self.table
    }

    /// Bulk import of orders (migrating from another system, seeding load tests): each order
    /// with its audit line and, when not terminal, its active slot, written with
    /// `BatchWriteItem` (25 items per call, unprocessed items retried). Unconditional: the
    /// caller guarantees the orders are new and there is one active order per opportunity.
    pub async fn import_orders(&self, orders: &[Order], cause: &str) -> Result<(), StoreError> {
        let mut items = Vec::with_capacity(orders.len() * 3);
        for o in orders {
            items.push(order_item(o)?);
            items.push(audit_item(&AuditEntry::for_change(None, o, cause))?);
            if !o.status.is_terminal() {
                items.push(active_item(
                    &active_key(&o.tenant, &o.route, &o.ats_ref),
                    o.id,
                ));
            }
        }
        for chunk in items.chunks(25) {
            let mut pending: Vec<WriteRequest> = chunk
                .iter()
                .map(|i| {
                    WriteRequest::builder()
                        .put_request(
                            PutRequest::builder()
                                .set_item(Some(i.clone()))
                                .build()
                                .expect("item is set"),
                        )
                        .build()
                })
                .collect();
            for attempt in 0..8u64 {
                if pending.is_empty() {
                    break;
                }
                self.stats.call("BatchWriteItem");
                let out = self
                    .client()
                    .await
                    .batch_write_item()
                    .request_items(&self.table, pending)
                    .send()
                    .await
                    .map_err(unavailable)?;
                pending = out
                    .unprocessed_items
                    .and_then(|mut m| m.remove(&self.table))
                    .unwrap_or_default();
                if !pending.is_empty() {
                    tokio::time::sleep(std::time::Duration::from_millis(25 << attempt)).await;
                }
            }
            if !pending.is_empty() {
                return Err(StoreError::Unavailable(
                    "import: items left unprocessed after retries".into(),
                ));
            }
        }
        Ok(())
    }

    /// Calls made and items read so far (for benchmarks and cost figures).
    pub fn stats(&self) -> &StoreStats {
        &self.stats
    }

    async fn get(&self, pk: String, sk: &str) -> Result<Option<Item>, StoreError> {
        self.stats.call("GetItem");
        let out = self
            .client()
            .await
            .get_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(pk))
            .key("sk", AttributeValue::S(sk.to_owned()))
            .consistent_read(true)
            .send()
            .await
            .map_err(unavailable)?;
        self.stats.read(usize::from(out.item.is_some()));
        Ok(out.item)
    }

    /// Every item of the partition `pk` whose sort key is in `range`, handed to `each` page
    /// by page (strongly consistent when `consistent`): one Query per page.
    pub(crate) async fn query_partition(
        &self,
        pk: &str,
        range: SortKeys<'_>,
        consistent: bool,
        mut each: impl FnMut(Vec<Item>) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut start = None;
        loop {
            self.stats.call("Query");
            let query = self
                .client()
                .await
                .query()
                .table_name(&self.table)
                .expression_attribute_values(":p", AttributeValue::S(pk.to_owned()))
                .consistent_read(consistent)
                .set_exclusive_start_key(start);
            let query = match range {
                SortKeys::All => query.key_condition_expression("pk = :p"),
                SortKeys::Prefix(prefix) => query
                    .key_condition_expression("pk = :p AND begins_with(sk, :a)")
                    .expression_attribute_values(":a", AttributeValue::S(prefix.to_owned())),
                SortKeys::Between(first, last) => query
                    .key_condition_expression("pk = :p AND sk BETWEEN :a AND :b")
                    .expression_attribute_values(":a", AttributeValue::S(first.to_owned()))
                    .expression_attribute_values(":b", AttributeValue::S(last.to_owned())),
            };
            let page = query.send().await.map_err(unavailable)?;
            let items = page.items.unwrap_or_default();
            self.stats.read(items.len());
            each(items)?;
            start = page.last_evaluated_key;
            if start.is_none() {
                return Ok(());
            }
        }
    }

    async fn query_index(
        &self,
        index: &str,
        pk_attr: &str,
        pk: &str,
        limit: usize,
    ) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start = None;
        while items.len() < limit {
            self.stats.call("Query");
            let out = self
                .client()
                .await
                .query()
                .table_name(&self.table)
                .index_name(index)
                .key_condition_expression("#p = :p")
                .expression_attribute_names("#p", pk_attr)
                .expression_attribute_values(":p", AttributeValue::S(pk.to_owned()))
                .limit(i32::try_from(limit - items.len()).unwrap_or(i32::MAX))
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(unavailable)?;
            let page = out.items.unwrap_or_default();
            self.stats.read(page.len());
            items.extend(page);
            start = out.last_evaluated_key;
            if start.is_none() {
                break;
            }
        }
        Ok(items)
    }

    async fn transact(&self, actions: Vec<(TransactWriteItem, Check)>) -> Result<(), CommitError> {
        let checks: Vec<Check> = actions.iter().map(|(_, c)| *c).collect();
        let items: Vec<TransactWriteItem> = actions.into_iter().map(|(a, _)| a).collect();
        // Concurrent transactions on the same items are cancelled with TransactionConflict
        // (not a condition failure): retry those a few times, then report a conflict.
        for attempt in 0..4u32 {
            self.stats.call("TransactWriteItems");
            let res = self
                .client()
                .await
                .transact_write_items()
                .set_transact_items(Some(items.clone()))
                .send()
                .await;
            let err = match res {
                Ok(_) => return Ok(()),
                Err(e) => e,
            };
            let reasons = match err.as_service_error() {
                Some(aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError::TransactionCanceledException(t)) => {
                    t.cancellation_reasons().to_vec()
                }
                _ => return Err(CommitError::Store(unavailable(err))),
            };
            let failed: Vec<Check> = reasons
                .iter()
                .zip(&checks)
                .filter(|(r, _)| r.code() == Some("ConditionalCheckFailed"))
                .map(|(_, c)| *c)
                .collect();
            for (check, error) in [
                (Check::Delivery, CommitError::DuplicateDelivery),
                (Check::Active, CommitError::ActiveOrderExists),
                (Check::Version, CommitError::VersionConflict),
                (Check::Outbox, CommitError::OutboxItemGone),
            ] {
                if failed.contains(&check) {
                    return Err(error);
                }
            }
            let conflict = reasons
                .iter()
                .any(|r| r.code() == Some("TransactionConflict"));
            if !conflict {
                return Err(CommitError::Store(StoreError::Unavailable(format!(
                    "transaction cancelled: {:?}",
                    reasons
                        .iter()
                        .map(|r| r.code().unwrap_or("None"))
                        .collect::<Vec<_>>()
                ))));
            }
            tokio::time::sleep(std::time::Duration::from_millis(
                20 * u64::from(attempt + 1) + fastrand::u64(0..20),
            ))
            .await;
        }
        Err(CommitError::VersionConflict)
    }

    /// One page of a time-sorted sparse gsi2 partition (`DUE`, `SCRUB`): sort keys are
    /// `<ms>#<order id>`, read up to and including `upto`'s millisecond.
    async fn sparse_page(
        &self,
        partition: &str,
        upto: OffsetDateTime,
        limit: usize,
        after: Option<DueCursor>,
        cursor: impl Fn(&Order) -> Option<DueCursor>,
    ) -> Result<DuePage, StoreError> {
        self.sparse_index_page(
            ("gsi2", "gsi2pk", "gsi2sk"),
            partition,
            upto,
            limit,
            after,
            cursor,
        )
        .await
    }

    /// One page of a time-sorted sparse partition of `index` (named with its key attributes).
    async fn sparse_index_page(
        &self,
        (index, pk_attr, sk_attr): (&str, &str, &str),
        partition: &str,
        upto: OffsetDateTime,
        limit: usize,
        after: Option<DueCursor>,
        cursor: impl Fn(&Order) -> Option<DueCursor>,
    ) -> Result<DuePage, StoreError> {
        let upper = format!("{}#~", sortable_time(upto));
        let resume_from = after.clone();
        let start = after.map(|c| {
            let mut k = key(order_pk(c.order_id), "ORDER");
            k.insert(pk_attr.into(), s(partition));
            k.insert(sk_attr.into(), s(due_sort_key(c.at, c.order_id)));
            k
        });
        self.stats.call("Query");
        let out = self
            .client()
            .await
            .query()
            .table_name(&self.table)
            .index_name(index)
            .key_condition_expression("#p = :p AND #s <= :u")
            .expression_attribute_names("#p", pk_attr)
            .expression_attribute_names("#s", sk_attr)
            .expression_attribute_values(":p", s(partition))
            .expression_attribute_values(":u", s(upper))
            .limit(i32::try_from(limit.max(1)).unwrap_or(i32::MAX))
            .set_exclusive_start_key(start)
            .return_consumed_capacity(aws_sdk_dynamodb::types::ReturnConsumedCapacity::Total)
            .send()
            .await
            .map_err(unavailable)?;
        self.stats
            .scanned(out.scanned_count(), out.consumed_capacity());
        let items = out.items.unwrap_or_default();
        self.stats.read(items.len());
        let mut orders: Vec<Order> = Vec::with_capacity(items.len());
        for raw in &items {
            match parse_order(raw) {
                Ok(o) => orders.push(o),
                // One unreadable order never blocks the orders behind it.
                Err(e) => self.set_aside(raw, &e, pk_attr).await?,
            }
        }
        // Resume after the last readable order; items set aside have left the index, so
        // starting where this page started (all of it unreadable) reads past them.
        let next = match out.last_evaluated_key {
            Some(_) => orders.last().and_then(&cursor).or(resume_from),
            None => None,
        };
        Ok(DuePage { orders, next })
    }

    /// Move an item that cannot be read out of its list (gsi2 `ASIDE`), logged by key only.
    async fn set_aside(
        &self,
        raw: &Item,
        error: &StoreError,
        list_attr: &str,
    ) -> Result<(), StoreError> {
        let (Some(pk), Some(sk)) = (get_s(raw, "pk"), get_s(raw, "sk")) else {
            return Ok(());
        };
        let list = get_s(raw, list_attr).unwrap_or("unknown");
        tracing::error!(pk, list, error = %error, "unreadable item set aside");
        crate::metrics::count("ItemsSetAside", &[("List", list)]);
        self.stats.call("UpdateItem");
        let res = self
            .client()
            .await
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(pk.to_owned(), sk)))
            .update_expression("SET #l = :aside")
            .condition_expression("attribute_exists(pk)")
            .expression_attribute_names("#l", list_attr)
            .expression_attribute_values(":aside", AttributeValue::S("ASIDE".into()))
            .send()
            .await;
        // Gone meanwhile: nothing left to set aside.
        unless_condition_failed(res).map(|_| ())
    }

    /// Delete an outbox item that must still exist (consumed once).
    fn consume(&self, id: OutboxId) -> TransactWriteItem {
        let del = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key(outbox_pk(id), "OUTBOX")))
            .condition_expression("attribute_exists(pk)")
            .build()
            .expect("complete delete");
        TransactWriteItem::builder().delete(del).build()
    }

    fn delivery_put(&self, d: &DeliveryRecord, now: OffsetDateTime) -> TransactWriteItem {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(delivery_item(d)))
            .condition_expression("attribute_not_exists(pk) OR expires_at < :now")
            .expression_attribute_values(
                ":now",
                AttributeValue::N(now.unix_timestamp().to_string()),
            )
            .build()
            .expect("complete put");
        TransactWriteItem::builder().put(put).build()
    }

    fn put(&self, item: Item) -> Put {
        Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .build()
            .expect("table and item are set")
    }

    fn transaction(&self, c: &Commit) -> Result<Vec<(TransactWriteItem, Check)>, StoreError> {
        let mut actions = Vec::new();
        for d in &c.deliveries {
            actions.push((self.delivery_put(d, c.order.updated_at), Check::Delivery));
        }
        let mut order_put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(order_item(&c.order)?));
        order_put = match c.expected_version {
            None => order_put.condition_expression("attribute_not_exists(pk)"),
            Some(v) => order_put
                .condition_expression("version = :v")
                .expression_attribute_values(":v", AttributeValue::N(v.to_string())),
        };
        actions.push((
            TransactWriteItem::builder()
                .put(order_put.build().expect("complete put"))
                .build(),
            Check::Version,
        ));
        let active = active_key(&c.order.tenant, &c.order.route, &c.order.ats_ref);
        if c.expected_version.is_none() && !c.order.status.is_terminal() {
            let put = Put::builder()
                .table_name(&self.table)
                .set_item(Some(active_item(&active, c.order.id)))
                .condition_expression("attribute_not_exists(pk)")
                .build()
                .expect("complete put");
            actions.push((TransactWriteItem::builder().put(put).build(), Check::Active));
        } else if c.order.status.is_terminal() {
            let del = Delete::builder()
                .table_name(&self.table)
                .set_key(Some(key(active, "ACTIVE")))
                .build()
                .expect("complete delete");
            actions.push((
                TransactWriteItem::builder().delete(del).build(),
                Check::None,
            ));
        }
        actions.push((
            TransactWriteItem::builder()
                .put(self.put(audit_item(&c.audit)?))
                .build(),
            Check::None,
        ));
        for item in &c.outbox {
            actions.push((
                TransactWriteItem::builder()
                    .put(self.put(outbox_item(item)?))
                    .build(),
                Check::None,
            ));
        }
        if let Some(id) = c.consumes {
            actions.push((self.consume(id), Check::Outbox));
        }
        if let Some(letter) = &c.dead_letter {
            actions.push((
                TransactWriteItem::builder()
                    .put(self.put(dead_letter_item(letter)?))
                    .build(),
                Check::None,
            ));
        }
        Ok(actions)
    }
}

#[async_trait::async_trait]
impl Store for DynamoStore {
    async fn put_tenant(&self, config: &TenantConfig) -> Result<(), StoreError> {
        self.stats.call("PutItem");
        self.client()
            .await
            .put_item()
            .table_name(&self.table)
            .set_item(Some(tenant_item(config)?))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn get_tenant(&self, id: &TenantId) -> Result<Option<TenantConfig>, StoreError> {
        self.get(tenant_pk(id), "CONFIG")
            .await?
            .map(|i| parse_json(&i, "config"))
            .transpose()
    }

    async fn get_order(&self, id: OrderId) -> Result<Option<Order>, StoreError> {
        self.get(order_pk(id), "ORDER")
            .await?
            .map(|i| parse_order(&i))
            .transpose()
    }

    async fn find_by_provider_ref(
        &self,
        tenant: &TenantId,
        provider: ProviderKind,
        reference: &str,
    ) -> Result<Option<Order>, StoreError> {
        let items = self
            .query_index(
                "gsi1",
                "gsi1pk",
                &provider_ref_key(tenant, provider, reference),
                1,
            )
            .await?;
        items.first().map(parse_order).transpose()
    }

    async fn find_active(
        &self,
        tenant: &TenantId,
        route: &RouteId,
        opp: &str,
    ) -> Result<Option<Order>, StoreError> {
        let Some(slot) = self.get(active_key(tenant, route, opp), "ACTIVE").await? else {
            return Ok(None);
        };
        let id = get_s(&slot, "order_id")
            .and_then(OrderId::parse)
            .ok_or_else(|| StoreError::Corrupt("active slot without order id".into()))?;
        self.get_order(id).await
    }

    async fn orders_of_opportunity(
        &self,
        tenant: &TenantId,
        opportunity_id: &str,
    ) -> Result<Vec<Order>, StoreError> {
        let keys = self
            .query_index(
                "gsi3",
                "gsi3pk",
                &opportunity_key(tenant, opportunity_id),
                MAX_ORDERS_PER_OPPORTUNITY,
            )
            .await?;
        let mut orders = Vec::with_capacity(keys.len());
        for key in &keys {
            let id = get_s(key, "gsi3sk")
                .and_then(OrderId::parse)
                .ok_or_else(|| StoreError::Corrupt("opportunity index without order id".into()))?;
            // The index is eventually consistent; the order itself is read consistently.
            if let Some(order) = self.get_order(id).await? {
                orders.push(order);
            }
        }
        Ok(orders)
    }

    async fn audit_trail(&self, id: OrderId) -> Result<Vec<AuditEntry>, StoreError> {
        let mut out = Vec::new();
        self.query_partition(&order_pk(id), SortKeys::Prefix("AUDIT#"), true, |items| {
            for i in &items {
                out.push(parse_json(i, "entry")?);
            }
            Ok(())
        })
        .await?;
        Ok(out)
    }

    async fn commit(&self, c: Commit) -> Result<(), CommitError> {
        let actions = self.transaction(&c)?;
        self.transact(actions).await
    }

    async fn get_delivery(
        &self,
        key: &str,
        now: OffsetDateTime,
    ) -> Result<Option<DeliveryRecord>, StoreError> {
        match self.get(delivery_pk(key), "DELIVERY").await? {
            Some(item) => {
                let record = parse_delivery(&item, key)?;
                Ok((record.expires_at > now).then_some(record))
            }
            None => Ok(None),
        }
    }

    async fn record(&self, r: Record) -> Result<(), CommitError> {
        let mut actions = Vec::new();
        for d in &r.deliveries {
            actions.push((self.delivery_put(d, r.now), Check::Delivery));
        }
        if let Some(id) = r.consumes {
            actions.push((self.consume(id), Check::Outbox));
        }
        for item in &r.outbox {
            actions.push((
                TransactWriteItem::builder()
                    .put(self.put(outbox_item(item)?))
                    .build(),
                Check::None,
            ));
        }
        for entry in &r.audit {
            actions.push((
                TransactWriteItem::builder()
                    .put(self.put(audit_item(entry)?))
                    .build(),
                Check::None,
            ));
        }
        if actions.is_empty() {
            return Ok(());
        }
        self.transact(actions).await
    }

    async fn due_orders(
        &self,
        now: OffsetDateTime,
        limit: usize,
        after: Option<DueCursor>,
    ) -> Result<DuePage, StoreError> {
        self.sparse_page("DUE", now, limit, after, |o| {
            o.expires_at.map(|at| DueCursor::new(at, o.id))
        })
        .await
    }

    async fn due_polls(
        &self,
        now: OffsetDateTime,
        limit: usize,
        after: Option<DueCursor>,
    ) -> Result<DuePage, StoreError> {
        self.sparse_index_page(
            ("gsi4", "gsi4pk", "gsi4sk"),
            POLL_PARTITION,
            now,
            limit,
            after,
            |o| o.poll_at.map(|at| DueCursor::new(at, o.id)),
        )
        .await
    }

    /// One `UpdateItem` on the order's version: the poll time inside the order and its
    /// index keys, or their removal.
    async fn defer_poll(
        &self,
        order: &Order,
        at: Option<OffsetDateTime>,
    ) -> Result<bool, StoreError> {
        let at = at.filter(|_| !order.status.is_terminal());
        self.stats.call("UpdateItem");
        let update = self
            .client()
            .await
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(order_pk(order.id), "ORDER")))
            .condition_expression("version = :v")
            .expression_attribute_values(":v", n(order.version))
            .expression_attribute_names("#o", "order")
            .expression_attribute_names("#t", "poll_at");
        let update = match at {
            Some(at) => update
                .update_expression("SET #o.#t = :t, gsi4pk = :p, gsi4sk = :s")
                .expression_attribute_values(
                    ":t",
                    s(at.format(&time::format_description::well_known::Rfc3339)
                        .map_err(|e| StoreError::Corrupt(format!("poll_at: {e}")))?),
                )
                .expression_attribute_values(":p", s(POLL_PARTITION))
                .expression_attribute_values(":s", s(due_sort_key(at, order.id))),
            None => update.update_expression("REMOVE #o.#t, gsi4pk, gsi4sk"),
        };
        Ok(unless_condition_failed(update.send().await)?.is_some())
    }

    async fn ended_holding_pii(
        &self,
        ended_before: OffsetDateTime,
        limit: usize,
        after: Option<DueCursor>,
    ) -> Result<DuePage, StoreError> {
        self.sparse_page("SCRUB", ended_before, limit, after, |o| {
            Some(DueCursor::new(o.updated_at, o.id))
        })
        .await
    }

    async fn list_tenants(&self) -> Result<Vec<TenantConfig>, StoreError> {
        self.query_index("gsi2", "gsi2pk", "TENANT", usize::MAX)
            .await?
            .iter()
            .map(|i| parse_json(i, "config"))
            .collect()
    }

    async fn get_cursor(
        &self,
        tenant: &TenantId,
        name: &str,
    ) -> Result<Option<String>, StoreError> {
        Ok(self
            .get(format!("CURSOR#{tenant}#{name}"), "CURSOR")
            .await?
            .and_then(|i| get_s(&i, "value").map(str::to_owned)))
    }

    async fn put_cursor(
        &self,
        tenant: &TenantId,
        name: &str,
        value: &str,
    ) -> Result<(), StoreError> {
        self.stats.call("PutItem");
        self.client()
            .await
            .put_item()
            .table_name(&self.table)
            .set_item(Some(cursor_item(tenant, name, value)))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn pending_outbox(&self, limit: usize) -> Result<Vec<OutboxItem>, StoreError> {
        let mut items = Vec::new();
        for raw in self.query_index("gsi2", "gsi2pk", "OUTBOX", limit).await? {
            match parse_outbox(&raw) {
                Ok(item) => items.push(item),
                Err(e) => self.set_aside(&raw, &e, "gsi2pk").await?,
            }
        }
        Ok(items)
    }

    async fn lease_outbox(
        &self,
        id: OutboxId,
        holder: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<Option<u32>, StoreError> {
        self.stats.call("UpdateItem");
        let res = self
            .client()
            .await
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(outbox_pk(id), "OUTBOX")))
            .update_expression("SET lease_holder = :h, lease_until = :u ADD attempts :one")
            .condition_expression(
                "attribute_exists(pk) AND (attribute_not_exists(lease_until) \
                 OR lease_until <= :now OR lease_holder = :h)",
            )
            .expression_attribute_values(":h", AttributeValue::S(holder.to_owned()))
            .expression_attribute_values(":u", n(unix_ms(until)))
            .expression_attribute_values(":now", n(unix_ms(now)))
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::UpdatedNew)
            .send()
            .await;
        Ok(unless_condition_failed(res)?.map(|out| {
            out.attributes
                .as_ref()
                .and_then(|a| get_n(a, "attempts"))
                .and_then(|n| u32::try_from(n).ok())
                .unwrap_or(1)
        }))
    }

    async fn release_outbox(&self, id: OutboxId, holder: &str) -> Result<(), StoreError> {
        self.stats.call("UpdateItem");
        let res = self
            .client()
            .await
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(outbox_pk(id), "OUTBOX")))
            .update_expression("REMOVE lease_holder, lease_until")
            .condition_expression("lease_holder = :h")
            .expression_attribute_values(":h", AttributeValue::S(holder.to_owned()))
            .send()
            .await;
        // Gone, or no longer ours: nothing to give up.
        unless_condition_failed(res).map(|_| ())
    }

    async fn return_outbox(
        &self,
        id: OutboxId,
        holder: &str,
        now: OffsetDateTime,
    ) -> Result<(), StoreError> {
        self.stats.call("UpdateItem");
        let res = self
            .client()
            .await
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(outbox_pk(id), "OUTBOX")))
            .update_expression(
                "REMOVE lease_holder, lease_until SET gsi2sk = :sk ADD attempts :less",
            )
            .condition_expression("lease_holder = :h AND attempts > :zero")
            .expression_attribute_values(":h", AttributeValue::S(holder.to_owned()))
            .expression_attribute_values(
                ":sk",
                AttributeValue::S(format!("{}#{id}", items::sortable_time(now))),
            )
            .expression_attribute_values(":less", AttributeValue::N("-1".into()))
            .expression_attribute_values(":zero", AttributeValue::N("0".into()))
            .send()
            .await;
        unless_condition_failed(res).map(|_| ())
    }

    async fn get_outbox(&self, id: OutboxId) -> Result<Option<OutboxItem>, StoreError> {
        self.get(outbox_pk(id), "OUTBOX")
            .await?
            .map(|i| parse_outbox(&i))
            .transpose()
    }

    async fn complete_outbox(&self, id: OutboxId) -> Result<(), StoreError> {
        self.stats.call("DeleteItem");
        self.client()
            .await
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(outbox_pk(id), "OUTBOX")))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn dead_letter(&self, letter: DeadLetter) -> Result<(), StoreError> {
        let del = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key(outbox_pk(letter.item.id), "OUTBOX")))
            .build()
            .expect("complete delete");
        self.stats.call("TransactWriteItems");
        self.client()
            .await
            .transact_write_items()
            .transact_items(
                TransactWriteItem::builder()
                    .put(self.put(dead_letter_item(&letter)?))
                    .build(),
            )
            .transact_items(TransactWriteItem::builder().delete(del).build())
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn dead_letters(&self, limit: usize) -> Result<Vec<DeadLetter>, StoreError> {
        self.query_index("gsi2", "gsi2pk", "DEAD", limit)
            .await?
            .iter()
            .map(|i| parse_json(i, "letter"))
            .collect()
    }
}

/// The shared request budget: one counter item per key and second (`RATE#<key>#<second>`),
/// incremented only while below the limit, deleted by TTL a minute later.
#[async_trait::async_trait]
impl crate::ports::RateGate for DynamoStore {
    async fn try_take(&self, key: &str, window: i64, limit: u32) -> Result<bool, StoreError> {
        self.stats.call("UpdateItem");
        let res = self
            .client()
            .await
            .update_item()
            .table_name(&self.table)
            .set_key(Some(items::key(format!("RATE#{key}#{window}"), "RATE")))
            .update_expression("ADD #n :one SET expires_at = :ttl")
            .condition_expression("attribute_not_exists(#n) OR #n < :limit")
            .expression_attribute_names("#n", "taken")
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .expression_attribute_values(":limit", AttributeValue::N(limit.to_string()))
            .expression_attribute_values(":ttl", AttributeValue::N((window + 60).to_string()))
            .send()
            .await;
        Ok(unless_condition_failed(res)?.is_some())
    }
}
