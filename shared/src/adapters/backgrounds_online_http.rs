//! Backgrounds Online client (contract: docs/providers/backgrounds-online.md). One attempt
//! per call; the dispatcher owns retries.

use super::provider_http::{failure, place, send};
use crate::domain::effects::CancelReason;
use crate::domain::providers::backgrounds_online::BackgroundsOnlineOrder;
use crate::outbound::http::HttpClient;
use crate::ports::provider::{BackgroundsOnlineApi, PlacedOrder, ProviderAccount, ProviderError};

pub struct BackgroundsOnlineHttp {
    http: HttpClient,
}

impl BackgroundsOnlineHttp {
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
impl BackgroundsOnlineApi for BackgroundsOnlineHttp {
    async fn place_order(
        &self,
        acct: &ProviderAccount,
        order: &BackgroundsOnlineOrder,
    ) -> Result<PlacedOrder, ProviderError> {
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

    async fn cancel_order(
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
