//! Provider callbacks over HTTP: ordering, duplicates, forgeries, rotation, results rendering.

use screenhub::config::TenantConfig;
use screenhub::domain::{OrderStatus, ProviderKind};
use screenhub::ports::Store;
use screenhub::ports::TenantSecrets;
use screenhub::ports::secrets::{ProviderSecrets, Secret};
use screenhub_sandbox::{Fault, Method};
use screenhub_tests::WorldOptions;
use screenhub_tests::scenario::{STATUS_PREFIX, Scenario};
use serde_json::json;

async fn pending(s: &Scenario) -> (String, String) {
    let opp = s.candidate(&[]);
    s.trigger(&opp).await;
    let order = s.alliance.orders().pop().expect("order placed");
    (opp, order.id)
}

fn result() -> serde_json::Value {
    json!({ "flag": false, "decision": "Eligible", "report_url": "https://reports.example/r/1", "summary": "No records found" })
}

#[tokio::test]
async fn in_order_callbacks_walk_the_status_tag_forward() {
    let s = Scenario::start().await;
    let (opp, id) = pending(&s).await;
    assert_eq!(
        s.alliance.advance(&id, "in_progress", None, None).await,
        200
    );
    s.world.settle().await;
    assert_eq!(
        s.status_tags(&opp),
        vec![format!("{STATUS_PREFIX}In Progress")]
    );
    assert_eq!(
        s.alliance
            .advance(&id, "complete", Some(result()), None)
            .await,
        200
    );
    s.world.settle().await;
    assert_eq!(
        s.status_tags(&opp),
        vec![format!("{STATUS_PREFIX}Complete")]
    );
    let tags = s.lever.tags(&opp);
    assert!(
        tags.contains(&"Flag: False".to_string())
            && tags.contains(&"Decision: Eligible".to_string()),
        "{tags:?}"
    );
    let notes = s.lever.notes(&opp);
    assert_eq!(notes.len(), 1);
    assert!(notes[0].secret);
    assert!(
        notes[0].value.contains("https://reports.example/r/1")
            && notes[0].value.contains("Decision: Eligible")
    );
}

#[tokio::test]
async fn duplicate_and_out_of_order_callbacks_change_nothing() {
    let s = Scenario::start().await;
    let (opp, id) = pending(&s).await;
    let complete = s
        .alliance
        .signed_callback(&id, "complete", Some(result()), None);
    let late_in_progress = s.alliance.signed_callback(&id, "in_progress", None, None);
    assert_eq!(s.alliance.send(&complete).await, 200);
    assert_eq!(
        s.alliance.send(&complete).await,
        200,
        "duplicate acknowledged"
    );
    assert_eq!(
        s.alliance.send(&late_in_progress).await,
        200,
        "late arrival acknowledged"
    );
    s.world.settle().await;
    assert_eq!(
        s.status_tags(&opp),
        vec![format!("{STATUS_PREFIX}Complete")]
    );
    assert_eq!(s.lever.notes(&opp).iter().filter(|n| n.secret).count(), 1);
    let order = s
        .world
        .store
        .find_by_provider_ref(&s.tenant, ProviderKind::Alliance2020, &id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(order.status, OrderStatus::Complete);
    // The trail: three changes, then the late report, refused as stale (duplicates of the
    // current status are not recorded).
    let trail = s.world.store.audit_trail(order.id).await.unwrap();
    let lines: Vec<_> = trail
        .iter()
        .map(|a| (a.to, a.version, a.refused.as_deref()))
        .collect();
    assert_eq!(
        lines,
        vec![
            (OrderStatus::Requested, 1, None),
            (OrderStatus::Pending, 2, None),
            (OrderStatus::Complete, 3, None),
            (OrderStatus::InProgress, 3, Some("stale")),
        ]
    );
    assert!(trail[3].cause.starts_with("provider_callback:"));
    // The same late message again is not recorded twice.
    assert_eq!(s.alliance.send(&late_in_progress).await, 200);
    assert_eq!(s.world.store.audit_trail(order.id).await.unwrap().len(), 4);
}

#[tokio::test]
async fn flag_and_decision_tags_stay_off_unless_enabled() {
    let s = Scenario::with(Default::default(), |a| {
        a.as_object_mut().unwrap().remove("flag_tag_prefix");
        a.as_object_mut().unwrap().remove("decision_tag_prefix");
    })
    .await;
    let (opp, id) = pending(&s).await;
    s.alliance
        .advance(&id, "complete", Some(result()), None)
        .await;
    s.world.settle().await;
    assert_eq!(s.lever.tags(&opp), vec![format!("{STATUS_PREFIX}Complete")]);
}

#[tokio::test]
async fn forged_stale_and_foreign_callbacks_are_refused() {
    let s = Scenario::start().await;
    let (opp, id) = pending(&s).await;
    let good = s
        .alliance
        .signed_callback(&id, "complete", Some(result()), None);
    let path = s.callback_path();

    let mut forged_body = good.clone();
    forged_body.body = serde_json::to_vec(
        &json!({"type": "order.status_changed", "order_id": id, "status": "complete"}),
    )
    .unwrap();
    let (status, reply) = s
        .world
        .post_raw(&path, &forged_body.headers, forged_body.body.clone())
        .await;
    assert_eq!(
        (status, reply["code"].as_str()),
        (403, Some("signature-invalid"))
    );

    let (status, reply) = s.world.post_raw(&path, &[], good.body.clone()).await;
    assert_eq!(
        (status, reply["code"].as_str()),
        (401, Some("signature-missing"))
    );

    s.alliance.set_clock_skew(-600);
    let stale = s
        .alliance
        .signed_callback(&id, "complete", Some(result()), None);
    s.alliance.set_clock_skew(0);
    let (status, reply) = s
        .world
        .post_raw(&path, &stale.headers, stale.body.clone())
        .await;
    assert_eq!(
        (status, reply["code"].as_str()),
        (422, Some("delivery-stale"))
    );

    // Correctly signed for this tenant, but sent to another tenant's URL.
    let other = Scenario::start().await;
    let (status, _) = other
        .world
        .post_raw(
            &format!("/callbacks/alliance2020/{}", other.tenant),
            &good.headers,
            good.body.clone(),
        )
        .await;
    assert_eq!(status, 403);

    s.world.settle().await;
    assert_eq!(s.status_tags(&opp), vec![format!("{STATUS_PREFIX}Pending")]);
}

#[tokio::test]
async fn a_rotated_callback_secret_is_picked_up_after_one_reread() {
    let s = Scenario::start().await;
    let (opp, id) = pending(&s).await;
    let new_secret = screenhub_sandbox::signing::new_whsec();
    let rotated = TenantSecrets {
        lever_api_key: Some(Secret::new(&s.lever_key)),
        lever_webhook_tokens: [(
            "candidateStageChange".to_owned(),
            Secret::new(&s.signature_token),
        )]
        .into(),
        alliance: Some(ProviderSecrets {
            api_key: Secret::new(&s.alliance_key),
            api_secret: None,
            callback_secrets: vec![Secret::new(&new_secret), Secret::new(&s.callback_secret)],
        }),
        backgrounds_online: None,
        accurate: None,
        operator_api_key: None,
        cornerstone: None,
        lever_connection: None,
    };
    screenhub_tests::update_secret(&s.world.secrets_prefix, &s.tenant, &rotated).await;
    s.alliance.add_account(&s.alliance_key, vec![new_secret]);
    assert_eq!(
        s.alliance.advance(&id, "in_progress", None, None).await,
        200
    );
    s.world.settle().await;
    assert_eq!(
        s.status_tags(&opp),
        vec![format!("{STATUS_PREFIX}In Progress")]
    );
}

#[tokio::test]
async fn another_tenants_valid_callback_naming_this_tenants_order_changes_nothing() {
    use screenhub::ports::Clock;
    let s = Scenario::start().await;
    let (opp, id) = pending(&s).await;
    let order = s.active_order(&opp).await.unwrap();
    // Tenant B, onboarded in the same table, with its own Alliance account and secret.
    let b = screenhub::domain::TenantId::parse(&screenhub_tests::unique("b-")).unwrap();
    let b_secret = screenhub_sandbox::signing::new_whsec();
    let config: TenantConfig = serde_json::from_value(json!({
        "id": b.as_str(), "name": "B",
        "lever": { "api_base": s.lever.base_url() },
        "alliance": { "api_base": s.alliance.base_url(), "trigger_stage_id": "x",
                      "client_code": "B", "product": { "default": "Standard" } }
    }))
    .unwrap();
    let secrets = TenantSecrets {
        alliance: Some(ProviderSecrets {
            api_key: Secret::new("b-key"),
            api_secret: None,
            callback_secrets: vec![Secret::new(&b_secret)],
        }),
        ..Default::default()
    };
    s.world.onboard(&config, &secrets).await;
    // B's callback, validly signed with B's secret, names A's order (both ids).
    let body = serde_json::to_vec(&json!({
        "type": "order.status_changed", "order_id": id,
        "client_reference": order.id.to_string(), "status": "complete",
        "occurred_at": "2026-12-01T00:00:00Z", "result": result()
    }))
    .unwrap();
    let ts = s.world.clock.now().unix_timestamp();
    let headers = vec![
        ("webhook-id".to_owned(), "msg_b1".to_owned()),
        ("webhook-timestamp".to_owned(), ts.to_string()),
        (
            "webhook-signature".to_owned(),
            screenhub_sandbox::signing::standard_webhooks_header(&[b_secret], "msg_b1", ts, &body),
        ),
    ];
    let (status, reply) = s
        .world
        .post_raw(&format!("/callbacks/alliance2020/{b}"), &headers, body)
        .await;
    assert_eq!(
        (status, reply["code"].as_str()),
        (404, Some("order-unknown")),
        "{reply}"
    );
    s.world.settle().await;
    assert_eq!(
        s.active_order(&opp).await.unwrap(),
        order,
        "A's order is untouched"
    );
    assert_eq!(s.status_tags(&opp), vec![format!("{STATUS_PREFIX}Pending")]);
}

#[tokio::test]
async fn the_quickapp_goes_out_by_the_tenants_chosen_channels() {
    let default = Scenario::start().await;
    pending(&default).await;
    assert_eq!(
        default.alliance.orders()[0].request["quickapp"],
        json!({ "email": true, "sms": false }),
        "email only unless configured"
    );
    let sms_only = Scenario::with(WorldOptions::default(), |a| {
        a["quickapp"] = json!({ "email": false, "sms": true });
    })
    .await;
    pending(&sms_only).await;
    assert_eq!(
        sms_only.alliance.orders()[0].request["quickapp"],
        json!({ "email": false, "sms": true })
    );
}

#[tokio::test]
async fn an_order_the_provider_refuses_is_rejected_with_its_reason() {
    let s = Scenario::start().await;
    s.alliance
        .set_products(&s.alliance_key, ["Executive Package"]);
    let opp = s.candidate(&[]);
    s.trigger(&opp).await;
    assert!(s.alliance.orders().is_empty());
    let order = s.orders_of(&opp).await.pop().unwrap();
    assert_eq!(order.status, OrderStatus::Rejected);
    let reason = order.reason.clone().unwrap_or_default();
    assert!(reason.contains("Unknown product: Standard"), "{reason}");
    assert_eq!(
        s.status_tags(&opp),
        vec![format!("{STATUS_PREFIX}Rejected")]
    );
    let notes = s.lever.notes(&opp);
    assert_eq!(notes.len(), 1);
    assert!(notes[0].value.contains("Unknown product: Standard") && !notes[0].secret);
    assert!(
        s.active_order(&opp).await.is_none(),
        "a new attempt may start"
    );
}

#[tokio::test]
async fn lever_failing_after_every_retry_puts_the_order_in_error() {
    let s = Scenario::start().await;
    let opp = s.candidate(&[]);
    // Every read of the opportunity fails while the order is being placed: 3 dispatcher
    // attempts of 4 tries each.
    s.lever.inject(
        Fault::status(503, 12)
            .method(Method::GET)
            .path_contains(format!("/opportunities/{opp}")),
    );
    s.trigger(&opp).await;
    assert!(
        s.alliance.requests().is_empty(),
        "nothing reached the provider"
    );
    let order = s.orders_of(&opp).await.pop().unwrap();
    assert_eq!(order.status, OrderStatus::Error);
    assert_eq!(s.status_tags(&opp), vec![format!("{STATUS_PREFIX}Error")]);
    let notes = s.lever.notes(&opp);
    assert_eq!(notes.len(), 1);
    assert!(
        notes[0].value.contains("failed after several retries"),
        "{}",
        notes[0].value
    );
    let letters = s.world.store.dead_letters(100).await.unwrap();
    assert_eq!(
        letters.iter().filter(|l| l.item.tenant == s.tenant).count(),
        1
    );
}

#[tokio::test]
async fn signed_callbacks_that_make_no_sense_are_refused_and_change_nothing() {
    use screenhub::ports::Clock;
    let s = Scenario::start().await;
    let (opp, _) = pending(&s).await;
    let before = s.active_order(&opp).await.unwrap();
    let signed = |body: serde_json::Value| {
        let body = serde_json::to_vec(&body).unwrap();
        let ts = s.world.clock.now().unix_timestamp();
        let id = screenhub_tests::unique("msg_");
        let sig = screenhub_sandbox::signing::standard_webhooks_header(
            std::slice::from_ref(&s.callback_secret),
            &id,
            ts,
            &body,
        );
        let headers = vec![
            ("webhook-id".to_owned(), id),
            ("webhook-timestamp".to_owned(), ts.to_string()),
            ("webhook-signature".to_owned(), sig),
        ];
        (headers, body)
    };
    for (body, status, code) in [
        (json!({ "unexpected": true }), 400, "body-malformed"),
        (json!([1, 2]), 400, "body-malformed"),
        (
            json!({ "type": "order.status_changed", "order_id": "A20-NOPE", "status": "complete",
                    "occurred_at": "2026-12-01T00:00:00Z" }),
            404,
            "order-unknown",
        ),
        (
            json!({ "type": "order.status_changed", "order_id": "../x", "status": "complete",
                    "occurred_at": "2026-12-01T00:00:00Z" }),
            400,
            "id-invalid",
        ),
    ] {
        let (headers, body) = signed(body);
        let (got, reply) = s.world.post_raw(&s.callback_path(), &headers, body).await;
        assert_eq!(
            (got, reply["code"].as_str()),
            (status, Some(code)),
            "{reply}"
        );
    }
    s.world.settle().await;
    assert_eq!(s.active_order(&opp).await.unwrap(), before);
}
