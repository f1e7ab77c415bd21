//! The hub's HTTP API on a local socket: every route at the same path as behind API Gateway.

use axum::Router;
use axum::body::Bytes;
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
    body: Bytes,
) -> Response {
    api::route(&hub, &method, uri.path(), &headers, &body)
        .await
        .into_http()
        .map(axum::body::Body::from)
        .into_response()
}

pub fn router(hub: Hub) -> Router {
    // The body limit is enforced by the shared handlers (with a problem+json answer), so
    // axum's own default limit is lifted just above it.
    let limit = hub.settings.max_body_bytes + 1024 * 1024;
    Router::new()
        .fallback(any_route)
        .layer(axum::extract::DefaultBodyLimit::max(limit))
        .with_state(hub)
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
