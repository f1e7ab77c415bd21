//! Connecting a Lever account by authorizing the hub as a partner app (facts/lever.md §2.2,
//! §3): the signed `state` that carries the tenant through Lever's authorize page, the scopes
//! a tenant's configuration needs, the authorize URL, and the reading of Lever's token
//! answers. Pure: no I/O, no clock but the one passed in.

use crate::domain::TenantId;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::collections::BTreeSet;
use time::{Duration, OffsetDateTime};

/// How long a started connection may take to come back from Lever's authorize page.
pub const STATE_TTL: Duration = Duration::minutes(15);
/// An access token this close to its expiry is refreshed before use.
pub const REFRESH_MARGIN: Duration = Duration::minutes(5);
/// Lever forgets a refresh token unused for 90 days; the schedule refreshes well before.
pub const IDLE_REFRESH_AFTER: Duration = Duration::days(7);
/// The path of the hub's one redirect URI (registered with Lever for the app).
pub const CALLBACK_PATH: &str = "/lever/oauth/callback";
/// The webhook events the hub registers for a connected tenant.
pub const WEBHOOK_EVENTS: [&str; 2] = ["candidateStageChange", "candidateDeleted"];

const STATE_VERSION: &str = "v1";

/// What a `state` carries: the tenant and a nonce used once.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ConnectState {
    #[serde(rename = "t")]
    pub tenant: TenantId,
    #[serde(rename = "n")]
    pub nonce: String,
    /// Unix seconds.
    #[serde(rename = "e")]
    pub expires_at: i64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum StateError {
    #[error("the state is not one the hub issued")]
    Malformed,
    #[error("the state's signature does not match")]
    Forged,
    #[error("the state has expired")]
    Expired,
}

/// The key states are signed with, derived from the app's client secret (so rotating the
/// secret also voids every connection still under way).
pub fn state_key(client_secret: &str) -> [u8; 32] {
    let mut mac = Hmac::<Sha256>::new_from_slice(client_secret.as_bytes())
        .expect("HMAC takes any key length");
    mac.update(b"screenhub lever oauth state v1");
    mac.finalize().into_bytes().into()
}

fn mac_of(key: &[u8; 32], payload: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes any key length");
    mac.update(STATE_VERSION.as_bytes());
    mac.update(b".");
    mac.update(payload.as_bytes());
    mac
}

/// `v1.<payload>.<signature>`, both base64url.
pub fn sign_state(key: &[u8; 32], state: &ConnectState) -> String {
    let payload = B64.encode(serde_json::to_vec(state).expect("a state serializes"));
    let sig = B64.encode(mac_of(key, &payload).finalize().into_bytes());
    format!("{STATE_VERSION}.{payload}.{sig}")
}

/// The state's content when the hub signed it and it has not expired (constant-time check).
/// Whether it was already used is the store's to say.
pub fn verify_state(
    key: &[u8; 32],
    raw: &str,
    now: OffsetDateTime,
) -> Result<ConnectState, StateError> {
    let mut parts = raw.split('.');
    let (Some(STATE_VERSION), Some(payload), Some(sig), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(StateError::Malformed);
    };
    let sig = B64.decode(sig).map_err(|_| StateError::Malformed)?;
    mac_of(key, payload)
        .verify_slice(&sig)
        .map_err(|_| StateError::Forged)?;
    let bytes = B64.decode(payload).map_err(|_| StateError::Malformed)?;
    let state: ConnectState = serde_json::from_slice(&bytes).map_err(|_| StateError::Malformed)?;
    if state.expires_at <= now.unix_timestamp() {
        return Err(StateError::Expired);
    }
    Ok(state)
}

/// What a tenant does with Lever, as far as the scopes it needs go.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LeverUse {
    /// It has routes triggered in Lever (status tags, notes, stage moves).
    pub routes: bool,
    /// Some are triggered by a stage change.
    pub stage_routes: bool,
    /// It runs the recruiting passes (postings, résumés, leads).
    pub passes: bool,
    /// It acts as a named Lever user (`perform_as`).
    pub perform_as: bool,
}

/// The scopes a tenant needs from Lever (facts/lever.md §2.2 [LD Scopes]), plus
/// `offline_access` for a refresh token and the webhook scopes to register its webhooks.
pub fn required_scopes(uses: LeverUse) -> BTreeSet<&'static str> {
    let mut scopes: BTreeSet<&'static str> = [
        "offline_access",
        "webhooks:read:admin",
        "webhooks:write:admin",
        // Every Lever route reads the opportunity back before acting, and deletions are read
        // from `GET /opportunities/deleted`.
        "opportunities:read:admin",
    ]
    .into();
    if uses.routes {
        // Status tags, notes (read to write each once), stage moves.
        scopes.extend([
            "opportunities:write:admin",
            "notes:read:admin",
            "notes:write:admin",
            "stages:read:admin",
            "tags:read:admin",
        ]);
    }
    if uses.stage_routes {
        scopes.insert("stages:read:admin");
    }
    if uses.passes {
        scopes.extend([
            "opportunities:write:admin",
            "notes:read:admin",
            "notes:write:admin",
            "postings:read:admin",
            "resumes:read:admin",
            "applications:read:admin",
            "stages:read:admin",
        ]);
    }
    if uses.perform_as {
        scopes.insert("users:read:admin");
    }
    scopes
}

/// Lever's authorize URL for this connection (`prompt=consent` so a reconnect shows the
/// scopes again).
pub fn authorize_url(
    authorize_base: &str,
    client_id: &str,
    redirect_uri: &str,
    audience: &str,
    scopes: &BTreeSet<&str>,
    state: &str,
) -> Result<String, url_error::InvalidUrl> {
    let mut url = reqwest_free_url::parse(authorize_base)?;
    let scope = scopes.iter().copied().collect::<Vec<_>>().join(" ");
    url.append(&[
        ("client_id", client_id),
        ("redirect_uri", redirect_uri),
        ("response_type", "code"),
        ("state", state),
        ("audience", audience),
        ("scope", &scope),
        ("prompt", "consent"),
    ]);
    Ok(url.finish())
}

pub mod url_error {
    #[derive(Debug, thiserror::Error)]
    #[error("the Lever authorize URL in the partner secret is not an https (or loopback) URL")]
    pub struct InvalidUrl;
}

/// A minimal query-string builder (the authorize URL is the only URL built here; the crate's
/// HTTP stack is optional, this module is not).
mod reqwest_free_url {
    use super::url_error::InvalidUrl;

    pub struct Builder {
        url: String,
        first: bool,
    }

    pub fn parse(base: &str) -> Result<Builder, InvalidUrl> {
        let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
            .iter()
            .any(|p| {
                base.strip_prefix(p)
                    .is_some_and(|r| r.starts_with(':') || r.starts_with('/'))
            });
        if !(base.starts_with("https://") || loopback) || base.contains('#') {
            return Err(InvalidUrl);
        }
        Ok(Builder {
            first: !base.contains('?'),
            url: base.to_owned(),
        })
    }

    impl Builder {
        pub fn append(&mut self, pairs: &[(&str, &str)]) {
            for (k, v) in pairs {
                self.url.push(if self.first { '?' } else { '&' });
                self.first = false;
                self.url.push_str(&encode(k));
                self.url.push('=');
                self.url.push_str(&encode(v));
            }
        }

        pub fn finish(self) -> String {
            self.url
        }
    }

    /// `application/x-www-form-urlencoded` escaping of one key or value.
    pub fn encode(s: &str) -> String {
        let mut out = String::with_capacity(s.len());
        for b in s.bytes() {
            match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    out.push(b as char)
                }
                b' ' => out.push('+'),
                _ => out.push_str(&format!("%{b:02X}")),
            }
        }
        out
    }
}

pub use reqwest_free_url::encode as form_encode;

/// The parameter `name` of a query string (`a=1&b=x+y%21`), decoded; malformed escapes are
/// kept as they are. The first of a repeated name wins.
pub fn query_param(query: &str, name: &str) -> Option<String> {
    query.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        (form_decode(k) == name).then(|| form_decode(v))
    })
}

fn form_decode(s: &str) -> String {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = (bytes[i] == b'%')
            .then(|| Some(hex(*bytes.get(i + 1)?)? << 4 | hex(*bytes.get(i + 2)?)?))
            .flatten();
        match (bytes[i], escaped) {
            (_, Some(b)) => {
                out.push(b);
                i += 3;
                continue;
            }
            (b'+', None) => out.push(b' '),
            (b, None) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Lever's token answer (facts lever-samples/oauth-token-response.json).
#[derive(Clone, serde::Deserialize)]
pub struct TokenAnswer {
    pub access_token: String,
    #[serde(default)]
    pub refresh_token: Option<String>,
    #[serde(default = "default_expires_in")]
    pub expires_in: i64,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub token_type: Option<String>,
}

fn default_expires_in() -> i64 {
    3600
}

impl std::fmt::Debug for TokenAnswer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenAnswer")
            .field("expires_in", &self.expires_in)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// An OAuth error answer (`{"error": "...", "error_description": "..."}`).
#[derive(Clone, Debug, Default, serde::Deserialize)]
pub struct TokenRefusal {
    #[serde(default)]
    pub error: String,
    #[serde(default)]
    pub error_description: Option<String>,
}

impl TokenRefusal {
    /// The grant is gone for good (revoked under Authorized Apps, idle for 90 days, or a
    /// rotated refresh token used again): only a new authorization helps.
    pub fn grant_is_gone(&self) -> bool {
        matches!(self.error.as_str(), "invalid_grant" | "access_denied")
    }
}

/// Whether an access token expiring at `expires_at` must be refreshed before use at `now`.
pub fn needs_refresh(expires_at: i64, now: OffsetDateTime) -> bool {
    expires_at - now.unix_timestamp() <= REFRESH_MARGIN.whole_seconds()
}

/// Whether a connection last refreshed at `refreshed_at` is due the schedule's refresh, so a
/// quiet tenant is never idle for Lever's 90 days.
pub fn idle_refresh_due(refreshed_at: OffsetDateTime, now: OffsetDateTime) -> bool {
    now - refreshed_at >= IDLE_REFRESH_AFTER
}

/// What to tell a person whose authorization Lever refused (`error` and its description from
/// the redirect back to the hub).
pub fn refusal_advice(error: &str, description: Option<&str>) -> String {
    let said = description
        .map(|d| {
            format!(
                " Lever said: \"{}\".",
                d.chars().take(300).collect::<String>()
            )
        })
        .unwrap_or_default();
    match error {
        "access_denied" => format!(
            "Lever did not authorize the hub.{said} Only a Lever Super Admin can authorize a \
             partner app: ask one to start the connection again and click Accept. If Lever says \
             the user has not logged in recently, log into Lever directly, revoke the app under \
             Settings → Integrations and API → Authorized Apps, and authorize again."
        ),
        _ => format!(
            "Lever could not complete the authorization ({}).{said} Start the connection again; \
             if it keeps failing, check the app's client id and redirect URI in the partner \
             secret.",
            error.chars().take(60).collect::<String>()
        ),
    }
}

#[cfg(test)]
mod tests;
