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
            tracing::info!(
                detail_type = e.detail_type.as_str(),
                order_id = %e.detail.order_id,
                tenant = %e.detail.tenant,
                status = e.detail.status.as_str(),
                "event published"
            );
        }
        self.published
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(events);
        Ok(())
    }
}
