//! Lambda: connecting a tenant's Lever account the way partner apps are connected —
//! `GET /operator/lever/{tenant}/connect` (302 to Lever's authorize page),
//! `GET /lever/oauth/callback` (Lever's redirect back), `GET` and `DELETE
//! /operator/lever/{tenant}/connection`. Thin: config and clients once per container; every
//! request goes to the handler its method and path name.

use lambda_http::{Error, Request, run, service_fn};
use screenhub::lambda::http_routed;

#[tokio::main]
async fn main() -> Result<(), Error> {
    screenhub::telemetry::init();
    let hub = screenhub::runtime::aws_lever_connect_hub().await?;
    run(service_fn(|req: Request| async {
        Ok::<_, Error>(http_routed(&hub, req).await)
    }))
    .await
}
