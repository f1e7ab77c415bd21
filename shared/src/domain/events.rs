//! Events published on the bus. Details carry ids and statuses, never candidate PII.
//! JSON schemas: docs/events.md.

use super::ids::{OrderId, TenantId};
use super::order::{Integration, Order, OrderStatus};
use serde::{Deserialize, Serialize};

pub const EVENT_SOURCE: &str = "screenhub";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DetailType {
    #[serde(rename = "Order Created")]
    OrderCreated,
    #[serde(rename = "Order Status Changed")]
    OrderStatusChanged,
    #[serde(rename = "Order Completed")]
    OrderCompleted,
}

impl DetailType {
    pub fn as_str(self) -> &'static str {
        match self {
            DetailType::OrderCreated => "Order Created",
            DetailType::OrderStatusChanged => "Order Status Changed",
            DetailType::OrderCompleted => "Order Completed",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OrderEventDetail {
    pub tenant: TenantId,
    pub order_id: OrderId,
    pub integration: Integration,
    pub opportunity_id: String,
    pub status: OrderStatus,
    pub previous_status: Option<OrderStatus>,
    pub version: u64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BusEvent {
    pub detail_type: DetailType,
    pub detail: OrderEventDetail,
}

impl BusEvent {
    pub fn for_order(
        detail_type: DetailType,
        order: &Order,
        previous: Option<OrderStatus>,
    ) -> Self {
        Self {
            detail_type,
            detail: OrderEventDetail {
                tenant: order.tenant.clone(),
                order_id: order.id,
                integration: order.integration,
                opportunity_id: order.opportunity_id.clone(),
                status: order.status,
                previous_status: previous,
                version: order.version,
            },
        }
    }

    /// The event of an order's change from `before` to `after`: `Order Completed` when the
    /// results arrive, `Order Status Changed` otherwise.
    pub fn for_transition(before: &Order, after: &Order) -> Self {
        let completed = after.status.phase() == crate::domain::order::Phase::Results
            && before.status.phase() != crate::domain::order::Phase::Results;
        let detail_type = if completed {
            DetailType::OrderCompleted
        } else {
            DetailType::OrderStatusChanged
        };
        Self::for_order(detail_type, after, Some(before.status))
    }

    pub fn order_id(&self) -> Option<OrderId> {
        Some(self.detail.order_id)
    }
}
