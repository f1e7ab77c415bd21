//! Lambda: the scheduled expiry sweep, run by an EventBridge Scheduler schedule. Reads only
//! due orders; stops 10 s before its deadline and leaves the rest to the next run.

use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use screenhub::sweep::ExpirySweep;
use serde_json::Value;
use std::time::Duration;

async fn handle(sweep: &ExpirySweep, event: LambdaEvent<Value>) -> Result<Value, Error> {
    let deadline =
        screenhub::runtime::deadline_before(event.context.deadline, Duration::from_secs(10));
    let report = sweep.run(Some(deadline)).await?;
    tracing::info!(?report, "expiry sweep finished");
    Ok(serde_json::to_value(report)?)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    screenhub::telemetry::init();
    let sweep = screenhub::runtime::aws_expiry_sweep().await?;
    run(service_fn(|event| handle(&sweep, event))).await
}
