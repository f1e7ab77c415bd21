//! The hub's HTTP API on a local socket: every route at the same path as behind API Gateway.

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::{IntoResponse, Response};
use screenhub::api::{self, Hub};
use std::net::SocketAddr;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

async fn any_route(
    State(hub): State<Hub>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Body,
) -> Response {
    // Read at most one byte past the limit: a larger body is refused as the deployed
    // functions refuse it (problem+json, `body-too-large`), without reading the rest.
    let limit = hub.settings.max_body_bytes;
    let reply = match axum::body::to_bytes(body, limit.saturating_add(1)).await {
        Ok(bytes) => {
            let target = uri.path_and_query().map_or(uri.path(), |pq| pq.as_str());
            api::route(&hub, &method, target, &headers, &bytes).await
        }
        Err(_) => api::ApiError::BodyTooLarge { limit }.into(),
    };
    reply.into_http().map(Body::from).into_response()
}

pub fn router(hub: Hub) -> Router {
    Router::new().fallback(any_route).with_state(hub)
}

/// Serve on an already bound listener; returns the address and the server task.
pub fn serve(hub: Hub, listener: TcpListener) -> (SocketAddr, JoinHandle<()>) {
    let addr = listener
        .local_addr()
        .expect("bound listener has an address");
    let task = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router(hub)).await {
            tracing::error!(error = %e, "local server stopped");
        }
    });
    (addr, task)
}
