//! Lambda: `POST /callbacks/backgrounds-online/{tenant}` — Backgrounds Online status callbacks.
//! Thin: config and clients once per container, then the shared handler per request.

use lambda_http::{Body, Error, Request, RequestExt, Response, run, service_fn};
use screenhub::api::{self, Hub};

async fn handle(hub: &Hub, req: Request) -> Result<Response<Body>, Error> {
    let tenant = req
        .path_parameters_ref()
        .and_then(|p| p.first("tenant"))
        .map(str::to_owned)
        .or_else(|| {
            api::tail_segment(req.uri().path(), api::BACKGROUNDS_ONLINE_CALLBACK_PREFIX)
                .map(str::to_owned)
        })
        .unwrap_or_default();
    let reply =
        api::backgrounds_online_callback::handle(hub, &tenant, req.headers(), req.body().as_ref())
            .await;
    Ok(Response::builder()
        .status(reply.status)
        .header("content-type", reply.content_type())
        .body(Body::from(reply.body_bytes()))?)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    screenhub::telemetry::init();
    let hub = screenhub::runtime::aws_hub().await?;
    run(service_fn(|req| handle(&hub, req))).await
}
