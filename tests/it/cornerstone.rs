//! Cornerstone as the ATS: a portal (the sandbox's fake) calls the tenant's connector with
//! HTTP Basic, the order is fulfilled by Alliance 2020 or Backgrounds Online as the tenant's
//! routes say, and each status goes back once as a `BackgroundCheckReport` to the callback URL
//! the portal gave. End to end over HTTP against DynamoDB Local, moto and the sandbox.

use screenhub::domain::OrderStatus;
use screenhub::ports::Store;
use screenhub_sandbox::cornerstone::{Applicant, FakeCornerstone};
use screenhub_tests::calls_since;
use screenhub_tests::cornerstone_scenario::{BO_STD, CornerstoneScenario, STD, USER};
use serde_json::json;

fn flagged_result(report: &str) -> serde_json::Value {
    json!({ "flag": true, "decision": "Review", "report_url": report,
            "summary": "Records found in Travis County" })
}

#[tokio::test]
async fn a_portal_orders_through_the_connector_and_hears_each_status_once_through_completion() {
    let s = CornerstoneScenario::start().await;
    let (status, packages) = s.portal.packages().await;
    assert_eq!(status, 200);
    assert_eq!(
        packages[0],
        json!({ "Id": STD, "Name": "Account 1 - Standard" })
    );

    let before = s.world.store.stats().calls();
    let (status, answer, order_ref) = s.assign(STD).await;
    let (calls, by_op) = calls_since(&s.world.store, &before);
    assert_eq!(status, 200);
    assert_eq!(answer["HasErrors"], false, "{answer}");
    assert_eq!(answer["Errors"], json!([]));
    assert_eq!(calls, 1, "one transaction on a warm initiate: {by_op:?}");
    let order = s.order_of(&order_ref).await;
    assert_eq!(
        answer["ProviderReferenceId"],
        order.id.to_string(),
        "the hub's reference"
    );
    assert_eq!(order.status, OrderStatus::Requested);
    assert!(
        s.alliance.orders().is_empty(),
        "no provider call on the request path"
    );
    let reference = order.id.to_string();
    let (_, panel) = s.portal.own_panel(&reference).await;
    assert_eq!(panel["OverallStatus"], "Acknowledged");
    assert_eq!(panel["PackageId"], STD);

    s.world.settle().await;
    let placed = s
        .alliance
        .order_by_reference(&reference)
        .expect("placed with Alliance 2020");
    assert_eq!(
        placed.request["product"], "Criminal Package 2",
        "the package's mapping"
    );
    assert_eq!(placed.request["candidate"]["name"], "Ada Byron Lovelace");
    assert_eq!(placed.request["candidate"]["email"], "ada@example.com");
    assert_eq!(placed.request["candidate"]["phone"], "+1 512 555 0100");
    assert_eq!(placed.request["position"]["title"], "Senior Engineer");
    assert_eq!(
        placed.request["position"]["location"], "Austin, TX, US",
        "the requisition's place"
    );
    assert!(
        s.portal.callbacks(&order_ref).is_empty(),
        "still Acknowledged: nothing to tell"
    );
    let (_, panel) = s.portal.own_panel(&reference).await;
    assert_eq!(panel["OverallStatus"], "Acknowledged");
    assert_eq!(panel["ProviderReferenceId"], placed.id);
    assert_eq!(panel["ProviderStatus"], "In Progress");

    s.alliance_reports(&order_ref, "in_progress", None).await;
    s.world.settle().await;
    assert_eq!(s.portal.statuses(&order_ref), vec!["inprogress"]);
    let report = "https://alliance.example/reports/1";
    s.alliance_reports(&order_ref, "complete", Some(flagged_result(report)))
        .await;
    s.world.settle().await;
    s.world.settle().await;
    assert_eq!(
        s.portal.statuses(&order_ref),
        vec!["inprogress", "completed"],
        "each once"
    );
    let done = s.portal.callbacks(&order_ref).pop().unwrap();
    assert_eq!(done["ProviderReferenceId"], reference);
    assert_eq!(done["CallbackData"]["ApplicantRefOrderId"], order_ref);
    assert_eq!(done["CallbackData"]["ApplicantRefUserId"], "user-77");
    assert_eq!(done["ReportUrl"], report);
    assert_eq!(
        done["ScreeningResult"], "Review",
        "the portal has adjudication"
    );
    let date = done["CompletionDate"].as_str().unwrap();
    assert!(
        date.len() == 10 && &date[2..3] == "-" && &date[5..6] == "-",
        "MM-dd-yyyy: {date}"
    );
    let (_, panel) = s.portal.own_panel(&reference).await;
    assert_eq!(panel["OverallStatus"], "Complete");
    assert_eq!(panel["ProviderStatus"], "Completed");
    assert_eq!(panel["PercentComplete"], 100);
    assert_eq!(panel["ViewReportUrl"], report);
    assert_eq!(panel["AdjudicationResult"], "Review");
}

#[tokio::test]
async fn a_failed_callback_is_posted_again_and_still_once() {
    let s = CornerstoneScenario::start().await;
    let (_, _, order_ref) = s.assign(STD).await;
    s.world.settle().await;
    s.portal.fail_callbacks([503]);
    s.alliance_reports(&order_ref, "in_progress", None).await;
    s.world.settle().await;
    assert_eq!(s.portal.statuses(&order_ref), vec!["inprogress"]);
}

#[tokio::test]
async fn wrong_or_missing_credentials_are_refused_before_the_body_is_read() {
    let s = CornerstoneScenario::start().await;
    let body = Applicant::new(STD).request(
        "csod-x",
        &format!("{}/callbacks/csod-x", s.portal.base_url()),
    );
    for auth in [
        FakeCornerstone::basic(USER, "wrong"),
        FakeCornerstone::basic("someone", &s.password),
        format!("Bearer {}", s.password),
        String::new(),
    ] {
        let (status, problem) = s.portal.send_body(&body, &auth).await;
        assert_eq!(status, 401, "{auth}");
        assert_eq!(problem["code"], "credentials-invalid");
    }
    let (status, problem) = s.portal.send_body(&body, &s.viewer()).await;
    assert_eq!(
        (status, problem["code"].as_str()),
        (403, Some("permission-denied"))
    );
    let orders = s.orders("csod-x").await;
    assert!(orders.is_empty(), "nothing written");
    // Another tenant's connector does not take this portal's credentials.
    let other = FakeCornerstone::start().await;
    other.connect(
        &format!("{}/cornerstone/not-a-tenant", s.world.hub_url),
        USER,
        &s.password,
    );
    assert_eq!(other.packages().await.0, 404);
}

#[tokio::test]
async fn an_initiate_delivered_again_or_concurrently_is_one_order_with_one_reference() {
    let s = CornerstoneScenario::start().await;
    let (_, first, order_ref) = s.assign(STD).await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..5 {
        let (portal, r) = (s.portal.clone(), order_ref.clone());
        tasks.spawn(async move { portal.resend(&r).await });
    }
    for (status, again) in tasks.join_all().await {
        assert_eq!(status, 200);
        assert_eq!(again["HasErrors"], false);
        assert_eq!(again["ProviderReferenceId"], first["ProviderReferenceId"]);
    }
    s.world.settle().await;
    let order = s.order_of(&order_ref).await;
    assert_eq!(order.status, OrderStatus::Pending);
    assert_eq!(s.alliance.orders().len(), 1, "one provider order");
}

#[tokio::test]
async fn a_callback_url_off_the_allowed_https_hosts_is_refused_at_initiation() {
    let s = CornerstoneScenario::start().await;
    let auth = FakeCornerstone::basic(USER, &s.password);
    for (i, url) in [
        "https://169.254.169.254/latest/meta-data",
        "http://acme.csod.com/cb",
        "https://acme.csod.com.evil.example/cb",
        "http://127.0.0.1:9/cb",
        "file:///etc/passwd",
    ]
    .into_iter()
    .enumerate()
    {
        let order_ref = format!("csod-bad-{i}");
        let body = Applicant::new(STD).request(&order_ref, url);
        let (status, answer) = s.portal.send_body(&body, &auth).await;
        assert_eq!(status, 200, "the contract's shape");
        assert_eq!(answer["HasErrors"], true, "{url}");
        assert_eq!(answer["ProviderReferenceId"], serde_json::Value::Null);
        let said = answer["Errors"][0]["Description"].as_str().unwrap();
        assert!(said.contains("CallbackUrl"), "{said}");
        assert!(
            s.orders(&order_ref).await.is_empty(),
            "{url}: nothing written"
        );
    }
    // An allowed https host is taken.
    let body = Applicant::new(STD).request("csod-ok", "https://acme.csod.com/services/cb/1");
    let (_, answer) = s.portal.send_body(&body, &auth).await;
    assert_eq!(answer["HasErrors"], false);
}

#[tokio::test]
async fn ou_ids_are_cut_to_25_characters_and_a_collision_is_a_warning_on_the_order() {
    let s = CornerstoneScenario::start().await;
    let mut ada = Applicant::new(STD);
    ada.division_id = Some("ACME-NORTH-AMERICA-DIVISION-ENG".into());
    ada.location_ref = Some("ACME-NORTH-AMERICA-DIVISION-OPS".into());
    let (status, answer, order_ref) = s.portal.assign(&ada).await;
    assert_eq!((status, &answer["HasErrors"]), (200, &json!(false)));
    let order = s.order_of(&order_ref).await;
    assert_eq!(order.warnings.len(), 1);
    assert!(order.warnings[0].contains("ACME-NORTH-AMERICA-DIVISI"));
    let trail = s.world.store.audit_trail(order.id).await.unwrap();
    let shown = screenhub_cli::report::order_report(&order, &trail);
    assert!(
        shown.contains("warning: The division and location OU ids"),
        "{shown}"
    );
    let intake = serde_json::to_value(order.intake.as_ref().unwrap()).unwrap();
    assert_eq!(
        intake["org_units"],
        json!(["ACME-NORTH-AMERICA-DIVISI", "ACME-NORTH-AMERICA-DIVISI"])
    );
    // Distinct OU ids: no warning.
    let (_, _, plain) = s.assign(STD).await;
    assert!(s.order_of(&plain).await.warnings.is_empty());
}

#[tokio::test]
async fn a_status_only_caller_sees_the_panel_without_any_link() {
    let s = CornerstoneScenario::start().await;
    let (_, answer, order_ref) = s.assign(STD).await;
    let reference = answer["ProviderReferenceId"].as_str().unwrap().to_owned();
    s.world.settle().await;
    s.alliance_reports(&order_ref, "in_progress", None).await;
    s.world.settle().await;
    let (status, full) = s.portal.own_panel(&reference).await;
    assert_eq!(status, 200);
    assert_eq!(full["OverallStatus"], "In Progress");
    assert!(
        full["CheckOrderProgressUrl"]
            .as_str()
            .is_some_and(|u| u.contains("A20-")),
        "{full}"
    );
    let (status, viewer) = s.portal.panel(&reference, &s.viewer()).await;
    assert_eq!(status, 200);
    assert_eq!(viewer["OverallStatus"], "In Progress");
    assert!(viewer.get("CheckOrderProgressUrl").is_none(), "{viewer}");

    s.alliance_reports(
        &order_ref,
        "complete",
        Some(flagged_result("https://r.example/1")),
    )
    .await;
    s.world.settle().await;
    let (_, full) = s.portal.own_panel(&reference).await;
    assert_eq!(full["ViewReportUrl"], "https://r.example/1");
    let (_, viewer) = s.portal.panel(&reference, &s.viewer()).await;
    assert_eq!(viewer["OverallStatus"], "Complete");
    assert!(
        viewer.get("ViewReportUrl").is_none() && viewer.get("CheckOrderProgressUrl").is_none(),
        "{viewer}"
    );
    // Another portal's reference, or none at all, is not shown.
    let (status, _) = s.portal.own_panel("not-a-reference").await;
    assert_eq!(status, 400);
    let (status, _) = s.portal.own_panel(&uuid_like()).await;
    assert_eq!(status, 404);
}

fn uuid_like() -> String {
    "0190a5d2-0000-7000-8000-000000000000".into()
}

#[tokio::test]
async fn the_candidates_link_lapses_after_seven_days_and_cornerstone_is_told() {
    let s = CornerstoneScenario::start().await;
    let (_, _, alliance_ref) = s.assign(STD).await;
    let (_, _, bo_ref) = s.assign(BO_STD).await;
    s.world.settle().await;
    let bo_order = s.order_of(&bo_ref).await;
    assert_eq!(
        bo_order.route.as_str(),
        "cornerstone_bo",
        "by configuration"
    );

    s.world.clock.advance(time::Duration::days(6));
    s.world.sweep.run(None).await.unwrap();
    s.world.settle().await;
    assert_eq!(
        s.order_of(&alliance_ref).await.status,
        OrderStatus::Pending,
        "day 6: still valid"
    );

    s.world
        .clock
        .advance(time::Duration::days(1) + time::Duration::minutes(1));
    let report = s.world.sweep.run(None).await.unwrap();
    assert_eq!(report.expired, 2);
    s.world.settle().await;
    for order_ref in [&alliance_ref, &bo_ref] {
        let order = s.order_of(order_ref).await;
        assert_eq!(order.status, OrderStatus::Expired);
        assert_eq!(s.portal.statuses(order_ref), vec!["cancelled"]);
        let (_, panel) = s.portal.own_panel(&order.id.to_string()).await;
        assert_eq!(panel["OverallStatus"], "Cancelled");
    }
    let placed = s.bo.order_by_reference(bo_order.id.to_string()).unwrap();
    assert_eq!(
        placed.status, "expired",
        "closed at the provider that can cancel"
    );
}

#[tokio::test]
async fn the_local_demo_takes_a_cornerstone_order_and_tells_the_portal() {
    use screenhub_cli::demo;
    let run = screenhub_tests::start_local_demo().await;
    // As the startup text says: assign through the fake portal's sandbox route.
    let assigned: serde_json::Value = reqwest::Client::new()
        .post(format!("{}/sandbox/assign", run.cornerstone.base_url()))
        .json(&json!({ "packageId": demo::CORNERSTONE_PACKAGE }))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(assigned["answer"]["HasErrors"], false, "{assigned}");
    let reference = assigned["answer"]["ProviderReferenceId"]
        .as_str()
        .unwrap()
        .to_owned();
    let order_ref = assigned["orderRef"].as_str().unwrap().to_owned();
    screenhub_tests::eventually("the order reaches Alliance 2020", || {
        run.alliance.order_by_reference(&reference).is_some()
    })
    .await;
    let placed = run.alliance.order_by_reference(&reference).unwrap();
    assert_eq!(placed.request["product"], "Criminal Package 2");
    run.alliance
        .advance(&placed.id, "in_progress", None, None)
        .await;
    screenhub_tests::eventually("the portal hears the order is in progress", || {
        run.cornerstone.statuses(&order_ref) == vec!["inprogress".to_string()]
    })
    .await;
}

/// Cornerstone × Accurate, the pairing DESIGN §1.D names, by configuration alone: a tenant
/// whose portal's package is fulfilled by Accurate.
#[tokio::test]
async fn a_portal_orders_from_accurate_by_configuration_alone_and_hears_its_completion() {
    use screenhub::config::TenantConfig;
    use screenhub::domain::TenantId;
    use screenhub::ports::TenantSecrets;
    use screenhub::ports::secrets::{CornerstoneSecrets, ProviderSecrets, Secret};
    use screenhub_sandbox::accurate::FakeAccurate;
    use screenhub_tests::{World, WorldOptions, unique};

    let world = World::start(WorldOptions::default()).await;
    let (portal, accurate) = (FakeCornerstone::start().await, FakeAccurate::start().await);
    accurate.set_clock(world.sandbox_clock());
    let tenant = TenantId::parse(&unique("csod-acc-")).unwrap();
    let config: TenantConfig = serde_json::from_value(json!({
        "id": tenant.as_str(), "name": "Acme Screening",
        "ats": { "cornerstone": {
            "username": USER,
            "packages": [{ "id": "acc-basic", "name": "Account 1 - Basic", "provider_package": "PKG_BASIC" }],
            "callback_origins": [portal.base_url()],
            "adjudication": true
        } },
        "providers": {
            "accurate": { "api_base": accurate.base_url(), "default_package": "PKG_BASIC" }
        },
        "routes": [{ "id": "cornerstone_accurate", "provider": "accurate",
                     "trigger": { "kind": "cornerstone_initiate", "packages": ["acc-basic"] } }]
    }))
    .expect("valid tenant");
    let (acc_key, acc_password, password) = (unique("acc-key-"), unique("acc-pw-"), unique("pw-"));
    let acc_secret = screenhub_sandbox::signing::new_whsec();
    accurate.add_account(&acc_key, &acc_password, [acc_secret.clone()], ["PKG_BASIC"]);
    let secrets = TenantSecrets {
        accurate: Some(ProviderSecrets {
            api_key: Secret::new(&acc_key),
            api_secret: Some(Secret::new(&acc_password)),
            callback_secrets: vec![Secret::new(&acc_secret)],
        }),
        cornerstone: Some(CornerstoneSecrets {
            password: Secret::new(&password),
            status_password: None,
        }),
        ..TenantSecrets::default()
    };
    assert!(
        screenhub::onboarding::problems(&config, Some(&secrets)).is_empty(),
        "{:?}",
        screenhub::onboarding::problems(&config, Some(&secrets))
    );
    world.onboard(&config, &secrets).await;
    portal.connect(
        &format!("{}/cornerstone/{}", world.hub_url, tenant),
        USER,
        &password,
    );

    let (status, answer, order_ref) = portal.assign(&Applicant::new("acc-basic")).await;
    assert_eq!(
        (status, &answer["HasErrors"]),
        (200, &json!(false)),
        "{answer}"
    );
    let reference = answer["ProviderReferenceId"].as_str().unwrap().to_owned();
    world.settle().await;
    let placed = accurate
        .order_by_reference(&reference)
        .expect("placed with Accurate, our id as its client reference");
    assert_eq!(placed.request["packageType"], "PKG_BASIC");
    assert_eq!(placed.request["workflow"], "INTERACTIVE");
    assert_eq!(placed.request["jobLocation"]["city"], "Austin");
    assert_eq!(placed.request["jobLocation"]["region"], "TX");
    assert_eq!(
        placed.request["organizationUnits"],
        json!(["DIV-ENG", "LOC-AUSTIN"]),
        "the division and location OU ids"
    );
    let candidate = accurate
        .candidates()
        .into_iter()
        .find(|c| c.id == placed.request["candidateId"])
        .expect("the candidate created first");
    assert_eq!(candidate.request["firstName"], "Ada");
    assert_eq!(candidate.request["middleName"], "Byron");
    assert_eq!(candidate.request["lastName"], "Lovelace");
    assert_eq!(candidate.request["email"], "ada@example.com");
    assert_eq!(candidate.request["phone"], "+1 512 555 0100");

    assert_eq!(accurate.progress(&placed.id, 50).await, 200);
    world.settle().await;
    assert_eq!(portal.statuses(&order_ref), vec!["inprogress"]);
    assert_eq!(accurate.adjudicate(&placed.id, "ELIGIBLE").await, 200);
    assert_eq!(accurate.complete(&placed.id).await, 200);
    world.settle().await;
    world.settle().await;
    assert_eq!(
        portal.statuses(&order_ref),
        vec!["inprogress", "completed"],
        "each once"
    );
    let done = portal.callbacks(&order_ref).pop().unwrap();
    assert_eq!(done["ProviderReferenceId"], reference);
    assert_eq!(done["ReportUrl"], accurate.report_url(&placed.id));
}
