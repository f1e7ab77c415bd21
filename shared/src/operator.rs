//! What an operator does to an order, the same from the HTTP operator route and from the
//! CLI: adverse-action steps ([`crate::domain::adverse`]), each audited and shown in the ATS
//! (a Paylocity order is PATCHed) through the outbox.

use crate::config::TenantConfig;
use crate::domain::Order;
use crate::domain::adverse::{self, Step};
use crate::domain::effects::OutboxItem;
use crate::domain::ids::OrderId;
use crate::ports::store::{Commit, CommitError, Store};
use time::OffsetDateTime;

#[derive(Debug, thiserror::Error)]
pub enum OperatorError {
    #[error("no such order for this tenant")]
    OrderUnknown,
    #[error("{0}")]
    Refused(String),
    #[error("store unavailable: {0}")]
    Store(String),
}

/// Business days between the pre-adverse and the final notice for `tenant`.
pub fn adverse_wait(tenant: &TenantConfig) -> u32 {
    tenant
        .ats
        .paylocity
        .as_ref()
        .map(|p| p.adverse_action_wait_business_days)
        .unwrap_or(5)
}

/// Take `step` on the tenant's order; returns the order as it now stands.
pub async fn adverse_action(
    store: &dyn Store,
    tenant: &TenantConfig,
    order_id: OrderId,
    step: Step,
    now: OffsetDateTime,
) -> Result<Order, OperatorError> {
    let store_err = |e: &dyn std::fmt::Display| OperatorError::Store(e.to_string());
    for _ in 0..3 {
        let order = store
            .get_order(order_id)
            .await
            .map_err(|e| store_err(&e))?
            .filter(|o| o.tenant == tenant.id)
            .ok_or(OperatorError::OrderUnknown)?;
        let (next, effects) = adverse::decide(&order, step, adverse_wait(tenant), now)
            .map_err(OperatorError::Refused)?;
        let outbox = effects
            .into_iter()
            .map(|e| OutboxItem::new(tenant.id.clone(), e, now))
            .collect();
        let cause = format!("operator:adverse_action:{}", step.as_str());
        match store
            .commit(Commit::update(&order, next.clone(), &cause, outbox))
            .await
        {
            Ok(()) => {
                tracing::info!(tenant = %tenant.id, %order_id, step = step.as_str(), "adverse-action step taken");
                crate::metrics::count("AdverseActionSteps", &[("Step", step.as_str())]);
                return Ok(next);
            }
            Err(CommitError::VersionConflict) => continue,
            Err(e) => return Err(store_err(&e)),
        }
    }
    Err(OperatorError::Store(
        "the order kept changing; try again".into(),
    ))
}
