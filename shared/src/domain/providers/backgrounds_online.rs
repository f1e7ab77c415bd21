//! Backgrounds Online on Lever (DESIGN.md 1.A): what a tag asks for, how the order moves, and
//! how each state is rendered on the opportunity. Pure functions only.
//!
//! Trigger tags (`Backgrounds Online Start`, `Backgrounds Online Cancel`) are found by a poll;
//! each decision removes the tag it acted on, so one tag never acts twice. The status tags
//! (`Backgrounds Online Pending Submission` …) are converged on the order's state: exactly
//! one is on the opportunity at any time.

use crate::domain::Phase;
use crate::domain::ats::lever::{NewNote, Opportunity};
use crate::domain::ats::tags::ManagedTags;
use crate::domain::effects::{CancelReason, Effect};
use crate::domain::events::{BusEvent, DetailType};
use crate::domain::order::{Order, OrderStatus, ScreeningResult, SentRequest};
use crate::domain::tenant::BackgroundsOnlineSettings;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

pub const PROVIDER_NAME: &str = "Backgrounds Online";
pub const START_TAG: &str = "Backgrounds Online Start";
pub const CANCEL_TAG: &str = "Backgrounds Online Cancel";

pub const CLEAR_NOTE: &str =
    "The background check request is complete and has no potential adverse information.";
pub const REVIEW_NOTE: &str =
    "The background check request is complete and has potential adverse information.";
pub const CANCELLED_NOTE: &str = "The background check request has been cancelled.";
pub const EXPIRED_NOTE: &str = "The background check request has expired.";

const STATUS_TAGS: [&str; 6] = [
    "Backgrounds Online Pending Submission",
    "Backgrounds Online In-Process",
    "Backgrounds Online Clear",
    "Backgrounds Online Review",
    "Backgrounds Online Cancelled",
    "Backgrounds Online Expired",
];

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackgroundsOnlineCandidate {
    pub name: Option<String>,
    pub email: String,
    pub phone: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackgroundsOnlinePosition {
    pub title: Option<String>,
    pub location: Option<String>,
}

/// The order as sent to Backgrounds Online (docs/providers/backgrounds-online.md).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackgroundsOnlineOrder {
    pub client_reference: String,
    pub package: String,
    pub candidate: BackgroundsOnlineCandidate,
    pub position: BackgroundsOnlinePosition,
}

pub use crate::domain::order::Rejection;
use crate::domain::order::non_blank;

/// The default package, or the one an exact `Package: <name>` tag names.
pub fn choose_package(
    settings: &BackgroundsOnlineSettings,
    tags: &[String],
) -> Result<String, Rejection> {
    let Some((tag, named)) = tags.iter().find_map(|t| {
        t.strip_prefix(settings.package_tag_prefix.as_str())
            .map(|rest| (t, rest.trim()))
    }) else {
        return Ok(settings.default_package.clone());
    };
    if named == settings.default_package || settings.packages.iter().any(|p| p == named) {
        return Ok(named.to_owned());
    }
    Err(Rejection {
        code: "unknown_package",
        message: format!(
            "Background check not ordered: the tag \"{tag}\" names a package that is not available \
             to this account. Use one of: {}. Fix the tag, then add the tag \"{START_TAG}\" again.",
            std::iter::once(settings.default_package.as_str())
                .chain(settings.packages.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    })
}

/// Decide what to order for an opportunity carrying the Start tag, or why nothing can be.
pub fn build_order(
    settings: &BackgroundsOnlineSettings,
    order: &Order,
    opp: &Opportunity,
) -> Result<BackgroundsOnlineOrder, Rejection> {
    let Some(email) = opp.emails.iter().find_map(|e| non_blank(Some(e))) else {
        return Err(Rejection {
            code: "missing_candidate_field",
            message: format!(
                "Background check not ordered: the candidate's email is missing in Lever. Add it \
                 to the candidate's profile, then add the tag \"{START_TAG}\" again."
            ),
        });
    };
    let package = choose_package(settings, &opp.tags)?;
    Ok(BackgroundsOnlineOrder {
        client_reference: order.id.to_string(),
        package,
        candidate: BackgroundsOnlineCandidate {
            name: non_blank(opp.name.as_deref()),
            email,
            phone: opp
                .phones
                .iter()
                .find_map(|p| non_blank(p.value.as_deref())),
        },
        position: BackgroundsOnlinePosition {
            title: None,
            location: non_blank(opp.location.as_deref()),
        },
    })
}

/// What a poll does about the Start tag on one opportunity.
#[derive(Clone, Debug, PartialEq)]
pub enum StartDecision {
    /// An order is already under way: only make sure the Start tag goes.
    AlreadyOrdered(Vec<Effect>),
    /// Create this order (status `Requested`, or `Rejected` with a note) with these effects.
    Create(Box<Order>, Vec<Effect>),
}

pub fn decide_start(
    settings: &BackgroundsOnlineSettings,
    active: Option<&Order>,
    opp: &Opportunity,
    new_order: Order,
) -> StartDecision {
    if active.is_some() {
        return StartDecision::AlreadyOrdered(vec![clear_trigger(opp, START_TAG, None)]);
    }
    let mut order = new_order;
    match build_order(settings, &order, opp) {
        Ok(request) => {
            order.request = Some(SentRequest::of(&request));
            let effects = vec![
                Effect::PlaceOrder { order_id: order.id },
                created_event(&order),
            ];
            StartDecision::Create(Box::new(order), effects)
        }
        Err(rejection) => {
            order.status = OrderStatus::Rejected;
            order.reason = Some(rejection.message.clone());
            let effects = vec![
                clear_trigger(opp, START_TAG, Some(rejection.message)),
                created_event(&order),
            ];
            StartDecision::Create(Box::new(order), effects)
        }
    }
}

/// What a poll does about the Cancel tag on one opportunity.
#[derive(Clone, Debug, PartialEq)]
pub enum CancelDecision {
    /// Ask the provider to cancel (the order changes once it agreed). An order still being
    /// placed is cancelled as soon as the provider has it.
    AskProvider(Vec<Effect>),
    /// Cannot be cancelled: remove the Cancel tag and say why.
    Refuse(Vec<Effect>),
}

pub fn decide_cancel(active: Option<&Order>, opp: &Opportunity) -> CancelDecision {
    match active {
        Some(order) if matches!(order.status, OrderStatus::Pending | OrderStatus::Requested) => {
            CancelDecision::AskProvider(vec![Effect::CancelOrder {
                order_id: order.id,
                reason: CancelReason::Cancelled,
            }])
        }
        Some(order) => CancelDecision::Refuse(vec![cancel_refused(
            &order.opportunity_id,
            "the candidate has already submitted their information and the check is in process",
        )]),
        None => CancelDecision::Refuse(vec![cancel_refused(
            &opp.id,
            "there is no background check request awaiting the candidate's submission",
        )]),
    }
}

fn refusal_note(why: &str) -> NewNote {
    NewNote {
        value: format!("The background check request could not be cancelled: {why}."),
        secret: false,
    }
}

/// The Cancel tag is removed and a note says why nothing was cancelled.
pub fn cancel_refused(opportunity_id: &str, why: &str) -> Effect {
    Effect::ClearTrigger {
        ats_ref: opportunity_id.to_owned(),
        tags: vec![CANCEL_TAG.to_owned()],
        note: Some(refusal_note(why)),
    }
}

fn clear_trigger(opp: &Opportunity, tag: &str, note: Option<String>) -> Effect {
    Effect::ClearTrigger {
        ats_ref: opp.id.clone(),
        tags: vec![tag.to_owned()],
        note: note.map(|value| NewNote {
            value,
            secret: false,
        }),
    }
}

fn created_event(order: &Order) -> Effect {
    Effect::PublishEvent {
        event: BusEvent::for_order(DetailType::OrderCreated, order, None),
    }
}

/// The provider accepted the order: Pending Submission, expiring after `expiry_days`.
pub fn accepted(
    settings: &BackgroundsOnlineSettings,
    order: &Order,
    provider_ref: String,
    now: OffsetDateTime,
) -> (Order, Vec<Effect>) {
    let mut next = order.next(now);
    next.status = OrderStatus::Pending;
    next.provider_ref = Some(provider_ref);
    next.expires_at = Some(now + time::Duration::days(i64::from(settings.expiry_days)));
    let mut effects = transition_effects(order, &next);
    effects.insert(
        1,
        Effect::ClearTrigger {
            ats_ref: order.opportunity_id.clone(),
            tags: vec![START_TAG.to_owned()],
            note: None,
        },
    );
    (next, effects)
}

/// Refused (by the provider) or failed after every retry: nothing is pending, the Start tag
/// goes and a note says why.
pub fn not_ordered(
    order: &Order,
    status: OrderStatus,
    message: String,
    now: OffsetDateTime,
) -> (Order, Vec<Effect>) {
    let mut next = order.next(now);
    next.status = status;
    next.reason = Some(message.clone());
    next.expires_at = None;
    let effects = vec![
        Effect::ClearTrigger {
            ats_ref: order.opportunity_id.clone(),
            tags: vec![START_TAG.to_owned()],
            note: Some(NewNote {
                value: message,
                secret: false,
            }),
        },
        status_event(order, &next),
    ];
    (next, effects)
}

/// The provider refused the order.
pub fn rejected(
    order: &Order,
    provider_message: &str,
    now: OffsetDateTime,
) -> (Order, Vec<Effect>) {
    not_ordered(
        order,
        OrderStatus::Rejected,
        format!(
            "{PROVIDER_NAME} rejected the background check request: {provider_message}. Fix it, then add the tag \"{START_TAG}\" again."
        ),
        now,
    )
}

/// Communication failed after every retry.
pub fn failed(order: &Order, detail: &str, now: OffsetDateTime) -> (Order, Vec<Effect>) {
    not_ordered(
        order,
        OrderStatus::Error,
        format!(
            "Background check could not be ordered: communication between Lever and {PROVIDER_NAME} \
             failed after several retries ({detail}). Add the tag \"{START_TAG}\" again to retry."
        ),
        now,
    )
}

/// The order is cancelled (before submission).
pub fn cancelled(order: &Order, now: OffsetDateTime) -> (Order, Vec<Effect>) {
    let mut next = order.next(now);
    next.status = OrderStatus::Cancelled;
    next.expires_at = None;
    let mut effects = transition_effects(order, &next);
    effects.insert(
        1,
        Effect::ClearTrigger {
            ats_ref: order.opportunity_id.clone(),
            tags: vec![CANCEL_TAG.to_owned(), START_TAG.to_owned()],
            note: None,
        },
    );
    (next, effects)
}

/// Nobody submitted in time: Expired, and the provider order is closed.
pub fn expired(order: &Order, now: OffsetDateTime) -> (Order, Vec<Effect>) {
    let mut next = order.next(now);
    next.status = OrderStatus::Expired;
    next.expires_at = None;
    let mut effects = vec![Effect::CancelOrder {
        order_id: order.id,
        reason: CancelReason::Expired,
    }];
    effects.extend(transition_effects(order, &next));
    (next, effects)
}

/// A status reported by the provider's callback.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProviderUpdate {
    InProcess,
    Complete { clear: bool },
    Cancelled,
}

pub use crate::domain::effects::UpdateDecision;

/// Apply a provider callback as the lifecycle allows: repeats change nothing; late or
/// impossible reports change nothing and are recorded.
pub fn apply_update(
    order: &Order,
    update: ProviderUpdate,
    report_url: Option<String>,
    now: OffsetDateTime,
) -> UpdateDecision {
    let to = match update {
        ProviderUpdate::InProcess => OrderStatus::InProgress,
        ProviderUpdate::Complete { .. } => OrderStatus::Complete,
        ProviderUpdate::Cancelled => OrderStatus::Cancelled,
    };
    if let Some(refusal) = UpdateDecision::unless_legal(order, to) {
        return refusal;
    }
    if to == OrderStatus::Cancelled {
        let (next, effects) = cancelled(order, now);
        return UpdateDecision::Apply(Box::new(next), effects);
    }
    let mut next = order.next(now);
    next.status = to;
    next.expires_at = None;
    if let ProviderUpdate::Complete { clear } = update {
        next.result = Some(ScreeningResult {
            flag: Some(!clear),
            decision: Some(if clear { "Clear" } else { "Review" }.to_owned()),
            report_url,
            summary: None,
        });
    }
    let effects = transition_effects(order, &next);
    UpdateDecision::Apply(Box::new(next), effects)
}

/// The status tag for an order's state (none before the request is sent, or when nothing
/// was ordered).
pub fn status_tag(order: &Order) -> Option<&'static str> {
    let i = match order.status.phase() {
        Phase::AwaitingCandidate => 0,
        Phase::Working => 1,
        Phase::Results if order.status == OrderStatus::Complete && is_clear(order) => 2,
        Phase::Results | Phase::AdverseAction => 3,
        Phase::Stopped => match order.status {
            OrderStatus::Cancelled => 4,
            OrderStatus::Expired => 5,
            _ => return None,
        },
        Phase::Opening => return None,
    };
    Some(STATUS_TAGS[i])
}

fn is_clear(order: &Order) -> bool {
    order.result.as_ref().is_some_and(|r| r.flag == Some(false))
}

/// The status tags this integration owns (Start and Cancel are removed explicitly).
pub fn managed_tags() -> ManagedTags {
    STATUS_TAGS
        .iter()
        .fold(ManagedTags::new(), |m, t| m.with_exact(t))
}

pub fn desired_tags(order: &Order) -> Vec<String> {
    status_tag(order).map(str::to_owned).into_iter().collect()
}

fn status_event(before: &Order, after: &Order) -> Effect {
    Effect::PublishEvent {
        event: BusEvent::for_transition(before, after),
    }
}

/// Effects of moving `before` to `after`: the status tag converges, the state's note (if
/// any) is added, and the bus hears of it.
fn transition_effects(before: &Order, after: &Order) -> Vec<Effect> {
    let mut effects = vec![Effect::Render { order_id: after.id }];
    let note = match after.status {
        OrderStatus::Complete if is_clear(after) => Some(CLEAR_NOTE),
        OrderStatus::Complete => Some(REVIEW_NOTE),
        OrderStatus::Cancelled => Some(CANCELLED_NOTE),
        OrderStatus::Expired => Some(EXPIRED_NOTE),
        _ => None,
    };
    if let Some(text) = note {
        effects.push(Effect::Notify {
            order_id: after.id,
            note: NewNote {
                value: text.to_owned(),
                secret: false,
            },
        });
    }
    effects.push(status_event(before, after));
    effects
}

#[cfg(test)]
mod tests;
