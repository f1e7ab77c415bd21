//! Alliance 2020 as a provider adapter: preparation by its rules
//! ([`crate::domain::providers::alliance`]) and its HTTP client (contract:
//! docs/providers/alliance2020.md). One attempt per call; the dispatcher owns retries so that
//! exhausting them can move the order to `Error`. Alliance 2020 has no cancel call and
//! reports its own expiries.

use super::provider_http::place;
use crate::config::TenantConfig;
use crate::domain::effects::CancelReason;
use crate::domain::kinds::ProviderKind;
use crate::domain::order::{Order, Rejection, SentRequest};
use crate::domain::providers::alliance::{self, AllianceOrder};
use crate::domain::subject::Subject;
use crate::outbound::http::HttpClient;
use crate::ports::provider::{
    Capabilities, PlacedOrder, ProviderAccount, ProviderAdapter, ProviderError, not_set_up,
};

pub struct Alliance2020 {
    http: HttpClient,
}

impl Alliance2020 {
    pub fn new(http: HttpClient) -> Self {
        Self { http }
    }
}

#[derive(serde::Serialize)]
struct Wire<'a> {
    #[serde(flatten)]
    order: &'a AllianceOrder,
    callback_url: &'a str,
}

#[async_trait::async_trait]
impl ProviderAdapter for Alliance2020 {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Alliance2020
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::default()
    }

    fn api_base<'t>(&self, tenant: &'t TenantConfig) -> Option<&'t str> {
        tenant
            .providers
            .alliance2020
            .as_ref()
            .map(|s| s.api_base.as_str())
    }

    fn invitation_ttl(&self, _: &TenantConfig) -> Option<time::Duration> {
        None
    }

    fn prepare(
        &self,
        tenant: &TenantConfig,
        order: &Order,
        subject: &Subject,
    ) -> Result<SentRequest, Rejection> {
        let settings = tenant
            .providers
            .alliance2020
            .as_ref()
            .ok_or_else(|| not_set_up(self.kind()))?;
        alliance::prepare(settings, order, subject).map(|o| SentRequest::of(&o))
    }

    async fn place(
        &self,
        acct: &ProviderAccount,
        request: &SentRequest,
    ) -> Result<PlacedOrder, ProviderError> {
        let order: AllianceOrder = request
            .read()
            .ok_or_else(|| ProviderError::Unexpected("not an Alliance 2020 request".into()))?;
        let url = format!("{}/v1/orders", acct.api_base.trim_end_matches('/'));
        place(
            self.http
                .get()
                .post(&url)
                .bearer_auth(acct.api_key.expose())
                .json(&Wire {
                    order: &order,
                    callback_url: &acct.callback_url,
                }),
        )
        .await
    }

    async fn cancel(
        &self,
        _: &ProviderAccount,
        _: &str,
        _: CancelReason,
    ) -> Result<(), ProviderError> {
        Err(ProviderError::Unexpected(
            "Alliance 2020 has no cancel call".into(),
        ))
    }
}
