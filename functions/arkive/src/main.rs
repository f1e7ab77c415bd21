//! Lambda: the scheduled ARKiiVE pass, run by an EventBridge Scheduler schedule: each
//! tenant's new published postings searched against its candidate database, the best matches
//! queued as leads (with their notes) for the dispatcher. Stops starting new work 10 s before
//! its deadline; the next run resumes from the tenant's cursor (`screenhub::lambda::pass`).

use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use screenhub::domain::ats::lever_passes::Pass;
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    screenhub::telemetry::init();
    let passes = screenhub::runtime::aws_passes().await?;
    run(service_fn(|event: LambdaEvent<Value>| async {
        screenhub::lambda::pass(&passes, Pass::Arkive, event)
            .await
            .map_err(Error::from)
    }))
    .await
}
