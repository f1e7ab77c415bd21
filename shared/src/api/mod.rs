//! HTTP entry points, shared by the Lambda functions and the local server. Handlers take
//! the raw request parts and return a [`Reply`]; the transport (lambda_http or axum) only
//! converts. Every route authenticates the request before trusting its body.

pub mod cornerstone;
pub mod hub;
#[cfg(feature = "http-client")]
pub mod lever_connect;
pub mod lever_webhook;
pub mod operator;
pub mod paylocity_orders;
pub mod problem;
pub mod provider_callback;
pub mod requesters;

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
    /// `/cornerstone/{tenant}/api/Packages`: the packages a Cornerstone portal offers.
    CornerstonePackages,
    /// `/cornerstone/{tenant}/api/InitiateBackgroundCheck`: a Cornerstone portal orders.
    CornerstoneInitiate,
    /// `/cornerstone/{tenant}/api/Panel/{reference}`: an order's panel.
    CornerstonePanel,
    /// `/operator/adverse-action/{tenant}`: an operator's adverse-action step.
    AdverseAction,
    /// `GET /lever/oauth/callback`: Lever's redirect back from its authorize page.
    LeverOAuthCallback,
    /// `GET /operator/lever/{tenant}/connect`: start connecting the tenant's Lever account.
    LeverConnect,
    /// `GET /operator/lever/{tenant}/connection`: the tenant's Lever connection.
    LeverConnection,
    /// `DELETE /operator/lever/{tenant}/connection`: disconnect it.
    LeverDisconnect,
    Health,
}

/// One inbound route: method, path (a `{tenant}` segment where it has one, and a trailing
/// `{reference}` where it names an order) and what serves it. The table is the contract that `docs/contracts/openapi.json` and the SAM
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
        method: "GET",
        path: "/cornerstone/{tenant}/api/Packages",
        endpoint: Endpoint::CornerstonePackages,
    },
    Route {
        method: "POST",
        path: "/cornerstone/{tenant}/api/InitiateBackgroundCheck",
        endpoint: Endpoint::CornerstoneInitiate,
    },
    Route {
        method: "GET",
        path: "/cornerstone/{tenant}/api/Panel/{reference}",
        endpoint: Endpoint::CornerstonePanel,
    },
    Route {
        method: "POST",
        path: "/operator/adverse-action/{tenant}",
        endpoint: Endpoint::AdverseAction,
    },
    Route {
        method: "GET",
        path: "/lever/oauth/callback",
        endpoint: Endpoint::LeverOAuthCallback,
    },
    Route {
        method: "GET",
        path: "/operator/lever/{tenant}/connect",
        endpoint: Endpoint::LeverConnect,
    },
    Route {
        method: "GET",
        path: "/operator/lever/{tenant}/connection",
        endpoint: Endpoint::LeverConnection,
    },
    Route {
        method: "DELETE",
        path: "/operator/lever/{tenant}/connection",
        endpoint: Endpoint::LeverDisconnect,
    },
    Route {
        method: "GET",
        path: HEALTH_PATH,
        endpoint: Endpoint::Health,
    },
];

/// What a request's path names: its tenant (empty for a route without one) and the order
/// reference (empty for a route without one).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Params<'p> {
    pub tenant: &'p str,
    pub reference: &'p str,
    /// The query string (without `?`), empty when none.
    pub query: &'p str,
}

impl Route {
    /// What this route's path names in `path`; `None` when the path is not this route's. A
    /// parameter is exactly one non-empty segment.
    fn matches<'p>(&self, path: &'p str) -> Option<Params<'p>> {
        let mut params = Params::default();
        let mut given = path.split('/');
        for pattern in self.path.split('/') {
            let segment = given.next()?;
            match pattern {
                "{tenant}" if !segment.is_empty() => params.tenant = segment,
                "{reference}" if !segment.is_empty() => params.reference = segment,
                "{tenant}" | "{reference}" => return None,
                literal if literal == segment => {}
                _ => return None,
            }
        }
        given.next().is_none().then_some(params)
    }
}

/// The route a request's path belongs to, and what its path names.
pub fn resolve(path: &str) -> Option<(&'static Route, Params<'_>)> {
    ROUTES
        .iter()
        .find_map(|r| r.matches(path).map(|params| (r, params)))
}

/// The route of a request's method and path; `Err(true)` when the path is served under
/// another method only, `Err(false)` when it is not served at all.
pub fn resolve_method<'p>(
    method: &str,
    path: &'p str,
) -> Result<(&'static Route, Params<'p>), bool> {
    ROUTES
        .iter()
        .filter(|r| r.method == method)
        .find_map(|r| r.matches(path).map(|params| (r, params)))
        .ok_or_else(|| resolve(path).is_some())
}

/// Serve one request on `endpoint` (what its path names already taken from it).
pub async fn serve(
    hub: &Hub,
    endpoint: Endpoint,
    params: Params<'_>,
    headers: &HeaderMap,
    body: &[u8],
) -> Reply {
    let tenant = params.tenant;
    match endpoint {
        Endpoint::LeverWebhook => lever_webhook::handle(hub, tenant, body).await,
        Endpoint::ProviderCallback(provider) => {
            provider_callback::handle(hub, provider, tenant, headers, body).await
        }
        Endpoint::PaylocityOrders => paylocity_orders::handle(hub, headers, body).await,
        Endpoint::PaylocityOrderErrors => paylocity_orders::handle_error(hub, headers, body).await,
        Endpoint::CornerstonePackages => cornerstone::packages(hub, tenant, headers, body).await,
        Endpoint::CornerstoneInitiate => cornerstone::initiate(hub, tenant, headers, body).await,
        Endpoint::CornerstonePanel => {
            cornerstone::panel_of(hub, tenant, params.reference, headers, body).await
        }
        Endpoint::AdverseAction => operator::handle(hub, tenant, headers, body).await,
        #[cfg(feature = "http-client")]
        Endpoint::LeverOAuthCallback => lever_connect::callback(hub, params.query, headers).await,
        #[cfg(feature = "http-client")]
        Endpoint::LeverConnect => lever_connect::start(hub, tenant, headers, body).await,
        #[cfg(feature = "http-client")]
        Endpoint::LeverConnection => lever_connect::show(hub, tenant, headers, body).await,
        #[cfg(feature = "http-client")]
        Endpoint::LeverDisconnect => lever_connect::disconnect(hub, tenant, headers, body).await,
        #[cfg(not(feature = "http-client"))]
        Endpoint::LeverOAuthCallback
        | Endpoint::LeverConnect
        | Endpoint::LeverConnection
        | Endpoint::LeverDisconnect => ApiError::NotFound.into(),
        Endpoint::Health => health(),
    }
}

/// Route a request to its handler (the local server's single entry point); `target` is the
/// path with its query string, if any.
pub async fn route(
    hub: &Hub,
    method: &Method,
    target: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Reply {
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    match resolve_method(method.as_str(), path) {
        Ok((r, params)) => serve(hub, r.endpoint, Params { query, ..params }, headers, body).await,
        Err(true) => ApiError::MethodNotAllowed.into(),
        Err(false) => ApiError::NotFound.into(),
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
    fn paths_name_their_tenant_and_reference_wherever_they_stand() {
        let (r, p) = resolve("/cornerstone/acme/api/Panel/0190").unwrap();
        assert_eq!(r.endpoint, Endpoint::CornerstonePanel);
        assert_eq!((p.tenant, p.reference), ("acme", "0190"));
        let (r, p) = resolve("/cornerstone/acme/api/Packages").unwrap();
        assert_eq!(
            (r.endpoint, p.tenant),
            (Endpoint::CornerstonePackages, "acme")
        );
        let (r, p) = resolve("/lever/webhooks/acme").unwrap();
        assert_eq!((r.endpoint, p.tenant), (Endpoint::LeverWebhook, "acme"));
        assert_eq!(resolve("/health").unwrap().1, Params::default());
        for bad in [
            "/cornerstone//api/Packages",
            "/cornerstone/acme/api/Packages/x",
            "/cornerstone/acme/api/Panel/",
            "/lever/webhooks/a/b",
        ] {
            assert!(resolve(bad).is_none(), "{bad}");
        }
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
