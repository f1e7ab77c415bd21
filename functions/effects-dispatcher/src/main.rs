//! Lambda: performs outbox effects. Two triggers:
//! - the table's DynamoDB stream (outbox INSERTs), answering with partial batch failures;
//! - a schedule with `{"redrive": {"older_than_secs": N}}` for items left behind.

use lambda_runtime::{Error, LambdaEvent, run, service_fn};
use screenhub::dispatcher::Dispatcher;
use serde_json::{Value, json};

const REDRIVE_LIMIT: usize = 200;

async fn handle(dispatcher: &Dispatcher, event: LambdaEvent<Value>) -> Result<Value, Error> {
    let payload = event.payload;
    if let Some(redrive) = payload.get("redrive") {
        let secs = redrive
            .get("older_than_secs")
            .and_then(Value::as_i64)
            .unwrap_or(300);
        let handled = dispatcher
            .redrive(time::Duration::seconds(secs), REDRIVE_LIMIT)
            .await?;
        tracing::info!(handled, "re-drive finished");
        return Ok(json!({ "redriven": handled }));
    }
    let mut failures = Vec::new();
    for record in screenhub::stream::outbox_records(&payload) {
        match record {
            Ok(r) => {
                if let Err(e) = dispatcher.process(&r.item).await {
                    tracing::error!(outbox_id = %r.item.id, error = %e, "store failed; record will be retried");
                    failures.push(json!({ "itemIdentifier": r.sequence_number }));
                }
            }
            Err(seq) => {
                tracing::error!(sequence_number = %seq, "unreadable outbox record");
                failures.push(json!({ "itemIdentifier": seq }));
            }
        }
    }
    Ok(json!({ "batchItemFailures": failures }))
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    screenhub::telemetry::init();
    let (dispatcher, _store) = screenhub::runtime::aws_dispatcher().await?;
    run(service_fn(|event| handle(&dispatcher, event))).await
}
