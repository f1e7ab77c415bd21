//! HTTP entry points, shared by the Lambda functions and the local server. Handlers take
//! the raw request parts and return a [`Reply`]; the transport (lambda_http or axum) only
//! converts. Every route authenticates the request before trusting its body.

pub mod hub;
pub mod lever_webhook;
pub mod operator;
pub mod paylocity_orders;
pub mod problem;
pub mod provider_callback;

pub use hub::{Hub, HubSettings};
pub use problem::{ApiError, Reply, problem_codes};

use crate::domain::kinds::ProviderKind;
use http::{HeaderMap, Method};

/// `GET /health`: the API answers (served by the Lever webhook function when deployed).
pub const HEALTH_PATH: &str = "/health";

pub fn health() -> Reply {
    Reply::ok(serde_json::json!({ "status": "ok" }))
}

/// Paths of the HTTP API (identical locally and behind API Gateway).
pub const LEVER_WEBHOOK_PREFIX: &str = "/lever/webhooks/";

/// Where a provider sends its callbacks: `/callbacks/{provider}/` (a tenant id follows).
pub fn callback_prefix(provider: ProviderKind) -> String {
    format!("/callbacks/{}/", provider.callback_slug())
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

/// What serves an inbound route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    LeverWebhook,
    /// `/callbacks/{provider}/{tenant}`: one handler for every provider.
    ProviderCallback(ProviderKind),
    /// `/paylocity/orders`: every Paylocity company's new orders (one partner URL).
    PaylocityOrders,
    /// `/paylocity/order-errors`: Paylocity could not deliver an order.
    PaylocityOrderErrors,
    /// `/operator/adverse-action/{tenant}`: an operator's adverse-action step.
    AdverseAction,
    Health,
}

/// One inbound route: method, path (`{tenant}` as its last segment where it has one) and
/// what serves it. The table is the contract that `docs/contracts/openapi.json` and the SAM
/// template are checked against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Route {
    pub method: &'static str,
    pub path: &'static str,
    pub endpoint: Endpoint,
}

pub const ROUTES: &[Route] = &[
    Route {
        method: "POST",
        path: "/lever/webhooks/{tenant}",
        endpoint: Endpoint::LeverWebhook,
    },
    Route {
        method: "POST",
        path: "/callbacks/alliance2020/{tenant}",
        endpoint: Endpoint::ProviderCallback(ProviderKind::Alliance2020),
    },
    Route {
        method: "POST",
        path: "/callbacks/backgrounds-online/{tenant}",
        endpoint: Endpoint::ProviderCallback(ProviderKind::BackgroundsOnline),
    },
    Route {
        method: "POST",
        path: "/callbacks/accurate/{tenant}",
        endpoint: Endpoint::ProviderCallback(ProviderKind::Accurate),
    },
    Route {
        method: "POST",
        path: "/paylocity/orders",
        endpoint: Endpoint::PaylocityOrders,
    },
    Route {
        method: "POST",
        path: "/paylocity/order-errors",
        endpoint: Endpoint::PaylocityOrderErrors,
    },
    Route {
        method: "POST",
        path: "/operator/adverse-action/{tenant}",
        endpoint: Endpoint::AdverseAction,
    },
    Route {
        method: "GET",
        path: HEALTH_PATH,
        endpoint: Endpoint::Health,
    },
];

impl Route {
    /// The tenant this route's path names, `Some("")` for a route without one; `None` when
    /// the path is not this route's.
    fn matches<'p>(&self, path: &'p str) -> Option<&'p str> {
        match self.path.strip_suffix("{tenant}") {
            Some(prefix) => tail_segment(path, prefix),
            None => (path == self.path).then_some(""),
        }
    }
}

/// The route a request's path belongs to, and the tenant it names.
pub fn resolve(path: &str) -> Option<(&'static Route, &str)> {
    ROUTES
        .iter()
        .find_map(|r| r.matches(path).map(|tenant| (r, tenant)))
}

/// Serve one request on `endpoint` (the tenant already taken from the path).
pub async fn serve(
    hub: &Hub,
    endpoint: Endpoint,
    tenant: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Reply {
    match endpoint {
        Endpoint::LeverWebhook => lever_webhook::handle(hub, tenant, body).await,
        Endpoint::ProviderCallback(provider) => {
            provider_callback::handle(hub, provider, tenant, headers, body).await
        }
        Endpoint::PaylocityOrders => paylocity_orders::handle(hub, headers, body).await,
        Endpoint::PaylocityOrderErrors => paylocity_orders::handle_error(hub, headers, body).await,
        Endpoint::AdverseAction => operator::handle(hub, tenant, headers, body).await,
        Endpoint::Health => health(),
    }
}

/// Route a request to its handler (the local server's single entry point).
pub async fn route(
    hub: &Hub,
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Reply {
    match resolve(path) {
        Some((r, _)) if method.as_str() != r.method => ApiError::MethodNotAllowed.into(),
        Some((r, tenant)) => serve(hub, r.endpoint, tenant, headers, body).await,
        None => ApiError::NotFound.into(),
    }
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

    #[test]
    fn every_provider_has_its_callback_route() {
        for provider in ProviderKind::ALL {
            let path = format!("{}{{tenant}}", callback_prefix(provider));
            assert!(
                ROUTES
                    .iter()
                    .any(|r| r.path == path && r.endpoint == Endpoint::ProviderCallback(provider)),
                "{path}"
            );
        }
    }
}
