//! Screening provider APIs.

use crate::config::TenantConfig;
use crate::domain::TenantId;
use crate::domain::effects::CancelReason;
use crate::domain::kinds::ProviderKind;
use crate::domain::order::{Order, Rejection, SentRequest};
use crate::domain::providers::ProviderReport;
use crate::domain::subject::Subject;
use crate::ports::secrets::{Secret, TenantSecrets};

#[derive(Clone, Debug)]
/// A provider account: where to call, with which key, where callbacks go.
pub struct ProviderAccount {
    pub tenant: TenantId,
    pub api_base: String,
    pub api_key: Secret,
    /// The HTTP Basic password, for a provider that uses Basic auth.
    pub api_secret: Option<Secret>,
    /// Where the provider sends callbacks for this tenant.
    pub callback_url: String,
}

/// Why a tenant has no usable account with a provider.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AccountMissing {
    #[error("{0} is not set up for this tenant")]
    NotSetUp(&'static str),
    #[error("no {0} credentials configured")]
    NoCredentials(&'static str),
}

impl ProviderAccount {
    /// The tenant's account with `provider`: its API root from the configuration, its key
    /// from the tenant's secrets, and where its callbacks go (`callback_url`; a lookup that
    /// places nothing names none and passes an empty one).
    pub fn of(
        tenant: &TenantConfig,
        secrets: &TenantSecrets,
        provider: &dyn ProviderAdapter,
        callback_url: String,
    ) -> Result<ProviderAccount, AccountMissing> {
        let kind = provider.kind();
        let api_base = provider
            .api_base(tenant)
            .ok_or(AccountMissing::NotSetUp(kind.as_str()))?;
        let creds = secrets
            .provider(kind)
            .ok_or(AccountMissing::NoCredentials(kind.as_str()))?;
        Ok(ProviderAccount {
            tenant: tenant.id.clone(),
            api_base: api_base.to_owned(),
            api_key: creds.api_key.clone(),
            api_secret: creds.api_secret.clone(),
            callback_url,
        })
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PlacedOrder {
    pub provider_ref: String,
}

#[derive(Debug, thiserror::Error)]
pub enum ProviderError {
    /// The provider refused this order for a reason the recruiter must see.
    #[error("refused ({code}): {message}")]
    Refused { code: String, message: String },
    /// Our credentials were refused: retrying will not help.
    #[error("credentials refused (HTTP {0})")]
    Unauthorized(u16),
    /// Rate limit, server error, timeout: worth another try.
    #[error("transient failure: {0}")]
    Transient(String),
    /// Anything else the provider answered that we cannot act on.
    #[error("unexpected answer: {0}")]
    Unexpected(String),
}

impl ProviderError {
    pub fn is_transient(&self) -> bool {
        matches!(self, ProviderError::Transient(_))
    }
}

/// Why a tenant without an account with `provider` cannot order from it (a route the
/// configuration check lets through never meets it).
pub fn not_set_up(provider: ProviderKind) -> Rejection {
    Rejection {
        code: "provider_not_configured",
        message: format!(
            "Background check not ordered: {} is not set up for this account.",
            provider.display_name()
        ),
    }
}

/// What the spine may ask of a provider (everything off unless the adapter turns it on); the
/// dispatcher never asks for what is not declared.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Capabilities {
    /// Orders can be cancelled (a recruiter's cancel) or closed (expiry, deletion) there.
    pub cancel: bool,
    /// The account has users who may order (requesters), and the provider can say whether an
    /// email names one: an ATS that names its ordering user checks it before ordering.
    pub requesters: bool,
    /// An order's status can be read there ([`ProviderAdapter::read_status`]): orders in
    /// flight are polled on a schedule where the tenant's settings allow it.
    pub status: bool,
}

/// A screening provider, as the spine sees it: its account for a tenant, how an order is
/// prepared for it (pure), placed and cancelled. Callbacks are read by
/// [`crate::domain::providers::read_callback`] (pure too). Rules every implementation keeps
/// are in docs/adapters.md.
#[async_trait::async_trait]
pub trait ProviderAdapter: Send + Sync {
    fn kind(&self) -> ProviderKind;

    fn capabilities(&self) -> Capabilities;

    /// The provider's API root for this tenant; `None` when the tenant has no account.
    fn api_base<'t>(&self, tenant: &'t TenantConfig) -> Option<&'t str>;

    /// How long an accepted order waits for the candidate before it expires here (`None`:
    /// the provider reports its own expiries).
    fn invitation_ttl(&self, tenant: &TenantConfig) -> Option<time::Duration>;

    /// What to send for `order` about `subject`, or why nothing can be ordered (in words a
    /// recruiter can act on). Pure.
    fn prepare(
        &self,
        tenant: &TenantConfig,
        order: &Order,
        subject: &Subject,
    ) -> Result<SentRequest, Rejection>;

    /// Place the prepared order; idempotent on our order id.
    async fn place(
        &self,
        acct: &ProviderAccount,
        request: &SentRequest,
    ) -> Result<PlacedOrder, ProviderError>;

    /// Cancel or close an order awaiting the candidate (only called when
    /// [`Capabilities::cancel`]). Idempotent; `Refused` once the candidate has submitted.
    async fn cancel(
        &self,
        acct: &ProviderAccount,
        provider_ref: &str,
        reason: CancelReason,
    ) -> Result<(), ProviderError>;

    /// Whether `email` names a requester of the account (only called when
    /// [`Capabilities::requesters`]; a provider without requesters keeps this default). It
    /// runs on an inbound request's path: one attempt, no retries.
    async fn requester_exists(
        &self,
        _acct: &ProviderAccount,
        _email: &str,
    ) -> Result<bool, ProviderError> {
        Err(ProviderError::Unexpected(format!(
            "{} has no requesters",
            self.kind().display_name()
        )))
    }
    /// Whether this tenant's orders in flight are polled (with [`Capabilities::status`]): the
    /// tenant's account settings say.
    fn status_poll(&self, _tenant: &TenantConfig) -> bool {
        false
    }

    /// Read the order's status at the provider, in the canonical terms its callback would
    /// carry (only called when [`Capabilities::status`]). Reads only.
    async fn read_status(
        &self,
        _acct: &ProviderAccount,
        _provider_ref: &str,
    ) -> Result<ProviderReport, ProviderError> {
        Err(ProviderError::Unexpected(format!(
            "{} orders cannot be read",
            self.kind().display_name()
        )))
    }
}
