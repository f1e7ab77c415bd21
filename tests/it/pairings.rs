//! Pairings that exist by configuration alone: a tenant whose only routes are a Lever stage
//! move ordering from Backgrounds Online and a Lever tag ordering from Alliance 2020, end to
//! end over HTTP against DynamoDB Local, moto and the sandbox. Nothing in the hub's code
//! names either pairing; this file and the tenant's JSON are all they needed.

use screenhub::config::TenantConfig;
use screenhub::domain::ats::lever_route::{CLEAR_NOTE, EXPIRED_NOTE};
use screenhub::domain::{OrderStatus, ProviderKind, TenantId};
use screenhub::ports::secrets::{ProviderSecrets, Secret};
use screenhub::ports::{Store, TenantSecrets};
use screenhub_sandbox::alliance::FakeAlliance;
use screenhub_sandbox::backgrounds_online::FakeBackgroundsOnline;
use screenhub_sandbox::lever::{FakeLever, NewOpportunity, NewPosting};
use screenhub_tests::{World, WorldOptions, eventually, unique};
use serde_json::{Value, json};

const BO_STAGE: &str = "stage-bg-bo";
const START: &str = "Alliance 2020 Start";
const CANCEL: &str = "Alliance 2020 Cancel";
const BO_PENDING: &str = "Backgrounds Online Pending Submission";
const STATUS: &str = "Background Check Status: ";

struct Pairings {
    world: World,
    lever: FakeLever,
    alliance: FakeAlliance,
    bo: FakeBackgroundsOnline,
    tenant: TenantId,
    stage_token: String,
    lever_key: String,
    posting: String,
}

/// The tenant's whole configuration: two routes no code names.
fn tenant_config(tenant: &TenantId, lever: &str, alliance: &str, bo: &str) -> Value {
    json!({
        "id": tenant.as_str(), "name": "Acme",
        "ats": { "lever": { "api_base": lever, "requests_per_second": 10, "burst": 20 } },
        "providers": {
            "alliance2020": {
                "api_base": alliance, "client_code": "MAIN",
                "product": { "default": "Standard", "available": ["Criminal Package 2"] },
                "forward_tag_prefixes": ["Alliance: "]
            },
            "backgrounds_online": { "api_base": bo, "default_package": "Standard", "packages": ["Premium"] }
        },
        "routes": [
            {
                "id": "stage_bo",
                "trigger": { "kind": "lever_stage", "stage_id": BO_STAGE },
                "provider": "backgrounds_online",
                "lever": { "status_tags": { "family": "backgrounds_online" } }
            },
            {
                "id": "tag_alliance",
                "trigger": { "kind": "lever_tag", "start": START, "cancel": CANCEL },
                "provider": "alliance2020",
                "lever": { "flag_tag_prefix": "Flag: " }
            }
        ]
    })
}

impl Pairings {
    async fn start() -> Pairings {
        let world = World::start(WorldOptions::default()).await;
        let (lever, alliance, bo) = (
            FakeLever::start().await,
            FakeAlliance::start().await,
            FakeBackgroundsOnline::start().await,
        );
        lever.set_clock(world.sandbox_clock());
        alliance.set_clock(world.sandbox_clock());
        bo.set_clock(world.sandbox_clock());
        let tenant = TenantId::parse(&unique("pair-")).unwrap();
        let lever_key = unique("lever-key-");
        let (alliance_key, bo_key) = (unique("a20-key-"), unique("bo-key-"));
        let (alliance_secret, bo_secret) = (
            screenhub_sandbox::signing::new_whsec(),
            screenhub_sandbox::signing::new_whsec(),
        );
        lever.add_api_key(&lever_key);
        lever.add_stage("applicant-new", "New Applicant");
        lever.add_stage(BO_STAGE, "Background Check (Backgrounds Online)");
        let posting = lever.add_posting(
            NewPosting::new("Senior Engineer")
                .department("Engineering")
                .location("Austin"),
        );
        alliance.add_account(&alliance_key, vec![alliance_secret.clone()]);
        bo.add_account(&bo_key, [bo_secret.clone()], ["Standard", "Premium"]);
        let config: TenantConfig = serde_json::from_value(tenant_config(
            &tenant,
            &lever.base_url(),
            &alliance.base_url(),
            &bo.base_url(),
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
            alliance: Some(ProviderSecrets {
                api_key: Secret::new(&alliance_key),
                api_secret: None,
                callback_secrets: vec![Secret::new(&alliance_secret)],
            }),
            backgrounds_online: Some(ProviderSecrets {
                api_key: Secret::new(&bo_key),
                api_secret: None,
                callback_secrets: vec![Secret::new(&bo_secret)],
            }),
            accurate: None,
            operator_api_key: None,
            cornerstone: None,
            lever_connection: None,
        };
        assert!(
            screenhub::onboarding::problems(&config, Some(&secrets)).is_empty(),
            "the tenant is ready"
        );
        world.onboard(&config, &secrets).await;
        Pairings {
            world,
            lever,
            alliance,
            bo,
            tenant,
            stage_token,
            lever_key,
            posting,
        }
    }

    fn candidate(&self, email: Option<&str>, tags: &[&str]) -> String {
        let mut o = NewOpportunity::new("Ada Lovelace")
            .phone(Some("mobile"), "+1 512 555 0199")
            .location("Round Rock")
            .stage("applicant-new")
            .posting(self.posting.clone());
        if let Some(e) = email {
            o = o.email(e);
        }
        for t in tags {
            o = o.tag(*t);
        }
        self.lever.add_opportunity(o)
    }

    /// A recruiter moves the candidate to the Backgrounds Online stage; Lever's webhook is
    /// delivered and every effect performed.
    async fn move_to_bo_stage(&self, opp: &str) {
        self.lever.move_stage(opp, BO_STAGE).await;
        let at = self.lever.opportunity(opp).unwrap()["stageChanges"]
            .as_array()
            .and_then(|c| c.last())
            .and_then(|c| c["updatedAt"].as_i64())
            .unwrap();
        let delivery = self.lever.signed_delivery(
            "candidateStageChange",
            json!({ "opportunityId": opp, "candidateId": opp, "toStageId": BO_STAGE,
                    "fromStageId": "applicant-new" }),
            &self.stage_token,
            at,
        );
        let path = format!("/lever/webhooks/{}", self.tenant);
        assert_eq!(self.world.post_json(&path, &delivery).await.0, 200);
        self.world.settle().await;
    }

    /// A recruiter adds a tag in Lever (through Lever's API, as the UI does).
    async fn recruiter_adds(&self, opp: &str, tag: &str) {
        let status = self
            .world
            .http
            .post(format!(
                "{}/opportunities/{opp}/addTags",
                self.lever.base_url()
            ))
            .basic_auth(&self.lever_key, Some(""))
            .json(&json!({ "tags": [tag] }))
            .send()
            .await
            .expect("fake Lever reachable")
            .status();
        assert!(status.is_success());
    }

    async fn poll(&self) {
        self.world.poll.run(None).await.expect("poll");
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

    fn tags_with(&self, opp: &str, prefix: &str) -> Vec<String> {
        self.lever
            .tags(opp)
            .into_iter()
            .filter(|t| t.starts_with(prefix))
            .collect()
    }
}

#[tokio::test]
async fn a_lever_stage_move_orders_from_backgrounds_online_by_configuration_alone() {
    let p = Pairings::start().await;
    let opp = p.candidate(Some("ada@example.com"), &["Package: Premium"]);
    p.move_to_bo_stage(&opp).await;

    let placed = p.bo.orders();
    assert_eq!(placed.len(), 1);
    let req = &placed[0].request;
    assert_eq!(req["package"], "Premium");
    assert_eq!(req["candidate"]["email"], "ada@example.com");
    assert_eq!(req["position"]["title"], "Senior Engineer");
    assert!(
        req["callback_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/callbacks/backgrounds-online/{}", p.tenant))
    );
    let order = p.order_of(&opp).await;
    assert_eq!(
        (order.route.as_str(), order.provider, order.status),
        (
            "stage_bo",
            ProviderKind::BackgroundsOnline,
            OrderStatus::Pending
        )
    );
    assert_eq!(
        order.expires_at,
        Some(order.updated_at + time::Duration::days(14)),
        "Backgrounds Online's invitation lapses, whatever started the order"
    );
    assert_eq!(p.tags_with(&opp, "Backgrounds Online "), vec![BO_PENDING]);

    // The provider's callback completes it, rendered in the route's tag family.
    assert_eq!(p.bo.complete(&placed[0].id, true).await, 200);
    p.world.settle().await;
    assert_eq!(
        p.tags_with(&opp, "Backgrounds Online "),
        vec!["Backgrounds Online Clear"]
    );
    let notes: Vec<String> = p.lever.notes(&opp).into_iter().map(|n| n.value).collect();
    assert_eq!(notes, vec![CLEAR_NOTE]);
    assert_eq!(p.order_of(&opp).await.status, OrderStatus::Complete);

    // A second candidate who never submits expires on day fourteen, closed at the provider.
    let waiting = p.candidate(Some("grace@example.com"), &[]);
    p.move_to_bo_stage(&waiting).await;
    p.world.clock.advance(time::Duration::days(14));
    let swept = p.world.sweep.run(None).await.unwrap();
    assert_eq!(swept.expired, 1);
    p.world.settle().await;
    assert_eq!(
        p.tags_with(&waiting, "Backgrounds Online "),
        vec!["Backgrounds Online Expired"]
    );
    let notes: Vec<String> = p
        .lever
        .notes(&waiting)
        .into_iter()
        .map(|n| n.value)
        .collect();
    assert_eq!(notes, vec![EXPIRED_NOTE]);
    let closed =
        p.bo.order_by_reference(p.order_of(&waiting).await.id.to_string())
            .unwrap();
    assert_eq!(closed.status, "expired");
    assert!(
        p.alliance.orders().is_empty(),
        "nothing went to Alliance 2020"
    );
}

#[tokio::test]
async fn a_lever_tag_orders_from_alliance_2020_by_configuration_alone() {
    let p = Pairings::start().await;
    let opp = p.candidate(
        Some("ada@example.com"),
        &[START, "Product: Criminal Package 2", "Alliance: rush"],
    );
    p.poll().await;

    let placed = p.alliance.orders();
    assert_eq!(placed.len(), 1);
    let req = &placed[0].request;
    assert_eq!(req["product"], "Criminal Package 2");
    assert_eq!(req["position"]["title"], "Senior Engineer");
    assert_eq!(req["position"]["location"], "Austin");
    assert_eq!(req["tags"], json!(["Alliance: rush"]));
    let order = p.order_of(&opp).await;
    assert_eq!(
        (order.route.as_str(), order.provider, order.status),
        (
            "tag_alliance",
            ProviderKind::Alliance2020,
            OrderStatus::Pending
        )
    );
    assert_eq!(
        order.expires_at, None,
        "Alliance 2020 reports its own expiries"
    );
    assert!(
        !p.lever.tags(&opp).contains(&START.to_owned()),
        "start tag spent"
    );
    assert_eq!(p.tags_with(&opp, STATUS), vec![format!("{STATUS}Pending")]);
    // Polling again orders nothing more.
    p.poll().await;
    assert_eq!(p.alliance.orders().len(), 1);

    // A recruiter's cancel: Alliance 2020 cannot cancel, and the recruiter is told so.
    p.recruiter_adds(&opp, CANCEL).await;
    p.poll().await;
    assert!(!p.lever.tags(&opp).contains(&CANCEL.to_owned()));
    let notes = p.lever.notes(&opp);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0]
            .value
            .contains("Alliance 2020 orders cannot be cancelled")
    );
    assert_eq!(p.order_of(&opp).await.status, OrderStatus::Pending);

    let result =
        json!({ "flag": true, "decision": "Review", "report_url": "https://reports.example/r/9" });
    assert_eq!(
        p.alliance
            .advance(&placed[0].id, "complete", Some(result), None)
            .await,
        200
    );
    p.world.settle().await;
    assert_eq!(p.tags_with(&opp, STATUS), vec![format!("{STATUS}Complete")]);
    assert!(p.lever.tags(&opp).contains(&"Flag: True".to_owned()));
    let notes = p.lever.notes(&opp);
    let results: Vec<_> = notes.iter().filter(|n| n.secret).collect();
    assert_eq!(results.len(), 1);
    assert!(
        results[0]
            .value
            .contains("Alliance 2020 background check results")
    );
    assert!(
        p.bo.orders().is_empty(),
        "nothing went to Backgrounds Online"
    );
}

#[tokio::test]
async fn a_refusal_on_a_tag_route_says_how_to_retry_with_that_tag() {
    let p = Pairings::start().await;
    let opp = p.candidate(None, &[START]);
    p.poll().await;
    assert!(p.alliance.orders().is_empty(), "no provider call");
    let order = p.order_of(&opp).await;
    assert_eq!(order.status, OrderStatus::Rejected);
    let notes = p.lever.notes(&opp);
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert!(
        notes[0].value.contains("email is missing in Lever")
            && notes[0]
                .value
                .contains(&format!("Then add the tag \"{START}\" again.")),
        "{}",
        notes[0].value
    );
    assert!(!p.lever.tags(&opp).contains(&START.to_owned()));
    assert_eq!(p.tags_with(&opp, STATUS), vec![format!("{STATUS}Rejected")]);
}

#[tokio::test]
async fn the_local_demo_runs_both_pairings_from_its_configuration() {
    use screenhub_cli::demo;
    let run = screenhub_tests::start_local_demo().await;
    let katherine = run.pairing_candidate.clone();
    let (ada, _) = run.opportunities[0].clone();

    // A stage move → Backgrounds Online (the fake Lever delivers its webhook to the hub).
    run.lever.move_stage(&katherine, demo::BO_STAGE).await;
    eventually("the Backgrounds Online order", || {
        run.lever
            .tags(&katherine)
            .contains(&"Backgrounds Online Check: Pending".to_owned())
    })
    .await;
    assert_eq!(run.backgrounds_online.orders().len(), 1);

    // A tag → Alliance 2020 (found by the local run's tag poll).
    let status = reqwest::Client::new()
        .post(format!(
            "{}/opportunities/{ada}/addTags",
            run.lever.base_url()
        ))
        .basic_auth(demo::LEVER_KEY, Some(""))
        .json(&json!({ "tags": [demo::ALLIANCE_START_TAG] }))
        .send()
        .await
        .unwrap()
        .status();
    assert!(status.is_success());
    eventually("the Alliance 2020 order", || {
        run.lever
            .tags(&ada)
            .contains(&"Alliance 2020 Check: Pending".to_owned())
    })
    .await;
    assert_eq!(run.alliance.orders().len(), 1);
    assert!(
        !run.lever
            .tags(&ada)
            .contains(&demo::ALLIANCE_START_TAG.to_owned())
    );
}
