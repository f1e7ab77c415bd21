//! Lambda: `POST /callbacks/accurate/{tenant}` — Accurate Background status postbacks.
//! Thin: config and clients once per container; every request goes to the shared handler.

use lambda_http::{Error, Request, run, service_fn};
use screenhub::api::Endpoint;
use screenhub::domain::ProviderKind;
use screenhub::lambda::http;

#[tokio::main]
async fn main() -> Result<(), Error> {
    screenhub::telemetry::init();
    let hub = screenhub::runtime::aws_hub().await?;
    run(service_fn(|req: Request| async {
        Ok::<_, Error>(
            http(
                &hub,
                Endpoint::ProviderCallback(ProviderKind::Accurate),
                req,
            )
            .await,
        )
    }))
    .await
}
