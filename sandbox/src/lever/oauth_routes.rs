//! HTTP side of Lever's OAuth flow, at the fake's root as on `auth.lever.co`:
//! `GET /authorize` (automatic consent, decided by [`AuthorizingUser`]) and
//! `POST /oauth/token` (form-encoded; JSON is accepted too, as Auth0 does).

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use base64::Engine as _;
use serde_json::Value;

use super::Inner;
use super::oauth::{AuthorizingUser, OAuthError};
use crate::server::lock;

type Params = Query<Vec<(String, String)>>;
type Shared = State<Arc<Inner>>;

/// What Lever answers (through Auth0's rules) when a user who is not a Super Admin finishes
/// the consent screen. Lever's exact wording is UNCONFIRMED; vendors' help pages say the
/// flow "fails at the end" for non-Super-Admins.
pub(crate) const SUPER_ADMIN_ONLY: &str = "Only Super Admins can authorize integrations. Ask a Super Admin of your Lever account to connect this app.";
const DENIED: &str = "User did not authorize the request";

fn param<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// `GET /authorize`. A bad client or redirect URI gets a 400 page and no redirect (the
/// server cannot trust the URI); every later failure is a redirect with `error`.
pub(crate) async fn authorize(State(inner): Shared, Query(p): Params) -> Response {
    let mut state = lock(&inner.state);
    let client_id = param(&p, "client_id").unwrap_or_default();
    let Some(client) = state.oauth.clients.get(client_id) else {
        return error_page("invalid_request", &format!("Unknown client: {client_id}"));
    };
    let Some(redirect_uri) =
        param(&p, "redirect_uri").filter(|r| client.redirect_uris.iter().any(|u| u == r))
    else {
        return error_page(
            "invalid_request",
            "The redirect_uri is not one of the callback URLs registered for this app",
        );
    };
    let st = param(&p, "state");
    let fail = |error: &str, description: &str| {
        redirect(
            redirect_uri,
            &[("error", error), ("error_description", description)],
            st,
        )
    };
    match param(&p, "response_type") {
        Some("code") => {}
        Some(other) => {
            return fail(
                "unsupported_response_type",
                &format!("Unsupported response type: {other}"),
            );
        }
        None => {
            return fail(
                "invalid_request",
                "Missing required parameter: response_type",
            );
        }
    }
    let audience = param(&p, "audience").unwrap_or_default();
    if audience != state.oauth.audience {
        return fail("invalid_request", &format!("Service not found: {audience}"));
    }
    let mut scopes: Vec<String> = Vec::new();
    for s in param(&p, "scope").unwrap_or_default().split_whitespace() {
        if !scopes.iter().any(|x| x == s) {
            scopes.push(s.to_owned());
        }
    }
    let user = match state.oauth.authorizing_user.clone() {
        AuthorizingUser::SuperAdmin => None,
        AuthorizingUser::Deny => return fail("access_denied", DENIED),
        AuthorizingUser::NotSuperAdmin => return fail("access_denied", SUPER_ADMIN_ONLY),
        AuthorizingUser::User(id) => {
            let super_admin = state.users.get(&id).is_some_and(|u| {
                u.deactivated_at.is_none()
                    && u.access_role
                        .replace('_', " ")
                        .eq_ignore_ascii_case("super admin")
            });
            if !super_admin {
                return fail("access_denied", SUPER_ADMIN_ONLY);
            }
            Some(id)
        }
    };
    let now = state.now_ms();
    let code = state
        .oauth
        .consent(client_id, redirect_uri, scopes, user, now);
    redirect(redirect_uri, &[("code", &code)], st)
}

/// `POST /oauth/token`: `authorization_code` or `refresh_token`, client credentials in the
/// form (`client_secret_post`) or HTTP Basic (`client_secret_basic`).
pub(crate) async fn token(State(inner): Shared, headers: HeaderMap, body: Bytes) -> Response {
    let form = parse_body(&headers, &body);
    let field = |k: &str| param(&form, k).filter(|v| !v.is_empty());
    let mut state = lock(&inner.state);
    let grant_type = field("grant_type").unwrap_or_default();
    *state
        .oauth
        .token_requests
        .entry(grant_type.to_owned())
        .or_default() += 1;
    let now = state.now_ms();
    let result = (|| {
        let grant_type = field("grant_type")
            .ok_or_else(|| OAuthError::invalid_request("Missing required parameter: grant_type"))?;
        if !matches!(grant_type, "authorization_code" | "refresh_token") {
            return Err(OAuthError::unsupported_grant_type(grant_type));
        }
        let (basic_id, basic_secret) = basic_client(&headers).unzip();
        let client_id = field("client_id")
            .map(str::to_owned)
            .or(basic_id)
            .ok_or_else(|| OAuthError::invalid_request("Missing required parameter: client_id"))?;
        let secret = field("client_secret")
            .map(str::to_owned)
            .or(basic_secret)
            .unwrap_or_default();
        state.oauth.authenticate(&client_id, &secret)?;
        let required = |k: &str| {
            field(k).ok_or_else(|| {
                OAuthError::invalid_request(format!("Missing required parameter: {k}"))
            })
        };
        if grant_type == "authorization_code" {
            let (code, redirect_uri) = (required("code")?, required("redirect_uri")?);
            state
                .oauth
                .exchange_code(&client_id, code, redirect_uri, now)
        } else {
            state
                .oauth
                .refresh(&client_id, required("refresh_token")?, now)
        }
    })();
    let (status, body) = match result {
        Ok(issued) => (200, issued.body()),
        Err(e) => (e.status, e.body()),
    };
    let mut response = (
        StatusCode::from_u16(status).unwrap_or(StatusCode::BAD_REQUEST),
        Json(body),
    )
        .into_response();
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    response
}

/// HTTP Basic client credentials, `(client_id, client_secret)`.
fn basic_client(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (id, secret) = text.split_once(':')?;
    Some((
        percent_decode(id.as_bytes()),
        percent_decode(secret.as_bytes()),
    ))
}

/// The request's fields: `application/json` objects of strings, otherwise form-encoded.
fn parse_body(headers: &HeaderMap, body: &[u8]) -> Vec<(String, String)> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if is_json {
        return match serde_json::from_slice::<Value>(body) {
            Ok(Value::Object(map)) => map
                .into_iter()
                .filter_map(|(k, v)| v.as_str().map(|s| (k, s.to_owned())))
                .collect(),
            _ => Vec::new(),
        };
    }
    parse_form(body)
}

/// `application/x-www-form-urlencoded` pairs.
pub(crate) fn parse_form(body: &[u8]) -> Vec<(String, String)> {
    body.split(|b| *b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let mut it = pair.splitn(2, |b| *b == b'=');
            let k = it.next().unwrap_or_default();
            let v = it.next().unwrap_or_default();
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn percent_decode(s: &[u8]) -> String {
    let mut out = Vec::with_capacity(s.len());
    let mut i = 0;
    while i < s.len() {
        let hex = s
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (s[i], hex) {
            (b'+', _) => out.push(b' '),
            (b'%', Some(byte)) => {
                out.push(byte);
                i += 2;
            }
            (b, _) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encode a query component (everything but RFC 3986 unreserved characters).
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// `302 Location: redirect_uri?k=v&…&state=…` (state echoed verbatim when given).
fn redirect(redirect_uri: &str, pairs: &[(&str, &str)], state: Option<&str>) -> Response {
    let mut location = redirect_uri.to_owned();
    let mut sep = if redirect_uri.contains('?') { '&' } else { '?' };
    let state_pair = state.map(|s| ("state", s));
    for (k, v) in pairs.iter().copied().chain(state_pair) {
        location.push(sep);
        location.push_str(k);
        location.push('=');
        location.push_str(&encode(v));
        sep = '&';
    }
    match HeaderValue::from_str(&location) {
        Ok(value) => (StatusCode::FOUND, [(header::LOCATION, value)]).into_response(),
        Err(_) => error_page("invalid_request", "redirect_uri is not a valid URL"),
    }
}

/// The authorization server's own error page (no redirect).
fn error_page(error: &str, description: &str) -> Response {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    (
        StatusCode::BAD_REQUEST,
        Html(format!(
            "<!doctype html><title>Lever: authorization error</title><h1>{}</h1><p>{}</p>",
            escape(error),
            escape(description)
        )),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_decoding_and_query_encoding() {
        assert_eq!(
            parse_form(b"a=b+c&d=%2Fx%3Dy&e=&f"),
            vec![
                ("a".into(), "b c".into()),
                ("d".into(), "/x=y".into()),
                ("e".into(), String::new()),
                ("f".into(), String::new()),
            ]
        );
        assert_eq!(encode("a b/c?&=~"), "a%20b%2Fc%3F%26%3D~");
        assert_eq!(percent_decode(b"100%"), "100%");
    }
}
