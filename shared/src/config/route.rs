//! A route: one trigger in one ATS, ordering from one provider, shown back in the ATS its way.

use crate::domain::ats::lever_route::{LeverRendering, LeverTrigger};
use crate::domain::effects::Effect;
use crate::domain::ids::external_id;
use crate::domain::kinds::{AtsKind, Pairing, ProviderKind, RouteId};
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Keys the opportunity's active-order slot and is the `integration` of its orders and
    /// events. Today's routes keep today's ids: `alliance2020`, `backgrounds_online`.
    pub id: RouteId,
    pub trigger: Trigger,
    pub provider: ProviderKind,
    /// How the route's orders show in Lever (Lever triggers only); standard status tags by
    /// default.
    #[serde(default)]
    pub lever: Option<LeverRendering>,
}

/// What starts an order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Trigger {
    /// A Lever `candidateStageChange` webhook onto `stage_id`.
    LeverStage { stage_id: String },
    /// The Lever tag `start`, found by the scheduled poll; `cancel` (optional) asks the
    /// provider to cancel an order still awaiting the candidate.
    LeverTag {
        start: String,
        #[serde(default)]
        cancel: Option<String>,
    },
    /// An order Paylocity posts for one of the tenant's companies, on one of `packages`
    /// (every package when empty).
    PaylocityOrder {
        #[serde(default)]
        packages: Vec<String>,
    },
    /// A Cornerstone portal's `InitiateBackgroundCheck` on one of `packages` (every package
    /// when empty).
    CornerstoneInitiate {
        #[serde(default)]
        packages: Vec<String>,
    },
}

impl Trigger {
    pub fn ats(&self) -> AtsKind {
        match self {
            Trigger::LeverStage { .. } | Trigger::LeverTag { .. } => AtsKind::Lever,
            Trigger::PaylocityOrder { .. } => AtsKind::Paylocity,
            Trigger::CornerstoneInitiate { .. } => AtsKind::Cornerstone,
        }
    }

    /// Whether a Paylocity order on `package` takes this route.
    pub fn takes_paylocity_package(&self, package: &str) -> bool {
        match self {
            Trigger::PaylocityOrder { packages } => {
                packages.is_empty() || packages.iter().any(|p| p == package)
            }
            _ => false,
        }
    }

    /// Whether a Cornerstone initiate on `package` takes this route.
    pub fn takes_cornerstone_package(&self, package: &str) -> bool {
        match self {
            Trigger::CornerstoneInitiate { packages } => {
                packages.is_empty() || packages.iter().any(|p| p == package)
            }
            _ => false,
        }
    }

    /// The Lever trigger, for a route in Lever.
    pub fn lever(&self) -> Option<LeverTrigger> {
        match self {
            Trigger::LeverStage { stage_id } => Some(LeverTrigger::Stage {
                stage_id: stage_id.clone(),
            }),
            Trigger::LeverTag { start, cancel } => Some(LeverTrigger::Tag {
                start: start.clone(),
                cancel: cancel.clone(),
            }),
            Trigger::PaylocityOrder { .. } | Trigger::CornerstoneInitiate { .. } => None,
        }
    }

    pub fn stage_id(&self) -> Option<&str> {
        match self {
            Trigger::LeverStage { stage_id } => Some(stage_id),
            _ => None,
        }
    }

    pub fn start_tag(&self) -> Option<&str> {
        match self {
            Trigger::LeverTag { start, .. } => Some(start),
            _ => None,
        }
    }
}

impl Route {
    pub fn pairing(&self) -> Pairing {
        Pairing {
            route: self.id.clone(),
            ats: self.trigger.ats(),
            provider: self.provider,
        }
    }

    /// The sentence that ends a refusal: how the recruiter tries again.
    pub fn retry_hint(&self) -> String {
        self.trigger
            .lever()
            .map(|t| t.retry_hint())
            .unwrap_or_default()
    }

    /// A recruiter's cancel that cannot be done, told the route's way (nothing when the
    /// route has no cancel trigger).
    pub fn cancel_refused(&self, ats_ref: &str, why: &str) -> Option<Effect> {
        self.trigger
            .lever()
            .and_then(|t| t.cancel_refused(ats_ref, why))
    }

    /// A recruiter's cancel that could not reach the provider, told the route's way.
    pub fn cancel_unreachable(&self, ats_ref: &str) -> Option<Effect> {
        self.trigger
            .lever()
            .and_then(|t| t.cancel_unreachable(ats_ref, self.provider.display_name()))
    }

    /// How the route's orders show in Lever.
    pub fn lever_rendering(&self) -> LeverRendering {
        self.lever.clone().unwrap_or_default()
    }

    pub(super) fn problems(&self) -> Vec<String> {
        let id = &self.id;
        let mut found = Vec::new();
        match &self.trigger {
            Trigger::LeverStage { stage_id } => {
                if external_id(stage_id).is_err() {
                    found.push(format!("route {id}: stage_id is not a Lever stage id"));
                }
            }
            Trigger::LeverTag { start, cancel } => {
                if start.trim().is_empty() {
                    found.push(format!("route {id}: the start tag is empty"));
                }
                if cancel
                    .as_deref()
                    .is_some_and(|c| c.trim().is_empty() || c == start)
                {
                    found.push(format!(
                        "route {id}: the cancel tag must be set and differ from the start tag"
                    ));
                }
            }
            Trigger::PaylocityOrder { .. } | Trigger::CornerstoneInitiate { .. } => {}
        }
        if self.lever.is_some() && self.trigger.ats() != AtsKind::Lever {
            found.push(format!(
                "route {id}: lever settings on a route that is not in Lever"
            ));
        }
        found
    }
}
