//! FakeBackgroundsOnline over real loopback HTTP.

mod common;

use common::{Receiver, http, standard_verify};
use reqwest::StatusCode;
use screenhub_sandbox::backgrounds_online::{CANCELLED, COMPLETE, IN_PROCESS, PENDING_SUBMISSION};
use screenhub_sandbox::{FakeBackgroundsOnline, Fault, FaultKind, Method, Sandbox};
use serde_json::{Value, json};

const KEY: &str = "bo-key";
const OTHER_KEY: &str = "bo-other-key";
const FIRST: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const SECOND: &str = "whsec_c2VjcmV0LXR3by1mb3Itcm90YXRpb24tdGVzdHM=";
const PACKAGE: &str = "Standard Package";

async fn bo() -> FakeBackgroundsOnline {
    let b = FakeBackgroundsOnline::start().await;
    b.add_account(KEY, [FIRST, SECOND], [PACKAGE, "Premium Package"]);
    b.add_account(OTHER_KEY, [SECOND], [PACKAGE]);
    b
}

fn order(reference: &str, callback: &str) -> Value {
    json!({
        "client_reference": reference,
        "package": PACKAGE,
        "candidate": {"name": "Ada Lovelace", "email": "ada@example.com", "phone": null},
        "position": {"title": "Senior Engineer", "location": null},
        "callback_url": callback,
    })
}

async fn post(
    b: &FakeBackgroundsOnline,
    key: Option<&str>,
    path: &str,
    body: &Value,
) -> (StatusCode, Value) {
    let mut req = http().post(format!("{}{path}", b.base_url())).json(body);
    if let Some(key) = key {
        req = req.bearer_auth(key);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn place(b: &FakeBackgroundsOnline, body: &Value) -> (StatusCode, Value) {
    post(b, Some(KEY), "/v1/orders", body).await
}

async fn cancel(
    b: &FakeBackgroundsOnline,
    key: &str,
    id: &str,
    reason: &str,
) -> (StatusCode, Value) {
    post(
        b,
        Some(key),
        &format!("/v1/orders/{id}/cancel"),
        &json!({ "reason": reason }),
    )
    .await
}

async fn placed_id(b: &FakeBackgroundsOnline, reference: &str, callback: &str) -> String {
    let (status, body) = place(b, &order(reference, callback)).await;
    assert_eq!(status, 201, "{body}");
    body["order_id"].as_str().unwrap().to_owned()
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn verify(secret: &str, cb: &common::Received) -> bool {
    standard_verify(
        secret,
        cb.header("webhook-id"),
        cb.header("webhook-timestamp"),
        &cb.body,
        cb.header("webhook-signature"),
    )
}

#[tokio::test]
async fn orders_are_idempotent_and_stored_as_received() {
    let b = bo().await;
    let body = order("so-1", "http://127.0.0.1:9/cb");
    let (status, first) = place(&b, &body).await;
    assert_eq!(status, 201);
    assert_eq!(
        first,
        json!({"order_id": "BO-000001", "status": PENDING_SUBMISSION})
    );
    let (status, again) = place(&b, &body).await;
    assert_eq!(status, 200);
    assert_eq!(again, first);
    let (status, other) = place(&b, &order("so-2", "http://127.0.0.1:9/cb")).await;
    assert_eq!(status, 201);
    assert_eq!(other["order_id"], "BO-000002");
    assert_eq!(b.orders().len(), 2);

    let stored = b.order("BO-000001").unwrap();
    assert_eq!(stored.request, body, "the request is stored exactly");
    assert_eq!(stored.client_reference, "so-1");
    assert_eq!(stored.callback_url, "http://127.0.0.1:9/cb");
    assert_eq!(stored.status, PENDING_SUBMISSION);
    assert_eq!(stored.api_key, KEY);
    assert_eq!(b.order_by_reference("so-2").unwrap().id, "BO-000002");

    // the same reference under another account is another order
    let (status, body) = post(
        &b,
        Some(OTHER_KEY),
        "/v1/orders",
        &order("so-1", "http://127.0.0.1:9/cb"),
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["order_id"].as_str()),
        (201, Some("BO-000003"))
    );

    let log = b.requests();
    assert_eq!(log.len(), 4);
    assert_eq!(log[0].api_key.as_deref(), Some(KEY));
    assert_eq!(
        (log[0].method.clone(), log[0].path.as_str()),
        (Method::POST, "/v1/orders")
    );
}

#[tokio::test]
async fn refusals_are_422_with_recruiter_messages() {
    let b = bo().await;
    let mut body = order("r-1", "http://127.0.0.1:9/cb");
    body["package"] = json!("Moon Package");
    let (status, err) = place(&b, &body).await;
    assert_eq!(status, 422);
    assert_eq!(err["code"], "unknown_package");
    let message = err["message"].as_str().unwrap();
    assert!(
        message.contains("Moon Package") && message.contains(PACKAGE),
        "{message}"
    );

    // a package of another account is unknown here
    let mut body = order("r-2", "http://127.0.0.1:9/cb");
    body["package"] = json!("Premium Package");
    let (status, err) = post(&b, Some(OTHER_KEY), "/v1/orders", &body).await;
    assert_eq!(
        (status.as_u16(), err["code"].as_str()),
        (422, Some("unknown_package"))
    );

    for email in [Value::Null, json!(""), json!("   ")] {
        let mut body = order("r-3", "http://127.0.0.1:9/cb");
        body["candidate"]["email"] = email;
        let (status, err) = place(&b, &body).await;
        assert_eq!(status, 422);
        assert_eq!(err["code"], "invalid_candidate");
        assert!(err["message"].as_str().unwrap().contains("email"));
    }
    let mut body = order("r-4", "http://127.0.0.1:9/cb");
    body["candidate"].as_object_mut().unwrap().remove("email");
    let (status, err) = place(&b, &body).await;
    assert_eq!(
        (status.as_u16(), err["code"].as_str()),
        (422, Some("invalid_candidate"))
    );
    assert!(b.orders().is_empty(), "refused orders are not stored");

    // null phone and position are fine
    let mut body = order("r-5", "http://127.0.0.1:9/cb");
    body["position"] = Value::Null;
    let (status, _) = place(&b, &body).await;
    assert_eq!(status, 201);

    let resp = http()
        .post(format!("{}/v1/orders", b.base_url()))
        .bearer_auth(KEY)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn bad_or_missing_key_is_401() {
    let b = bo().await;
    let body = order("a-1", "http://127.0.0.1:9/cb");
    let (status, err) = post(&b, None, "/v1/orders", &body).await;
    assert_eq!(
        (status.as_u16(), err["code"].as_str()),
        (401, Some("unauthorized"))
    );
    let (status, _) = post(&b, Some("wrong"), "/v1/orders", &body).await;
    assert_eq!(status, 401);
    let resp = http()
        .post(format!("{}/v1/orders", b.base_url()))
        .basic_auth(KEY, Some(""))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401, "only Bearer auth");
    assert!(b.orders().is_empty());

    let id = placed_id(&b, "a-2", "http://127.0.0.1:9/cb").await;
    let (status, _) = post(
        &b,
        None,
        &format!("/v1/orders/{id}/cancel"),
        &json!({"reason": "cancelled"}),
    )
    .await;
    assert_eq!(status, 401);
    assert_eq!(b.order(&id).unwrap().status, PENDING_SUBMISSION);
    assert_eq!(b.requests()[0].api_key, None);
    assert_eq!(b.requests()[1].api_key.as_deref(), Some("wrong"));
}

#[tokio::test]
async fn cancel_branches() {
    let b = bo().await;
    let a = placed_id(&b, "c-1", "http://127.0.0.1:9/cb").await;
    let (status, body) = cancel(&b, KEY, &a, "cancelled").await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"order_id": a, "status": "cancelled"}));
    assert_eq!(b.order(&a).unwrap().status, CANCELLED);
    // idempotent, whatever the reason of the repeat
    for reason in ["cancelled", "expired"] {
        let (status, body) = cancel(&b, KEY, &a, reason).await;
        assert_eq!(status, 200);
        assert_eq!(body["status"], "cancelled");
    }

    let e = placed_id(&b, "c-2", "http://127.0.0.1:9/cb").await;
    let (status, body) = cancel(&b, KEY, &e, "expired").await;
    assert_eq!(
        (status.as_u16(), body["status"].as_str()),
        (200, Some("expired"))
    );
    let (status, body) = cancel(&b, KEY, &e, "cancelled").await;
    assert_eq!(
        (status.as_u16(), body["status"].as_str()),
        (200, Some("expired"))
    );

    // once the candidate submitted: 409, and the order is untouched
    let p = placed_id(&b, "c-3", "http://127.0.0.1:9/cb").await;
    b.submit(&p).await; // nobody listens on port 9: the delivery fails, the state moves
    assert_eq!(b.order(&p).unwrap().status, IN_PROCESS);
    let (status, body) = cancel(&b, KEY, &p, "cancelled").await;
    assert_eq!(status, 409);
    assert_eq!(body["code"], "not_cancellable");
    assert!(!body["message"].as_str().unwrap().is_empty());
    b.complete(&p, true).await;
    let (status, body) = cancel(&b, KEY, &p, "expired").await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (409, Some("not_cancellable"))
    );
    assert_eq!(b.order(&p).unwrap().status, COMPLETE);

    // unknown order, another account's order, bad reason
    let (status, body) = cancel(&b, KEY, "BO-999999", "cancelled").await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (404, Some("not_found"))
    );
    let fresh = placed_id(&b, "c-4", "http://127.0.0.1:9/cb").await;
    let (status, _) = cancel(&b, OTHER_KEY, &fresh, "cancelled").await;
    assert_eq!(status, 404);
    let (status, _) = cancel(&b, KEY, &fresh, "bored").await;
    assert_eq!(status, 400);
    assert_eq!(b.order(&fresh).unwrap().status, PENDING_SUBMISSION);
}

#[tokio::test]
async fn driving_sends_callbacks_signed_with_the_first_secret() {
    let b = bo().await;
    let mut rx = Receiver::start().await;
    let id = placed_id(&b, "so-9", &rx.url).await;

    assert_eq!(b.submit(&id).await, 200);
    let got = rx.next().await;
    let sig = got.header("webhook-signature");
    assert_eq!(sig.split(' ').count(), 1, "one signature: the first secret");
    assert!(verify(FIRST, &got));
    assert!(!verify(SECOND, &got));
    let mut tampered = got.clone();
    tampered.body = bytes::Bytes::from(got.body.iter().rev().copied().collect::<Vec<_>>());
    assert!(!verify(FIRST, &tampered));
    assert!(got.header("webhook-id").starts_with("msg_"));
    assert!((got.header("webhook-timestamp").parse::<i64>().unwrap() - unix_now()).abs() < 60);
    assert_eq!(got.header("content-type"), "application/json");
    let body = got.json();
    assert_eq!(body["type"], "order.status_changed");
    assert_eq!(body["order_id"], json!(id));
    assert_eq!(body["client_reference"], "so-9");
    assert_eq!(body["status"], "in_process");
    assert!(body.get("result").is_none() && body.get("report_url").is_none());
    assert!(body["occurred_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(b.order(&id).unwrap().status, IN_PROCESS);

    rx.script(&[503]);
    assert_eq!(
        b.complete(&id, false).await,
        503,
        "the hub's answer is returned"
    );
    let done = rx.next().await;
    assert!(verify(FIRST, &done));
    assert_ne!(done.header("webhook-id"), got.header("webhook-id"));
    let body = done.json();
    assert_eq!(body["status"], "complete");
    assert_eq!(body["result"], "review");
    let report = format!("{}/sandbox/reports/{id}", b.base_url());
    assert_eq!(body["report_url"], json!(report));
    let stored = b.order(&id).unwrap();
    assert_eq!(
        (
            stored.status.as_str(),
            stored.result.as_deref(),
            stored.report_url.as_deref()
        ),
        (COMPLETE, Some("review"), Some(report.as_str()))
    );
    let page = http()
        .get(&report)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Review"));

    let sent = b.callbacks();
    assert_eq!(sent.len(), 2);
    assert_eq!(
        sent.iter().map(|c| c.delivered_status).collect::<Vec<_>>(),
        vec![200, 503]
    );
    assert_eq!(sent[1].callback.body, done.body.to_vec());

    // a duplicate: byte for byte the same delivery
    assert_eq!(b.resend_last(&id).await, 200);
    let dup = rx.next().await;
    assert_eq!(dup.body, done.body);
    for h in ["webhook-id", "webhook-timestamp", "webhook-signature"] {
        assert_eq!(dup.header(h), done.header(h));
    }

    let other = placed_id(&b, "so-10", &rx.url).await;
    assert_eq!(b.provider_cancel(&other).await, 200);
    let body = rx.next().await.json();
    assert_eq!(
        (body["status"].as_str(), body["order_id"].as_str()),
        (Some("cancelled"), Some(other.as_str()))
    );
    assert_eq!(b.order(&other).unwrap().status, CANCELLED);
    assert!(b.requests().iter().all(|r| !r.path.starts_with("/sandbox")));
}

#[tokio::test]
async fn out_of_order_forged_and_stale_callbacks() {
    let b = bo().await;
    let mut rx = Receiver::start().await;
    let id = placed_id(&b, "so-7", &rx.url).await;

    // complete before in_process, without touching the stored order
    assert_eq!(b.send_callback(&id, "complete", Some("clear")).await, 200);
    let first = rx.next().await;
    assert!(verify(FIRST, &first));
    assert_eq!(first.json()["status"], "complete");
    assert_eq!(first.json()["result"], "clear");
    assert_eq!(first.json()["report_url"], json!(b.report_url(&id)));
    assert_eq!(b.send_callback(&id, "in_process", None).await, 200);
    assert_eq!(rx.next().await.json()["status"], "in_process");
    assert_eq!(b.order(&id).unwrap().status, PENDING_SUBMISSION);

    // built, not sent: send twice = duplicate
    let cb = b.signed_callback(&id, "cancelled", None);
    assert_eq!(b.order(&id).unwrap().status, PENDING_SUBMISSION);
    assert_eq!(b.send(&cb).await, 200);
    assert_eq!(b.send(&cb).await, 200);
    let (x, y) = (rx.next().await, rx.next().await);
    assert_eq!(
        (x.body.clone(), x.header("webhook-id")),
        (y.body.clone(), y.header("webhook-id"))
    );
    assert_eq!(b.last_callback(&id), Some(cb));

    // forged: another secret
    let forged = b.signed_callback_with(
        &id,
        "complete",
        Some("clear"),
        &["whsec_b3RoZXI="],
        unix_now(),
    );
    b.send(&forged).await;
    let got = rx.next().await;
    assert!(!verify(FIRST, &got));
    // tampered body under a valid signature
    let mut tampered = b.signed_callback(&id, "complete", Some("review"));
    tampered.body = String::from_utf8(tampered.body)
        .unwrap()
        .replace("review", "clear")
        .into_bytes();
    b.send(&tampered).await;
    assert!(!verify(FIRST, &rx.next().await));

    // stale: an explicit old timestamp, or a skewed clock; still validly signed
    let stale = b.signed_callback_with(&id, "in_process", None, &[FIRST], unix_now() - 3600);
    b.send(&stale).await;
    let got = rx.next().await;
    assert!(verify(FIRST, &got));
    assert!(unix_now() - got.header("webhook-timestamp").parse::<i64>().unwrap() >= 3600);
    b.set_clock_skew(600);
    assert_eq!(b.submit(&id).await, 200);
    let got = rx.next().await;
    assert!(verify(FIRST, &got));
    assert!(got.header("webhook-timestamp").parse::<i64>().unwrap() - unix_now() >= 590);
    assert_eq!(b.callbacks().len(), 8);
}

#[tokio::test]
async fn callback_retries_reuse_the_webhook_id() {
    let b = bo().await;
    b.set_callback_retries(true);
    let mut rx = Receiver::start().await;
    let id = placed_id(&b, "so-11", &rx.url).await;
    rx.script(&[500, 503]);
    assert_eq!(b.submit(&id).await, 200);
    let got = rx.drain();
    assert_eq!(got.len(), 3);
    assert!(
        got.iter()
            .all(|r| r.header("webhook-id") == got[0].header("webhook-id"))
    );
    assert!(
        got.iter()
            .all(|r| r.body == got[0].body && verify(FIRST, r))
    );
    let sent = b.callbacks();
    assert_eq!(
        (sent.len(), sent[0].attempts, sent[0].delivered_status),
        (1, 3, 200)
    );
}

#[tokio::test]
async fn admin_routes_drive_the_order() {
    let b = bo().await;
    let mut rx = Receiver::start().await;
    let id = placed_id(&b, "so-5", &rx.url).await;
    b.clear_requests();
    let admin = |path: String, body: Option<Value>| {
        let mut req = http().post(format!("{}/sandbox/orders/{id}/{path}", b.base_url()));
        if let Some(body) = body {
            req = req.json(&body);
        }
        req.send()
    };

    let resp = admin("submit".into(), None).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.json::<Value>().await.unwrap(),
        json!({"delivered_status": 200})
    );
    assert_eq!(rx.next().await.json()["status"], "in_process");

    let resp = admin("complete".into(), Some(json!({"result": "review"})))
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let body = rx.next().await.json();
    assert_eq!(
        (body["status"].as_str(), body["result"].as_str()),
        (Some("complete"), Some("review"))
    );

    let resp = admin("resend".into(), None).await.unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(rx.next().await.json(), body);

    let bad = admin("complete".into(), Some(json!({"result": "maybe"})))
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);

    let list: Value = http()
        .get(format!("{}/sandbox/orders", b.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["data"][0]["status"], "complete");
    assert_eq!(list["data"][0]["result"], "review");
    assert_eq!(list["data"][0]["candidate"]["email"], "ada@example.com");

    let other = placed_id(&b, "so-6", &rx.url).await;
    b.clear_requests();
    let resp = http()
        .post(format!("{}/sandbox/orders/{other}/cancel", b.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(rx.next().await.json()["status"], "cancelled");
    let resp = http()
        .post(format!("{}/sandbox/orders/BO-999999/submit", b.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 404);
    assert!(b.requests().is_empty(), "admin routes are not logged");
}

#[tokio::test]
async fn faults_and_lost_responses() {
    let b = bo().await;
    b.inject(
        Fault::status(429, 1)
            .method(Method::POST)
            .path_contains("/v1/orders"),
    );
    let (status, err) = place(&b, &order("f-1", "http://127.0.0.1:9/cb")).await;
    assert_eq!(
        (status.as_u16(), err["code"].as_str()),
        (429, Some("rate_limited"))
    );
    b.inject(Fault::status(503, 1));
    let (status, _) = place(&b, &order("f-1", "http://127.0.0.1:9/cb")).await;
    assert_eq!(status, 503);
    assert!(b.orders().is_empty());

    // dropped connection: no response, nothing created
    b.inject(Fault::new(FaultKind::Drop, 1));
    let err = http()
        .post(format!("{}/v1/orders", b.base_url()))
        .bearer_auth(KEY)
        .json(&order("f-1", "http://127.0.0.1:9/cb"))
        .send()
        .await;
    assert!(err.is_err());
    assert!(b.orders().is_empty());

    // slow: the order is created even though the client gave up
    b.inject(Fault::new(
        FaultKind::Delay(std::time::Duration::from_millis(500)),
        1,
    ));
    let err = reqwest::Client::builder()
        .timeout(std::time::Duration::from_millis(100))
        .build()
        .unwrap()
        .post(format!("{}/v1/orders", b.base_url()))
        .bearer_auth(KEY)
        .json(&order("f-1", "http://127.0.0.1:9/cb"))
        .send()
        .await;
    assert!(err.is_err());
    assert_eq!(b.orders().len(), 1, "applied before the delay");

    // lost response on a retry: the next retry finds the order (200)
    b.inject(Fault::new(FaultKind::ApplyThenStatus(500), 1).path_contains("/v1/orders"));
    let (status, _) = place(&b, &order("f-1", "http://127.0.0.1:9/cb")).await;
    assert_eq!(status, 500);
    let (status, body) = place(&b, &order("f-1", "http://127.0.0.1:9/cb")).await;
    assert_eq!(status, 200);
    assert_eq!(body["order_id"], "BO-000001");
    assert_eq!(b.orders().len(), 1);

    // faults on cancel
    b.inject(Fault::status(502, 1).path_contains("/cancel"));
    let (status, _) = cancel(&b, KEY, "BO-000001", "cancelled").await;
    assert_eq!(status, 502);
    assert_eq!(b.order("BO-000001").unwrap().status, PENDING_SUBMISSION);
    let (status, _) = cancel(&b, KEY, "BO-000001", "cancelled").await;
    assert_eq!(status, 200);
    assert_eq!(b.requests().len(), 8);
}

#[tokio::test]
async fn sandbox_starts_all_three_fakes() {
    let sb = Sandbox::start().await;
    sb.backgrounds_online.add_account(KEY, [FIRST], [PACKAGE]);
    let (status, _) = place(
        &sb.backgrounds_online,
        &order("s-1", "http://127.0.0.1:9/cb"),
    )
    .await;
    assert_eq!(status, 201);
    assert_ne!(sb.backgrounds_online.addr(), sb.alliance.addr());

    let sb = Sandbox::start_on("127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0", "127.0.0.1:0")
        .await
        .unwrap();
    assert!(
        sb.backgrounds_online
            .base_url()
            .starts_with("http://127.0.0.1:")
    );
}
