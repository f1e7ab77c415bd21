//! Lambda: `POST /lever/webhooks/{tenant}` — Lever webhook receiver; also `GET /health`.
//! Thin: config and clients once per container, then the shared handler per request.

use lambda_http::{Body, Error, Request, RequestExt, Response, run, service_fn};
use screenhub::api::{self, Hub};

async fn handle(hub: &Hub, req: Request) -> Result<Response<Body>, Error> {
    if req.uri().path() == api::HEALTH_PATH {
        return Ok(api::health().into_http().map(Body::from));
    }
    let tenant = api::tenant_of(
        req.path_parameters_ref().and_then(|p| p.first("tenant")),
        req.uri().path(),
        api::LEVER_WEBHOOK_PREFIX,
    );
    let reply = api::lever_webhook::handle(hub, &tenant, req.body().as_ref()).await;
    Ok(reply.into_http().map(Body::from))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    screenhub::telemetry::init();
    let hub = screenhub::runtime::aws_hub().await?;
    run(service_fn(|req| handle(&hub, req))).await
}
