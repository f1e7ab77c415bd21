//! Lambda: the scheduled provider status poll, run by an EventBridge Scheduler schedule.
//! Reads only orders in flight whose next poll is due (a sparse index, never a Scan), at most
//! a bounded number per run; stops 10 s before its deadline and leaves the rest to the next
//! run (`screenhub::lambda::status_poll`).

use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    screenhub::telemetry::init();
    let poll = screenhub::runtime::aws_status_poll().await?;
    run(service_fn(|event: LambdaEvent<Value>| async {
        screenhub::lambda::status_poll(&poll, event)
            .await
            .map_err(Error::from)
    }))
    .await
}
