//! A candidate deleted in the ATS (e.g. Lever's `candidateDeleted`, once confirmed): every
//! order of the ATS object gives up its candidate data at once, without waiting for the
//! retention period.
//!
//! - An ended order is scrubbed (as the retention sweep would do later).
//! - An order still under way ends as Cancelled and is scrubbed in the same version. An order
//!   the provider already holds is closed there too (where the provider can cancel; its late
//!   reports are refused either way, because the order has ended).
//! - Nothing is written back to the ATS: the object no longer exists there.

use super::Order;
use super::effects::{CancelReason, Effect};
use super::events::{BusEvent, DetailType};
use time::OffsetDateTime;

/// Shown wherever the order's reason is (audit, events, the CLI).
pub const REASON: &str = "The candidate was deleted in the applicant-tracking system; the check was stopped and their data removed.";

/// The next version of `order` and its effects, or `None` when it holds nothing to remove.
pub fn on_candidate_deleted(order: &Order, now: OffsetDateTime) -> Option<(Order, Vec<Effect>)> {
    if order.status.is_terminal() {
        return order
            .holds_pii_after_end()
            .then(|| (order.scrubbed(now), Vec::new()));
    }
    let mut next = order.scrubbed(now);
    next.status = super::OrderStatus::Cancelled;
    next.expires_at = None;
    next.reason = Some(REASON.to_owned());
    let mut effects = Vec::new();
    if order.provider_ref.is_some() {
        effects.push(Effect::CancelOrder {
            order_id: order.id,
            reason: CancelReason::CandidateDeleted,
        });
    }
    effects.push(Effect::PublishEvent {
        event: BusEvent::for_order(DetailType::OrderStatusChanged, &next, Some(order.status)),
    });
    Some((next, effects))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::kinds::{AtsKind, Pairing, ProviderKind};
    use crate::domain::order::{ScreeningResult, SentRequest};
    use crate::domain::{OrderStatus, TenantId};
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-11-22 12:00 UTC);

    fn order(provider: ProviderKind, status: OrderStatus) -> Order {
        let mut o = Order::new(
            TenantId::parse("acme").unwrap(),
            &Pairing::new(provider.as_str(), AtsKind::Lever, provider),
            "opp-1".into(),
            datetime!(2026-11-01 09:00 UTC),
        );
        o.status = status;
        o.request = Some(SentRequest::of(&serde_json::json!({
            "client_reference": o.id.to_string(),
            "candidate": { "name": "Ada Lovelace", "email": "ada@example.com" }
        })));
        o
    }

    fn is_lever_effect(e: &Effect) -> bool {
        matches!(
            e,
            Effect::Render { .. } | Effect::Notify { .. } | Effect::ClearTrigger { .. }
        )
    }

    #[test]
    fn an_ended_order_is_scrubbed_and_keeps_its_outcome() {
        let mut done = order(ProviderKind::Alliance2020, OrderStatus::Complete);
        done.result = Some(ScreeningResult {
            flag: Some(false),
            summary: Some("no records for Ada Lovelace".into()),
            report_url: Some("https://provider.example/r/1".into()),
            ..ScreeningResult::default()
        });
        let (next, effects) = on_candidate_deleted(&done, NOW).expect("scrubbed");
        assert_eq!(next.status, OrderStatus::Complete);
        assert_eq!(next.version, done.version + 1);
        assert!(next.request.is_none());
        let result = next.result.expect("outcome kept");
        assert_eq!(result.flag, Some(false));
        assert!(result.summary.is_none() && result.report_url.is_none());
        assert_eq!(next.scrubbed_at, Some(NOW));
        assert!(effects.is_empty());
    }

    #[test]
    fn an_order_already_scrubbed_changes_nothing() {
        let done = order(ProviderKind::Alliance2020, OrderStatus::Rejected).scrubbed(NOW);
        assert!(on_candidate_deleted(&done, NOW).is_none());
    }

    #[test]
    fn an_order_under_way_is_cancelled_and_scrubbed_without_touching_lever() {
        let mut waiting = order(ProviderKind::BackgroundsOnline, OrderStatus::Pending);
        waiting.provider_ref = Some("BO-7".into());
        waiting.expires_at = Some(datetime!(2026-11-29 09:00 UTC));
        let (next, effects) = on_candidate_deleted(&waiting, NOW).expect("changed");
        assert_eq!(next.status, OrderStatus::Cancelled);
        assert!(next.request.is_none() && next.expires_at.is_none());
        assert!(!next.holds_pii_after_end());
        assert_eq!(next.reason.as_deref(), Some(REASON));
        assert!(effects.contains(&Effect::CancelOrder {
            order_id: waiting.id,
            reason: CancelReason::CandidateDeleted,
        }));
        assert!(!effects.iter().any(is_lever_effect), "{effects:?}");
        assert!(
            effects
                .iter()
                .any(|e| matches!(e, Effect::PublishEvent { .. }))
        );
    }

    #[test]
    fn only_orders_the_provider_received_are_cancelled_there() {
        for (provider, status, provider_ref, cancelled_there) in [
            (
                ProviderKind::BackgroundsOnline,
                OrderStatus::Requested,
                None,
                false,
            ),
            (
                ProviderKind::Alliance2020,
                OrderStatus::Requested,
                None,
                false,
            ),
            (
                ProviderKind::Alliance2020,
                OrderStatus::InProgress,
                Some("A20-1"),
                true,
            ),
        ] {
            let mut o = order(provider, status);
            o.provider_ref = provider_ref.map(str::to_owned);
            let (next, effects) = on_candidate_deleted(&o, NOW).expect("changed");
            assert_eq!(next.status, OrderStatus::Cancelled);
            assert_eq!(
                effects
                    .iter()
                    .any(|e| matches!(e, Effect::CancelOrder { .. })),
                cancelled_there,
                "{provider:?}: {effects:?}"
            );
        }
    }
}
