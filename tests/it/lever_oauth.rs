//! Connecting a Lever account the way partner apps are connected: a Super Admin authorizes
//! the hub, the hub keeps the grant fresh (one refresher at a time, and before Lever's idle
//! expiry), notices a revoked grant (the tenant's effects wait), and resumes on reconnect with
//! every queued effect delivered once; its webhooks are registered with their tokens.

use screenhub::domain::OrderStatus;
use screenhub::ports::Store;
use screenhub::ports::lever::{LeverAccount, LeverApi, LeverCredential};
use screenhub_sandbox::lever::AuthorizingUser;
use screenhub_tests::scenario::{STATUS_PREFIX, Scenario, TRIGGER};
use serde_json::Value;
use std::collections::BTreeSet;
use time::Duration;

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

fn location(resp: &reqwest::Response) -> String {
    resp.headers()
        .get("location")
        .expect("a redirect")
        .to_str()
        .unwrap()
        .to_owned()
}

/// The operator starts the connection: Lever's authorize URL.
async fn start(s: &Scenario) -> String {
    let resp = browser()
        .get(format!(
            "{}/operator/lever/{}/connect",
            s.world.hub_url, s.tenant
        ))
        .bearer_auth(&s.operator_key)
        .send()
        .await
        .unwrap();
    if resp.status() != 302 {
        panic!(
            "{}: {}",
            resp.status(),
            resp.text().await.unwrap_or_default()
        );
    }
    location(&resp)
}

/// The Super Admin's browser at Lever's authorize page: where Lever sends it back.
async fn at_lever(authorize_url: &str) -> String {
    let resp = browser().get(authorize_url).send().await.unwrap();
    assert_eq!(
        resp.status(),
        302,
        "{}",
        resp.text().await.unwrap_or_default()
    );
    location(&resp)
}

/// The browser back at the hub: status, content type, body.
async fn back_at_hub(callback: &str, json: bool) -> (u16, String, String) {
    let mut req = browser().get(callback);
    if json {
        req = req.header("accept", "application/json");
    }
    let resp = req.send().await.unwrap();
    let status = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, ct, resp.text().await.unwrap())
}

/// The whole flow, as a Super Admin would go through it; the hub's JSON answer.
async fn connect(s: &Scenario) -> Value {
    let callback = at_lever(&start(s).await).await;
    let (status, ct, body) = back_at_hub(&callback, true).await;
    assert_eq!((status, ct.as_str()), (200, "application/json"), "{body}");
    serde_json::from_str(&body).unwrap()
}

async fn connection(s: &Scenario) -> Value {
    browser()
        .get(format!(
            "{}/operator/lever/{}/connection",
            s.world.hub_url, s.tenant
        ))
        .bearer_auth(&s.operator_key)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

fn oauth_account(s: &Scenario) -> LeverAccount {
    LeverAccount {
        credential: LeverCredential::OAuth,
        ..LeverAccount::with_api_key(
            s.tenant.clone(),
            s.lever.base_url(),
            screenhub::ports::Secret::default(),
        )
    }
}

fn events(v: &Value) -> BTreeSet<String> {
    v["webhooks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["event"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_super_admin_authorizes_the_hub_and_lever_itself_then_drives_an_order() {
    let s = Scenario::with_oauth().await;
    let done = connect(&s).await;
    assert_eq!(done["status"], "connected");
    assert_eq!(
        events(&done),
        BTreeSet::from(["candidateDeleted".into(), "candidateStageChange".into()])
    );
    let shown = connection(&s).await;
    assert_eq!(
        (shown["method"].as_str(), shown["status"].as_str()),
        (Some("oauth"), Some("connected"))
    );
    let scopes: Vec<&str> = shown["scopes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for needed in [
        "offline_access",
        "webhooks:write:admin",
        "notes:write:admin",
    ] {
        assert!(scopes.contains(&needed), "{scopes:?}");
    }
    let grant = &s.lever.grants()[0];
    assert!(grant.has_scope("opportunities:write:admin"));

    // Nobody copied a token: Lever delivers the stage change signed with the token the hub
    // was given when it created the webhook, and the hub works with the grant's tokens.
    let opp = s.candidate(&[]);
    let deliveries = s.lever.move_stage(&opp, TRIGGER).await;
    assert_eq!(deliveries.len(), 1);
    assert_eq!(deliveries[0].status, 200, "{:?}", deliveries[0].body);
    s.world.settle().await;
    assert_eq!(s.alliance.orders().len(), 1);
    assert!(
        s.status_tags(&opp)
            .iter()
            .any(|t| t.starts_with(STATUS_PREFIX)),
        "{:?}",
        s.lever.tags(&opp)
    );
    // A forged delivery is still refused.
    let forged = s.stage_change(&opp, TRIGGER, s.now_ms());
    let (status, body) = s.world.post_json(&s.webhook_path(), &forged).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("signature-invalid"))
    );
}

#[tokio::test]
async fn a_forged_replayed_or_expired_state_is_refused_and_connects_nothing() {
    let s = Scenario::with_oauth().await;
    let callback = at_lever(&start(&s).await).await;

    // Forged: the state's payload swapped for another tenant's, signature kept.
    let (head, tail) = callback.split_once("state=").unwrap();
    let state = tail.split('&').next().unwrap();
    // The payload changed by one character (another tenant, nonce or expiry), the
    // signature kept.
    let mut parts: Vec<String> = state.split('.').map(str::to_owned).collect();
    let flipped = if parts[1].starts_with('e') { "f" } else { "e" };
    parts[1].replace_range(0..1, flipped);
    let forged = format!("{head}state={}{}", parts.join("."), &tail[state.len()..]);
    let (status, ct, body) = back_at_hub(&forged, true).await;
    assert_eq!(
        (status, ct.as_str()),
        (400, "application/problem+json"),
        "{body}"
    );
    assert!(body.contains("state-invalid"), "{body}");
    assert_eq!(connection(&s).await["status"], "not_connected");

    // The real one works once; the same link again is refused, and Lever's code is traded once.
    let (status, _, _) = back_at_hub(&callback, true).await;
    assert_eq!(status, 200);
    let (status, _, body) = back_at_hub(&callback, true).await;
    assert_eq!(status, 409, "{body}");
    assert!(body.contains("state-reused"));
    assert_eq!(s.lever.token_requests("authorization_code"), 1);

    // Expired: a link older than 15 minutes.
    let late = at_lever(&start(&s).await).await;
    s.world.clock.advance(Duration::minutes(16));
    let (status, _, body) = back_at_hub(&late, true).await;
    assert_eq!(status, 400, "{body}");
    assert!(body.contains("state-expired"), "{body}");
    assert_eq!(s.lever.token_requests("authorization_code"), 1);
}

#[tokio::test]
async fn every_refusal_ends_on_a_page_that_says_what_to_do() {
    let s = Scenario::with_oauth().await;
    s.lever.authorizing_user(AuthorizingUser::NotSuperAdmin);
    let callback = at_lever(&start(&s).await).await;
    assert!(callback.contains("error=access_denied"), "{callback}");
    let (status, ct, page) = back_at_hub(&callback, false).await;
    assert_eq!(
        (status, ct.as_str()),
        (403, "text/html; charset=utf-8"),
        "{page}"
    );
    assert!(
        page.contains("Only a Lever Super Admin can authorize"),
        "{page}"
    );
    assert_eq!(connection(&s).await["status"], "not_connected");

    s.lever.authorizing_user(AuthorizingUser::Deny);
    let callback = at_lever(&start(&s).await).await;
    let (status, ct, body) = back_at_hub(&callback, true).await;
    assert_eq!((status, ct.as_str()), (403, "application/problem+json"));
    assert!(body.contains("lever-refused"), "{body}");

    // A wrong operator key starts nothing.
    let resp = browser()
        .get(format!(
            "{}/operator/lever/{}/connect",
            s.world.hub_url, s.tenant
        ))
        .bearer_auth("not-the-key")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
    assert!(resp.headers().get("location").is_none());

    // A tenant connected by API key is told how to switch.
    let keyed = Scenario::start().await;
    let resp = browser()
        .get(format!(
            "{}/operator/lever/{}/connect",
            keyed.world.hub_url, keyed.tenant
        ))
        .bearer_auth(&keyed.operator_key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 409);
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["code"], "lever-not-oauth");
    assert!(body["detail"].as_str().unwrap().contains("connection"));
}

#[tokio::test]
async fn two_containers_refreshing_at_once_both_end_with_a_working_token() {
    let s = Scenario::with_oauth().await;
    connect(&s).await;
    let opp = s.candidate(&[]);
    // Both containers have used the grant, then the access token expires.
    let (a, b) = (
        s.world.another_container().await,
        s.world.another_container().await,
    );
    let acct = oauth_account(&s);
    a.lever.get_opportunity(&acct, &opp).await.unwrap();
    b.lever.get_opportunity(&acct, &opp).await.unwrap();
    s.world.clock.advance(Duration::minutes(61));

    let (ra, rb) = tokio::join!(
        a.lever.get_opportunity(&acct, &opp),
        b.lever.get_opportunity(&acct, &opp)
    );
    ra.expect("container a");
    rb.expect("container b");
    // One refresh: a second use of the rotated refresh token would have made Lever revoke
    // the grant.
    assert_eq!(s.lever.token_requests("refresh_token"), 1);
    assert!(s.lever.grants().iter().all(|g| !g.revoked));
    // And the next hour's refresh still works (the newest refresh token was kept).
    s.world.clock.advance(Duration::minutes(61));
    a.lever.get_opportunity(&acct, &opp).await.unwrap();
    b.lever.get_opportunity(&acct, &opp).await.unwrap();
    assert_eq!(s.lever.token_requests("refresh_token"), 2);
}

#[tokio::test]
async fn a_quiet_tenant_is_refreshed_before_lever_forgets_its_grant() {
    let s = Scenario::with_oauth().await;
    connect(&s).await;
    let refresh = s.world.parts.grant_refresh();
    // Nothing is due the day after connecting.
    s.world.clock.advance(Duration::days(1));
    let report = refresh.run(None).await.unwrap();
    assert_eq!((report.refreshed, report.not_due), (0, 1));
    // A daily schedule over 120 quiet days: Lever would forget a grant idle for 90.
    for _ in 0..120 {
        s.world.clock.advance(Duration::days(1));
        refresh.run(None).await.unwrap();
    }
    let refreshes = s.lever.token_requests("refresh_token");
    assert!((17..=18).contains(&refreshes), "{refreshes} refreshes");
    let opp = s.candidate(&[]);
    s.world
        .another_container()
        .await
        .lever
        .get_opportunity(&oauth_account(&s), &opp)
        .await
        .expect("still connected after 121 quiet days");
}

#[tokio::test]
async fn a_revoked_grant_parks_the_tenants_effects_until_it_reconnects_then_each_happens_once() {
    let s = Scenario::with_oauth().await;
    connect(&s).await;
    let opp = s.candidate(&[]);
    s.world.clock.advance(Duration::minutes(61));
    assert_eq!(
        s.lever
            .revoke_authorized_app(&s.lever.grants()[0].client_id),
        1
    );

    // Lever still delivers the stage change (the app's webhooks keep firing); the order is
    // opened, but nothing can be read from or written to Lever.
    let deliveries = s.lever.move_stage(&opp, TRIGGER).await;
    assert_eq!(deliveries[0].status, 200);
    for _ in 0..6 {
        s.world.dispatcher.drain(100).await.unwrap();
    }
    assert_eq!(connection(&s).await["status"], "disconnected");
    let order = s.active_order(&opp).await.expect("the order is open");
    assert_eq!(order.status, OrderStatus::Requested);
    assert!(
        s.alliance.orders().is_empty(),
        "nothing ordered unconfirmed"
    );
    assert!(
        s.world.store.dead_letters(10).await.unwrap().is_empty(),
        "waiting, not dead-lettered, however many runs pass"
    );
    assert_eq!(s.world.store.pending_outbox(10).await.unwrap().len(), 1);
    // Lever was asked for a new token once, not on every run.
    assert_eq!(s.lever.token_requests("refresh_token"), 1);

    // A Super Admin authorizes the hub again: the waiting effect is performed, once.
    s.lever.authorizing_user(AuthorizingUser::SuperAdmin);
    let again = connect(&s).await;
    assert_eq!(again["status"], "connected");
    s.world.settle().await;
    assert_eq!(s.alliance.orders().len(), 1);
    let order = s
        .active_order(&opp)
        .await
        .expect("still open at the provider");
    assert_ne!(order.status, OrderStatus::Requested);
    s.world.settle().await;
    assert_eq!(s.alliance.orders().len(), 1);
    assert!(s.world.store.dead_letters(10).await.unwrap().is_empty());
}

#[tokio::test]
async fn reconnecting_reuses_the_hubs_webhooks_and_replaces_ones_it_cannot_verify() {
    let s = Scenario::with_oauth().await;
    let first = connect(&s).await;
    let ids = |v: &Value| -> BTreeSet<String> {
        v["webhooks"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let second = connect(&s).await;
    assert_eq!(
        ids(&first),
        ids(&second),
        "found and reused, not created again"
    );

    // A webhook to the hub's URL whose token the hub never saw (made by hand in Lever).
    s.lever.subscribe(
        format!("{}{}", s.world.hub_url, s.webhook_path()),
        "candidateDeleted",
    );
    disconnect_keeping_lever_hooks(&s).await;
    let third = connect(&s).await;
    assert_eq!(third["webhooks"].as_array().unwrap().len(), 2);
    // Every webhook to the hub is one the hub holds the token of: Lever's deliveries verify.
    let opp = s.candidate(&[]);
    let deliveries = s.lever.delete_opportunity(&opp).await;
    assert!(!deliveries.is_empty());
    assert!(
        deliveries.iter().all(|d| d.status == 200),
        "{:?}",
        deliveries.iter().map(|d| d.status).collect::<Vec<_>>()
    );
}

/// Forget the grant and the record (as if the hub's state were lost) while the webhooks stay
/// in Lever.
async fn disconnect_keeping_lever_hooks(s: &Scenario) {
    let parts = &s.world.parts;
    parts
        .secrets
        .put_lever_connection(&s.tenant, None)
        .await
        .unwrap();
    parts
        .lever_oauth
        .connections()
        .delete_lever_connection(&s.tenant)
        .await
        .unwrap();
    parts.lever_oauth.forget(&s.tenant);
}

#[tokio::test]
async fn disconnecting_deletes_the_hubs_webhooks_and_forgets_the_grant() {
    let s = Scenario::with_oauth().await;
    connect(&s).await;
    let resp = browser()
        .delete(format!(
            "{}/operator/lever/{}/connection",
            s.world.hub_url, s.tenant
        ))
        .bearer_auth(&s.operator_key)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert_eq!(connection(&s).await["status"], "not_connected");
    let opp = s.candidate(&[]);
    assert!(
        s.lever.move_stage(&opp, TRIGGER).await.is_empty(),
        "no webhook left to deliver"
    );
    let err = s
        .world
        .another_container()
        .await
        .lever
        .get_opportunity(&oauth_account(&s), &opp)
        .await
        .unwrap_err();
    assert!(
        matches!(err, screenhub::ports::LeverError::Disconnected(_)),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_cli_shows_starts_and_disconnects_a_connection_without_printing_a_token() {
    use screenhub_cli::lever;
    let s = Scenario::with_oauth().await;
    let parts = &s.world.parts;
    let shown = lever::show(parts, &s.tenant).await.unwrap();
    assert_eq!(
        (shown["method"].as_str(), shown["status"].as_str()),
        (Some("oauth"), Some("not_connected"))
    );

    // `screenhub lever connect`: the authorize URL on its own line, the scopes, what to do.
    let text = lever::connect(parts, &s.tenant, &format!("{}/", s.world.hub_url))
        .await
        .unwrap();
    let url = text
        .lines()
        .map(str::trim)
        .find(|l| l.starts_with(&s.lever.oauth_authorize_url()))
        .unwrap_or_else(|| panic!("no authorize URL in:\n{text}"));
    for said in [
        "offline_access",
        "webhooks:write:admin",
        "Super Admin opens this URL and clicks Accept",
        "switch on the webhook groups in Lever",
        &format!("{}/lever/oauth/callback", s.world.hub_url),
    ] {
        assert!(text.contains(said), "{said:?} missing from:\n{text}");
    }
    // The URL the CLI printed is one the hub accepts back: the Super Admin consents.
    let callback = at_lever(url).await;
    let (status, _, body) = back_at_hub(&callback, true).await;
    assert_eq!(status, 200, "{body}");

    let shown = lever::show(parts, &s.tenant).await.unwrap();
    assert_eq!(shown["status"], "connected", "{shown}");
    assert_eq!(
        events(&shown),
        BTreeSet::from(["candidateDeleted".into(), "candidateStageChange".into()])
    );
    assert!(shown["access_expires_at"].is_string(), "{shown}");
    let grant = parts
        .secrets
        .refresh(&s.tenant)
        .await
        .unwrap()
        .and_then(|t| t.lever_connection)
        .expect("the grant is stored");
    let printed = shown.to_string();
    for token in [grant.access_token.expose(), grant.refresh_token.expose()] {
        assert!(!printed.contains(token), "a token was shown: {printed}");
    }

    // A tenant connected by API key is told how to switch, and nothing is started.
    let keyed = Scenario::start().await;
    let err = lever::connect(&keyed.world.parts, &keyed.tenant, &keyed.world.hub_url)
        .await
        .unwrap_err();
    assert!(err.to_string().contains("ats.lever.connection"), "{err}");

    let text = lever::disconnect(parts, &s.tenant, &s.world.hub_url)
        .await
        .unwrap();
    assert!(text.contains("2 webhook(s)"), "{text}");
    assert!(
        text.contains("Settings → Integrations and API → Authorized Apps"),
        "{text}"
    );
    assert_eq!(
        lever::show(parts, &s.tenant).await.unwrap()["status"],
        "not_connected"
    );
    let opp = s.candidate(&[]);
    assert!(
        s.lever.move_stage(&opp, TRIGGER).await.is_empty(),
        "the hub's webhooks were deleted in Lever"
    );
}

#[tokio::test]
async fn the_local_demo_connects_lever_by_oauth_as_it_prints_and_a_stage_move_reaches_the_hub() {
    use screenhub_cli::demo;
    let run = screenhub_tests::start_local_demo().await;
    let hub = &run.hub_url;
    let connect_url = format!("{hub}/operator/lever/{}/connect", demo::OAUTH_TENANT);
    let connection_url = format!("{hub}/operator/lever/{}/connection", demo::OAUTH_TENANT);
    let printed = demo::oauth_walkthrough(&run);
    for said in [
        format!(
            "curl -si -H 'Authorization: Bearer {}' {connect_url}",
            demo::OAUTH_OPERATOR_KEY
        ),
        format!(
            "curl -s -H 'Authorization: Bearer {}' {connection_url}",
            demo::OAUTH_OPERATOR_KEY
        ),
        format!("{}/stage", run.oauth_candidate),
    ] {
        assert!(printed.contains(&said), "{said:?} missing from:\n{printed}");
    }

    // The printed flow: start (302 to Lever's authorize page)…
    let resp = browser()
        .get(&connect_url)
        .bearer_auth(demo::OAUTH_OPERATOR_KEY)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 302);
    let authorize = location(&resp);
    assert!(
        authorize.starts_with(&run.lever.oauth_authorize_url()),
        "{authorize}"
    );
    // …the fake Lever consents as a Super Admin and sends the browser back to the hub…
    let callback = at_lever(&authorize).await;
    assert!(
        callback.starts_with(&format!("{hub}/lever/oauth/callback?")),
        "{callback}"
    );
    // …which answers the person in the browser with a page.
    let (status, ct, page) = back_at_hub(&callback, false).await;
    assert_eq!(
        (status, ct.as_str()),
        (200, "text/html; charset=utf-8"),
        "{page}"
    );
    assert!(page.contains("Lever is connected"), "{page}");

    let shown: Value = browser()
        .get(&connection_url)
        .bearer_auth(demo::OAUTH_OPERATOR_KEY)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        (shown["method"].as_str(), shown["status"].as_str()),
        (Some("oauth"), Some("connected")),
        "{shown}"
    );
    assert_eq!(
        events(&shown),
        BTreeSet::from(["candidateDeleted".into(), "candidateStageChange".into()])
    );

    // A stage move in Lever reaches the hub through the webhook the hub registered (signed
    // with the token Lever gave it), and the order's status is written with the grant.
    let mary = run.oauth_candidate.clone();
    let deliveries = run.lever.move_stage(&mary, demo::OAUTH_STAGE).await;
    let webhook = format!("{hub}/lever/webhooks/{}", demo::OAUTH_TENANT);
    let ours: Vec<_> = deliveries.iter().filter(|d| d.url == webhook).collect();
    assert_eq!(ours.len(), 1, "{deliveries:?}");
    assert_eq!(ours[0].status, 200);
    screenhub_tests::eventually("the order's status tag", || {
        run.lever
            .tags(&mary)
            .contains(&"Alliance 2020 Check: Pending".to_owned())
    })
    .await;
    assert_eq!(run.alliance.orders().len(), 1);
}

#[tokio::test]
async fn the_tag_poll_and_the_passes_skip_a_disconnected_tenant_until_it_reconnects() {
    use screenhub::domain::ats::lever_passes::Pass;
    let s = Scenario::with_oauth().await;
    // The tenant also orders from a Lever tag and runs ARKiiVE.
    let mut config = s.world.store.get_tenant(&s.tenant).await.unwrap().unwrap();
    config.routes.push(
        serde_json::from_value(serde_json::json!({
            "id": "tagged", "provider": "alliance2020",
            "trigger": { "kind": "lever_tag", "start": "Alliance 2020 Start" },
            "lever": { "status_tags": { "family": "standard", "format": "Alliance 2020 Status: {status}" } }
        }))
        .unwrap(),
    );
    let service_user = s
        .lever
        .add_user("CiiVSOFT", "ciivsoft@acme.example", "admin");
    config.passes = Some(
        serde_json::from_value(serde_json::json!({
            "enabled": ["arkive"], "service_user": service_user,
            "new_applicant_stage": "applicant-new", "screened_stage": "stage-screened"
        }))
        .unwrap(),
    );
    s.world.store.put_tenant(&config).await.unwrap();
    connect(&s).await;
    let poll = s.world.poll.run(None).await.unwrap();
    assert_eq!((poll.tenants, poll.disconnected_tenants), (1, 0));

    // Lever refuses the grant: the hub finds out on its next call.
    s.lever
        .revoke_authorized_app(&s.lever.grants()[0].client_id);
    s.world.clock.advance(Duration::minutes(61));
    let err = s
        .world
        .another_container()
        .await
        .lever
        .get_opportunity(&oauth_account(&s), &s.candidate(&[]))
        .await
        .unwrap_err();
    assert!(matches!(err, screenhub::ports::LeverError::Disconnected(_)));
    let asked = s.lever.requests().len();
    let poll = s.world.poll.run(None).await.unwrap();
    assert_eq!((poll.tenants, poll.disconnected_tenants), (0, 1));
    let pass = s.world.passes.run(Pass::Arkive, None).await.unwrap();
    assert_eq!(
        (pass.tenants, pass.disconnected_tenants, pass.failed),
        (0, 1, 0)
    );
    assert_eq!(s.lever.requests().len(), asked, "nothing was sent to Lever");

    connect(&s).await;
    let poll = s.world.poll.run(None).await.unwrap();
    assert_eq!((poll.tenants, poll.disconnected_tenants), (1, 0));
    let pass = s.world.passes.run(Pass::Arkive, None).await.unwrap();
    assert_eq!(
        (pass.tenants, pass.disconnected_tenants, pass.failed),
        (1, 0, 0)
    );
}
