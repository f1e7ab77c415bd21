//! Every sample in `events/` reaches its function's handler (`screenhub::lambda`, what the
//! deployed `main`s run) and gets the answer the README promises, once re-signed with
//! `events/resign.py` (signed samples go stale by design).

use lambda_runtime::{Context, LambdaEvent};
use screenhub::api::Endpoint;
use screenhub::config::TenantConfig;
use screenhub::domain::{ProviderKind, TenantId};
use screenhub::lambda;
use screenhub::ports::Store;
use screenhub::ports::TenantSecrets;
use screenhub::ports::secrets::{
    CornerstoneSecrets, PartnerSecrets, PaylocityPartner, ProviderSecrets, Secret,
};
use screenhub_cli::demo;
use screenhub_sandbox::FakeLever;
use screenhub_tests::paylocity_scenario::put_partner_secret;
use screenhub_tests::{World, WorldOptions, repo_root};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::process::Command;

/// A copy of `events/`, its HTTP samples re-signed with the current time.
fn resigned_samples() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("screenhub-events-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    for entry in std::fs::read_dir(repo_root().join("events")).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.join(path.file_name().unwrap())).unwrap();
    }
    let status = Command::new("python3")
        .arg(dir.join("resign.py"))
        .status()
        .expect("python3 runs resign.py");
    assert!(status.success());
    dir
}

fn context() -> Context {
    let mut ctx = Context::default();
    ctx.deadline = (time::OffsetDateTime::now_utc().unix_timestamp() as u64 + 60) * 1000;
    ctx
}

async fn onboard_demo(world: &World, lever: &FakeLever) {
    lever.add_api_key(demo::LEVER_KEY);
    // With the portal of `screenhub local` (its fake Cornerstone's default address), whose
    // callback origin the Cornerstone sample's CallbackUrl is on.
    let config: TenantConfig = demo::with_portal(
        demo::demo_tenant(
            &lever.base_url(),
            "http://127.0.0.1:9",
            "http://127.0.0.1:9",
            "http://127.0.0.1:9",
        ),
        "http://127.0.0.1:4006",
    )
    .expect("the demo tenant with its portal");
    let secrets = TenantSecrets {
        lever_api_key: Some(Secret::new(demo::LEVER_KEY)),
        lever_webhook_tokens: [
            (
                "candidateStageChange".to_owned(),
                Secret::new("demo-signature-token"),
            ),
            (
                "candidateDeleted".to_owned(),
                Secret::new("demo-deletion-token"),
            ),
        ]
        .into(),
        alliance: Some(ProviderSecrets {
            api_key: Secret::new(demo::ALLIANCE_KEY),
            api_secret: None,
            callback_secrets: vec![Secret::new(demo::CALLBACK_SECRET)],
        }),
        backgrounds_online: Some(ProviderSecrets {
            api_key: Secret::new(demo::BO_KEY),
            api_secret: None,
            callback_secrets: vec![Secret::new(demo::BO_CALLBACK_SECRET)],
        }),
        accurate: Some(ProviderSecrets {
            api_key: Secret::new(demo::ACCURATE_KEY),
            api_secret: Some(Secret::new(demo::ACCURATE_SECRET)),
            callback_secrets: vec![Secret::new(demo::ACCURATE_CALLBACK_SECRET)],
        }),
        operator_api_key: Some(Secret::new(demo::OPERATOR_KEY)),
        cornerstone: Some(CornerstoneSecrets {
            password: Secret::new(demo::CORNERSTONE_PASSWORD),
            status_password: None,
        }),
        lever_connection: None,
    };
    world.onboard(&config, &secrets).await;
    let partner = PartnerSecrets {
        paylocity: Some(PaylocityPartner {
            api_base: "http://127.0.0.1:9".into(),
            token_url: "http://127.0.0.1:9/token".into(),
            client_id: demo::PAYLOCITY_CLIENT.into(),
            client_secret: Secret::new(demo::PAYLOCITY_SECRET),
            api_keys: vec![Secret::new(demo::PAYLOCITY_API_KEY)],
        }),
        // The deployment's Lever app, for the connect function.
        lever: Some(demo::lever_app(lever)),
    };
    put_partner_secret(&world.secrets_prefix, &partner).await;
    // The tenant of `screenhub local` that connects its Lever account by OAuth.
    world
        .onboard(
            &demo::oauth_tenant(&lever.base_url(), "http://127.0.0.1:9"),
            &demo::oauth_tenant_secrets(),
        )
        .await;
}

async fn http(world: &World, route: Endpoint, file: &Path) -> (u16, Value) {
    let text = std::fs::read_to_string(file).unwrap();
    let req = lambda_http::request::from_str(&text).expect("an API Gateway event");
    let resp = lambda::http(&world.hub, route, req).await;
    let status = resp.status().as_u16();
    let body = match resp.body() {
        lambda_http::Body::Text(t) => t.as_bytes().to_vec(),
        lambda_http::Body::Binary(b) => b.clone(),
        _ => Vec::new(),
    };
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

/// One API Gateway request to a function serving several routes (the Lever connect one).
async fn http_routed(world: &World, file: &Path) -> (u16, String, Value) {
    let text = std::fs::read_to_string(file).unwrap();
    let req = lambda_http::request::from_str(&text).expect("an API Gateway event");
    let resp = lambda::http_routed(&world.hub, req).await;
    let status = resp.status().as_u16();
    let content_type = resp
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = match resp.body() {
        lambda_http::Body::Text(t) => t.as_bytes().to_vec(),
        lambda_http::Body::Binary(b) => b.clone(),
        _ => Vec::new(),
    };
    (
        status,
        content_type,
        serde_json::from_slice(&body).unwrap_or(Value::Null),
    )
}

fn payload(file: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(file).unwrap()).unwrap()
}

#[tokio::test]
async fn every_sample_event_reaches_its_handler() {
    let dir = resigned_samples();
    let world = World::start(WorldOptions::default()).await;
    let lever = FakeLever::start().await;
    onboard_demo(&world, &lever).await;
    let mut covered = Vec::new();
    let mut samples: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    samples.sort();
    for file in &samples {
        let name = file.file_name().unwrap().to_str().unwrap().to_owned();
        let ctx = context();
        match name.as_str() {
            "lever-webhook.json" => {
                let (status, body) = http(&world, Endpoint::LeverWebhook, file).await;
                assert_eq!(
                    (status, &body["status"]),
                    (200, &json!("accepted")),
                    "{body}"
                );
            }
            "lever-candidate-deleted.json" => {
                let (status, body) = http(&world, Endpoint::LeverWebhook, file).await;
                assert_eq!(
                    (status, &body["status"]),
                    (200, &json!("accepted")),
                    "{body}"
                );
            }
            "alliance-callback.json" => {
                // Signature accepted; the sample's order is not in this store.
                let (status, body) = http(
                    &world,
                    Endpoint::ProviderCallback(ProviderKind::Alliance2020),
                    file,
                )
                .await;
                assert_eq!(
                    (status, &body["code"]),
                    (404, &json!("order-unknown")),
                    "{body}"
                );
            }
            "backgrounds-online-callback.json" => {
                let (status, body) = http(
                    &world,
                    Endpoint::ProviderCallback(ProviderKind::BackgroundsOnline),
                    file,
                )
                .await;
                assert_eq!(
                    (status, &body["code"]),
                    (404, &json!("order-unknown")),
                    "{body}"
                );
            }
            "accurate-callback.json" => {
                let (status, body) = http(
                    &world,
                    Endpoint::ProviderCallback(ProviderKind::Accurate),
                    file,
                )
                .await;
                assert_eq!(
                    (status, &body["code"]),
                    (404, &json!("order-unknown")),
                    "{body}"
                );
            }
            "cornerstone-packages.json" => {
                let (status, body) = http(&world, Endpoint::CornerstonePackages, file).await;
                assert_eq!(status, 200, "{body}");
                assert_eq!(body[0]["Id"], demo::CORNERSTONE_PACKAGE, "{body}");
            }
            "cornerstone-initiate.json" => {
                let (status, body) = http(&world, Endpoint::CornerstoneInitiate, file).await;
                assert_eq!((status, &body["HasErrors"]), (200, &json!(false)), "{body}");
                let reference = body["ProviderReferenceId"].clone();
                assert!(reference.is_string(), "{body}");
                // Sent again (a redelivery): the same reference, nothing new.
                let (status, again) = http(&world, Endpoint::CornerstoneInitiate, file).await;
                assert_eq!((status, &again["ProviderReferenceId"]), (200, &reference));
                let orders = world
                    .store
                    .orders_of_opportunity(&TenantId::parse(demo::TENANT).unwrap(), "csod-demo-1")
                    .await
                    .unwrap();
                assert_eq!(orders.len(), 1, "one order");
            }
            "paylocity-order.json" => {
                let (status, body) = http(&world, Endpoint::PaylocityOrders, file).await;
                assert_eq!(
                    (status, &body["status"]),
                    (201, &json!("accepted")),
                    "{body}"
                );
                // The same order delivered again is acknowledged, nothing new.
                let (status, body) = http(&world, Endpoint::PaylocityOrders, file).await;
                assert_eq!(
                    (status, &body["status"]),
                    (200, &json!("duplicate")),
                    "{body}"
                );
            }
            "adverse-action.json" => {
                // The operator key is accepted; the sample's order is not in this store.
                let (status, body) = http(&world, Endpoint::AdverseAction, file).await;
                assert_eq!(
                    (status, &body["code"]),
                    (404, &json!("order-unknown")),
                    "{body}"
                );
            }
            "dynamodb-stream-outbox.json" => {
                // Its record reads as an outbox item...
                let event: aws_lambda_events::dynamodb::Event =
                    serde_json::from_value(payload(file)).unwrap();
                for record in &event.records {
                    let item = screenhub::stream::outbox_item(record).expect("an outbox INSERT");
                    assert!(item.is_ok(), "{item:?}");
                }
                // ...which is not in this store: skipped as already done.
                let out =
                    lambda::dispatcher(&world.dispatcher, LambdaEvent::new(payload(file), ctx))
                        .await
                        .unwrap();
                assert_eq!(out, json!({ "batchItemFailures": [] }));
            }
            "scheduled-redrive.json" => {
                let out =
                    lambda::dispatcher(&world.dispatcher, LambdaEvent::new(payload(file), ctx))
                        .await
                        .unwrap();
                assert!(out["redriven"].is_u64(), "{out}");
            }
            "scheduled-poll.json" => {
                let out = lambda::tag_poll(&world.poll, LambdaEvent::new(payload(file), ctx))
                    .await
                    .unwrap();
                assert!(out.is_object(), "{out}");
            }
            "scheduled-fiilter.json" | "scheduled-arkive.json" | "scheduled-refine.json" => {
                use screenhub::domain::ats::lever_passes::Pass;
                let pass = match name.as_str() {
                    "scheduled-fiilter.json" => Pass::Fiilter,
                    "scheduled-arkive.json" => Pass::Arkive,
                    _ => Pass::Refine,
                };
                let out = lambda::pass(&world.passes, pass, LambdaEvent::new(payload(file), ctx))
                    .await
                    .unwrap();
                assert_eq!(out["pass"], pass.as_str(), "{out}");
            }
            "lever-connect-callback.json" => {
                // Lever's redirect back with a state the hub never issued: refused, nothing
                // traded with Lever.
                let (status, ct, body) = http_routed(&world, file).await;
                assert_eq!(
                    (status, ct.as_str(), &body["code"]),
                    (400, "application/problem+json", &json!("state-invalid")),
                    "{body}"
                );
                assert_eq!(lever.token_requests("authorization_code"), 0);
            }
            "lever-connection.json" => {
                let (status, _, body) = http_routed(&world, file).await;
                assert_eq!(status, 200, "{body}");
                assert_eq!(
                    (&body["tenant"], &body["method"], &body["status"]),
                    (
                        &json!(demo::OAUTH_TENANT),
                        &json!("oauth"),
                        &json!("not_connected")
                    ),
                    "{body}"
                );
            }
            "scheduled-lever-grant-refresh.json" => {
                let refresh = world.parts.grant_refresh();
                let out =
                    lambda::lever_grant_refresh(&refresh, LambdaEvent::new(payload(file), ctx))
                        .await
                        .unwrap();
                assert!(out["refreshed"].is_u64(), "{out}");
            }
            "scheduled-status-poll.json" => {
                let out =
                    lambda::status_poll(&world.status_poll, LambdaEvent::new(payload(file), ctx))
                        .await
                        .unwrap();
                assert_eq!(out["cut_short"], false, "{out}");
            }
            "scheduled-sweep.json" => {
                let out = lambda::expiry_sweep(&world.sweep, LambdaEvent::new(payload(file), ctx))
                    .await
                    .unwrap();
                assert!(out.is_object(), "{out}");
            }
            other => panic!("events/{other} has no handler test: add one"),
        }
        covered.push(name);
    }
    assert_eq!(covered.len(), 20, "{covered:?}");
    // The health route the README promises is the Lever webhook function's.
    let health = lambda_http::request::from_str(
        &std::fs::read_to_string(dir.join("lever-webhook.json"))
            .unwrap()
            .replace("/lever/webhooks/demo", "/health"),
    )
    .unwrap();
    let resp = lambda::http(&world.hub, Endpoint::LeverWebhook, health).await;
    assert_eq!(resp.status().as_u16(), 200);
    std::fs::remove_dir_all(&dir).ok();
}
