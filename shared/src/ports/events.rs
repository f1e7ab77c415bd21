//! Publishing domain events on the bus.

use crate::domain::events::BusEvent;

#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("{failed} of {total} events were not accepted: {detail}")]
    Rejected {
        failed: usize,
        total: usize,
        detail: String,
    },
    #[error("event bus unavailable: {0}")]
    Unavailable(String),
}

#[async_trait::async_trait]
pub trait EventPublisher: Send + Sync {
    /// Publish every event or fail; partial failures are retried inside the adapter.
    async fn publish(&self, events: &[BusEvent]) -> Result<(), PublishError>;
}
