//! One lifecycle for every order, whatever its ATS and provider: which status may follow
//! which. A provider's report, a recruiter's cancel, an expiry or an ATS's adverse-action step
//! all become a move to a canonical status, judged here. A move the table does not allow
//! changes nothing and produces no effect; when it is not a mere repeat it is recorded in the
//! order's audit trail (stale: the order is already past it; illegal: it can never follow).
//!
//! | from | may move to |
//! |---|---|
//! | requested | pending, in progress, on hold, any result, cancelled, rejected, error (a provider's report may overtake our record of its acceptance) |
//! | pending (invited) | in progress, on hold, suspended, any result, cancelled, expired, rejected, error |
//! | in progress, on hold, resumed | in progress / on hold / suspended (not itself), any result, cancelled, error |
//! | suspended | resumed, cancelled, error |
//! | complete, not eligible, with cancelled | pre-adverse action sent, complete disputed |
//! | complete needs review | complete (reviewed), not eligible, pre-adverse action sent, complete disputed |
//! | complete disputed | complete, needs review, not eligible (re-investigated) |
//! | pre-adverse action sent | adverse action cancelled, disputed, adverse action sent |
//! | disputed | adverse action cancelled, adverse action sent |
//! | adverse action cancelled / sent, cancelled, expired, rejected, error | nothing |
//!
//! "Any result" is complete, complete needs review, complete not eligible or complete with
//! cancelled.

use super::OrderStatus::{self, *};
use super::order::Phase;

const RESULTS: [OrderStatus; 4] = [
    Complete,
    CompleteNeedsReview,
    CompleteNotEligible,
    CompleteWithCancelled,
];

/// Whether an order in `from` may move to `to`.
pub fn can_move(from: OrderStatus, to: OrderStatus) -> bool {
    let result = RESULTS.contains(&to);
    match from {
        Requested => {
            result
                || matches!(
                    to,
                    Pending | InProgress | OnHold | Cancelled | Rejected | Error
                )
        }
        Pending => {
            result
                || matches!(
                    to,
                    InProgress | OnHold | Suspended | Cancelled | Expired | Rejected | Error
                )
        }
        InProgress | OnHold | Resumed => {
            to != from
                && (result || matches!(to, InProgress | OnHold | Suspended | Cancelled | Error))
        }
        Suspended => matches!(to, Resumed | Cancelled | Error),
        Complete | CompleteNotEligible | CompleteWithCancelled => {
            matches!(to, PreAdverseActionSent | CompleteDisputed)
        }
        CompleteNeedsReview => matches!(
            to,
            Complete | CompleteNotEligible | PreAdverseActionSent | CompleteDisputed
        ),
        CompleteDisputed => matches!(to, Complete | CompleteNeedsReview | CompleteNotEligible),
        PreAdverseActionSent => matches!(to, AdverseActionCancelled | Disputed | AdverseActionSent),
        Disputed => matches!(to, AdverseActionCancelled | AdverseActionSent),
        AdverseActionCancelled | AdverseActionSent | Cancelled | Expired | Rejected | Error => {
            false
        }
    }
}

/// What a requested move amounts to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Legal: the order moves.
    Move,
    /// The order is already there (a repeated report): nothing to do, nothing to record.
    Duplicate,
    /// The order is already past it (a late arrival): recorded, no effect.
    Stale,
    /// It can never follow the order's status: recorded, no effect.
    Illegal,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Move => "move",
            Verdict::Duplicate => "duplicate",
            Verdict::Stale => "stale",
            Verdict::Illegal => "illegal",
        }
    }
}

/// Whether an order in `from` can get to `to` in any number of legal moves.
fn reaches(from: OrderStatus, to: OrderStatus) -> bool {
    let mut seen = vec![from];
    let mut i = 0;
    while i < seen.len() {
        for next in OrderStatus::ALL {
            if can_move(seen[i], next) && !seen.contains(&next) {
                if next == to {
                    return true;
                }
                seen.push(next);
            }
        }
        i += 1;
    }
    false
}

/// Judge a move from `from` to `to`. Stale: the order already went through (or past) `to`,
/// or it has stopped; illegal: `to` can never follow.
pub fn judge(from: OrderStatus, to: OrderStatus) -> Verdict {
    if from == to {
        Verdict::Duplicate
    } else if can_move(from, to) {
        Verdict::Move
    } else if from.phase() == Phase::Stopped || reaches(to, from) {
        Verdict::Stale
    } else {
        Verdict::Illegal
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_is_reachable_from_requested() {
        let mut reached = vec![Requested];
        let mut i = 0;
        while i < reached.len() {
            for to in OrderStatus::ALL {
                if can_move(reached[i], to) && !reached.contains(&to) {
                    reached.push(to);
                }
            }
            i += 1;
        }
        for st in OrderStatus::ALL {
            assert!(reached.contains(&st), "{st:?} unreachable");
        }
    }

    #[test]
    fn stopped_orders_and_final_notices_never_move() {
        for from in [
            Cancelled,
            Expired,
            Rejected,
            Error,
            AdverseActionSent,
            AdverseActionCancelled,
        ] {
            for to in OrderStatus::ALL {
                assert!(!can_move(from, to), "{from:?} -> {to:?}");
            }
        }
    }

    #[test]
    fn no_status_moves_to_itself_and_nothing_returns_to_requested() {
        for st in OrderStatus::ALL {
            assert!(!can_move(st, st), "{st:?}");
            assert!(!can_move(st, Requested), "{st:?}");
        }
    }

    #[test]
    fn suspended_and_resumed_go_sideways() {
        assert!(can_move(InProgress, Suspended));
        assert!(can_move(Suspended, Resumed));
        assert!(can_move(Resumed, Complete));
        assert!(can_move(Resumed, Suspended));
        assert_eq!(judge(Suspended, Complete), Verdict::Illegal, "resume first");
    }

    #[test]
    fn the_adverse_action_path() {
        assert!(can_move(CompleteNeedsReview, PreAdverseActionSent));
        assert!(can_move(PreAdverseActionSent, AdverseActionCancelled));
        assert!(can_move(PreAdverseActionSent, Disputed));
        assert!(can_move(Disputed, AdverseActionSent));
        assert!(can_move(PreAdverseActionSent, AdverseActionSent));
        assert!(can_move(Complete, CompleteDisputed));
        assert!(can_move(CompleteNeedsReview, CompleteNotEligible));
        assert_eq!(judge(Pending, PreAdverseActionSent), Verdict::Illegal);
        assert_eq!(judge(AdverseActionSent, Disputed), Verdict::Stale);
    }

    #[test]
    fn repeats_are_duplicates_and_late_arrivals_are_stale() {
        assert_eq!(judge(Pending, Pending), Verdict::Duplicate);
        assert_eq!(judge(Complete, Complete), Verdict::Duplicate);
        assert_eq!(judge(Complete, InProgress), Verdict::Stale);
        assert_eq!(judge(InProgress, Pending), Verdict::Stale);
        assert_eq!(
            judge(Cancelled, Complete),
            Verdict::Stale,
            "the order ended"
        );
        assert_eq!(judge(Complete, Cancelled), Verdict::Illegal);
        assert_eq!(
            judge(Requested, Complete),
            Verdict::Move,
            "a report may overtake"
        );
        assert_eq!(judge(Pending, Expired), Verdict::Move);
        assert_eq!(
            judge(InProgress, Expired),
            Verdict::Illegal,
            "only invitations expire"
        );
    }
}
