//! What an ATS webhook claims, checked against the ATS's own record before anything happens.
//!
//! Lever signs only `token + triggeredAt`; the event name aside, a delivery's `data` (which
//! opportunity, which stage) is not covered. So an order opened from a stage-change webhook
//! records the move it was told about ([`ClaimedMove`]) and is placed only when Lever's
//! `stageChanges` for that opportunity show the same move; a deletion is acted on only when
//! Lever no longer has the opportunity.

use crate::domain::ats::lever::{Opportunity, STAGE_MOVE_TOLERANCE_MS};
use crate::domain::order::ClaimedMove;

/// Why an order that was never placed ended (audit, events, the CLI).
pub const UNCONFIRMED_REASON: &str =
    "Lever does not show the stage move this order was opened for; nothing was ordered.";

/// Whether Lever's record of the opportunity confirms the move that opened `order`. Orders
/// that were not opened by a claimed move (e.g. from a tag the hub read itself) need none.
pub fn move_confirmed(claimed: Option<&ClaimedMove>, opportunity: &Opportunity) -> bool {
    claimed.is_none_or(|m| {
        opportunity.deleted_at.is_none()
            && opportunity.shows_move_to(&m.stage_id, m.at_ms, STAGE_MOVE_TOLERANCE_MS)
    })
}

/// What Lever answered when asked for an opportunity a deletion webhook named.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeletionCheck {
    /// 404: Lever has no such opportunity.
    NotFound,
    /// Found, marked deleted.
    MarkedDeleted,
    /// Found and not deleted.
    Present,
}

/// Only Lever's own word that the opportunity is gone lets a deletion scrub anything.
pub fn deletion_confirmed(check: DeletionCheck) -> bool {
    matches!(
        check,
        DeletionCheck::NotFound | DeletionCheck::MarkedDeleted
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn opportunity(changes: serde_json::Value) -> Opportunity {
        serde_json::from_value(serde_json::json!({"id": "o1", "stageChanges": changes})).unwrap()
    }

    fn claimed(stage: &str, at_ms: i64) -> ClaimedMove {
        ClaimedMove {
            stage_id: stage.into(),
            at_ms,
        }
    }

    #[test]
    fn a_claimed_move_needs_a_matching_stage_change() {
        let moved = opportunity(serde_json::json!([
            {"toStageId": "bg", "updatedAt": 1_700_000_000_000_i64}
        ]));
        assert!(move_confirmed(
            Some(&claimed("bg", 1_700_000_000_500)),
            &moved
        ));
        assert!(!move_confirmed(
            Some(&claimed("bg", 1_700_000_000_000 + 3_600_000)),
            &moved
        ));
        assert!(!move_confirmed(
            Some(&claimed("other", 1_700_000_000_000)),
            &moved
        ));
        assert!(!move_confirmed(
            Some(&claimed("bg", 1_700_000_000_000)),
            &opportunity(serde_json::json!([]))
        ));
        assert!(move_confirmed(None, &opportunity(serde_json::json!([]))));
        let mut deleted = moved.clone();
        deleted.deleted_at = Some(1);
        assert!(!move_confirmed(
            Some(&claimed("bg", 1_700_000_000_000)),
            &deleted
        ));
    }

    #[test]
    fn only_lever_saying_gone_confirms_a_deletion() {
        assert!(deletion_confirmed(DeletionCheck::NotFound));
        assert!(deletion_confirmed(DeletionCheck::MarkedDeleted));
        assert!(!deletion_confirmed(DeletionCheck::Present));
    }
}
