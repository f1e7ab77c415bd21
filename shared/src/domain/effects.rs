//! Outbound effects, written to the outbox in the same transaction as the state change
//! that caused them and performed later by the dispatcher.

use super::events::BusEvent;
use super::ids::{OrderId, OutboxId, TenantId};
use super::kinds::AtsKind;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// A message for the ATS about an order or a trigger (Lever renders it as a note; a secret
/// one only for users allowed to see results).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notice {
    pub value: String,
    pub secret: bool,
}

/// What an order's change asks of the outside world. Vendor-free: the dispatcher hands each to
/// the order's ATS or provider. Persisted in the outbox (the aliases read items written under
/// the first, vendor-named spelling).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Effect {
    /// Place the order with its provider (idempotent per order id at the provider).
    #[serde(
        alias = "submit_alliance_order",
        alias = "submit_backgrounds_online_order"
    )]
    PlaceOrder { order_id: OrderId },
    /// Cancel (a recruiter asked) or close (expired, candidate deleted) the order at its
    /// provider, where the provider can.
    #[serde(alias = "cancel_backgrounds_online_order")]
    CancelOrder {
        order_id: OrderId,
        reason: CancelReason,
    },
    /// A trigger on an ATS object was acted on: remove these trigger marks, then tell why. One
    /// effect, in this order, so that a poll never sees the mark again once the notice exists.
    #[serde(alias = "lever_clear_trigger")]
    ClearTrigger {
        #[serde(default)]
        ats: AtsKind,
        #[serde(alias = "opportunity_id")]
        ats_ref: String,
        tags: Vec<String>,
        note: Option<Notice>,
    },
    /// Make the ATS show the order's current state (Lever: its managed tags; idempotent) and,
    /// when the order moved to `to`, say so (Lever: the note for that status, posted once;
    /// built from the order when performed, so no result text sits in the outbox).
    #[serde(alias = "lever_sync_status")]
    Render {
        order_id: OrderId,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<super::OrderStatus>,
    },
    /// Tell the ATS something about the order (Lever: a note). Written by earlier versions;
    /// items still queued are performed.
    #[serde(alias = "lever_note")]
    Notify { order_id: OrderId, note: Notice },
    /// Publish an event on the bus.
    PublishEvent { event: BusEvent },
    /// A recruiting pass advances an application (Lever: a stage move) from `from` to `to`,
    /// acting as `actor`, and says why (a note, posted once). Not done when a person moved it
    /// elsewhere meanwhile.
    AdvanceStage {
        #[serde(default)]
        ats: AtsKind,
        ats_ref: String,
        from: String,
        to: String,
        #[serde(default)]
        actor: Option<String>,
        note: Notice,
    },
    /// A recruiting pass suggests a candidate (Lever: a contact) for a job (a posting): a
    /// lead is created as `actor` unless the contact already has an opportunity for it, then
    /// the note saying why is posted on it (once).
    CreateLead {
        #[serde(default)]
        ats: AtsKind,
        contact: String,
        posting: String,
        #[serde(default)]
        actor: Option<String>,
        source: String,
        note: Notice,
    },
    /// The ATS reported its object deleted: once the ATS confirms it is gone, every order of
    /// it gives up the candidate's data.
    #[serde(alias = "lever_confirm_deletion")]
    ConfirmDeletion {
        #[serde(default)]
        ats: AtsKind,
        #[serde(alias = "opportunity_id")]
        ats_ref: String,
    },
}

impl Effect {
    /// Short name for logs and metrics.
    pub fn name(&self) -> &'static str {
        match self {
            Effect::PlaceOrder { .. } => "place_order",
            Effect::CancelOrder { .. } => "cancel_order",
            Effect::ClearTrigger { .. } => "clear_trigger",
            Effect::Render { .. } => "render",
            Effect::Notify { .. } => "notify",
            Effect::PublishEvent { .. } => "publish_event",
            Effect::ConfirmDeletion { .. } => "confirm_deletion",
            Effect::AdvanceStage { .. } => "advance_stage",
            Effect::CreateLead { .. } => "create_lead",
        }
    }

    pub fn order_id(&self) -> Option<OrderId> {
        match self {
            Effect::PlaceOrder { order_id }
            | Effect::CancelOrder { order_id, .. }
            | Effect::Render { order_id, .. }
            | Effect::Notify { order_id, .. } => Some(*order_id),
            Effect::ClearTrigger { .. }
            | Effect::ConfirmDeletion { .. }
            | Effect::AdvanceStage { .. }
            | Effect::CreateLead { .. } => None,
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
        if let Effect::Notify { note, .. } = &mut item.effect
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

    #[test]
    fn items_written_under_the_vendor_named_spelling_still_read() {
        let id = OrderId::new();
        let read = |json: serde_json::Value| serde_json::from_value::<Effect>(json).unwrap();
        for old in ["submit_alliance_order", "submit_backgrounds_online_order"] {
            assert_eq!(
                read(serde_json::json!({ "type": old, "order_id": id })),
                Effect::PlaceOrder { order_id: id }
            );
        }
        assert_eq!(
            read(serde_json::json!({ "type": "lever_sync_status", "order_id": id })),
            Effect::Render {
                order_id: id,
                to: None
            }
        );
        assert_eq!(
            read(
                serde_json::json!({ "type": "cancel_backgrounds_online_order", "order_id": id, "reason": "expired" })
            ),
            Effect::CancelOrder {
                order_id: id,
                reason: CancelReason::Expired
            }
        );
        assert_eq!(
            read(
                serde_json::json!({ "type": "lever_clear_trigger", "opportunity_id": "o1", "tags": ["t"], "note": null })
            ),
            Effect::ClearTrigger {
                ats: AtsKind::Lever,
                ats_ref: "o1".into(),
                tags: vec!["t".into()],
                note: None
            }
        );
        assert_eq!(
            read(
                serde_json::json!({ "type": "lever_note", "order_id": id, "note": { "value": "v", "secret": true } })
            ),
            Effect::Notify {
                order_id: id,
                note: Notice {
                    value: "v".into(),
                    secret: true
                }
            }
        );
        assert_eq!(
            read(serde_json::json!({ "type": "lever_confirm_deletion", "opportunity_id": "o1" })),
            Effect::ConfirmDeletion {
                ats: AtsKind::Lever,
                ats_ref: "o1".into()
            }
        );
        // And new items are written under the generic names.
        let new = serde_json::to_value(Effect::PlaceOrder { order_id: id }).unwrap();
        assert_eq!(new["type"], "place_order");
    }

    fn note(secret: bool) -> OutboxItem {
        OutboxItem::new(
            TenantId::parse("acme").unwrap(),
            Effect::Notify {
                order_id: OrderId::new(),
                note: Notice {
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
        let Effect::Notify { note: kept, .. } = &secret.item.effect else {
            panic!("still a note");
        };
        assert_eq!(kept.value, SECRET_NOTE_WITHHELD);
        assert!(kept.secret);
        let original = note(false);
        let plain = DeadLetter::new(original.clone(), "Lever: 500".into(), now);
        assert_eq!(plain.item, original);
    }
}
