//! What every screening provider's HTTP answers mean, in one place: 401/403 → credentials,
//! 400/404/409/422 with `{code, message}` → refused (shown to the recruiter), 408/429/5xx and
//! transport failures → transient. Error texts carry no request data.

use crate::outbound::http::read_capped;
use crate::ports::provider::{PlacedOrder, ProviderError};

/// Largest order confirmation read from a provider.
const MAX_ANSWER_BYTES: usize = 1024 * 1024;
/// Largest error body read (only `code` and `message` are used).
const MAX_ERROR_BYTES: usize = 64 * 1024;

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
            let r: Refusal = read_capped(resp, MAX_ERROR_BYTES)
                .await
                .ok()
                .and_then(|b| serde_json::from_slice(&b).ok())
                .unwrap_or_default();
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
    let body = read_capped(resp, MAX_ANSWER_BYTES)
        .await
        .map_err(ProviderError::Transient)?;
    let placed: Placed = serde_json::from_slice(&body)
        .map_err(|_| ProviderError::Unexpected("unreadable order confirmation".into()))?;
    // The provider's id becomes a key and a URL segment: only a well-formed id is taken.
    crate::domain::ids::external_id(&placed.order_id).map_err(|_| {
        ProviderError::Unexpected("the provider's order id is not a valid id".into())
    })?;
    Ok(PlacedOrder {
        provider_ref: placed.order_id,
    })
}
