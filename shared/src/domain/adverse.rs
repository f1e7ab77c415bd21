//! Adverse action (facts/vendors-and-aws.md §9, FCRA): the recruiter acts in the partner
//! application, which is the hub. The steps an operator may take on a completed order, and
//! when each is refused: the final notice waits a number of business days after the
//! pre-adverse notice, and never goes out while a dispute is open. Pure.

use super::effects::Effect;
use super::lifecycle;
use super::order::{AdverseAction, Order, OrderStatus, Phase};
use super::transitions;
use serde::{Deserialize, Serialize};
use time::{Duration, OffsetDateTime, Weekday};

/// An operator's adverse-action step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Send the pre-adverse notice (the report and the summary of rights).
    PreAdverse,
    /// Withdraw the adverse action.
    Cancel,
    /// The candidate disputes the findings.
    Dispute,
    /// The dispute is settled (re-investigated): the final notice may follow.
    ResolveDispute,
    /// Send the final adverse-action notice.
    Final,
}

impl Step {
    pub const ALL: [Step; 5] = [
        Step::PreAdverse,
        Step::Cancel,
        Step::Dispute,
        Step::ResolveDispute,
        Step::Final,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Step::PreAdverse => "pre_adverse",
            Step::Cancel => "cancel",
            Step::Dispute => "dispute",
            Step::ResolveDispute => "resolve_dispute",
            Step::Final => "final",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|s| s.as_str() == raw.replace('-', "_"))
    }
}

/// `days` business days (Monday to Friday) after `from`, at the same time of day.
pub fn business_days_after(from: OffsetDateTime, days: u32) -> OffsetDateTime {
    let mut at = from;
    let mut left = days;
    while left > 0 {
        at += Duration::days(1);
        if !matches!(at.weekday(), Weekday::Saturday | Weekday::Sunday) {
            left -= 1;
        }
    }
    at
}

/// The order after `step`, with its effects (the ATS shows it, the bus hears of it), or why
/// the step is refused, in words an operator can act on.
pub fn decide(
    order: &Order,
    step: Step,
    wait_business_days: u32,
    now: OffsetDateTime,
) -> Result<(Order, Vec<Effect>), String> {
    let adverse = order.adverse.clone().unwrap_or_default();
    let to = match step {
        Step::PreAdverse => OrderStatus::PreAdverseActionSent,
        Step::Cancel => OrderStatus::AdverseActionCancelled,
        Step::Dispute => OrderStatus::Disputed,
        Step::Final => OrderStatus::AdverseActionSent,
        Step::ResolveDispute => {
            if order.status != OrderStatus::Disputed || !adverse.dispute_open {
                return Err("no dispute is open on this order".into());
            }
            let mut next = order.next(now);
            next.adverse = Some(AdverseAction {
                dispute_open: false,
                ..adverse
            });
            return Ok((next, Vec::new()));
        }
    };
    if step == Step::Final {
        if adverse.dispute_open {
            return Err(
                "a dispute is open: resolve it (resolve_dispute) or cancel the adverse action"
                    .into(),
            );
        }
        if let Some(sent) = adverse.pre_notice_at {
            let allowed = business_days_after(sent, wait_business_days);
            if now < allowed {
                return Err(format!(
                    "the final notice may be sent from {} ({wait_business_days} business days \
                     after the pre-adverse notice)",
                    allowed.date()
                ));
            }
        }
    }
    if !lifecycle::can_move(order.status, to) {
        let why = if order.status.phase() == Phase::AdverseAction || step != Step::PreAdverse {
            format!(
                "the order is {}: {} does not follow",
                order.status.as_str(),
                step.as_str()
            )
        } else {
            format!(
                "the order is {}: adverse action starts only once results are in",
                order.status.as_str()
            )
        };
        return Err(why);
    }
    let (mut next, effects) = transitions::operator_move(order, to, now);
    next.adverse = Some(match step {
        Step::PreAdverse => AdverseAction {
            pre_notice_at: Some(now),
            dispute_open: false,
        },
        Step::Dispute => AdverseAction {
            dispute_open: true,
            ..adverse
        },
        _ => AdverseAction {
            dispute_open: false,
            ..adverse
        },
    });
    Ok((next, effects))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::TenantId;
    use crate::domain::kinds::{AtsKind, Pairing, ProviderKind};
    use time::macros::datetime;

    // A Wednesday.
    const T0: OffsetDateTime = datetime!(2026-12-02 10:00 UTC);

    fn complete() -> Order {
        let mut o = Order::new(
            TenantId::parse("acme").unwrap(),
            &Pairing::new("p", AtsKind::Paylocity, ProviderKind::Alliance2020),
            "pcty-1".into(),
            T0,
        );
        o.status = OrderStatus::CompleteNeedsReview;
        o
    }

    #[test]
    fn five_business_days_skip_the_weekend() {
        assert_eq!(
            business_days_after(T0, 5),
            datetime!(2026-12-09 10:00 UTC),
            "Wednesday + 5 business days is the next Wednesday"
        );
        // A Friday: Monday is one business day later.
        assert_eq!(
            business_days_after(datetime!(2026-12-04 9:00 UTC), 1),
            datetime!(2026-12-07 9:00 UTC)
        );
    }

    #[test]
    fn the_final_notice_waits_for_the_period_and_for_any_dispute() {
        let (pre, effects) = decide(&complete(), Step::PreAdverse, 5, T0).unwrap();
        assert_eq!(pre.status, OrderStatus::PreAdverseActionSent);
        assert!(!effects.is_empty(), "the ATS is told");
        let early = decide(&pre, Step::Final, 5, datetime!(2026-12-09 9:59 UTC)).unwrap_err();
        assert!(early.contains("2026-12-09"), "{early}");
        let (disputed, _) = decide(&pre, Step::Dispute, 5, T0).unwrap();
        let later = datetime!(2026-12-20 10:00 UTC);
        let open = decide(&disputed, Step::Final, 5, later).unwrap_err();
        assert!(open.contains("dispute is open"), "{open}");
        let (resolved, _) = decide(&disputed, Step::ResolveDispute, 5, later).unwrap();
        assert_eq!(resolved.status, OrderStatus::Disputed);
        let (done, _) = decide(&resolved, Step::Final, 5, later).unwrap();
        assert_eq!(done.status, OrderStatus::AdverseActionSent);
        assert!(
            decide(&done, Step::Cancel, 5, later).is_err(),
            "it has ended"
        );
        let (cancelled, _) = decide(&pre, Step::Cancel, 5, T0).unwrap();
        assert_eq!(cancelled.status, OrderStatus::AdverseActionCancelled);
    }

    #[test]
    fn adverse_action_starts_only_from_results() {
        let mut pending = complete();
        pending.status = OrderStatus::Pending;
        let why = decide(&pending, Step::PreAdverse, 5, T0).unwrap_err();
        assert!(why.contains("results are in"), "{why}");
        assert!(decide(&complete(), Step::Final, 5, T0).is_err());
        assert_eq!(Step::parse("resolve-dispute"), Some(Step::ResolveDispute));
    }
}
