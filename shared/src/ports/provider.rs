//! Screening provider APIs.

use crate::domain::TenantId;
use crate::domain::effects::CancelReason;
use crate::domain::providers::alliance::AllianceOrder;
use crate::domain::providers::backgrounds_online::BackgroundsOnlineOrder;
use crate::ports::secrets::Secret;

#[derive(Clone, Debug)]
/// A provider account: where to call, with which key, where callbacks go.
pub struct ProviderAccount {
    pub tenant: TenantId,
    pub api_base: String,
    pub api_key: Secret,
    /// Where the provider sends callbacks for this tenant.
    pub callback_url: String,
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

#[async_trait::async_trait]
pub trait AllianceApi: Send + Sync {
    /// Place an order; idempotent on `order.client_reference`.
    async fn place_order(
        &self,
        acct: &ProviderAccount,
        order: &AllianceOrder,
    ) -> Result<PlacedOrder, ProviderError>;
}

#[async_trait::async_trait]
pub trait BackgroundsOnlineApi: Send + Sync {
    /// Place an order; idempotent on `order.client_reference`.
    async fn place_order(
        &self,
        acct: &ProviderAccount,
        order: &BackgroundsOnlineOrder,
    ) -> Result<PlacedOrder, ProviderError>;

    /// Cancel or close an order awaiting the candidate. Idempotent; `Refused` (code
    /// `not_cancellable`) once the candidate has submitted.
    async fn cancel_order(
        &self,
        acct: &ProviderAccount,
        provider_ref: &str,
        reason: CancelReason,
    ) -> Result<(), ProviderError>;
}
