//! Alliance 2020 client (contract: docs/providers/alliance2020.md). One attempt per call;
//! the dispatcher owns retries so that exhausting them can move the order to `Error`.

use super::provider_http::place;
use crate::domain::providers::alliance::AllianceOrder;
use crate::outbound::http::HttpClient;
use crate::ports::provider::{AllianceApi, PlacedOrder, ProviderAccount, ProviderError};

pub struct AllianceHttp {
    http: HttpClient,
}

impl AllianceHttp {
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
impl AllianceApi for AllianceHttp {
    async fn place_order(
        &self,
        acct: &ProviderAccount,
        order: &AllianceOrder,
    ) -> Result<PlacedOrder, ProviderError> {
        let url = format!("{}/v1/orders", acct.api_base.trim_end_matches('/'));
        place(
            self.http
                .get()
                .post(&url)
                .bearer_auth(acct.api_key.expose())
                .json(&Wire {
                    order,
                    callback_url: &acct.callback_url,
                }),
        )
        .await
    }
}
