//! Lambda: Cornerstone's background-check connector per tenant —
//! `GET /cornerstone/{tenant}/api/Packages`, `POST /cornerstone/{tenant}/api/InitiateBackgroundCheck`
//! and `GET /cornerstone/{tenant}/api/Panel/{reference}`. Thin: config and clients once per
//! container; every request goes to the shared handler its path names.

use lambda_http::{Error, Request, run, service_fn};
use screenhub::api::Endpoint;
use screenhub::lambda::http;

#[tokio::main]
async fn main() -> Result<(), Error> {
    screenhub::telemetry::init();
    let hub = screenhub::runtime::aws_hub().await?;
    run(service_fn(|req: Request| async {
        let path = req.uri().path();
        let endpoint = if path.ends_with("/api/Packages") {
            Endpoint::CornerstonePackages
        } else if path.ends_with("/api/InitiateBackgroundCheck") {
            Endpoint::CornerstoneInitiate
        } else {
            Endpoint::CornerstonePanel
        };
        Ok::<_, Error>(http(&hub, endpoint, req).await)
    }))
    .await
}
