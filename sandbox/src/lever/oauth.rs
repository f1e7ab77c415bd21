//! Lever's OAuth partner-app flow (facts/lever.md §2.2, §3): registered clients, the
//! authorization code, grants ("Authorized Apps"), access tokens and rotating refresh tokens.
//! Rules only, no I/O (HTTP lives in `oauth_routes`); every rule reads the fake clock.
//!
//! Lever runs its authorization server on Auth0 (`auth.lever.co`; the sandbox is literally
//! `sandbox-lever.auth0.com`), so where Lever documents nothing the fake behaves as Auth0
//! does, and says so:
//!
//! * codes are single-use and live 10 minutes (Auth0's value; UNCONFIRMED for Lever);
//! * refresh tokens rotate: a refresh answers a new refresh token (documented by Lever's
//!   Step 5 example) and the old one stops working; presenting an already-rotated refresh
//!   token again is taken as theft and revokes the whole grant (Auth0 reuse detection;
//!   UNCONFIRMED for Lever);
//! * an access token stays valid until it expires (1 h, documented) even after a refresh, as
//!   a self-contained JWT would — except that revoking the grant kills it at once (the fake
//!   is stricter than a JWT there, which is the safer assumption for the hub);
//! * refresh tokens die after 90 days without use or 1 year after the grant (documented);
//! * error bodies are Auth0's `{"error", "error_description"}` (UNCONFIRMED for Lever).

use std::collections::HashMap;

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha512;

use crate::signing::random_hex;

/// Access tokens live one hour (`expires_in: 3600`).
pub(crate) const ACCESS_TTL_SECS: i64 = 3600;
/// Authorization codes live ten minutes (Auth0's lifetime).
pub(crate) const CODE_TTL_MS: i64 = 10 * 60 * 1000;
/// A refresh token unused for 90 days is dead.
pub(crate) const REFRESH_IDLE_MS: i64 = 90 * DAY_MS;
/// No refresh token outlives its grant's first year.
pub(crate) const REFRESH_ABSOLUTE_MS: i64 = 365 * DAY_MS;
const DAY_MS: i64 = 24 * 3600 * 1000;

/// Who is at the consent screen when `GET /authorize` runs (the fake has no UI: consent is
/// automatic and this switch decides its outcome). Default: a Super Admin who consents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AuthorizingUser {
    /// A Super Admin who clicks "Accept": the callback gets `code` and `state`.
    #[default]
    SuperAdmin,
    /// A signed-in user who is not a Super Admin: as with Lever, the flow fails at its end
    /// with `error=access_denied` and a description saying only Super Admins can authorize.
    NotSuperAdmin,
    /// A user seeded with `add_user`: succeeds when its access role is `super admin` and it
    /// is active, otherwise fails as [`NotSuperAdmin`](Self::NotSuperAdmin). The grant
    /// records this user's id.
    User(String),
    /// The user clicks "Deny": `error=access_denied`.
    Deny,
}

/// One authorization of a partner app by a Super Admin (an entry under Settings →
/// Integrations and API → Authorized Apps), as [`FakeLever::grants`](super::FakeLever::grants)
/// reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OAuthGrant {
    pub id: String,
    pub client_id: String,
    /// The scopes asked for, in the order asked (`offline_access` included when asked).
    pub scopes: Vec<String>,
    /// The authorizing user's id when it was a seeded user ([`AuthorizingUser::User`]);
    /// `None` for the built-in Super Admin.
    pub user: Option<String>,
    /// When consent was given (fake clock, ms).
    pub created_at: i64,
    /// Revoked: by "Revoke access", or by the reuse of a rotated refresh token.
    pub revoked: bool,
}

impl OAuthGrant {
    pub fn has_scope(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Client {
    pub secret: String,
    pub redirect_uris: Vec<String>,
}

#[derive(Debug, Clone)]
struct Code {
    grant: String,
    client_id: String,
    redirect_uri: String,
    expires_at: i64,
    used: bool,
}

#[derive(Debug, Clone)]
struct AccessRec {
    grant: String,
    expires_at: i64,
}

#[derive(Debug, Clone)]
struct RefreshRec {
    grant: String,
    /// When it was issued: a refresh token is used exactly once, so this is also the grant's
    /// last use of a refresh token, which the 90-day idle rule counts from.
    issued_at: i64,
    rotated: bool,
}

/// A token-endpoint refusal: HTTP status and Auth0's `{error, error_description}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct OAuthError {
    pub status: u16,
    pub error: &'static str,
    pub description: String,
}

impl OAuthError {
    pub fn invalid_request(description: impl Into<String>) -> Self {
        Self {
            status: 400,
            error: "invalid_request",
            description: description.into(),
        }
    }

    pub fn invalid_grant(description: impl Into<String>) -> Self {
        Self {
            status: 403,
            error: "invalid_grant",
            description: description.into(),
        }
    }

    pub fn invalid_client() -> Self {
        Self {
            status: 401,
            error: "invalid_client",
            description: "Unauthorized".into(),
        }
    }

    pub fn unsupported_grant_type(grant_type: &str) -> Self {
        Self {
            status: 400,
            error: "unsupported_grant_type",
            description: format!("Unsupported grant type: {grant_type}"),
        }
    }

    pub fn body(&self) -> Value {
        json!({"error": self.error, "error_description": self.description})
    }
}

/// Why a Bearer token is refused on the Data API.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AccessRefusal {
    Unknown,
    Expired,
    Revoked,
}

/// The OAuth side of the fake account.
pub(crate) struct OAuthState {
    pub clients: HashMap<String, Client>,
    pub authorizing_user: AuthorizingUser,
    /// Lever's API identifier: the fake's `…/v1/` (with the trailing slash).
    pub audience: String,
    /// The `iss` of access tokens: the fake's root, `http://127.0.0.1:PORT/`.
    pub issuer: String,
    account_id: String,
    jwt_key: String,
    pub grants: Vec<OAuthGrant>,
    codes: HashMap<String, Code>,
    access: HashMap<String, AccessRec>,
    refresh: HashMap<String, RefreshRec>,
    /// Calls to `POST /oauth/token` that reached it, by `grant_type` as sent.
    pub token_requests: HashMap<String, usize>,
}

impl Default for OAuthState {
    fn default() -> Self {
        OAuthState {
            clients: HashMap::new(),
            authorizing_user: AuthorizingUser::default(),
            audience: String::new(),
            issuer: String::new(),
            account_id: uuid::Uuid::new_v4().to_string(),
            jwt_key: random_hex(64),
            grants: Vec::new(),
            codes: HashMap::new(),
            access: HashMap::new(),
            refresh: HashMap::new(),
            token_requests: HashMap::new(),
        }
    }
}

/// A successful token-endpoint answer.
pub(crate) struct Issued {
    pub access_token: String,
    pub refresh_token: Option<String>,
    pub scope: String,
}

impl Issued {
    pub fn body(&self) -> Value {
        let mut body = json!({
            "access_token": self.access_token,
            "token_type": "Bearer",
            "scope": self.scope,
            "expires_in": ACCESS_TTL_SECS,
        });
        if let Some(refresh) = &self.refresh_token {
            body["refresh_token"] = json!(refresh);
        }
        body
    }
}

impl OAuthState {
    pub fn register_client(&mut self, client_id: String, secret: String, redirect_uri: String) {
        let client = self.clients.entry(client_id).or_insert_with(|| Client {
            secret: secret.clone(),
            redirect_uris: Vec::new(),
        });
        client.secret = secret;
        if !client.redirect_uris.contains(&redirect_uri) {
            client.redirect_uris.push(redirect_uri);
        }
    }

    /// Consent given: a new grant and its single-use code.
    pub fn consent(
        &mut self,
        client_id: &str,
        redirect_uri: &str,
        scopes: Vec<String>,
        user: Option<String>,
        now: i64,
    ) -> String {
        let grant = OAuthGrant {
            id: uuid::Uuid::new_v4().to_string(),
            client_id: client_id.to_owned(),
            scopes,
            user,
            created_at: now,
            revoked: false,
        };
        let code = random_hex(32);
        self.codes.insert(
            code.clone(),
            Code {
                grant: grant.id.clone(),
                client_id: client_id.to_owned(),
                redirect_uri: redirect_uri.to_owned(),
                expires_at: now + CODE_TTL_MS,
                used: false,
            },
        );
        self.grants.push(grant);
        code
    }

    fn grant(&self, id: &str) -> Option<&OAuthGrant> {
        self.grants.iter().find(|g| g.id == id)
    }

    fn revoke_grant(&mut self, id: &str) {
        if let Some(g) = self.grants.iter_mut().find(|g| g.id == id) {
            g.revoked = true;
        }
    }

    /// "Revoke access" on every grant of `client_id`; returns how many were live.
    pub fn revoke_client(&mut self, client_id: &str) -> usize {
        let mut n = 0;
        for g in self.grants.iter_mut().filter(|g| g.client_id == client_id) {
            n += usize::from(!g.revoked);
            g.revoked = true;
        }
        n
    }

    /// Client authentication of a token request (`client_secret_post` or `_basic`).
    pub fn authenticate(&self, client_id: &str, secret: &str) -> Result<(), OAuthError> {
        match self.clients.get(client_id) {
            Some(c) if !secret.is_empty() && c.secret == secret => Ok(()),
            _ => Err(OAuthError::invalid_client()),
        }
    }

    /// `grant_type=authorization_code`.
    pub fn exchange_code(
        &mut self,
        client_id: &str,
        code: &str,
        redirect_uri: &str,
        now: i64,
    ) -> Result<Issued, OAuthError> {
        let rec = self
            .codes
            .get_mut(code)
            .filter(|c| c.client_id == client_id)
            .ok_or_else(|| OAuthError::invalid_grant("Invalid authorization code"))?;
        if rec.used {
            return Err(OAuthError::invalid_grant("Invalid authorization code"));
        }
        if now > rec.expires_at {
            return Err(OAuthError::invalid_grant("Invalid authorization code"));
        }
        if rec.redirect_uri != redirect_uri {
            return Err(OAuthError::invalid_grant(
                "redirect_uri does not match the one of the authorization request",
            ));
        }
        rec.used = true;
        let grant_id = rec.grant.clone();
        match self.grant(&grant_id).cloned() {
            Some(g) if !g.revoked => Ok(self.issue(&g, now)),
            _ => Err(OAuthError::invalid_grant("Invalid authorization code")),
        }
    }

    /// `grant_type=refresh_token`: rotation, reuse detection, idle and absolute expiry.
    pub fn refresh(
        &mut self,
        client_id: &str,
        token: &str,
        now: i64,
    ) -> Result<Issued, OAuthError> {
        let invalid = || OAuthError::invalid_grant("Unknown or invalid refresh token.");
        let rec = self.refresh.get(token).cloned().ok_or_else(invalid)?;
        let grant = self.grant(&rec.grant).cloned().ok_or_else(invalid)?;
        if grant.client_id != client_id {
            return Err(invalid());
        }
        if grant.revoked {
            return Err(invalid());
        }
        if rec.rotated {
            // Reuse of a rotated refresh token: someone holds a copy. Kill the whole grant.
            self.revoke_grant(&grant.id);
            return Err(invalid());
        }
        if now - rec.issued_at > REFRESH_IDLE_MS {
            return Err(OAuthError::invalid_grant(
                "The refresh token has expired (unused for 90 days).",
            ));
        }
        if now - grant.created_at > REFRESH_ABSOLUTE_MS {
            return Err(OAuthError::invalid_grant(
                "The refresh token has expired (more than a year old).",
            ));
        }
        if let Some(r) = self.refresh.get_mut(token) {
            r.rotated = true;
        }
        Ok(self.issue(&grant, now))
    }

    /// New access token (and refresh token when `offline_access` was granted).
    fn issue(&mut self, grant: &OAuthGrant, now: i64) -> Issued {
        let expires_at = now + ACCESS_TTL_SECS * 1000;
        let access_token = self.jwt(grant, now, expires_at);
        self.access.insert(
            access_token.clone(),
            AccessRec {
                grant: grant.id.clone(),
                expires_at,
            },
        );
        let refresh_token = grant.has_scope("offline_access").then(|| {
            let token = random_hex(48);
            self.refresh.insert(
                token.clone(),
                RefreshRec {
                    grant: grant.id.clone(),
                    issued_at: now,
                    rotated: false,
                },
            );
            token
        });
        Issued {
            access_token,
            refresh_token,
            scope: grant.scopes.join(" "),
        }
    }

    /// A JWT shaped like Lever's (claims of `oauth-token-response.json`), HS512-signed with a
    /// key of the fake. Opaque to clients: the fake checks it by lookup, not by signature.
    fn jwt(&self, grant: &OAuthGrant, now: i64, expires_at: i64) -> String {
        let header = json!({"alg": "HS512", "typ": "JWT", "v": "2.0"});
        let claims = json!({
            "https://oauth.lever.co/userId": grant.user.clone().unwrap_or_else(|| "super-admin".into()),
            "https://oauth.lever.co/accountId": self.account_id,
            "https://oauth.lever.co/clientId": grant.client_id,
            "iss": self.issuer,
            "sub": format!("auth0|{}", grant.user.as_deref().unwrap_or("super-admin")),
            "aud": self.audience,
            "iat": now.div_euclid(1000),
            "exp": expires_at.div_euclid(1000),
            "azp": grant.client_id,
            "scope": grant.scopes.join(" "),
            "jti": uuid::Uuid::new_v4().to_string(),
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let mut mac = Hmac::<Sha512>::new_from_slice(self.jwt_key.as_bytes())
            .expect("HMAC takes keys of any length");
        mac.update(signing_input.as_bytes());
        let sig = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{signing_input}.{sig}")
    }

    /// The grant behind a live access token.
    pub fn access(&self, token: &str, now: i64) -> Result<&OAuthGrant, AccessRefusal> {
        let rec = self.access.get(token).ok_or(AccessRefusal::Unknown)?;
        let grant = self.grant(&rec.grant).ok_or(AccessRefusal::Unknown)?;
        if grant.revoked {
            return Err(AccessRefusal::Revoked);
        }
        if now >= rec.expires_at {
            return Err(AccessRefusal::Expired);
        }
        Ok(grant)
    }
}
