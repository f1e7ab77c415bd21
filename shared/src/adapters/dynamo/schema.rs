//! The table's shape, for local runs and tests (production creates it with the SAM template).

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, StreamSpecification, StreamViewType, TableStatus,
    TimeToLiveSpecification,
};

fn attr(name: &str) -> AttributeDefinition {
    AttributeDefinition::builder()
        .attribute_name(name)
        .attribute_type(ScalarAttributeType::S)
        .build()
        .expect("complete definition")
}

fn key(name: &str, kind: KeyType) -> KeySchemaElement {
    KeySchemaElement::builder()
        .attribute_name(name)
        .key_type(kind)
        .build()
        .expect("complete key")
}

fn gsi(name: &str, pk: &str, sk: &str, projection: ProjectionType) -> GlobalSecondaryIndex {
    GlobalSecondaryIndex::builder()
        .index_name(name)
        .key_schema(key(pk, KeyType::Hash))
        .key_schema(key(sk, KeyType::Range))
        .projection(Projection::builder().projection_type(projection).build())
        .build()
        .expect("complete index")
}

fn display<E: std::error::Error>(e: E) -> String {
    aws_sdk_dynamodb::error::DisplayErrorContext(e).to_string()
}

/// Create the table (same schema as infra/template.yaml) and wait until it is active.
pub async fn create_table(client: &Client, table: &str) -> Result<(), String> {
    client
        .create_table()
        .table_name(table)
        .billing_mode(BillingMode::PayPerRequest)
        .set_attribute_definitions(Some(
            [
                "pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk", "gsi4pk",
                "gsi4sk",
            ]
            .map(attr)
            .to_vec(),
        ))
        .key_schema(key("pk", KeyType::Hash))
        .key_schema(key("sk", KeyType::Range))
        .global_secondary_indexes(gsi("gsi1", "gsi1pk", "gsi1sk", ProjectionType::All))
        .global_secondary_indexes(gsi("gsi2", "gsi2pk", "gsi2sk", ProjectionType::All))
        .global_secondary_indexes(gsi("gsi3", "gsi3pk", "gsi3sk", ProjectionType::KeysOnly))
        .global_secondary_indexes(gsi("gsi4", "gsi4pk", "gsi4sk", ProjectionType::All))
        .stream_specification(
            StreamSpecification::builder()
                .stream_enabled(true)
                .stream_view_type(StreamViewType::NewImage)
                .build()
                .expect("complete stream spec"),
        )
        .send()
        .await
        .map_err(display)?;
    // DynamoDB Local keeps a new table CREATING for a few milliseconds; the SDK waiter
    // polls every 20 s, so poll briefly by hand.
    for _ in 0..200 {
        let status = client
            .describe_table()
            .table_name(table)
            .send()
            .await
            .map_err(display)?
            .table
            .and_then(|t| t.table_status);
        if status == Some(TableStatus::Active) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
    }
    client
        .update_time_to_live()
        .table_name(table)
        .time_to_live_specification(
            TimeToLiveSpecification::builder()
                .attribute_name("expires_at")
                .enabled(true)
                .build()
                .expect("complete ttl spec"),
        )
        .send()
        .await
        .map_err(display)?;
    Ok(())
}
