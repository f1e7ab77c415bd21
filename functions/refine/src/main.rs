//! Lambda: the scheduled REFiiNE pass, run by an EventBridge Scheduler schedule: each
//! application FiiLTER did not advance, scored against the tenant's other open postings, the
//! best match queued as a lead (with its note) for the dispatcher. Stops starting new work
//! 10 s before its deadline; the next run resumes with what is still queued
//! (`screenhub::lambda::pass`).

use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use screenhub::domain::ats::lever_passes::Pass;
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    screenhub::telemetry::init();
    let passes = screenhub::runtime::aws_passes().await?;
    run(service_fn(|event: LambdaEvent<Value>| async {
        screenhub::lambda::pass(&passes, Pass::Refine, event)
            .await
            .map_err(Error::from)
    }))
    .await
}
