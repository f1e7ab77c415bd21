//! What each inbound route costs in DynamoDB calls with a warm container (tenant
//! configuration and secrets cached): the figure per route, printed for the closing note, and
//! the bound every route keeps (at most 2: one read of the order, one conditional
//! transaction).

use screenhub_tests::bo_scenario::{BoScenario, START};
use screenhub_tests::calls_since;
use screenhub_tests::scenario::Scenario;

#[tokio::test]
async fn a_warm_alliance_callback_costs_at_most_two_dynamodb_calls() {
    let s = Scenario::start().await;
    let opp = s.candidate(&[]);
    s.trigger(&opp).await;
    let id = s.alliance.orders().pop().expect("placed").id;
    // The first callback warms the container; the second is measured.
    assert_eq!(
        s.alliance.advance(&id, "in_progress", None, None).await,
        200
    );
    s.world.settle().await;
    let before = s.world.store.stats().calls();
    let result = serde_json::json!({ "flag": false, "decision": "Eligible" });
    assert_eq!(
        s.alliance
            .advance(&id, "complete", Some(result), None)
            .await,
        200
    );
    let (route, ops) = calls_since(&s.world.store, &before);
    s.world.settle().await;
    let (step, step_ops) = calls_since(&s.world.store, &before);
    println!(
        "figures: warm POST /callbacks/alliance2020/{{tenant}}: {route} DynamoDB call(s) {ops:?}; the whole step with its effects (tags, secret note, event): {step} {step_ops:?}"
    );
    assert!(route <= 2, "{ops:?}");
}

#[tokio::test]
async fn a_warm_backgrounds_online_callback_costs_at_most_two_dynamodb_calls() {
    let s = BoScenario::start().await;
    let opp = s.candidate(Some("ada@example.com"), &[START]);
    s.poll().await;
    let id = s.provider_order_of(&opp).await.id;
    assert_eq!(s.provider.submit(&id).await, 200);
    s.world.settle().await;
    let before = s.world.store.stats().calls();
    assert_eq!(s.provider.complete(&id, true).await, 200);
    let (route, ops) = calls_since(&s.world.store, &before);
    s.world.settle().await;
    let (step, step_ops) = calls_since(&s.world.store, &before);
    println!(
        "figures: warm POST /callbacks/backgrounds-online/{{tenant}}: {route} DynamoDB call(s) {ops:?}; the whole step with its effects (tags, note, event): {step} {step_ops:?}"
    );
    assert!(route <= 2, "{ops:?}");
}

#[tokio::test]
async fn a_tag_started_order_costs_one_list_and_two_reads_of_its_opportunity_in_lever() {
    let s = BoScenario::start().await;
    let opp = s.candidate(Some("ada@example.com"), &[START]);
    s.poll().await; // warms the container (tenant, secrets); orders the first candidate
    assert_eq!(s.provider.orders().len(), 1);
    let next = s.candidate(Some("grace@example.com"), &[START]);
    s.lever.clear_requests();
    let before = s.world.store.stats().calls();
    s.poll().await;
    let (ddb, ops) = calls_since(&s.world.store, &before);
    let lever: Vec<String> = s
        .lever
        .requests()
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    println!(
        "figures: warm tag poll + the order it opens, placed and tagged: {} Lever call(s) {lever:?}; {ddb} DynamoDB call(s) {ops:?}",
        lever.len()
    );
    assert_eq!(s.provider.orders().len(), 2);
    // One list, one read of the opportunity (the subject, from Lever's own record) and the
    // rendering's read and writes; nothing per opportunity the poll did not act on.
    let reads = lever
        .iter()
        .filter(|r| r.starts_with("GET") && r.contains(&next))
        .count();
    assert!(reads <= 2, "{lever:?}");
    assert!(!lever.iter().any(|r| r.contains(&opp)), "{lever:?}");
}
