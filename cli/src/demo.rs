//! `screenhub local`: the whole hub on localhost with the embedded store, secrets from a
//! local file, events to the log, the schedules (Lever tag poll, expiry sweep, provider status
//! poll) on timers, and the sandbox's fake Lever, Alliance 2020, Backgrounds Online,
//! Accurate, Paylocity and Cornerstone seeded with a demo tenant, so a newcomer can move a
//! candidate or tag one and watch tags and notes arrive, or order a screening in Paylocity or
//! Cornerstone and watch its status history advance. A second tenant connects its Lever
//! account by OAuth through the hub's connect routes (the fake Lever consents as a Super
//! Admin).

use crate::{server, worker};
use screenhub::adapters::embedded_store::EmbeddedStore;
use screenhub::adapters::local_events::LocalEvents;
use screenhub::adapters::local_secrets::{FileSecrets, SecretsFile};
use screenhub::adapters::paylocity_ats::account;
use screenhub::adapters::paylocity_http::PaylocityHttp;
use screenhub::config::TenantConfig;
use screenhub::outbound::RetryPolicy;
use screenhub::ports::secrets::{
    CornerstoneSecrets, LeverPartner, PartnerSecrets, PaylocityPartner, ProviderSecrets, Secret,
    TenantSecrets,
};
use screenhub::ports::{Store, SystemClock};
use screenhub::runtime::{Composition, Tuning};
use screenhub_sandbox::accurate::FakeAccurate;
use screenhub_sandbox::alliance::FakeAlliance;
use screenhub_sandbox::backgrounds_online::FakeBackgroundsOnline;
use screenhub_sandbox::cornerstone::FakeCornerstone;
use screenhub_sandbox::lever::{FakeLever, NewOpportunity, NewPosting};
use screenhub_sandbox::paylocity::FakePaylocity;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

pub const TENANT: &str = "demo";
pub const LEVER_KEY: &str = "demo-lever-api-key";
pub const ALLIANCE_KEY: &str = "demo-alliance-api-key";
pub const CALLBACK_SECRET: &str = "whsec_ZGVtby1hbGxpYW5jZS1jYWxsYmFjay1zZWNyZXQ=";
pub const TRIGGER_STAGE: &str = "stage-background-check";
/// The stage of the demo's second stage route, which orders from Backgrounds Online.
pub const BO_STAGE: &str = "stage-background-check-bo";
/// The tag of the demo's second tag route, which orders from Alliance 2020.
pub const ALLIANCE_START_TAG: &str = "Alliance 2020 Start";
pub const BO_KEY: &str = "demo-backgrounds-online-api-key";
pub const BO_CALLBACK_SECRET: &str = "whsec_ZGVtby1iYWNrZ3JvdW5kcy1vbmxpbmUtY2FsbGJhY2s=";
/// The stage of the demo's Accurate Background route.
pub const ACCURATE_STAGE: &str = "stage-background-check-accurate";
/// The demo's Accurate account: HTTP Basic user and password, postback secret, requester.
pub const ACCURATE_KEY: &str = "demo-accurate-api-key";
pub const ACCURATE_SECRET: &str = "demo-accurate-api-secret";
pub const ACCURATE_CALLBACK_SECRET: &str = "whsec_ZGVtby1hY2N1cmF0ZS1wb3N0YmFjay1zZWNyZXQ=";
pub const ACCURATE_REQUESTER: &str = "recruiter@demo.example";
/// The demo tenant's Paylocity company.
pub const PAYLOCITY_COMPANY: &str = "DEMO1";
/// Its packages: fulfilled by Alliance 2020, and by Backgrounds Online.
pub const PAYLOCITY_PACKAGE: &str = "standard";
pub const PAYLOCITY_BO_PACKAGE: &str = "standard-bo";
pub const PAYLOCITY_ACCURATE_PACKAGE: &str = "standard-accurate";
/// The partner's OAuth client with the fake Paylocity, and the key of its order subscription.
pub const PAYLOCITY_CLIENT: &str = "demo-partner-client";
pub const PAYLOCITY_SECRET: &str = "demo-partner-secret";
pub const PAYLOCITY_API_KEY: &str = "demo-paylocity-x-api-key";
/// The recruiting passes' stages and how often they run here (5 minutes when deployed).
pub const NEW_APPLICANT_STAGE: &str = "applicant-new";
pub const SCREENED_STAGE: &str = "stage-ciivsoft-screened";
pub const PASSES_EVERY: Duration = Duration::from_secs(30);
/// The demo tenant's Cornerstone portal: its Basic credentials and its package (fulfilled by
/// Alliance 2020).
pub const CORNERSTONE_USER: &str = "demo-portal";
pub const CORNERSTONE_PASSWORD: &str = "demo-portal-password";
pub const CORNERSTONE_PACKAGE: &str = "bg-standard";
/// The demo tenant's operator key (adverse action).
pub const OPERATOR_KEY: &str = "demo-operator-key";
/// The time budget of one local drain of the outbox (the deployed function's timeout).
pub const DISPATCH_BUDGET: Duration = Duration::from_secs(60);
/// How often the local run polls Lever for tags (5 minutes when deployed).
pub const POLL_EVERY: Duration = Duration::from_secs(5);
/// The second demo tenant: its Lever account is connected by OAuth (a Super Admin authorizes
/// the hub), not by an API key; not yet connected when the local run starts.
pub const OAUTH_TENANT: &str = "acme-oauth";
/// Its operator key (the connect routes).
pub const OAUTH_OPERATOR_KEY: &str = "acme-oauth-operator-key";
/// The stage of its one route (a stage move orders from Alliance 2020; the `demo` tenant has
/// no route on it).
pub const OAUTH_STAGE: &str = "stage-background-check-oauth";
/// The deployment's Lever app (the partner secret's `lever`), registered with the fake Lever
/// with the redirect URI `<hub>/lever/oauth/callback`.
pub const LEVER_CLIENT_ID: &str = "demo-lever-client";
pub const LEVER_CLIENT_SECRET: &str = "demo-lever-client-secret";

pub struct LocalOptions {
    pub hub: SocketAddr,
    pub lever: SocketAddr,
    pub alliance: SocketAddr,
    pub backgrounds_online: SocketAddr,
    pub accurate: SocketAddr,
    pub paylocity: SocketAddr,
    pub cornerstone: SocketAddr,
    pub data_dir: PathBuf,
}

pub struct LocalRun {
    pub hub_url: String,
    pub lever: FakeLever,
    pub alliance: FakeAlliance,
    pub backgrounds_online: FakeBackgroundsOnline,
    pub accurate: FakeAccurate,
    pub paylocity: FakePaylocity,
    /// A Cornerstone portal connected to the demo tenant's connector.
    pub cornerstone: FakeCornerstone,
    pub store: EmbeddedStore,
    /// The recruiting passes (also run every [`PASSES_EVERY`] by the local run).
    pub passes: Arc<screenhub::passes::PassRunner>,
    /// New applicants for the recruiting passes: (opportunity id, who).
    pub applicants: Vec<(String, &'static str)>,
    pub events: Arc<LocalEvents>,
    pub opportunities: Vec<(String, &'static str)>,
    /// A candidate for the pairings that exist by configuration alone.
    pub pairing_candidate: String,
    /// A candidate for the [`OAUTH_TENANT`]'s stage route.
    pub oauth_candidate: String,
}

/// The demo tenant: Lever and a Paylocity company with three providers, and eight routes:
/// each provider's usual one (a stage move → Alliance 2020, a tag → Backgrounds Online), the
/// pairings that exist by configuration alone (a stage move → Backgrounds Online or Accurate,
/// a tag → Alliance 2020), and a Paylocity package fulfilled by each provider.
pub fn demo_tenant(
    lever_api: &str,
    alliance_api: &str,
    bo_api: &str,
    accurate_api: &str,
) -> TenantConfig {
    demo_tenant_with(lever_api, alliance_api, bo_api, accurate_api, None)
}

/// The demo tenant, running the recruiting passes as `service_user` when given.
pub fn demo_tenant_with(
    lever_api: &str,
    alliance_api: &str,
    bo_api: &str,
    accurate_api: &str,
    service_user: Option<&str>,
) -> TenantConfig {
    let mut tenant = demo_tenant_json(lever_api, alliance_api, bo_api, accurate_api);
    if let Some(user) = service_user {
        tenant["passes"] = serde_json::json!({
            "enabled": ["fiilter", "arkive", "refine"],
            "service_user": user,
            "new_applicant_stage": NEW_APPLICANT_STAGE,
            "screened_stage": SCREENED_STAGE
        });
    }
    serde_json::from_value(tenant).expect("demo tenant is valid")
}

fn demo_tenant_json(
    lever_api: &str,
    alliance_api: &str,
    bo_api: &str,
    accurate_api: &str,
) -> serde_json::Value {
    serde_json::json!({
        "id": TENANT,
        "name": "Demo Company",
        "ats": {
            "lever": { "api_base": lever_api },
            "paylocity": {
                "company_ids": [PAYLOCITY_COMPANY],
                "packages": [
                    { "id": PAYLOCITY_PACKAGE, "name": "Standard Employment (Alliance 2020)",
                      "summary": "County criminal search and SSN trace",
                      "services": [{ "name": "County Criminal" }, { "name": "SSN Trace" }],
                      "price": { "value": 29.5, "currency": "USD" },
                      "provider_package": "Criminal Package 2" },
                    { "id": PAYLOCITY_BO_PACKAGE, "name": "Standard (Backgrounds Online)",
                      "services": [{ "name": "Criminal Search" }] },
                    { "id": PAYLOCITY_ACCURATE_PACKAGE, "name": "Basic (Accurate Background)",
                      "services": [{ "name": "Criminal Search" }] }
                ]
            }
        },
        "providers": {
            "alliance2020": {
                "api_base": alliance_api,
                "client_code": "DEMO",
                "product": { "default": "Standard Package", "available": ["Criminal Package 2"] },
                "forward_tag_prefixes": ["Alliance: "]
            },
            "backgrounds_online": {
                "api_base": bo_api,
                "default_package": "Standard",
                "packages": ["Premium"]
            },
            "accurate": {
                "api_base": accurate_api,
                "default_package": "PKG_BASIC",
                "packages": ["PKG_PRO"]
            }
        },
        "routes": [
            {
                "id": "alliance2020",
                "trigger": { "kind": "lever_stage", "stage_id": TRIGGER_STAGE },
                "provider": "alliance2020",
                "lever": { "flag_tag_prefix": "Flag: ", "decision_tag_prefix": "Decision: " }
            },
            {
                "id": "backgrounds_online",
                "trigger": { "kind": "lever_tag", "start": "Backgrounds Online Start", "cancel": "Backgrounds Online Cancel" },
                "provider": "backgrounds_online",
                "lever": { "status_tags": { "family": "backgrounds_online" } }
            },
            {
                "id": "stage_backgrounds_online",
                "trigger": { "kind": "lever_stage", "stage_id": BO_STAGE },
                "provider": "backgrounds_online",
                "lever": {
                    "status_tags": { "family": "standard", "format": "Backgrounds Online Check: {status}" },
                    "results_note": "outcome"
                }
            },
            {
                "id": "tag_alliance2020",
                "trigger": { "kind": "lever_tag", "start": ALLIANCE_START_TAG },
                "provider": "alliance2020",
                "lever": { "status_tags": { "family": "standard", "format": "Alliance 2020 Check: {status}" } }
            },
            {
                "id": "paylocity_alliance2020",
                "trigger": { "kind": "paylocity_order", "packages": [PAYLOCITY_PACKAGE] },
                "provider": "alliance2020"
            },
            {
                "id": "paylocity_backgrounds_online",
                "trigger": { "kind": "paylocity_order", "packages": [PAYLOCITY_BO_PACKAGE] },
                "provider": "backgrounds_online"
            },
            {
                "id": "stage_accurate",
                "trigger": { "kind": "lever_stage", "stage_id": ACCURATE_STAGE },
                "provider": "accurate",
                "lever": { "status_tags": { "family": "standard", "format": "Accurate Check: {status}" } }
            },
            {
                "id": "paylocity_accurate",
                "trigger": { "kind": "paylocity_order", "packages": [PAYLOCITY_ACCURATE_PACKAGE] },
                "provider": "accurate"
            }
        ]
    })
}

/// The [`OAUTH_TENANT`]: the same fake Lever account, connected by OAuth, with one route (a
/// move to [`OAUTH_STAGE`] orders from Alliance 2020, status tags "Alliance 2020 Check: …").
pub fn oauth_tenant(lever_api: &str, alliance_api: &str) -> TenantConfig {
    serde_json::from_value(serde_json::json!({
        "id": OAUTH_TENANT,
        "name": "Acme (Lever connected by OAuth)",
        "ats": { "lever": { "api_base": lever_api, "connection": "oauth" } },
        "providers": {
            "alliance2020": {
                "api_base": alliance_api,
                "client_code": "ACME",
                "product": { "default": "Standard Package", "available": ["Criminal Package 2"] }
            }
        },
        "routes": [{
            "id": "alliance2020",
            "trigger": { "kind": "lever_stage", "stage_id": OAUTH_STAGE },
            "provider": "alliance2020",
            "lever": { "status_tags": { "family": "standard", "format": "Alliance 2020 Check: {status}" } }
        }]
    }))
    .expect("the OAuth demo tenant is valid")
}

/// The [`OAUTH_TENANT`]'s secret: no Lever key and no webhook token (the grant and the tokens
/// of the webhooks the hub registers arrive when a Super Admin authorizes the hub).
pub fn oauth_tenant_secrets() -> TenantSecrets {
    TenantSecrets {
        lever_api_key: None,
        lever_webhook_tokens: Default::default(),
        alliance: Some(ProviderSecrets {
            api_key: Secret::new(ALLIANCE_KEY),
            api_secret: None,
            callback_secrets: vec![Secret::new(CALLBACK_SECRET)],
        }),
        backgrounds_online: None,
        accurate: None,
        operator_api_key: Some(Secret::new(OAUTH_OPERATOR_KEY)),
        cornerstone: None,
        lever_connection: None,
    }
}

/// The deployment's Lever app as the partner secret holds it, pointing at `lever`.
pub fn lever_app(lever: &FakeLever) -> LeverPartner {
    LeverPartner {
        client_id: LEVER_CLIENT_ID.into(),
        client_secret: Secret::new(LEVER_CLIENT_SECRET),
        authorize_url: lever.oauth_authorize_url(),
        token_url: lever.oauth_token_url(),
        audience: lever.oauth_audience(),
    }
}

pub async fn start(opts: LocalOptions) -> Result<LocalRun, Box<dyn std::error::Error>> {
    let lever = FakeLever::start_on(opts.lever).await?;
    let alliance = FakeAlliance::start_on(opts.alliance).await?;
    let backgrounds_online = FakeBackgroundsOnline::start_on(opts.backgrounds_online).await?;
    let accurate = FakeAccurate::start_on(opts.accurate).await?;
    let paylocity = FakePaylocity::start_on(opts.paylocity).await?;
    let cornerstone = FakeCornerstone::start_on(opts.cornerstone).await?;
    let listener = tokio::net::TcpListener::bind(opts.hub).await?;
    let hub_url = format!("http://{}", listener.local_addr()?);

    lever.add_api_key(LEVER_KEY);
    for (id, text) in [
        ("applicant-new", "New Applicant"),
        ("stage-phone-screen", "Phone Screen"),
        (TRIGGER_STAGE, "Background Check"),
        (BO_STAGE, "Background Check (Backgrounds Online)"),
        (ACCURATE_STAGE, "Background Check (Accurate)"),
        (OAUTH_STAGE, "Background Check (Acme, OAuth)"),
        ("stage-offer", "Offer"),
        (SCREENED_STAGE, "CiiVSOFT SCREENED"),
    ] {
        lever.add_stage(id, text);
    }
    let posting = lever.add_posting(
        NewPosting::new("Senior Rust Engineer")
            .department("Engineering")
            .team("Platform")
            .location("Austin")
            .description("We build Rust services on AWS Lambda and DynamoDB.")
            .list(
                "Requirements",
                "<li>Rust backend development</li><li>AWS Lambda, DynamoDB</li>\
                 <li>REST APIs and distributed systems</li>",
            ),
    );
    let ada = lever.add_opportunity(
        NewOpportunity::new("Ada Lovelace")
            .email("ada@example.com")
            .phone(Some("mobile"), "+1 512 555 0100")
            .stage("applicant-new")
            .posting(posting.clone()),
    );
    let grace = lever.add_opportunity(
        NewOpportunity::new("Grace Hopper")
            .stage("applicant-new")
            .tag("Product: Criminal Package 2")
            .posting(posting.clone()),
    );
    let katherine = lever.add_opportunity(
        NewOpportunity::new("Katherine Johnson")
            .email("katherine@example.com")
            .stage("applicant-new")
            .posting(posting.clone()),
    );
    let mary = lever.add_opportunity(
        NewOpportunity::new("Mary Jackson")
            .email("mary@example.com")
            .stage("applicant-new")
            .posting(posting.clone()),
    );
    let service_user = lever.add_user("CiiVSOFT", "ciivsoft@demo.example", "admin");
    let applicants = seed_pass_candidates(&lever, &posting);
    let webhook_url = format!("{hub_url}/lever/webhooks/{TENANT}");
    let token = lever.subscribe(&webhook_url, "candidateStageChange");
    let deletion_token = lever.subscribe(&webhook_url, "candidateDeleted");
    alliance.add_account(ALLIANCE_KEY, vec![CALLBACK_SECRET.to_owned()]);
    backgrounds_online.add_account(BO_KEY, [BO_CALLBACK_SECRET], ["Standard", "Premium"]);
    accurate.add_account(
        ACCURATE_KEY,
        ACCURATE_SECRET,
        [ACCURATE_CALLBACK_SECRET],
        ["PKG_BASIC", "PKG_PRO"],
    );
    accurate.add_requester(ACCURATE_KEY, ACCURATE_REQUESTER);

    std::fs::create_dir_all(&opts.data_dir)?;
    let secrets_path = opts.data_dir.join("secrets.json");
    let mut file = SecretsFile::default();
    file.tenants.insert(
        screenhub::domain::TenantId::parse(TENANT)?,
        TenantSecrets {
            lever_api_key: Some(Secret::new(LEVER_KEY)),
            lever_webhook_tokens: [
                ("candidateStageChange".to_owned(), Secret::new(token)),
                ("candidateDeleted".to_owned(), Secret::new(deletion_token)),
            ]
            .into(),
            alliance: Some(ProviderSecrets {
                api_key: Secret::new(ALLIANCE_KEY),
                api_secret: None,
                callback_secrets: vec![Secret::new(CALLBACK_SECRET)],
            }),
            backgrounds_online: Some(ProviderSecrets {
                api_key: Secret::new(BO_KEY),
                api_secret: None,
                callback_secrets: vec![Secret::new(BO_CALLBACK_SECRET)],
            }),
            accurate: Some(ProviderSecrets {
                api_key: Secret::new(ACCURATE_KEY),
                api_secret: Some(Secret::new(ACCURATE_SECRET)),
                callback_secrets: vec![Secret::new(ACCURATE_CALLBACK_SECRET)],
            }),
            operator_api_key: Some(Secret::new(OPERATOR_KEY)),
            cornerstone: Some(CornerstoneSecrets {
                password: Secret::new(CORNERSTONE_PASSWORD),
                status_password: None,
            }),
            lever_connection: None,
        },
    );
    file.tenants.insert(
        screenhub::domain::TenantId::parse(OAUTH_TENANT)?,
        oauth_tenant_secrets(),
    );
    lever.register_oauth_client(
        LEVER_CLIENT_ID,
        LEVER_CLIENT_SECRET,
        format!(
            "{hub_url}{}",
            screenhub::domain::ats::lever_oauth::CALLBACK_PATH
        ),
    );
    paylocity.add_client(PAYLOCITY_CLIENT, PAYLOCITY_SECRET);
    let partner = PaylocityPartner {
        api_base: paylocity.base_url(),
        token_url: format!("{}/public/security/v1/token", paylocity.base_url()),
        client_id: PAYLOCITY_CLIENT.into(),
        client_secret: Secret::new(PAYLOCITY_SECRET),
        api_keys: vec![Secret::new(PAYLOCITY_API_KEY)],
    };
    file.partner = Some(PartnerSecrets {
        paylocity: Some(partner.clone()),
        lever: Some(lever_app(&lever)),
    });
    std::fs::write(&secrets_path, serde_json::to_vec_pretty(&file)?)?;

    let store = EmbeddedStore::new();
    let tenant = with_portal(
        demo_tenant_with(
            &lever.base_url(),
            &alliance.base_url(),
            &backgrounds_online.base_url(),
            &accurate.base_url(),
            Some(&service_user),
        ),
        &cornerstone.base_url(),
    )?;
    store.put_tenant(&tenant).await?;
    store
        .put_tenant(&oauth_tenant(&lever.base_url(), &alliance.base_url()))
        .await?;
    // The same composition as every deployed function, over the embedded store.
    let parts = Composition::new(
        Arc::new(store.clone()),
        None,
        Arc::new(FileSecrets::new(secrets_path)),
        Arc::new(SystemClock),
        Tuning {
            effect_retry: RetryPolicy::new(4, Duration::from_millis(250), Duration::from_secs(4)),
            ..Tuning::default()
        },
    );
    let events = Arc::new(LocalEvents::new());
    // With the Lever connect routes: the redirect URI and the webhooks are under `hub_url`.
    let hub = parts.hub_with_lever_connect(hub_url.clone());
    let poll = parts.tag_poll();
    let sweep = parts.sweep();
    let dispatcher = parts.dispatcher(events.clone(), hub_url.clone());
    server::serve(hub, listener);
    worker::spawn(
        dispatcher,
        Some(store.outbox_ready()),
        Duration::from_millis(500),
        DISPATCH_BUDGET,
    );
    worker::spawn_schedules(poll, POLL_EVERY, sweep, Duration::from_secs(60));
    worker::spawn_status_poll(parts.status_poll(), Duration::from_secs(60));
    let passes = Arc::new(parts.passes());
    worker::spawn_passes(passes.clone(), PASSES_EVERY);
    onboard_paylocity(&parts, &partner, &tenant, &hub_url).await?;
    cornerstone.connect(
        &format!("{hub_url}/cornerstone/{TENANT}"),
        CORNERSTONE_USER,
        CORNERSTONE_PASSWORD,
    );
    Ok(LocalRun {
        hub_url,
        lever,
        alliance,
        backgrounds_online,
        accurate,
        paylocity,
        cornerstone,
        store,
        events,
        passes,
        applicants,
        opportunities: vec![
            (ada, "Ada Lovelace (has an email)"),
            (grace, "Grace Hopper (no email)"),
        ],
        pairing_candidate: katherine,
        oauth_candidate: mary,
    })
}

/// The demo tenant with a Cornerstone portal whose callbacks come from `portal` (the fake's
/// loopback origin) and a route fulfilling its package by Alliance 2020.
pub fn with_portal(
    tenant: TenantConfig,
    portal: &str,
) -> Result<TenantConfig, Box<dyn std::error::Error>> {
    let mut v = serde_json::to_value(&tenant)?;
    v["ats"]["cornerstone"] = serde_json::json!({
        "username": CORNERSTONE_USER,
        "packages": [{ "id": CORNERSTONE_PACKAGE, "name": "Demo - Standard Employment",
                       "provider_package": "Criminal Package 2" }],
        "callback_origins": [portal],
        "adjudication": true
    });
    v["routes"]
        .as_array_mut()
        .ok_or("the demo tenant has routes")?
        .push(serde_json::json!({
            "id": "cornerstone_alliance2020",
            "trigger": { "kind": "cornerstone_initiate", "packages": [CORNERSTONE_PACKAGE] },
            "provider": "alliance2020"
        }));
    Ok(serde_json::from_value(v)?)
}

/// The partner's side of onboarding the demo company, as `screenhub paylocity …` does it:
/// onboarding approved, packages published, the order subscription registered.
async fn onboard_paylocity(
    parts: &Composition,
    partner: &PaylocityPartner,
    tenant: &TenantConfig,
    hub_url: &str,
) -> Result<(), Box<dyn std::error::Error>> {
    let client = PaylocityHttp::new(parts.http.clone(), parts.clock.clone());
    let acct = account(partner);
    for status in ["InProgress", "Approved"] {
        client
            .set_onboarding(&acct, PAYLOCITY_COMPANY, status)
            .await?;
    }
    let packages: Vec<serde_json::Value> = tenant
        .ats
        .paylocity
        .iter()
        .flat_map(|p| p.packages.iter().map(|p| p.published()))
        .collect();
    client
        .publish_packages(&acct, PAYLOCITY_COMPANY, &packages)
        .await?;
    client
        .subscribe(
            &acct,
            &format!("{hub_url}/paylocity/orders"),
            Some(&format!("{hub_url}/paylocity/order-errors")),
            &partner.api_keys[0],
            "Screenhub demo",
        )
        .await?;
    Ok(())
}

/// Candidates for the recruiting passes: two new applications to the Rust posting (one fits,
/// one is a nurse), an older candidate in another stage, and the nurse's better fit, an ICU
/// posting. Their résumés carry Lever's parsed data.
fn seed_pass_candidates(lever: &FakeLever, rust_posting: &str) -> Vec<(String, &'static str)> {
    use screenhub_sandbox::lever::{NewResume, ParsedPosition, ParsedSchool};
    let engineer = || {
        NewResume::new("resume.pdf")
            .position(
                ParsedPosition::new("Acme", "Senior Backend Engineer").summary(
                    "Rust microservices on AWS Lambda and DynamoDB, REST APIs, Kubernetes, \
                     distributed systems.",
                ),
            )
            .school(
                ParsedSchool::new("MIT")
                    .degree("BSc")
                    .field("Computer Science"),
            )
    };
    let nurse = NewResume::new("resume.pdf").position(
        ParsedPosition::new("General Hospital", "Registered Nurse").summary(
            "Intensive care unit patient care, medication administration, wound care, triage.",
        ),
    );
    lever.add_posting(
        NewPosting::new("ICU Registered Nurse")
            .department("Nursing")
            .description("Intensive care nursing: patient care, medication, triage.")
            .list(
                "Requirements",
                "<li>Registered Nurse</li><li>ICU experience</li><li>wound care</li>",
            ),
    );
    let alan = lever.add_opportunity(
        NewOpportunity::new("Alan Turing")
            .email("alan@example.com")
            .stage(NEW_APPLICANT_STAGE)
            .posting(rust_posting.to_owned())
            .resume(engineer()),
    );
    let florence = lever.add_opportunity(
        NewOpportunity::new("Florence Nightingale")
            .email("florence@example.com")
            .stage(NEW_APPLICANT_STAGE)
            .posting(rust_posting.to_owned())
            .resume(nurse),
    );
    lever.add_opportunity(
        NewOpportunity::new("Margaret Hamilton")
            .email("margaret@example.com")
            .stage("stage-phone-screen")
            .resume(engineer()),
    );
    vec![
        (alan, "Alan Turing (fits the Rust posting)"),
        (
            florence,
            "Florence Nightingale (a nurse, applied to the Rust posting)",
        ),
    ]
}

/// What `screenhub local` prints to connect the [`OAUTH_TENANT`]'s Lever account by OAuth
/// with curl (or a browser), see the connection, and watch a stage move reach the hub.
pub fn oauth_walkthrough(run: &LocalRun) -> String {
    let hub = &run.hub_url;
    let l = run.lever.base_url();
    let auth = format!("-H 'Authorization: Bearer {OAUTH_OPERATOR_KEY}'");
    let connection = format!("{hub}/operator/lever/{OAUTH_TENANT}/connection");
    let mary = &run.oauth_candidate;
    [
        format!(
            "Connect Lever by OAuth (tenant {OAUTH_TENANT}, operator key {OAUTH_OPERATOR_KEY}; the fake Lever consents as a Super Admin):"
        ),
        "  # start: the hub answers 302 to Lever's authorize page (see Location)".to_owned(),
        format!("  curl -si {auth} {hub}/operator/lever/{OAUTH_TENANT}/connect"),
        "  # open that Location in a browser (the fake Lever consents and sends you back to the hub), or with curl:".to_owned(),
        "  curl -si \"<Location>\"              # Lever's 302 back to the hub's /lever/oauth/callback?code=…&state=…".to_owned(),
        "  curl -s \"<callback Location>\"      # the hub keeps the grant and registers its webhooks (single use)".to_owned(),
        "  # the connection: method, status, scopes, expiry, webhooks (never a token)".to_owned(),
        format!("  curl -s {auth} {connection}"),
        "  # Mary Jackson's stage move reaches the hub through the webhook it registered; the order's tags are written with the grant".to_owned(),
        format!(
            "  curl -s -u {LEVER_KEY}: -X PUT {l}/opportunities/{mary}/stage -H 'content-type: application/json' -d '{{\"stage\":\"{OAUTH_STAGE}\"}}'"
        ),
        format!("  curl -s -u {LEVER_KEY}: {l}/opportunities/{mary} | grep -o '\"tags\":[^]]*]'"),
        "  # disconnect (deletes the hub's webhooks in Lever and forgets the grant)".to_owned(),
        format!("  curl -s -X DELETE {auth} {connection}"),
    ]
    .join("\n")
        + "\n"
}
