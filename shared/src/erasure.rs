//! A candidate deleted in the ATS, once the ATS confirmed it: every order of the opportunity
//! gives up the candidate's data at once (decided by [`crate::domain::deletion`], committed
//! here). Idempotent by state: a second run finds nothing left to remove.

use crate::domain::{TenantId, deletion};
use crate::ports::store::{CommitError, Store, update_order};
use time::OffsetDateTime;

/// Scrub every order of `opportunity`; returns how many changed.
pub async fn erase_opportunity(
    store: &dyn Store,
    tenant: &TenantId,
    opportunity: &str,
    now: OffsetDateTime,
) -> Result<usize, CommitError> {
    let orders = store.orders_of_opportunity(tenant, opportunity).await?;
    let mut scrubbed = 0;
    for order in orders {
        let changed = update_order(store, order, "dispatcher:candidate_deleted", now, 3, |o| {
            deletion::on_candidate_deleted(o, now)
        })
        .await?;
        if let Some(o) = changed {
            tracing::info!(order_id = %o.id, "order scrubbed: candidate deleted");
            scrubbed += 1;
        }
    }
    tracing::info!(%tenant, orders_scrubbed = scrubbed, "candidate deleted in Lever");
    if scrubbed > 0 {
        crate::metrics::count_n(
            "OrdersScrubbed",
            &[("Reason", "candidate_deleted")],
            scrubbed,
        );
    }
    Ok(scrubbed)
}
