//! FakeAccurate over real loopback HTTP.

mod common;

use common::{Receiver, http, standard_verify};
use reqwest::StatusCode;
use screenhub_sandbox::accurate::{CANCELLED, COMPLETED, IN_PROGRESS, INVITATION_SENT};
use screenhub_sandbox::{FakeAccurate, Fault, Method};
use serde_json::{Value, json};

const KEY: &str = "acc-key";
const PASSWORD: &str = "acc-password";
const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

async fn accurate() -> FakeAccurate {
    let a = FakeAccurate::start().await;
    a.add_account(KEY, PASSWORD, [SECRET], ["PKG_BASIC", "PKG_PRO"]);
    a.add_requester(KEY, "Recruiter@Acme.example");
    a
}

async fn call(
    a: &FakeAccurate,
    method: Method,
    path: &str,
    password: &str,
    body: Option<&Value>,
) -> (StatusCode, Value) {
    let mut req = http()
        .request(method, format!("{}{path}", a.base_url()))
        .basic_auth(KEY, Some(password));
    if let Some(b) = body {
        req = req.json(b);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

/// A candidate, then an interactive order for it; Accurate's answer to the order.
async fn place(a: &FakeAccurate, reference: &str, postback: &str) -> (StatusCode, Value) {
    let (status, candidate) = call(
        a,
        Method::POST,
        "/v3/candidate",
        PASSWORD,
        Some(&json!({ "firstName": "Ada", "lastName": "Lovelace", "email": "ada@example.com" })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let order = json!({
        "candidateId": candidate["id"], "packageType": "PKG_BASIC", "workflow": "INTERACTIVE",
        "jobLocation": { "city": "Austin", "region": "TX", "country": "US" },
        "clientReference": reference, "postbackUrl": postback
    });
    call(a, Method::POST, "/v3/order", PASSWORD, Some(&order)).await
}

#[tokio::test]
async fn basic_auth_guards_every_v3_route() {
    let a = accurate().await;
    let (status, body) = call(&a, Method::GET, "/v3/packages", "wrong", None).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["code"], "unauthorized");
    let status = http()
        .get(format!("{}/v3/packages", a.base_url()))
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, body) = call(&a, Method::GET, "/v3/packages", PASSWORD, None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        body,
        json!([{ "packageType": "PKG_BASIC" }, { "packageType": "PKG_PRO" }])
    );
    assert_eq!(a.requests()[0].api_key.as_deref(), Some(KEY));
}

#[tokio::test]
async fn requesters_are_known_by_email() {
    let a = accurate().await;
    assert!(a.has_requester(KEY, "recruiter@acme.example"));
    assert!(!a.has_requester(KEY, "nobody@acme.example"));
    let (status, found) = call(
        &a,
        Method::GET,
        "/v3/requesters?email=RECRUITER@acme.example",
        PASSWORD,
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(found.as_array().map(Vec::len), Some(1));
    let (_, none) = call(
        &a,
        Method::GET,
        "/v3/requesters?email=nobody@acme.example",
        PASSWORD,
        None,
    )
    .await;
    assert_eq!(none, json!([]));
}

#[tokio::test]
async fn orders_are_idempotent_on_the_client_reference_and_found_by_it() {
    let a = accurate().await;
    let (status, first) = place(&a, "ref-1", "http://127.0.0.1:9/hook").await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(first["status"], INVITATION_SENT);
    let (status, again) = place(&a, "ref-1", "http://127.0.0.1:9/hook").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["id"], first["id"]);
    assert_eq!(a.orders().len(), 1);
    let (_, found) = call(
        &a,
        Method::GET,
        "/v3/orders?clientReference=ref-1",
        PASSWORD,
        None,
    )
    .await;
    assert_eq!(found[0]["id"], first["id"]);
    let (_, none) = call(
        &a,
        Method::GET,
        "/v3/orders?clientReference=ref-2",
        PASSWORD,
        None,
    )
    .await;
    assert_eq!(none, json!([]));
    let (_, one) = call(
        &a,
        Method::GET,
        &format!("/v3/order/{}", first["id"].as_str().unwrap()),
        PASSWORD,
        None,
    )
    .await;
    assert_eq!(one["workflow"], "INTERACTIVE");
}

#[tokio::test]
async fn unknown_packages_and_missing_locations_are_refused_with_a_code() {
    let a = accurate().await;
    let (_, candidate) = call(
        &a,
        Method::POST,
        "/v3/candidate",
        PASSWORD,
        Some(&json!({ "firstName": "Ada", "lastName": "Lovelace", "email": "a@b.c" })),
    )
    .await;
    for (change, code) in [
        (json!({ "packageType": "PKG_GOLD" }), "unknown_package"),
        (
            json!({ "jobLocation": { "city": "Austin" } }),
            "invalid_job_location",
        ),
        (json!({ "candidateId": "CAND-999999" }), "invalid_candidate"),
    ] {
        let mut order = json!({
            "candidateId": candidate["id"], "packageType": "PKG_BASIC", "workflow": "INTERACTIVE",
            "jobLocation": { "city": "Austin", "country": "US" },
            "clientReference": code, "postbackUrl": "http://127.0.0.1:9/hook"
        });
        for (k, v) in change.as_object().unwrap() {
            order[k] = v.clone();
        }
        let (status, body) = call(&a, Method::POST, "/v3/order", PASSWORD, Some(&order)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{code}");
        assert_eq!(body["code"], code);
    }
    assert!(a.orders().is_empty());
}

#[tokio::test]
async fn orders_are_driven_through_signed_postbacks_and_cancel_only_while_invited() {
    let a = accurate().await;
    let mut hub = Receiver::start().await;
    let (_, placed) = place(&a, "ref-1", &hub.url).await;
    let id = placed["id"].as_str().unwrap().to_owned();

    assert_eq!(a.invitation_sent(&id).await, 200);
    assert_eq!(a.progress(&id, 40).await, 200);
    assert_eq!(a.adjudicate(&id, "REVIEW").await, 200);
    assert_eq!(a.complete(&id).await, 200);
    let got: Vec<Value> = [
        hub.next().await,
        hub.next().await,
        hub.next().await,
        hub.next().await,
    ]
    .iter()
    .map(|r| {
        assert!(standard_verify(
            SECRET,
            r.header("webhook-id"),
            r.header("webhook-timestamp"),
            &r.body,
            r.header("webhook-signature"),
        ));
        r.json()
    })
    .collect();
    assert_eq!(got[0]["status"], INVITATION_SENT);
    assert_eq!(
        (&got[1]["status"], &got[1]["percentComplete"]),
        (&json!(IN_PROGRESS), &json!(40))
    );
    assert_eq!(got[2]["adjudication"], "REVIEW");
    assert_eq!(got[3]["status"], COMPLETED);
    assert_eq!(got[3]["adjudication"], "REVIEW");
    assert_eq!(got[3]["reportUrl"], json!(a.report_url(&id)));
    assert_eq!(got[3]["clientReference"], "ref-1");

    // A duplicate is the same bytes and webhook-id.
    assert_eq!(a.resend_last(&id).await, 200);
    let dup = hub.next().await;
    assert_eq!(dup.body, a.last_callback(&id).unwrap().body);

    // Too late to cancel; a fresh order cancels, twice.
    let cancel = format!("/v3/order/{id}/cancel");
    let (status, body) = call(&a, Method::POST, &cancel, PASSWORD, Some(&json!({}))).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["code"], "not_cancellable");
    let (_, fresh) = place(&a, "ref-2", &hub.url).await;
    let cancel = format!("/v3/order/{}/cancel", fresh["id"].as_str().unwrap());
    for _ in 0..2 {
        let (status, body) = call(&a, Method::POST, &cancel, PASSWORD, Some(&json!({}))).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body["status"], CANCELLED);
    }
}

#[tokio::test]
async fn faults_are_injected_like_every_fake() {
    let a = accurate().await;
    a.inject(Fault::status(429, 1).method(Method::POST));
    let (status, body) = call(
        &a,
        Method::POST,
        "/v3/candidate",
        PASSWORD,
        Some(&json!({ "firstName": "A", "lastName": "B", "email": "a@b.c" })),
    )
    .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["code"], "rate_limited");
    assert!(a.candidates().is_empty());
}
