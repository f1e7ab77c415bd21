//! One intake for every ATS transport (a webhook, a scheduled poll, a connector): each
//! authenticates its way, finds the tenant's route its trigger belongs to, and opens the
//! order here, with its first effects, in one commit. Nothing is ordered on the request
//! path; the dispatcher places the order once the ATS confirms what opened it.

use crate::config::Route;
use crate::domain::effects::OutboxItem;
use crate::domain::order::ClaimedMove;
use crate::domain::{Order, TenantId, transitions};
use crate::ports::store::Commit;
use time::OffsetDateTime;

/// The commit that opens an order on `route` for the ATS object `ats_ref`. `claimed` is what
/// an unsigned trigger said happened (confirmed with the ATS before anything is ordered).
pub fn open(
    tenant: &TenantId,
    route: &Route,
    ats_ref: &str,
    claimed: Option<ClaimedMove>,
    cause: &str,
    now: OffsetDateTime,
) -> Commit {
    let mut order = Order::new(tenant.clone(), &route.pairing(), ats_ref.to_owned(), now);
    order.claimed_move = claimed;
    let outbox = transitions::opened(&order)
        .into_iter()
        .map(|e| OutboxItem::new(tenant.clone(), e, now))
        .collect();
    Commit::create(order, cause, outbox)
}

/// Count orders opened on `route` (once their commit succeeded).
pub fn count_opened(route: &Route, n: usize) {
    crate::metrics::count_n(
        "OrdersCreated",
        &[
            ("Integration", route.id.as_str()),
            ("Provider", route.provider.as_str()),
        ],
        n,
    );
}
