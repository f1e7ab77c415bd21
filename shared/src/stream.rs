//! Reading outbox items out of DynamoDB stream records (the dispatcher's trigger on AWS).
//! Only the attribute types outbox items use (S, N) are decoded.

use crate::adapters::dynamo::outbox_from_item;
use crate::domain::OutboxItem;
use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;

/// A stream record that carries an outbox item, with the id used for partial batch failures.
pub struct OutboxRecord {
    pub sequence_number: String,
    pub item: OutboxItem,
}

fn attribute(v: &serde_json::Value) -> Option<AttributeValue> {
    if let Some(s) = v.get("S").and_then(|s| s.as_str()) {
        return Some(AttributeValue::S(s.to_owned()));
    }
    v.get("N")
        .and_then(|n| n.as_str())
        .map(|n| AttributeValue::N(n.to_owned()))
}

/// Outbox INSERT records of a DynamoDB stream event; other records are skipped. A record
/// whose image cannot be read is returned as `Err(sequence_number)` so it is reported.
pub fn outbox_records(event: &serde_json::Value) -> Vec<Result<OutboxRecord, String>> {
    let Some(records) = event.get("Records").and_then(|r| r.as_array()) else {
        return Vec::new();
    };
    records
        .iter()
        .filter(|r| r.get("eventName").and_then(|n| n.as_str()) == Some("INSERT"))
        .filter_map(|r| {
            let ddb = r.get("dynamodb")?;
            let seq = ddb
                .get("SequenceNumber")
                .and_then(|s| s.as_str())
                .unwrap_or_default()
                .to_owned();
            let image = ddb.get("NewImage")?.as_object()?;
            let item: HashMap<String, AttributeValue> = image
                .iter()
                .filter_map(|(k, v)| attribute(v).map(|a| (k.clone(), a)))
                .collect();
            if item
                .get("kind")
                .and_then(|k| k.as_s().ok())
                .map(String::as_str)
                != Some("outbox")
            {
                return None;
            }
            Some(
                outbox_from_item(&item)
                    .map(|item| OutboxRecord {
                        sequence_number: seq.clone(),
                        item,
                    })
                    .map_err(|_| seq),
            )
        })
        .collect()
}
