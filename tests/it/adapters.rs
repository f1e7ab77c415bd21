//! One conformance suite per port (docs/adapters.md), run once per adapter against its
//! sandbox fake: checks written as free functions over any `ProviderAdapter` or
//! `AtsAdapter`, so a new vendor's adapter is held to the same rules by adding one line.

use screenhub::adapters::accurate::Accurate;
use screenhub::adapters::alliance2020::Alliance2020;
use screenhub::adapters::backgrounds_online::BackgroundsOnline;
use screenhub::adapters::lever_ats::LeverAts;
use screenhub::adapters::lever_http::LeverHttp;
use screenhub::config::TenantConfig;
use screenhub::domain::effects::CancelReason;
use screenhub::domain::order::{ClaimedMove, OrderStatus};
use screenhub::domain::subject::{Job, Subject};
use screenhub::domain::{AtsKind, Order, ProviderKind};
use screenhub::outbound::RetryPolicy;
use screenhub::outbound::http::HttpClient;
use screenhub::ports::TenantSecrets;
use screenhub::ports::ats::{AtsAdapter, AtsContext, Attempt, Loaded};
use screenhub::ports::provider::{ProviderAccount, ProviderAdapter, ProviderError};
use screenhub::ports::secrets::{ProviderSecrets, Secret};
use screenhub_sandbox::accurate::FakeAccurate;
use screenhub_sandbox::alliance::FakeAlliance;
use screenhub_sandbox::backgrounds_online::FakeBackgroundsOnline;
use screenhub_sandbox::lever::{FakeLever, NewOpportunity, NewPosting};
use screenhub_sandbox::{Fault, FaultKind};
use screenhub_tests::{pairing, unique};
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

fn http() -> HttpClient {
    HttpClient::new(Duration::from_secs(5))
}

fn now() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc()
}

fn subject(email: Option<&str>) -> Subject {
    Subject {
        ats: AtsKind::Lever,
        details: Default::default(),
        name: Some("Ada Lovelace".into()),
        email: email.map(str::to_owned),
        phone: Some("+1 512 555 0199".into()),
        location: Some("Austin".into()),
        labels: Vec::new(),
        package: None,
        job: Job {
            title: Some("Senior Engineer".into()),
            department: Some("Engineering".into()),
            location: Some("Austin".into()),
        },
    }
}

// ---------------------------------------------------------------- provider adapters

/// A provider adapter with its fake, as the checks drive them.
trait ProviderUnderTest {
    fn adapter(&self) -> &dyn ProviderAdapter;
    fn tenant(&self) -> &TenantConfig;
    fn key(&self) -> &str;
    fn placed_at_fake(&self) -> usize;
    fn inject_status(&self, status: u16);
    /// The body of the fake's callback completing `provider_ref`.
    fn completion_body(&self, provider_ref: &str) -> Vec<u8>;
    fn cancelled_at_fake(&self, provider_ref: &str) -> bool;
    /// Make `email` a requester at the fake (only for a provider that has requesters).
    fn add_requester(&self, _email: &str) {
        unreachable!("this provider has no requesters")
    }
    /// The HTTP Basic password of a provider that uses one.
    fn api_secret(&self) -> Option<Secret> {
        None
    }

    fn account(&self, key: &str) -> ProviderAccount {
        let tenant = self.tenant();
        ProviderAccount {
            tenant: tenant.id.clone(),
            api_base: self
                .adapter()
                .api_base(tenant)
                .expect("configured")
                .to_owned(),
            api_key: Secret::new(key),
            api_secret: self.api_secret(),
            callback_url: "http://127.0.0.1:9/callbacks/unused".into(),
        }
    }

    fn order(&self) -> Order {
        let kind = self.adapter().kind();
        Order::new(
            self.tenant().id.clone(),
            &pairing(kind),
            "opp-1".into(),
            now(),
        )
    }
}

fn tenant_with(providers: serde_json::Value) -> TenantConfig {
    serde_json::from_value(json!({
        "id": unique("conf-"), "name": "Acme", "ats": { "lever": {} }, "providers": providers
    }))
    .unwrap()
}

struct AllianceUnderTest {
    adapter: Alliance2020,
    fake: FakeAlliance,
    tenant: TenantConfig,
    key: String,
}

impl AllianceUnderTest {
    async fn start() -> Self {
        let fake = FakeAlliance::start().await;
        let key = unique("a20-");
        fake.add_account(&key, vec![screenhub_sandbox::signing::new_whsec()]);
        let tenant = tenant_with(json!({ "alliance2020": {
            "api_base": fake.base_url(), "client_code": "MAIN", "product": { "default": "Standard" }
        }}));
        Self {
            adapter: Alliance2020::new(http()),
            fake,
            tenant,
            key,
        }
    }
}

impl ProviderUnderTest for AllianceUnderTest {
    fn adapter(&self) -> &dyn ProviderAdapter {
        &self.adapter
    }
    fn tenant(&self) -> &TenantConfig {
        &self.tenant
    }
    fn key(&self) -> &str {
        &self.key
    }
    fn placed_at_fake(&self) -> usize {
        self.fake.orders().len()
    }
    fn inject_status(&self, status: u16) {
        self.fake.inject(Fault::new(FaultKind::Status(status), 1));
    }
    fn completion_body(&self, provider_ref: &str) -> Vec<u8> {
        let result = json!({ "flag": false, "decision": "Eligible" });
        self.fake
            .signed_callback(provider_ref, "complete", Some(result), None)
            .body
    }
    fn cancelled_at_fake(&self, _: &str) -> bool {
        false
    }
}

struct BoUnderTest {
    adapter: BackgroundsOnline,
    fake: FakeBackgroundsOnline,
    tenant: TenantConfig,
    key: String,
}

impl BoUnderTest {
    async fn start() -> Self {
        let fake = FakeBackgroundsOnline::start().await;
        let key = unique("bo-");
        fake.add_account(
            &key,
            [screenhub_sandbox::signing::new_whsec()],
            ["Standard"],
        );
        let tenant = tenant_with(json!({ "backgrounds_online": {
            "api_base": fake.base_url(), "default_package": "Standard"
        }}));
        Self {
            adapter: BackgroundsOnline::new(http()),
            fake,
            tenant,
            key,
        }
    }
}

impl ProviderUnderTest for BoUnderTest {
    fn adapter(&self) -> &dyn ProviderAdapter {
        &self.adapter
    }
    fn tenant(&self) -> &TenantConfig {
        &self.tenant
    }
    fn key(&self) -> &str {
        &self.key
    }
    fn placed_at_fake(&self) -> usize {
        self.fake.orders().len()
    }
    fn inject_status(&self, status: u16) {
        self.fake.inject(Fault::new(FaultKind::Status(status), 1));
    }
    fn completion_body(&self, provider_ref: &str) -> Vec<u8> {
        self.fake
            .signed_callback(provider_ref, "complete", Some("clear"))
            .body
    }
    fn cancelled_at_fake(&self, provider_ref: &str) -> bool {
        self.fake
            .order(provider_ref)
            .is_some_and(|o| o.status == "cancelled")
    }
}

struct AccurateUnderTest {
    adapter: Accurate,
    fake: FakeAccurate,
    tenant: TenantConfig,
    key: String,
    password: String,
}

impl AccurateUnderTest {
    async fn start() -> Self {
        let fake = FakeAccurate::start().await;
        let (key, password) = (unique("acc-"), unique("acc-secret-"));
        fake.add_account(
            &key,
            &password,
            [screenhub_sandbox::signing::new_whsec()],
            ["PKG_BASIC"],
        );
        let tenant = tenant_with(json!({ "accurate": {
            "api_base": fake.base_url(), "default_package": "PKG_BASIC"
        }}));
        Self {
            adapter: Accurate::new(http()),
            fake,
            tenant,
            key,
            password,
        }
    }
}

impl ProviderUnderTest for AccurateUnderTest {
    fn adapter(&self) -> &dyn ProviderAdapter {
        &self.adapter
    }
    fn tenant(&self) -> &TenantConfig {
        &self.tenant
    }
    fn key(&self) -> &str {
        &self.key
    }
    fn api_secret(&self) -> Option<Secret> {
        Some(Secret::new(&self.password))
    }
    fn placed_at_fake(&self) -> usize {
        self.fake.orders().len()
    }
    fn inject_status(&self, status: u16) {
        self.fake.inject(Fault::new(FaultKind::Status(status), 1));
    }
    fn completion_body(&self, provider_ref: &str) -> Vec<u8> {
        self.fake.signed_callback(provider_ref, "COMPLETED").body
    }
    fn cancelled_at_fake(&self, provider_ref: &str) -> bool {
        self.fake
            .order(provider_ref)
            .is_some_and(|o| o.status == "CANCELLED")
    }
    fn add_requester(&self, email: &str) {
        self.fake.add_requester(&self.key, email);
    }
}

/// Prepare is pure and refuses what cannot be ordered with a stable code, naming the ATS.
fn prepares_from_the_subject_alone(p: &dyn ProviderUnderTest) {
    let adapter = p.adapter();
    let order = p.order();
    let sent = adapter
        .prepare(p.tenant(), &order, &subject(Some("ada@example.com")))
        .expect("orderable");
    let again = adapter
        .prepare(p.tenant(), &order, &subject(Some("ada@example.com")))
        .unwrap();
    assert_eq!(
        sent,
        again,
        "{:?}: prepare is deterministic",
        adapter.kind()
    );
    let refused = adapter
        .prepare(p.tenant(), &order, &subject(None))
        .unwrap_err();
    assert_eq!(refused.code, "missing_candidate_field");
    assert!(
        refused.message.contains("missing in Lever"),
        "{}",
        refused.message
    );
}

/// Place is idempotent on our order id, and the fake's callback for it reads back as a
/// canonical change about that order.
async fn places_once_per_order_and_reads_its_callbacks(p: &dyn ProviderUnderTest) {
    let adapter = p.adapter();
    let order = p.order();
    let request = adapter
        .prepare(p.tenant(), &order, &subject(Some("ada@example.com")))
        .unwrap();
    let acct = p.account(p.key());
    let first = adapter.place(&acct, &request).await.expect("placed");
    let second = adapter.place(&acct, &request).await.expect("placed again");
    assert_eq!(
        first,
        second,
        "{:?}: same order, same reference",
        adapter.kind()
    );
    assert_eq!(p.placed_at_fake(), 1);
    let body = p.completion_body(&first.provider_ref);
    let report = screenhub::domain::providers::read_callback(adapter.kind(), &body).unwrap();
    assert_eq!(report.provider_ref, first.provider_ref);
    assert!(
        report
            .client_reference
            .as_deref()
            .is_none_or(|c| c == order.id.to_string())
    );
    assert_eq!(report.change.to, OrderStatus::Complete);
    assert!(report.change.result.is_some());
    assert!(
        screenhub::domain::providers::read_callback(adapter.kind(), b"{\"order_id\":1}").is_err()
    );
}

/// Every answer lands in the shared error kinds: refused credentials are permanent, an
/// overloaded provider is worth another try.
async fn maps_answers_onto_the_shared_error_kinds(p: &dyn ProviderUnderTest) {
    let adapter = p.adapter();
    let request = adapter
        .prepare(p.tenant(), &p.order(), &subject(Some("ada@example.com")))
        .unwrap();
    let wrong = adapter.place(&p.account("not-a-key"), &request).await;
    assert!(
        matches!(wrong, Err(ProviderError::Unauthorized(_))),
        "{:?}: {wrong:?}",
        adapter.kind()
    );
    for status in [429, 503] {
        p.inject_status(status);
        let busy = adapter.place(&p.account(p.key()), &request).await;
        assert!(
            busy.as_ref().is_err_and(ProviderError::is_transient),
            "{:?} {status}: {busy:?}",
            adapter.kind()
        );
    }
}

/// Cancel works, and repeats harmlessly, exactly when the adapter declares it.
async fn cancels_only_when_capable(p: &dyn ProviderUnderTest) {
    let adapter = p.adapter();
    let request = adapter
        .prepare(p.tenant(), &p.order(), &subject(Some("ada@example.com")))
        .unwrap();
    let acct = p.account(p.key());
    let placed = adapter.place(&acct, &request).await.unwrap();
    if !adapter.capabilities().cancel {
        assert!(
            adapter.invitation_ttl(p.tenant()).is_none(),
            "{:?}: an order that expires here must be closable there",
            adapter.kind()
        );
        return;
    }
    for _ in 0..2 {
        adapter
            .cancel(&acct, &placed.provider_ref, CancelReason::Cancelled)
            .await
            .expect("cancelled (again)");
    }
    assert!(p.cancelled_at_fake(&placed.provider_ref));
}

/// Requesters are answered exactly when the adapter declares them: case-insensitively, one
/// attempt (a failure is an error, never a yes).
async fn answers_requesters_only_when_capable(p: &dyn ProviderUnderTest) {
    let adapter = p.adapter();
    let acct = p.account(p.key());
    if !adapter.capabilities().requesters {
        assert!(
            adapter
                .requester_exists(&acct, "rita@acme.example")
                .await
                .is_err(),
            "{:?}: no requesters, no answer",
            adapter.kind()
        );
        return;
    }
    let known = |email: &'static str| adapter.requester_exists(&acct, email);
    assert!(
        !known("rita@acme.example").await.unwrap(),
        "unknown at first"
    );
    p.add_requester("Rita@Acme.example");
    assert!(known("rita@ACME.example").await.unwrap(), "without case");
    assert!(!known("someone.else@acme.example").await.unwrap());
    p.inject_status(503);
    assert!(known("rita@acme.example").await.unwrap_err().is_transient());
    assert!(
        known("rita@acme.example").await.unwrap(),
        "the next call answers"
    );
}

async fn provider_conformance(p: &dyn ProviderUnderTest) {
    prepares_from_the_subject_alone(p);
    places_once_per_order_and_reads_its_callbacks(p).await;
    maps_answers_onto_the_shared_error_kinds(p).await;
    cancels_only_when_capable(p).await;
    answers_requesters_only_when_capable(p).await;
}

#[tokio::test]
async fn every_provider_adapter_keeps_the_provider_rules() {
    for kind in ProviderKind::ALL {
        // One line per provider: its adapter with its fake.
        let under_test: Box<dyn ProviderUnderTest> = match kind {
            ProviderKind::Alliance2020 => Box::new(AllianceUnderTest::start().await),
            ProviderKind::BackgroundsOnline => Box::new(BoUnderTest::start().await),
            ProviderKind::Accurate => Box::new(AccurateUnderTest::start().await),
        };
        assert_eq!(under_test.adapter().kind(), kind);
        provider_conformance(under_test.as_ref()).await;
    }
}

// ---------------------------------------------------------------- ATS adapters

/// An ATS adapter with its fake, as the checks drive them.
struct LeverUnderTest {
    adapter: LeverAts,
    fake: FakeLever,
    tenant: TenantConfig,
    secrets: TenantSecrets,
}

impl LeverUnderTest {
    async fn start() -> Self {
        let fake = FakeLever::start().await;
        let key = unique("lever-");
        fake.add_api_key(&key);
        fake.add_stage("applicant-new", "New Applicant");
        fake.add_stage("stage-bg", "Background Check");
        let tenant: TenantConfig = serde_json::from_value(json!({
            "id": unique("conf-"), "name": "Acme",
            "ats": { "lever": { "api_base": fake.base_url() } },
            "providers": { "backgrounds_online": { "api_base": "http://127.0.0.1:9", "default_package": "S" } },
            "routes": [{ "id": "backgrounds_online", "provider": "backgrounds_online",
                         "trigger": { "kind": "lever_stage", "stage_id": "stage-bg" },
                         "lever": { "status_tags": { "family": "backgrounds_online" } } }]
        }))
        .unwrap();
        let secrets = TenantSecrets {
            lever_api_key: Some(Secret::new(&key)),
            backgrounds_online: Some(ProviderSecrets::default()),
            ..TenantSecrets::default()
        };
        let api = Arc::new(LeverHttp::new(
            http(),
            RetryPolicy::new(2, Duration::from_millis(5), Duration::from_millis(10)),
        ));
        Self {
            adapter: LeverAts::new(api),
            fake,
            tenant,
            secrets,
        }
    }

    fn ctx(&self) -> AtsContext<'_> {
        AtsContext {
            tenant: &self.tenant,
            secrets: &self.secrets,
        }
    }

    fn order_for(&self, ats_ref: &str) -> Order {
        Order::new(
            self.tenant.id.clone(),
            &self.tenant.routes[0].pairing(),
            ats_ref.into(),
            now(),
        )
    }
}

/// The subject is read from the ATS's own record, and only once that record confirms what
/// opened the order.
async fn loads_only_confirmed_subjects(a: &dyn AtsAdapter, l: &LeverUnderTest) {
    let posting = l
        .fake
        .add_posting(NewPosting::new("Senior Engineer").location("Austin"));
    let opp = l.fake.add_opportunity(
        NewOpportunity::new("Ada Lovelace")
            .email("ada@example.com")
            .stage("applicant-new")
            .posting(posting),
    );
    l.fake.move_stage(&opp, "stage-bg").await;
    let at = l.fake.opportunity(&opp).unwrap()["stageChanges"]
        .as_array()
        .and_then(|c| c.last())
        .and_then(|c| c["updatedAt"].as_i64())
        .unwrap();
    let mut order = l.order_for(&opp);
    order.claimed_move = Some(ClaimedMove {
        stage_id: "stage-bg".into(),
        at_ms: at,
    });
    let Loaded::Subject(subject) = a.load_subject(&l.ctx(), &order).await.unwrap() else {
        panic!("a confirmed move loads the subject");
    };
    assert_eq!(subject.email.as_deref(), Some("ada@example.com"));
    assert_eq!(subject.job.title.as_deref(), Some("Senior Engineer"));
    order.claimed_move = Some(ClaimedMove {
        stage_id: "stage-other".into(),
        at_ms: at,
    });
    assert!(matches!(
        a.load_subject(&l.ctx(), &order).await.unwrap(),
        Loaded::Unconfirmed(_)
    ));
    let gone = l.order_for("opp-that-does-not-exist");
    assert!(matches!(
        a.load_subject(&l.ctx(), &gone).await.unwrap(),
        Loaded::Unconfirmed(_)
    ));
}

/// Rendering converges (twice is once) and its note is posted once, also when a second
/// attempt follows one that was applied.
async fn renders_idempotently_and_notes_once(a: &dyn AtsAdapter, l: &LeverUnderTest) {
    let opp = l
        .fake
        .add_opportunity(NewOpportunity::new("Grace Hopper").tag("Keep me"));
    let mut order = l.order_for(&opp);
    order.status = OrderStatus::Expired;
    let route = &l.tenant.routes[0];
    let queued_at = now() - time::Duration::seconds(5);
    for number in [1, 2] {
        a.render(
            &l.ctx(),
            route,
            &order,
            Some(OrderStatus::Expired),
            Attempt { queued_at, number },
        )
        .await
        .unwrap();
    }
    let mut tags = l.fake.tags(&opp);
    tags.sort();
    assert_eq!(tags, vec!["Backgrounds Online Expired", "Keep me"]);
    assert_eq!(l.fake.notes(&opp).len(), 1);
    // Writing to an object the ATS no longer has is done, not failed.
    l.fake.delete_opportunity(&opp).await;
    a.render(
        &l.ctx(),
        route,
        &order,
        None,
        Attempt {
            queued_at,
            number: 1,
        },
    )
    .await
    .expect("nothing left to write to");
}

/// A deletion is confirmed only by the ATS's own word.
async fn confirms_deletions_only_when_gone(a: &dyn AtsAdapter, l: &LeverUnderTest) {
    let opp = l.fake.add_opportunity(NewOpportunity::new("Alan Turing"));
    assert!(!a.confirms_deleted(&l.ctx(), &opp).await.unwrap());
    l.fake.delete_opportunity(&opp).await;
    assert!(a.confirms_deleted(&l.ctx(), &opp).await.unwrap());
}

#[tokio::test]
async fn every_ats_adapter_keeps_the_ats_rules() {
    for kind in AtsKind::ALL {
        let under_test = match kind {
            AtsKind::Lever => LeverUnderTest::start().await,
            AtsKind::Paylocity => {
                // Paylocity pushes its orders and has no notes or deletions: its own rules
                // are checked in `paylocity::the_paylocity_adapter_keeps_its_rules`.
                continue;
            }
            AtsKind::Cornerstone => {
                // Cornerstone pushes its orders and has no notes or deletions: its own rules
                // are checked in `cornerstone::`.
                continue;
            }
        };
        let adapter: &dyn AtsAdapter = &under_test.adapter;
        assert_eq!(adapter.kind(), kind);
        loads_only_confirmed_subjects(adapter, &under_test).await;
        renders_idempotently_and_notes_once(adapter, &under_test).await;
        confirms_deletions_only_when_gone(adapter, &under_test).await;
    }
}
