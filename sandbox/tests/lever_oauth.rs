//! FakeLever's OAuth partner-app flow over real loopback HTTP: authorize, token exchange,
//! rotating refresh tokens, expiry on the fake clock, "Revoke access", scopes on webhooks.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use base64::Engine as _;
use common::{Receiver, lever_verify};
use reqwest::StatusCode;
use screenhub_sandbox::lever::{AuthorizingUser, NewOpportunity};
use screenhub_sandbox::{FakeLever, Fault, FaultKind};
use serde_json::{Value, json};

const CLIENT: &str = "screenhub-partner";
const SECRET: &str = "partner-secret";
const REDIRECT: &str = "https://hub.example.com/oauth/lever/callback";
const SCOPES: &str =
    "offline_access opportunities:read:admin stages:read:admin webhooks:write:admin";
const MIN: Duration = Duration::from_secs(60);
const DAY: Duration = Duration::from_secs(24 * 3600);

async fn lever() -> FakeLever {
    let lever = FakeLever::start().await;
    lever.register_oauth_client(CLIENT, SECRET, REDIRECT);
    lever.add_stage("lead-new", "New lead");
    lever.add_stage("bg-check", "Background Check");
    lever
}

fn browser() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// `GET /authorize` with these parameters (a browser that does not follow the redirect).
async fn authorize_with(lever: &FakeLever, params: &[(&str, &str)]) -> reqwest::Response {
    browser()
        .get(lever.oauth_authorize_url())
        .query(params)
        .send()
        .await
        .unwrap()
}

async fn authorize(lever: &FakeLever, scope: &str, state: &str) -> reqwest::Response {
    let audience = lever.oauth_audience();
    authorize_with(
        lever,
        &[
            ("client_id", CLIENT),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("state", state),
            ("audience", &audience),
            ("scope", scope),
            ("prompt", "consent"),
        ],
    )
    .await
}

/// The callback a 302 points at: its URL without query, and its decoded query.
fn callback(resp: &reqwest::Response) -> (String, HashMap<String, String>) {
    assert_eq!(
        resp.status(),
        StatusCode::FOUND,
        "a redirect to the callback"
    );
    let location = resp.headers()["location"].to_str().unwrap();
    let url = reqwest::Url::parse(location).unwrap();
    let query = url.query_pairs().into_owned().collect();
    let mut base = url.clone();
    base.set_query(None);
    (base.to_string(), query)
}

/// Consent as the default Super Admin; the authorization code.
async fn code(lever: &FakeLever, scope: &str) -> String {
    let (_, q) = callback(&authorize(lever, scope, "xyz").await);
    q["code"].clone()
}

async fn token(lever: &FakeLever, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let resp = reqwest::Client::new()
        .post(lever.oauth_token_url())
        .form(form)
        .send()
        .await
        .unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn exchange(lever: &FakeLever, code: &str) -> (StatusCode, Value) {
    token(
        lever,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", CLIENT),
            ("client_secret", SECRET),
            ("code", code),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await
}

async fn refresh(lever: &FakeLever, refresh_token: &str) -> (StatusCode, Value) {
    token(
        lever,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", CLIENT),
            ("client_secret", SECRET),
            ("refresh_token", refresh_token),
        ],
    )
    .await
}

/// The whole flow: `(access_token, refresh_token)`.
async fn connect(lever: &FakeLever, scope: &str) -> (String, String) {
    let code = code(lever, scope).await;
    let (status, body) = exchange(lever, &code).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    (
        body["access_token"].as_str().unwrap().to_owned(),
        body["refresh_token"]
            .as_str()
            .unwrap_or_default()
            .to_owned(),
    )
}

async fn api(
    lever: &FakeLever,
    method: reqwest::Method,
    access_token: &str,
    path: &str,
    body: Option<Value>,
) -> (StatusCode, Value) {
    let mut req = reqwest::Client::new()
        .request(method, format!("{}{path}", lever.base_url()))
        .bearer_auth(access_token);
    if let Some(body) = body {
        req = req.json(&body);
    }
    let resp = req.send().await.unwrap();
    let status = resp.status();
    (status, resp.json().await.unwrap_or(Value::Null))
}

async fn api_get(lever: &FakeLever, access_token: &str, path: &str) -> (StatusCode, Value) {
    api(lever, reqwest::Method::GET, access_token, path, None).await
}

fn assert_invalid_grant((status, body): (StatusCode, Value)) {
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(body["error"], "invalid_grant", "{body}");
    assert!(body["error_description"].is_string());
}

fn assert_unauthorized((status, body): (StatusCode, Value)) {
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["code"], "UnauthorizedError", "{body}");
    assert!(body["message"].is_string());
}

#[tokio::test]
async fn the_code_flow_issues_tokens_that_call_the_data_api() {
    let lever = lever().await;
    assert_eq!(lever.oauth_audience(), format!("{}/", lever.base_url()));
    assert!(lever.oauth_audience().ends_with("/v1/"));
    let state = "st@te with spaces/&=+%";
    let resp = authorize(&lever, SCOPES, state).await;
    let (to, q) = callback(&resp);
    assert_eq!(to, REDIRECT);
    assert_eq!(q["state"], state, "state echoed verbatim");
    assert!(!q["code"].is_empty());
    assert!(!q.contains_key("error"));

    let resp = reqwest::Client::new()
        .post(lever.oauth_token_url())
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", CLIENT),
            ("client_secret", SECRET),
            ("code", q["code"].as_str()),
            ("redirect_uri", REDIRECT),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["cache-control"], "no-store");
    let body: Value = resp.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], SCOPES);
    let access = body["access_token"].as_str().unwrap();
    let refresh_token = body["refresh_token"].as_str().unwrap();
    assert_ne!(access, refresh_token);
    // A JWT shaped like Lever's, for the API's audience.
    let parts: Vec<&str> = access.split('.').collect();
    assert_eq!(parts.len(), 3);
    let claims: Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(parts[1])
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["aud"], lever.oauth_audience());
    assert_eq!(claims["https://oauth.lever.co/clientId"], CLIENT);
    assert!(claims["https://oauth.lever.co/accountId"].is_string());

    let (status, stages) = api_get(&lever, access, "/stages").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(stages["data"][1]["id"], "bg-check");
    assert_unauthorized(api_get(&lever, "not-a-token", "/stages").await);

    let grants = lever.grants();
    assert_eq!(grants.len(), 1);
    assert_eq!(grants[0].client_id, CLIENT);
    assert_eq!(
        grants[0].scopes,
        SCOPES.split(' ').map(str::to_owned).collect::<Vec<_>>()
    );
    assert!(!grants[0].revoked);
    assert_eq!(grants[0].user, None);
    assert_eq!(lever.token_requests("authorization_code"), 1);
    assert_eq!(lever.token_requests("refresh_token"), 0);

    // Without offline_access there is no refresh token.
    let code = code(&lever, "stages:read:admin").await;
    let (status, body) = exchange(&lever, &code).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.get("refresh_token").is_none(), "{body}");
    assert_eq!(body["scope"], "stages:read:admin");
    assert_eq!(lever.token_requests("authorization_code"), 2);
}

#[tokio::test]
async fn api_keys_keep_working_beside_oauth() {
    let lever = lever().await;
    lever.add_api_key("customer-key");
    let (access, _) = connect(&lever, SCOPES).await;
    for auth in [
        reqwest::Client::new()
            .get(format!("{}/stages", lever.base_url()))
            .basic_auth("customer-key", Some("")),
        reqwest::Client::new()
            .get(format!("{}/stages", lever.base_url()))
            .bearer_auth("customer-key"),
    ] {
        assert_eq!(auth.send().await.unwrap().status(), StatusCode::OK);
    }
    // An access token is a Bearer credential only.
    let basic = reqwest::Client::new()
        .get(format!("{}/stages", lever.base_url()))
        .basic_auth(&access, Some(""))
        .send()
        .await
        .unwrap();
    assert_eq!(basic.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn a_bad_client_or_redirect_uri_gets_an_error_page_and_no_redirect() {
    let lever = lever().await;
    let audience = lever.oauth_audience();
    for (client, redirect) in [
        (CLIENT, "https://hub.example.com/oauth/lever/callback/"),
        (CLIENT, "https://evil.example.com/oauth/lever/callback"),
        (CLIENT, ""),
        ("unknown-client", REDIRECT),
    ] {
        let resp = authorize_with(
            &lever,
            &[
                ("client_id", client),
                ("redirect_uri", redirect),
                ("response_type", "code"),
                ("state", "s"),
                ("audience", &audience),
                ("scope", SCOPES),
            ],
        )
        .await;
        assert_eq!(
            resp.status(),
            StatusCode::BAD_REQUEST,
            "{client} {redirect}"
        );
        assert!(resp.headers().get("location").is_none());
    }

    // Past that point, failures go back to the (trusted) callback.
    let no_slash = audience.trim_end_matches('/').to_owned();
    let resp = authorize_with(
        &lever,
        &[
            ("client_id", CLIENT),
            ("redirect_uri", REDIRECT),
            ("response_type", "code"),
            ("state", "s1"),
            ("audience", &no_slash),
            ("scope", SCOPES),
        ],
    )
    .await;
    let (to, q) = callback(&resp);
    assert_eq!(to, REDIRECT);
    assert_eq!(q["error"], "invalid_request");
    assert_eq!(q["state"], "s1");
    assert!(!q.contains_key("code"));

    let resp = authorize_with(
        &lever,
        &[
            ("client_id", CLIENT),
            ("redirect_uri", REDIRECT),
            ("response_type", "token"),
            ("state", "s2"),
            ("audience", &audience),
        ],
    )
    .await;
    let (_, q) = callback(&resp);
    assert_eq!(q["error"], "unsupported_response_type");
    assert_eq!(q["state"], "s2");
    assert!(lever.grants().is_empty(), "no consent, no grant");
}

#[tokio::test]
async fn codes_are_single_use_and_bound_to_client_and_redirect_uri() {
    let lever = lever().await;
    lever.register_oauth_client("other-app", "other-secret", "https://other.example.com/cb");

    let c = code(&lever, SCOPES).await;
    let (status, body) = token(
        &lever,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", CLIENT),
            ("client_secret", "wrong"),
            ("code", &c),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(body["error"], "invalid_client");
    assert_invalid_grant(
        token(
            &lever,
            &[
                ("grant_type", "authorization_code"),
                ("client_id", "other-app"),
                ("client_secret", "other-secret"),
                ("code", &c),
                ("redirect_uri", "https://other.example.com/cb"),
            ],
        )
        .await,
    );
    assert_invalid_grant(
        token(
            &lever,
            &[
                ("grant_type", "authorization_code"),
                ("client_id", CLIENT),
                ("client_secret", SECRET),
                ("code", &c),
                ("redirect_uri", "https://hub.example.com/other"),
            ],
        )
        .await,
    );
    let (status, body) = token(
        &lever,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", CLIENT),
            ("client_secret", SECRET),
            ("redirect_uri", REDIRECT),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
    let (status, body) = token(&lever, &[("grant_type", "password"), ("client_id", CLIENT)]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("unsupported_grant_type"))
    );

    // Client credentials may also come as HTTP Basic (client_secret_basic).
    let resp = reqwest::Client::new()
        .post(lever.oauth_token_url())
        .basic_auth(CLIENT, Some(SECRET))
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", c.as_str()),
            ("redirect_uri", REDIRECT),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_invalid_grant(exchange(&lever, &c).await);
    assert_eq!(lever.token_requests("authorization_code"), 6);
    assert_eq!(lever.token_requests("password"), 1);
}

#[tokio::test]
async fn codes_expire_after_ten_minutes() {
    let lever = lever().await;
    let fresh = code(&lever, SCOPES).await;
    let stale = code(&lever, SCOPES).await;
    lever.advance_clock(9 * MIN);
    assert_eq!(exchange(&lever, &fresh).await.0, StatusCode::OK);
    lever.advance_clock(MIN + Duration::from_secs(1));
    assert_invalid_grant(exchange(&lever, &stale).await);
}

#[tokio::test]
async fn refresh_rotates_tokens_and_the_old_refresh_token_is_refused() {
    let lever = lever().await;
    let (access1, refresh1) = connect(&lever, SCOPES).await;
    let (status, body) = refresh(&lever, &refresh1).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 3600);
    assert_eq!(body["scope"], SCOPES);
    let access2 = body["access_token"].as_str().unwrap().to_owned();
    let refresh2 = body["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(access2, access1);
    assert_ne!(refresh2, refresh1);
    // Until it expires the earlier access token still works (a JWT), as does the new one.
    assert_eq!(api_get(&lever, &access1, "/stages").await.0, StatusCode::OK);
    assert_eq!(api_get(&lever, &access2, "/stages").await.0, StatusCode::OK);
    // The next refresh uses the newest token.
    let (status, body) = refresh(&lever, &refresh2).await;
    assert_eq!(status, StatusCode::OK);
    let refresh3 = body["refresh_token"].as_str().unwrap().to_owned();
    assert_invalid_grant(refresh(&lever, &refresh1).await);
    assert_eq!(lever.token_requests("refresh_token"), 3);
    assert_eq!(lever.token_requests("authorization_code"), 1);
    // Another client cannot use it.
    lever.register_oauth_client("other-app", "other-secret", "https://other.example.com/cb");
    let (_, body) = token(
        &lever,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "other-app"),
            ("client_secret", "other-secret"),
            ("refresh_token", &refresh3),
        ],
    )
    .await;
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn reusing_a_rotated_refresh_token_revokes_the_whole_grant() {
    let lever = lever().await;
    let (_, refresh1) = connect(&lever, SCOPES).await;
    let (_, body) = refresh(&lever, &refresh1).await;
    let access2 = body["access_token"].as_str().unwrap().to_owned();
    let refresh2 = body["refresh_token"].as_str().unwrap().to_owned();
    // Someone replays the rotated token: theft.
    assert_invalid_grant(refresh(&lever, &refresh1).await);
    assert!(lever.grants()[0].revoked);
    assert_invalid_grant(refresh(&lever, &refresh2).await);
    assert_unauthorized(api_get(&lever, &access2, "/stages").await);
    // A new authorization is a fresh, working grant.
    let (access, refresh_token) = connect(&lever, SCOPES).await;
    assert_eq!(api_get(&lever, &access, "/stages").await.0, StatusCode::OK);
    assert_eq!(refresh(&lever, &refresh_token).await.0, StatusCode::OK);
}

#[tokio::test]
async fn refresh_tokens_die_after_90_idle_days_or_a_year() {
    let lever = lever().await;
    let (_, idle) = connect(&lever, SCOPES).await;
    let (_, mut kept) = connect(&lever, SCOPES).await;

    // Refreshing every 89 days keeps a grant alive…
    lever.advance_clock(89 * DAY);
    let (status, body) = refresh(&lever, &kept).await;
    assert_eq!(status, StatusCode::OK);
    kept = body["refresh_token"].as_str().unwrap().to_owned();
    // …while one left unused for more than 90 days is dead.
    lever.advance_clock(DAY + MIN);
    assert_invalid_grant(refresh(&lever, &idle).await);
    let (status, body) = refresh(&lever, &kept).await;
    assert_eq!(status, StatusCode::OK, "used a day ago");
    kept = body["refresh_token"].as_str().unwrap().to_owned();

    // Up to a year after consent, not beyond.
    for _ in 0..3 {
        lever.advance_clock(89 * DAY);
        let (status, body) = refresh(&lever, &kept).await;
        assert_eq!(status, StatusCode::OK, "{body}");
        kept = body["refresh_token"].as_str().unwrap().to_owned();
    }
    // 90 + 3 × 89 = 357 days so far; 366 after this (only 9 days idle).
    lever.advance_clock(9 * DAY);
    assert_invalid_grant(refresh(&lever, &kept).await);
}

#[tokio::test]
async fn access_tokens_expire_after_an_hour() {
    let lever = lever().await;
    let (access, refresh_token) = connect(&lever, SCOPES).await;
    lever.advance_clock(59 * MIN);
    assert_eq!(api_get(&lever, &access, "/stages").await.0, StatusCode::OK);
    lever.advance_clock(MIN + Duration::from_secs(1));
    let (status, body) = api_get(&lever, &access, "/stages").await;
    assert_unauthorized((status, body.clone()));
    assert!(body["message"].as_str().unwrap().contains("expired"));
    let (_, body) = refresh(&lever, &refresh_token).await;
    let fresh = body["access_token"].as_str().unwrap();
    assert_eq!(api_get(&lever, fresh, "/stages").await.0, StatusCode::OK);
}

#[tokio::test]
async fn revoking_the_app_kills_its_tokens_and_reauthorizing_works() {
    let lever = lever().await;
    let (access, refresh_token) = connect(&lever, SCOPES).await;
    let pending = code(&lever, SCOPES).await;
    lever.register_oauth_client("other-app", "other-secret", "https://other.example.com/cb");
    assert_eq!(lever.revoke_authorized_app("other-app"), 0);
    assert_eq!(api_get(&lever, &access, "/stages").await.0, StatusCode::OK);

    assert_eq!(lever.revoke_authorized_app(CLIENT), 2);
    assert_unauthorized(api_get(&lever, &access, "/stages").await);
    assert_invalid_grant(refresh(&lever, &refresh_token).await);
    assert_invalid_grant(exchange(&lever, &pending).await);
    assert!(lever.grants().iter().all(|g| g.revoked));

    let (access, refresh_token) = connect(&lever, SCOPES).await;
    assert_eq!(api_get(&lever, &access, "/stages").await.0, StatusCode::OK);
    assert_eq!(refresh(&lever, &refresh_token).await.0, StatusCode::OK);
    let grants = lever.grants();
    assert_eq!(grants.len(), 3);
    assert!(!grants[2].revoked);
}

#[tokio::test]
async fn only_a_consenting_super_admin_gets_a_code() {
    let lever = lever().await;
    let admin = lever.add_user("Ann Admin", "ann@example.com", "admin");
    let boss = lever.add_user("Sam Super", "sam@example.com", "super admin");

    for (who, needle) in [
        (AuthorizingUser::NotSuperAdmin, "Super Admin"),
        (AuthorizingUser::User(admin.clone()), "Super Admin"),
        (AuthorizingUser::Deny, "did not authorize"),
    ] {
        lever.authorizing_user(who.clone());
        let (to, q) = callback(&authorize(&lever, SCOPES, "st-1").await);
        assert_eq!(to, REDIRECT);
        assert_eq!(q["error"], "access_denied", "{who:?}");
        assert!(q["error_description"].contains(needle), "{who:?}: {q:?}");
        assert_eq!(q["state"], "st-1");
        assert!(!q.contains_key("code"));
    }
    assert!(lever.grants().is_empty());

    lever.authorizing_user(AuthorizingUser::User(boss.clone()));
    let c = code(&lever, SCOPES).await;
    assert_eq!(exchange(&lever, &c).await.0, StatusCode::OK);
    assert_eq!(lever.grants()[0].user.as_deref(), Some(boss.as_str()));
    lever.deactivate_user(&boss);
    let (_, q) = callback(&authorize(&lever, SCOPES, "st-2").await);
    assert_eq!(q["error"], "access_denied");
}

#[tokio::test]
async fn webhooks_via_oauth_need_the_scope_and_deliver_signed_with_the_returned_token() {
    let lever = lever().await;
    let mut rx = Receiver::start().await;
    let hook = json!({"url": rx.url, "event": "candidateStageChange"});
    let post = reqwest::Method::POST;

    let (reader, _) = connect(&lever, "offline_access webhooks:read:admin").await;
    let (none, _) = connect(&lever, "stages:read:admin").await;
    for t in [&reader, &none] {
        let (status, body) = api(&lever, post.clone(), t, "/webhooks", Some(hook.clone())).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
        assert_eq!(body["code"], "ForbiddenError");
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("webhooks:write:admin")
        );
    }
    assert_eq!(
        api_get(&lever, &none, "/webhooks").await.0,
        StatusCode::FORBIDDEN
    );

    let (writer, _) = connect(&lever, SCOPES).await;
    let (status, created) = api(&lever, post, &writer, "/webhooks", Some(hook)).await;
    assert_eq!(status, StatusCode::CREATED, "{created}");
    let token = created["data"]["configuration"]["signatureToken"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(token.len(), 48);
    let id = created["data"]["id"].as_str().unwrap().to_owned();

    for t in [&reader, &writer] {
        let (status, list) = api_get(&lever, t, "/webhooks").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(list["data"][0]["id"], json!(id));
        assert!(
            list["data"][0]["configuration"]
                .get("signatureToken")
                .is_none()
        );
    }

    let opp = lever.add_opportunity(NewOpportunity::new("Ada").stage("lead-new"));
    let results = lever.move_stage(&opp, "bg-check").await;
    assert_eq!(results.len(), 1);
    let got = rx.next().await.json();
    assert!(lever_verify(&token, &got));
    assert_eq!(got["data"]["toStageId"], "bg-check");

    let (status, _) = api(
        &lever,
        reqwest::Method::DELETE,
        &reader,
        &format!("/webhooks/{id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = api(
        &lever,
        reqwest::Method::DELETE,
        &writer,
        &format!("/webhooks/{id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn a_webhook_group_switched_off_delivers_nothing() {
    let lever = lever().await;
    let rx = Receiver::start().await;
    lever.subscribe(&rx.url, "candidateStageChange");
    let opp = lever.add_opportunity(NewOpportunity::new("Ada").stage("lead-new"));
    assert!(
        lever.webhook_group_enabled("candidateStageChange"),
        "on by default"
    );

    lever.set_webhook_group_enabled("candidateStageChange", false);
    assert!(lever.move_stage(&opp, "bg-check").await.is_empty());
    lever.set_webhook_group_enabled("candidateStageChange", true);
    assert_eq!(lever.move_stage(&opp, "lead-new").await.len(), 1);

    // As a fresh real account: nothing flows until a Super Admin switches the group on.
    lever.set_webhook_groups_start_off(true);
    lever.subscribe(&rx.url, "candidateDeleted");
    assert!(!lever.webhook_group_enabled("candidateDeleted"));
    assert!(
        lever.webhook_group_enabled("candidateStageChange"),
        "switched on explicitly"
    );
    assert!(lever.delete_opportunity(&opp).await.is_empty());
}

#[tokio::test]
async fn the_token_endpoint_obeys_injected_faults() {
    let lever = lever().await;
    let (_, refresh1) = connect(&lever, SCOPES).await;
    lever.inject(Fault::status(503, 1).path_contains("/oauth/token"));
    lever.inject(
        Fault::new(FaultKind::RateLimited(Duration::from_secs(2)), 1).path_contains("/oauth/token"),
    );
    let (status, _) = refresh(&lever, &refresh1).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let resp = reqwest::Client::new()
        .post(lever.oauth_token_url())
        .form(&[("grant_type", "refresh_token")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(resp.headers()["retry-after"], "2");
    assert_eq!(
        lever.token_requests("refresh_token"),
        0,
        "faulted requests never reached it"
    );
    // The token was not consumed by the failed attempts.
    assert_eq!(refresh(&lever, &refresh1).await.0, StatusCode::OK);
    assert_eq!(lever.token_requests("refresh_token"), 1);
    let logged = lever
        .requests()
        .iter()
        .filter(|r| r.path == "/oauth/token")
        .count();
    assert_eq!(logged, 4);

    // The authorize endpoint too.
    lever.inject(Fault::status(500, 1).path_contains("/authorize"));
    assert_eq!(
        authorize(&lever, SCOPES, "s").await.status(),
        StatusCode::INTERNAL_SERVER_ERROR
    );
}

#[tokio::test]
async fn the_rate_limit_bucket_of_an_oauth_caller_is_its_grant() {
    let lever = lever().await;
    lever.set_rate_limit(Some((0, 2))); // no refill: deterministic
    let (access1, refresh1) = connect(&lever, SCOPES).await;
    let (other, _) = connect(&lever, SCOPES).await;
    assert_eq!(api_get(&lever, &access1, "/stages").await.0, StatusCode::OK);
    assert_eq!(api_get(&lever, &access1, "/stages").await.0, StatusCode::OK);
    let (status, body) = api_get(&lever, &access1, "/stages").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(body["code"], "TooManyRequests");
    // A refreshed token draws on the same bucket; another grant has its own.
    let (_, body) = refresh(&lever, &refresh1).await;
    let access2 = body["access_token"].as_str().unwrap();
    assert_eq!(
        api_get(&lever, access2, "/stages").await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(api_get(&lever, &other, "/stages").await.0, StatusCode::OK);
}
