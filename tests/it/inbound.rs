//! The Lever webhook receiver over HTTP: orders, duplicates, refusals, per-tenant settings.

use screenhub::adapters::lever_http::LeverHttp;
use screenhub::domain::{OrderStatus, ProviderKind};
use screenhub::outbound::RetryPolicy;
use screenhub::ports::Store;
use screenhub::ports::lever::{LeverAccount, LeverApi, LeverError};
use screenhub::ports::secrets::Secret;
use screenhub_tests::scenario::{STATUS_PREFIX, Scenario, TRIGGER};
use screenhub_tests::{calls_since, route};
use serde_json::json;

#[tokio::test]
async fn trigger_stage_creates_one_order_with_the_documented_fields_and_a_pending_tag() {
    let s = Scenario::start().await;
    let opp = s.candidate(&["Alliance: rush", "Unrelated"]);
    let ddb_before = s.world.store.stats().calls();
    s.lever.clear_requests();
    let (status, body) = s.trigger(&opp).await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("accepted")),
        "{body}"
    );

    let orders = s.alliance.orders();
    assert_eq!(orders.len(), 1);
    let sent = &orders[0].request;
    assert_eq!(sent["candidate"]["name"], "Ada Lovelace");
    assert_eq!(sent["candidate"]["email"], "ada.lovelace@example.com");
    assert_eq!(sent["candidate"]["phone"], "+1 512 555 0199");
    assert_eq!(sent["position"]["title"], "Senior Engineer");
    assert_eq!(sent["position"]["department"], "Engineering");
    assert_eq!(sent["position"]["location"], "Austin");
    assert_eq!(sent["tags"], json!(["Alliance: rush"]));
    assert_eq!(sent["product"], "Standard");
    assert_eq!(sent["client_code"], "MAIN");
    assert!(
        sent["callback_url"]
            .as_str()
            .unwrap()
            .ends_with(&s.callback_path())
    );

    assert_eq!(s.status_tags(&opp), vec![format!("{STATUS_PREFIX}Pending")]);
    assert!(
        s.lever.tags(&opp).contains(&"Unrelated".to_string()),
        "recruiter tags are kept"
    );
    let order = s
        .world
        .store
        .find_active(&s.tenant, &route(ProviderKind::Alliance2020), &opp)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(order.status, OrderStatus::Pending);

    // Cost of one stage-change webhook, end to end (printed for the closing note).
    let (ddb, by_op) = calls_since(&s.world.store, &ddb_before);
    let lever_calls = s
        .lever
        .requests()
        .iter()
        .filter(|r| r.api_key.as_deref() == Some(s.lever_key.as_str()))
        .count();
    println!(
        "figures: one stage-change webhook (cold container) cost {ddb} DynamoDB calls ({by_op:?}) and {lever_calls} Lever calls"
    );
}

#[tokio::test]
async fn a_warm_receiver_writes_a_stage_change_in_one_dynamodb_call() {
    let s = Scenario::start().await;
    // A first delivery (which changes nothing) warms the container: tenant configuration.
    let other = s.candidate(&[]);
    let warm = s.moved(&other, "stage-screened").await;
    assert_eq!(s.world.post_json(&s.webhook_path(), &warm).await.0, 200);
    let opp = s.candidate(&[]);
    let d = s.moved(&opp, TRIGGER).await;
    let before = s.world.store.stats().calls();
    let (status, body) = s.world.post_json(&s.webhook_path(), &d).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("accepted")));
    let (receiver, receiver_ops) = calls_since(&s.world.store, &before);
    s.world.settle().await;
    let (step, step_ops) = calls_since(&s.world.store, &before);
    println!(
        "figures: warm receiver, one stage change: {receiver} DynamoDB call(s) {receiver_ops:?}; whole first step with the in-process worker: {step} {step_ops:?}"
    );
    assert!(receiver <= 2, "{receiver_ops:?}");
    assert_eq!(s.alliance.orders().len(), 1);
}

#[tokio::test]
async fn the_same_delivery_three_times_concurrently_orders_once() {
    let s = Scenario::start().await;
    let opp = s.candidate(&[]);
    let d = s.moved(&opp, TRIGGER).await;
    let path = s.webhook_path();
    let (a, b, c) = tokio::join!(
        s.world.post_json(&path, &d),
        s.world.post_json(&path, &d),
        s.world.post_json(&path, &d)
    );
    for (status, _) in [&a, &b, &c] {
        assert_eq!(*status, 200);
    }
    let accepted = [&a, &b, &c]
        .iter()
        .filter(|(_, b)| b["status"] == "accepted")
        .count();
    assert_eq!(accepted, 1, "{a:?} {b:?} {c:?}");
    // And once more, sequentially, after everything settled.
    s.world.settle().await;
    let (status, body) = s.world.post_json(&path, &d).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("ignored")));
    s.world.settle().await;
    assert_eq!(s.alliance.orders().len(), 1);
    assert_eq!(
        s.alliance
            .requests()
            .iter()
            .filter(|r| r.method == "POST")
            .count(),
        1
    );
    assert_eq!(s.status_tags(&opp).len(), 1);
}

#[tokio::test]
async fn bad_deliveries_are_refused_with_their_own_code_and_write_nothing() {
    let s = Scenario::start().await;
    let opp = s.candidate(&[]);
    let good = s.stage_change(&opp, TRIGGER, s.now_ms());
    let path = s.webhook_path();

    let mut wrong = good.clone();
    wrong["signature"] = json!("0".repeat(64));
    let mut missing = good.clone();
    missing.as_object_mut().unwrap().remove("signature");
    let stale = s.stage_change(&opp, TRIGGER, s.now_ms() - 25 * 3600 * 1000);
    let mut tampered = good.clone();
    tampered["triggeredAt"] = json!(good["triggeredAt"].as_i64().unwrap() + 1);

    let cases: Vec<(&str, String, Vec<u8>, u16)> = vec![
        (
            "signature-invalid",
            path.clone(),
            serde_json::to_vec(&wrong).unwrap(),
            403,
        ),
        (
            "signature-invalid",
            path.clone(),
            serde_json::to_vec(&tampered).unwrap(),
            403,
        ),
        (
            "signature-missing",
            path.clone(),
            serde_json::to_vec(&missing).unwrap(),
            401,
        ),
        (
            "tenant-unknown",
            "/lever/webhooks/nobody".into(),
            serde_json::to_vec(&good).unwrap(),
            404,
        ),
        (
            "body-malformed",
            path.clone(),
            b"{\"event\": \"candidateStageChange\", ".to_vec(),
            400,
        ),
        ("body-too-large", path.clone(), vec![b' '; 300 * 1024], 413),
        (
            "body-too-large",
            path.clone(),
            vec![b' '; 3 * 1024 * 1024],
            413,
        ),
        (
            "delivery-stale",
            path.clone(),
            serde_json::to_vec(&stale).unwrap(),
            422,
        ),
    ];
    for (code, p, body, status) in cases {
        let (got, reply) = s.world.post_raw(&p, &[], body).await;
        assert_eq!(
            (got, reply["code"].as_str()),
            (status, Some(code)),
            "{reply}"
        );
        assert_eq!(reply["status"], status);
    }
    assert!(s.world.store.pending_outbox(10).await.unwrap().is_empty());
    assert!(s.active_order(&opp).await.is_none());
    s.world.settle().await;
    assert!(s.alliance.orders().is_empty());
}

#[tokio::test]
async fn stage_moves_elsewhere_including_the_hubs_own_start_nothing() {
    let s = Scenario::start().await;
    let opp = s.candidate(&[]);
    let d = s.stage_change(&opp, "stage-screened", s.now_ms());
    let (status, body) = s.world.post_json(&s.webhook_path(), &d).await;
    assert_eq!(
        (status, body["reason"].as_str()),
        (200, Some("not_trigger_stage"))
    );
    // A test ping of the stage-change webhook: correctly signed, empty data.
    let ping = s.lever.signed_delivery(
        "candidateStageChange",
        json!({}),
        &s.signature_token,
        s.now_ms(),
    );
    // Tokens are per webhook: the stage-change token does not sign other events.
    let other_event =
        s.lever
            .signed_delivery("candidateHired", json!({}), &s.signature_token, s.now_ms());
    assert_eq!(
        s.world.post_json(&s.webhook_path(), &other_event).await.0,
        403
    );
    let mut ping_bad = ping.clone();
    ping_bad["signature"] = json!("abc");
    assert_eq!(s.world.post_json(&s.webhook_path(), &ping).await.0, 200);
    assert_eq!(s.world.post_json(&s.webhook_path(), &ping_bad).await.0, 403);
    s.world.settle().await;
    assert!(s.alliance.orders().is_empty());
    assert!(s.lever.tags(&opp).is_empty());
}

#[tokio::test]
async fn missing_email_is_rejected_with_a_note_and_no_provider_call() {
    let s = Scenario::start().await;
    let opp = s.lever.add_opportunity(
        screenhub_sandbox::lever::NewOpportunity::new("No Mail")
            .stage("applicant-new")
            .posting(s.posting.clone()),
    );
    s.trigger(&opp).await;
    assert!(s.alliance.orders().is_empty());
    assert!(s.alliance.requests().is_empty());
    assert_eq!(
        s.status_tags(&opp),
        vec![format!("{STATUS_PREFIX}Rejected")]
    );
    let notes = s.lever.notes(&opp);
    assert_eq!(notes.len(), 1);
    assert!(
        notes[0].value.contains("email") && !notes[0].secret,
        "{}",
        notes[0].value
    );
}

#[tokio::test]
async fn product_tag_overrides_and_unknown_products_follow_the_setting() {
    let s = Scenario::start().await;
    let known = s.candidate(&["Product: Criminal Package 2"]);
    let unknown = s.candidate(&["Product: Gold"]);
    s.trigger(&known).await;
    s.trigger(&unknown).await;
    let products: Vec<String> = s
        .alliance
        .orders()
        .iter()
        .map(|o| o.request["product"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(products.len(), 2);
    assert!(products.contains(&"Criminal Package 2".to_string()));
    assert!(
        products.contains(&"Standard".to_string()),
        "unknown falls back to the default: {products:?}"
    );

    let strict = Scenario::with(Default::default(), |a| {
        a["product"]["on_unknown"] = json!("reject")
    })
    .await;
    let opp = strict.candidate(&["Product: Gold"]);
    strict.trigger(&opp).await;
    assert!(strict.alliance.orders().is_empty());
    assert_eq!(
        strict.status_tags(&opp),
        vec![format!("{STATUS_PREFIX}Rejected")]
    );
    assert!(strict.lever.notes(&opp)[0].value.contains("Product: Gold"));
}

#[tokio::test]
async fn sub_client_reference_and_unmatched_reject() {
    let s = Scenario::with(Default::default(), |a| {
        a["sub_client"] = json!({ "match": "client_city", "on_unmatched": "reject",
            "clients": [{ "code": "ATX", "name": "Acme Texas", "city": "Austin" }] });
        a["reference"] = json!({ "mode": "through_tags", "prefix": "Reference: " });
    })
    .await;
    let opp = s.candidate(&["Reference: PO-42"]);
    s.trigger(&opp).await;
    let orders = s.alliance.orders();
    assert_eq!(orders[0].request["client_code"], "ATX");
    assert_eq!(orders[0].request["reference"], "PO-42");

    let paris = s
        .lever
        .add_posting(screenhub_sandbox::lever::NewPosting::new("Chef").location("Paris"));
    let far = s.lever.add_opportunity(
        screenhub_sandbox::lever::NewOpportunity::new("Far Away")
            .email("far@example.com")
            .posting(paris),
    );
    s.trigger(&far).await;
    assert_eq!(s.alliance.orders().len(), 1);
    assert_eq!(
        s.status_tags(&far),
        vec![format!("{STATUS_PREFIX}Rejected")]
    );
    assert!(s.lever.notes(&far)[0].value.contains("Paris"));
}

#[tokio::test]
async fn a_replayed_token_with_other_data_is_refused_and_orders_nothing() {
    let s = Scenario::start().await;
    let ada = s.candidate(&[]);
    let other = s.candidate(&[]);
    let d = s.moved(&ada, TRIGGER).await;
    let path = s.webhook_path();
    assert_eq!(s.world.post_json(&path, &d).await.1["status"], "accepted");
    // The captured token and signature, re-sent for another candidate: Lever did not sign
    // `data`, so only the token's single use stands between this and a paid order.
    let mut replay = d.clone();
    replay["data"]["opportunityId"] = json!(other);
    replay["data"]["candidateId"] = json!(other);
    let (status, body) = s.world.post_json(&path, &replay).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("token-reused")),
        "{body}"
    );
    assert_eq!(body["status"], 409);
    // Byte-identical again: an acknowledged duplicate.
    let (status, body) = s.world.post_json(&path, &d).await;
    assert_eq!(
        (status, body["reason"].as_str()),
        (200, Some("duplicate_delivery"))
    );
    s.world.settle().await;
    assert_eq!(s.alliance.orders().len(), 1);
    assert!(s.orders_of(&other).await.is_empty());
    assert!(s.lever.tags(&other).is_empty() && s.lever.notes(&other).is_empty());
    // A token first used by a delivery that changed nothing is spent all the same.
    let ignored = s.stage_change(&ada, "stage-screened", s.now_ms());
    assert_eq!(s.world.post_json(&path, &ignored).await.0, 200);
    let mut reused = ignored.clone();
    reused["data"]["toStageId"] = json!(TRIGGER);
    reused["data"]["opportunityId"] = json!(other);
    assert_eq!(s.world.post_json(&path, &reused).await.0, 409);
    s.world.settle().await;
    assert!(s.orders_of(&other).await.is_empty());
}

#[tokio::test]
async fn a_stage_change_lever_does_not_show_ends_the_order_without_a_call_or_a_note() {
    let s = Scenario::start().await;
    // Lever shows this candidate in New Applicant: a signed delivery claims otherwise.
    let opp = s.candidate(&["Alliance: rush"]);
    let claim = s.stage_change(&opp, TRIGGER, s.now_ms());
    let (status, body) = s.world.post_json(&s.webhook_path(), &claim).await;
    assert_eq!((status, body["status"].as_str()), (200, Some("accepted")));
    s.lever.clear_requests();
    s.world.settle().await;
    assert!(s.alliance.orders().is_empty(), "no provider order");
    assert!(s.alliance.requests().is_empty(), "no provider call");
    assert!(s.lever.notes(&opp).is_empty(), "no note");
    assert_eq!(
        s.lever.tags(&opp),
        vec!["Alliance: rush".to_string()],
        "no tag"
    );
    let writes: Vec<_> = s
        .lever
        .requests()
        .into_iter()
        .filter(|r| r.method != screenhub_sandbox::Method::GET)
        .collect();
    assert!(writes.is_empty(), "{writes:?}");
    let order = s.orders_of(&opp).await.pop().expect("the order opened");
    assert_eq!(order.status, OrderStatus::Cancelled);
    let trail = s.world.store.audit_trail(order.id).await.unwrap();
    assert_eq!(
        trail.last().unwrap().cause,
        "dispatcher:trigger_unconfirmed"
    );
    assert!(
        s.active_order(&opp).await.is_none(),
        "the slot is free again"
    );

    // A move Lever recorded long before the claimed time does not confirm it either.
    let moved_earlier = s.candidate(&[]);
    s.lever.move_stage(&moved_earlier, TRIGGER).await;
    s.world.clock.advance(time::Duration::hours(2));
    let late_claim = s.stage_change(&moved_earlier, TRIGGER, s.now_ms());
    assert_eq!(
        s.world.post_json(&s.webhook_path(), &late_claim).await.0,
        200
    );
    s.world.settle().await;
    assert!(s.alliance.orders().is_empty());

    // The candidate moved on since the (real) move: the recorded move still counts.
    let moved_on = s.candidate(&[]);
    let d = s.moved(&moved_on, TRIGGER).await;
    s.lever.move_stage(&moved_on, "stage-screened").await;
    assert_eq!(s.world.post_json(&s.webhook_path(), &d).await.0, 200);
    s.world.settle().await;
    assert_eq!(s.alliance.orders().len(), 1);
}

#[tokio::test]
async fn ids_that_are_not_ids_are_refused_at_the_edge_and_never_reach_another_path() {
    let s = Scenario::start().await;
    let sneaky = "a/../../postings/x?";
    for data in [
        json!({ "opportunityId": sneaky, "toStageId": TRIGGER }),
        json!({ "opportunityId": "o1", "toStageId": "../stages" }),
        json!({ "opportunityId": "x".repeat(200), "toStageId": TRIGGER }),
    ] {
        let d =
            s.lever
                .signed_delivery("candidateStageChange", data, &s.signature_token, s.now_ms());
        let (status, body) = s.world.post_json(&s.webhook_path(), &d).await;
        assert_eq!(
            (status, body["code"].as_str()),
            (400, Some("id-invalid")),
            "{body}"
        );
    }
    let deletion = s.lever.signed_delivery(
        "candidateDeleted",
        json!({ "opportunityId": sneaky }),
        &s.deletion_token,
        s.now_ms(),
    );
    assert_eq!(
        s.world.post_json(&s.webhook_path(), &deletion).await.1["code"],
        "id-invalid"
    );
    assert!(s.world.store.pending_outbox(10).await.unwrap().is_empty());

    // And the Lever client keeps any id inside its one path segment.
    let lever = LeverHttp::new(
        screenhub::runtime::http_client(std::time::Duration::from_secs(5)),
        RetryPolicy::new(
            1,
            std::time::Duration::from_millis(1),
            std::time::Duration::from_millis(1),
        ),
    );
    let acct = LeverAccount {
        tenant: s.tenant.clone(),
        api_base: s.lever.base_url(),
        credential: screenhub::ports::lever::LeverCredential::ApiKey(Secret::new(&s.lever_key)),
        perform_as: None,
        requests_per_second: 10,
        burst: 10,
    };
    s.lever.clear_requests();
    let err = lever.get_opportunity(&acct, sneaky).await.unwrap_err();
    assert!(
        matches!(err, LeverError::Status { status: 404, .. }),
        "{err}"
    );
    let seen = s.lever.requests();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0].path,
        "/v1/opportunities/a%2F..%2F..%2Fpostings%2Fx%3F"
    );
}
