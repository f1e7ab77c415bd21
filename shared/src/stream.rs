//! The effects dispatcher's Lambda entry, kept here so tests drive it with the same events
//! Lambda sends: the table's DynamoDB stream (typed by `aws_lambda_events`, images read with
//! `serde_dynamo`) or the scheduled re-drive `{"redrive": {"older_than_secs": N}}`.
//!
//! A stream record that cannot be read is logged by its sequence number and skipped, never
//! reported as failed: reporting it would make Lambda retry the shard from it and hold up
//! every record behind it. The item itself stays in the table, where the re-drive reads it
//! (and sets it aside if it is unreadable there too). Only store failures are reported, so
//! Lambda retries those records.

use crate::adapters::dynamo::outbox_from_item;
use crate::dispatcher::Dispatcher;
use crate::domain::OutboxItem;
use aws_lambda_events::dynamodb::{Event, EventRecord};
use aws_lambda_events::streams::{DynamoDbBatchItemFailure, DynamoDbEventResponse};
use aws_sdk_dynamodb::types::AttributeValue;
use serde_json::{Value, json};
use std::collections::HashMap;

/// Items the scheduled re-drive handles per run.
pub const REDRIVE_LIMIT: usize = 200;

/// The outbox item an INSERT record carries; `None` for other records (tables changes that
/// are not new outbox items); `Err` when the record cannot be read.
pub fn outbox_item(record: &EventRecord) -> Option<Result<OutboxItem, String>> {
    if record.event_name != "INSERT" {
        return None;
    }
    let image: HashMap<String, AttributeValue> = record.change.new_image.clone().into();
    match image.get("kind").and_then(|k| k.as_s().ok()) {
        Some(kind) if kind == "outbox" => Some(outbox_from_item(&image).map_err(|e| e.to_string())),
        _ => None,
    }
}

/// One invocation of the dispatcher function, whatever triggered it.
pub async fn handle(dispatcher: &Dispatcher, payload: Value) -> Result<Value, String> {
    if let Some(redrive) = payload.get("redrive") {
        let secs = redrive
            .get("older_than_secs")
            .and_then(Value::as_i64)
            .unwrap_or(300);
        let handled = dispatcher
            .redrive(time::Duration::seconds(secs), REDRIVE_LIMIT)
            .await
            .map_err(|e| e.to_string())?;
        tracing::info!(handled, "re-drive finished");
        return Ok(json!({ "redriven": handled }));
    }
    let event: Event = serde_json::from_value(payload)
        .map_err(|e| format!("neither a stream event nor a re-drive: {e}"))?;
    let response = stream_batch(dispatcher, &event).await;
    serde_json::to_value(response).map_err(|e| e.to_string())
}

/// Perform the outbox items of one stream batch; report only the records whose store work
/// failed (partial batch response).
pub async fn stream_batch(dispatcher: &Dispatcher, event: &Event) -> DynamoDbEventResponse {
    let mut response = DynamoDbEventResponse::default();
    for record in &event.records {
        let sequence = record.change.sequence_number.clone();
        match outbox_item(record) {
            None => {}
            Some(Err(e)) => {
                tracing::error!(sequence_number = ?sequence, error = %e, "unreadable stream record skipped");
                crate::metrics::count("ItemsSetAside", &[("List", "stream_record")]);
            }
            Some(Ok(item)) => {
                if let Err(e) = dispatcher.process(&item).await {
                    tracing::error!(outbox_id = %item.id, error = %e, "store failed; record will be retried");
                    let mut failure = DynamoDbBatchItemFailure::default();
                    failure.item_identifier = sequence;
                    response.batch_item_failures.push(failure);
                }
            }
        }
    }
    response
}
