//! The order-store contract, run against the embedded store and against DynamoDB Local.

use screenhub::adapters::embedded_store::EmbeddedStore;
use screenhub::config::TenantConfig;
use screenhub::domain::effects::{DeadLetter, Effect, OutboxItem};
use screenhub::domain::{Order, OrderStatus, ProviderKind, TenantId};
use screenhub::ports::connections::{ConnectionStatus, ConnectionStore, LeverConnection};
use screenhub::ports::store::{Commit, CommitError, DeliveryRecord, DuePage, Record, Store};
use screenhub::ports::{Clock, ManualClock};
use screenhub_tests::{pairing, route};
use std::sync::Arc;
use time::OffsetDateTime;

fn tenant(id: &str) -> TenantConfig {
    serde_json::from_value(serde_json::json!({"id": id, "name": "T", "lever": {}})).unwrap()
}

fn now() -> OffsetDateTime {
    OffsetDateTime::now_utc().replace_nanosecond(0).unwrap()
}

fn new_order(t: &TenantId, opp: &str) -> Order {
    Order::new(
        t.clone(),
        &pairing(ProviderKind::Alliance2020),
        opp.into(),
        now(),
    )
}

fn item(t: &TenantId, order: &Order) -> OutboxItem {
    OutboxItem::new(t.clone(), Effect::PlaceOrder { order_id: order.id }, now())
}

async fn suite(store: &dyn Store) {
    let t = TenantId::parse(&screenhub_tests::unique("t")).unwrap();

    // Tenants round-trip.
    store.put_tenant(&tenant(t.as_str())).await.unwrap();
    assert_eq!(store.get_tenant(&t).await.unwrap().unwrap().id, t);
    assert!(
        store
            .get_tenant(&TenantId::parse("nobody").unwrap())
            .await
            .unwrap()
            .is_none()
    );

    // Create with an outbox item and a delivery record.
    let order = new_order(&t, "opp-1");
    let first = item(&t, &order);
    let delivery = DeliveryRecord {
        key: format!("k:{t}:1"),
        expires_at: now() + time::Duration::days(1),
        fingerprint: None,
    };
    store
        .commit(
            Commit::create(order.clone(), "test", vec![first.clone()])
                .with_delivery(delivery.clone()),
        )
        .await
        .unwrap();
    // A delivery record reads back (with what it fingerprinted) until it expires.
    let printed = DeliveryRecord::new(format!("k:{t}:printed"), now() + time::Duration::days(1))
        .with_fingerprint("f1".into());
    store
        .record(Record {
            deliveries: vec![printed.clone()],
            outbox: vec![],
            consumes: None,
            audit: Vec::new(),
            now: now(),
        })
        .await
        .unwrap();
    assert_eq!(
        store.get_delivery(&printed.key, now()).await.unwrap(),
        Some(printed.clone())
    );
    assert_eq!(
        store
            .get_delivery(&delivery.key, now())
            .await
            .unwrap()
            .map(|d| d.key),
        Some(delivery.key.clone())
    );
    assert!(
        store
            .get_delivery(&printed.key, now() + time::Duration::days(2))
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        store
            .get_delivery(&format!("k:{t}:none"), now())
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(store.get_order(order.id).await.unwrap().unwrap(), order);
    assert_eq!(
        store
            .find_active(&t, &route(ProviderKind::Alliance2020), "opp-1")
            .await
            .unwrap()
            .unwrap()
            .id,
        order.id
    );

    // The same delivery again commits nothing, even for another order.
    let dup = new_order(&t, "opp-2");
    let err = store
        .commit(Commit::create(dup.clone(), "test", vec![]).with_delivery(delivery))
        .await
        .unwrap_err();
    assert!(matches!(err, CommitError::DuplicateDelivery), "{err:?}");
    assert!(store.get_order(dup.id).await.unwrap().is_none());

    // A second active order for the same opportunity is refused.
    let twin = new_order(&t, "opp-1");
    let err = store
        .commit(Commit::create(twin, "test", vec![]))
        .await
        .unwrap_err();
    assert!(matches!(err, CommitError::ActiveOrderExists), "{err:?}");

    // Pending outbox lists the item; updating with a stale version fails and changes nothing.
    assert!(
        store
            .pending_outbox(100)
            .await
            .unwrap()
            .iter()
            .any(|i| i.id == first.id)
    );
    let mut next = order.next(now());
    next.status = OrderStatus::Pending;
    next.provider_ref = Some(format!("A20-{t}"));
    let mut stale = Commit::update(&order, next.clone(), "test", vec![]);
    stale.expected_version = Some(order.version + 5);
    assert!(matches!(
        store.commit(stale).await.unwrap_err(),
        CommitError::VersionConflict
    ));
    assert_eq!(store.get_order(order.id).await.unwrap().unwrap().version, 1);

    // Update consuming the outbox item, adding a new one.
    let sync = OutboxItem::new(
        t.clone(),
        Effect::Render {
            order_id: order.id,
            to: None,
        },
        now(),
    );
    store
        .commit(
            Commit::update(&order, next.clone(), "test", vec![sync.clone()]).consuming(first.id),
        )
        .await
        .unwrap();
    assert!(store.get_outbox(first.id).await.unwrap().is_none());
    assert_eq!(store.get_outbox(sync.id).await.unwrap().unwrap(), sync);
    // Consuming the same item twice fails (an effect commits once).
    let mut again = next.next(now());
    again.status = OrderStatus::InProgress;
    let err = store
        .commit(Commit::update(&next, again.clone(), "test", vec![]).consuming(first.id))
        .await
        .unwrap_err();
    assert!(matches!(err, CommitError::OutboxItemGone), "{err:?}");

    // Every order of an opportunity, at its latest version; nothing of another opportunity
    // or another tenant's opportunity of the same id.
    let other = TenantId::parse(&screenhub_tests::unique("u")).unwrap();
    store
        .commit(Commit::create(new_order(&other, "opp-1"), "test", vec![]))
        .await
        .unwrap();
    assert_eq!(
        store.orders_of_opportunity(&t, "opp-1").await.unwrap(),
        vec![next.clone()]
    );
    assert!(
        store
            .orders_of_opportunity(&t, "opp-9")
            .await
            .unwrap()
            .is_empty()
    );

    // Provider reference lookup (eventually consistent on DynamoDB: poll briefly).
    // Another tenant's provider account handed out the same reference: each tenant finds
    // its own order, never the other's.
    let u = TenantId::parse(&screenhub_tests::unique("u")).unwrap();
    let mut theirs = new_order(&u, "opp-1");
    theirs.provider_ref = Some(format!("A20-{t}"));
    store
        .commit(Commit::create(theirs.clone(), "test", vec![]))
        .await
        .unwrap();
    for (tenant, expected) in [(&t, order.id), (&u, theirs.id)] {
        let mut found = None;
        for _ in 0..50 {
            found = store
                .find_by_provider_ref(tenant, ProviderKind::Alliance2020, &format!("A20-{t}"))
                .await
                .unwrap();
            if found.is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert_eq!(found.map(|o| o.id), Some(expected), "{tenant}");
    }
    let stranger = TenantId::parse(&screenhub_tests::unique("v")).unwrap();
    assert!(
        store
            .find_by_provider_ref(&stranger, ProviderKind::Alliance2020, &format!("A20-{t}"))
            .await
            .unwrap()
            .is_none()
    );

    // A refused change is appended to the trail without a version of its own, once per record.
    let current = store.get_order(order.id).await.unwrap().unwrap();
    let before = store.audit_trail(order.id).await.unwrap();
    let refused = screenhub::domain::AuditEntry::refused(
        &current,
        OrderStatus::Requested,
        "stale",
        "test:late",
        now(),
    );
    store
        .record(Record {
            deliveries: vec![],
            outbox: vec![],
            consumes: None,
            audit: vec![refused.clone()],
            now: now(),
        })
        .await
        .unwrap();
    let trail = store.audit_trail(order.id).await.unwrap();
    assert_eq!(trail.len(), before.len() + 1);
    assert_eq!(trail.last(), Some(&refused));
    assert_eq!(store.get_order(order.id).await.unwrap().unwrap(), current);

    // Terminal status releases the active slot; a new order for the opportunity is allowed.
    let mut done = next.next(now());
    done.status = OrderStatus::Complete;
    store
        .commit(Commit::update(&next, done.clone(), "test", vec![]))
        .await
        .unwrap();
    assert!(
        store
            .find_active(&t, &route(ProviderKind::Alliance2020), "opp-1")
            .await
            .unwrap()
            .is_none()
    );
    store
        .commit(Commit::create(new_order(&t, "opp-1"), "test", vec![]))
        .await
        .unwrap();

    // Audit trail: every transition in order, the refused one where it was refused.
    let trail = store.audit_trail(order.id).await.unwrap();
    let statuses: Vec<OrderStatus> = trail.iter().map(|a| a.to).collect();
    assert_eq!(
        statuses,
        vec![
            OrderStatus::Requested,
            OrderStatus::Pending,
            OrderStatus::Requested,
            OrderStatus::Complete
        ]
    );
    assert_eq!(trail[1].from, Some(OrderStatus::Requested));

    // Dead letters keep the item and remove it from the outbox; completing is idempotent.
    store
        .dead_letter(DeadLetter {
            item: sync.clone(),
            error: "boom".into(),
            failed_at: now(),
        })
        .await
        .unwrap();
    assert!(store.get_outbox(sync.id).await.unwrap().is_none());
    assert!(
        store
            .dead_letters(100)
            .await
            .unwrap()
            .iter()
            .any(|l| l.item.id == sync.id && l.error == "boom")
    );
    store.complete_outbox(sync.id).await.unwrap();
}

#[tokio::test]
async fn embedded_store_conforms() {
    suite(&EmbeddedStore::new()).await;
}

#[tokio::test]
async fn dynamodb_store_conforms() {
    let store = screenhub_tests::fresh_table().await;
    suite(&store).await;
}

/// An item returned while its ATS is disconnected gets its attempt back and goes behind the
/// items queued after it, so a disconnected tenant's waiting items never crowd out others.
async fn returned_outbox_suite(store: &dyn Store) {
    let t = TenantId::parse(&screenhub_tests::unique("w")).unwrap();
    let at = now();
    let item = |opp: &str, at: OffsetDateTime| {
        OutboxItem::new(
            t.clone(),
            Effect::Render {
                order_id: new_order(&t, opp).id,
                to: None,
            },
            at,
        )
    };
    let (waiting, other) = (
        item("opp-w", at),
        item("opp-o", at + time::Duration::seconds(1)),
    );
    store
        .record(Record {
            deliveries: Vec::new(),
            outbox: vec![waiting.clone(), other.clone()],
            consumes: None,
            audit: Vec::new(),
            now: at,
        })
        .await
        .unwrap();
    let order = |items: Vec<OutboxItem>| items.iter().map(|i| i.id).collect::<Vec<_>>();
    assert_eq!(
        order(store.pending_outbox(10).await.unwrap()),
        vec![waiting.id, other.id]
    );
    let later = at + time::Duration::seconds(10);
    assert_eq!(
        store
            .lease_outbox(waiting.id, "h1", later, later + time::Duration::minutes(2))
            .await
            .unwrap(),
        Some(1)
    );
    // Someone else's return changes nothing.
    store.return_outbox(waiting.id, "h2", later).await.unwrap();
    assert_eq!(
        order(store.pending_outbox(10).await.unwrap()),
        vec![waiting.id, other.id]
    );
    store.return_outbox(waiting.id, "h1", later).await.unwrap();
    let pending = store.pending_outbox(10).await.unwrap();
    assert_eq!(order(pending.clone()), vec![other.id, waiting.id]);
    assert_eq!(pending[1].attempts, 0, "the attempt is given back");
    // Free again at once: the next run may take it.
    assert_eq!(
        store
            .lease_outbox(waiting.id, "h3", later, later + time::Duration::minutes(2))
            .await
            .unwrap(),
        Some(1)
    );
}

#[tokio::test]
async fn embedded_store_returns_a_waiting_item_to_the_back() {
    returned_outbox_suite(&EmbeddedStore::new()).await;
}

#[tokio::test]
async fn dynamodb_store_returns_a_waiting_item_to_the_back() {
    returned_outbox_suite(&screenhub_tests::fresh_table().await).await;
}

#[tokio::test]
async fn concurrent_creates_for_one_delivery_commit_once() {
    let store = screenhub_tests::fresh_table().await;
    let t = TenantId::parse("race").unwrap();
    let key = "k:race".to_owned();
    let mut tasks = Vec::new();
    for i in 0..5 {
        let store = store.clone();
        let t = t.clone();
        let key = key.clone();
        tasks.push(tokio::spawn(async move {
            let o = Order::new(
                t,
                &pairing(ProviderKind::Alliance2020),
                format!("opp-{i}"),
                now(),
            );
            store
                .commit(
                    Commit::create(o, "test", vec![]).with_delivery(DeliveryRecord {
                        key,
                        expires_at: now() + time::Duration::days(1),
                        fingerprint: None,
                    }),
                )
                .await
        }));
    }
    let mut ok = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(()) => ok += 1,
            Err(CommitError::DuplicateDelivery | CommitError::VersionConflict) => {}
            Err(e) => panic!("unexpected {e:?}"),
        }
    }
    assert_eq!(ok, 1);
}

/// This tenant's orders on a page (other tests share the table).
fn ids_of(page: &DuePage, t: &TenantId) -> Vec<screenhub::domain::OrderId> {
    page.orders
        .iter()
        .filter(|o| &o.tenant == t)
        .map(|o| o.id)
        .collect()
}

/// What the scheduled passes need: tenants listed, cursors, effect-only records, terminal
/// creations that hold no active slot, and the sparse due-order index.
async fn scheduling_suite(store: &dyn Store) {
    let t = TenantId::parse(&screenhub_tests::unique("s")).unwrap();
    store.put_tenant(&tenant(t.as_str())).await.unwrap();
    assert!(
        store
            .list_tenants()
            .await
            .unwrap()
            .iter()
            .any(|c| c.id == t)
    );

    assert_eq!(store.get_cursor(&t, "poll").await.unwrap(), None);
    store.put_cursor(&t, "poll", "123").await.unwrap();
    store.put_cursor(&t, "poll", "456").await.unwrap();
    assert_eq!(
        store.get_cursor(&t, "poll").await.unwrap().as_deref(),
        Some("456")
    );

    // An effect-only record happens once per delivery key, and can consume an item.
    let anchor = new_order(&t, "opp-r");
    let effect = |o: &Order| {
        OutboxItem::new(
            t.clone(),
            Effect::Render {
                order_id: o.id,
                to: None,
            },
            now(),
        )
    };
    let delivery = DeliveryRecord {
        key: format!("poll:{t}:opp-r:1"),
        expires_at: now() + time::Duration::days(1),
        fingerprint: None,
    };
    let first = effect(&anchor);
    store
        .record(Record {
            deliveries: vec![delivery.clone()],
            outbox: vec![first.clone()],
            consumes: None,
            audit: Vec::new(),
            now: now(),
        })
        .await
        .unwrap();
    let err = store
        .record(Record {
            deliveries: vec![delivery],
            outbox: vec![effect(&anchor)],
            consumes: None,
            audit: Vec::new(),
            now: now(),
        })
        .await
        .unwrap_err();
    assert!(matches!(err, CommitError::DuplicateDelivery), "{err:?}");
    let follow_up = effect(&anchor);
    store
        .record(Record {
            deliveries: Vec::new(),
            outbox: vec![follow_up.clone()],
            consumes: Some(first.id),
            audit: Vec::new(),
            now: now(),
        })
        .await
        .unwrap();
    assert!(store.get_outbox(first.id).await.unwrap().is_none());
    assert!(store.get_outbox(follow_up.id).await.unwrap().is_some());
    let err = store
        .record(Record {
            deliveries: Vec::new(),
            outbox: vec![],
            consumes: Some(first.id),
            audit: Vec::new(),
            now: now(),
        })
        .await
        .unwrap_err();
    assert!(matches!(err, CommitError::OutboxItemGone), "{err:?}");
    store.complete_outbox(follow_up.id).await.unwrap();

    // A terminal order created outright (rejected on arrival) takes no active slot.
    let mut rejected = Order::new(
        t.clone(),
        &pairing(ProviderKind::BackgroundsOnline),
        "opp-x".into(),
        now(),
    );
    rejected.status = OrderStatus::Rejected;
    store
        .commit(Commit::create(rejected, "test", vec![]))
        .await
        .unwrap();
    assert!(
        store
            .find_active(&t, &route(ProviderKind::BackgroundsOnline), "opp-x")
            .await
            .unwrap()
            .is_none()
    );
    let next = Order::new(
        t.clone(),
        &pairing(ProviderKind::BackgroundsOnline),
        "opp-x".into(),
        now(),
    );
    store
        .commit(Commit::create(next, "test", vec![]))
        .await
        .unwrap();

    // Due orders: only waiting orders past their expiry, earliest first, page by page.
    let base = now() - time::Duration::days(20);
    let mut waiting = Vec::new();
    for i in 0..5i64 {
        let mut o = Order::new(
            t.clone(),
            &pairing(ProviderKind::BackgroundsOnline),
            format!("due-{i}"),
            base,
        );
        o.status = OrderStatus::Pending;
        o.expires_at = Some(base + time::Duration::days(i * 7)); // days 0, 7, 14, 21, 28
        store
            .commit(Commit::create(o.clone(), "test", vec![]))
            .await
            .unwrap();
        waiting.push(o);
    }
    let cutoff = base + time::Duration::days(14);
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store.due_orders(cutoff, 2, after).await.unwrap();
        after = page.next.clone();
        seen.extend(ids_of(&page, &t));
        if after.is_none() {
            break;
        }
    }
    assert_eq!(seen, vec![waiting[0].id, waiting[1].id, waiting[2].id]);

    // Leaving the waiting state takes an order out of the index.
    let mut done = waiting[0].next(now());
    done.status = OrderStatus::Cancelled;
    done.expires_at = None;
    store
        .commit(Commit::update(&waiting[0], done, "test", vec![]))
        .await
        .unwrap();
    let page = store.due_orders(cutoff, 100, None).await.unwrap();
    let ids = ids_of(&page, &t);
    assert_eq!(ids, vec![waiting[1].id, waiting[2].id]);

    // Ended orders holding candidate data, by end time; scrubbing takes them out.
    let ended_at = now() - time::Duration::days(40);
    let mut ended = Vec::new();
    for i in 0..3i64 {
        let mut o = Order::new(
            t.clone(),
            &pairing(ProviderKind::BackgroundsOnline),
            format!("end-{i}"),
            ended_at,
        );
        o.status = OrderStatus::Complete;
        o.updated_at = ended_at + time::Duration::days(i * 10); // days 0, 10, 20
        o.result = Some(screenhub::domain::ScreeningResult {
            summary: Some("free text".into()),
            ..Default::default()
        });
        store
            .commit(Commit::create(o.clone(), "test", vec![]))
            .await
            .unwrap();
        ended.push(o);
    }
    let before = ended_at + time::Duration::days(10);
    let mut seen = Vec::new();
    let mut after = None;
    loop {
        let page = store.ended_holding_pii(before, 1, after).await.unwrap();
        after = page.next.clone();
        seen.extend(ids_of(&page, &t));
        if after.is_none() {
            break;
        }
    }
    assert_eq!(seen, vec![ended[0].id, ended[1].id]);
    let clean = ended[0].scrubbed(now());
    store
        .commit(Commit::update(&ended[0], clean, "test", vec![]))
        .await
        .unwrap();
    let page = store.ended_holding_pii(before, 100, None).await.unwrap();
    let ids = ids_of(&page, &t);
    assert_eq!(ids, vec![ended[1].id]);

    poll_index(store, &t).await;
}

/// The sparse poll index: only orders in flight with a next poll time, due ones earliest
/// first, page by page; moving the next poll is conditional on the version read and changes
/// nothing else; an order that ends, or whose poll is removed, leaves the index.
async fn poll_index(store: &dyn Store, t: &TenantId) {
    let base = now() - time::Duration::days(2);
    let mut polled = Vec::new();
    for i in 0..4i64 {
        let mut o = Order::new(
            t.clone(),
            &pairing(ProviderKind::Accurate),
            format!("poll-{i}"),
            base,
        );
        o.status = OrderStatus::Pending;
        o.provider_ref = Some(format!("ACC-{i}"));
        o.poll_at = Some(base + time::Duration::hours(i)); // hours 0, 1, 2, 3
        if i == 3 {
            o.status = OrderStatus::Complete; // ended: never in the index
            o.poll_at = Some(base);
        }
        store
            .commit(Commit::create(o.clone(), "test", vec![]))
            .await
            .unwrap();
        polled.push(o);
    }
    let mut unpolled = Order::new(
        t.clone(),
        &pairing(ProviderKind::Accurate),
        "poll-x".into(),
        base,
    );
    unpolled.status = OrderStatus::InProgress;
    store
        .commit(Commit::create(unpolled, "test", vec![]))
        .await
        .unwrap();

    let due_at = move |cutoff| async move {
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = store.due_polls(cutoff, 1, after).await.unwrap();
            after = page.next.clone();
            seen.extend(ids_of(&page, t));
            if after.is_none() {
                return seen;
            }
        }
    };
    let cutoff = base + time::Duration::hours(1);
    assert_eq!(due_at(cutoff).await, vec![polled[0].id, polled[1].id]);

    // The next poll moves: out of this window, nothing else about the order changes.
    let later = base + time::Duration::hours(5);
    assert!(store.defer_poll(&polled[0], Some(later)).await.unwrap());
    let kept = store.get_order(polled[0].id).await.unwrap().unwrap();
    assert_eq!(kept.poll_at, Some(later));
    assert_eq!(
        (kept.version, kept.status),
        (polled[0].version, polled[0].status)
    );
    assert_eq!(store.audit_trail(kept.id).await.unwrap().len(), 1);
    assert_eq!(due_at(cutoff).await, vec![polled[1].id]);
    assert_eq!(
        due_at(later).await,
        vec![polled[1].id, polled[2].id, polled[0].id],
        "earliest first"
    );

    // Conditional on the version read: a newer version keeps its own.
    let mut moved = polled[1].next(now());
    moved.status = OrderStatus::InProgress;
    store
        .commit(Commit::update(&polled[1], moved.clone(), "test", vec![]))
        .await
        .unwrap();
    assert!(!store.defer_poll(&polled[1], Some(later)).await.unwrap());
    assert_eq!(
        store.get_order(moved.id).await.unwrap().unwrap().poll_at,
        moved.poll_at
    );

    // Removing the poll, or ending the order, takes it out of the index.
    assert!(store.defer_poll(&polled[2], None).await.unwrap());
    assert_eq!(
        store
            .get_order(polled[2].id)
            .await
            .unwrap()
            .unwrap()
            .poll_at,
        None
    );
    let mut done = moved.next(now());
    done.status = OrderStatus::Complete;
    store
        .commit(Commit::update(&moved, done, "test", vec![]))
        .await
        .unwrap();
    assert_eq!(due_at(later).await, vec![polled[0].id]);
}

#[tokio::test]
async fn embedded_store_conforms_for_scheduled_passes() {
    scheduling_suite(&EmbeddedStore::new()).await;
}

#[tokio::test]
async fn dynamodb_store_conforms_for_scheduled_passes() {
    let store = screenhub_tests::fresh_table().await;
    scheduling_suite(&store).await;
}

fn connection(t: &TenantId, version: u64) -> LeverConnection {
    LeverConnection {
        tenant: t.clone(),
        status: ConnectionStatus::Connected,
        scopes: vec!["offline_access".into(), "opportunities:read:admin".into()],
        connected_at: now(),
        refreshed_at: now(),
        access_expires_at: now() + time::Duration::hours(1),
        disconnected_at: None,
        disconnect_reason: None,
        webhooks: Vec::new(),
        version,
    }
}

async fn connections_suite(store: &dyn ConnectionStore) {
    let a = TenantId::parse(&screenhub_tests::unique("ca")).unwrap();
    let b = TenantId::parse(&screenhub_tests::unique("cb")).unwrap();

    // Versioned writes: create once, then only at the stored version.
    assert!(store.get_lever_connection(&a).await.unwrap().is_none());
    let first = connection(&a, 1);
    assert!(store.put_lever_connection(&first, None).await.unwrap());
    assert!(
        !store
            .put_lever_connection(&connection(&a, 1), None)
            .await
            .unwrap()
    );
    assert_eq!(store.get_lever_connection(&a).await.unwrap(), Some(first));
    let mut second = connection(&a, 2);
    second.status = ConnectionStatus::Disconnected;
    second.disconnected_at = Some(now());
    second.disconnect_reason = Some("invalid_grant".into());
    assert!(!store.put_lever_connection(&second, Some(7)).await.unwrap());
    assert!(store.put_lever_connection(&second, Some(1)).await.unwrap());
    assert!(
        !store
            .put_lever_connection(&connection(&a, 2), Some(1))
            .await
            .unwrap()
    );
    assert_eq!(
        store.get_lever_connection(&a).await.unwrap(),
        Some(second.clone())
    );

    // Every tenant's record is listed.
    let other = connection(&b, 1);
    assert!(store.put_lever_connection(&other, None).await.unwrap());
    let mut listed: Vec<LeverConnection> = store
        .lever_connections()
        .await
        .unwrap()
        .into_iter()
        .filter(|c| c.tenant == a || c.tenant == b)
        .collect();
    listed.sort_by(|x, y| x.tenant.as_str().cmp(y.tenant.as_str()));
    assert_eq!(listed, vec![second, other.clone()]);

    // Deleted, it is gone (and can be created again).
    store.delete_lever_connection(&a).await.unwrap();
    assert!(store.get_lever_connection(&a).await.unwrap().is_none());
    assert!(
        store
            .lever_connections()
            .await
            .unwrap()
            .iter()
            .all(|c| c.tenant != a)
    );
    store.delete_lever_connection(&a).await.unwrap();
    assert!(
        store
            .put_lever_connection(&connection(&a, 1), None)
            .await
            .unwrap()
    );

    // A lease is exclusive between holders, re-entrant for its holder, free after expiry.
    let key = format!("lever-connection:{a}");
    let (t0, minute) = (now(), time::Duration::minutes(1));
    assert!(store.take_lease(&key, "h1", t0, t0 + minute).await.unwrap());
    assert!(!store.take_lease(&key, "h2", t0, t0 + minute).await.unwrap());
    assert!(
        store
            .take_lease(&key, "h1", t0, t0 + 2 * minute)
            .await
            .unwrap()
    );
    // Still h1's until its extended end.
    assert!(
        !store
            .take_lease(&key, "h2", t0 + minute, t0 + 3 * minute)
            .await
            .unwrap()
    );
    assert!(
        store
            .take_lease(&key, "h2", t0 + 2 * minute, t0 + 3 * minute)
            .await
            .unwrap()
    );
    // Only its holder gives it up.
    store.release_lease(&key, "h1").await.unwrap();
    assert!(
        !store
            .take_lease(&key, "h1", t0 + 2 * minute, t0 + 4 * minute)
            .await
            .unwrap()
    );
    store.release_lease(&key, "h2").await.unwrap();
    assert!(
        store
            .take_lease(&key, "h1", t0 + 2 * minute, t0 + 4 * minute)
            .await
            .unwrap()
    );
    store.release_lease(&key, "h1").await.unwrap();
    store.release_lease(&key, "h1").await.unwrap();
    // Another key is another lease.
    assert!(
        store
            .take_lease(&format!("{key}:x"), "h2", t0, t0 + minute)
            .await
            .unwrap()
    );
    assert!(store.take_lease(&key, "h3", t0, t0 + minute).await.unwrap());

    // A key is used once until it expires; one kept past its expiry counts as unused.
    let once = format!("state:{a}");
    let day = time::Duration::days(1);
    assert!(store.use_once(&once, now() + day).await.unwrap());
    assert!(!store.use_once(&once, now() + day).await.unwrap());
    assert!(
        store
            .use_once(&format!("{once}:2"), now() + day)
            .await
            .unwrap()
    );
    let stale = format!("state:{a}:stale");
    assert!(store.use_once(&stale, now() - minute).await.unwrap());
    assert!(store.use_once(&stale, now() + day).await.unwrap());
    assert!(!store.use_once(&stale, now() + day).await.unwrap());
}

#[tokio::test]
async fn embedded_store_conforms_for_connections() {
    connections_suite(&EmbeddedStore::new()).await;
}

#[tokio::test]
async fn dynamodb_store_conforms_for_connections() {
    let store = screenhub_tests::fresh_table().await;
    connections_suite(&store).await;

    // Listing is one Query of one partition, never a Scan.
    let before = store.stats().calls();
    store.lever_connections().await.unwrap();
    let (total, by_op) = screenhub_tests::calls_since(&store, &before);
    assert_eq!(
        (total, by_op.get("Query").copied()),
        (1, Some(1)),
        "{by_op:?}"
    );

    // Every other operation is one call.
    let t = TenantId::parse(&screenhub_tests::unique("calls")).unwrap();
    let (t0, until) = (now(), now() + time::Duration::minutes(1));
    let one = |before: &screenhub_tests::Calls, op: &str| {
        let (total, by_op) = screenhub_tests::calls_since(&store, before);
        assert_eq!((total, by_op.get(op).copied()), (1, Some(1)), "{by_op:?}");
    };
    let before = store.stats().calls();
    store
        .put_lever_connection(&connection(&t, 1), None)
        .await
        .unwrap();
    one(&before, "PutItem");
    let before = store.stats().calls();
    store.get_lever_connection(&t).await.unwrap();
    one(&before, "GetItem");
    let before = store.stats().calls();
    store.delete_lever_connection(&t).await.unwrap();
    one(&before, "DeleteItem");
    let before = store.stats().calls();
    store.take_lease("calls", "h", t0, until).await.unwrap();
    one(&before, "UpdateItem");
    let before = store.stats().calls();
    store.release_lease("calls", "h").await.unwrap();
    one(&before, "UpdateItem");
    let before = store.stats().calls();
    store.use_once("calls", until).await.unwrap();
    one(&before, "UpdateItem");
}

#[tokio::test]
async fn dynamodb_store_lists_connections_past_a_page() {
    let store = screenhub_tests::fresh_table().await;
    // About 30 KB each: more than 1 MB takes a second page.
    let mut big = connection(&TenantId::parse("t").unwrap(), 1);
    big.scopes = vec!["x".repeat(30_000)];
    for i in 0..50 {
        big.tenant = TenantId::parse(&format!("t{i:02}")).unwrap();
        assert!(store.put_lever_connection(&big, None).await.unwrap());
    }
    let before = store.stats().calls();
    assert_eq!(store.lever_connections().await.unwrap().len(), 50);
    let (_, by_op) = screenhub_tests::calls_since(&store, &before);
    assert!(by_op.get("Query").copied().unwrap_or(0) >= 2, "{by_op:?}");
}

#[tokio::test]
async fn embedded_store_forgets_a_used_key_once_it_expires() {
    let clock = Arc::new(ManualClock::new(now()));
    let store = EmbeddedStore::new().with_clock(clock.clone());
    let at = clock.now() + time::Duration::minutes(10);
    assert!(store.use_once("state:1", at).await.unwrap());
    assert!(!store.use_once("state:1", at).await.unwrap());
    clock.advance(time::Duration::minutes(9));
    assert!(!store.use_once("state:1", at).await.unwrap());
    clock.advance(time::Duration::minutes(1));
    assert!(
        store
            .use_once("state:1", at + time::Duration::minutes(10))
            .await
            .unwrap()
    );
    assert!(!store.use_once("state:1", at).await.unwrap());
}
