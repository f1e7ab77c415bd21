//! Cornerstone as the ATS: a portal (the sandbox's fake) calls the tenant's connector with
//! HTTP Basic, the order is fulfilled by Alliance 2020, Backgrounds Online or Accurate as the
//! tenant's routes say (Accurate only for an ordering user it knows as a requester), and each status goes back once as a `BackgroundCheckReport` to the callback URL
//! the portal gave. End to end over HTTP against DynamoDB Local, moto and the sandbox.

use screenhub::config::TenantConfig;
use screenhub::domain::{OrderStatus, TenantId};
use screenhub::ports::secrets::{CornerstoneSecrets, ProviderSecrets, Secret};
use screenhub::ports::{Store, TenantSecrets};
use screenhub_sandbox::accurate::FakeAccurate;
use screenhub_sandbox::cornerstone::{Applicant, FakeCornerstone, REQUESTER_EMAIL};
use screenhub_sandbox::{Fault, FaultKind, Method};
use screenhub_tests::cornerstone_scenario::{BO_STD, CornerstoneScenario, STD, USER};
use screenhub_tests::{World, WorldOptions, calls_since, unique};
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

/// Cornerstone × Backgrounds Online by configuration alone (the scenario's `bo-std` package
/// and its `cornerstone_bo` route): the connector's data suffices, nothing is checked on the
/// request path (Backgrounds Online has no requesters), each status goes back once.
#[tokio::test]
async fn a_portal_package_is_fulfilled_by_backgrounds_online_by_configuration_alone() {
    let s = CornerstoneScenario::start().await;
    let (status, answer, order_ref) = s.assign(BO_STD).await;
    assert_eq!(
        (status, &answer["HasErrors"]),
        (200, &json!(false)),
        "{answer}"
    );
    let reference = answer["ProviderReferenceId"].as_str().unwrap().to_owned();
    assert!(
        s.bo.orders().is_empty(),
        "no provider call on the request path"
    );
    s.world.settle().await;
    let order = s.order_of(&order_ref).await;
    assert_eq!(order.route.as_str(), "cornerstone_bo");
    assert_eq!(order.status, OrderStatus::Pending);
    let placed =
        s.bo.order_by_reference(&reference)
            .expect("placed with Backgrounds Online, our id as its client reference");
    assert_eq!(
        placed.request["package"], "Standard",
        "the account's default package (the portal's package names none)"
    );
    assert_eq!(placed.request["candidate"]["name"], "Ada Byron Lovelace");
    assert_eq!(placed.request["candidate"]["email"], "ada@example.com");
    assert_eq!(placed.request["candidate"]["phone"], "+1 512 555 0100");
    assert_eq!(placed.request["position"]["title"], "Senior Engineer");
    assert_eq!(placed.request["position"]["location"], "Austin, TX, US");
    assert!(s.alliance.orders().is_empty(), "only the route's provider");

    assert_eq!(s.bo.submit(&placed.id).await, 200);
    s.world.settle().await;
    assert_eq!(s.portal.statuses(&order_ref), vec!["inprogress"]);
    assert_eq!(s.bo.complete(&placed.id, false).await, 200);
    s.world.settle().await;
    s.world.settle().await;
    assert_eq!(
        s.portal.statuses(&order_ref),
        vec!["inprogress", "completed"],
        "each once"
    );
    let done = s.portal.callbacks(&order_ref).pop().unwrap();
    assert_eq!(done["ProviderReferenceId"], reference);
    assert_eq!(done["ReportUrl"], s.bo.report_url(&placed.id));
    assert_eq!(done["ScreeningResult"], "Review", "{done}");
    let (_, panel) = s.portal.own_panel(&reference).await;
    assert_eq!(panel["OverallStatus"], "Complete");
    assert_eq!(panel["ProviderReferenceId"], placed.id);
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

/// A tenant whose portal's package `acc-basic` is fulfilled by Accurate (DESIGN §1.D), by
/// configuration alone; the portal's ordering user is a requester of its Accurate account.
struct AccuratePortal {
    world: World,
    portal: FakeCornerstone,
    accurate: FakeAccurate,
    tenant: TenantId,
    acc_key: String,
}

async fn accurate_portal() -> AccuratePortal {
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
    accurate.add_requester(&acc_key, REQUESTER_EMAIL);
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
    AccuratePortal {
        world,
        portal,
        accurate,
        tenant,
        acc_key,
    }
}

impl AccuratePortal {
    /// Every order of a Cornerstone order ref.
    async fn orders(&self, order_ref: &str) -> Vec<screenhub::domain::Order> {
        self.world
            .store
            .orders_of_opportunity(&self.tenant, order_ref)
            .await
            .unwrap()
    }

    /// The paths of Accurate's API the hub called so far.
    fn paths_called(&self) -> Vec<String> {
        self.accurate
            .requests()
            .into_iter()
            .map(|r| r.path)
            .collect()
    }

    /// Nothing was created at Accurate: no candidate, no order, no call but requester checks.
    fn nothing_ordered(&self) {
        assert!(self.accurate.candidates().is_empty(), "no candidate");
        assert!(self.accurate.orders().is_empty(), "no order");
        let paths = self.paths_called();
        assert!(
            paths.iter().all(|p| p == "/v3/requesters"),
            "only requester checks: {paths:?}"
        );
    }
}

/// The error the portal shows, from a refused initiate.
fn refusal(answer: &serde_json::Value) -> &str {
    assert_eq!(answer["HasErrors"], true, "{answer}");
    assert_eq!(answer["ProviderReferenceId"], serde_json::Value::Null);
    answer["Errors"][0]["Description"].as_str().unwrap()
}

/// Cornerstone × Accurate, the pairing DESIGN §1.D names, by configuration alone: a tenant
/// whose portal's package is fulfilled by Accurate.
#[tokio::test]
async fn a_portal_orders_from_accurate_by_configuration_alone_and_hears_its_completion() {
    let AccuratePortal {
        world,
        portal,
        accurate,
        ..
    } = accurate_portal().await;

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
    assert_eq!(placed.request["requesterEmail"], REQUESTER_EMAIL);
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

/// DESIGN §1.D: the requesting user's email must exist on the Accurate side.
#[tokio::test]
async fn an_ordering_user_unknown_to_accurate_is_told_and_nothing_is_ordered() {
    let logs = screenhub_tests::logs::capture();
    let p = accurate_portal().await;
    let mut ada = Applicant::new("acc-basic");
    ada.requester_email = Some("new.hire@acme.example".into());
    let (status, answer, order_ref) = p.portal.assign(&ada).await;
    assert_eq!(status, 200, "the contract's shape");
    let said = refusal(&answer);
    assert!(
        said.contains("not a requester in Accurate Background")
            && said.contains("add this user as a requester"),
        "{said}"
    );
    assert!(
        !said.contains("new.hire"),
        "the email is not echoed: {said}"
    );
    assert!(p.orders(&order_ref).await.is_empty(), "nothing written");
    p.world.settle().await;
    p.nothing_ordered();

    // The user added at Accurate (in other case) orders at once: an unknown user is not
    // remembered.
    p.accurate
        .add_requester(&p.acc_key, "New.Hire@ACME.example");
    let (status, answer) = p.portal.resend(&order_ref).await;
    assert_eq!(
        (status, &answer["HasErrors"]),
        (200, &json!(false)),
        "{answer}"
    );
    let reference = answer["ProviderReferenceId"].as_str().unwrap().to_owned();
    assert_eq!(p.orders(&order_ref).await.len(), 1);
    p.world.settle().await;
    assert!(p.accurate.order_by_reference(&reference).is_some());

    // An order naming no ordering user at all is refused too.
    let mut nobody = Applicant::new("acc-basic");
    nobody.requester_email = None;
    let (_, answer, order_ref) = p.portal.assign(&nobody).await;
    assert!(refusal(&answer).contains("names no ordering user"));
    assert!(p.orders(&order_ref).await.is_empty());
    let logged = logs.text();
    assert!(logged.contains("requester checked"), "the check is logged");
    for email in ["new.hire", "New.Hire", REQUESTER_EMAIL] {
        assert!(!logged.contains(email), "no email in the logs: {email}");
    }
}

#[tokio::test]
async fn accurate_unreachable_while_checking_the_requester_orders_nothing_until_it_answers() {
    let p = accurate_portal().await;
    for fault in [
        Fault::status(503, 1),
        Fault::new(FaultKind::Drop, 1),
        Fault::status(401, 1),
    ] {
        p.accurate.inject(
            fault
                .clone()
                .method(Method::GET)
                .path_contains("/v3/requesters"),
        );
        let (status, answer, order_ref) = p.portal.assign(&Applicant::new("acc-basic")).await;
        assert_eq!(status, 200, "{fault:?}");
        let said = refusal(&answer);
        assert!(
            said.contains("could not be reached") && said.contains("try again"),
            "{fault:?}: {said}"
        );
        assert!(
            p.orders(&order_ref).await.is_empty(),
            "{fault:?}: nothing written"
        );
    }
    p.world.settle().await;
    p.nothing_ordered();

    // Accurate answers again: the order is taken; the known requester is then remembered,
    // so the next initiate does not ask Accurate again.
    let (_, first, _) = p.portal.assign(&Applicant::new("acc-basic")).await;
    assert_eq!(first["HasErrors"], false, "{first}");
    let asked = |p: &AccuratePortal| {
        p.paths_called()
            .iter()
            .filter(|path| *path == "/v3/requesters")
            .count()
    };
    let before = asked(&p);
    let mut shouting = Applicant::new("acc-basic");
    shouting.requester_email = Some(REQUESTER_EMAIL.to_uppercase());
    let (_, second, _) = p.portal.assign(&shouting).await;
    assert_eq!(second["HasErrors"], false, "{second}");
    assert_eq!(asked(&p), before, "remembered, without case");
    p.world.settle().await;
    assert_eq!(p.accurate.orders().len(), 2);
}

#[tokio::test]
async fn a_redelivered_initiate_answers_its_order_even_when_its_requester_cannot_be_verified_now() {
    let p = accurate_portal().await;
    let (_, first, order_ref) = p.portal.assign(&Applicant::new("acc-basic")).await;
    assert_eq!(first["HasErrors"], false, "{first}");
    // Past the remembered answer, with Accurate down: the order taken is answered again.
    p.world.clock.advance(time::Duration::minutes(16));
    p.accurate
        .inject(Fault::status(503, 1).path_contains("/v3/requesters"));
    let (status, again) = p.portal.resend(&order_ref).await;
    assert_eq!(status, 200);
    assert_eq!(again["HasErrors"], false, "{again}");
    assert_eq!(again["ProviderReferenceId"], first["ProviderReferenceId"]);
    assert_eq!(
        p.paths_called()
            .iter()
            .filter(|path| *path == "/v3/requesters")
            .count(),
        2,
        "asked again once the remembered answer lapsed"
    );
    assert_eq!(p.orders(&order_ref).await.len(), 1, "one order");
}
