//! Paylocity as the ATS: orders pushed by the fake Paylocity to `POST /paylocity/orders`,
//! fulfilled by Alliance 2020 or Backgrounds Online as the tenant's routes say, and their
//! status PATCHed back with `oldStatus` always what Paylocity last accepted. End to end over
//! HTTP against DynamoDB Local, moto and the sandbox.

use screenhub::domain::{OrderStatus, Phase};
use screenhub::ports::{Clock, Store};
use screenhub_sandbox::paylocity::FakePaylocity;
use screenhub_sandbox::{Fault, FaultKind};
use screenhub_tests::paylocity_scenario::{BO_STD, PaylocityScenario, RETIRED, STD, STD_SERVICES};
use screenhub_tests::{WorldOptions, calls_since, eventually};
use serde_json::json;

/// Paylocity delivers the order `n` times at once.
async fn resend_concurrently(paylocity: &FakePaylocity, id: &str, n: usize) -> Vec<u16> {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..n {
        let (p, id) = (paylocity.clone(), id.to_owned());
        tasks.spawn(async move { p.resend(&id).await });
    }
    tasks.join_all().await
}

fn flagged_result(report: &str) -> serde_json::Value {
    json!({ "flag": true, "decision": "Review", "report_url": report,
            "summary": "Records found in Travis County" })
}

#[tokio::test]
async fn an_order_from_paylocity_is_fulfilled_by_alliance_and_its_status_history_advances() {
    let s = PaylocityScenario::start().await;
    let (status, id) = s.order(STD).await;
    assert_eq!(status, 201, "taken once durably written");
    let order = s.order_of(&id).await;
    assert_eq!(order.status, OrderStatus::Requested);
    assert!(
        s.alliance.orders().is_empty(),
        "no provider call on the request path"
    );
    assert!(s.history(&id).is_empty());

    s.world.settle().await;
    let placed = s
        .alliance
        .order_by_reference(order.id.to_string())
        .expect("placed with Alliance 2020");
    assert_eq!(
        placed.request["product"], "Criminal Package 2",
        "the package's mapping"
    );
    assert_eq!(placed.request["candidate"]["email"], "ada@example.com");
    assert_eq!(placed.request["candidate"]["name"], "Ada Lovelace");
    assert_eq!(placed.request["position"]["title"], "Senior Engineer");
    assert_eq!(s.history(&id), vec!["WaitingOnCandidate"]);
    let services = s.services(&id);
    assert_eq!(
        services,
        STD_SERVICES
            .iter()
            .map(|n| (n.to_string(), "Pending".to_string()))
            .collect::<Vec<_>>()
    );

    assert_eq!(
        s.alliance
            .advance(&placed.id, "in_progress", None, None)
            .await,
        200
    );
    s.world.settle().await;
    let report = "https://alliance.example/reports/1";
    assert_eq!(
        s.alliance
            .advance(&placed.id, "complete", Some(flagged_result(report)), None)
            .await,
        200
    );
    s.world.settle().await;
    assert_eq!(
        s.history(&id),
        vec!["WaitingOnCandidate", "InProgress", "CompleteNeedsReview"]
    );
    let fake = s.paylocity.order(&id).unwrap();
    assert_eq!(fake.history[2].old_status.as_deref(), Some("InProgress"));
    assert_eq!(fake.history[2].report_documents, vec![report.to_string()]);
    assert!(fake.services.values().all(|v| v == "NeedsReview"));
    // Settling again sends nothing: Paylocity already shows the order's state.
    s.world.settle().await;
    assert_eq!(s.paylocity.order(&id).unwrap().history.len(), 3);
    let trail = s.world.store.audit_trail(order.id).await.unwrap();
    assert!(
        trail
            .iter()
            .any(|e| e.cause == "paylocity:accepted:CompleteNeedsReview"),
        "each status Paylocity accepted is in the audit trail"
    );
}

#[tokio::test]
async fn paylocity_x_backgrounds_online_runs_by_configuration_and_expires_unanswered_invitations() {
    let s = PaylocityScenario::start().await;
    let (status, done_id) = s.order(BO_STD).await;
    assert_eq!(status, 201);
    let (_, lapsing_id) = s.order(BO_STD).await;
    s.world.settle().await;
    let done = s.order_of(&done_id).await;
    assert_eq!(done.route.as_str(), "paylocity_bo");
    let placed =
        s.bo.order_by_reference(done.id.to_string())
            .expect("placed with Backgrounds Online");
    assert_eq!(
        placed.request["package"], "Standard",
        "the account's default package"
    );
    assert_eq!(s.bo.submit(&placed.id).await, 200);
    assert_eq!(s.bo.complete(&placed.id, true).await, 200);
    s.world.settle().await;
    assert_eq!(
        s.history(&done_id),
        vec!["WaitingOnCandidate", "InProgress", "Complete"]
    );
    assert_eq!(
        s.paylocity.order(&done_id).unwrap().history[2].report_documents,
        vec![s.bo.report_url(&placed.id)]
    );

    // The other candidate never submits: on day 14 the invitation lapses.
    s.world.clock.advance(time::Duration::days(15));
    s.world.sweep.run(None).await.unwrap();
    s.world.settle().await;
    assert_eq!(s.order_of(&lapsing_id).await.status, OrderStatus::Expired);
    assert_eq!(
        s.history(&lapsing_id),
        vec!["WaitingOnCandidate", "InvitationExpired"]
    );
    s.assert_every_service(&lapsing_id, "Expired");
}

#[tokio::test]
async fn an_order_delivered_again_or_concurrently_is_one_order() {
    let s = PaylocityScenario::start().await;
    let (status, id) = s.order(STD).await;
    assert_eq!(status, 201);
    assert_eq!(
        s.paylocity.resend(&id).await,
        200,
        "a redelivery is acknowledged"
    );
    let again = resend_concurrently(&s.paylocity, &id, 6).await;
    assert!(again.iter().all(|c| *c == 200), "{again:?}");
    // A new order delivered several times at once: one is taken, the rest acknowledged.
    let (_, fresh) = s
        .paylocity
        .send_order(&s.company, STD, Some("grace@example.com"))
        .await;
    let burst = resend_concurrently(&s.paylocity, &fresh, 6).await;
    assert!(burst.iter().all(|c| *c == 200), "{burst:?}");
    s.world.settle().await;
    for screening_order in [&id, &fresh] {
        let orders = s
            .world
            .store
            .orders_of_opportunity(&s.tenant, screening_order)
            .await
            .unwrap();
        assert_eq!(orders.len(), 1, "one order per screening order");
        assert_eq!(s.history(screening_order), vec!["WaitingOnCandidate"]);
    }
    assert_eq!(s.alliance.orders().len(), 2, "one provider order each");
}

#[tokio::test]
async fn bad_orders_are_refused_with_words_paylocity_shows_and_change_nothing() {
    let s = PaylocityScenario::start().await;
    let (status, no_email) = s.paylocity.send_order(&s.company, STD, None).await;
    assert_eq!(status, 422);
    let base = s.paylocity.order(&no_email).unwrap().sent;
    let world = &s.world;
    let post = |body: serde_json::Value, key: Option<String>| {
        let key = key.unwrap_or_else(|| s.partner.api_keys[0].expose().to_owned());
        async move {
            world
                .post_raw(
                    "/paylocity/orders",
                    &[("x-api-key".into(), key)],
                    serde_json::to_vec(&body).unwrap(),
                )
                .await
        }
    };
    let with = |path: &str, value: serde_json::Value| {
        let mut b = base.clone();
        b["candidate"]["email"] = json!("ada@example.com");
        *b.pointer_mut(path).unwrap() = value;
        b
    };
    let (status, body) = post(with("/candidate/email", json!(null)), None).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("candidate-email-missing"))
    );
    assert!(body["message"].as_str().unwrap().contains("email"));
    for (path, value, code) in [
        ("/companyId", json!("ZZZ999"), "company-not-onboarded"),
        ("/packageId", json!("no-such-package"), "package-unknown"),
        ("/packageId", json!(RETIRED), "package-inactive"),
        ("/packageId", json!(null), "package-missing"),
    ] {
        let (status, body) = post(with(path, value), None).await;
        assert_eq!((status, body["code"].as_str()), (422, Some(code)), "{path}");
        assert!(!body["message"].as_str().unwrap().is_empty());
    }
    let (status, body) = s
        .world
        .post_raw(
            "/paylocity/orders",
            &[("x-api-key".into(), s.partner.api_keys[0].expose().into())],
            b"{not json".to_vec(),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (400, Some("body-malformed"))
    );
    // Not the registered key, or none: refused before the body is read.
    let good = with("/candidate/email", json!("ada@example.com"));
    let (status, body) = post(good.clone(), Some("wrong-key".into())).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("api-key-invalid"))
    );
    let (status, _) = s
        .world
        .post_raw("/paylocity/orders", &[], serde_json::to_vec(&good).unwrap())
        .await;
    assert_eq!(status, 401);
    s.world.settle().await;
    assert!(
        s.world
            .store
            .orders_of_opportunity(&s.tenant, &no_email)
            .await
            .unwrap()
            .is_empty(),
        "nothing was taken"
    );
    assert!(s.alliance.orders().is_empty());
    assert!(s.paylocity.order(&no_email).unwrap().history.is_empty());
}

#[tokio::test]
async fn a_provider_that_keeps_failing_ends_the_order_cancelled_in_paylocity_with_the_reason() {
    let s = PaylocityScenario::start().await;
    s.alliance.inject(Fault::status(503, 100));
    let (_, id) = s.order(STD).await;
    s.world.settle().await;
    assert_eq!(s.order_of(&id).await.status, OrderStatus::Error);
    let fake = s.paylocity.order(&id).unwrap();
    assert_eq!(s.history(&id), vec!["Cancelled"]);
    let note = fake.history[0].services[0]["note"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(note.contains("Alliance 2020"), "{note}");
    assert!(note.chars().count() <= 250);
    assert!(fake.services.values().all(|v| v == "Cancelled"));
}

#[tokio::test]
async fn a_service_the_provider_adds_is_a_new_line_on_that_order_only() {
    let s = PaylocityScenario::start().await;
    let (_, first) = s.order(STD).await;
    let (_, second) = s.order(STD).await;
    s.world.settle().await;
    s.alliance_reports(&first, "in_progress", None).await;
    s.world.settle().await;
    let extra = "County Criminal - Travis";
    let placed = s.alliance_order(&first).await;
    assert_eq!(
        s.alliance
            .report_service(&placed.id, extra, "in_progress")
            .await,
        200
    );
    s.world.settle().await;
    let lines = s.services(&first);
    assert!(
        lines.contains(&(extra.to_string(), "InProgress".to_string())),
        "{lines:?}"
    );
    let fake = s.paylocity.order(&first).unwrap();
    let added = fake.history.last().unwrap();
    assert_eq!(
        added.old_status, added.new_status,
        "the order's status stays"
    );
    assert_eq!(added.services.len(), 1, "only the new line is sent");
    assert!(added.services[0]["oldStatus"].is_null());
    assert!(
        !s.services(&second).iter().any(|(n, _)| n == extra),
        "the other order of the same package is untouched"
    );
    // When the check completes, the added search completes with it.
    s.alliance_reports(
        &first,
        "complete",
        Some(json!({ "flag": false, "decision": "Eligible" })),
    )
    .await;
    s.world.settle().await;
    s.assert_every_service(&first, "Completed");
}

#[tokio::test]
async fn a_status_paylocity_moved_under_us_marks_the_order_for_attention_and_is_not_retried() {
    let s = PaylocityScenario::start().await;
    let (_, id) = s.order(STD).await;
    s.world.settle().await;
    assert_eq!(s.history(&id), vec!["WaitingOnCandidate"]);
    s.paylocity.set_status(&id, "Hold");
    s.alliance_reports(&id, "in_progress", None).await;
    s.paylocity.clear_requests();
    s.world.settle().await;
    let order = s.order_of(&id).await;
    assert_eq!(order.status, OrderStatus::InProgress, "our order moved");
    let why = order.attention.expect("marked for attention");
    assert!(why.contains("WaitingOnCandidate"), "{why}");
    let patches = s
        .paylocity
        .requests()
        .iter()
        .filter(|r| r.method == "PATCH")
        .count();
    assert_eq!(patches, 1, "the refused PATCH is not retried");
    // Later news is not sent either: Paylocity's record cannot be trusted to match.
    s.alliance_reports(&id, "complete", Some(json!({ "flag": false })))
        .await;
    s.world.settle().await;
    assert_eq!(s.history(&id), vec!["WaitingOnCandidate"]);
    assert!(s.world.store.dead_letters(10).await.unwrap().is_empty());

    // An operator checks Paylocity (it shows Hold) and resyncs: the order goes on from there.
    let order = screenhub::adapters::paylocity_ats::resync(
        s.world.store.as_ref(),
        &s.tenant,
        s.order_of(&id).await.id,
        screenhub::domain::ats::paylocity::OrderStatus::Hold,
        &Default::default(),
        s.world.clock.now(),
    )
    .await
    .unwrap();
    assert!(order.attention.is_none());
    s.world.settle().await;
    assert_eq!(s.history(&id), vec!["WaitingOnCandidate", "Complete"]);
    assert_eq!(
        s.paylocity.order(&id).unwrap().history[1]
            .old_status
            .as_deref(),
        Some("Hold")
    );
}

#[tokio::test]
async fn a_patch_whose_answer_was_lost_is_not_applied_twice() {
    let s = PaylocityScenario::start().await;
    let (_, id) = s.order(STD).await;
    // Paylocity applies the first PATCH but the answer is lost.
    s.paylocity
        .inject(Fault::new(FaultKind::ApplyThenStatus(504), 1).path_contains("/status"));
    s.world.settle().await;
    assert_eq!(s.history(&id), vec!["WaitingOnCandidate"], "applied once");
    let order = s.order_of(&id).await;
    assert!(
        order.attention.is_none(),
        "an answer lost is not a conflict"
    );
    // And the next change goes on from there.
    s.alliance_reports(&id, "in_progress", None).await;
    s.world.settle().await;
    assert_eq!(s.history(&id), vec!["WaitingOnCandidate", "InProgress"]);
}

#[tokio::test]
async fn paylocity_throttling_and_an_expired_token_delay_a_status_but_lose_nothing() {
    let s = PaylocityScenario::start().await;
    let (_, id) = s.order(STD).await;
    s.paylocity
        .inject(Fault::status(429, 2).path_contains("/status"));
    s.world.settle().await;
    assert_eq!(s.history(&id), vec!["WaitingOnCandidate"]);
    // The token the hub holds expires: one fresh token, and the PATCH goes through.
    s.paylocity.set_token_ttl(120);
    s.world.clock.advance(time::Duration::hours(2));
    s.alliance_reports(&id, "in_progress", None).await;
    s.world.settle().await;
    assert_eq!(s.history(&id), vec!["WaitingOnCandidate", "InProgress"]);
}

#[tokio::test]
async fn adverse_action_waits_five_business_days_and_for_an_open_dispute() {
    let s = PaylocityScenario::start().await;
    let (_, id) = s.order(STD).await;
    s.world.settle().await;
    s.alliance_reports(&id, "complete", Some(flagged_result("https://r/1")))
        .await;
    s.world.settle().await;
    let order = s.order_of(&id).await;
    assert_eq!(order.status.phase(), Phase::Results);

    let (status, body) = s.adverse(&order, "final").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("action-refused"))
    );
    assert_eq!(s.adverse(&order, "pre_adverse").await.0, 200);
    let (status, body) = s.adverse(&order, "final").await;
    assert_eq!(
        (status, body["code"].as_str()),
        (409, Some("action-refused"))
    );
    assert!(
        body["message"].as_str().unwrap().contains("business days"),
        "{body}"
    );
    assert_eq!(s.adverse(&order, "dispute").await.0, 200);
    s.world.clock.advance(time::Duration::days(8));
    let (status, body) = s.adverse(&order, "final").await;
    assert_eq!(status, 409);
    assert!(
        body["message"].as_str().unwrap().contains("dispute"),
        "{body}"
    );
    assert_eq!(s.adverse(&order, "resolve_dispute").await.0, 200);
    let (status, body) = s.adverse(&order, "final").await;
    assert_eq!(
        (status, body["status"].as_str()),
        (200, Some("adverse_action_sent"))
    );
    s.world.settle().await;
    assert_eq!(
        s.history(&id),
        vec![
            "WaitingOnCandidate",
            "CompleteNeedsReview",
            "PreAdverseActionSent",
            "Dispute",
            "AdverseActionSent"
        ]
    );
    s.assert_every_service(&id, "NotEligible");
    let trail = s.world.store.audit_trail(order.id).await.unwrap();
    for step in ["pre_adverse", "dispute", "resolve_dispute", "final"] {
        let cause = format!("operator:adverse_action:{step}");
        assert!(trail.iter().any(|e| e.cause == cause), "{cause} audited");
    }
    // Without the operator key nothing is done.
    let (status, body) = s
        .world
        .post_raw(
            &format!("/operator/adverse-action/{}", s.tenant),
            &[("authorization".into(), "Bearer not-the-key".into())],
            serde_json::to_vec(&json!({ "order_id": order.id.to_string(), "step": "cancel" }))
                .unwrap(),
        )
        .await;
    assert_eq!(
        (status, body["code"].as_str()),
        (401, Some("api-key-invalid"))
    );
}

#[tokio::test]
async fn paylocitys_delivery_errors_are_recorded_once_and_only_from_paylocity() {
    let s = PaylocityScenario::start().await;
    let body = serde_json::to_vec(&json!({
        "candidateScreeningOrderId": "3f1c9a52-7d4e-4b8a-9c21-5e6f7a8b9c0d",
        "companyId": s.company, "errorMessage": "Partner endpoint timed out"
    }))
    .unwrap();
    let key = [(
        "x-api-key".to_string(),
        s.partner.api_keys[0].expose().to_string(),
    )];
    let (status, answer) = s
        .world
        .post_raw("/paylocity/order-errors", &key, body.clone())
        .await;
    assert_eq!((status, answer["status"].as_str()), (200, Some("recorded")));
    let (status, answer) = s
        .world
        .post_raw("/paylocity/order-errors", &key, body.clone())
        .await;
    assert_eq!(
        (status, answer["status"].as_str()),
        (200, Some("duplicate"))
    );
    let (status, _) = s.world.post_raw("/paylocity/order-errors", &[], body).await;
    assert_eq!(status, 401);
}

#[tokio::test]
async fn a_warm_order_webhook_costs_one_dynamodb_write() {
    let s = PaylocityScenario::with(WorldOptions::default()).await;
    // Warm the caches (partner secret, tenant list) as a running container has them.
    let (status, _) = s.order(STD).await;
    assert_eq!(status, 201);
    let before = s.world.store.stats().calls();
    let (status, _) = s.order(STD).await;
    assert_eq!(status, 201);
    let (n, calls) = calls_since(&s.world.store, &before);
    println!("DynamoDB calls on a warm Paylocity order webhook: {n} {calls:?}");
    assert_eq!(n, 1, "{calls:?}");
}

#[tokio::test]
async fn the_local_demo_takes_a_paylocity_order_and_its_history_advances() {
    use screenhub_cli::demo;
    let run = screenhub_tests::start_local_demo().await;
    assert_eq!(
        run.paylocity.onboarding(demo::PAYLOCITY_COMPANY).as_deref(),
        Some("Approved")
    );
    // One package per provider: Alliance 2020, Backgrounds Online, Accurate.
    assert_eq!(run.paylocity.packages(demo::PAYLOCITY_COMPANY).len(), 3);
    // As the startup text says: order through the fake Paylocity's sandbox route.
    let placed: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/sandbox/orders", run.paylocity.base_url()))
        .json(
            &json!({ "companyId": demo::PAYLOCITY_COMPANY, "packageId": demo::PAYLOCITY_PACKAGE }),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(placed["partnerStatus"], 201, "{placed}");
    let id = placed["candidateScreeningOrderId"]
        .as_str()
        .unwrap()
        .to_owned();
    let history = || {
        run.paylocity
            .order(&id)
            .map(|o| {
                o.history
                    .iter()
                    .filter_map(|u| u.new_status.clone())
                    .collect::<Vec<_>>()
            })
            .unwrap_or_default()
    };
    eventually("the order reaches Alliance 2020", || {
        history() == vec!["WaitingOnCandidate".to_string()]
    })
    .await;
    let order = run.alliance.orders().pop().expect("an Alliance 2020 order");
    assert_eq!(order.request["product"], "Criminal Package 2");
    run.alliance
        .advance(
            &order.id,
            "complete",
            Some(json!({ "flag": false, "decision": "Eligible" })),
            None,
        )
        .await;
    eventually("Paylocity shows the result", || {
        history().last().map(String::as_str) == Some("Complete")
    })
    .await;
}

#[tokio::test]
async fn the_paylocity_adapter_never_sends_an_illegal_move_and_reads_only_what_paylocity_sent() {
    use screenhub::domain::AtsKind;
    use screenhub::ports::ats::{AtsContext, Attempt, Loaded};
    use screenhub::ports::store::Commit;
    let s = PaylocityScenario::start().await;
    let (_, id) = s.order(STD).await;
    s.world.settle().await;
    s.alliance_reports(&id, "complete", Some(json!({ "flag": false })))
        .await;
    s.world.settle().await;
    assert_eq!(s.history(&id), vec!["WaitingOnCandidate", "Complete"]);

    let adapter = s.world.dispatcher.registry.ats(AtsKind::Paylocity);
    let tenant = s.world.store.get_tenant(&s.tenant).await.unwrap().unwrap();
    let secrets = screenhub::ports::TenantSecrets::default();
    let ctx = AtsContext {
        tenant: &tenant,
        secrets: &secrets,
    };
    // An order our side shows as running while Paylocity shows it complete (a corrupted
    // record): the move back is never sent, and the refusal is in the audit trail.
    let done = s.order_of(&id).await;
    let mut back = done.next(s.world.clock.now());
    back.status = OrderStatus::InProgress;
    s.world
        .store
        .commit(Commit::update(
            &done,
            back.clone(),
            "test:corrupt",
            Vec::new(),
        ))
        .await
        .unwrap();
    let attempt = Attempt {
        queued_at: s.world.clock.now(),
        number: 1,
    };
    let route = tenant.route(&back.route).unwrap();
    adapter
        .render(&ctx, route, &back, None, attempt)
        .await
        .expect("a refusal is recorded, not failed");
    assert_eq!(
        s.history(&id),
        vec!["WaitingOnCandidate", "Complete"],
        "nothing sent"
    );
    let trail = s.world.store.audit_trail(done.id).await.unwrap();
    assert!(
        trail
            .iter()
            .any(|e| e.refused.is_some() && e.cause.starts_with("paylocity:not_sent")),
        "{trail:?}"
    );
    // Its subject is only what Paylocity sent; Paylocity tells of no deletions.
    let mut no_intake = back.clone();
    no_intake.intake = None;
    assert!(matches!(
        adapter.load_subject(&ctx, &no_intake).await.unwrap(),
        Loaded::Unconfirmed(_)
    ));
    let Loaded::Subject(subject) = adapter.load_subject(&ctx, &back).await.unwrap() else {
        panic!("the intake is the subject");
    };
    assert_eq!(subject.email.as_deref(), Some("ada@example.com"));
    assert_eq!(subject.package.as_deref(), Some("Criminal Package 2"));
    assert!(!adapter.confirms_deleted(&ctx, &id).await.unwrap());
}

#[tokio::test]
async fn backgrounds_online_failing_for_good_ends_a_paylocity_order_cancelled_with_the_reason() {
    let s = PaylocityScenario::start().await;
    s.bo.inject(Fault::status(502, 100));
    let (_, id) = s.order(BO_STD).await;
    s.world.settle().await;
    assert_eq!(s.order_of(&id).await.status, OrderStatus::Error);
    assert_eq!(s.history(&id), vec!["Cancelled"]);
    let note = s.paylocity.order(&id).unwrap().history[0].services[0]["note"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(note.contains("Backgrounds Online"), "{note}");
}

#[tokio::test]
async fn a_retired_package_takes_no_new_order_but_its_orders_in_flight_complete() {
    let s = PaylocityScenario::start().await;
    let (_, in_flight) = s.order(STD).await;
    s.world.settle().await;
    // The tenant retires the package (and publishes it as inactive).
    let mut config = s.world.store.get_tenant(&s.tenant).await.unwrap().unwrap();
    let settings = config.ats.paylocity.as_mut().unwrap();
    settings
        .packages
        .iter_mut()
        .find(|p| p.id == STD)
        .unwrap()
        .active = false;
    s.world.store.put_tenant(&config).await.unwrap();
    s.world.clock.advance(time::Duration::minutes(2)); // past the tenant cache
    let (status, refused) = s.order(STD).await;
    assert_eq!(status, 422);
    assert!(
        s.world
            .store
            .orders_of_opportunity(&s.tenant, &refused)
            .await
            .unwrap()
            .is_empty()
    );
    s.alliance_reports(&in_flight, "complete", Some(json!({ "flag": false })))
        .await;
    s.world.settle().await;
    assert_eq!(
        s.history(&in_flight),
        vec!["WaitingOnCandidate", "Complete"]
    );
}
