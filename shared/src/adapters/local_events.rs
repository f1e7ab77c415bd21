//! Events for local runs: kept in memory (tests read them) and logged by id.

use crate::domain::events::BusEvent;
use crate::ports::events::{EventPublisher, PublishError};
use std::sync::Mutex;

#[derive(Default)]
pub struct LocalEvents {
    published: Mutex<Vec<BusEvent>>,
}

impl LocalEvents {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn published(&self) -> Vec<BusEvent> {
        self.published
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

#[async_trait::async_trait]
impl EventPublisher for LocalEvents {
    async fn publish(&self, events: &[BusEvent]) -> Result<(), PublishError> {
        for e in events {
            match &e.detail {
                crate::domain::events::EventDetail::Order(d) => tracing::info!(
                    detail_type = e.detail_type.as_str(),
                    order_id = %d.order_id,
                    tenant = %d.tenant,
                    status = d.status.as_str(),
                    "event published"
                ),
                crate::domain::events::EventDetail::Pass(d) => tracing::info!(
                    detail_type = e.detail_type.as_str(),
                    tenant = %d.tenant,
                    pass = d.pass,
                    posting_id = d.posting_id,
                    "event published"
                ),
            }
        }
        self.published
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(events);
        Ok(())
    }
}
