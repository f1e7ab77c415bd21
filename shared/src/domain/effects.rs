//! Outbound effects, written to the outbox in the same transaction as the state change
//! that caused them and performed later by the dispatcher.

use super::events::BusEvent;
use super::ids::{OrderId, OutboxId, TenantId};
use super::lever::NewNote;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Effect {
    /// Fetch the opportunity, decide, and place the order with Alliance 2020.
    SubmitAllianceOrder { order_id: OrderId },
    /// Place the (already decided) order with Backgrounds Online.
    SubmitBackgroundsOnlineOrder { order_id: OrderId },
    /// Cancel (recruiter) or close (expired, candidate deleted) the order at Backgrounds Online.
    CancelBackgroundsOnlineOrder {
        order_id: OrderId,
        reason: CancelReason,
    },
    /// A trigger tag was acted on: remove these tags from the opportunity, then add the note.
    /// One effect, in this order, so that a poll never sees the tag again once the note exists.
    LeverClearTrigger {
        opportunity_id: String,
        tags: Vec<String>,
        note: Option<NewNote>,
    },
    /// Make the opportunity's managed tags match the order's current state (idempotent).
    LeverSyncStatus { order_id: OrderId },
    /// Add a note to the order's opportunity.
    LeverNote { order_id: OrderId, note: NewNote },
    /// Publish an event on the bus.
    PublishEvent { event: BusEvent },
    /// A webhook said the candidate was deleted: once Lever confirms the opportunity is gone,
    /// every order of it gives up the candidate's data.
    LeverConfirmDeletion { opportunity_id: String },
}

impl Effect {
    /// Short name for logs and metrics.
    pub fn name(&self) -> &'static str {
        match self {
            Effect::SubmitAllianceOrder { .. } => "submit_alliance_order",
            Effect::SubmitBackgroundsOnlineOrder { .. } => "submit_backgrounds_online_order",
            Effect::CancelBackgroundsOnlineOrder { .. } => "cancel_backgrounds_online_order",
            Effect::LeverClearTrigger { .. } => "lever_clear_trigger",
            Effect::LeverSyncStatus { .. } => "lever_sync_status",
            Effect::LeverNote { .. } => "lever_note",
            Effect::PublishEvent { .. } => "publish_event",
            Effect::LeverConfirmDeletion { .. } => "lever_confirm_deletion",
        }
    }

    pub fn order_id(&self) -> Option<OrderId> {
        match self {
            Effect::SubmitAllianceOrder { order_id }
            | Effect::SubmitBackgroundsOnlineOrder { order_id }
            | Effect::CancelBackgroundsOnlineOrder { order_id, .. }
            | Effect::LeverSyncStatus { order_id }
            | Effect::LeverNote { order_id, .. } => Some(*order_id),
            Effect::LeverClearTrigger { .. } | Effect::LeverConfirmDeletion { .. } => None,
            Effect::PublishEvent { event } => event.order_id(),
        }
    }
}

/// What to do with a status update (a provider's report, an ATS's step): every adapter's
/// rules answer this, over the one lifecycle ([`super::lifecycle`]).
#[derive(Clone, Debug, PartialEq)]
pub enum UpdateDecision {
    /// Nothing changes and nothing is recorded (e.g. a repeated report).
    Ignore(&'static str),
    /// The lifecycle refuses the move (stale or illegal): nothing changes, and the attempt is
    /// recorded in the order's audit trail.
    Refuse {
        to: super::OrderStatus,
        verdict: super::lifecycle::Verdict,
    },
    /// Write this next version of the order and these effects.
    Apply(Box<super::Order>, Vec<Effect>),
}

impl UpdateDecision {
    /// The lifecycle's word on moving `order` to `to`: `None` when the move is legal (the
    /// caller then builds it), otherwise what to answer instead.
    pub fn unless_legal(order: &super::Order, to: super::OrderStatus) -> Option<Self> {
        use super::lifecycle::{Verdict, judge};
        match judge(order.status, to) {
            Verdict::Move => None,
            Verdict::Duplicate => Some(UpdateDecision::Ignore("duplicate")),
            verdict => Some(UpdateDecision::Refuse { to, verdict }),
        }
    }
}

/// Why a provider order is cancelled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CancelReason {
    /// A recruiter asked (Cancel tag); the order changes only once the provider agreed.
    Cancelled,
    /// The order already expired here; the provider order is closed.
    Expired,
    /// The candidate was deleted in the ATS; the order already ended here and the provider
    /// order is closed.
    CandidateDeleted,
}

impl CancelReason {
    pub fn as_str(self) -> &'static str {
        match self {
            CancelReason::Cancelled => "cancelled",
            CancelReason::Expired => "expired",
            CancelReason::CandidateDeleted => "candidate_deleted",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OutboxItem {
    pub id: OutboxId,
    pub tenant: TenantId,
    pub effect: Effect,
    /// Failed attempts so far (across dispatcher runs).
    pub attempts: u32,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl OutboxItem {
    pub fn new(tenant: TenantId, effect: Effect, now: OffsetDateTime) -> Self {
        Self {
            id: OutboxId::new(),
            tenant,
            effect,
            attempts: 0,
            created_at: now,
        }
    }
}

/// An outbox item that failed for good, kept for inspection and re-drive.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DeadLetter {
    pub item: OutboxItem,
    /// Error class and message, without PII.
    pub error: String,
    #[serde(with = "time::serde::rfc3339")]
    pub failed_at: OffsetDateTime,
}

/// What a dead letter keeps of a secret note instead of its text.
pub const SECRET_NOTE_WITHHELD: &str =
    "(secret note not kept in the dead letter: the order holds the result it was made from)";

impl DeadLetter {
    /// Dead letters are kept until someone deletes them, past any retention period: a secret
    /// note's text (screening results) is not kept in them. Everything else is ids and canned
    /// text.
    pub fn new(mut item: OutboxItem, error: String, failed_at: OffsetDateTime) -> Self {
        if let Effect::LeverNote { note, .. } = &mut item.effect
            && note.secret
        {
            note.value = SECRET_NOTE_WITHHELD.to_owned();
        }
        Self {
            item,
            error,
            failed_at,
        }
    }
}

#[cfg(test)]
mod dead_letter_tests {
    use super::*;

    fn note(secret: bool) -> OutboxItem {
        OutboxItem::new(
            TenantId::parse("acme").unwrap(),
            Effect::LeverNote {
                order_id: OrderId::new(),
                note: NewNote {
                    value: "Decision: Review. Summary: one record for Ada Lovelace".into(),
                    secret,
                },
            },
            time::macros::datetime!(2026-11-22 12:00 UTC),
        )
    }

    #[test]
    fn a_secret_notes_text_is_not_kept_but_a_plain_one_is() {
        let now = time::macros::datetime!(2026-11-22 12:05 UTC);
        let secret = DeadLetter::new(note(true), "Lever: 500".into(), now);
        let Effect::LeverNote { note: kept, .. } = &secret.item.effect else {
            panic!("still a note");
        };
        assert_eq!(kept.value, SECRET_NOTE_WITHHELD);
        assert!(kept.secret);
        let original = note(false);
        let plain = DeadLetter::new(original.clone(), "Lever: 500".into(), now);
        assert_eq!(plain.item, original);
    }
}
