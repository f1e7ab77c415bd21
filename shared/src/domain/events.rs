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
    /// ARKiiVE or REFiiNE suggested a candidate for a posting (a lead).
    #[serde(rename = "Lead Suggested")]
    LeadSuggested,
    /// FiiLTER scored a new application against its posting.
    #[serde(rename = "Application Screened")]
    ApplicationScreened,
}

impl DetailType {
    pub fn as_str(self) -> &'static str {
        match self {
            DetailType::OrderCreated => "Order Created",
            DetailType::OrderStatusChanged => "Order Status Changed",
            DetailType::OrderCompleted => "Order Completed",
            DetailType::LeadSuggested => "Lead Suggested",
            DetailType::ApplicationScreened => "Application Screened",
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

/// What a recruiting pass did, in ids and a score (never candidate data).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PassEventDetail {
    pub tenant: TenantId,
    /// `fiilter`, `arkive` or `refine`.
    pub pass: String,
    /// FiiLTER: the application (Lever opportunity) screened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opportunity_id: Option<String>,
    /// ARKiiVE, REFiiNE: the person (Lever contact) suggested.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<String>,
    pub posting_id: String,
    /// The engine's score in [0, 1].
    pub score: f32,
    /// FiiLTER: whether the application was advanced to the screened stage.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub advanced: Option<bool>,
}

/// An event's detail: an order's, or a recruiting pass's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum EventDetail {
    Order(OrderEventDetail),
    Pass(PassEventDetail),
}

impl EventDetail {
    pub fn tenant(&self) -> &TenantId {
        match self {
            EventDetail::Order(d) => &d.tenant,
            EventDetail::Pass(d) => &d.tenant,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BusEvent {
    pub detail_type: DetailType,
    pub detail: EventDetail,
}

impl BusEvent {
    pub fn for_order(
        detail_type: DetailType,
        order: &Order,
        previous: Option<OrderStatus>,
    ) -> Self {
        Self {
            detail_type,
            detail: EventDetail::Order(OrderEventDetail {
                tenant: order.tenant.clone(),
                order_id: order.id,
                integration: order.route.clone(),
                ats: order.ats,
                provider: Some(order.provider),
                opportunity_id: order.ats_ref.clone(),
                status: order.status,
                previous_status: previous,
                version: order.version,
            }),
        }
    }

    /// FiiLTER screened an application.
    pub fn application_screened(
        tenant: &TenantId,
        opportunity: &str,
        posting: &str,
        score: f32,
        advanced: bool,
    ) -> Self {
        Self {
            detail_type: DetailType::ApplicationScreened,
            detail: EventDetail::Pass(PassEventDetail {
                tenant: tenant.clone(),
                pass: "fiilter".into(),
                opportunity_id: Some(opportunity.to_owned()),
                contact_id: None,
                posting_id: posting.to_owned(),
                score,
                advanced: Some(advanced),
            }),
        }
    }

    /// ARKiiVE or REFiiNE (`pass`) suggested a contact for a posting.
    pub fn lead_suggested(
        tenant: &TenantId,
        pass: &str,
        contact: &str,
        posting: &str,
        score: f32,
    ) -> Self {
        Self {
            detail_type: DetailType::LeadSuggested,
            detail: EventDetail::Pass(PassEventDetail {
                tenant: tenant.clone(),
                pass: pass.to_owned(),
                opportunity_id: None,
                contact_id: Some(contact.to_owned()),
                posting_id: posting.to_owned(),
                score,
                advanced: None,
            }),
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
        match &self.detail {
            EventDetail::Order(d) => Some(d.order_id),
            EventDetail::Pass(_) => None,
        }
    }
}
