//! Events published on the bus. Details carry ids and statuses, never candidate PII.
//! JSON schemas: docs/events.md.

use super::ids::{OrderId, TenantId};
use super::kinds::{AtsKind, ProviderKind, RouteId};
use super::order::{Order, OrderStatus};
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
    /// The route's id (today's routes: `alliance2020`, `backgrounds_online`).
    pub integration: RouteId,
    /// (Both default when reading events queued before they existed.)
    #[serde(default)]
    pub ats: AtsKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<ProviderKind>,
    /// The ATS object (a Lever opportunity id).
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
                integration: order.route.clone(),
                ats: order.ats,
                provider: Some(order.provider),
                opportunity_id: order.ats_ref.clone(),
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
