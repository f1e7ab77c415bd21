//! The scheduled status poll's rules, the same for every provider whose status can be read:
//! when an order in flight is read next (a back-off that grows while nothing changes, within
//! bounds) and what a reading does. A reading is applied by the very decision a provider's
//! callback gets ([`super::transitions::apply`]), so a poll and a callback that report the same
//! status produce one change and one set of effects; a reading older than what the order
//! already shows changes nothing but the time of the next poll.

use super::effects::{Effect, UpdateDecision};
use super::order::Order;
use super::transitions::{self, StatusChange};
use time::{Duration, OffsetDateTime};

/// The first read of a freshly accepted order, and the shortest wait between two reads.
pub const MIN_INTERVAL: Duration = Duration::minutes(15);
/// The longest wait between two reads of an order in flight.
pub const MAX_INTERVAL: Duration = Duration::hours(4);

/// When a freshly accepted order is first read.
pub fn first_poll(now: OffsetDateTime) -> OffsetDateTime {
    now + MIN_INTERVAL
}

/// When `order` is read next: a quarter of the time it has gone unchanged, at least
/// [`MIN_INTERVAL`], at most [`MAX_INTERVAL`] (an order that just moved is read again soon,
/// one that has sat for a day every few hours).
pub fn next_poll(order: &Order, now: OffsetDateTime) -> OffsetDateTime {
    let unchanged = (now - order.updated_at).max(Duration::ZERO);
    now + (unchanged / 4_i32).clamp(MIN_INTERVAL, MAX_INTERVAL)
}

/// What one reading of an order's status does.
#[derive(Clone, Debug, PartialEq)]
pub enum PollDecision {
    /// Write this next version (with its next poll) and these effects.
    Apply(Box<Order>, Vec<Effect>),
    /// Nothing changes (a repeat, or older than what the order shows): only the next poll
    /// moves, to this time (`None`: the order is no longer polled).
    Defer(Option<OffsetDateTime>),
}

/// Apply a reading of the provider's status to `order`, as a callback reporting it would be.
pub fn decide(order: &Order, change: &StatusChange, now: OffsetDateTime) -> PollDecision {
    match transitions::apply(order, change, now) {
        UpdateDecision::Apply(mut next, effects) => {
            next.poll_at = (!next.status.is_terminal()).then(|| next_poll(&next, now));
            PollDecision::Apply(next, effects)
        }
        UpdateDecision::Ignore(_) | UpdateDecision::Refuse { .. } => {
            PollDecision::Defer(still_polled(order).then(|| next_poll(order, now)))
        }
    }
}

/// The order is in flight and scheduled for polls.
pub fn still_polled(order: &Order) -> bool {
    order.poll_at.is_some() && !order.status.is_terminal()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::TenantId;
    use crate::domain::kinds::{AtsKind, Pairing, ProviderKind};
    use crate::domain::order::{OrderStatus, ScreeningResult};
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-12-01 9:00 UTC);

    fn in_flight(status: OrderStatus) -> Order {
        let mut o = Order::new(
            TenantId::parse("acme").unwrap(),
            &Pairing::new("r", AtsKind::Cornerstone, ProviderKind::Accurate),
            "o-1".into(),
            T0,
        );
        o.status = status;
        o.provider_ref = Some("ACC-1".into());
        o.poll_at = Some(T0);
        o
    }

    #[test]
    fn the_wait_grows_while_nothing_changes_and_stays_within_bounds() {
        let o = in_flight(OrderStatus::Pending);
        assert_eq!(first_poll(T0), T0 + MIN_INTERVAL);
        assert_eq!(next_poll(&o, T0), T0 + MIN_INTERVAL);
        let later = T0 + Duration::hours(4);
        assert_eq!(next_poll(&o, later), later + Duration::hours(1));
        let days = T0 + Duration::days(3);
        assert_eq!(next_poll(&o, days), days + MAX_INTERVAL);
    }

    #[test]
    fn a_reading_moves_the_order_as_a_callback_would_and_keeps_polling_while_in_flight() {
        let o = in_flight(OrderStatus::Pending);
        let now = T0 + Duration::hours(1);
        let progress = StatusChange {
            percent_complete: Some(40),
            ..StatusChange::to(OrderStatus::InProgress)
        };
        let PollDecision::Apply(next, effects) = decide(&o, &progress, now) else {
            panic!("a legal move");
        };
        let UpdateDecision::Apply(by_callback, callback_effects) =
            transitions::apply(&o, &progress, now)
        else {
            panic!("a legal move");
        };
        assert_eq!(
            (next.status, next.percent_complete),
            (by_callback.status, by_callback.percent_complete)
        );
        assert_eq!(effects.len(), callback_effects.len(), "the same effects");
        assert_eq!(next.poll_at, Some(now + MIN_INTERVAL), "read again soon");

        // The same reading again, or an older one: nothing but the next poll.
        assert_eq!(
            decide(&next, &progress, now + MIN_INTERVAL),
            PollDecision::Defer(Some(now + 2 * MIN_INTERVAL))
        );
        assert!(matches!(
            decide(&next, &StatusChange::to(OrderStatus::Pending), now),
            PollDecision::Defer(Some(_))
        ));

        // Completion ends the polls.
        let done = StatusChange {
            result: Some(ScreeningResult::default()),
            ..StatusChange::to(OrderStatus::Complete)
        };
        let PollDecision::Apply(complete, _) = decide(&next, &done, now) else {
            panic!("a legal move");
        };
        assert_eq!(complete.poll_at, None);
        assert_eq!(
            decide(&complete, &done, now),
            PollDecision::Defer(None),
            "an ended order leaves the poll index"
        );
    }
}
