//! HTTP entry points, shared by the Lambda functions and the local server. Handlers take
//! the raw request parts and return a [`Reply`]; the transport (lambda_http or axum) only
//! converts. Every route authenticates the request before trusting its body.

pub mod alliance_callback;
pub mod backgrounds_online_callback;
pub mod hub;
pub mod lever_webhook;
pub mod problem;
pub mod provider_callback;

pub use hub::{Hub, HubSettings};
pub use problem::{ApiError, Reply};

use http::{HeaderMap, Method};

/// `GET /health`: the API answers (served by the Lever webhook function when deployed).
pub const HEALTH_PATH: &str = "/health";

pub fn health() -> Reply {
    Reply::ok(serde_json::json!({ "status": "ok" }))
}

/// Paths of the HTTP API (identical locally and behind API Gateway).
pub const LEVER_WEBHOOK_PREFIX: &str = "/lever/webhooks/";
pub const ALLIANCE_CALLBACK_PREFIX: &str = "/callbacks/alliance2020/";
pub const BACKGROUNDS_ONLINE_CALLBACK_PREFIX: &str = "/callbacks/backgrounds-online/";

/// Where a provider sends an integration's callbacks (a tenant id follows).
pub fn callback_prefix(integration: crate::domain::Integration) -> &'static str {
    match integration {
        crate::domain::Integration::Alliance2020 => ALLIANCE_CALLBACK_PREFIX,
        crate::domain::Integration::BackgroundsOnline => BACKGROUNDS_ONLINE_CALLBACK_PREFIX,
    }
}

/// The `{tenant}` of a route: API Gateway's path parameter when it has one, else the path's
/// last segment after `prefix`; empty when neither (the handler then answers tenant-unknown).
pub fn tenant_of(path_parameter: Option<&str>, path: &str, prefix: &str) -> String {
    path_parameter
        .or_else(|| tail_segment(path, prefix))
        .unwrap_or_default()
        .to_owned()
}

/// The one segment after `prefix`, if the path is exactly `prefix<segment>`.
pub fn tail_segment<'a>(path: &'a str, prefix: &str) -> Option<&'a str> {
    let rest = path.strip_prefix(prefix)?;
    (!rest.is_empty() && !rest.contains('/')).then_some(rest)
}

/// Route a request to its handler (the local server's single entry point).
pub async fn route(
    hub: &Hub,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Reply {
    if let Some(tenant) = tail_segment(path, LEVER_WEBHOOK_PREFIX) {
        if method != Method::POST {
            return ApiError::MethodNotAllowed.into();
        }
        return lever_webhook::handle(hub, tenant, body).await;
    }
    if let Some(tenant) = tail_segment(path, ALLIANCE_CALLBACK_PREFIX) {
        if method != Method::POST {
            return ApiError::MethodNotAllowed.into();
        }
        return alliance_callback::handle(hub, tenant, headers, body).await;
    }
    if let Some(tenant) = tail_segment(path, BACKGROUNDS_ONLINE_CALLBACK_PREFIX) {
        if method != Method::POST {
            return ApiError::MethodNotAllowed.into();
        }
        return backgrounds_online_callback::handle(hub, tenant, headers, body).await;
    }
    if path == HEALTH_PATH {
        if method != Method::GET {
            return ApiError::MethodNotAllowed.into();
        }
        return health();
    }
    ApiError::NotFound.into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tail_segment_takes_exactly_one_segment() {
        assert_eq!(
            tail_segment("/lever/webhooks/acme", LEVER_WEBHOOK_PREFIX),
            Some("acme")
        );
        assert_eq!(tail_segment("/lever/webhooks/", LEVER_WEBHOOK_PREFIX), None);
        assert_eq!(
            tail_segment("/lever/webhooks/a/b", LEVER_WEBHOOK_PREFIX),
            None
        );
        assert_eq!(tail_segment("/other/acme", LEVER_WEBHOOK_PREFIX), None);
    }
}
