//! The Paylocity client against the fake Paylocity over loopback HTTP: tokens cached and
//! renewed, a revoked token replaced once, and a PATCH whose `oldStatus` no longer matches
//! told apart from other refusals (never retried blindly).

use screenhub::adapters::paylocity_http::{PaylocityAccount, PaylocityError, PaylocityHttp};
use screenhub::domain::ats::paylocity::{OrderStatus, StatusPatch};
use screenhub::outbound::http::HttpClient;
use screenhub::ports::secrets::Secret;
use screenhub::ports::{Clock, ManualClock};
use screenhub_sandbox::{FakePaylocity, Fault, Method, SandboxClock};
use screenhub_tests::unique;
use std::sync::Arc;
use std::time::Duration;

const COMPANY: &str = "A1B2C";

struct Setup {
    fake: FakePaylocity,
    client: Arc<PaylocityHttp>,
    acct: PaylocityAccount,
    clock: Arc<ManualClock>,
}

async fn setup() -> Setup {
    let fake = FakePaylocity::start().await;
    let clock = Arc::new(ManualClock::new(time::OffsetDateTime::now_utc()));
    let c = clock.clone();
    fake.set_clock(SandboxClock::from_fn(move || {
        i64::try_from(c.now().unix_timestamp_nanos() / 1_000_000).unwrap()
    }));
    let (id, secret) = (unique("client-"), "s3cret&=+ value".to_owned());
    fake.add_client(&id, &secret);
    let acct = PaylocityAccount {
        api_base: fake.base_url(),
        token_url: format!("{}/public/security/v1/token", fake.base_url()),
        client_id: id,
        client_secret: Secret::new(secret),
    };
    let client = Arc::new(PaylocityHttp::new(
        HttpClient::new(Duration::from_secs(5)),
        clock.clone(),
    ));
    Setup {
        fake,
        client,
        acct,
        clock,
    }
}

/// An order Paylocity sent (subscription registered to a closed port: only its state matters).
async fn order(s: &Setup) -> String {
    let token = reqwest::Client::new()
        .post(&s.acct.token_url)
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", s.acct.client_id.as_str()),
            ("client_secret", s.acct.client_secret.expose()),
        ])
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let status = reqwest::Client::new()
        .post(format!(
            "{}/compliance/v1/companies/b6001/backgroundCheck/candidateScreeningOrders/subscription",
            s.fake.base_url()
        ))
        .bearer_auth(token)
        .json(&serde_json::json!({ "apiKey": "k", "callbackDetails": { "successCallbackUrl": "http://127.0.0.1:9/x" } }))
        .send()
        .await
        .unwrap()
        .status();
    assert!(status.is_success());
    s.fake
        .send_order(COMPANY, "standard", Some("a@b.c"))
        .await
        .1
}

fn patch(id: &str, old: OrderStatus, new: OrderStatus) -> StatusPatch {
    StatusPatch {
        candidate_screening_order_id: id.to_owned(),
        updated_at: "2026-12-01T09:00:00Z".into(),
        old_status: Some(old),
        new_status: Some(new),
        services: Vec::new(),
        screening_report_documents: Vec::new(),
    }
}

/// Tell Paylocity that order `id` moved from `old` to `new`, as the tenant's client.
async fn send(
    s: &Setup,
    id: &str,
    old: OrderStatus,
    new: OrderStatus,
) -> Result<(), PaylocityError> {
    s.client
        .patch_status(&s.acct, COMPANY, &patch(id, old, new))
        .await
}

fn token_requests(s: &Setup) -> usize {
    s.fake
        .requests()
        .iter()
        .filter(|r| r.path.ends_with("/token"))
        .count()
}

#[tokio::test]
async fn one_token_serves_every_call_until_it_is_about_to_expire() {
    let s = setup().await;
    let id = order(&s).await;
    s.fake.clear_requests();
    let first = patch(&id, OrderStatus::Ordered, OrderStatus::WaitingOnCandidate);
    let (a, b) = tokio::join!(
        s.client.patch_status(&s.acct, COMPANY, &first),
        s.client.patch_status(&s.acct, COMPANY, &first),
    );
    // One of the two was first; the other no longer matches Paylocity's state.
    let mut outcomes = [a.is_ok(), b.is_ok()];
    outcomes.sort();
    assert_eq!(outcomes, [false, true]);
    assert!(matches!(
        a.err().or(b.err()),
        Some(PaylocityError::StatusConflict(_))
    ));
    assert_eq!(
        token_requests(&s),
        1,
        "concurrent callers share one token fetch"
    );
    send(
        &s,
        &id,
        OrderStatus::WaitingOnCandidate,
        OrderStatus::InProgress,
    )
    .await
    .unwrap();
    assert_eq!(token_requests(&s), 1);
    // Within its last minute the token is replaced before use.
    s.clock.advance(time::Duration::minutes(59));
    send(&s, &id, OrderStatus::InProgress, OrderStatus::Complete)
        .await
        .unwrap();
    assert_eq!(token_requests(&s), 2);
    assert_eq!(s.fake.order(&id).unwrap().status, "Complete");
}

#[tokio::test]
async fn a_revoked_token_is_replaced_once_then_credentials_are_refused() {
    let s = setup().await;
    let id = order(&s).await;
    send(
        &s,
        &id,
        OrderStatus::Ordered,
        OrderStatus::WaitingOnCandidate,
    )
    .await
    .unwrap();
    s.fake.inject(Fault::status(401, 1).method(Method::PATCH));
    send(
        &s,
        &id,
        OrderStatus::WaitingOnCandidate,
        OrderStatus::InProgress,
    )
    .await
    .expect("a fresh token, one more try");
    s.fake.inject(Fault::status(401, 2).method(Method::PATCH));
    assert_eq!(
        send(&s, &id, OrderStatus::InProgress, OrderStatus::Complete).await,
        Err(PaylocityError::Unauthorized)
    );
    let mut wrong = s.acct.clone();
    wrong.client_id = unique("unknown-");
    assert_eq!(
        s.client
            .patch_status(
                &wrong,
                COMPANY,
                &patch(&id, OrderStatus::InProgress, OrderStatus::Complete)
            )
            .await,
        Err(PaylocityError::Unauthorized)
    );
}

#[tokio::test]
async fn an_overloaded_paylocity_is_worth_another_try_and_bad_data_is_not() {
    let s = setup().await;
    let id = order(&s).await;
    for status in [429, 503] {
        s.fake
            .inject(Fault::status(status, 1).method(Method::PATCH));
        let e = send(
            &s,
            &id,
            OrderStatus::Ordered,
            OrderStatus::WaitingOnCandidate,
        )
        .await
        .unwrap_err();
        assert!(e.is_transient(), "{status}: {e:?}");
    }
    let e = send(
        &s,
        "not-an-order",
        OrderStatus::Ordered,
        OrderStatus::InProgress,
    )
    .await
    .unwrap_err();
    assert!(
        matches!(e, PaylocityError::Refused { status: 400, .. }),
        "{e:?}"
    );
}

#[tokio::test]
async fn the_partner_side_of_onboarding_goes_through_the_same_client() {
    let s = setup().await;
    s.client
        .set_onboarding(&s.acct, COMPANY, "InProgress")
        .await
        .unwrap();
    s.client
        .set_onboarding(&s.acct, COMPANY, "Approved")
        .await
        .unwrap();
    // Linear: an approved company cannot go back (Paylocity's refusal is not retried).
    assert!(matches!(
        s.client
            .set_onboarding(&s.acct, COMPANY, "InProgress")
            .await,
        Err(PaylocityError::Refused { status: 400, .. })
    ));
    assert_eq!(s.fake.onboarding(COMPANY).as_deref(), Some("Approved"));

    let settings: screenhub::domain::ats::paylocity_account::PaylocitySettings =
        serde_json::from_value(serde_json::json!({
            "company_ids": [COMPANY],
            "packages": [
                { "id": "std", "name": "Standard", "services": [{ "name": "County Criminal" }] },
                { "id": "old", "name": "Retired", "active": false }
            ]
        }))
        .unwrap();
    let packages: Vec<serde_json::Value> =
        settings.packages.iter().map(|p| p.published()).collect();
    s.client
        .publish_packages(&s.acct, COMPANY, &packages)
        .await
        .unwrap();
    let published = s.fake.packages(COMPANY);
    assert_eq!(published.len(), 2);
    assert!(
        published
            .iter()
            .any(|p| p["packageId"] == "old" && p["isActive"] == false),
        "an inactive package is published as inactive"
    );

    let key = Secret::new("x-key-1");
    s.client
        .subscribe(
            &s.acct,
            "https://hub.example/paylocity/orders",
            Some("https://hub.example/paylocity/order-errors"),
            &key,
            "Screenhub",
        )
        .await
        .unwrap();
    let shown = s.client.subscription(&s.acct).await.unwrap();
    assert_eq!(
        shown[0]["callbackDetails"]["successCallbackUrl"],
        "https://hub.example/paylocity/orders"
    );
    assert_eq!(
        s.fake.subscription().unwrap().api_key.as_deref(),
        Some("x-key-1")
    );
}
