//! Pure domain: nothing here performs I/O; everything is unit-tested directly.
//!
//! - The core names no vendor: ids, the canonical order and its statuses ([`order`]), the
//!   one lifecycle ([`lifecycle`]), effects, events, tenant settings, deletion and expiry
//!   rules.
//! - [`ats`]: each applicant-tracking system's vocabulary (Lever: its data model, its tags,
//!   confirming what its webhooks claim).
//! - [`providers`]: each screening provider's rules (Alliance 2020, Backgrounds Online): how an
//!   order is prepared and how its reports become canonical changes.

pub mod ats;
pub mod deletion;
pub mod effects;
pub mod events;
pub mod expiry;
pub mod ids;
pub mod lifecycle;
pub mod order;
pub mod providers;
pub mod tenant;

pub use effects::{Effect, OutboxItem};
pub use ids::{OrderId, OutboxId, TenantId};
pub use order::{AuditEntry, Integration, Order, OrderStatus, Phase, ScreeningResult};
pub use tenant::TenantConfig;
