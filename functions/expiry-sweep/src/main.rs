//! Lambda: the scheduled expiry and retention sweep, run by an EventBridge Scheduler
//! schedule. Reads only due orders; stops 10 s before its deadline and leaves the rest to the
//! next run (`screenhub::lambda::expiry_sweep`).

use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    screenhub::telemetry::init();
    let sweep = screenhub::runtime::aws_expiry_sweep().await?;
    run(service_fn(|event: LambdaEvent<Value>| async {
        screenhub::lambda::expiry_sweep(&sweep, event)
            .await
            .map_err(Error::from)
    }))
    .await
}
