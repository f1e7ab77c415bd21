//! What operators see: events on the bus (read back from moto) and metrics, for an order's
//! whole life, carrying ids and statuses and no candidate data.

use screenhub_tests::scenario::Scenario;
use screenhub_tests::{BusTap, logs};
use serde_json::json;

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
    for metric in ["OrdersCreated", "OrdersCompleted"] {
        let point = format!("\"metric\":\"{metric}\",\"dimension\":\"alliance2020\"");
        assert!(logged.contains(&point), "no {metric} data point");
    }
}
