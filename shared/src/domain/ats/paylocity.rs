//! Paylocity's vocabulary (facts/vendors-and-aws.md §1.5): its 18 order statuses and 9 service
//! statuses, how the canonical order status is told in them (docs/ats/paylocity.md has the
//! table), which moves Paylocity may be sent, and the body of its one status PATCH, always
//! carrying the status Paylocity last accepted as `oldStatus`. Pure.
//! The adapter (`adapters::paylocity_ats`) keeps [`PaylocityState`] on the order and sends
//! what [`next_patch`] builds.

use crate::domain::lifecycle;
use crate::domain::order::{Order, OrderStatus as Canonical, Phase};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A Paylocity order status (`oldStatus` / `newStatus`), spelled as Paylocity spells it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum OrderStatus {
    Ordered,
    WaitingOnCandidate,
    InProgress,
    Hold,
    Complete,
    CompleteWithCancelled,
    Cancelled,
    CompleteNeedsReview,
    CompleteNotEligible,
    Suspended,
    Resumed,
    CompleteDisputed,
    InvitationExpired,
    InvitationCancelled,
    PreAdverseActionSent,
    AdverseActionCancelled,
    Dispute,
    AdverseActionSent,
}

/// A Paylocity service status (`services[].oldStatus` / `newStatus`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ServiceStatus {
    Pending,
    InProgress,
    Completed,
    Cancelled,
    NeedsReview,
    NotEligible,
    Suspended,
    Disputed,
    Expired,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 18] = [
        Self::Ordered,
        Self::WaitingOnCandidate,
        Self::InProgress,
        Self::Hold,
        Self::Complete,
        Self::CompleteWithCancelled,
        Self::Cancelled,
        Self::CompleteNeedsReview,
        Self::CompleteNotEligible,
        Self::Suspended,
        Self::Resumed,
        Self::CompleteDisputed,
        Self::InvitationExpired,
        Self::InvitationCancelled,
        Self::PreAdverseActionSent,
        Self::AdverseActionCancelled,
        Self::Dispute,
        Self::AdverseActionSent,
    ];

    /// The canonical status this one stands for.
    pub fn canonical(self) -> Canonical {
        match self {
            Self::Ordered => Canonical::Requested,
            Self::WaitingOnCandidate => Canonical::Pending,
            Self::InProgress => Canonical::InProgress,
            Self::Hold => Canonical::OnHold,
            Self::Complete => Canonical::Complete,
            Self::CompleteWithCancelled => Canonical::CompleteWithCancelled,
            Self::Cancelled | Self::InvitationCancelled => Canonical::Cancelled,
            Self::CompleteNeedsReview => Canonical::CompleteNeedsReview,
            Self::CompleteNotEligible => Canonical::CompleteNotEligible,
            Self::Suspended => Canonical::Suspended,
            Self::Resumed => Canonical::Resumed,
            Self::CompleteDisputed => Canonical::CompleteDisputed,
            Self::InvitationExpired => Canonical::Expired,
            Self::PreAdverseActionSent => Canonical::PreAdverseActionSent,
            Self::AdverseActionCancelled => Canonical::AdverseActionCancelled,
            Self::Dispute => Canonical::Disputed,
            Self::AdverseActionSent => Canonical::AdverseActionSent,
        }
    }
}

/// How a canonical status is told to Paylocity, given what Paylocity last accepted (a cancel
/// before the candidate submitted is `InvitationCancelled`). An order our rules or the
/// provider refused, or that could not be placed, is `Cancelled` (its service note says why),
/// so the recruiter can order again.
pub fn order_status(status: Canonical, accepted: Option<OrderStatus>) -> OrderStatus {
    use OrderStatus as P;
    match status {
        Canonical::Requested => P::Ordered,
        Canonical::Pending => P::WaitingOnCandidate,
        Canonical::InProgress => P::InProgress,
        Canonical::OnHold => P::Hold,
        Canonical::Suspended => P::Suspended,
        Canonical::Resumed => P::Resumed,
        Canonical::Complete => P::Complete,
        Canonical::CompleteNeedsReview => P::CompleteNeedsReview,
        Canonical::CompleteNotEligible => P::CompleteNotEligible,
        Canonical::CompleteWithCancelled => P::CompleteWithCancelled,
        Canonical::CompleteDisputed => P::CompleteDisputed,
        Canonical::PreAdverseActionSent => P::PreAdverseActionSent,
        Canonical::AdverseActionCancelled => P::AdverseActionCancelled,
        Canonical::Disputed => P::Dispute,
        Canonical::AdverseActionSent => P::AdverseActionSent,
        Canonical::Expired => P::InvitationExpired,
        Canonical::Cancelled
            if matches!(accepted, None | Some(P::Ordered | P::WaitingOnCandidate)) =>
        {
            P::InvitationCancelled
        }
        Canonical::Cancelled | Canonical::Rejected | Canonical::Error => P::Cancelled,
    }
}

/// The status of each service of an order in `status` (a live partner's mapping, facts §1.5).
pub fn service_status(status: Canonical) -> ServiceStatus {
    use ServiceStatus as S;
    match status {
        Canonical::Requested | Canonical::Pending | Canonical::OnHold => S::Pending,
        Canonical::InProgress | Canonical::Resumed => S::InProgress,
        Canonical::Suspended => S::Suspended,
        Canonical::Complete
        | Canonical::CompleteWithCancelled
        | Canonical::PreAdverseActionSent
        | Canonical::AdverseActionCancelled => S::Completed,
        Canonical::CompleteNeedsReview => S::NeedsReview,
        Canonical::CompleteNotEligible | Canonical::AdverseActionSent => S::NotEligible,
        Canonical::CompleteDisputed | Canonical::Disputed => S::Disputed,
        Canonical::Cancelled | Canonical::Rejected | Canonical::Error => S::Cancelled,
        Canonical::Expired => S::Expired,
    }
}

/// Whether Paylocity may be sent `new` after it accepted `old` (nothing yet: any first
/// status): the one lifecycle, read in Paylocity's terms. A repeat is not a move.
pub fn can_send(old: Option<OrderStatus>, new: OrderStatus) -> bool {
    match old {
        None => true,
        Some(old) if old == new => false,
        Some(old) => lifecycle::can_move(old.canonical(), new.canonical()),
    }
}

/// What Paylocity last accepted for an order: its status and each service's. Kept on the
/// order, so that every PATCH carries it as `oldStatus`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Accepted {
    pub order: Option<OrderStatus>,
    #[serde(default)]
    pub services: BTreeMap<String, ServiceStatus>,
}

impl Accepted {
    /// An order as it arrives: Paylocity shows it `Ordered` (its own starting status).
    pub fn on_arrival() -> Self {
        Self {
            order: Some(OrderStatus::Ordered),
            services: BTreeMap::new(),
        }
    }
}

/// What the hub keeps on a Paylocity order (its `ats_state`, no PII): where it belongs, the
/// package's services, what Paylocity last accepted, and the PATCH in flight, if any.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaylocityState {
    pub company_id: String,
    pub package_id: String,
    /// The package's services when the order arrived (the provider may add more).
    pub package_services: Vec<String>,
    pub accepted: Accepted,
    /// A PATCH sent whose answer was not received (a timeout, a crash): it may have been
    /// applied. It is sent again before anything else; if Paylocity then refuses its
    /// `oldStatus`, the first one was applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub in_flight: Option<InFlight>,
}

/// A PATCH being sent, with the lease of the worker sending it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InFlight {
    pub patch: StatusPatch,
    pub holder: String,
    /// Unix seconds until which the holder may be sending it.
    pub until: i64,
}

impl PaylocityState {
    pub fn on_arrival(company_id: &str, package_id: &str, package_services: Vec<String>) -> Self {
        Self {
            company_id: company_id.to_owned(),
            package_id: package_id.to_owned(),
            package_services,
            accepted: Accepted::on_arrival(),
            in_flight: None,
        }
    }
}

/// One service line of the PATCH.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceChange {
    pub service_name: String,
    pub old_status: Option<ServiceStatus>,
    pub new_status: Option<ServiceStatus>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// The body of `PATCH …/candidateScreeningOrders/status` (facts §1.4).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusPatch {
    pub candidate_screening_order_id: String,
    /// RFC 3339.
    pub updated_at: String,
    pub old_status: Option<OrderStatus>,
    pub new_status: Option<OrderStatus>,
    pub services: Vec<ServiceChange>,
    pub screening_report_documents: Vec<String>,
}

impl StatusPatch {
    /// What Paylocity holds once it accepted this PATCH.
    pub fn accepted(&self, before: &Accepted) -> Accepted {
        let mut after = before.clone();
        after.order = self.new_status.or(before.order);
        for s in &self.services {
            if let Some(status) = s.new_status {
                after.services.insert(s.service_name.clone(), status);
            }
        }
        after
    }
}

/// Why a PATCH is not sent.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum NotSent {
    /// Paylocity already shows this state.
    #[error("Paylocity already shows this state")]
    Unchanged,
    /// The lifecycle does not allow this move in Paylocity's terms: refused and recorded,
    /// never sent.
    #[error("Paylocity may not move from {from:?} to {to:?}")]
    Illegal {
        from: Option<OrderStatus>,
        to: OrderStatus,
    },
}

/// Paylocity's limits on a service's name and note.
const SERVICE_NAME_MAX: usize = 50;
const NOTE_MAX: usize = 250;

fn clip(text: &str, max: usize) -> String {
    text.chars().take(max).collect()
}

/// The canonical status Paylocity is told for `status` on `order`: a completed check whose
/// result is flagged (potential adverse information) needs a person's review.
pub fn shown(status: Canonical, order: &Order) -> Canonical {
    let flagged = order.result.as_ref().and_then(|r| r.flag) == Some(true);
    match status {
        Canonical::Complete if flagged => Canonical::CompleteNeedsReview,
        other => other,
    }
}

/// Where Paylocity goes next: the first status of the order's path (the statuses it went
/// through, oldest first, from its audit trail) after the last one Paylocity shows; the
/// order's status when Paylocity shows none of them. Every step of the path is sent in turn,
/// so Paylocity's history shows it whole (e.g. a dispute between the pre-adverse and the
/// final notice), even when the order moved on before a PATCH went out.
pub fn next_hop(path: &[Canonical], order: &Order, accepted: Option<OrderStatus>) -> Canonical {
    let shows = |c: Canonical| {
        accepted.is_some_and(|a| a.canonical() == c || a.canonical() == shown(c, order))
    };
    let mut steps: Vec<Canonical> = Vec::with_capacity(path.len() + 1);
    for &c in path.iter().chain(std::iter::once(&order.status)) {
        if steps.last() != Some(&c) {
            steps.push(c);
        }
    }
    match steps.iter().rposition(|c| shows(*c)) {
        Some(i) => steps.get(i + 1).copied().unwrap_or(order.status),
        None => order.status,
    }
}

/// The status of one service: as the provider reported it while the check runs; once the
/// order has ended, a service the provider left running takes the order's. On a step of
/// the path before the order's current status, every service takes the step's.
fn line_status(order: &Order, target: Canonical, name: &str) -> ServiceStatus {
    if target != order.status {
        return service_status(shown(target, order));
    }
    let reported = order
        .services
        .iter()
        .find(|l| l.name == name)
        .map(|l| l.status);
    match reported {
        Some(status) if !order.status.is_terminal() || status.is_terminal() => {
            service_status(status)
        }
        _ => service_status(shown(order.status, order)),
    }
}

/// The PATCH that tells Paylocity the order's current state, from what it last accepted.
pub fn next_patch(
    screening_order_id: &str,
    accepted: &Accepted,
    order: &Order,
    package_services: &[String],
    updated_at: &str,
) -> Result<StatusPatch, NotSent> {
    next_patch_toward(
        screening_order_id,
        accepted,
        order,
        order.status,
        package_services,
        updated_at,
    )
}

/// The PATCH that moves Paylocity from what it last accepted to `target` (a step of the
/// order's path, see [`next_hop`]). `package_services` are the package's service names; the
/// services the provider reported that the package did not have follow them (dynamic
/// services). `Ordered` is Paylocity's own starting status and never sent.
pub fn next_patch_toward(
    screening_order_id: &str,
    accepted: &Accepted,
    order: &Order,
    target: Canonical,
    package_services: &[String],
    updated_at: &str,
) -> Result<StatusPatch, NotSent> {
    let new = order_status(shown(target, order), accepted.order);
    let mut names: Vec<&str> = package_services.iter().map(String::as_str).collect();
    for line in &order.services {
        if !names.contains(&line.name.as_str()) {
            names.push(&line.name);
        }
    }
    let changes: Vec<ServiceChange> = names
        .into_iter()
        .filter_map(|full| {
            let name = clip(full, SERVICE_NAME_MAX);
            let service_new = line_status(order, target, full);
            let old = accepted.services.get(&name).copied();
            (old != Some(service_new)).then(|| ServiceChange {
                note: matches!(
                    target,
                    Canonical::Rejected | Canonical::Error | Canonical::Cancelled
                )
                .then(|| order.reason.as_deref().map(|r| clip(r, NOTE_MAX)))
                .flatten(),
                service_name: name,
                old_status: old,
                new_status: Some(service_new),
            })
        })
        .collect();
    let order_moves = accepted.order != Some(new) && new != OrderStatus::Ordered;
    if !order_moves && changes.is_empty() {
        return Err(NotSent::Unchanged);
    }
    if order_moves && !can_send(accepted.order, new) {
        return Err(NotSent::Illegal {
            from: accepted.order,
            to: new,
        });
    }
    let reports = if matches!(target.phase(), Phase::Results | Phase::AdverseAction) {
        order
            .result
            .as_ref()
            .and_then(|r| r.report_url.clone())
            .into_iter()
            .collect()
    } else {
        Vec::new()
    };
    Ok(StatusPatch {
        candidate_screening_order_id: screening_order_id.to_owned(),
        updated_at: updated_at.to_owned(),
        old_status: accepted.order,
        new_status: order_moves.then_some(new).or(accepted.order),
        services: changes,
        screening_report_documents: reports,
    })
}

#[cfg(test)]
mod tests;
