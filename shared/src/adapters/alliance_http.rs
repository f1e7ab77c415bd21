//! Alliance 2020 client (contract: docs/providers/alliance2020.md). One attempt per call;
//! the dispatcher owns retries so that exhausting them can move the order to `Error`.

use crate::domain::alliance::AllianceOrder;
use crate::outbound::http::HttpClient;
use crate::ports::provider::{AllianceAccount, AllianceApi, PlacedOrder, ProviderError};

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

#[derive(serde::Deserialize)]
struct Placed {
    order_id: String,
}

#[derive(serde::Deserialize, Default)]
struct Refusal {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

#[async_trait::async_trait]
impl AllianceApi for AllianceHttp {
    async fn place_order(
        &self,
        acct: &AllianceAccount,
        order: &AllianceOrder,
    ) -> Result<PlacedOrder, ProviderError> {
        let url = format!("{}/v1/orders", acct.api_base.trim_end_matches('/'));
        let resp = self
            .http
            .get()
            .post(&url)
            .bearer_auth(acct.api_key.expose())
            .json(&Wire {
                order,
                callback_url: &acct.callback_url,
            })
            .send()
            .await
            .map_err(|e| {
                ProviderError::Transient(if e.is_timeout() {
                    "timeout".into()
                } else {
                    "connection failed".into()
                })
            })?;
        let status = resp.status().as_u16();
        match status {
            200 | 201 => resp
                .json::<Placed>()
                .await
                .map(|p| PlacedOrder {
                    provider_ref: p.order_id,
                })
                .map_err(|_| ProviderError::Unexpected("unreadable order confirmation".into())),
            401 | 403 => Err(ProviderError::Unauthorized(status)),
            400 | 409 | 422 => {
                let r: Refusal = resp.json().await.unwrap_or_default();
                Err(ProviderError::Refused {
                    code: r.code.unwrap_or_else(|| format!("http_{status}")),
                    message: r
                        .message
                        .unwrap_or_else(|| "the provider refused the order".into()),
                })
            }
            408 | 429 | 500..=599 => Err(ProviderError::Transient(format!("HTTP {status}"))),
            _ => Err(ProviderError::Unexpected(format!("HTTP {status}"))),
        }
    }
}
