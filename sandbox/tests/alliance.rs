//! FakeAlliance over real loopback HTTP.

mod common;

use common::{Receiver, http, standard_verify};
use reqwest::StatusCode;
use screenhub_sandbox::{FakeAlliance, Fault, FaultKind, Method};
use serde_json::{Value, json};

const KEY: &str = "alliance-key";
const OLD: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const NEW: &str = "whsec_c2VjcmV0LXR3by1mb3Itcm90YXRpb24tdGVzdHM=";

async fn alliance() -> FakeAlliance {
    let a = FakeAlliance::start().await;
    a.add_account(KEY, [OLD, NEW]);
    a
}

fn order(reference: &str, callback: &str) -> Value {
    json!({
        "client_reference": reference,
        "client_code": "ACME-HQ",
        "product": "Criminal Package 2",
        "reference": null,
        "candidate": {"name": "Ada Lovelace", "email": "ada@example.com", "phone": null},
        "position": {"title": "Senior Engineer", "department": null, "location": null},
        "tags": [],
        "quickapp": {"email": true, "sms": false},
        "callback_url": callback,
    })
}

async fn place(a: &FakeAlliance, key: &str, body: &Value) -> (StatusCode, Value) {
    let resp = http()
        .post(format!("{}/v1/orders", a.base_url()))
        .bearer_auth(key)
        .json(body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn orders_are_idempotent_on_client_reference() {
    let a = alliance().await;
    let (status, first) = place(&a, KEY, &order("so-1", "http://127.0.0.1:9/cb")).await;
    assert_eq!(status, 201);
    assert_eq!(first["status"], "pending");
    let id = first["order_id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("A20-"));
    let (status, again) = place(&a, KEY, &order("so-1", "http://127.0.0.1:9/cb")).await;
    assert_eq!(status, 200);
    assert_eq!(again["order_id"], json!(id));
    let (status, other) = place(&a, KEY, &order("so-2", "http://127.0.0.1:9/cb")).await;
    assert_eq!(status, 201);
    assert_ne!(other["order_id"], json!(id));
    assert_eq!(a.orders().len(), 2);

    let stored = a.order_by_reference("so-1").unwrap();
    assert_eq!(stored.id, id);
    assert_eq!(stored.callback_url, "http://127.0.0.1:9/cb");
    assert_eq!(stored.request["product"], "Criminal Package 2");

    let resp = http()
        .get(format!("{}/v1/orders/{id}", a.base_url()))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let got: Value = resp.json().await.unwrap();
    assert_eq!(
        (got["order_id"].as_str(), got["client_reference"].as_str()),
        (Some(id.as_str()), Some("so-1"))
    );

    let log = a.requests();
    assert_eq!(log.len(), 4);
    assert_eq!(log[0].api_key.as_deref(), Some(KEY));
    assert_eq!(log[0].method, Method::POST);
}

#[tokio::test]
async fn refusals_are_422_with_codes_and_bad_keys_401() {
    let a = alliance().await;
    a.set_products(KEY, ["Criminal Package 2"]);
    a.set_client_codes(KEY, ["ACME-HQ"]);

    let mut body = order("r-1", "http://127.0.0.1:9/cb");
    body["product"] = json!("Moon Package");
    let (status, err) = place(&a, KEY, &body).await;
    assert_eq!(status, 422);
    assert_eq!(err["code"], "unknown_product");
    assert!(err["message"].as_str().unwrap().contains("Moon Package"));

    let mut body = order("r-2", "http://127.0.0.1:9/cb");
    body["client_code"] = json!("NOPE");
    let (status, err) = place(&a, KEY, &body).await;
    assert_eq!(
        (status.as_u16(), err["code"].as_str()),
        (422, Some("unknown_client"))
    );

    let mut body = order("r-3", "http://127.0.0.1:9/cb");
    body["candidate"]["email"] = Value::Null;
    let (status, err) = place(&a, KEY, &body).await;
    assert_eq!(status, 422);
    assert_eq!(
        err,
        json!({"code": "missing_field", "message": "candidate email is required"})
    );

    assert!(a.orders().is_empty(), "refused orders are not stored");
    let (status, err) = place(&a, "wrong", &order("r-4", "http://127.0.0.1:9/cb")).await;
    assert_eq!(
        (status.as_u16(), err["code"].as_str()),
        (401, Some("unauthorized"))
    );
    let (status, _) = place(&a, KEY, &order("r-5", "http://127.0.0.1:9/cb")).await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn callbacks_are_signed_with_every_secret() {
    let a = alliance().await;
    let mut rx = Receiver::start().await;
    let (_, placed) = place(&a, KEY, &order("so-9", &rx.url)).await;
    let id = placed["order_id"].as_str().unwrap().to_owned();

    let result = json!({"flag": false, "decision": "Eligible", "report_url": "https://r/1", "summary": "clear"});
    assert_eq!(
        a.advance(&id, "complete", Some(result.clone()), None).await,
        200
    );
    let got = rx.next().await;
    let (wid, ts, sig) = (
        got.header("webhook-id"),
        got.header("webhook-timestamp"),
        got.header("webhook-signature"),
    );
    assert_eq!(sig.split(' ').count(), 2);
    assert!(standard_verify(OLD, wid, ts, &got.body, sig));
    assert!(standard_verify(NEW, wid, ts, &got.body, sig));
    assert!(!standard_verify("whsec_b3RoZXI=", wid, ts, &got.body, sig));
    let mut tampered = got.body.to_vec();
    tampered[0] = b' ';
    assert!(!standard_verify(OLD, wid, ts, &tampered, sig));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((ts.parse::<i64>().unwrap() - now).abs() < 60);

    let body = got.json();
    assert_eq!(body["type"], "order.status_changed");
    assert_eq!(body["order_id"], json!(id));
    assert_eq!(body["client_reference"], "so-9");
    assert_eq!(body["status"], "complete");
    assert_eq!(body["result"], result);
    assert!(body["occurred_at"].as_str().unwrap().ends_with('Z'));
    assert!(body.get("reason").is_none());
    assert_eq!(a.order(&id).unwrap().status, "complete");

    // a second advance carries a new webhook-id; the hub's answer is returned
    rx.script(&[503]);
    assert_eq!(
        a.advance(&id, "rejected", None, Some("duplicate".into()))
            .await,
        503
    );
    let second = rx.next().await;
    assert_ne!(second.header("webhook-id"), wid);
    assert_eq!(second.json()["reason"], "duplicate");
    assert_eq!(a.callbacks().len(), 2);
}

#[tokio::test]
async fn built_callbacks_can_be_replayed_and_skewed() {
    let a = alliance().await;
    let mut rx = Receiver::start().await;
    let (_, placed) = place(&a, KEY, &order("so-7", &rx.url)).await;
    let id = placed["order_id"].as_str().unwrap().to_owned();

    a.set_clock_skew(-3600);
    let cb = a.signed_callback(&id, "in_progress", None, None);
    assert_eq!(
        a.order(&id).unwrap().status,
        "pending",
        "building does not change the order"
    );
    let ts: i64 = cb.header("webhook-timestamp").unwrap().parse().unwrap();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    assert!((now - 3600 - ts).abs() < 60);
    assert!(standard_verify(
        OLD,
        cb.header("webhook-id").unwrap(),
        &ts.to_string(),
        &cb.body,
        cb.header("webhook-signature").unwrap()
    ));

    assert_eq!(a.send(&cb).await, 200);
    assert_eq!(a.send(&cb).await, 200);
    let (first, second) = (rx.next().await, rx.next().await);
    assert_eq!(first.body, second.body);
    assert_eq!(first.header("webhook-id"), second.header("webhook-id"));
}

#[tokio::test]
async fn admin_routes_drive_the_order() {
    let a = alliance().await;
    let mut rx = Receiver::start().await;
    let (_, placed) = place(&a, KEY, &order("so-5", &rx.url)).await;
    let id = placed["order_id"].as_str().unwrap().to_owned();
    a.clear_requests();

    let resp = http()
        .post(format!("{}/sandbox/orders/{id}/advance", a.base_url()))
        .json(&json!({"status": "complete", "flag": true, "summary": "1 record"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(
        resp.json::<Value>().await.unwrap(),
        json!({"delivered_status": 200})
    );
    let body = rx.next().await.json();
    assert_eq!(body["result"]["flag"], true);
    assert_eq!(body["result"]["summary"], "1 record");
    let report = body["result"]["report_url"].as_str().unwrap().to_owned();
    assert!(report.starts_with(&a.base_url()));
    let page = http()
        .get(&report)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("1 record"));

    let list: Value = http()
        .get(format!("{}/sandbox/orders", a.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["data"][0]["status"], "complete");
    let bad = http()
        .post(format!("{}/sandbox/orders/{id}/advance", a.base_url()))
        .json(&json!({"status": "teleported"}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert!(a.requests().is_empty(), "admin routes are not logged");
}

#[tokio::test]
async fn faults_and_lost_responses() {
    let a = alliance().await;
    a.inject(
        Fault::status(503, 1)
            .method(Method::POST)
            .path_contains("/v1/orders"),
    );
    let (status, err) = place(&a, KEY, &order("so-3", "http://127.0.0.1:9/cb")).await;
    assert_eq!(
        (status.as_u16(), err["code"].as_str()),
        (503, Some("unavailable"))
    );
    assert!(a.orders().is_empty());

    // The order is created, but the response is lost; the retry finds it (200).
    a.inject(Fault::new(FaultKind::ApplyThenStatus(500), 1));
    let (status, _) = place(&a, KEY, &order("so-3", "http://127.0.0.1:9/cb")).await;
    assert_eq!(status, 500);
    assert_eq!(a.orders().len(), 1);
    let (status, body) = place(&a, KEY, &order("so-3", "http://127.0.0.1:9/cb")).await;
    assert_eq!(status, 200);
    assert_eq!(body["order_id"], json!(a.orders()[0].id));
    assert_eq!(a.requests().len(), 3);
}
