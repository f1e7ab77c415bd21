//! Alliance 2020 on Lever (DESIGN.md 1.B): what is ordered, how the order moves,
//! and how each state is rendered on the Lever opportunity. Pure functions only.

use crate::domain::Phase;
use crate::domain::ats::lever::{NewNote, Opportunity, Posting};
use crate::domain::ats::tags::ManagedTags;
use crate::domain::effects::Effect;
use crate::domain::events::{BusEvent, DetailType};
use crate::domain::order::{Order, OrderStatus, ScreeningResult, SentRequest};
use crate::domain::tenant::{
    AllianceSettings, ReferenceField, SubClient, SubClientMatch, UnknownProduct, UnmatchedSubClient,
};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

pub const PROVIDER_NAME: &str = "Alliance 2020";

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllianceCandidate {
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlliancePosition {
    pub title: Option<String>,
    pub department: Option<String>,
    pub location: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuickApp {
    pub email: bool,
    pub sms: bool,
}

/// The order as sent to Alliance 2020 (docs/providers/alliance2020.md).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllianceOrder {
    pub client_reference: String,
    pub client_code: String,
    pub product: String,
    pub reference: Option<String>,
    pub candidate: AllianceCandidate,
    pub position: AlliancePosition,
    pub tags: Vec<String>,
    pub quickapp: QuickApp,
}

pub use crate::domain::order::Rejection;
use crate::domain::order::non_blank;

/// Decide what to order for an opportunity, or why nothing can be ordered.
pub fn build_order(
    settings: &AllianceSettings,
    order: &Order,
    opp: &Opportunity,
    posting: Option<&Posting>,
) -> Result<AllianceOrder, Rejection> {
    let name = non_blank(opp.name.as_deref());
    let email = opp.emails.iter().find_map(|e| non_blank(Some(e)));
    let missing: Vec<&str> = [("name", name.is_none()), ("email", email.is_none())]
        .into_iter()
        .filter_map(|(field, absent)| absent.then_some(field))
        .collect();
    if !missing.is_empty() {
        let fields = missing.join(" and ");
        return Err(Rejection {
            code: "missing_candidate_field",
            message: format!(
                "Background check not ordered: the candidate's {fields} is missing in Lever. \
                 Add it to the candidate's profile, then move the candidate to the background check stage again."
            ),
        });
    }
    let phone = opp
        .phones
        .iter()
        .find_map(|p| non_blank(p.value.as_deref()));
    let location = posting
        .and_then(|p| non_blank(p.categories.location.as_deref()))
        .or_else(|| non_blank(opp.location.as_deref()));
    let title = posting.and_then(|p| non_blank(p.text.as_deref()));
    let department = posting.and_then(|p| non_blank(p.categories.department.as_deref()));

    let product = choose_product(settings, &opp.tags)?;
    let client_code = choose_client_code(settings, location.as_deref())?;
    let reference = match &settings.reference {
        ReferenceField::None => None,
        ReferenceField::JobTitle => title.clone(),
        ReferenceField::JobDepartment => department.clone(),
        ReferenceField::ThroughTags { prefix } => opp
            .tags
            .iter()
            .find_map(|t| t.strip_prefix(prefix.as_str()))
            .and_then(|r| non_blank(Some(r))),
    };
    let tags = opp
        .tags
        .iter()
        .filter(|t| {
            settings
                .forward_tag_prefixes
                .iter()
                .any(|p| !p.is_empty() && t.starts_with(p.as_str()))
        })
        .cloned()
        .collect();

    Ok(AllianceOrder {
        client_reference: order.id.to_string(),
        client_code,
        product,
        reference,
        candidate: AllianceCandidate {
            name: name.unwrap_or_default(),
            email: email.unwrap_or_default(),
            phone,
        },
        position: AlliancePosition {
            title,
            department,
            location,
        },
        tags,
        quickapp: QuickApp {
            email: settings.quickapp.email,
            sms: settings.quickapp.sms,
        },
    })
}

/// The default product, or the one named by the first tag carrying the exact product prefix.
pub fn choose_product(settings: &AllianceSettings, tags: &[String]) -> Result<String, Rejection> {
    let p = &settings.product;
    let Some((tag, named)) = tags.iter().find_map(|t| {
        t.strip_prefix(p.tag_prefix.as_str())
            .map(|rest| (t, rest.trim()))
    }) else {
        return Ok(p.default.clone());
    };
    if named == p.default || p.available.iter().any(|a| a == named) {
        return Ok(named.to_owned());
    }
    match p.on_unknown {
        UnknownProduct::FallbackToDefault => Ok(p.default.clone()),
        UnknownProduct::Reject => Err(Rejection {
            code: "unknown_product",
            message: format!(
                "Background check not ordered: the tag \"{tag}\" names a product that is not available \
                 to this account. Use one of: {}.",
                std::iter::once(p.default.as_str())
                    .chain(p.available.iter().map(String::as_str))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }),
    }
}

fn sub_client_field(client: &SubClient, on: SubClientMatch) -> Option<&str> {
    match on {
        SubClientMatch::None => None,
        SubClientMatch::ClientCode => Some(&client.code),
        SubClientMatch::ClientName => Some(&client.name),
        SubClientMatch::ClientCity => Some(&client.city),
    }
}

/// The main client code, or the sub-client whose chosen field equals the Lever location.
pub fn choose_client_code(
    settings: &AllianceSettings,
    location: Option<&str>,
) -> Result<String, Rejection> {
    let sub = &settings.sub_client;
    if sub.match_on == SubClientMatch::None {
        return Ok(settings.client_code.clone());
    }
    let found = location.and_then(|loc| {
        sub.clients.iter().find(|c| {
            sub_client_field(c, sub.match_on)
                .is_some_and(|v| !v.trim().is_empty() && v.trim().eq_ignore_ascii_case(loc.trim()))
        })
    });
    match (found, sub.on_unmatched) {
        (Some(client), _) => Ok(client.code.clone()),
        (None, UnmatchedSubClient::FallbackToMain) => Ok(settings.client_code.clone()),
        (None, UnmatchedSubClient::Reject) => Err(Rejection {
            code: "unmatched_sub_client",
            message: format!(
                "Background check not ordered: no sub-client is set up for the location \"{}\". \
                 Ask your administrator to add it, then move the candidate to the background check stage again.",
                location.unwrap_or("(none)")
            ),
        }),
    }
}

/// Status word shown in the tag (DESIGN §1.B's five, plus the ends Lever users know).
pub fn status_label(status: OrderStatus) -> Option<&'static str> {
    match status.phase() {
        Phase::Opening => None,
        Phase::AwaitingCandidate => Some("Pending"),
        Phase::Working => Some("In Progress"),
        Phase::Results | Phase::AdverseAction => Some("Complete"),
        Phase::Stopped => Some(match status {
            OrderStatus::Rejected => "Rejected",
            OrderStatus::Error => "Error",
            OrderStatus::Expired => "Expired",
            _ => "Cancelled",
        }),
    }
}

pub fn status_tag(settings: &AllianceSettings, status: OrderStatus) -> Option<String> {
    status_label(status).map(|label| settings.status_tag_format.replace("{status}", label))
}

/// Every tag family the Alliance integration owns on an opportunity.
pub fn managed_tags(settings: &AllianceSettings) -> ManagedTags {
    let mut m = ManagedTags::new().with_format(&settings.status_tag_format, "{status}");
    if let Some(p) = &settings.flag_tag_prefix {
        m = m.with_prefix(p);
    }
    if let Some(p) = &settings.decision_tag_prefix {
        m = m.with_prefix(p);
    }
    m
}

/// The managed tags the opportunity should carry for this order: one status tag, plus the
/// flag and decision tags once results are in (when the tenant enables them).
pub fn desired_tags(settings: &AllianceSettings, order: &Order) -> Vec<String> {
    let mut tags: Vec<String> = status_tag(settings, order.status).into_iter().collect();
    if matches!(order.status.phase(), Phase::Results | Phase::AdverseAction)
        && let Some(result) = &order.result
    {
        if let (Some(prefix), Some(flag)) = (&settings.flag_tag_prefix, result.flag) {
            tags.push(format!("{prefix}{}", if flag { "True" } else { "False" }));
        }
        if let (Some(prefix), Some(decision)) = (&settings.decision_tag_prefix, &result.decision)
            && !decision.trim().is_empty()
        {
            tags.push(format!("{prefix}{}", decision.trim()));
        }
    }
    tags
}

/// Text of the secret note that carries the results.
pub fn results_note(result: &ScreeningResult) -> String {
    let mut lines = vec![format!("{PROVIDER_NAME} background check results")];
    if let Some(flag) = result.flag {
        lines.push(format!("Flag: {}", if flag { "True" } else { "False" }));
    }
    if let Some(d) = &result.decision {
        lines.push(format!("Decision: {d}"));
    }
    if let Some(s) = &result.summary {
        lines.push(format!("Summary: {s}"));
    }
    if let Some(u) = &result.report_url {
        lines.push(format!("Report: {u}"));
    }
    lines.join("\n")
}

/// A status reported by the provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderStatus {
    Pending,
    InProgress,
    Complete,
    Rejected,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ProviderUpdate {
    pub status: ProviderStatus,
    pub result: Option<ScreeningResult>,
    pub reason: Option<String>,
}

pub use crate::domain::effects::UpdateDecision;

/// Apply a provider callback as the lifecycle allows: repeats change nothing; late or
/// impossible reports change nothing and are recorded.
pub fn apply_update(order: &Order, update: &ProviderUpdate, now: OffsetDateTime) -> UpdateDecision {
    let to = match update.status {
        ProviderStatus::Pending => OrderStatus::Pending,
        ProviderStatus::InProgress => OrderStatus::InProgress,
        ProviderStatus::Complete => OrderStatus::Complete,
        ProviderStatus::Rejected => OrderStatus::Rejected,
    };
    if let Some(refusal) = UpdateDecision::unless_legal(order, to) {
        return refusal;
    }
    let mut next = order.next(now);
    next.status = to;
    match to {
        OrderStatus::Complete => next.result = Some(update.result.clone().unwrap_or_default()),
        OrderStatus::Rejected => {
            next.reason = Some(format!(
                "{PROVIDER_NAME} rejected the background check: {}",
                update.reason.as_deref().unwrap_or("no reason given")
            ))
        }
        _ => {}
    }
    let effects = transition_effects(order, &next);
    UpdateDecision::Apply(Box::new(next), effects)
}

/// The provider accepted the order.
pub fn accepted(
    order: &Order,
    provider_ref: String,
    sent: AllianceOrder,
    now: OffsetDateTime,
) -> (Order, Vec<Effect>) {
    let mut next = order.next(now);
    next.status = OrderStatus::Pending;
    next.provider_ref = Some(provider_ref);
    next.request = Some(SentRequest::of(&sent));
    let effects = transition_effects(order, &next);
    (next, effects)
}

/// The order was refused (by our rules or by the provider): `Rejected` with a note.
pub fn rejected(order: &Order, message: String, now: OffsetDateTime) -> (Order, Vec<Effect>) {
    let mut next = order.next(now);
    next.status = OrderStatus::Rejected;
    next.reason = Some(message);
    let effects = transition_effects(order, &next);
    (next, effects)
}

/// Communication failed after every retry: `Error` with a note.
pub fn failed(order: &Order, detail: &str, now: OffsetDateTime) -> (Order, Vec<Effect>) {
    let mut next = order.next(now);
    next.status = OrderStatus::Error;
    next.reason = Some(format!(
        "Background check could not be ordered: communication between Lever and {PROVIDER_NAME} failed \
         after several retries ({detail}). Move the candidate to the background check stage again to retry."
    ));
    let effects = transition_effects(order, &next);
    (next, effects)
}

/// Effects of moving `before` to `after`: the Lever tags converge, a note explains
/// rejections, errors and results (results in a secret note), and the bus hears of it.
pub fn transition_effects(before: &Order, after: &Order) -> Vec<Effect> {
    let mut effects = vec![Effect::Render { order_id: after.id }];
    let note = match after.status {
        OrderStatus::Complete => Some(NewNote {
            value: results_note(after.result.as_ref().unwrap_or(&ScreeningResult::default())),
            secret: true,
        }),
        OrderStatus::Rejected | OrderStatus::Error => after.reason.clone().map(|value| NewNote {
            value,
            secret: false,
        }),
        _ => None,
    };
    if let Some(note) = note {
        effects.push(Effect::Notify {
            order_id: after.id,
            note,
        });
    }
    effects.push(Effect::PublishEvent {
        event: BusEvent::for_transition(before, after),
    });
    effects
}

/// Effects of a freshly created order.
pub fn creation_effects(order: &Order) -> Vec<Effect> {
    vec![
        Effect::PlaceOrder { order_id: order.id },
        Effect::PublishEvent {
            event: BusEvent::for_order(DetailType::OrderCreated, order, None),
        },
    ]
}

#[cfg(test)]
mod tests;
