//! What operators see: events on the bus (read back from moto) and metrics, for an order's
//! whole life, carrying ids and statuses and no candidate data.

use screenhub_tests::scenario::Scenario;
use screenhub_tests::{BusTap, event_schema, logs};
use serde_json::json;

#[test]
fn every_detail_type_has_a_schema_that_accepts_its_documented_shape() {
    use screenhub::domain::events::{BusEvent, DetailType};
    use screenhub::domain::{Order, OrderStatus, ProviderKind, TenantId};
    use screenhub_tests::pairing;
    let t0 = time::macros::datetime!(2026-12-01 9:00 UTC);
    let created = Order::new(
        TenantId::parse("acme").unwrap(),
        &pairing(ProviderKind::Alliance2020),
        "o1".into(),
        t0,
    );
    let mut done = created.next(t0);
    done.status = OrderStatus::Complete;
    for (detail_type, order, previous) in [
        (DetailType::OrderCreated, &created, None),
        (
            DetailType::OrderStatusChanged,
            &done,
            Some(OrderStatus::Requested),
        ),
        (
            DetailType::OrderCompleted,
            &done,
            Some(OrderStatus::Requested),
        ),
    ] {
        let event = BusEvent::for_order(detail_type, order, previous);
        let detail = serde_json::to_value(&event.detail).unwrap();
        let schema = event_schema(detail_type.as_str());
        assert!(schema.is_valid(&detail), "{detail}");
    }
    // And they refuse what a detail must not be.
    let schema = event_schema("Order Completed");
    let mut wrong = serde_json::to_value(
        BusEvent::for_order(DetailType::OrderCompleted, &created, None).detail,
    )
    .unwrap();
    assert!(
        !schema.is_valid(&wrong),
        "an order completed at version 1 with no previous status"
    );
    wrong["email"] = json!("ada@example.com");
    assert!(!schema.is_valid(&wrong));
}

#[tokio::test]
async fn an_orders_life_is_published_on_the_bus_and_counted() {
    let logs = logs::capture();
    let s = Scenario::start().await;
    let tap = BusTap::new(&s.world.bus).await;
    let opp = s.candidate(&[]);
    s.trigger(&opp).await;
    let id = s.alliance.orders()[0].id.clone();
    let result =
        json!({ "flag": false, "decision": "Eligible", "summary": "No records for Ada Lovelace" });
    s.alliance
        .advance(&id, "complete", Some(result), None)
        .await;
    s.world.settle().await;
    let order = s.orders_of(&opp).await.pop().unwrap();

    let events = tap.drain().await;
    let seen: Vec<(String, String)> = events
        .iter()
        .map(|e| {
            (
                e["detail-type"].as_str().unwrap_or_default().to_owned(),
                e["detail"]["status"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    let expected = [
        ("Order Created", "requested"),
        ("Order Status Changed", "pending"),
        ("Order Completed", "complete"),
    ]
    .map(|(t, st)| (t.to_owned(), st.to_owned()));
    assert_eq!(seen, expected);
    for e in &events {
        let detail_type = e["detail-type"].as_str().unwrap();
        let schema = event_schema(detail_type);
        let errors: Vec<String> = schema
            .iter_errors(&e["detail"])
            .map(|err| err.to_string())
            .collect();
        assert!(errors.is_empty(), "{detail_type}: {errors:?}");
        assert_eq!(e["source"], "screenhub");
        assert_eq!(e["detail"]["order_id"], order.id.to_string());
        assert_eq!(e["detail"]["tenant"], s.tenant.as_str());
        let text = e.to_string();
        assert!(
            !text.contains("Ada") && !text.contains("@example.com"),
            "{text}"
        );
    }

    let logged = logs.text();
    // The order id follows the order into every effect's log lines (the effect span).
    for effect in ["place_order", "render", "publish_event"] {
        let correlated = logged.lines().any(|l| {
            l.contains(&format!("\"effect\":\"{effect}\""))
                && l.contains(&format!("\"order_id\":\"{}\"", order.id))
                && l.contains(&format!("\"tenant\":\"{}\"", s.tenant))
        });
        assert!(correlated, "no {effect} log line carries the order id");
    }
    for metric in ["OrdersCreated", "OrdersCompleted"] {
        let point = format!(
            "\"metric\":\"{metric}\",\"dimensions\":\"Integration=alliance2020,Provider=alliance2020\""
        );
        assert!(logged.contains(&point), "no {metric} data point");
    }
}
