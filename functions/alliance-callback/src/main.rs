//! Lambda: `POST /callbacks/alliance2020/{tenant}` — Alliance 2020 status callbacks.
//! Thin: config and clients once per container, then the shared handler per request.

use lambda_http::{Body, Error, Request, RequestExt, Response, run, service_fn};
use screenhub::api::{self, Hub};

async fn handle(hub: &Hub, req: Request) -> Result<Response<Body>, Error> {
    let tenant = api::tenant_of(
        req.path_parameters_ref().and_then(|p| p.first("tenant")),
        req.uri().path(),
        api::ALLIANCE_CALLBACK_PREFIX,
    );
    let reply =
        api::alliance_callback::handle(hub, &tenant, req.headers(), req.body().as_ref()).await;
    Ok(reply.into_http().map(Body::from))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    screenhub::telemetry::init();
    let hub = screenhub::runtime::aws_hub().await?;
    run(service_fn(|req| handle(&hub, req))).await
}
