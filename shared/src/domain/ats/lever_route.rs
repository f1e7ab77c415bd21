//! Lever's side of a route: the tenant's Lever account settings, what starts an order in Lever
//! (a stage move, or a tag found by the poll), and how an order is shown on the opportunity
//! (one status tag of a tag family, optional flag and decision tags, and a note per change).
//! Pure: the Lever adapter performs what [`view`] decides.

use super::lever::{NewNote, Opportunity};
use super::tags::ManagedTags;
use crate::domain::effects::{CancelReason, Effect};
use crate::domain::kinds::AtsKind;
use crate::domain::order::{Order, OrderStatus, Phase, ScreeningResult};
use serde::{Deserialize, Serialize};

/// The tenant's Lever account (its API key and webhook tokens are in its secret).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeverSettings {
    /// Data API root, e.g. `https://api.lever.co/v1` (EU: `https://api.eu.lever.co/v1`).
    #[serde(default = "default_lever_api")]
    pub api_base: String,
    /// Lever user id the hub acts as (`perform_as`); optional for tags, notes and stages.
    #[serde(default)]
    pub perform_as: Option<String>,
    /// Steady request rate allowed per second for this tenant's key (Lever: about 10).
    #[serde(default = "default_rate")]
    pub requests_per_second: u32,
    /// Burst allowance (Lever: about 20).
    #[serde(default = "default_burst")]
    pub burst: u32,
    /// How the hub reaches the account: with the API key in the tenant's secret, or with the
    /// grant a Super Admin gave by authorizing the hub (`screenhub lever connect`).
    #[serde(default)]
    pub connection: LeverConnectionMethod,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeverConnectionMethod {
    #[default]
    ApiKey,
    Oauth,
}

impl LeverConnectionMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ApiKey => "api_key",
            Self::Oauth => "oauth",
        }
    }
}

impl Default for LeverSettings {
    fn default() -> Self {
        Self {
            api_base: default_lever_api(),
            perform_as: None,
            requests_per_second: default_rate(),
            burst: default_burst(),
            connection: LeverConnectionMethod::default(),
        }
    }
}

fn default_lever_api() -> String {
    "https://api.lever.co/v1".into()
}
fn default_rate() -> u32 {
    8
}
fn default_burst() -> u32 {
    16
}

/// What starts an order in Lever.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LeverTrigger {
    /// A `candidateStageChange` webhook onto this stage (confirmed with Lever before ordering).
    Stage { stage_id: String },
    /// The `start` tag, found by the scheduled poll; the `cancel` tag (if any) asks the
    /// provider to cancel an order still awaiting the candidate.
    Tag {
        start: String,
        cancel: Option<String>,
    },
}

impl LeverTrigger {
    /// The sentence that ends a refusal: how the recruiter tries again.
    pub fn retry_hint(&self) -> String {
        match self {
            LeverTrigger::Stage { .. } => {
                "Then move the candidate to the background check stage again.".into()
            }
            LeverTrigger::Tag { start, .. } => format!("Then add the tag \"{start}\" again."),
        }
    }

    /// The trigger tags to remove once the order reached `to` (stage triggers have none).
    fn spent_tags(&self, to: OrderStatus) -> Vec<String> {
        let LeverTrigger::Tag { start, cancel } = self else {
            return Vec::new();
        };
        match to {
            OrderStatus::Pending | OrderStatus::Rejected | OrderStatus::Error => {
                vec![start.clone()]
            }
            OrderStatus::Cancelled => cancel.iter().chain([start]).cloned().collect(),
            _ => Vec::new(),
        }
    }

    /// A recruiter's cancel that cannot be done: the cancel tag goes and a note says why.
    pub fn cancel_refused(&self, ats_ref: &str, why: &str) -> Option<Effect> {
        let LeverTrigger::Tag {
            cancel: Some(cancel),
            ..
        } = self
        else {
            return None;
        };
        Some(Effect::ClearTrigger {
            ats: AtsKind::Lever,
            ats_ref: ats_ref.to_owned(),
            tags: vec![cancel.clone()],
            note: Some(NewNote {
                value: format!("The background check request could not be cancelled: {why}."),
                secret: false,
            }),
        })
    }

    /// A recruiter's cancel that could not reach the provider: the order stays, the cancel
    /// tag goes and a note says to try again.
    pub fn cancel_unreachable(&self, ats_ref: &str, provider: &str) -> Option<Effect> {
        let LeverTrigger::Tag {
            cancel: Some(cancel),
            ..
        } = self
        else {
            return None;
        };
        self.cancel_refused(
            ats_ref,
            &format!(
                "{provider} could not be reached after several retries; add the tag \"{cancel}\" again to retry"
            ),
        )
    }

    /// What the cancel tag on `opp` asks for: the provider cancels the order still awaiting
    /// the candidate (it changes once the provider agreed; an order still being placed is
    /// cancelled as soon as the provider has it), or the tag goes with a note saying why not.
    pub fn decide_cancel(&self, active: Option<&Order>, opp: &Opportunity) -> Option<Effect> {
        match active {
            Some(order)
                if matches!(order.status, OrderStatus::Pending | OrderStatus::Requested) =>
            {
                Some(Effect::CancelOrder {
                    order_id: order.id,
                    reason: CancelReason::Cancelled,
                })
            }
            Some(order) => self.cancel_refused(
                &order.ats_ref,
                "the candidate has already submitted their information and the check is in process",
            ),
            None => self.cancel_refused(
                &opp.id,
                "there is no background check request awaiting the candidate's submission",
            ),
        }
    }

    /// The start tag of an opportunity that already has an order under way: it just goes.
    pub fn already_ordered(&self, opp: &Opportunity) -> Option<Effect> {
        let LeverTrigger::Tag { start, .. } = self else {
            return None;
        };
        Some(Effect::ClearTrigger {
            ats: AtsKind::Lever,
            ats_ref: opp.id.clone(),
            tags: vec![start.clone()],
            note: None,
        })
    }
}

/// The status tags of a route: which tag shows which state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "family", rename_all = "snake_case", deny_unknown_fields)]
pub enum StatusTags {
    /// `format` with `{status}` replaced by Pending, In Progress, Complete, Rejected, Error,
    /// Expired or Cancelled. The hub owns every tag the format matches.
    Standard {
        #[serde(default = "default_status_format")]
        format: String,
    },
    /// Backgrounds Online's documented tags (`Backgrounds Online Pending Submission`,
    /// `… In-Process`, `… Clear`, `… Review`, `… Cancelled`, `… Expired`); none for refusals.
    BackgroundsOnline,
}

impl Default for StatusTags {
    fn default() -> Self {
        StatusTags::Standard {
            format: default_status_format(),
        }
    }
}

fn default_status_format() -> String {
    "Background Check Status: {status}".into()
}

const BO_STATUS_TAGS: [&str; 6] = [
    "Backgrounds Online Pending Submission",
    "Backgrounds Online In-Process",
    "Backgrounds Online Clear",
    "Backgrounds Online Review",
    "Backgrounds Online Cancelled",
    "Backgrounds Online Expired",
];

/// How results are told on the opportunity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResultsNote {
    /// A secret note (seen only by users allowed to see results) with the flag, decision,
    /// summary and report link.
    SecretDetails,
    /// A public sentence: complete with or without potential adverse information.
    Outcome,
}

/// How a route's orders look on the opportunity.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeverRendering {
    #[serde(default)]
    pub status_tags: StatusTags,
    /// When set, a `<prefix>True|False` tag is added with the results.
    #[serde(default)]
    pub flag_tag_prefix: Option<String>,
    /// When set, a `<prefix><decision>` tag is added with the results.
    #[serde(default)]
    pub decision_tag_prefix: Option<String>,
    /// Default: `secret_details` with standard tags, `outcome` with Backgrounds Online's.
    #[serde(default)]
    pub results_note: Option<ResultsNote>,
}

pub const CLEAR_NOTE: &str =
    "The background check request is complete and has no potential adverse information.";
pub const REVIEW_NOTE: &str =
    "The background check request is complete and has potential adverse information.";
pub const CANCELLED_NOTE: &str = "The background check request has been cancelled.";
pub const EXPIRED_NOTE: &str = "The background check request has expired.";

/// Status word of the standard family (DESIGN §1.B's five, plus the ends Lever users know).
pub fn standard_label(status: OrderStatus) -> Option<&'static str> {
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

fn is_clear(order: &Order) -> bool {
    order.result.as_ref().is_some_and(|r| r.flag == Some(false))
}

impl LeverRendering {
    fn results_note(&self) -> ResultsNote {
        self.results_note.unwrap_or(match self.status_tags {
            StatusTags::Standard { .. } => ResultsNote::SecretDetails,
            StatusTags::BackgroundsOnline => ResultsNote::Outcome,
        })
    }

    /// The status tag for an order's state (none before the provider has it).
    pub fn status_tag(&self, order: &Order) -> Option<String> {
        match &self.status_tags {
            StatusTags::Standard { format } => {
                standard_label(order.status).map(|label| format.replace("{status}", label))
            }
            StatusTags::BackgroundsOnline => {
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
                Some(BO_STATUS_TAGS[i].to_owned())
            }
        }
    }

    /// Every tag the route owns on an opportunity (the recruiters' own are never touched).
    pub fn managed(&self) -> ManagedTags {
        let mut m = match &self.status_tags {
            StatusTags::Standard { format } => ManagedTags::new().with_format(format, "{status}"),
            StatusTags::BackgroundsOnline => BO_STATUS_TAGS
                .iter()
                .fold(ManagedTags::new(), |m, t| m.with_exact(t)),
        };
        for prefix in [&self.flag_tag_prefix, &self.decision_tag_prefix]
            .into_iter()
            .flatten()
        {
            m = m.with_prefix(prefix);
        }
        m
    }

    /// The managed tags the opportunity should carry: one status tag, plus the flag and
    /// decision tags once results are in (when enabled).
    pub fn desired(&self, order: &Order) -> Vec<String> {
        let mut tags: Vec<String> = self.status_tag(order).into_iter().collect();
        if matches!(order.status.phase(), Phase::Results | Phase::AdverseAction)
            && let Some(result) = &order.result
        {
            if let (Some(prefix), Some(flag)) = (&self.flag_tag_prefix, result.flag) {
                tags.push(format!("{prefix}{}", if flag { "True" } else { "False" }));
            }
            if let (Some(prefix), Some(decision)) = (&self.decision_tag_prefix, &result.decision)
                && !decision.trim().is_empty()
            {
                tags.push(format!("{prefix}{}", decision.trim()));
            }
        }
        tags
    }

    /// The note that tells of the order's move to `to`, built from the order now.
    pub fn note(&self, order: &Order, to: OrderStatus) -> Option<NewNote> {
        let plain = |value: String| {
            Some(NewNote {
                value,
                secret: false,
            })
        };
        match to {
            OrderStatus::Rejected | OrderStatus::Error => order.reason.clone().and_then(plain),
            OrderStatus::Cancelled => plain(CANCELLED_NOTE.into()),
            OrderStatus::Expired => plain(EXPIRED_NOTE.into()),
            _ if to.phase() == Phase::Results => match self.results_note() {
                ResultsNote::SecretDetails => Some(NewNote {
                    value: results_note(
                        order.provider.display_name(),
                        order.result.as_ref().unwrap_or(&ScreeningResult::default()),
                    ),
                    secret: true,
                }),
                ResultsNote::Outcome if is_clear(order) => plain(CLEAR_NOTE.into()),
                ResultsNote::Outcome => plain(REVIEW_NOTE.into()),
            },
            _ => None,
        }
    }
}

/// Text of the secret note that carries the results.
pub fn results_note(provider: &str, result: &ScreeningResult) -> String {
    let mut lines = vec![format!("{provider} background check results")];
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

/// What showing an order on its opportunity takes, in this order: the spent trigger tags go
/// (so a poll never sees them again once the note exists), the managed tags converge on
/// `desired`, and the note (if any) is posted once.
#[derive(Clone, Debug, PartialEq)]
pub struct View {
    pub spent: Vec<String>,
    pub desired: Vec<String>,
    pub managed: ManagedTags,
    pub note: Option<NewNote>,
}

/// How `order` is shown, having just moved to `to` (`None`: only converge the tags).
pub fn view(
    trigger: &LeverTrigger,
    rendering: &LeverRendering,
    order: &Order,
    to: Option<OrderStatus>,
) -> View {
    View {
        spent: to.map(|t| trigger.spent_tags(t)).unwrap_or_default(),
        desired: rendering.desired(order),
        managed: rendering.managed(),
        note: to.and_then(|t| rendering.note(order, t)),
    }
}

#[cfg(test)]
mod tests;
