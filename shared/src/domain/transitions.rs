//! What each change of an order writes and asks of the outside world, the same for every ATS
//! and provider. The lifecycle ([`super::lifecycle`]) says which moves are legal; these
//! functions build the next version of the order and its effects. Every change asks the ATS
//! to show the new state (`Render`, which also says what changed: the ATS adapter builds its
//! tags and notes from the order when it performs it, so no result text sits in the outbox)
//! and tells the bus.

use super::effects::{CancelReason, Effect, UpdateDecision};
use super::events::{BusEvent, DetailType};
use super::order::{Order, OrderStatus, Phase, ScreeningResult, SentRequest, ServiceLine};
use time::OffsetDateTime;

/// A provider's (or an ATS's) report, in canonical terms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatusChange {
    pub to: OrderStatus,
    /// With a result status: what the provider found.
    pub result: Option<ScreeningResult>,
    /// With `Rejected`: the provider's words.
    pub reason: Option<String>,
    /// The services the provider reports with it (none when it reports none): a service the
    /// order did not have is added to this order alone.
    pub services: Vec<ServiceLine>,
    /// How much of the check the provider reports done (0–100), when it says.
    pub percent_complete: Option<u8>,
}

impl StatusChange {
    pub fn to(to: OrderStatus) -> Self {
        Self {
            to,
            result: None,
            reason: None,
            services: Vec::new(),
            percent_complete: None,
        }
    }
}

/// The order's services with a report's merged in: a known service takes its reported
/// status, a new one is added at the end; services the report does not name are kept.
pub fn merge_services(known: &[ServiceLine], reported: &[ServiceLine]) -> Vec<ServiceLine> {
    let mut merged = known.to_vec();
    for line in reported {
        match merged.iter_mut().find(|s| s.name == line.name) {
            Some(s) => s.status = line.status,
            None => merged.push(line.clone()),
        }
    }
    merged
}

/// The effects of a freshly opened order: place it, and tell the bus.
pub fn opened(order: &Order) -> Vec<Effect> {
    vec![
        Effect::PlaceOrder { order_id: order.id },
        Effect::PublishEvent {
            event: BusEvent::for_order(DetailType::OrderCreated, order, None),
        },
    ]
}

/// The ATS shows the new state, the bus hears of it.
fn changed(before: &Order, after: &Order) -> Vec<Effect> {
    vec![
        Effect::Render {
            order_id: after.id,
            to: Some(after.status),
        },
        Effect::PublishEvent {
            event: BusEvent::for_transition(before, after),
        },
    ]
}

fn moved(order: &Order, to: OrderStatus, now: OffsetDateTime) -> Order {
    let mut next = order.next(now);
    next.status = to;
    if to != OrderStatus::Pending {
        next.expires_at = None;
    }
    if to.is_terminal() {
        next.poll_at = None;
    }
    next
}

/// The provider's percent complete after a report: never lower than what is known (a late
/// report does not take progress back), `None` while nobody said.
pub fn progress(known: Option<u8>, reported: Option<u8>) -> Option<u8> {
    known.max(reported.map(|p| p.min(100)))
}

/// Apply a report as the lifecycle allows: a repeat changes nothing; a late or impossible
/// report changes nothing and is recorded. The provider's percent complete only grows: a
/// report of the same status with more progress is kept (nothing to tell the ATS, whose
/// panel reads it from the order), one with less is a repeat.
pub fn apply(order: &Order, change: &StatusChange, now: OffsetDateTime) -> UpdateDecision {
    let services = merge_services(&order.services, &change.services);
    let percent = progress(order.percent_complete, change.percent_complete);
    if change.to == order.status
        && (services != order.services || percent != order.percent_complete)
    {
        // The same status with news: its services (e.g. a search the provider added) or
        // its progress.
        let mut next = order.next(now);
        let effects = if services == order.services {
            Vec::new()
        } else {
            vec![Effect::Render {
                order_id: next.id,
                to: None,
            }]
        };
        next.services = services;
        next.percent_complete = percent;
        return UpdateDecision::Apply(Box::new(next), effects);
    }
    if let Some(refusal) = UpdateDecision::unless_legal(order, change.to) {
        return refusal;
    }
    let mut next = moved(order, change.to, now);
    next.services = services;
    next.percent_complete = percent;
    if matches!(change.to.phase(), Phase::Results) {
        next.result = Some(change.result.clone().unwrap_or_default());
    }
    if change.to == OrderStatus::Rejected {
        next.reason = Some(format!(
            "{} rejected the background check: {}",
            order.provider.display_name(),
            change.reason.as_deref().unwrap_or("no reason given")
        ));
    }
    let effects = changed(order, &next);
    UpdateDecision::Apply(Box::new(next), effects)
}

/// The provider accepted the order: it waits for the candidate (until `expires_at`, when the
/// provider's invitations lapse), and its status is read at `poll_at` when the provider's
/// status is polled.
pub fn accepted(
    order: &Order,
    provider_ref: String,
    sent: SentRequest,
    expires_at: Option<OffsetDateTime>,
    poll_at: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> (Order, Vec<Effect>) {
    let mut next = moved(order, OrderStatus::Pending, now);
    next.provider_ref = Some(provider_ref);
    next.request = Some(sent);
    next.expires_at = expires_at;
    next.poll_at = poll_at;
    let effects = changed(order, &next);
    (next, effects)
}

/// Nothing was ordered: refused (`Rejected`, by our rules or the provider's) or failed after
/// every retry (`Error`), with words a recruiter can act on.
pub fn not_ordered(
    order: &Order,
    status: OrderStatus,
    message: String,
    now: OffsetDateTime,
) -> (Order, Vec<Effect>) {
    let mut next = moved(order, status, now);
    next.reason = Some(message);
    let effects = changed(order, &next);
    (next, effects)
}

/// The provider cancelled the order at a recruiter's request.
pub fn cancelled(order: &Order, now: OffsetDateTime) -> (Order, Vec<Effect>) {
    let next = moved(order, OrderStatus::Cancelled, now);
    let effects = changed(order, &next);
    (next, effects)
}

/// An operator's step (adverse action): the ATS shows it, the bus hears of it.
pub fn operator_move(order: &Order, to: OrderStatus, now: OffsetDateTime) -> (Order, Vec<Effect>) {
    let next = moved(order, to, now);
    let effects = changed(order, &next);
    (next, effects)
}

/// Nobody acted in time: `Expired`, and the provider order is closed (where it can be).
pub fn expired(order: &Order, now: OffsetDateTime) -> (Order, Vec<Effect>) {
    let next = moved(order, OrderStatus::Expired, now);
    let mut effects = vec![Effect::CancelOrder {
        order_id: order.id,
        reason: CancelReason::Expired,
    }];
    effects.extend(changed(order, &next));
    (next, effects)
}

/// The ATS does not confirm what opened the order: it ends without a provider call and
/// without a word to the ATS (which may not know the candidate); the bus hears of it.
pub fn unconfirmed(order: &Order, reason: &str, now: OffsetDateTime) -> (Order, Vec<Effect>) {
    let mut next = moved(order, OrderStatus::Cancelled, now);
    next.reason = Some(reason.to_owned());
    let event = BusEvent::for_order(DetailType::OrderStatusChanged, &next, Some(order.status));
    (next, vec![Effect::PublishEvent { event }])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::TenantId;
    use crate::domain::kinds::{AtsKind, Pairing, ProviderKind};
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2026-12-01 9:00 UTC);

    fn order(status: OrderStatus) -> Order {
        let mut o = Order::new(
            TenantId::parse("acme").unwrap(),
            &Pairing::new("r1", AtsKind::Lever, ProviderKind::BackgroundsOnline),
            "opp".into(),
            T0,
        );
        o.status = status;
        o
    }

    fn renders(effects: &[Effect], to: OrderStatus) -> bool {
        effects
            .iter()
            .any(|e| matches!(e, Effect::Render { to: Some(t), .. } if *t == to))
    }

    #[test]
    fn an_accepted_order_waits_for_the_candidate_until_it_expires() {
        let at = T0 + time::Duration::days(14);
        let (next, effects) = accepted(
            &order(OrderStatus::Requested),
            "P-1".into(),
            SentRequest::of(&"req"),
            Some(at),
            None,
            T0,
        );
        assert_eq!(next.status, OrderStatus::Pending);
        assert_eq!(next.expires_at, Some(at));
        assert_eq!(next.provider_ref.as_deref(), Some("P-1"));
        assert!(renders(&effects, OrderStatus::Pending));
    }

    #[test]
    fn a_result_keeps_what_was_found_and_ends_the_wait() {
        let mut o = order(OrderStatus::Pending);
        o.expires_at = Some(T0);
        let found = ScreeningResult {
            flag: Some(true),
            decision: Some("Review".into()),
            ..ScreeningResult::default()
        };
        let change = StatusChange {
            to: OrderStatus::Complete,
            result: Some(found.clone()),
            reason: None,
            services: Vec::new(),
            percent_complete: None,
        };
        let UpdateDecision::Apply(next, effects) = apply(&o, &change, T0) else {
            panic!("legal move");
        };
        assert_eq!(next.result, Some(found));
        assert_eq!(next.expires_at, None);
        assert!(renders(&effects, OrderStatus::Complete));
        assert_eq!(
            apply(&next, &change, T0),
            UpdateDecision::Ignore("duplicate"),
            "a repeat changes nothing"
        );
    }

    #[test]
    fn a_refusal_names_the_provider_and_keeps_its_words() {
        let change = StatusChange {
            to: OrderStatus::Rejected,
            result: None,
            reason: Some("Unknown product".into()),
            services: Vec::new(),
            percent_complete: None,
        };
        let UpdateDecision::Apply(next, _) = apply(&order(OrderStatus::Pending), &change, T0)
        else {
            panic!("legal move");
        };
        assert_eq!(
            next.reason.as_deref(),
            Some("Backgrounds Online rejected the background check: Unknown product")
        );
    }

    #[test]
    fn a_service_the_order_did_not_have_is_added_to_that_order_only() {
        let line = |name: &str, status| ServiceLine {
            name: name.into(),
            status,
        };
        let mut o = order(OrderStatus::InProgress);
        o.services = vec![line("County Criminal", OrderStatus::InProgress)];
        let other = o.clone();
        let change = StatusChange {
            services: vec![line("County Criminal - Travis", OrderStatus::InProgress)],
            ..StatusChange::to(OrderStatus::InProgress)
        };
        let UpdateDecision::Apply(next, effects) = apply(&o, &change, T0) else {
            panic!("news about services is applied");
        };
        assert_eq!(
            next.services,
            vec![
                line("County Criminal", OrderStatus::InProgress),
                line("County Criminal - Travis", OrderStatus::InProgress)
            ]
        );
        assert!(matches!(effects[..], [Effect::Render { to: None, .. }]));
        assert_eq!(other.services.len(), 1, "the other order is untouched");
        assert_eq!(
            apply(&next, &change, T0),
            UpdateDecision::Ignore("duplicate"),
            "the same news again changes nothing"
        );
        let done = StatusChange {
            services: vec![line("County Criminal", OrderStatus::Complete)],
            ..StatusChange::to(OrderStatus::Complete)
        };
        let UpdateDecision::Apply(done, _) = apply(&next, &done, T0) else {
            panic!("legal move");
        };
        assert_eq!(done.services[0].status, OrderStatus::Complete);
        assert_eq!(done.services[1].status, OrderStatus::InProgress);
    }

    #[test]
    fn progress_only_grows_and_a_repeat_changes_nothing() {
        let at = |p: u8| StatusChange {
            percent_complete: Some(p),
            ..StatusChange::to(OrderStatus::InProgress)
        };
        let UpdateDecision::Apply(forty, effects) =
            apply(&order(OrderStatus::Pending), &at(40), T0)
        else {
            panic!("legal move");
        };
        assert_eq!(
            (forty.status, forty.percent_complete),
            (OrderStatus::InProgress, Some(40))
        );
        assert!(renders(&effects, OrderStatus::InProgress));
        assert_eq!(
            apply(&forty, &at(20), T0),
            UpdateDecision::Ignore("duplicate"),
            "a late, lower report takes nothing back"
        );
        assert_eq!(
            apply(&forty, &at(40), T0),
            UpdateDecision::Ignore("duplicate")
        );
        assert_eq!(
            apply(&forty, &StatusChange::to(OrderStatus::InProgress), T0),
            UpdateDecision::Ignore("duplicate"),
            "a report without a percentage keeps the known one"
        );
        let UpdateDecision::Apply(seventy, effects) = apply(&forty, &at(70), T0) else {
            panic!("more progress is kept");
        };
        assert_eq!(
            (seventy.percent_complete, seventy.version),
            (Some(70), forty.version + 1)
        );
        assert!(effects.is_empty(), "nothing to tell the ATS or the bus");
        let UpdateDecision::Apply(done, _) =
            apply(&seventy, &StatusChange::to(OrderStatus::Complete), T0)
        else {
            panic!("legal move");
        };
        assert_eq!(done.percent_complete, Some(70), "kept as reported");
        assert_eq!(progress(Some(40), Some(200)), Some(100));
        assert_eq!(progress(None, None), None);
    }

    #[test]
    fn late_reports_are_refused_not_applied() {
        let done = order(OrderStatus::Complete);
        assert!(matches!(
            apply(&done, &StatusChange::to(OrderStatus::InProgress), T0),
            UpdateDecision::Refuse { .. }
        ));
    }

    #[test]
    fn expiry_closes_the_provider_order_and_unconfirmed_orders_say_nothing_to_the_ats() {
        let (next, effects) = expired(&order(OrderStatus::Pending), T0);
        assert_eq!(next.status, OrderStatus::Expired);
        assert!(matches!(
            effects[0],
            Effect::CancelOrder {
                reason: CancelReason::Expired,
                ..
            }
        ));
        let (next, effects) = unconfirmed(&order(OrderStatus::Requested), "not confirmed", T0);
        assert_eq!(next.status, OrderStatus::Cancelled);
        assert!(
            effects
                .iter()
                .all(|e| matches!(e, Effect::PublishEvent { .. }))
        );
    }
}
