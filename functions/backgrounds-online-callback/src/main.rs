//! Lambda: `POST /callbacks/backgrounds-online/{tenant}` — Backgrounds Online status callbacks.
//! Thin: config and clients once per container, then the shared handler per request.

use lambda_http::{Body, Error, Request, RequestExt, Response, run, service_fn};
use screenhub::api::{self, Hub};

async fn handle(hub: &Hub, req: Request) -> Result<Response<Body>, Error> {
    let tenant = api::tenant_of(
        req.path_parameters_ref().and_then(|p| p.first("tenant")),
        req.uri().path(),
        api::BACKGROUNDS_ONLINE_CALLBACK_PREFIX,
    );
    let reply =
        api::backgrounds_online_callback::handle(hub, &tenant, req.headers(), req.body().as_ref())
            .await;
    Ok(reply.into_http().map(Body::from))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    screenhub::telemetry::init();
    let hub = screenhub::runtime::aws_hub().await?;
    run(service_fn(|req| handle(&hub, req))).await
}
