//! Lever's `candidateDeleted`: once Lever confirms the opportunity is gone, every order of it
//! gives up the candidate's data at once (DESIGN §3), orders under way stop, the provider
//! closes what it holds, Lever is not written to again, and repeated, forged or unconfirmed
//! deliveries change nothing.

use screenhub::domain::OrderStatus;
use screenhub::ports::Store;
use screenhub_sandbox::{Method, RequestRecord};
use screenhub_tests::bo_scenario::BoScenario;
use screenhub_tests::scenario::Scenario;
use serde_json::json;

/// Requests that would change something in Lever (anything but reads).
fn writes(requests: &[RequestRecord]) -> Vec<String> {
    requests
        .iter()
        .filter(|r| r.method != Method::GET)
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

const START: &str = "Backgrounds Online Start";

#[tokio::test]
async fn alliance_orders_ended_and_under_way_are_scrubbed_and_late_results_ignored() {
    let s = Scenario::start().await;
    let opp = s.candidate(&[]);
    // A first check completes with a result; a second one is then waiting at the provider.
    s.trigger(&opp).await;
    let first = s.alliance.orders().pop().expect("first order").id;
    let result = json!({ "flag": false, "decision": "Eligible",
                         "report_url": "https://reports.example/r/1", "summary": "No records found" });
    s.alliance
        .advance(&first, "complete", Some(result.clone()), None)
        .await;
    s.world.settle().await;
    s.world.clock.advance(time::Duration::minutes(1));
    s.trigger(&opp).await;
    let second = s.alliance.orders().pop().expect("second order").id;
    assert_ne!(first, second);
    let before = s.orders_of(&opp).await;
    assert_eq!(
        before.iter().map(|o| o.status).collect::<Vec<_>>(),
        vec![OrderStatus::Complete, OrderStatus::Pending]
    );
    assert!(before.iter().all(|o| o.request.is_some()));

    s.lever.clear_requests();
    let (status, body) = s.lever_deletes(&opp).await;
    assert_eq!(
        (status, &body["status"]),
        (200, &json!("accepted")),
        "{body}"
    );
    s.world.settle().await;

    let after = s.orders_of(&opp).await;
    assert_eq!(after[0].status, OrderStatus::Complete, "the outcome stays");
    assert_eq!(
        after[1].status,
        OrderStatus::Cancelled,
        "the check under way stops"
    );
    for o in &after {
        assert!(o.request.is_none() && o.scrubbed_at.is_some(), "{o:?}");
        let r = o.result.clone().unwrap_or_default();
        assert!(r.summary.is_none() && r.report_url.is_none(), "{o:?}");
    }
    assert_eq!(after[0].result.as_ref().and_then(|r| r.flag), Some(false));
    assert_eq!(
        writes(&s.lever.requests()),
        Vec::<String>::new(),
        "nothing is written to a deleted opportunity"
    );
    // The slot is free and nothing waits for the candidate.
    assert!(s.active_order(&opp).await.is_none());

    // The provider's late result for the stopped check is acknowledged and ignored.
    assert_eq!(
        s.alliance
            .advance(&second, "complete", Some(result), None)
            .await,
        200
    );
    s.world.settle().await;
    let late = s.world.store.get_order(after[1].id).await.unwrap().unwrap();
    assert_eq!(late, after[1]);

    // Lever retries the delivery: acknowledged, nothing changes.
    let (status, body) = s.lever_deletes(&opp).await;
    assert_eq!(
        (status, &body["reason"]),
        (200, &json!("duplicate_delivery")),
        "{body}"
    );
    s.world.settle().await;
    let again = s.orders_of(&opp).await;
    assert_eq!(again, after);
    // The trail: the deletion stopped the check; the provider's late result was refused.
    let trail = s.world.store.audit_trail(after[1].id).await.unwrap();
    let changes: Vec<_> = trail.iter().filter(|a| a.refused.is_none()).collect();
    assert_eq!(changes.last().unwrap().to, OrderStatus::Cancelled);
    assert_eq!(
        changes.last().unwrap().cause,
        "dispatcher:candidate_deleted"
    );
    let refused: Vec<_> = trail.iter().filter_map(|a| a.refused.as_deref()).collect();
    assert_eq!(refused, vec!["stale"]);
}

#[tokio::test]
async fn results_queued_before_the_deletion_never_reach_lever() {
    let s = Scenario::start().await;
    let opp = s.candidate(&[]);
    s.trigger(&opp).await;
    let id = s.alliance.orders().pop().expect("order").id;
    // The results arrive; their tag and secret note wait in the outbox when Lever reports
    // the candidate deleted.
    let result = json!({ "flag": true, "decision": "Review",
                         "report_url": "https://reports.example/r/2", "summary": "One record" });
    s.alliance
        .advance(&id, "complete", Some(result), None)
        .await;
    assert!(!s.world.store.pending_outbox(10).await.unwrap().is_empty());
    assert_eq!(s.lever_deletes(&opp).await.0, 200);
    s.lever.clear_requests();
    s.world.settle().await;

    assert!(s.lever.notes(&opp).is_empty(), "no results note");
    // The tag change reads the opportunity first and stops at Lever's 404; the note, queued
    // with it, is refused by Lever with 404 (nothing is stored) and not retried.
    let writes = writes(&s.lever.requests());
    assert!(
        writes
            .iter()
            .all(|w| w.starts_with("POST") && w.ends_with("/notes")),
        "{writes:?}"
    );
    assert!(writes.len() <= 1, "{writes:?}");
    let letters = s.world.store.dead_letters(100).await.unwrap();
    assert!(
        letters.iter().all(|l| l.item.tenant != s.tenant),
        "nothing dead-lettered (a letter would keep the note's text)"
    );
    let order = s.orders_of(&opp).await.pop().unwrap();
    assert_eq!(order.status, OrderStatus::Complete);
    assert!(order.result.unwrap().summary.is_none());
}

#[tokio::test]
async fn a_backgrounds_online_order_awaiting_the_candidate_is_closed_at_the_provider() {
    let s = BoScenario::start().await;
    let opp = s.candidate(Some("ada.lovelace@example.com"), &[START]);
    s.poll().await;
    assert_eq!(s.order_of(&opp).await.status, OrderStatus::Pending);
    let other = s.candidate(Some("grace@example.com"), &[START]);
    s.poll().await;

    s.lever.clear_requests();
    let (status, body) = s.lever_deletes(&opp).await;
    assert_eq!(
        (status, &body["status"]),
        (200, &json!("accepted")),
        "{body}"
    );
    s.world.settle().await;

    let order = s.order_of(&opp).await;
    assert_eq!(order.status, OrderStatus::Cancelled);
    assert!(order.request.is_none() && order.expires_at.is_none());
    assert_eq!(s.provider_order_of(&opp).await.status, "cancelled");
    assert_eq!(
        writes(&s.lever.requests()),
        Vec::<String>::new(),
        "no tag or note for a deleted candidate"
    );
    // Another candidate's order is untouched.
    let kept = s.order_of(&other).await;
    assert_eq!(kept.status, OrderStatus::Pending);
    assert!(kept.request.is_some());
}

#[tokio::test]
async fn a_deletion_signed_with_another_events_token_changes_nothing() {
    let s = Scenario::start().await;
    let opp = s.candidate(&[]);
    s.trigger(&opp).await;
    let before = s.orders_of(&opp).await;
    // Lever signs each event type with its own token: the stage-change token proves nothing
    // about a deletion.
    let forged = s.lever.signed_delivery(
        "candidateDeleted",
        json!({ "opportunityId": opp }),
        &s.signature_token,
        s.now_ms(),
    );
    let (status, body) = s.world.post_json(&s.webhook_path(), &forged).await;
    assert_eq!(status, 403, "{body}");
    assert_eq!(body["code"], "signature-invalid");
    let (status, body) = s
        .world
        .post_json(
            &s.webhook_path(),
            &s.lever.signed_delivery(
                "candidateDeleted",
                json!({ "contactId": "contact-1" }),
                &s.deletion_token,
                s.now_ms(),
            ),
        )
        .await;
    assert_eq!(status, 400, "no opportunity named: {body}");
    let after = s.orders_of(&opp).await;
    assert_eq!(after, before);
}

#[tokio::test]
async fn a_deletion_lever_does_not_confirm_scrubs_nothing() {
    let s = Scenario::start().await;
    let opp = s.candidate(&[]);
    s.trigger(&opp).await;
    let before = s.orders_of(&opp).await;
    assert_eq!(before.len(), 1);
    // Correctly signed with the deletion token, but the candidate is still in Lever.
    let claim = s.candidate_deleted(&opp);
    let (status, body) = s.world.post_json(&s.webhook_path(), &claim).await;
    assert_eq!(
        (status, &body["status"]),
        (200, &json!("accepted")),
        "{body}"
    );
    s.world.settle().await;
    assert_eq!(s.orders_of(&opp).await, before, "nothing scrubbed");
    assert!(s.world.store.pending_outbox(10).await.unwrap().is_empty());
    // Its token cannot be used again for another candidate.
    let other = s.candidate(&[]);
    let mut replay = claim.clone();
    replay["data"]["opportunityId"] = json!(other);
    let (status, body) = s.world.post_json(&s.webhook_path(), &replay).await;
    assert_eq!(
        (status, &body["code"]),
        (409, &json!("token-reused")),
        "{body}"
    );
}
