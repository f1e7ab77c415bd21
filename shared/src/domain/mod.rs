//! Pure domain: nothing here performs I/O; everything is unit-tested directly.
//!
//! - The core names no vendor's rules: ids and kinds ([`ids`], [`kinds`]), the canonical
//!   order and its statuses ([`order`]), the subject it is about ([`subject`]), the one
//!   lifecycle ([`lifecycle`]) and what each change does ([`transitions`]), effects, events,
//!   deletion and expiry rules. It imports nothing below.
//! - [`ats`]: each applicant-tracking system's vocabulary (Lever: its data model, its
//!   routes' triggers, tags and notes, confirming what its webhooks claim).
//! - [`providers`]: each screening provider's rules (Alliance 2020, Backgrounds Online): its
//!   settings, how an order is prepared and how its callbacks become canonical changes.

pub mod adverse;
pub mod ats;
pub mod deletion;
pub mod effects;
pub mod events;
pub mod expiry;
pub mod ids;
pub mod kinds;
pub mod lifecycle;
pub mod order;
pub mod providers;
pub mod status_poll;
pub mod subject;
pub mod transitions;

pub use effects::{Effect, OutboxItem};
pub use ids::{OrderId, OutboxId, TenantId};
pub use kinds::{AtsKind, Pairing, ProviderKind, RouteId};
pub use order::{AuditEntry, Order, OrderStatus, Phase, ScreeningResult};
