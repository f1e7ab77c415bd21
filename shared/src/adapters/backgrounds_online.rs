//! Backgrounds Online as a provider adapter: preparation by its rules
//! ([`crate::domain::providers::backgrounds_online`]) and its HTTP client (contract:
//! docs/providers/backgrounds-online.md). One attempt per call; the dispatcher owns retries.
//! Orders can be cancelled while they await the candidate, and invitations lapse after the
//! account's `expiry_days`.

use super::provider_http::{failure, place, send};
use crate::config::TenantConfig;
use crate::domain::effects::CancelReason;
use crate::domain::kinds::ProviderKind;
use crate::domain::order::{Order, Rejection, SentRequest};
use crate::domain::providers::backgrounds_online::{self as rules, BackgroundsOnlineOrder};
use crate::domain::subject::Subject;
use crate::outbound::http::HttpClient;
use crate::ports::provider::{
    Capabilities, PlacedOrder, ProviderAccount, ProviderAdapter, ProviderError, not_set_up,
};

pub struct BackgroundsOnline {
    http: HttpClient,
}

impl BackgroundsOnline {
    pub fn new(http: HttpClient) -> Self {
        Self { http }
    }
}

#[derive(serde::Serialize)]
struct Wire<'a> {
    #[serde(flatten)]
    order: &'a BackgroundsOnlineOrder,
    callback_url: &'a str,
}

/// `{api_base}/v1/<segments…>`, each segment percent-encoded.
fn url(acct: &ProviderAccount, segments: &[&str]) -> Result<reqwest::Url, ProviderError> {
    let mut url = reqwest::Url::parse(&acct.api_base)
        .map_err(|_| ProviderError::Unexpected("invalid provider API base URL".into()))?;
    url.path_segments_mut()
        .map_err(|()| ProviderError::Unexpected("invalid provider API base URL".into()))?
        .pop_if_empty()
        .push("v1")
        .extend(segments);
    Ok(url)
}

#[async_trait::async_trait]
impl ProviderAdapter for BackgroundsOnline {
    fn kind(&self) -> ProviderKind {
        ProviderKind::BackgroundsOnline
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            cancel: true,
            status: false,
        }
    }

    fn api_base<'t>(&self, tenant: &'t TenantConfig) -> Option<&'t str> {
        tenant
            .providers
            .backgrounds_online
            .as_ref()
            .map(|s| s.api_base.as_str())
    }

    fn invitation_ttl(&self, tenant: &TenantConfig) -> Option<time::Duration> {
        tenant
            .providers
            .backgrounds_online
            .as_ref()
            .map(rules::invitation_ttl)
    }

    fn prepare(
        &self,
        tenant: &TenantConfig,
        order: &Order,
        subject: &Subject,
    ) -> Result<SentRequest, Rejection> {
        let settings = tenant
            .providers
            .backgrounds_online
            .as_ref()
            .ok_or_else(|| not_set_up(self.kind()))?;
        rules::prepare(settings, order, subject).map(|o| SentRequest::of(&o))
    }

    async fn place(
        &self,
        acct: &ProviderAccount,
        request: &SentRequest,
    ) -> Result<PlacedOrder, ProviderError> {
        let order: BackgroundsOnlineOrder = request
            .read()
            .ok_or_else(|| ProviderError::Unexpected("not a Backgrounds Online request".into()))?;
        let order = &order;
        place(
            self.http
                .get()
                .post(url(acct, &["orders"])?)
                .bearer_auth(acct.api_key.expose())
                .json(&Wire {
                    order,
                    callback_url: &acct.callback_url,
                }),
        )
        .await
    }

    async fn cancel(
        &self,
        acct: &ProviderAccount,
        provider_ref: &str,
        reason: CancelReason,
    ) -> Result<(), ProviderError> {
        let resp = send(
            self.http
                .get()
                .post(url(acct, &["orders", provider_ref, "cancel"])?)
                .bearer_auth(acct.api_key.expose())
                .json(&serde_json::json!({ "reason": wire_reason(reason) })),
        )
        .await?;
        if resp.status().is_success() {
            Ok(())
        } else {
            Err(failure(resp, "the provider refused to cancel the order").await)
        }
    }
}

/// The provider knows two reasons: a cancellation, or an order left to expire.
fn wire_reason(reason: CancelReason) -> &'static str {
    match reason {
        CancelReason::Cancelled | CancelReason::CandidateDeleted => "cancelled",
        CancelReason::Expired => "expired",
    }
}
