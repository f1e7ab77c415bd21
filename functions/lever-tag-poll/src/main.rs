//! Lambda: the scheduled Lever tag poll (Backgrounds Online `Start` / `Cancel` tags), run by
//! an EventBridge Scheduler schedule. Stops starting new pages 10 s before its deadline; what
//! it did not reach is read by the next run (`screenhub::lambda::tag_poll`).

use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    screenhub::telemetry::init();
    let poll = screenhub::runtime::aws_tag_poll().await?;
    run(service_fn(|event: LambdaEvent<Value>| async {
        screenhub::lambda::tag_poll(&poll, event)
            .await
            .map_err(Error::from)
    }))
    .await
}
