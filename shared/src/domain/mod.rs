//! Pure domain: orders, statuses, tenant settings and per-integration decisions.
//! Nothing here performs I/O; everything is unit-tested directly.

pub mod alliance;
pub mod backgrounds_online;
pub mod confirmation;
pub mod deletion;
pub mod effects;
pub mod events;
pub mod expiry;
pub mod ids;
pub mod lever;
pub mod lever_tags;
pub mod lifecycle;
pub mod order;
pub mod tags;
pub mod tenant;

pub use effects::{Effect, OutboxItem};
pub use ids::{OrderId, OutboxId, TenantId};
pub use order::{AuditEntry, Integration, Order, OrderStatus, Phase, ScreeningResult};
pub use tenant::TenantConfig;
