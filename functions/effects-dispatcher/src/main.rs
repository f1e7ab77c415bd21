//! Lambda: performs outbox effects. Two triggers:
//! - the table's DynamoDB stream (outbox INSERTs), answering with partial batch failures;
//! - a schedule with `{"redrive": {"older_than_secs": N}}` for items left behind.
//!
//! Every retry inside an invocation stays within its deadline; what does not fit waits for
//! the next run (`screenhub::lambda::dispatcher`).

use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use serde_json::Value;

#[tokio::main]
async fn main() -> Result<(), Error> {
    screenhub::telemetry::init();
    let dispatcher = screenhub::runtime::aws_dispatcher().await?;
    run(service_fn(|event: LambdaEvent<Value>| async {
        screenhub::lambda::dispatcher(&dispatcher, event)
            .await
            .map_err(Error::from)
    }))
    .await
}
