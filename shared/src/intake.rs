//! One intake for every ATS transport (a webhook, a scheduled poll, a connector): each
//! authenticates its way, finds the tenant's route its trigger belongs to, and opens the
//! order here, with its first effects, in one commit. Nothing is ordered on the request
//! path; the dispatcher places the order once the ATS confirms what opened it.

use crate::config::Route;
use crate::domain::effects::OutboxItem;
use crate::domain::order::{AdapterData, ClaimedMove};
use crate::domain::{Order, TenantId, transitions};
use crate::ports::store::Commit;
use time::OffsetDateTime;

/// What the transport knows of a new order beyond its ATS object.
#[derive(Clone, Debug, Default)]
pub struct Opening {
    /// What an unsigned trigger said happened (confirmed with the ATS before anything is
    /// ordered).
    pub claimed: Option<ClaimedMove>,
    /// What an ATS that pushes its orders sent with it (the order's subject; PII).
    pub intake: Option<AdapterData>,
    /// The ATS adapter's first state of the order.
    pub ats_state: Option<AdapterData>,
}

/// The commit that opens an order on `route` for the ATS object `ats_ref`.
pub fn open(
    tenant: &TenantId,
    route: &Route,
    ats_ref: &str,
    opening: Opening,
    cause: &str,
    now: OffsetDateTime,
) -> Commit {
    let mut order = Order::new(tenant.clone(), &route.pairing(), ats_ref.to_owned(), now);
    order.claimed_move = opening.claimed;
    order.intake = opening.intake;
    order.ats_state = opening.ats_state;
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
