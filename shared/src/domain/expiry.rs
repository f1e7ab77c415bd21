//! Expiry rules: which orders lapse when nobody acts, and what expiring does. The sweep reads
//! only orders that carry `expires_at` (set when a provider whose invitations lapse accepted
//! the order, see its adapter's capabilities) and asks [`expire`] what to write.

use super::effects::Effect;
use super::order::{Order, OrderStatus};
use time::OffsetDateTime;

/// Whether the order is past its expiry and still waiting for the candidate.
pub fn is_due(order: &Order, now: OffsetDateTime) -> bool {
    order.status == OrderStatus::Pending && order.expires_at.is_some_and(|at| at <= now)
}

/// The next version of a due order and its effects; `None` when it is not (or no longer) due.
pub fn expire(order: &Order, now: OffsetDateTime) -> Option<(Order, Vec<Effect>)> {
    if !is_due(order, now) {
        return None;
    }
    Some(super::transitions::expired(order, now))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::TenantId;
    use crate::domain::kinds::{AtsKind, Pairing, ProviderKind};
    use time::macros::datetime;

    fn pending_bo(expires: OffsetDateTime) -> Order {
        let mut o = Order::new(
            TenantId::parse("t").unwrap(),
            &Pairing::new(
                "backgrounds_online",
                AtsKind::Lever,
                ProviderKind::BackgroundsOnline,
            ),
            "opp".into(),
            datetime!(2026-01-01 0:00 UTC),
        );
        o.status = OrderStatus::Pending;
        o.expires_at = Some(expires);
        o
    }

    #[test]
    fn due_exactly_at_expiry_and_not_a_moment_before() {
        let at = datetime!(2026-01-15 0:00 UTC);
        let o = pending_bo(at);
        assert!(expire(&o, at - time::Duration::seconds(1)).is_none());
        let (next, _) = expire(&o, at).expect("due");
        assert_eq!(next.status, OrderStatus::Expired);
        assert_eq!(next.expires_at, None);
        assert_eq!(next.version, o.version + 1);
    }

    #[test]
    fn orders_past_the_waiting_state_never_expire() {
        let at = datetime!(2026-01-15 0:00 UTC);
        for status in [
            OrderStatus::InProgress,
            OrderStatus::Complete,
            OrderStatus::Cancelled,
            OrderStatus::Expired,
        ] {
            let mut o = pending_bo(at);
            o.status = status;
            assert!(
                expire(&o, at + time::Duration::days(30)).is_none(),
                "{status:?}"
            );
        }
    }
}
