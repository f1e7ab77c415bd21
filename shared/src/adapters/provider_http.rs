//! What every screening provider's HTTP answers mean, in one place: 401/403 → credentials,
//! 400/404/409/422 with `{code, message}` → refused (shown to the recruiter), 408/429/5xx and
//! transport failures → transient. Error texts carry no request data.

use crate::ports::provider::{PlacedOrder, ProviderError};

#[derive(serde::Deserialize, Default)]
struct Refusal {
    #[serde(default)]
    code: Option<String>,
    #[serde(default)]
    message: Option<String>,
}

/// Send, mapping transport failures to `Transient`.
pub(crate) async fn send(req: reqwest::RequestBuilder) -> Result<reqwest::Response, ProviderError> {
    req.send().await.map_err(|e| {
        ProviderError::Transient(if e.is_timeout() {
            "timeout".into()
        } else {
            "connection failed".into()
        })
    })
}

/// The error a non-success answer stands for.
pub(crate) async fn failure(resp: reqwest::Response, refused: &str) -> ProviderError {
    let status = resp.status().as_u16();
    match status {
        401 | 403 => ProviderError::Unauthorized(status),
        400 | 404 | 409 | 422 => {
            let r: Refusal = resp.json().await.unwrap_or_default();
            ProviderError::Refused {
                code: r.code.unwrap_or_else(|| format!("http_{status}")),
                message: r.message.unwrap_or_else(|| refused.to_owned()),
            }
        }
        408 | 429 | 500..=599 => ProviderError::Transient(format!("HTTP {status}")),
        _ => ProviderError::Unexpected(format!("HTTP {status}")),
    }
}

#[derive(serde::Deserialize)]
struct Placed {
    order_id: String,
}

/// POST an order and read the provider's order id from `{ "order_id": … }`.
pub(crate) async fn place(req: reqwest::RequestBuilder) -> Result<PlacedOrder, ProviderError> {
    let resp = send(req).await?;
    if !resp.status().is_success() {
        return Err(failure(resp, "the provider refused the order").await);
    }
    resp.json::<Placed>()
        .await
        .map(|p| PlacedOrder {
            provider_ref: p.order_id,
        })
        .map_err(|_| ProviderError::Unexpected("unreadable order confirmation".into()))
}
