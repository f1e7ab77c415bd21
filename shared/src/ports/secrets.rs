//! Per-tenant secrets: Lever API key, Lever webhook signature tokens (one per webhook
//! event, since Lever moved to per-webhook tokens), provider credentials.

use crate::domain::ids::TenantId;
use crate::domain::kinds::ProviderKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// A secret string whose Debug and Display never show the value.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// A provider's API key and callback signing secrets.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderSecrets {
    /// The API key (the HTTP Basic user name for a provider that uses Basic auth).
    pub api_key: Secret,
    /// The HTTP Basic password, for a provider that uses Basic auth (Accurate Background).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_secret: Option<Secret>,
    /// Callback signing secrets (`whsec_…`), current first; two during rotation.
    pub callback_secrets: Vec<Secret>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantSecrets {
    #[serde(default)]
    pub lever_api_key: Option<Secret>,
    /// Lever webhook signature tokens by event name (`candidateStageChange`, …).
    #[serde(default)]
    pub lever_webhook_tokens: BTreeMap<String, Secret>,
    #[serde(default)]
    pub alliance: Option<ProviderSecrets>,
    #[serde(default)]
    pub backgrounds_online: Option<ProviderSecrets>,
    #[serde(default)]
    pub accurate: Option<ProviderSecrets>,
    /// The passwords the tenant's Cornerstone portal calls the connector with.
    #[serde(default)]
    pub cornerstone: Option<CornerstoneSecrets>,
    /// The tenant's operators' key for the hub's operator routes (adverse action): sent as
    /// `Authorization: Bearer <key>`.
    #[serde(default)]
    pub operator_api_key: Option<Secret>,
    /// The Lever connection the hub made itself (OAuth), kept in its own secret
    /// (`<prefix>tenants/<tenant>/lever-connection`) that only the hub writes: never part of
    /// the tenant's hand-written secret, so re-putting that secret cannot lose it.
    #[serde(skip)]
    pub lever_connection: Option<LeverGrant>,
}

/// A Lever OAuth grant and the webhooks the hub registered with it: written only by the hub.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeverGrant {
    pub access_token: Secret,
    /// Lever rotates it on every refresh: the newest one is the only one that works.
    pub refresh_token: Secret,
    /// When the access token stops working (Unix seconds).
    pub access_expires_at: i64,
    /// The scopes Lever granted, space-separated.
    #[serde(default)]
    pub scope: String,
    /// Signature tokens of the webhooks the hub created through Lever's API, by event name.
    #[serde(default)]
    pub webhook_tokens: BTreeMap<String, Secret>,
}

impl TenantSecrets {
    /// The signature token of the tenant's `event` webhooks: the ones the hub registered
    /// itself first, then one copied in by hand.
    pub fn lever_webhook_tokens_for(&self, event: &str) -> impl Iterator<Item = &Secret> {
        self.lever_connection
            .as_ref()
            .and_then(|g| g.webhook_tokens.get(event))
            .into_iter()
            .chain(self.lever_webhook_tokens.get(event))
    }
}

/// The Basic-auth passwords of a Cornerstone portal (the usernames are in `ats.cornerstone`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CornerstoneSecrets {
    /// The full-permission caller's password.
    pub password: Secret,
    /// The status-only caller's password (with `ats.cornerstone.status_username`).
    #[serde(default)]
    pub status_password: Option<Secret>,
}

/// The deployment's own accounts as a partner of an HR system, shared by every tenant (one
/// subscription per partner): Paylocity's.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartnerSecrets {
    #[serde(default)]
    pub paylocity: Option<PaylocityPartner>,
    /// The hub as a Lever partner app (OAuth client), for tenants that connect by authorizing
    /// it rather than with an API key.
    #[serde(default)]
    pub lever: Option<LeverPartner>,
}

/// The hub's Lever OAuth app (facts/lever.md §2.2): Lever issues the client id and secret
/// when it registers the app, with its one redirect URI (`<public base>/lever/oauth/callback`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeverPartner {
    pub client_id: String,
    pub client_secret: Secret,
    /// `https://auth.lever.co/authorize` (sandbox: `https://sandbox-lever.auth0.com/authorize`).
    #[serde(default = "default_lever_authorize_url")]
    pub authorize_url: String,
    /// `https://auth.lever.co/oauth/token`.
    #[serde(default = "default_lever_token_url")]
    pub token_url: String,
    /// The API the tokens are for, with its trailing slash: `https://api.lever.co/v1/`.
    #[serde(default = "default_lever_audience")]
    pub audience: String,
}

fn default_lever_authorize_url() -> String {
    "https://auth.lever.co/authorize".into()
}
fn default_lever_token_url() -> String {
    "https://auth.lever.co/oauth/token".into()
}
fn default_lever_audience() -> String {
    "https://api.lever.co/v1/".into()
}

/// The hub as a Paylocity screening partner (facts/vendors-and-aws.md §1.1, §1.3).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaylocityPartner {
    /// e.g. `https://dc1demogwext.paylocity.com` (routes under `/compliance/v1`).
    pub api_base: String,
    /// e.g. `https://gwext.paylocity.com/public/security/v1/token`.
    pub token_url: String,
    pub client_id: String,
    pub client_secret: Secret,
    /// The `x-api-key` values the order subscription was registered with, current first (two
    /// while it is rotated; at most 50 characters each).
    pub api_keys: Vec<Secret>,
}

impl TenantSecrets {
    /// The secret's field holding `provider`'s credentials.
    pub fn provider_field(provider: ProviderKind) -> &'static str {
        match provider {
            ProviderKind::Alliance2020 => "alliance",
            ProviderKind::BackgroundsOnline => "backgrounds_online",
            ProviderKind::Accurate => "accurate",
        }
    }

    /// The tenant's credentials with `provider`.
    pub fn provider(&self, provider: ProviderKind) -> Option<&ProviderSecrets> {
        match provider {
            ProviderKind::Alliance2020 => self.alliance.as_ref(),
            ProviderKind::BackgroundsOnline => self.backgrounds_online.as_ref(),
            ProviderKind::Accurate => self.accurate.as_ref(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SecretsError {
    #[error("secret store unavailable: {0}")]
    Unavailable(String),
    #[error("tenant secret is not valid JSON of the expected shape: {0}")]
    Malformed(String),
}

#[async_trait::async_trait]
pub trait SecretSource: Send + Sync {
    /// The tenant's secrets, `None` when the tenant has none.
    async fn tenant_secrets(
        &self,
        tenant: &TenantId,
    ) -> Result<Option<TenantSecrets>, SecretsError>;

    /// The deployment's partner accounts, `None` when it has none.
    async fn partner_secrets(&self) -> Result<Option<PartnerSecrets>, SecretsError> {
        Ok(None)
    }

    /// Store the tenant's Lever connection (`None` forgets it). Only the hub writes it, and
    /// only while it holds the tenant's connection lease.
    async fn put_lever_connection(
        &self,
        tenant: &TenantId,
        grant: Option<&LeverGrant>,
    ) -> Result<(), SecretsError> {
        let _ = (tenant, grant);
        Err(SecretsError::Unavailable(
            "this secret store cannot be written".into(),
        ))
    }
}
