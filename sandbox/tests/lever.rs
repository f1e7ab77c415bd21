//! FakeLever over real loopback HTTP.

mod common;

use std::time::Duration;

use common::{Receiver, http, lever_verify};
use reqwest::StatusCode;
use screenhub_sandbox::lever::{
    NewOpportunity, NewPosting, NewResume, ParsedPosition, ParsedSchool,
};
use screenhub_sandbox::{FakeLever, Fault, FaultKind, Method, SandboxClock};
use serde_json::{Value, json};

const KEY: &str = "lever-test-key";

async fn lever() -> FakeLever {
    let lever = FakeLever::start().await;
    lever.add_api_key(KEY);
    lever.add_stage("lead-new", "New lead");
    lever.add_stage("applicant-new", "New applicant");
    lever.add_stage("bg-check", "Background Check");
    lever
}

async fn get(lever: &FakeLever, path: &str) -> (StatusCode, Value) {
    let resp = http()
        .get(format!("{}{path}", lever.base_url()))
        .basic_auth(KEY, Some(""))
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn send(lever: &FakeLever, method: Method, path: &str, body: Value) -> (StatusCode, Value) {
    let resp = http()
        .request(method, format!("{}{path}", lever.base_url()))
        .basic_auth(KEY, None::<&str>)
        .json(&body)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

#[test]
fn test_verifier_matches_the_documented_vector() {
    let body = json!({
        "token": "be58f711f349c7780e4579cd7c63341ac6f881e4dccc3154",
        "triggeredAt": 1431454330072_i64,
        "signature": "67237316b71be6f4595c3313d347b09353b22d7cbab3726261b73d409acd8fd7",
    });
    assert!(lever_verify("test-signature-token", &body));
    assert!(!lever_verify("another-token", &body));
    assert_eq!(
        screenhub_sandbox::signing::lever_signature(
            "test-signature-token",
            "be58f711f349c7780e4579cd7c63341ac6f881e4dccc3154",
            1431454330072
        ),
        "67237316b71be6f4595c3313d347b09353b22d7cbab3726261b73d409acd8fd7"
    );
}

#[tokio::test]
async fn signed_delivery_verifies_and_reaches_receiver() {
    let lever = lever().await;
    let mut rx = Receiver::start().await;
    let body = lever.signed_delivery(
        "candidateStageChange",
        json!({"opportunityId": "o1"}),
        "test-signature-token",
        1431454330072,
    );
    assert_eq!(body["token"].as_str().unwrap().len(), 48);
    assert_eq!(body["triggeredAt"], json!(1431454330072_i64));
    assert!(lever_verify("test-signature-token", &body));
    let mut forged = body.clone();
    forged["triggeredAt"] = json!(1431454330073_i64);
    assert!(!lever_verify("test-signature-token", &forged));

    assert_eq!(lever.deliver(&rx.url, &body).await, 200);
    let got = rx.next().await;
    assert_eq!(got.header("user-agent"), "Lever-Webhooks");
    assert_eq!(got.header("content-type"), "application/json");
    assert_eq!(got.json(), body);
}

#[tokio::test]
async fn auth_is_basic_with_the_key_as_username_and_requests_are_logged() {
    let lever = lever().await;
    let url = format!("{}/stages", lever.base_url());
    let none = http().get(&url).send().await.unwrap();
    assert_eq!(none.status(), 401);
    assert_eq!(
        none.json::<Value>().await.unwrap()["code"],
        "UnauthorizedError"
    );
    let wrong = http()
        .get(&url)
        .basic_auth("nope", Some(""))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let (status, body) = get(&lever, "/stages?x=1").await;
    assert_eq!(status, 200);
    assert_eq!(
        body["data"][0],
        json!({"id": "lead-new", "text": "New lead"})
    );
    assert_eq!(body["data"].as_array().unwrap().len(), 3);

    let log = lever.requests();
    assert_eq!(log.len(), 3);
    assert_eq!(log[0].api_key, None);
    assert_eq!(log[1].api_key.as_deref(), Some("nope"));
    assert_eq!(log[2].api_key.as_deref(), Some(KEY));
    assert_eq!(log[2].path, "/v1/stages");
    assert_eq!(log[2].query.as_deref(), Some("x=1"));
    assert_eq!(log[2].method, Method::GET);
    lever.clear_requests();
    assert!(lever.requests().is_empty());
}

#[tokio::test]
async fn opportunity_get_with_expansions_and_404() {
    let lever = lever().await;
    let posting = lever.add_posting(
        NewPosting::new("Senior Engineer")
            .team("Platform")
            .department("Engineering")
            .location("Austin")
            .commitment("Full-time")
            .level("Senior")
            .description("Build things")
            .list("Requirements", "<li>Rust</li>"),
    );
    let opp = lever.add_opportunity(
        NewOpportunity::new("Ada Lovelace")
            .headline("Analytical Engines")
            .email("ada@example.com")
            .phone(Some("mobile"), "+1 555 0100")
            .location("London")
            .tag("Alliance: rush")
            .stage("applicant-new")
            .posting(&posting)
            .contact("contact-1")
            .created_at(1_700_000_000_000)
            .updated_at(1_700_000_000_500),
    );

    let (status, body) = get(&lever, &format!("/opportunities/{opp}")).await;
    assert_eq!(status, 200);
    let o = &body["data"];
    assert_eq!(o["id"], json!(opp));
    assert_eq!(o["name"], "Ada Lovelace");
    assert_eq!(o["contact"], "contact-1");
    assert_eq!(o["emails"], json!(["ada@example.com"]));
    assert_eq!(
        o["phones"],
        json!([{"type": "mobile", "value": "+1 555 0100"}])
    );
    assert_eq!(o["stage"], "applicant-new");
    assert_eq!(o["origin"], "applied");
    assert_eq!(o["updatedAt"], json!(1_700_000_000_500_i64));
    assert!(o["applications"][0].is_string());

    let (_, body) = get(
        &lever,
        &format!("/opportunities/{opp}?expand=applications&expand=stage"),
    )
    .await;
    let o = &body["data"];
    assert_eq!(
        o["stage"],
        json!({"id": "applicant-new", "text": "New applicant"})
    );
    assert_eq!(o["applications"][0]["posting"], json!(posting));
    assert_eq!(o["applications"][0]["opportunityId"], json!(opp));

    let (status, body) = get(&lever, &format!("/postings/{posting}")).await;
    assert_eq!(status, 200);
    let p = &body["data"];
    assert_eq!(p["text"], "Senior Engineer");
    assert_eq!(p["categories"]["department"], "Engineering");
    assert_eq!(p["categories"]["allLocations"], json!(["Austin"]));
    assert_eq!(p["content"]["lists"][0]["content"], "<li>Rust</li>");
    assert_eq!(p["state"], "published");
    let (_, list) = get(&lever, "/postings").await;
    assert_eq!(list["data"].as_array().unwrap().len(), 1);
    assert_eq!(list["hasNext"], false);

    let (status, body) = get(&lever, "/opportunities/nope").await;
    assert_eq!(status, 404);
    assert_eq!(body["code"], "ResourceNotFound");
    assert!(body["message"].as_str().unwrap().contains("nope"));
}

#[tokio::test]
async fn tags_add_remove_unique_and_bump_updated_at() {
    let lever = lever().await;
    let opp = lever.add_opportunity(NewOpportunity::new("Ada").tag("Existing").updated_at(1000));
    let (status, body) = send(
        &lever,
        Method::POST,
        &format!("/opportunities/{opp}/addTags"),
        json!({"tags": ["Screening: pending", "Existing", "Screening: pending"]}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        body["data"]["tags"],
        json!(["Existing", "Screening: pending"])
    );
    let bumped = body["data"]["updatedAt"].as_i64().unwrap();
    assert!(bumped > 1000);
    assert_eq!(lever.tags(&opp), vec!["Existing", "Screening: pending"]);

    let (status, body) = send(
        &lever,
        Method::POST,
        &format!("/opportunities/{opp}/removeTags"),
        json!({"tags": ["Existing", "absent"]}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["tags"], json!(["Screening: pending"]));
    assert!(body["data"]["updatedAt"].as_i64().unwrap() > bumped);

    let (status, body) = send(
        &lever,
        Method::POST,
        &format!("/opportunities/{opp}/addTags"),
        json!({"tag": "x"}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], "BadRequestError");
    let (status, _) = send(
        &lever,
        Method::POST,
        "/opportunities/nope/addTags",
        json!({"tags": ["x"]}),
    )
    .await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn notes_with_secret_flag() {
    let lever = lever().await;
    let opp = lever.add_opportunity(
        NewOpportunity::new("Ada")
            .stage("bg-check")
            .updated_at(1000),
    );
    let (status, body) = send(
        &lever,
        Method::POST,
        &format!("/opportunities/{opp}/notes?perform_as=user-1"),
        json!({"value": "Background check ordered", "secret": true, "notifyFollowers": false}),
    )
    .await;
    assert_eq!(status, 201);
    let note_id = body["data"]["noteId"].as_str().unwrap().to_owned();
    let (status, _) = send(
        &lever,
        Method::POST,
        &format!("/opportunities/{opp}/notes"),
        json!({"value": "Public note", "score": 3}),
    )
    .await;
    assert_eq!(status, 201);
    let (status, body) = send(
        &lever,
        Method::POST,
        &format!("/opportunities/{opp}/notes"),
        json!({"secret": true}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], "BadRequestError");

    let notes = lever.notes(&opp);
    assert_eq!(notes.len(), 2);
    assert_eq!(notes[0].id, note_id);
    assert_eq!(notes[0].value, "Background check ordered");
    assert!(notes[0].secret);
    assert_eq!(notes[0].user.as_deref(), Some("user-1"));
    assert!(!notes[1].secret);
    assert_eq!(notes[1].score, Some(3));

    let (status, body) = get(&lever, &format!("/opportunities/{opp}/notes")).await;
    assert_eq!(status, 200);
    assert_eq!(body["hasNext"], false);
    let first = &body["data"][0];
    assert_eq!(first["id"], json!(note_id));
    assert_eq!(first["secret"], true);
    assert_eq!(first["fields"][0]["type"], "note");
    assert_eq!(first["fields"][0]["value"], "Background check ordered");
    assert_eq!(first["fields"][0]["stage"], "bg-check");
    assert_eq!(body["data"][1]["secret"], false);
    assert!(
        lever.opportunity(&opp).unwrap()["updatedAt"]
            .as_i64()
            .unwrap()
            > 1000
    );
}

#[tokio::test]
async fn stage_put_fires_signed_webhook_to_every_subscriber() {
    let lever = lever().await;
    let mut rx = Receiver::start().await;
    let (status, created) = send(
        &lever,
        Method::POST,
        "/webhooks",
        json!({"url": rx.url, "event": "candidateStageChange"}),
    )
    .await;
    assert_eq!(status, 201);
    let token = created["data"]["configuration"]["signatureToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(token.len(), 48);
    let other_token = lever.subscribe(&rx.url, "candidateStageChange");
    assert_ne!(token, other_token);
    lever.subscribe(&rx.url, "candidateHired");

    let opp = lever.add_opportunity(
        NewOpportunity::new("Ada")
            .stage("applicant-new")
            .contact("c-1"),
    );
    let (status, body) = send(
        &lever,
        Method::PUT,
        &format!("/opportunities/{opp}/stage"),
        json!({"stage": "bg-check"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["stage"], "bg-check");
    let changes = body["data"]["stageChanges"].as_array().unwrap();
    assert_eq!(changes.last().unwrap()["toStageId"], "bg-check");
    assert_eq!(changes.last().unwrap()["toStageIndex"], 2);
    assert_eq!(lever.stage_of(&opp).as_deref(), Some("bg-check"));

    let a = rx.next().await;
    let b = rx.next().await;
    let (a, b) = (a.json(), b.json());
    for got in [&a, &b] {
        assert_eq!(got["event"], "candidateStageChange");
        assert_eq!(
            got["data"],
            json!({"opportunityId": opp, "candidateId": opp, "contactId": "c-1",
                   "toStageId": "bg-check", "fromStageId": "applicant-new"})
        );
    }
    // Each subscriber's envelope is signed with its own token.
    assert!(lever_verify(&token, &a) ^ lever_verify(&token, &b));
    assert!(lever_verify(&other_token, &a) ^ lever_verify(&other_token, &b));
    assert_eq!(
        lever
            .wait_for_deliveries(2, Duration::from_secs(5))
            .await
            .len(),
        2
    );

    let (status, body) = send(
        &lever,
        Method::PUT,
        &format!("/opportunities/{opp}/stage"),
        json!({"stage": "nope"}),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["code"], "BadRequestError");
    assert_eq!(lever.stage_of(&opp).as_deref(), Some("bg-check"));
}

#[tokio::test]
async fn move_stage_helper_waits_and_reports_each_delivery() {
    let lever = lever().await;
    let mut rx = Receiver::start().await;
    let token = lever.subscribe(&rx.url, "candidateStageChange");
    let opp = lever.add_opportunity(NewOpportunity::new("Ada").stage("lead-new"));
    rx.script(&[503]);
    let results = lever.move_stage(&opp, "bg-check").await;
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].url, rx.url);
    assert_eq!(results[0].status, 503);
    assert_eq!(results[0].attempts, 1);
    assert!(lever_verify(&token, &results[0].body));
    assert_eq!(rx.next().await.json(), results[0].body);
    assert!(
        lever.move_stage(&opp, "bg-check").await.is_empty(),
        "no change, no event"
    );
}

#[tokio::test]
async fn deleting_an_opportunity_notifies_candidate_deleted_and_404s_after() {
    let lever = lever().await;
    let mut rx = Receiver::start().await;
    let token = lever.subscribe(&rx.url, "candidateDeleted");
    let stage_rx = Receiver::start().await;
    lever.subscribe(&stage_rx.url, "candidateStageChange");
    let opp = lever.add_opportunity(NewOpportunity::new("Ada").stage("lead-new"));
    let results = lever.delete_opportunity(&opp).await;
    assert_eq!(
        results.len(),
        1,
        "only the candidateDeleted subscriber hears of it"
    );
    let body = rx.next().await.json();
    assert!(lever_verify(&token, &body));
    assert_eq!(body["event"], "candidateDeleted");
    assert_eq!(body["data"]["opportunityId"], opp.as_str());
    assert_eq!(body["data"]["candidateId"], opp.as_str());
    assert!(body["data"]["contactId"].is_string());
    let (status, err) = get(&lever, &format!("/v1/opportunities/{opp}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(err["code"], "ResourceNotFound");
}

#[tokio::test]
async fn deleted_opportunities_are_listed_by_deletion_time_in_pages_with_or_without_a_webhook() {
    let lever = lever().await;
    let now = std::sync::Arc::new(std::sync::atomic::AtomicI64::new(1_000_000));
    let clock = now.clone();
    lever.set_clock(SandboxClock::from_fn(move || {
        clock.load(std::sync::atomic::Ordering::SeqCst)
    }));
    let rx = Receiver::start().await;
    lever.subscribe(&rx.url, "candidateDeleted");
    let kept = lever.add_opportunity(NewOpportunity::new("Kept").stage("lead-new"));
    let [a, b, c] = ["A", "B", "C"]
        .map(|name| lever.add_opportunity(NewOpportunity::new(name).email("x@example.com")));
    let at = |ms: i64| now.store(ms, std::sync::atomic::Ordering::SeqCst);
    at(2_000_000);
    lever.delete_opportunity_silently(&a);
    at(3_000_000);
    let notified = lever.delete_opportunity(&b).await;
    assert_eq!(notified.len(), 1, "with its webhook");
    at(4_000_000);
    // Lever's UI, as the local run offers it, without the webhook.
    let resp = http()
        .post(format!(
            "http://{}/sandbox/opportunities/{c}/delete?notify=false",
            lever.addr()
        ))
        .basic_auth(KEY, Some(""))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.json::<Value>().await.unwrap(),
        json!({"data": {"deleted": c}})
    );
    assert_eq!(
        lever.deliveries().len(),
        1,
        "only B's deletion was delivered"
    );

    let (status, all) = get(&lever, "/opportunities/deleted").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        ids(&all),
        vec![a.clone(), b.clone(), c.clone()],
        "by deletion time"
    );
    assert_eq!(all["data"][0]["deletedAt"], json!(2_000_000));
    assert_eq!(all["data"][0]["deletedBy"], Value::Null);
    assert_eq!(
        all["data"][0]["emails"],
        json!(["x@example.com"]),
        "as it was"
    );
    assert_eq!(all["hasNext"], json!(false));
    let (_, window) = get(
        &lever,
        "/opportunities/deleted?deleted_at_start=3000000&deleted_at_end=4000000",
    )
    .await;
    assert_eq!(ids(&window), vec![b.clone(), c.clone()], "inclusive");
    // Paged like every list.
    let (_, first) = get(&lever, "/opportunities/deleted?limit=2").await;
    assert_eq!(
        (ids(&first), first["hasNext"].clone()),
        (vec![a.clone(), b.clone()], json!(true))
    );
    let next = first["next"].as_str().unwrap();
    let (_, second) = get(
        &lever,
        &format!("/opportunities/deleted?limit=2&offset={next}"),
    )
    .await;
    assert_eq!(ids(&second), vec![c.clone()]);
    // Gone from every other route; the live one is not listed as deleted.
    for gone in [&a, &b, &c] {
        let (status, _) = get(&lever, &format!("/opportunities/{gone}")).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    let (_, live) = get(&lever, "/opportunities").await;
    assert_eq!(ids(&live), vec![kept]);
    let (status, _) = get(&lever, "/opportunities/deleted?deleted_at_start=soon").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn anonymization_and_consent_show_in_the_opportunity() {
    let lever = lever().await;
    let opp = lever.add_opportunity(
        NewOpportunity::new("Ada")
            .email("ada@example.com")
            .headline("Engineer")
            .updated_at(1_000)
            .resume(NewResume::new("cv.pdf")),
    );
    let (_, body) = get(&lever, &format!("/opportunities/{opp}")).await;
    assert_eq!(
        (
            body["data"]["isAnonymized"].clone(),
            body["data"]["dataProtection"].clone()
        ),
        (json!(false), Value::Null)
    );
    lever.set_store_consent(&opp, false, Some(5_000));
    let (_, body) = get(&lever, &format!("/opportunities/{opp}")).await;
    assert_eq!(
        body["data"]["dataProtection"],
        json!({"store": {"allowed": false, "expiresAt": 5_000}, "contact": null})
    );
    assert!(body["data"]["updatedAt"].as_i64().unwrap() > 1_000);
    let before = body["data"]["updatedAt"].as_i64().unwrap();
    lever.anonymize(&opp);
    let (_, body) = get(&lever, &format!("/opportunities/{opp}")).await;
    let data = &body["data"];
    assert_eq!(data["isAnonymized"], json!(true));
    assert_eq!(data["emails"], json!([]));
    assert_eq!(data["headline"], json!(""));
    assert!(data["updatedAt"].as_i64().unwrap() > before);
    let (_, resumes) = get(&lever, &format!("/opportunities/{opp}/resumes")).await;
    assert_eq!(resumes["data"], json!([]));
    let seeded = lever.add_opportunity(NewOpportunity::new("Bo").store_consent(true, None));
    assert_eq!(
        lever.opportunity(&seeded).unwrap()["dataProtection"]["store"],
        json!({"allowed": true, "expiresAt": null})
    );
}

#[tokio::test]
async fn retries_only_when_enabled() {
    let lever = lever().await;
    let mut rx = Receiver::start().await;
    lever.subscribe(&rx.url, "candidateStageChange");
    let opp = lever.add_opportunity(NewOpportunity::new("Ada").stage("lead-new"));
    lever.set_webhook_retries(true);
    rx.script(&[500, 302]);
    let results = lever.move_stage(&opp, "bg-check").await;
    assert_eq!((results[0].status, results[0].attempts), (200, 3));
    let first = rx.next().await.json();
    assert_eq!(rx.next().await.json(), first);
    assert_eq!(rx.next().await.json(), first);
    assert!(rx.drain().is_empty());

    lever.set_webhook_retries(false);
    let opp2 = lever.add_opportunity(NewOpportunity::new("Bob").stage("lead-new"));
    rx.script(&[500]);
    let results = lever.move_stage(&opp2, "bg-check").await;
    assert_eq!((results[0].status, results[0].attempts), (500, 1));
    assert!(!results[0].ok());
}

#[tokio::test]
async fn list_by_tag_and_updated_at_with_stable_paging() {
    let lever = lever().await;
    let mut tagged = Vec::new();
    for i in 0..5 {
        tagged.push(
            lever.add_opportunity(
                NewOpportunity::new(format!("T{i}"))
                    .tag("Screen me")
                    .updated_at(2000 + i),
            ),
        );
    }
    lever.add_opportunity(NewOpportunity::new("Old").tag("Screen me").updated_at(1000));
    lever.add_opportunity(
        NewOpportunity::new("Other tag")
            .tag("screen me")
            .updated_at(3000),
    );
    lever.add_opportunity(NewOpportunity::new("Second").tag("Also").updated_at(3001));

    let mut seen = Vec::new();
    let mut path = "/opportunities?tag=Screen%20me&updated_at_start=2000&limit=2".to_owned();
    let mut pages = 0;
    let mut last_next = None;
    loop {
        let (status, body) = get(&lever, &path).await;
        assert_eq!(status, 200);
        pages += 1;
        seen.extend(
            body["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|o| o["id"].as_str().unwrap().to_owned()),
        );
        if body["hasNext"] == false {
            break;
        }
        let next = body["next"].as_str().unwrap().to_owned();
        path =
            format!("/opportunities?tag=Screen%20me&updated_at_start=2000&limit=2&offset={next}");
        last_next = Some(next);
    }
    assert_eq!(pages, 3);
    assert_eq!(
        seen, tagged,
        "sorted by updatedAt, each once, tag case-sensitive"
    );

    // union of tags, and the end bound is inclusive
    let (_, body) = get(
        &lever,
        "/opportunities?tag=Also&tag=screen%20me&updated_at_end=3001",
    )
    .await;
    assert_eq!(body["data"].as_array().unwrap().len(), 2);

    // an offset token used with other filters is refused like Lever does
    let token = last_next.unwrap();
    let (status, body) = get(&lever, &format!("/opportunities?tag=Also&offset={token}")).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        json!({"code": "BadRequestError", "message": "Invalid offset token: Offset token is invalid for sort"})
    );
    let (status, _) = get(&lever, "/opportunities?limit=101").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn injected_faults_then_recovery() {
    let lever = lever().await;
    let opp = lever.add_opportunity(NewOpportunity::new("Ada"));
    lever.inject(
        Fault::status(429, 1)
            .method(Method::GET)
            .path_contains("/opportunities/"),
    );
    lever.inject(Fault::status(503, 1).path_contains("/stages"));
    let (status, body) = get(&lever, "/stages").await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (503, Some("ServiceUnavailable"))
    );
    let (status, body) = get(&lever, &format!("/opportunities/{opp}")).await;
    assert_eq!(status, 429);
    assert_eq!(body["code"], "TooManyRequests");
    let (status, _) = get(&lever, &format!("/opportunities/{opp}")).await;
    assert_eq!(status, 200);
    assert_eq!(lever.requests().len(), 3, "faulted requests are logged too");

    // Drop: no response at all.
    lever.inject(Fault::new(FaultKind::Drop, 1));
    let err = http()
        .get(format!("{}/stages", lever.base_url()))
        .basic_auth(KEY, Some(""))
        .send()
        .await;
    assert!(err.is_err());
    assert_eq!(get(&lever, "/stages").await.0, 200);

    // Delay: the client times out, but the request was applied.
    lever.inject(Fault::new(FaultKind::Delay(Duration::from_secs(30)), 1).path_contains("addTags"));
    let timed_out = http()
        .post(format!("{}/opportunities/{opp}/addTags", lever.base_url()))
        .basic_auth(KEY, Some(""))
        .json(&json!({"tags": ["late"]}))
        .timeout(Duration::from_millis(300))
        .send()
        .await;
    assert!(timed_out.unwrap_err().is_timeout());
    tokio::time::timeout(Duration::from_secs(5), async {
        while !lever.tags(&opp).contains(&"late".to_owned()) {
            tokio::task::yield_now().await;
        }
    })
    .await
    .expect("delayed request applied");

    // ApplyThenStatus: applied, but the client sees a 500.
    lever.inject(Fault::new(FaultKind::ApplyThenStatus(500), 1));
    let (status, _) = send(
        &lever,
        Method::POST,
        &format!("/opportunities/{opp}/addTags"),
        json!({"tags": ["lost"]}),
    )
    .await;
    assert_eq!(status, 500);
    assert!(lever.tags(&opp).contains(&"lost".to_owned()));
}

#[tokio::test]
async fn token_bucket_per_key() {
    let lever = lever().await;
    lever.add_api_key("second-key");
    lever.set_rate_limit(Some((1, 3)));
    for _ in 0..3 {
        assert_eq!(get(&lever, "/stages").await.0, 200);
    }
    let (status, body) = get(&lever, "/stages").await;
    assert_eq!(status, 429);
    assert_eq!(body["code"], "TooManyRequests");
    let other = http()
        .get(format!("{}/stages", lever.base_url()))
        .basic_auth("second-key", Some(""))
        .send()
        .await
        .unwrap();
    assert_eq!(other.status(), 200, "another key has its own bucket");
    lever.set_rate_limit(None);
    assert_eq!(get(&lever, "/stages").await.0, 200);
}

#[tokio::test]
async fn webhook_subscriptions_crud() {
    let lever = lever().await;
    let (status, created) = send(
        &lever,
        Method::POST,
        "/webhooks",
        json!({"url": "http://127.0.0.1:9/h", "event": "candidateHired",
               "configuration": {"conditions": {"origins": ["referred"]}}}),
    )
    .await;
    assert_eq!(status, 201);
    let id = created["data"]["id"].as_str().unwrap().to_owned();
    assert_eq!(created["data"]["event"], "candidateHired");
    assert!(created["data"]["createdAt"].is_i64());
    let (_, list) = get(&lever, "/webhooks").await;
    assert_eq!(list["data"][0]["id"], json!(id));
    assert!(
        list["data"][0]["configuration"]
            .get("signatureToken")
            .is_none()
    );
    assert_eq!(
        list["data"][0]["configuration"]["conditions"]["origins"],
        json!(["referred"])
    );

    let (status, body) = send(
        &lever,
        Method::POST,
        "/webhooks",
        json!({"url": "http://x/h", "event": "tagAdded"}),
    )
    .await;
    assert_eq!(
        (status.as_u16(), body["code"].as_str()),
        (400, Some("BadRequestError"))
    );

    let del = http()
        .delete(format!("{}/webhooks/{id}", lever.base_url()))
        .basic_auth(KEY, Some(""))
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), 204);
    let (_, list) = get(&lever, "/webhooks").await;
    assert_eq!(list["data"], json!([]));
}

#[tokio::test]
async fn origin_conditions_filter_deliveries() {
    let lever = lever().await;
    let mut rx = Receiver::start().await;
    send(
        &lever,
        Method::POST,
        "/webhooks",
        json!({"url": rx.url, "event": "candidateStageChange",
               "configuration": {"conditions": {"origins": ["referred"]}}}),
    )
    .await;
    let sourced = lever.add_opportunity(NewOpportunity::new("A").origin("sourced"));
    let referred = lever.add_opportunity(NewOpportunity::new("B").origin("referred"));
    assert!(lever.move_stage(&sourced, "bg-check").await.is_empty());
    assert_eq!(lever.move_stage(&referred, "bg-check").await.len(), 1);
    assert_eq!(
        rx.next().await.json()["data"]["opportunityId"],
        json!(referred)
    );
    assert!(rx.drain().is_empty());
}

fn ids(body: &Value) -> Vec<String> {
    body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn repeated_tags_are_a_union_paged_once_each() {
    let lever = lever().await;
    let a = lever.add_opportunity(NewOpportunity::new("A").tag("Start").updated_at(1000));
    let both = lever.add_opportunity(
        NewOpportunity::new("Both")
            .tag("Start")
            .tag("Cancel")
            .updated_at(1001),
    );
    let c = lever.add_opportunity(NewOpportunity::new("C").tag("Cancel").updated_at(1002));
    lever.add_opportunity(NewOpportunity::new("Neither").tag("start").updated_at(1003));
    lever.add_opportunity(NewOpportunity::new("Untagged").updated_at(1004));

    let mut seen = Vec::new();
    let mut path = "/opportunities?tag=Start&tag=Cancel&limit=1".to_owned();
    loop {
        let (status, body) = get(&lever, &path).await;
        assert_eq!(status, 200);
        seen.extend(ids(&body));
        if body["hasNext"] == false {
            assert!(body.get("next").is_none());
            break;
        }
        let next = body["next"].as_str().unwrap();
        path = format!("/opportunities?tag=Start&tag=Cancel&limit=1&offset={next}");
    }
    assert_eq!(
        seen,
        vec![a.clone(), both.clone(), c.clone()],
        "union, case-sensitive, each once"
    );

    // the order of the repeated params does not matter, and the token stays valid
    let (_, first) = get(&lever, "/opportunities?tag=Start&tag=Cancel&limit=2").await;
    let next = first["next"].as_str().unwrap();
    let (status, rest) = get(
        &lever,
        &format!("/opportunities?tag=Cancel&tag=Start&limit=2&offset={next}"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(ids(&rest), vec![c]);
    assert_eq!(rest["hasNext"], false);
}

#[tokio::test]
async fn updated_at_start_is_inclusive_and_sees_tag_changes() {
    let lever = lever().await;
    let old = lever.add_opportunity(NewOpportunity::new("Old").updated_at(1000));
    let edge = lever.add_opportunity(NewOpportunity::new("Edge").tag("Start").updated_at(2000));
    let future = now_ms() + 3_600_000;
    let ahead = lever.add_opportunity(NewOpportunity::new("Ahead").updated_at(future));

    let (_, body) = get(&lever, "/opportunities?updated_at_start=2000").await;
    assert_eq!(ids(&body), vec![edge.clone(), ahead.clone()]);
    let (_, body) = get(&lever, "/opportunities?updated_at_start=2001&tag=Start").await;
    assert!(ids(&body).is_empty());

    // a tag change bumps updatedAt, so a poll from "now" finds the opportunity
    let since = now_ms();
    let (status, _) = send(
        &lever,
        Method::POST,
        &format!("/opportunities/{old}/addTags"),
        json!({"tags": ["Start"]}),
    )
    .await;
    assert_eq!(status, 200);
    let bumped = lever.opportunity(&old).unwrap()["updatedAt"]
        .as_i64()
        .unwrap();
    assert!(bumped >= since);
    let (_, body) = get(
        &lever,
        &format!("/opportunities?tag=Start&updated_at_start={since}"),
    )
    .await;
    assert_eq!(ids(&body), vec![old.clone()]);
    let (_, body) = get(
        &lever,
        &format!("/opportunities?updated_at_start={bumped}&updated_at_end={bumped}"),
    )
    .await;
    assert_eq!(ids(&body), vec![old.clone()], "both bounds inclusive");

    // removing a tag bumps it again; updatedAt never goes backwards
    send(
        &lever,
        Method::POST,
        &format!("/opportunities/{edge}/removeTags"),
        json!({"tags": ["Start"]}),
    )
    .await;
    assert!(
        lever.opportunity(&edge).unwrap()["updatedAt"]
            .as_i64()
            .unwrap()
            >= since
    );
    for path in ["addTags", "removeTags"] {
        send(
            &lever,
            Method::POST,
            &format!("/opportunities/{ahead}/{path}"),
            json!({"tags": ["X"]}),
        )
        .await;
    }
    assert!(
        lever.opportunity(&ahead).unwrap()["updatedAt"]
            .as_i64()
            .unwrap()
            > future + 1
    );

    let (status, _) = get(&lever, "/opportunities?updated_at_start=yesterday").await;
    assert_eq!(status, 400);
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64
}

// ---------- POST /opportunities, users, resumes, posting state ----------

async fn create(lever: &FakeLever, user: &str, body: Value) -> (StatusCode, Value) {
    send(
        lever,
        Method::POST,
        &format!("/opportunities?perform_as={user}"),
        body,
    )
    .await
}

fn assert_bad_request(status: StatusCode, body: &Value, needle: &str) {
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["code"], "BadRequestError", "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains(needle), "{message:?} lacks {needle:?}");
}

#[tokio::test]
async fn create_requires_a_known_active_perform_as_user() {
    let lever = lever().await;
    let user = lever.add_user("Rachel Green", "rachel@example.com", "admin");
    let gone = lever.add_user("Chandler Bing", "chandler@example.com", "super admin");
    lever.deactivate_user(&gone);
    let body = json!({"name": "Ada", "emails": ["ada@example.com"]});

    let (status, err) = send(&lever, Method::POST, "/opportunities", body.clone()).await;
    assert_bad_request(status, &err, "perform_as is required");
    let (status, err) = send(
        &lever,
        Method::POST,
        "/opportunities?perform_as=",
        body.clone(),
    )
    .await;
    assert_bad_request(status, &err, "perform_as is required");
    let (status, err) = create(&lever, "nobody", body.clone()).await;
    assert_bad_request(status, &err, "perform_as user not found");
    let (status, err) = create(&lever, &gone, body.clone()).await;
    assert_bad_request(status, &err, "perform_as");
    assert!(lever.created_opportunities().is_empty());
    let (_, list) = get(&lever, "/opportunities").await;
    assert_eq!(list["data"], json!([]), "a refused create stores nothing");

    let (status, created) = create(&lever, &user, body).await;
    assert_eq!(status, 201);
    assert_eq!(created["deduped"], false);
    assert_eq!(lever.created_opportunities(), vec![created["data"].clone()]);
}

#[tokio::test]
async fn created_opportunity_with_a_posting_is_listed_by_every_filter() {
    let lever = lever().await;
    let user = lever.add_user("Rachel Green", "rachel@example.com", "admin");
    let posting = lever.add_posting(NewPosting::new("Senior Engineer"));
    let other_posting = lever.add_posting(NewPosting::new("Designer"));
    lever.add_opportunity(
        NewOpportunity::new("Seeded")
            .posting(&other_posting)
            .created_at(1_000),
    );
    let before = now_ms();
    let (status, created) = create(
        &lever,
        &user,
        json!({
            "name": "Ada Lovelace",
            "headline": "Analytical Engines",
            "location": "London",
            "emails": ["ada@example.com"],
            "phones": [{"type": "mobile", "value": "+1 555 0100"}, {"value": "+1 555 0101"}],
            "links": ["https://example.com/ada"],
            "tags": ["Screen me", "Screen me"],
            "sources": ["API"],
            "postings": [posting],
            "createdAt": 1_700_000_000_000_i64,
        }),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(created["deduped"], false);
    let o = &created["data"];
    let id = o["id"].as_str().unwrap().to_owned();
    assert_eq!(o["name"], "Ada Lovelace");
    assert_eq!(o["headline"], "Analytical Engines");
    assert_eq!(o["location"], "London");
    assert_eq!(
        o["phones"],
        json!([{"type": "mobile", "value": "+1 555 0100"}, {"value": "+1 555 0101"}])
    );
    assert_eq!(o["tags"], json!(["Screen me"]));
    assert_eq!(o["sources"], json!(["API"]));
    assert_eq!(o["stage"], "lead-new");
    assert_eq!(o["owner"], json!(user));
    assert_eq!(o["origin"], "applied");
    assert_eq!(o["sourcedBy"], Value::Null);
    assert_eq!(o["createdAt"], json!(1_700_000_000_000_i64));
    assert!(o["updatedAt"].as_i64().unwrap() >= before);
    assert_eq!(o["stageChanges"][0]["userId"], json!(user));
    assert_eq!(o["applications"].as_array().unwrap().len(), 1);

    // the answer is exactly what GET renders, and the helpers see it
    let (_, got) = get(&lever, &format!("/opportunities/{id}")).await;
    assert_eq!(&got["data"], o);
    assert_eq!(lever.opportunity(&id).as_ref(), Some(o));
    assert_eq!(lever.stage_of(&id).as_deref(), Some("lead-new"));
    assert_eq!(lever.tags(&id), vec!["Screen me"]);

    let (_, body) = get(&lever, &format!("/opportunities?posting_id={posting}")).await;
    assert_eq!(ids(&body), vec![id.clone()]);
    let (_, body) = get(
        &lever,
        "/opportunities?created_at_start=1700000000000&created_at_end=1700000000000",
    )
    .await;
    assert_eq!(ids(&body), vec![id.clone()], "both bounds inclusive");
    let (_, body) = get(&lever, "/opportunities?created_at_start=1700000000001").await;
    assert!(ids(&body).is_empty());
    let (_, body) = get(&lever, &format!("/opportunities?updated_at_start={before}")).await;
    assert_eq!(ids(&body), vec![id.clone()], "created now, so updated now");
    for filter in ["stage_id=lead-new", "tag=Screen%20me", "archived=false"] {
        let (_, body) = get(
            &lever,
            &format!("/opportunities?{filter}&posting_id={posting}"),
        )
        .await;
        assert_eq!(ids(&body), vec![id.clone()], "{filter}");
    }

    let (_, body) = get(
        &lever,
        &format!("/opportunities?posting_id={posting}&expand=applications"),
    )
    .await;
    let app = &body["data"][0]["applications"][0];
    assert_eq!(app["type"], "user");
    assert_eq!(app["posting"], json!(posting));
    assert_eq!(app["opportunityId"], json!(id));
    assert_eq!(app["email"], "ada@example.com");

    // an archived lead is found by archived=true only
    let (status, archived) = create(
        &lever,
        &user,
        json!({"name": "Bob", "archived": {"reason": "reason-1", "archivedAt": 5_000}}),
    )
    .await;
    assert_eq!(status, 201);
    let archived_id = archived["data"]["id"].as_str().unwrap().to_owned();
    assert_eq!(
        archived["data"]["archived"],
        json!({"reason": "reason-1", "archivedAt": 5_000})
    );
    let (_, body) = get(&lever, "/opportunities?archived=true").await;
    assert_eq!(ids(&body), vec![archived_id.clone()]);
    assert_eq!(
        lever
            .created_opportunities()
            .iter()
            .map(|o| o["id"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>(),
        vec![id, archived_id],
        "creation order"
    );
}

#[tokio::test]
async fn create_refuses_bad_fields_and_stores_nothing() {
    let lever = lever().await;
    lever.set_clock(SandboxClock::from_fn(|| 1_800_000_000_000));
    let user = lever.add_user("Rachel Green", "rachel@example.com", "admin");
    let p1 = lever.add_posting(NewPosting::new("One"));
    let p2 = lever.add_posting(NewPosting::new("Two"));

    let cases = [
        (json!({"postings": [p1, p2]}), "at most one posting"),
        (json!({"postings": ["nope"]}), "nope"),
        (json!({"origin": "walk-in"}), "origin"),
        (json!({"createdAt": 1_800_000_060_000_i64}), "createdAt"),
        (json!({"contact": "no-such-contact"}), "no-such-contact"),
        (json!({"stage": "no-such-stage"}), "no-such-stage"),
        (json!({"emails": "ada@example.com"}), "emails"),
        (json!({"phones": [{"type": "mobile"}]}), "phones"),
    ];
    for (body, needle) in cases {
        let (status, err) = create(&lever, &user, body.clone()).await;
        assert_bad_request(status, &err, needle);
    }
    assert!(lever.created_opportunities().is_empty());
    let (_, list) = get(&lever, "/opportunities").await;
    assert_eq!(list["data"], json!([]));

    for origin in [
        "agency",
        "applied",
        "internal",
        "referred",
        "sourced",
        "university",
    ] {
        let (status, body) = create(&lever, &user, json!({"origin": origin})).await;
        assert_eq!(status, 201, "{origin}: {body}");
        assert_eq!(body["data"]["origin"], origin);
    }
    let (status, _) = create(
        &lever,
        &user,
        json!({"postings": [p1], "createdAt": 1_799_999_999_000_i64}),
    )
    .await;
    assert_eq!(status, 201, "a past createdAt is fine");
}

#[tokio::test]
async fn create_dedupes_onto_an_existing_contact() {
    let lever = lever().await;
    let user = lever.add_user("Rachel Green", "rachel@example.com", "admin");
    let first = lever.add_opportunity(
        NewOpportunity::new("Ada Lovelace")
            .email("ada@example.com")
            .contact("c-1"),
    );

    let (status, body) = create(
        &lever,
        &user,
        json!({"name": "A. Lovelace", "emails": ["ADA@Example.com", "ada@work.example"]}),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(body["deduped"], true);
    let o = &body["data"];
    assert_ne!(o["id"], json!(first));
    assert_eq!(o["contact"], "c-1");
    assert_eq!(
        o["name"], "Ada Lovelace",
        "the existing contact's name wins"
    );
    assert_eq!(o["emails"], json!(["ada@example.com", "ada@work.example"]));

    // an explicit contact links to it, without an email match
    let (status, body) = create(
        &lever,
        &user,
        json!({"contact": "c-1", "name": "Someone", "tags": ["Lead"]}),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(body["deduped"], false);
    assert_eq!(body["data"]["contact"], "c-1");
    assert_eq!(body["data"]["name"], "Ada Lovelace");
    assert_eq!(body["data"]["stage"], "lead-new");

    // no match: a new person
    let (status, body) = create(
        &lever,
        &user,
        json!({"name": "Grace Hopper", "emails": ["grace@example.com"]}),
    )
    .await;
    assert_eq!(status, 201);
    assert_eq!(body["deduped"], false);
    assert_ne!(body["data"]["contact"], "c-1");
    assert!(body["data"]["contact"].is_string());

    let (_, list) = get(&lever, "/opportunities?contact_id=c-1").await;
    assert_eq!(list["data"].as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn create_without_stage_is_a_new_lead_and_sends_no_webhook() {
    let lever = FakeLever::start().await;
    lever.add_api_key(KEY);
    lever.add_stage("bg-check", "Background Check");
    let user = lever.add_user("Rachel Green", "rachel@example.com", "admin");
    let mut rx = Receiver::start().await;
    for event in [
        "candidateStageChange",
        "applicationCreated",
        "contactCreated",
    ] {
        lever.subscribe(&rx.url, event);
    }

    let (status, body) = create(
        &lever,
        &user,
        json!({"name": "Ada", "origin": "sourced", "sources": ["Sourcing"]}),
    )
    .await;
    assert_eq!(status, 201);
    let o = &body["data"];
    let id = o["id"].as_str().unwrap().to_owned();
    assert_eq!(o["stage"], "lead-new");
    assert_eq!(o["stageChanges"].as_array().unwrap().len(), 1);
    assert_eq!(o["stageChanges"][0]["toStageId"], "lead-new");
    assert_eq!(o["origin"], "sourced");
    assert_eq!(o["sourcedBy"], json!(user));
    assert_eq!(o["owner"], json!(user));
    assert_eq!(o["applications"], json!([]));
    let (_, stage) = get(&lever, "/stages/lead-new").await;
    assert_eq!(stage["data"], json!({"id": "lead-new", "text": "New lead"}));
    assert!(lever.deliveries().is_empty(), "creation fires nothing");

    // the first delivery is the later stage move, from lead-new
    let (status, _) = send(
        &lever,
        Method::PUT,
        &format!("/opportunities/{id}/stage"),
        json!({"stage": "bg-check"}),
    )
    .await;
    assert_eq!(status, 200);
    let deliveries = lever.wait_for_deliveries(1, Duration::from_secs(5)).await;
    assert_eq!(deliveries.len(), 1);
    let got = rx.next().await.json();
    assert_eq!(got["event"], "candidateStageChange");
    assert_eq!(got["data"]["fromStageId"], "lead-new");
    assert!(rx.drain().is_empty());
}

#[tokio::test]
async fn create_goes_through_the_request_log_and_fault_injection() {
    let lever = lever().await;
    let user = lever.add_user("Rachel Green", "rachel@example.com", "admin");
    lever.inject(
        Fault::status(503, 1)
            .method(Method::POST)
            .path_contains("/opportunities"),
    );
    let (status, body) = create(&lever, &user, json!({"name": "Ada"})).await;
    assert_eq!(status, 503);
    assert_eq!(body["code"], "ServiceUnavailable");
    assert!(lever.created_opportunities().is_empty());

    lever.inject(Fault::new(FaultKind::ApplyThenStatus(500), 1));
    let (status, _) = create(&lever, &user, json!({"name": "Ada"})).await;
    assert_eq!(status, 500);
    assert_eq!(
        lever.created_opportunities().len(),
        1,
        "applied, answer lost"
    );

    let log = lever.requests();
    assert_eq!(log.len(), 2);
    assert!(log.iter().all(|r| r.method == Method::POST
        && r.path == "/v1/opportunities"
        && r.query.as_deref() == Some(&*format!("perform_as={user}"))));
}

#[tokio::test]
async fn users_list_filters_by_email_and_hides_deactivated() {
    let lever = lever().await;
    let rachel = lever.add_user("Rachel Green", "rachel@example.com", "admin");
    let chandler = lever.add_user("Chandler Bing", "chandler@example.com", "super admin");
    let monica = lever.add_user("Monica Geller", "monica@example.com", "team member");
    lever.deactivate_user(&chandler);

    let (status, body) = get(&lever, "/users").await;
    assert_eq!(status, 200);
    assert_eq!(ids(&body), vec![rachel.clone(), monica.clone()]);
    assert_eq!(body["hasNext"], false);

    let (_, body) = get(&lever, "/users?email=RACHEL@Example.com").await;
    assert_eq!(ids(&body), vec![rachel.clone()]);
    let u = &body["data"][0];
    assert_eq!(u["name"], "Rachel Green");
    assert_eq!(u["username"], "rachel");
    assert_eq!(u["email"], "rachel@example.com");
    assert_eq!(u["accessRole"], "admin");
    assert_eq!(u["deactivatedAt"], Value::Null);
    assert!(u["createdAt"].is_i64());
    for key in [
        "externalDirectoryId",
        "photo",
        "linkedContactIds",
        "jobTitle",
        "managerId",
    ] {
        assert!(u.get(key).is_some(), "{key}");
    }
    let (_, body) = get(&lever, "/users?email=rachel").await;
    assert!(ids(&body).is_empty(), "exact match only");

    let (_, body) = get(&lever, "/users?email=chandler@example.com").await;
    assert!(
        ids(&body).is_empty(),
        "deactivated users are hidden by default"
    );
    let (_, body) = get(
        &lever,
        "/users?email=chandler@example.com&includeDeactivated=true",
    )
    .await;
    assert_eq!(ids(&body), vec![chandler.clone()]);
    assert!(body["data"][0]["deactivatedAt"].is_i64());
    let (_, body) = get(&lever, "/users?includeDeactivated=true").await;
    assert_eq!(body["data"].as_array().unwrap().len(), 3);

    let (status, body) = get(&lever, &format!("/users/{monica}")).await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["accessRole"], "team member");
    assert_eq!(lever.user(&monica), Some(body["data"].clone()));
    let (status, body) = get(&lever, "/users/nope").await;
    assert_eq!(status, 404);
    assert_eq!(body["code"], "ResourceNotFound");
}

#[tokio::test]
async fn resumes_list_and_get_with_and_without_parsed_data() {
    let lever = lever().await;
    let opp = lever.add_opportunity(
        NewOpportunity::new("Jennifer Olde").updated_at(500).resume(
            NewResume::new("JenniferOlde.pdf")
                .size(1000)
                .created_at(1_000)
                .uploaded_at(1_004)
                .position(
                    ParsedPosition::new("Tomato Emporium", "VP Digital Media Productions")
                        .summary("Headed the digital media department")
                        .location("Los Angeles, CA")
                        .start(2012, 7)
                        .end(2016, 3),
                )
                .school(
                    ParsedSchool::new("Savannah College of Art and Design")
                        .degree("")
                        .field("Graphic Design, Studio Arts")
                        .start(2006, 9)
                        .end(2007, 6),
                ),
        ),
    );
    let broken = lever.add_resume(
        &opp,
        NewResume::new("Corrupted.pdf")
            .status("error")
            .size(3000)
            .created_at(2_000),
    );
    assert!(
        lever.opportunity(&opp).unwrap()["updatedAt"]
            .as_i64()
            .unwrap()
            > 500,
        "adding a resume bumps updatedAt"
    );

    let (status, list) = get(&lever, &format!("/opportunities/{opp}/resumes")).await;
    assert_eq!(status, 200);
    let data = list["data"].as_array().unwrap();
    assert_eq!(data.len(), 2);
    assert_eq!(data[0]["id"], json!(broken), "newest first");
    assert_eq!(data[0]["file"]["status"], "error");
    assert!(data[0].get("parsedData").is_none());

    let parsed = &data[1];
    let resume_id = parsed["id"].as_str().unwrap().to_owned();
    assert_eq!(parsed["createdAt"], json!(1_000));
    assert_eq!(
        parsed["file"],
        json!({
            "name": "JenniferOlde.pdf",
            "ext": "pdf",
            "downloadUrl": format!(
                "https://hire.lever.co/candidates/{opp}/resumes/{resume_id}/download"
            ),
            "uploadedAt": 1_004,
            "status": "processed",
            "size": 1000,
        })
    );
    assert_eq!(
        parsed["parsedData"],
        json!({
            "positions": [{
                "org": "Tomato Emporium",
                "title": "VP Digital Media Productions",
                "summary": "Headed the digital media department",
                "location": "Los Angeles, CA",
                "start": {"year": 2012, "month": 7},
                "end": {"year": 2016, "month": 3},
            }],
            "schools": [{
                "org": "Savannah College of Art and Design",
                "degree": "",
                "field": "Graphic Design, Studio Arts",
                "summary": null,
                "start": {"year": 2006, "month": 9},
                "end": {"year": 2007, "month": 6},
            }],
        })
    );

    let (status, one) = get(&lever, &format!("/opportunities/{opp}/resumes/{resume_id}")).await;
    assert_eq!(status, 200);
    assert_eq!(&one["data"], parsed);

    let (_, list) = get(
        &lever,
        &format!("/opportunities/{opp}/resumes?uploaded_at_start=1005"),
    )
    .await;
    assert_eq!(ids(&list), vec![broken.clone()]);
    let (_, list) = get(
        &lever,
        &format!("/opportunities/{opp}/resumes?uploaded_at_end=1004"),
    )
    .await;
    assert_eq!(ids(&list), vec![resume_id.clone()], "inclusive");

    let (status, err) = get(&lever, &format!("/opportunities/{opp}/resumes/nope")).await;
    assert_eq!(status, 404);
    assert_eq!(err["code"], "ResourceNotFound");
    let (status, _) = get(&lever, "/opportunities/nope/resumes").await;
    assert_eq!(status, 404);

    lever.delete_opportunity(&opp).await;
    let (status, _) = get(&lever, &format!("/opportunities/{opp}/resumes")).await;
    assert_eq!(status, 404);
    let (status, _) = get(&lever, &format!("/opportunities/{opp}/resumes/{resume_id}")).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn posting_state_change_shows_in_the_state_filter() {
    let lever = lever().await;
    let open = lever.add_posting(NewPosting::new("Open").created_at(1_000));
    let draft = lever.add_posting(NewPosting::new("Draft").state("draft").created_at(2_000));

    let (_, body) = get(&lever, "/postings?state=published").await;
    assert_eq!(ids(&body), vec![open.clone()]);
    assert_eq!(body["data"][0]["createdAt"], json!(1_000));
    assert_eq!(body["data"][0]["state"], "published");
    let (_, before) = get(&lever, &format!("/postings/{draft}")).await;
    let draft_updated = before["data"]["updatedAt"].as_i64().unwrap();

    lever.set_posting_state(&draft, "published");
    let (_, after) = get(&lever, &format!("/postings/{draft}")).await;
    assert_eq!(after["data"]["state"], "published");
    assert_eq!(after["data"]["createdAt"], json!(2_000));
    assert!(after["data"]["updatedAt"].as_i64().unwrap() > draft_updated);
    let (_, body) = get(&lever, "/postings?state=published").await;
    let mut listed = ids(&body);
    listed.sort();
    let mut both = vec![open.clone(), draft.clone()];
    both.sort();
    assert_eq!(listed, both);

    lever.set_posting_state(&open, "closed");
    let (_, body) = get(&lever, "/postings?state=published").await;
    assert_eq!(ids(&body), vec![draft.clone()]);
    let (_, body) = get(&lever, "/postings?state=closed").await;
    assert_eq!(ids(&body), vec![open.clone()]);
    let (_, body) = get(&lever, "/postings?state=closed&state=published").await;
    assert_eq!(body["data"].as_array().unwrap().len(), 2);
}
