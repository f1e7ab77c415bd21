//! Outbound effects, written to the outbox in the same transaction as the state change
//! that caused them and performed later by the dispatcher.

use super::events::BusEvent;
use super::ids::{OrderId, OutboxId, TenantId};
use super::lever::NewNote;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Effect {
    /// Fetch the opportunity, decide, and place the order with Alliance 2020.
    SubmitAllianceOrder { order_id: OrderId },
    /// Make the opportunity's managed tags match the order's current state (idempotent).
    LeverSyncStatus { order_id: OrderId },
    /// Add a note to the order's opportunity.
    LeverNote { order_id: OrderId, note: NewNote },
    /// Publish an event on the bus.
    PublishEvent { event: BusEvent },
}

impl Effect {
    /// Short name for logs and metrics.
    pub fn name(&self) -> &'static str {
        match self {
            Effect::SubmitAllianceOrder { .. } => "submit_alliance_order",
            Effect::LeverSyncStatus { .. } => "lever_sync_status",
            Effect::LeverNote { .. } => "lever_note",
            Effect::PublishEvent { .. } => "publish_event",
        }
    }

    pub fn order_id(&self) -> Option<OrderId> {
        match self {
            Effect::SubmitAllianceOrder { order_id }
            | Effect::LeverSyncStatus { order_id }
            | Effect::LeverNote { order_id, .. } => Some(*order_id),
            Effect::PublishEvent { event } => event.order_id(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxItem {
    pub id: OutboxId,
    pub tenant: TenantId,
    pub effect: Effect,
    /// Failed attempts so far (across dispatcher runs).
    pub attempts: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl OutboxItem {
    pub fn new(tenant: TenantId, effect: Effect, now: OffsetDateTime) -> Self {
        Self {
            id: OutboxId::new(),
            tenant,
            effect,
            attempts: 0,
            created_at: now,
        }
    }
}

/// An outbox item that failed for good, kept for inspection and re-drive.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeadLetter {
    pub item: OutboxItem,
    /// Error class and message, without PII.
    pub error: String,
    #[serde(with = "time::serde::rfc3339")]
    pub failed_at: OffsetDateTime,
}
