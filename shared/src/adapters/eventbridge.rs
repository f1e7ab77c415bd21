//! EventBridge publisher: batches of at most 10 entries; entries that fail inside a
//! successful call (FailedEntryCount > 0) are retried, then reported.

use super::aws_sdk::{Sdk, SdkClient};
use crate::domain::events::{BusEvent, EVENT_SOURCE};
use crate::ports::events::{EventPublisher, PublishError};
use aws_sdk_eventbridge::Client;
use aws_sdk_eventbridge::types::PutEventsRequestEntry;
use std::sync::Arc;

const BATCH: usize = 10;
const ATTEMPTS: u32 = 3;

pub struct EventBridge {
    client: SdkClient<Client>,
    bus: String,
}

impl EventBridge {
    pub fn new(client: Client, bus: impl Into<String>) -> Self {
        Self {
            client: SdkClient::ready(client),
            bus: bus.into(),
        }
    }

    /// With its client built from `sdk` on first use.
    pub fn lazy(sdk: Arc<Sdk>, bus: impl Into<String>) -> Self {
        Self {
            client: SdkClient::lazy(sdk, Client::new),
            bus: bus.into(),
        }
    }

    fn entry(&self, e: &BusEvent) -> Result<PutEventsRequestEntry, PublishError> {
        let detail = serde_json::to_string(&e.detail)
            .map_err(|err| PublishError::Unavailable(format!("encode: {err}")))?;
        Ok(PutEventsRequestEntry::builder()
            .event_bus_name(&self.bus)
            .source(EVENT_SOURCE)
            .detail_type(e.detail_type.as_str())
            .detail(detail)
            .build())
    }
}

#[async_trait::async_trait]
impl EventPublisher for EventBridge {
    async fn publish(&self, events: &[BusEvent]) -> Result<(), PublishError> {
        for chunk in events.chunks(BATCH) {
            let mut pending: Vec<PutEventsRequestEntry> = chunk
                .iter()
                .map(|e| self.entry(e))
                .collect::<Result<_, _>>()?;
            let mut attempt = 0;
            while !pending.is_empty() {
                attempt += 1;
                let out = self
                    .client
                    .get()
                    .await
                    .put_events()
                    .set_entries(Some(pending.clone()))
                    .send()
                    .await
                    .map_err(|e| {
                        PublishError::Unavailable(
                            aws_sdk_eventbridge::error::DisplayErrorContext(e).to_string(),
                        )
                    })?;
                if out.failed_entry_count() == 0 {
                    break;
                }
                // Results are positional: keep the entries whose result carries an error code.
                let results = out.entries();
                let failed: Vec<(PutEventsRequestEntry, String)> = pending
                    .into_iter()
                    .zip(results)
                    .filter_map(|(entry, r)| r.error_code().map(|c| (entry, c.to_owned())))
                    .collect();
                if attempt >= ATTEMPTS {
                    return Err(PublishError::Rejected {
                        failed: failed.len(),
                        total: chunk.len(),
                        detail: failed
                            .iter()
                            .map(|(_, c)| c.as_str())
                            .collect::<Vec<_>>()
                            .join(","),
                    });
                }
                pending = failed.into_iter().map(|(e, _)| e).collect();
                let wait = std::time::Duration::from_millis(50 << attempt);
                if !crate::outbound::deadline::allows(wait) {
                    return Err(PublishError::Unavailable(
                        "entries failed and the invocation has no time left to retry".into(),
                    ));
                }
                tokio::time::sleep(wait).await;
            }
        }
        Ok(())
    }
}
