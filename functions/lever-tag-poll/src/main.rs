//! Lambda: the scheduled Lever tag poll (Backgrounds Online `Start` / `Cancel` tags), run by
//! an EventBridge Scheduler schedule. Stops starting new pages 10 s before its deadline; what
//! it did not reach is read by the next run.

use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use screenhub::poll::TagPoll;
use serde_json::Value;
use std::time::Duration;

async fn handle(poll: &TagPoll, event: LambdaEvent<Value>) -> Result<Value, Error> {
    let deadline =
        screenhub::runtime::deadline_before(event.context.deadline, Duration::from_secs(10));
    let report = poll.run(Some(deadline)).await?;
    tracing::info!(?report, "tag poll finished");
    Ok(serde_json::to_value(report)?)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    screenhub::telemetry::init();
    let poll = screenhub::runtime::aws_tag_poll().await?;
    run(service_fn(|event| handle(&poll, event))).await
}
