//! Lambda: performs outbox effects. Two triggers:
//! - the table's DynamoDB stream (outbox INSERTs), answering with partial batch failures;
//! - a schedule with `{"redrive": {"older_than_secs": N}}` for items left behind.
//!
//! Every retry inside an invocation stays within its deadline (see
//! `screenhub::outbound::deadline`); what does not fit waits for the next run.

use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use screenhub::dispatcher::Dispatcher;
use serde_json::Value;

async fn handle(dispatcher: &Dispatcher, event: LambdaEvent<Value>) -> Result<Value, Error> {
    let deadline = screenhub::runtime::invocation_deadline(event.context.deadline);
    let work = screenhub::stream::handle(dispatcher, event.payload);
    screenhub::outbound::deadline::within(deadline, screenhub::runtime::ATTEMPT_MARGIN, work)
        .await
        .map_err(Error::from)
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    screenhub::telemetry::init();
    let (dispatcher, _store) = screenhub::runtime::aws_dispatcher().await?;
    run(service_fn(|event| handle(&dispatcher, event))).await
}
