//! Connecting a tenant's Lever account the way partner apps are connected (facts/lever.md
//! §2.2, §3): start (Lever's authorize URL with a signed, expiring, single-use state bound to
//! the tenant), finish (verify the state, trade the code, store the grant), register the
//! hub's webhooks with their signature tokens, and disconnect.

use crate::adapters::lever_oauth::{LeverOAuth, TokenError, grant_lease_key};
use crate::config::TenantConfig;
use crate::domain::TenantId;
use crate::domain::ats::lever_oauth::{
    self as rules, CALLBACK_PATH, ConnectState, STATE_TTL, StateError, WEBHOOK_EVENTS,
};
use crate::domain::ats::lever_route::{LeverConnectionMethod, LeverTrigger};
use crate::ports::connections::{ConnectionStatus, LeverConnection, RegisteredWebhook};
use crate::ports::lever::{LeverAccount, LeverApi, LeverError};
use crate::ports::secrets::{LeverGrant, LeverPartner, Secret};
use crate::ports::{Clock, Store};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;
use time::OffsetDateTime;

/// How long finishing waits for a refresh under way to let go of the tenant's lease.
const LEASE_WAIT: Duration = Duration::from_millis(200);
const LEASE_TRIES: u32 = 50;

/// A connection started: where the Super Admin goes next.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Started {
    pub authorize_url: String,
    #[serde(with = "time::serde::rfc3339")]
    pub expires_at: OffsetDateTime,
    pub scopes: Vec<String>,
}

/// A connection finished.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Connected {
    pub tenant: TenantId,
    pub scopes: Vec<String>,
    pub webhooks: Vec<RegisteredWebhook>,
    /// Why the webhooks could not be registered (the connection itself stands).
    pub webhook_problem: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("tenant {0} is not configured for Lever")]
    NoLever(TenantId),
    #[error(
        "tenant {0} connects to Lever with an API key: set ats.lever.connection to \"oauth\" in its configuration first"
    )]
    NotOAuth(TenantId),
    #[error(
        "this deployment has no Lever app: put lever.client_id and lever.client_secret in the partner secret (screenhub partner-secret-put)"
    )]
    NoApp,
    #[error("the partner secret's Lever authorize URL is not https")]
    BadAuthorizeUrl,
    #[error("the link is not one the hub issued: start the connection again")]
    StateMalformed,
    #[error("the link's signature does not match: start the connection again")]
    StateForged,
    #[error("the link expired: start the connection again (it is valid for 15 minutes)")]
    StateExpired,
    #[error("the link was already used: start the connection again")]
    StateReused,
    #[error("unknown tenant")]
    TenantUnknown,
    /// Lever refused (the authorize page or the code): what to do, in words.
    #[error("{0}")]
    Refused(String),
    #[error(
        "Lever granted no refresh token (offline_access): authorize again and accept every permission"
    )]
    NoRefreshToken,
    #[error("temporarily unavailable ({0}): start the connection again in a minute")]
    Unavailable(String),
}

impl ConnectError {
    /// The stable code of the refusal (problem+json `code`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoLever(_) | Self::NotOAuth(_) => "lever-not-oauth",
            Self::NoApp | Self::BadAuthorizeUrl => "lever-app-missing",
            Self::StateMalformed | Self::StateForged => "state-invalid",
            Self::StateExpired => "state-expired",
            Self::StateReused => "state-reused",
            Self::TenantUnknown => "tenant-unknown",
            Self::Refused(_) | Self::NoRefreshToken => "lever-refused",
            Self::Unavailable(_) => "unavailable",
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            Self::StateMalformed | Self::StateForged | Self::StateExpired => 400,
            Self::StateReused => 409,
            Self::TenantUnknown => 404,
            Self::Refused(_) | Self::NoRefreshToken => 403,
            Self::NoLever(_) | Self::NotOAuth(_) => 409,
            Self::NoApp | Self::BadAuthorizeUrl | Self::Unavailable(_) => 503,
        }
    }
}

impl From<StateError> for ConnectError {
    fn from(e: StateError) -> Self {
        match e {
            StateError::Malformed => Self::StateMalformed,
            StateError::Forged => Self::StateForged,
            StateError::Expired => Self::StateExpired,
        }
    }
}

impl From<TokenError> for ConnectError {
    fn from(e: TokenError) -> Self {
        match e {
            TokenError::NoApp => Self::NoApp,
            TokenError::Refused(r) => Self::Refused(rules::refusal_advice(
                &r.error,
                r.error_description.as_deref(),
            )),
            TokenError::Unreachable(why) => Self::Unavailable(format!("Lever: {why}")),
        }
    }
}

/// What the callback received (`?code=…&state=…` or `?error=…&error_description=…&state=…`).
#[derive(Clone, Debug, Default)]
pub struct CallbackQuery {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
}

impl CallbackQuery {
    pub fn parse(query: &str) -> Self {
        let get = |n| rules::query_param(query, n).filter(|v| !v.is_empty());
        Self {
            code: get("code"),
            state: get("state"),
            error: get("error"),
            error_description: get("error_description"),
        }
    }
}

#[derive(Clone)]
pub struct LeverConnect {
    pub oauth: Arc<LeverOAuth>,
    pub lever: Arc<dyn LeverApi>,
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    /// The deployment's public base URL: the redirect URI and the webhook URLs hang off it.
    pub public_base_url: String,
}

impl LeverConnect {
    /// The one redirect URI registered with Lever for the app.
    pub fn redirect_uri(&self) -> String {
        format!(
            "{}{CALLBACK_PATH}",
            self.public_base_url.trim_end_matches('/')
        )
    }

    /// Where Lever delivers the tenant's webhooks.
    pub fn webhook_url(&self, tenant: &TenantId) -> String {
        format!(
            "{}{}{tenant}",
            self.public_base_url.trim_end_matches('/'),
            crate::api::LEVER_WEBHOOK_PREFIX
        )
    }

    fn oauth_tenant(tenant: &TenantConfig) -> Result<(), ConnectError> {
        match tenant.ats.lever.as_ref().map(|l| l.connection) {
            None => Err(ConnectError::NoLever(tenant.id.clone())),
            Some(LeverConnectionMethod::ApiKey) => Err(ConnectError::NotOAuth(tenant.id.clone())),
            Some(LeverConnectionMethod::Oauth) => Ok(()),
        }
    }

    async fn app(&self) -> Result<LeverPartner, ConnectError> {
        Ok(self.oauth.app().await?)
    }

    /// Start connecting `tenant`: Lever's authorize URL for a Super Admin to open.
    pub async fn start(&self, tenant: &TenantConfig) -> Result<Started, ConnectError> {
        Self::oauth_tenant(tenant)?;
        let app = self.app().await?;
        let expires_at = self.clock.now() + STATE_TTL;
        let state = rules::sign_state(
            &rules::state_key(app.client_secret.expose()),
            &ConnectState {
                tenant: tenant.id.clone(),
                nonce: uuid::Uuid::new_v4().simple().to_string(),
                expires_at: expires_at.unix_timestamp(),
            },
        );
        let scopes = rules::required_scopes(lever_use(tenant));
        let authorize_url = rules::authorize_url(
            &app.authorize_url,
            &app.client_id,
            &self.redirect_uri(),
            &app.audience,
            &scopes,
            &state,
        )
        .map_err(|_| ConnectError::BadAuthorizeUrl)?;
        tracing::info!(tenant = %tenant.id, "Lever connection started");
        Ok(Started {
            authorize_url,
            expires_at,
            scopes: scopes.into_iter().map(str::to_owned).collect(),
        })
    }

    /// Lever's redirect back: check the state (signed by the hub, unexpired, first use), then
    /// trade the code, store the grant and register the webhooks.
    pub async fn finish(&self, query: &CallbackQuery) -> Result<Connected, ConnectError> {
        let app = self.app().await?;
        let now = self.clock.now();
        let state = rules::verify_state(
            &rules::state_key(app.client_secret.expose()),
            query.state.as_deref().ok_or(ConnectError::StateMalformed)?,
            now,
        )?;
        let expires =
            OffsetDateTime::from_unix_timestamp(state.expires_at).unwrap_or(now + STATE_TTL);
        let first_use = self
            .oauth
            .connections()
            .use_once(&format!("lever-oauth-state:{}", state.nonce), expires)
            .await
            .map_err(|e| ConnectError::Unavailable(e.to_string()))?;
        if !first_use {
            tracing::warn!(tenant = %state.tenant, "Lever connection state used again: refused");
            return Err(ConnectError::StateReused);
        }
        if let Some(error) = &query.error {
            tracing::info!(tenant = %state.tenant, error = %error, "Lever refused the authorization");
            return Err(ConnectError::Refused(rules::refusal_advice(
                error,
                query.error_description.as_deref(),
            )));
        }
        let code = query.code.as_deref().ok_or(ConnectError::StateMalformed)?;
        let tenant = self
            .store
            .get_tenant(&state.tenant)
            .await
            .map_err(|e| ConnectError::Unavailable(e.to_string()))?
            .ok_or(ConnectError::TenantUnknown)?;
        Self::oauth_tenant(&tenant)?;
        let answer = self
            .oauth
            .exchange_code(&app, code, &self.redirect_uri())
            .await?;
        let refresh_token = answer
            .refresh_token
            .clone()
            .ok_or(ConnectError::NoRefreshToken)?;
        let now = self.clock.now();
        let scope = answer.scope.clone().unwrap_or_default();
        let access_expires_at = now.unix_timestamp() + answer.expires_in;
        let previous = self.current_grant(&tenant.id).await;
        let grant = LeverGrant {
            access_token: Secret::new(answer.access_token.clone()),
            refresh_token: Secret::new(refresh_token),
            access_expires_at,
            scope: scope.clone(),
            // Webhooks registered under an earlier grant still deliver with their tokens.
            webhook_tokens: previous.map(|g| g.webhook_tokens).unwrap_or_default(),
        };
        let scopes: Vec<String> = scope.split_whitespace().map(str::to_owned).collect();
        self.with_grant_lease(&tenant.id, || async {
            self.oauth
                .store_grant(&tenant.id, &grant)
                .await
                .map_err(|e| ConnectError::Unavailable(e.to_string()))?;
            let old = self.record(&tenant.id).await?;
            let record = LeverConnection {
                tenant: tenant.id.clone(),
                status: ConnectionStatus::Connected,
                scopes: scopes.clone(),
                connected_at: now,
                refreshed_at: now,
                access_expires_at: OffsetDateTime::from_unix_timestamp(access_expires_at)
                    .unwrap_or(now),
                disconnected_at: None,
                disconnect_reason: None,
                webhooks: old.as_ref().map(|o| o.webhooks.clone()).unwrap_or_default(),
                version: old.as_ref().map_or(1, |o| o.version + 1),
            };
            self.put_record(&record, old.map(|o| o.version)).await
        })
        .await?;
        self.oauth.forget(&tenant.id);
        tracing::info!(tenant = %tenant.id, "Lever connected");
        crate::metrics::count("LeverConnected", &[]);
        let (webhooks, webhook_problem) = match self.register_webhooks(&tenant).await {
            Ok(w) => (w, None),
            Err(e) => {
                tracing::warn!(tenant = %tenant.id, error = %e, "Lever webhooks not registered");
                (Vec::new(), Some(e))
            }
        };
        Ok(Connected {
            tenant: tenant.id,
            scopes,
            webhooks,
            webhook_problem,
        })
    }

    async fn current_grant(&self, tenant: &TenantId) -> Option<LeverGrant> {
        self.oauth
            .secrets()
            .refresh(tenant)
            .await
            .ok()
            .flatten()
            .and_then(|s| s.lever_connection)
    }

    async fn record(&self, tenant: &TenantId) -> Result<Option<LeverConnection>, ConnectError> {
        self.oauth
            .connections()
            .get_lever_connection(tenant)
            .await
            .map_err(|e| ConnectError::Unavailable(e.to_string()))
    }

    async fn put_record(
        &self,
        record: &LeverConnection,
        expected: Option<u64>,
    ) -> Result<(), ConnectError> {
        let written = self
            .oauth
            .connections()
            .put_lever_connection(record, expected)
            .await
            .map_err(|e| ConnectError::Unavailable(e.to_string()))?;
        if written {
            Ok(())
        } else {
            Err(ConnectError::Unavailable(
                "the connection changed meanwhile".into(),
            ))
        }
    }

    /// Run `write` holding the tenant's grant lease (no refresh writes a grant meanwhile).
    async fn with_grant_lease<F, Fut, T>(
        &self,
        tenant: &TenantId,
        write: F,
    ) -> Result<T, ConnectError>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<T, ConnectError>>,
    {
        let key = grant_lease_key(tenant);
        let holder = uuid::Uuid::new_v4().simple().to_string();
        let connections = self.oauth.connections();
        for _ in 0..LEASE_TRIES {
            let now = self.clock.now();
            let taken = connections
                .take_lease(&key, &holder, now, now + time::Duration::seconds(30))
                .await
                .map_err(|e| ConnectError::Unavailable(e.to_string()))?;
            if taken {
                let result = write().await;
                connections.release_lease(&key, &holder).await.ok();
                return result;
            }
            tokio::time::sleep(LEASE_WAIT).await;
        }
        Err(ConnectError::Unavailable(
            "the tenant's Lever grant is being refreshed".into(),
        ))
    }

    /// Create (or find and reuse) the hub's `candidateStageChange` and `candidateDeleted`
    /// webhooks and keep their signature tokens. A webhook of the hub's URL whose token the
    /// hub does not hold (created by an attempt whose answer was lost, or by hand) cannot be
    /// verified: it is replaced.
    pub async fn register_webhooks(
        &self,
        tenant: &TenantConfig,
    ) -> Result<Vec<RegisteredWebhook>, String> {
        let acct = self.account(tenant)?;
        let url = self.webhook_url(&tenant.id);
        let held = self
            .current_grant(&tenant.id)
            .await
            .map(|g| g.webhook_tokens)
            .unwrap_or_default();
        let recorded = self
            .record(&tenant.id)
            .await
            .map_err(|e| e.to_string())?
            .map(|r| r.webhooks)
            .unwrap_or_default();
        let existing = self
            .lever
            .list_webhooks(&acct)
            .await
            .map_err(|e| lever_problem(&e))?;
        let mut registered = Vec::new();
        let mut new_tokens: BTreeMap<String, Secret> = BTreeMap::new();
        for event in WEBHOOK_EVENTS {
            let ours: Vec<_> = existing
                .iter()
                .filter(|w| w.url == url && w.event == event)
                .collect();
            let kept = ours.iter().find(|w| {
                held.contains_key(event)
                    && recorded.iter().any(|r| r.id == w.id && r.event == event)
            });
            if let Some(w) = kept {
                for extra in ours.iter().filter(|o| o.id != w.id) {
                    self.lever
                        .delete_webhook(&acct, &extra.id)
                        .await
                        .map_err(|e| lever_problem(&e))?;
                }
                registered.push(RegisteredWebhook {
                    event: event.to_owned(),
                    id: w.id.clone(),
                    url: url.clone(),
                });
                continue;
            }
            for stale in &ours {
                self.lever
                    .delete_webhook(&acct, &stale.id)
                    .await
                    .map_err(|e| lever_problem(&e))?;
            }
            let created = self
                .lever
                .create_webhook(&acct, &url, event)
                .await
                .map_err(|e| lever_problem(&e))?;
            new_tokens.insert(event.to_owned(), created.signature_token);
            registered.push(RegisteredWebhook {
                event: event.to_owned(),
                id: created.id,
                url: url.clone(),
            });
        }
        let tenant_id = tenant.id.clone();
        let webhooks = registered.clone();
        self.with_grant_lease(&tenant_id, || async {
            if !new_tokens.is_empty() {
                let mut grant = self
                    .current_grant(&tenant_id)
                    .await
                    .ok_or_else(|| ConnectError::Unavailable("the grant vanished".into()))?;
                grant.webhook_tokens.extend(new_tokens);
                self.oauth
                    .store_grant(&tenant_id, &grant)
                    .await
                    .map_err(|e| ConnectError::Unavailable(e.to_string()))?;
            }
            let old = self
                .record(&tenant_id)
                .await?
                .ok_or_else(|| ConnectError::Unavailable("the connection vanished".into()))?;
            let mut next = old.clone();
            next.webhooks = webhooks;
            next.version = old.version + 1;
            self.put_record(&next, Some(old.version)).await
        })
        .await
        .map_err(|e| e.to_string())?;
        self.oauth.forget(&tenant.id);
        tracing::info!(tenant = %tenant.id, count = registered.len(), "Lever webhooks registered");
        Ok(registered)
    }

    /// The tenant's account, called with its grant (no hand-written secret is needed).
    fn account(&self, tenant: &TenantConfig) -> Result<LeverAccount, String> {
        Self::oauth_tenant(tenant).map_err(|e| e.to_string())?;
        LeverAccount::for_tenant(tenant, &crate::ports::TenantSecrets::default())
            .ok_or_else(|| "the tenant has no Lever settings".to_owned())
    }

    /// Disconnect: delete the hub's webhooks at Lever (while the grant still works), then
    /// forget the grant and the connection record. The grant itself is revoked in Lever
    /// (Settings → Integrations and API → Authorized Apps); Lever has no API for it.
    pub async fn disconnect(&self, tenant: &TenantConfig) -> Result<Vec<String>, ConnectError> {
        let mut notes = Vec::new();
        if let Some(record) = self.record(&tenant.id).await? {
            let acct = self.account(tenant);
            if let Err(why) = &acct
                && !record.webhooks.is_empty()
            {
                notes.push(format!(
                    "the hub's webhooks were not deleted in Lever ({why}); delete them under Settings → Integrations and API → Webhooks"
                ));
            }
            if let Ok(acct) = acct {
                for w in &record.webhooks {
                    if let Err(e) = self.lever.delete_webhook(&acct, &w.id).await {
                        notes.push(format!(
                            "webhook {} ({}) could not be deleted in Lever: {}; delete it under Settings → Integrations and API → Webhooks",
                            w.id,
                            w.event,
                            lever_problem(&e)
                        ));
                    }
                }
            }
            self.with_grant_lease(&tenant.id, || async {
                self.oauth
                    .secrets()
                    .put_lever_connection(&tenant.id, None)
                    .await
                    .map_err(|e| ConnectError::Unavailable(e.to_string()))?;
                self.oauth
                    .connections()
                    .delete_lever_connection(&tenant.id)
                    .await
                    .map_err(|e| ConnectError::Unavailable(e.to_string()))
            })
            .await?;
        }
        self.oauth.forget(&tenant.id);
        tracing::info!(tenant = %tenant.id, "Lever disconnected");
        Ok(notes)
    }
}

/// What the tenant's configuration does with Lever.
pub fn lever_use(tenant: &TenantConfig) -> rules::LeverUse {
    let triggers: Vec<_> = tenant
        .routes
        .iter()
        .filter_map(|r| r.trigger.lever())
        .collect();
    rules::LeverUse {
        routes: !triggers.is_empty(),
        stage_routes: triggers
            .iter()
            .any(|t| matches!(t, LeverTrigger::Stage { .. })),
        passes: tenant.passes.is_some(),
        perform_as: tenant
            .ats
            .lever
            .as_ref()
            .is_some_and(|l| l.perform_as.is_some()),
    }
}

fn lever_problem(e: &LeverError) -> String {
    match e {
        LeverError::Status { status: 403, .. } => {
            "Lever refused (403): the grant lacks webhooks:write:admin; authorize again and accept every permission".into()
        }
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_refusal_has_a_documented_code_and_says_what_to_do() {
        let t = TenantId::parse("acme").unwrap();
        let all = [
            ConnectError::NoLever(t.clone()),
            ConnectError::NotOAuth(t),
            ConnectError::NoApp,
            ConnectError::BadAuthorizeUrl,
            ConnectError::StateMalformed,
            ConnectError::StateForged,
            ConnectError::StateExpired,
            ConnectError::StateReused,
            ConnectError::TenantUnknown,
            ConnectError::Refused("ask a Super Admin".into()),
            ConnectError::NoRefreshToken,
            ConnectError::Unavailable("store".into()),
        ];
        let documented: Vec<&str> = crate::api::problem_codes().collect();
        for e in &all {
            assert!(documented.contains(&e.code()), "{}", e.code());
            assert!((400..600).contains(&e.status()));
            assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn the_callback_query_is_read_whatever_its_order() {
        let q = CallbackQuery::parse("state=v1.a.b&code=c%2Fd&error=");
        assert_eq!(q.state.as_deref(), Some("v1.a.b"));
        assert_eq!(q.code.as_deref(), Some("c/d"));
        assert_eq!(q.error, None, "an empty value is no value");
    }
}
