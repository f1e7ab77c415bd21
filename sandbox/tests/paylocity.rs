//! FakePaylocity over real loopback HTTP.

mod common;

use common::{Receiver, http};
use reqwest::StatusCode;
use screenhub_sandbox::{FakePaylocity, Fault, SandboxClock};
use serde_json::{Value, json};
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

const CLIENT: &str = "partner-client";
const SECRET: &str = "partner-secret";
const COMPANY: &str = "A1B2C";

async fn token(p: &FakePaylocity, secret: &str) -> (StatusCode, Value) {
    let r = http()
        .post(format!("{}/public/security/v1/token", p.base_url()))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(format!(
            "grant_type=client_credentials&client_id={CLIENT}&client_secret={secret}"
        ))
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

async fn call(
    p: &FakePaylocity,
    method: reqwest::Method,
    path: &str,
    bearer: &str,
    body: &Value,
) -> (StatusCode, Value) {
    let r = http()
        .request(method, format!("{}{path}", p.base_url()))
        .bearer_auth(bearer)
        .json(body)
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap_or(Value::Null))
}

fn status_path() -> String {
    format!("/compliance/v1/companies/{COMPANY}/backgroundCheck/candidateScreeningOrders/status")
}

async fn started() -> (FakePaylocity, String, Arc<AtomicI64>) {
    let p = FakePaylocity::start().await;
    let now = Arc::new(AtomicI64::new(1_796_000_000_000));
    let clock = now.clone();
    p.set_clock(SandboxClock::from_fn(move || clock.load(Ordering::SeqCst)));
    p.add_client(CLIENT, SECRET);
    let (status, body) = token(&p, SECRET).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["token_type"], "Bearer");
    (p, body["access_token"].as_str().unwrap().to_owned(), now)
}

async fn subscribed(p: &FakePaylocity, t: &str, rx: &Receiver) {
    let (status, _) = call(
        p,
        reqwest::Method::POST,
        "/compliance/v1/companies/b6001/backgroundCheck/candidateScreeningOrders/subscription",
        t,
        &json!({ "apiKey": "shared-key", "callbackDetails": { "successCallbackUrl": rx.url },
                 "callerDetails": { "callerName": "Screenhub" } }),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn tokens_are_issued_to_known_clients_and_expire() {
    let (p, t, now) = started().await;
    assert_eq!(token(&p, "wrong").await.0, StatusCode::UNAUTHORIZED);
    let list = format!("/compliance/v1/companies/{COMPANY}/backgroundCheck/screeningPackages");
    assert_eq!(
        call(&p, reqwest::Method::GET, &list, &t, &Value::Null)
            .await
            .0,
        StatusCode::OK
    );
    now.fetch_add(3_600_000, Ordering::SeqCst);
    assert_eq!(
        call(&p, reqwest::Method::GET, &list, &t, &Value::Null)
            .await
            .0,
        StatusCode::UNAUTHORIZED
    );
}

#[tokio::test]
async fn orders_are_sent_with_the_registered_key_and_status_patches_must_follow_their_old_status() {
    let (p, t, _) = started().await;
    let mut rx = Receiver::start().await;
    subscribed(&p, &t, &rx).await;
    let (status, id) = p
        .send_order(COMPANY, "standard", Some("ada@example.com"))
        .await;
    assert_eq!(status, 200);
    let got = rx.next().await;
    assert_eq!(got.header("x-api-key"), "shared-key");
    assert_eq!(got.json()["candidateScreeningOrderId"], id.as_str());
    assert_eq!(p.resend(&id).await, 200);
    assert_eq!(
        rx.next().await.body,
        got.body,
        "a duplicate is the same delivery"
    );

    let first = json!({
        "candidateScreeningOrderId": id, "updatedAt": "2026-12-01T09:00:00Z",
        "oldStatus": "Ordered", "newStatus": "WaitingOnCandidate",
        "services": [{ "serviceName": "County Criminal", "oldStatus": null, "newStatus": "Pending" }],
        "screeningReportDocuments": []
    });
    let patch = reqwest::Method::PATCH;
    assert_eq!(
        call(&p, patch.clone(), &status_path(), &t, &first).await.0,
        StatusCode::OK
    );
    // The same PATCH again no longer matches Paylocity's state.
    let (status, body) = call(&p, patch.clone(), &status_path(), &t, &first).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("oldStatus")
    );
    for bad in [
        json!({ "candidateScreeningOrderId": id, "oldStatus": "WaitingOnCandidate", "newStatus": "Finished" }),
        json!({ "candidateScreeningOrderId": id, "oldStatus": "WaitingOnCandidate", "newStatus": "InProgress",
                "services": [{ "serviceName": "County Criminal", "oldStatus": "InProgress", "newStatus": "Completed" }] }),
        json!({ "candidateScreeningOrderId": "unknown", "oldStatus": "Ordered", "newStatus": "InProgress" }),
    ] {
        assert_eq!(
            call(&p, patch.clone(), &status_path(), &t, &bad).await.0,
            StatusCode::BAD_REQUEST,
            "{bad}"
        );
    }
    let done = json!({
        "candidateScreeningOrderId": id, "oldStatus": "WaitingOnCandidate", "newStatus": "Complete",
        "services": [
            { "serviceName": "County Criminal", "oldStatus": "Pending", "newStatus": "Completed" },
            { "serviceName": "Extra County", "oldStatus": null, "newStatus": "Completed" }
        ],
        "screeningReportDocuments": ["https://hub.example/r/1"]
    });
    assert_eq!(
        call(&p, patch, &status_path(), &t, &done).await.0,
        StatusCode::OK
    );
    let order = p.order(&id).unwrap();
    assert_eq!(order.status, "Complete");
    assert_eq!(order.history.len(), 2);
    assert_eq!(order.services.len(), 2);
    assert_eq!(
        order.history[1].report_documents,
        vec!["https://hub.example/r/1"]
    );
}

#[tokio::test]
async fn onboarding_is_linear_and_packages_keep_their_limits() {
    let (p, t, _) = started().await;
    let path = "/compliance/v1/companies/b6001/clientOnboarding/status";
    let post = |status: &'static str| {
        let (p, t) = (p.clone(), t.clone());
        async move {
            call(
                &p,
                reqwest::Method::POST,
                path,
                &t,
                &json!({ "companyId": COMPANY, "status": status }),
            )
            .await
            .0
        }
    };
    assert_eq!(
        post("Approved").await,
        StatusCode::BAD_REQUEST,
        "not started"
    );
    assert_eq!(post("InProgress").await, StatusCode::OK);
    assert_eq!(post("Approved").await, StatusCode::OK);
    assert_eq!(
        post("InProgress").await,
        StatusCode::BAD_REQUEST,
        "no going back"
    );
    assert_eq!(post("Suspended").await, StatusCode::OK);
    assert_eq!(p.onboarding(COMPANY).as_deref(), Some("Suspended"));

    let packages = format!("/compliance/v1/companies/{COMPANY}/backgroundCheck/screeningPackages");
    let ok = json!({ "packages": [{ "packageId": "standard", "packageName": "Standard", "isActive": true,
        "services": [{ "serviceName": "County Criminal" }] }] });
    assert_eq!(
        call(&p, reqwest::Method::POST, &packages, &t, &ok).await.0,
        StatusCode::OK
    );
    let too_long = json!({ "packages": [{ "packageId": "x".repeat(37), "packageName": "X" }] });
    assert_eq!(
        call(&p, reqwest::Method::POST, &packages, &t, &too_long)
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(p.packages(COMPANY).len(), 1);
}

#[tokio::test]
async fn it_misbehaves_on_demand() {
    let (p, t, _) = started().await;
    p.inject(Fault::status(429, 1));
    let list = format!("/compliance/v1/companies/{COMPANY}/backgroundCheck/screeningPackages");
    assert_eq!(
        call(&p, reqwest::Method::GET, &list, &t, &Value::Null)
            .await
            .0,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        call(&p, reqwest::Method::GET, &list, &t, &Value::Null)
            .await
            .0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn the_sandbox_routes_order_a_screening_and_show_its_history() {
    let (p, t, _) = started().await;
    let place = |body: Value| {
        let url = format!("{}/sandbox/orders", p.base_url());
        async move {
            let r = http().post(url).json(&body).send().await.unwrap();
            (r.status(), r.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    let (status, _) = place(json!({ "companyId": COMPANY, "packageId": "standard" })).await;
    assert_eq!(status, StatusCode::CONFLICT, "no subscription yet");
    let mut rx = Receiver::start().await;
    subscribed(&p, &t, &rx).await;
    let (status, placed) = place(json!({ "companyId": COMPANY, "packageId": "standard" })).await;
    assert_eq!(status, StatusCode::OK);
    let id = placed["candidateScreeningOrderId"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(placed["partnerStatus"], 200);
    assert_eq!(
        rx.next().await.json()["candidate"]["email"],
        "ada@example.com"
    );
    let (_, no_email) =
        place(json!({ "companyId": COMPANY, "packageId": "standard", "email": null })).await;
    assert!(rx.next().await.json()["candidate"]["email"].is_null());
    assert!(no_email["candidateScreeningOrderId"].is_string());

    let first = json!({ "candidateScreeningOrderId": id, "oldStatus": "Ordered",
                        "newStatus": "WaitingOnCandidate", "services": [] });
    call(&p, reqwest::Method::PATCH, &status_path(), &t, &first).await;
    let shown: Value = http()
        .get(format!("{}/sandbox/orders/{id}", p.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(shown["status"], "WaitingOnCandidate");
    assert_eq!(shown["history"][0]["oldStatus"], "Ordered");
    let missing = http()
        .get(format!("{}/sandbox/orders/nope", p.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
}
