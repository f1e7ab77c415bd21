//! Lambda: `POST /paylocity/orders` (Paylocity's new screening orders, for every client
//! company of the partner) and `POST /paylocity/order-errors` (its delivery errors).
//! Thin: config and clients once per container; every request goes to the shared handler.

use lambda_http::{Error, Request, run, service_fn};
use screenhub::api::Endpoint;
use screenhub::lambda::http;

#[tokio::main]
async fn main() -> Result<(), Error> {
    screenhub::telemetry::init();
    let hub = screenhub::runtime::aws_hub().await?;
    run(service_fn(|req: Request| async {
        let endpoint = if req.uri().path().ends_with("/order-errors") {
            Endpoint::PaylocityOrderErrors
        } else {
            Endpoint::PaylocityOrders
        };
        Ok::<_, Error>(http(&hub, endpoint, req).await)
    }))
    .await
}
