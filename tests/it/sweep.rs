//! The expiry sweep at scale: it reads only what is due, through the sparse index.

use screenhub::domain::{Order, OrderStatus, ProviderKind, TenantId};
use screenhub::ports::{Clock, ManualClock};
use screenhub::sweep::ExpirySweep;
use screenhub_tests::pairing;
use std::sync::Arc;
use time::Duration;

const ORDERS: usize = 10_000;
const DUE: usize = 100;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sweeping_ten_thousand_orders_reads_only_the_hundred_due() {
    let store = Arc::new(screenhub_tests::fresh_table().await);
    let clock = Arc::new(ManualClock::new(time::OffsetDateTime::now_utc()));
    let now = clock.now();
    let tenant = TenantId::parse("sweep").unwrap();
    // 100 waiting past their expiry, 4,950 waiting with time left, 4,950 completed.
    let orders: Vec<Order> = (0..ORDERS)
        .map(|i| {
            let mut o = Order::new(
                tenant.clone(),
                &pairing(ProviderKind::BackgroundsOnline),
                format!("opp-{i}"),
                now - Duration::days(20),
            );
            if i < DUE {
                o.status = OrderStatus::Pending;
                o.expires_at = Some(now - Duration::minutes(i as i64 + 1));
            } else if i % 2 == 0 {
                o.status = OrderStatus::Pending;
                o.expires_at = Some(now + Duration::days(1 + (i % 13) as i64));
            } else {
                o.status = OrderStatus::Complete;
            }
            o
        })
        .collect();
    let seeded = std::time::Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for chunk in orders.chunks(ORDERS / 8) {
        let store = store.clone();
        let chunk = chunk.to_vec();
        tasks.spawn(async move { store.import_orders(&chunk, "seed").await });
    }
    for r in tasks.join_all().await {
        r.expect("seed orders");
    }
    let seed_time = seeded.elapsed();

    let sweep = ExpirySweep {
        store: store.clone(),
        clock: clock.clone(),
        page_size: 100,
        pii_retention: screenhub::sweep::DEFAULT_PII_RETENTION,
    };
    // DynamoDB's own count of the items its queries examined, not our count of results.
    let scanned_before = store.stats().items_scanned();
    let units_before = store.stats().read_units();
    let calls_before = store.stats().calls();
    let started = std::time::Instant::now();
    let report = sweep.run(None).await.expect("sweep");
    let wall = started.elapsed();
    let scanned = store.stats().items_scanned() - scanned_before;
    let units = store.stats().read_units() - units_before;
    let queries = store.stats().calls()["Query"] - calls_before.get("Query").copied().unwrap_or(0);
    println!(
        "figures: expiry sweep over {ORDERS} orders ({DUE} due): expired {}, DynamoDB scanned {scanned} items in {queries} queries ({units:.1} RCU), wall {:.0} ms (seeding took {:.1} s)",
        report.expired,
        wall.as_secs_f64() * 1000.0,
        seed_time.as_secs_f64()
    );
    assert_eq!(report.due, DUE);
    assert_eq!(report.expired, DUE);
    assert!(
        scanned <= DUE as u64 + 5,
        "DynamoDB scanned {scanned} items for {DUE} due orders"
    );

    // Nothing due is left; a second sweep examines nothing.
    let before = store.stats().items_scanned();
    let again = sweep.run(None).await.expect("sweep");
    assert_eq!((again.due, again.expired), (0, 0));
    assert_eq!(store.stats().items_scanned(), before);
}

#[tokio::test]
async fn an_unreadable_due_order_is_set_aside_and_both_passes_go_on() {
    use screenhub::ports::Store;
    let store = Arc::new(screenhub_tests::fresh_table().await);
    let clock = Arc::new(ManualClock::new(time::OffsetDateTime::now_utc()));
    let now = clock.now();
    let tenant = TenantId::parse("sweep").unwrap();
    // The earliest entry of the due index cannot be read as an order.
    screenhub_tests::put_raw(
        &store,
        &[
            ("pk", "ORDER#corrupt"),
            ("sk", "ORDER"),
            ("gsi2pk", "DUE"),
            ("gsi2sk", "0000000000000#corrupt"),
            ("order", "{not json"),
        ],
    )
    .await;
    let mut due = Order::new(
        tenant.clone(),
        &pairing(ProviderKind::BackgroundsOnline),
        "opp-due".into(),
        now - Duration::days(20),
    );
    due.status = OrderStatus::Pending;
    due.expires_at = Some(now - Duration::hours(1));
    let mut ended = Order::new(
        tenant.clone(),
        &pairing(ProviderKind::BackgroundsOnline),
        "opp-ended".into(),
        now - Duration::days(60),
    );
    ended.status = OrderStatus::Complete;
    ended.result = Some(screenhub::domain::ScreeningResult {
        summary: Some("one record".into()),
        ..Default::default()
    });
    store
        .import_orders(&[due.clone(), ended.clone()], "seed")
        .await
        .unwrap();
    let sweep = ExpirySweep {
        store: store.clone(),
        clock: clock.clone(),
        page_size: 100,
        pii_retention: screenhub::sweep::DEFAULT_PII_RETENTION,
    };
    let report = sweep
        .run(None)
        .await
        .expect("an unreadable order does not fail the run");
    assert_eq!((report.expired, report.scrubbed), (1, 1));
    assert_eq!(
        store.get_order(due.id).await.unwrap().unwrap().status,
        OrderStatus::Expired
    );
    assert!(
        store
            .get_order(ended.id)
            .await
            .unwrap()
            .unwrap()
            .scrubbed_at
            .is_some()
    );
    assert_eq!(
        screenhub_tests::raw_list(&store, "ORDER#corrupt", "ORDER").await,
        Some("ASIDE".to_owned())
    );
}
