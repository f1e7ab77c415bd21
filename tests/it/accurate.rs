//! Accurate Background for every ATS by configuration alone: a Lever stage move and a
//! Paylocity package ordering from Accurate, end to end over HTTP against DynamoDB Local,
//! moto and the sandbox (fake Lever, fake Paylocity, fake Accurate), through completion; and
//! what Accurate's failures do to an order. Nothing in the hub's code names these pairings;
//! the tenants' JSON is all they needed.

use screenhub::config::TenantConfig;
use screenhub::domain::{OrderStatus, ProviderKind, TenantId};
use screenhub::ports::secrets::{ProviderSecrets, Secret};
use screenhub::ports::{Store, TenantSecrets};
use screenhub_sandbox::accurate::FakeAccurate;
use screenhub_sandbox::lever::{FakeLever, NewOpportunity, NewPosting};
use screenhub_sandbox::{Fault, FaultKind, Method};
use screenhub_tests::paylocity_scenario::{self, PaylocityScenario};
use screenhub_tests::{World, WorldOptions, unique, update_secret};
use serde_json::{Value, json};

const STAGE: &str = "stage-bg-accurate";
const STATUS: &str = "Background Check Status: ";

/// A tenant whose only route is a Lever stage move ordering from Accurate.
struct LeverAccurate {
    world: World,
    lever: FakeLever,
    accurate: FakeAccurate,
    tenant: TenantId,
    stage_token: String,
    posting: String,
}

/// The tenant's whole configuration.
fn lever_tenant(tenant: &TenantId, lever: &str, accurate: &str) -> Value {
    json!({
        "id": tenant.as_str(), "name": "Acme",
        "ats": { "lever": { "api_base": lever, "requests_per_second": 10, "burst": 20 } },
        "providers": {
            "accurate": { "api_base": accurate, "default_package": "PKG_BASIC", "packages": ["PKG_PRO"] }
        },
        "routes": [{
            "id": "stage_accurate",
            "trigger": { "kind": "lever_stage", "stage_id": STAGE },
            "provider": "accurate",
            "lever": { "flag_tag_prefix": "Flag: " }
        }]
    })
}

impl LeverAccurate {
    /// Set up with the account's password as the tenant's secret holds it.
    async fn start_with_password(stored_password: Option<&str>) -> LeverAccurate {
        let world = World::start(WorldOptions::default()).await;
        let (lever, accurate) = (FakeLever::start().await, FakeAccurate::start().await);
        lever.set_clock(world.sandbox_clock());
        accurate.set_clock(world.sandbox_clock());
        let tenant = TenantId::parse(&unique("acc-")).unwrap();
        let lever_key = unique("lever-key-");
        let (acc_key, acc_password) = (unique("acc-key-"), unique("acc-pw-"));
        let acc_secret = screenhub_sandbox::signing::new_whsec();
        lever.add_api_key(&lever_key);
        lever.add_stage("applicant-new", "New Applicant");
        lever.add_stage(STAGE, "Background Check (Accurate)");
        let posting = lever.add_posting(
            NewPosting::new("Senior Engineer")
                .department("Engineering")
                .location("Austin, TX"),
        );
        accurate.add_account(
            &acc_key,
            &acc_password,
            [acc_secret.clone()],
            ["PKG_BASIC", "PKG_PRO"],
        );
        let config: TenantConfig = serde_json::from_value(lever_tenant(
            &tenant,
            &lever.base_url(),
            &accurate.base_url(),
        ))
        .expect("valid tenant");
        let stage_token = unique("sig-token-");
        let secrets = TenantSecrets {
            lever_api_key: Some(Secret::new(&lever_key)),
            lever_webhook_tokens: [
                ("candidateStageChange".to_owned(), Secret::new(&stage_token)),
                ("candidateDeleted".to_owned(), Secret::new(unique("del-"))),
            ]
            .into(),
            accurate: Some(ProviderSecrets {
                api_key: Secret::new(&acc_key),
                api_secret: Some(Secret::new(stored_password.unwrap_or(&acc_password))),
                callback_secrets: vec![Secret::new(&acc_secret)],
            }),
            ..TenantSecrets::default()
        };
        assert!(
            screenhub::onboarding::problems(&config, Some(&secrets)).is_empty(),
            "the tenant is ready"
        );
        world.onboard(&config, &secrets).await;
        LeverAccurate {
            world,
            lever,
            accurate,
            tenant,
            stage_token,
            posting,
        }
    }

    async fn start() -> LeverAccurate {
        Self::start_with_password(None).await
    }

    fn candidate(&self, tags: &[&str]) -> String {
        let mut o = NewOpportunity::new("Ada Lovelace")
            .email("ada@example.com")
            .phone(Some("mobile"), "+1 512 555 0199")
            .stage("applicant-new")
            .posting(self.posting.clone());
        for t in tags {
            o = o.tag(*t);
        }
        self.lever.add_opportunity(o)
    }

    /// A recruiter moves the candidate to the Accurate stage; Lever's webhook is delivered
    /// and every effect performed.
    async fn move_to_stage(&self, opp: &str) {
        self.lever.move_stage(opp, STAGE).await;
        let at = self.lever.opportunity(opp).unwrap()["stageChanges"]
            .as_array()
            .and_then(|c| c.last())
            .and_then(|c| c["updatedAt"].as_i64())
            .unwrap();
        let delivery = self.lever.signed_delivery(
            "candidateStageChange",
            json!({ "opportunityId": opp, "candidateId": opp, "toStageId": STAGE,
                    "fromStageId": "applicant-new" }),
            &self.stage_token,
            at,
        );
        let path = format!("/lever/webhooks/{}", self.tenant);
        assert_eq!(self.world.post_json(&path, &delivery).await.0, 200);
        self.world.settle().await;
    }

    async fn order_of(&self, opp: &str) -> screenhub::domain::Order {
        self.world
            .store
            .orders_of_opportunity(&self.tenant, opp)
            .await
            .unwrap()
            .pop()
            .expect("an order")
    }

    fn status_tags(&self, opp: &str) -> Vec<String> {
        self.lever
            .tags(opp)
            .into_iter()
            .filter(|t| t.starts_with(STATUS))
            .collect()
    }

    /// Accurate's postback reached the hub and every effect was performed.
    async fn reported(&self, status: u16) {
        assert_eq!(status, 200, "the hub took the postback");
        self.world.settle().await;
    }
}

#[tokio::test]
async fn a_lever_stage_move_orders_from_accurate_through_completion_by_configuration_alone() {
    let p = LeverAccurate::start().await;
    let opp = p.candidate(&["Package: PKG_PRO"]);
    p.move_to_stage(&opp).await;

    // One candidate, then one interactive order, at Accurate.
    let order = p.order_of(&opp).await;
    let candidates = p.accurate.candidates();
    assert_eq!(candidates.len(), 1);
    let c = &candidates[0].request;
    assert_eq!(
        (&c["firstName"], &c["lastName"], &c["email"]),
        (&json!("Ada"), &json!("Lovelace"), &json!("ada@example.com"))
    );
    let placed = p.accurate.orders();
    assert_eq!(placed.len(), 1);
    let req = &placed[0].request;
    assert_eq!(req["packageType"], "PKG_PRO");
    assert_eq!(req["workflow"], "INTERACTIVE");
    assert_eq!(req["candidateId"], json!(candidates[0].id));
    assert_eq!(
        req["jobLocation"],
        json!({ "city": "Austin", "region": "TX", "country": "US" })
    );
    assert_eq!(req["clientReference"], json!(order.id.to_string()));
    assert!(
        req["postbackUrl"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/callbacks/accurate/{}", p.tenant))
    );
    assert_eq!(
        (order.route.as_str(), order.provider, order.status),
        (
            "stage_accurate",
            ProviderKind::Accurate,
            OrderStatus::Pending
        )
    );
    assert_eq!(order.provider_ref.as_deref(), Some(placed[0].id.as_str()));
    assert_eq!(
        order.expires_at,
        Some(order.updated_at + time::Duration::days(14)),
        "Accurate's invitation lapses after the account's expiry_days"
    );
    assert_eq!(p.status_tags(&opp), vec![format!("{STATUS}Pending")]);

    // Invitation, progress, adjudication, completion: each a signed postback.
    let acc_id = placed[0].id.clone();
    p.reported(p.accurate.invitation_sent(&acc_id).await).await;
    assert_eq!(p.order_of(&opp).await.status, OrderStatus::Pending);
    p.reported(p.accurate.progress(&acc_id, 40).await).await;
    assert_eq!(p.order_of(&opp).await.status, OrderStatus::InProgress);
    assert_eq!(p.status_tags(&opp), vec![format!("{STATUS}In Progress")]);
    p.reported(p.accurate.adjudicate(&acc_id, "REVIEW").await)
        .await;
    p.reported(p.accurate.complete(&acc_id).await).await;
    let done = p.order_of(&opp).await;
    assert_eq!(done.status, OrderStatus::Complete);
    let result = done.result.expect("a result");
    assert_eq!(result.flag, Some(true));
    assert_eq!(result.decision.as_deref(), Some("Review"));
    assert_eq!(
        result.report_url.as_deref(),
        Some(p.accurate.report_url(&acc_id).as_str())
    );
    assert_eq!(p.status_tags(&opp), vec![format!("{STATUS}Complete")]);
    assert!(p.lever.tags(&opp).contains(&"Flag: True".to_owned()));
    let notes = p.lever.notes(&opp).len();
    assert!(notes >= 1, "the result is noted in Lever");

    // The same postback again (same webhook-id, bytes and signature): acknowledged, no
    // second effect.
    assert_eq!(p.accurate.resend_last(&acc_id).await, 200);
    p.world.settle().await;
    assert_eq!(p.lever.notes(&opp).len(), notes);
    let again = p.order_of(&opp).await;
    assert_eq!(
        (again.status, again.updated_at),
        (OrderStatus::Complete, done.updated_at)
    );
    assert_eq!(p.accurate.orders().len(), 1);
}

#[tokio::test]
async fn refused_accurate_credentials_put_the_order_in_error_with_nothing_ordered() {
    let p = LeverAccurate::start_with_password(Some("not-the-password")).await;
    let opp = p.candidate(&[]);
    p.move_to_stage(&opp).await;
    assert!(p.accurate.candidates().is_empty() && p.accurate.orders().is_empty());
    assert!(
        p.accurate.requests().iter().all(|r| r.path == "/v3/orders"),
        "only the idempotency lookup was tried, and refused"
    );
    assert_eq!(p.order_of(&opp).await.status, OrderStatus::Error);
    assert_eq!(p.status_tags(&opp), vec![format!("{STATUS}Error")]);
}

#[tokio::test]
async fn an_order_whose_answer_was_lost_is_found_again_not_placed_twice() {
    let p = LeverAccurate::start().await;
    // Accurate creates the order but the answer is a 429; the retry finds it by our order id.
    p.accurate.inject(
        Fault::new(FaultKind::ApplyThenStatus(429), 1)
            .method(Method::POST)
            .path_contains("/v3/order"),
    );
    let opp = p.candidate(&[]);
    p.move_to_stage(&opp).await;
    let placed = p.accurate.orders();
    assert_eq!(placed.len(), 1, "one order at Accurate");
    let order = p.order_of(&opp).await;
    assert_eq!(order.status, OrderStatus::Pending);
    assert_eq!(order.provider_ref.as_deref(), Some(placed[0].id.as_str()));

    // A plain 429 on the next candidate's first call: retried, one order.
    p.accurate
        .inject(Fault::status(429, 1).method(Method::POST));
    let other = p.lever.add_opportunity(
        NewOpportunity::new("Grace Hopper")
            .email("grace@example.com")
            .stage("applicant-new")
            .posting(p.posting.clone()),
    );
    p.move_to_stage(&other).await;
    assert_eq!(p.accurate.orders().len(), 2);
    assert_eq!(p.order_of(&other).await.status, OrderStatus::Pending);
}

#[tokio::test]
async fn forged_and_late_postbacks_change_nothing() {
    let p = LeverAccurate::start().await;
    let opp = p.candidate(&[]);
    p.move_to_stage(&opp).await;
    let acc_id = p.accurate.orders()[0].id.clone();

    // A completion nobody signed: refused before its body is read.
    let mut forged = p.accurate.signed_callback(&acc_id, "COMPLETED");
    forged.body = String::from_utf8(forged.body)
        .unwrap()
        .replace("ELIGIBLE", "REVIEW")
        .into_bytes();
    assert_eq!(p.accurate.send(&forged).await, 403);
    assert_eq!(p.order_of(&opp).await.status, OrderStatus::Pending);

    // Completed, then a progress report that was overtaken: acknowledged, nothing moves back.
    p.reported(p.accurate.complete(&acc_id).await).await;
    let progress = p.accurate.signed_callback(&acc_id, "IN_PROGRESS");
    assert_eq!(p.accurate.send(&progress).await, 200);
    p.world.settle().await;
    assert_eq!(p.order_of(&opp).await.status, OrderStatus::Complete);
    assert_eq!(p.status_tags(&opp), vec![format!("{STATUS}Complete")]);
}

#[tokio::test]
async fn the_adapter_asks_accurate_whether_a_requester_exists() {
    use screenhub::adapters::accurate::Accurate;
    use screenhub::ports::provider::{ProviderAccount, ProviderAdapter};
    let accurate = FakeAccurate::start().await;
    accurate.add_account(
        "k",
        "pw",
        [screenhub_sandbox::signing::new_whsec()],
        ["PKG_BASIC"],
    );
    accurate.add_requester("k", "recruiter@acme.example");
    let adapter = Accurate::new(screenhub::outbound::http::HttpClient::new(
        std::time::Duration::from_secs(5),
    ));
    let acct = |password: &str| ProviderAccount {
        tenant: TenantId::parse("acme").unwrap(),
        api_base: accurate.base_url(),
        api_key: Secret::new("k"),
        api_secret: Some(Secret::new(password)),
        callback_url: "http://127.0.0.1:9/unused".into(),
    };
    assert!(
        adapter
            .requester_exists(&acct("pw"), "Recruiter@Acme.example")
            .await
            .unwrap()
    );
    assert!(
        !adapter
            .requester_exists(&acct("pw"), "someone@acme.example")
            .await
            .unwrap()
    );
    assert!(matches!(
        adapter
            .requester_exists(&acct("wrong"), "recruiter@acme.example")
            .await,
        Err(screenhub::ports::provider::ProviderError::Unauthorized(401))
    ));
}

/// The Paylocity partner's tenant, onboarded again with one more package fulfilled by
/// Accurate: a route and an account, nothing else.
async fn paylocity_with_accurate() -> (PaylocityScenario, FakeAccurate) {
    let s = PaylocityScenario::start().await;
    let accurate = FakeAccurate::start().await;
    accurate.set_clock(s.world.sandbox_clock());
    let (key, password) = (unique("acc-key-"), unique("acc-pw-"));
    let secret = screenhub_sandbox::signing::new_whsec();
    accurate.add_account(&key, &password, [secret.clone()], ["PKG_BASIC"]);
    let mut config = paylocity_scenario::tenant_config(
        &s.tenant,
        &s.company,
        &s.alliance.base_url(),
        &s.bo.base_url(),
    );
    config["ats"]["paylocity"]["packages"]
        .as_array_mut()
        .unwrap()
        .push(
            json!({ "id": "acc-std", "name": "Basic (Accurate Background)",
                      "services": [{ "name": "Criminal Search" }] }),
        );
    config["providers"]["accurate"] =
        json!({ "api_base": accurate.base_url(), "default_package": "PKG_BASIC" });
    config["routes"].as_array_mut().unwrap().push(json!({
        "id": "paylocity_accurate", "provider": "accurate",
        "trigger": { "kind": "paylocity_order", "packages": ["acc-std"] }
    }));
    let config: TenantConfig = serde_json::from_value(config).expect("valid tenant");
    s.world.store.put_tenant(&config).await.expect("put tenant");
    let secrets = TenantSecrets {
        accurate: Some(ProviderSecrets {
            api_key: Secret::new(&key),
            api_secret: Some(Secret::new(&password)),
            callback_secrets: vec![Secret::new(&secret)],
        }),
        operator_api_key: Some(Secret::new(&s.operator_key)),
        ..TenantSecrets::default()
    };
    update_secret(&s.world.secrets_prefix, &s.tenant, &secrets).await;
    (s, accurate)
}

#[tokio::test]
async fn a_paylocity_package_orders_from_accurate_through_completion_by_configuration_alone() {
    let (s, accurate) = paylocity_with_accurate().await;
    let (status, id) = s.order("acc-std").await;
    assert_eq!(status, 201);
    s.world.settle().await;
    let order = s.order_of(&id).await;
    assert_eq!(
        (order.route.as_str(), order.provider, order.status),
        (
            "paylocity_accurate",
            ProviderKind::Accurate,
            OrderStatus::Pending
        )
    );
    let placed = accurate
        .order_by_reference(order.id.to_string())
        .expect("placed with Accurate");
    assert_eq!(placed.request["packageType"], "PKG_BASIC");
    assert_eq!(placed.request["workflow"], "INTERACTIVE");
    assert_eq!(
        placed.request["jobLocation"],
        json!({ "city": "Austin", "region": "TX", "country": "US" })
    );

    assert_eq!(accurate.progress(&placed.id, 60).await, 200);
    assert_eq!(accurate.adjudicate(&placed.id, "ELIGIBLE").await, 200);
    assert_eq!(accurate.complete(&placed.id).await, 200);
    s.world.settle().await;
    assert_eq!(s.order_of(&id).await.status, OrderStatus::Complete);
    assert_eq!(
        s.history(&id),
        vec!["WaitingOnCandidate", "InProgress", "Complete"]
    );
    assert_eq!(
        s.paylocity.order(&id).unwrap().history[2].report_documents,
        vec![accurate.report_url(&placed.id)]
    );
    assert!(
        s.alliance.orders().is_empty() && s.bo.orders().is_empty(),
        "only Accurate was asked"
    );
}

#[tokio::test]
async fn the_local_run_orders_from_its_fake_accurate_on_the_accurate_stage() {
    use screenhub_cli::demo;
    let run = screenhub_tests::start_local_demo().await;
    let katherine = run.pairing_candidate.clone();
    run.lever.move_stage(&katherine, demo::ACCURATE_STAGE).await;
    screenhub_tests::eventually("the Accurate order", || {
        run.lever
            .tags(&katherine)
            .contains(&"Accurate Check: Pending".to_owned())
    })
    .await;
    let placed = run.accurate.orders();
    assert_eq!(placed.len(), 1);
    assert_eq!(run.accurate.complete(&placed[0].id).await, 200);
    screenhub_tests::eventually("the Accurate result", || {
        run.lever
            .tags(&katherine)
            .contains(&"Accurate Check: Complete".to_owned())
    })
    .await;
}

/// Cornerstone × Accurate (DESIGN §1.D): a portal whose package Accurate fulfils.
struct PortalAccurate {
    world: World,
    portal: screenhub_sandbox::cornerstone::FakeCornerstone,
    accurate: FakeAccurate,
    tenant: TenantId,
}

impl PortalAccurate {
    /// `accurate` is the tenant's `providers.accurate` beyond its API base and package.
    async fn start(accurate_settings: Value) -> PortalAccurate {
        use screenhub::ports::secrets::CornerstoneSecrets;
        use screenhub_sandbox::cornerstone::FakeCornerstone;
        const USER: &str = "acme-portal";
        let world = World::start(WorldOptions::default()).await;
        let (portal, accurate) = (FakeCornerstone::start().await, FakeAccurate::start().await);
        accurate.set_clock(world.sandbox_clock());
        let tenant = TenantId::parse(&unique("csod-acc-")).unwrap();
        let mut settings =
            json!({ "api_base": accurate.base_url(), "default_package": "PKG_BASIC" });
        for (k, v) in accurate_settings.as_object().into_iter().flatten() {
            settings[k] = v.clone();
        }
        let config: TenantConfig = serde_json::from_value(json!({
            "id": tenant.as_str(), "name": "Acme Screening",
            "ats": { "cornerstone": {
                "username": USER,
                "packages": [{ "id": "acc-basic", "name": "Account 1 - Basic", "provider_package": "PKG_BASIC" }],
                "callback_origins": [portal.base_url()],
                "adjudication": true
            } },
            "providers": { "accurate": settings },
            "routes": [{ "id": "cornerstone_accurate", "provider": "accurate",
                         "trigger": { "kind": "cornerstone_initiate", "packages": ["acc-basic"] } }]
        }))
        .expect("valid tenant");
        let (key, password, portal_password) =
            (unique("acc-key-"), unique("acc-pw-"), unique("pw-"));
        let secret = screenhub_sandbox::signing::new_whsec();
        accurate.add_account(&key, &password, [secret.clone()], ["PKG_BASIC"]);
        // The portal's ordering user is a requester of the account.
        accurate.add_requester(&key, screenhub_sandbox::cornerstone::REQUESTER_EMAIL);
        let secrets = TenantSecrets {
            accurate: Some(ProviderSecrets {
                api_key: Secret::new(&key),
                api_secret: Some(Secret::new(&password)),
                callback_secrets: vec![Secret::new(&secret)],
            }),
            cornerstone: Some(CornerstoneSecrets {
                password: Secret::new(&portal_password),
                status_password: None,
            }),
            ..TenantSecrets::default()
        };
        world.onboard(&config, &secrets).await;
        portal.connect(
            &format!("{}/cornerstone/{}", world.hub_url, tenant),
            USER,
            &portal_password,
        );
        PortalAccurate {
            world,
            portal,
            accurate,
            tenant,
        }
    }

    /// A recruiter assigns the package; the order reaches Accurate. Returns Cornerstone's
    /// order id, the hub's reference and Accurate's order id.
    async fn assign(&self) -> (String, String, String) {
        use screenhub_sandbox::cornerstone::Applicant;
        let (status, answer, order_ref) = self.portal.assign(&Applicant::new("acc-basic")).await;
        assert_eq!(
            (status, &answer["HasErrors"]),
            (200, &json!(false)),
            "{answer}"
        );
        let reference = answer["ProviderReferenceId"].as_str().unwrap().to_owned();
        self.world.settle().await;
        let placed = self
            .accurate
            .order_by_reference(&reference)
            .expect("placed with Accurate");
        (order_ref, reference, placed.id)
    }

    async fn order(&self, reference: &str) -> screenhub::domain::Order {
        let id = screenhub::domain::OrderId::parse(reference).unwrap();
        let order = self.world.store.get_order(id).await.unwrap().unwrap();
        assert_eq!(order.tenant, self.tenant);
        order
    }
}

#[tokio::test]
async fn the_panel_shows_accurates_latest_percent_complete_and_a_late_lower_one_takes_nothing_back()
{
    let p = PortalAccurate::start(json!({})).await;
    let (order_ref, reference, acc_id) = p.assign().await;

    // A postback at 20 % is held up on its way; Accurate moves on to 40 % meanwhile.
    p.accurate.set_postbacks(false);
    assert_eq!(p.accurate.progress(&acc_id, 20).await, 0, "not sent");
    let late = p.accurate.signed_callback(&acc_id, "IN_PROGRESS");
    assert_eq!(late.json()["percentComplete"], 20);
    p.accurate.set_postbacks(true);
    assert_eq!(p.accurate.progress(&acc_id, 40).await, 200);
    p.world.settle().await;
    let (_, panel) = p.portal.own_panel(&reference).await;
    assert_eq!(panel["OverallStatus"], "In Progress");
    assert_eq!(panel["PercentComplete"], 40);
    let at_40 = p.order(&reference).await;
    assert_eq!(at_40.percent_complete, Some(40));

    // The late 20 % arrives: acknowledged, nothing changes.
    assert_eq!(p.accurate.send(&late).await, 200);
    p.world.settle().await;
    let (_, panel) = p.portal.own_panel(&reference).await;
    assert_eq!(panel["PercentComplete"], 40, "{panel}");
    let after = p.order(&reference).await;
    assert_eq!(
        (after.version, after.percent_complete),
        (at_40.version, Some(40))
    );
    // The same 40 % again (a redelivery, and a new message saying the same): no change.
    assert_eq!(p.accurate.resend_last(&acc_id).await, 200);
    assert_eq!(p.accurate.progress(&acc_id, 40).await, 200);
    p.world.settle().await;
    assert_eq!(p.order(&reference).await.version, at_40.version);

    // More progress is kept and shown; Cornerstone was told "in progress" once.
    assert_eq!(p.accurate.progress(&acc_id, 75).await, 200);
    p.world.settle().await;
    let (_, panel) = p.portal.own_panel(&reference).await;
    assert_eq!(panel["PercentComplete"], 75);
    assert_eq!(p.portal.statuses(&order_ref), vec!["inprogress"]);
    let trail = p.world.store.audit_trail(at_40.id).await.unwrap();
    let shown = screenhub_cli::report::order_report(&p.order(&reference).await, &trail);
    assert!(shown.contains("provider progress 75%"), "{shown}");

    assert_eq!(p.accurate.complete(&acc_id).await, 200);
    p.world.settle().await;
    let (_, panel) = p.portal.own_panel(&reference).await;
    assert_eq!(
        (&panel["OverallStatus"], &panel["PercentComplete"]),
        (&json!("Complete"), &json!(100))
    );
    assert_eq!(
        p.portal.statuses(&order_ref),
        vec!["inprogress", "completed"]
    );
}

impl PortalAccurate {
    /// The status reads (`GET /v3/order/{id}`) Accurate has seen, by order id.
    fn reads(&self) -> Vec<String> {
        self.accurate
            .requests()
            .into_iter()
            .filter(|r| r.method == Method::GET)
            .filter_map(|r| r.path.strip_prefix("/v3/order/").map(str::to_owned))
            .collect()
    }

    /// Time passes past the next poll; one run of the status poll, then every effect.
    async fn poll_later(&self) -> screenhub::status_poll::StatusPollReport {
        self.world
            .clock
            .advance(screenhub::domain::status_poll::MAX_INTERVAL + time::Duration::minutes(1));
        let report = self.world.status_poll.run(None).await.expect("poll run");
        self.world.settle().await;
        report
    }
}

#[tokio::test]
async fn an_accurate_order_without_postbacks_converges_through_status_polls_and_cornerstone_hears_each_status_once()
 {
    let p = PortalAccurate::start(json!({})).await;
    p.accurate.set_postbacks(false);
    let (order_ref, reference, acc_id) = p.assign().await;
    let placed = p.order(&reference).await;
    assert_eq!(placed.status, OrderStatus::Pending);
    assert_eq!(
        placed.poll_at,
        Some(placed.updated_at + screenhub::domain::status_poll::MIN_INTERVAL),
        "first read a quarter of an hour after Accurate took it"
    );

    // Not due yet: nothing is read.
    let report = p.world.status_poll.run(None).await.unwrap();
    assert_eq!((report.due, report.read), (0, 0));
    assert!(p.reads().is_empty());

    // The candidate submits; Accurate works (no postback): the poll sees it.
    assert_eq!(p.accurate.progress(&acc_id, 40).await, 0, "no postback");
    let report = p.poll_later().await;
    assert_eq!((report.due, report.changed), (1, 1), "{report:?}");
    assert_eq!(p.reads(), vec![acc_id.clone()]);
    let working = p.order(&reference).await;
    assert_eq!(
        (working.status, working.percent_complete),
        (OrderStatus::InProgress, Some(40))
    );
    assert_eq!(p.portal.statuses(&order_ref), vec!["inprogress"]);
    let (_, panel) = p.portal.own_panel(&reference).await;
    assert_eq!(panel["PercentComplete"], 40);

    // Nothing new: the order stays as it is and is read less often.
    let report = p.poll_later().await;
    assert_eq!((report.due, report.unchanged), (1, 1), "{report:?}");
    let same = p.order(&reference).await;
    assert_eq!(
        same.version, working.version,
        "no write to the order's state"
    );
    let waited = same.poll_at.unwrap() - screenhub::ports::Clock::now(p.world.clock.as_ref());
    assert!(
        waited > screenhub::domain::status_poll::MIN_INTERVAL,
        "backed off: {waited}"
    );

    // Accurate completes: the poll applies it as the postback would, once.
    p.accurate.adjudicate(&acc_id, "REVIEW").await;
    p.accurate.complete(&acc_id).await;
    let report = p.poll_later().await;
    assert_eq!(report.changed, 1, "{report:?}");
    let done = p.order(&reference).await;
    assert_eq!(done.status, OrderStatus::Complete);
    assert_eq!(done.poll_at, None, "an ended order is no longer polled");
    let result = done.result.clone().unwrap();
    assert_eq!(result.decision.as_deref(), Some("Review"));
    assert_eq!(
        result.report_url.as_deref(),
        Some(p.accurate.report_url(&acc_id).as_str())
    );
    assert_eq!(
        p.portal.statuses(&order_ref),
        vec!["inprogress", "completed"]
    );
    let told = p.portal.callbacks(&order_ref).pop().unwrap();
    assert_eq!(told["ScreeningResult"], "Review");

    // Ended: never read again.
    let reads = p.reads().len();
    let report = p.poll_later().await;
    assert_eq!(report.due, 0);
    assert_eq!(p.reads().len(), reads);
    assert_eq!(
        p.portal.statuses(&order_ref),
        vec!["inprogress", "completed"]
    );
}

#[tokio::test]
async fn a_poll_and_a_postback_of_the_same_completion_make_one_change_and_one_ats_effect() {
    let p = PortalAccurate::start(json!({})).await;
    // The completion's postback is held up; the poll reads the completion first.
    let (order_ref, reference, acc_id) = p.assign().await;
    p.accurate.set_postbacks(false);
    p.accurate.complete(&acc_id).await;
    p.accurate.set_postbacks(true);
    assert_eq!(p.poll_later().await.changed, 1);
    let done = p.order(&reference).await;
    assert_eq!(done.status, OrderStatus::Complete);
    // Accurate's (re-signed) delivery of that completion arrives.
    let late = p.accurate.signed_callback(&acc_id, "COMPLETED");
    assert_eq!(p.accurate.send(&late).await, 200);
    p.world.settle().await;
    assert_eq!(
        p.order(&reference).await.version,
        done.version,
        "one change"
    );
    assert_eq!(
        p.portal.statuses(&order_ref),
        vec!["completed"],
        "told once"
    );

    // The other way round: the postback first, then the poll has nothing to read.
    let (order_ref, reference, acc_id) = p.assign().await;
    assert_eq!(p.accurate.complete(&acc_id).await, 200);
    p.world.settle().await;
    let done = p.order(&reference).await;
    assert_eq!((done.status, done.poll_at), (OrderStatus::Complete, None));
    let report = p.poll_later().await;
    assert_eq!(report.due, 0, "{report:?}");
    assert!(!p.reads().contains(&acc_id));
    assert_eq!(p.order(&reference).await.version, done.version);
    assert_eq!(p.portal.statuses(&order_ref), vec!["completed"]);

    // Both at once, whichever commits first: one change, Cornerstone told once.
    let (order_ref, reference, acc_id) = p.assign().await;
    p.accurate.set_postbacks(false);
    p.accurate.complete(&acc_id).await;
    p.accurate.set_postbacks(true);
    p.world
        .clock
        .advance(screenhub::domain::status_poll::MAX_INTERVAL);
    let postback = p.accurate.signed_callback(&acc_id, "COMPLETED");
    let (report, status) = tokio::join!(p.world.status_poll.run(None), p.accurate.send(&postback));
    assert_eq!(status, 200);
    assert_eq!(report.unwrap().due, 1);
    p.world.settle().await;
    let done = p.order(&reference).await;
    assert_eq!((done.status, done.poll_at), (OrderStatus::Complete, None));
    let trail = p.world.store.audit_trail(done.id).await.unwrap();
    assert_eq!(
        trail
            .iter()
            .filter(|e| e.to == OrderStatus::Complete && e.from != Some(OrderStatus::Complete))
            .count(),
        1,
        "one move to Complete: {trail:?}"
    );
    assert_eq!(p.portal.statuses(&order_ref), vec!["completed"]);
}

#[tokio::test]
async fn the_poll_reads_only_orders_in_flight_with_one_query_and_honours_a_tenant_turning_it_off() {
    let p = PortalAccurate::start(json!({})).await;
    let (_, finished, finished_acc) = p.assign().await;
    let (_, flying, flying_acc) = p.assign().await;
    let (_, other, other_acc) = p.assign().await;
    assert_eq!(p.accurate.complete(&finished_acc).await, 200);
    assert_eq!(p.accurate.provider_cancel(&other_acc).await, 200);
    p.world.settle().await;
    assert_eq!(p.order(&finished).await.status, OrderStatus::Complete);
    assert_eq!(p.order(&other).await.status, OrderStatus::Cancelled);

    p.world
        .clock
        .advance(screenhub::domain::status_poll::MIN_INTERVAL + time::Duration::minutes(1));
    let stats = p.world.store.stats();
    let (before, scanned) = (stats.calls(), stats.items_scanned());
    let report = p.world.status_poll.run(None).await.unwrap();
    let (_, calls) = screenhub_tests::calls_since(&p.world.store, &before);
    assert_eq!((report.due, report.unchanged), (1, 1), "{report:?}");
    assert_eq!(
        p.reads(),
        vec![flying_acc.clone()],
        "only the order in flight"
    );
    assert_eq!(
        calls.get("Query"),
        Some(&1),
        "one page of the index: {calls:?}"
    );
    assert_eq!(calls.get("Scan"), None);
    assert_eq!(
        p.world.store.stats().items_scanned() - scanned,
        1,
        "DynamoDB examined the one due order only"
    );
    assert_eq!(
        calls.get("UpdateItem"),
        Some(&1),
        "the next poll moved: {calls:?}"
    );
    assert_eq!(calls.get("TransactWriteItems"), None, "nothing changed");

    // The tenant turns polls off (postbacks are set up): the order leaves the index unread.
    let mut config = p.world.store.get_tenant(&p.tenant).await.unwrap().unwrap();
    config.providers.accurate.as_mut().unwrap().status_poll = false;
    p.world.store.put_tenant(&config).await.unwrap();
    let report = p.poll_later().await;
    assert_eq!((report.due, report.dropped), (1, 1), "{report:?}");
    assert_eq!(p.order(&flying).await.poll_at, None);
    let report = p.poll_later().await;
    assert_eq!(report.due, 0);
    assert_eq!(
        p.reads(),
        vec![flying_acc],
        "read once, before it was turned off"
    );
}

#[tokio::test]
async fn a_poll_run_reads_at_most_its_bound_and_stops_at_its_deadline_leaving_the_rest_for_the_next_run()
 {
    let p = PortalAccurate::start(json!({})).await;
    let mut flying = Vec::new();
    for _ in 0..3 {
        flying.push(p.assign().await.2);
    }
    p.world
        .clock
        .advance(screenhub::domain::status_poll::MIN_INTERVAL + time::Duration::minutes(1));
    let mut poll = p.world.status_poll.clone();
    poll.settings.page_size = 1;
    poll.settings.max_orders = 2;

    // The deadline has passed: nothing is read, the run says it stopped short.
    let report = poll.run(Some(std::time::Instant::now())).await.unwrap();
    assert_eq!((report.due, report.cut_short), (0, true));
    assert!(p.reads().is_empty());

    // At most two per run, earliest first; the third waits for the next run.
    let report = poll.run(None).await.unwrap();
    assert_eq!(
        (report.due, report.unchanged, report.cut_short),
        (2, 2, true)
    );
    assert_eq!(p.reads(), flying[..2].to_vec());
    let report = poll.run(None).await.unwrap();
    assert_eq!((report.due, report.cut_short), (1, false), "{report:?}");
    assert_eq!(p.reads(), flying);
    let report = poll.run(None).await.unwrap();
    assert_eq!(report.due, 0, "each read once until its next poll");
}

#[tokio::test]
async fn a_poll_that_reads_an_older_state_than_the_order_shows_changes_nothing() {
    let p = PortalAccurate::start(json!({})).await;
    let (order_ref, reference, acc_id) = p.assign().await;
    assert_eq!(p.accurate.progress(&acc_id, 60).await, 200);
    p.world.settle().await;
    let working = p.order(&reference).await;
    assert_eq!(working.status, OrderStatus::InProgress);
    let trail = p.world.store.audit_trail(working.id).await.unwrap().len();

    // Accurate's order view lags behind its postbacks (still shows the invitation).
    p.accurate.set_postbacks(false);
    p.accurate.invitation_sent(&acc_id).await;
    let report = p.poll_later().await;
    assert_eq!((report.due, report.unchanged), (1, 1), "{report:?}");
    let after = p.order(&reference).await;
    assert_eq!(
        (after.status, after.percent_complete, after.version),
        (OrderStatus::InProgress, Some(60), working.version)
    );
    assert!(after.poll_at > working.poll_at, "only the next poll moved");
    assert_eq!(
        p.world.store.audit_trail(working.id).await.unwrap().len(),
        trail,
        "nothing recorded"
    );
    assert_eq!(p.portal.statuses(&order_ref), vec!["inprogress"]);
}
