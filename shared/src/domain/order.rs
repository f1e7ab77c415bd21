//! The canonical screening order every integration meets in.

use super::ids::{OrderId, TenantId};
use super::kinds::{AtsKind, Pairing, ProviderKind, RouteId};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// Canonical status of a screening order, shared by every ATS and provider. Each ATS adapter
/// renders it in its own terms (Lever tags, Paylocity order statuses, Cornerstone's panel);
/// which moves are legal is [`super::lifecycle`]'s table. The set is rich enough for
/// Paylocity's 18 order statuses and Cornerstone's panel. Persisted (snake_case): names are
/// never changed, only added.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Triggered and durably recorded; the provider has not been asked yet.
    Requested,
    /// The provider accepted the order and invited the candidate (awaiting the candidate).
    Pending,
    /// The candidate submitted; the provider is working.
    InProgress,
    /// The provider needs more information from the candidate.
    OnHold,
    /// Work stopped for now (e.g. by the client or the provider).
    Suspended,
    /// Work picked up again after a suspension.
    Resumed,
    /// Results are in: nothing adverse.
    Complete,
    /// Results are in and need a person's review.
    CompleteNeedsReview,
    /// Results are in: not eligible.
    CompleteNotEligible,
    /// Results are in for the services not cancelled.
    CompleteWithCancelled,
    /// Results were disputed after completion.
    CompleteDisputed,
    /// Adverse action: the pre-adverse notice was sent.
    PreAdverseActionSent,
    /// Adverse action: withdrawn.
    AdverseActionCancelled,
    /// Adverse action: the candidate disputes the findings.
    Disputed,
    /// Adverse action: the final notice was sent.
    AdverseActionSent,
    /// Cancelled before results (by a recruiter, the provider, or the candidate's deletion).
    Cancelled,
    /// The candidate did not respond to the invitation in time.
    Expired,
    /// Refused: by our validation (e.g. missing email) or by the provider.
    Rejected,
    /// Communication failed after every retry.
    Error,
}

/// Where a status stands in an order's life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// Recorded, not yet with the provider.
    Opening,
    /// With the provider, waiting for the candidate.
    AwaitingCandidate,
    /// The candidate submitted; the check runs (or waits on hold, or is suspended).
    Working,
    /// Results are in.
    Results,
    /// After results: the adverse-action steps.
    AdverseAction,
    /// Ended without results.
    Stopped,
}

impl OrderStatus {
    pub const ALL: [OrderStatus; 19] = [
        Self::Requested,
        Self::Pending,
        Self::InProgress,
        Self::OnHold,
        Self::Suspended,
        Self::Resumed,
        Self::Complete,
        Self::CompleteNeedsReview,
        Self::CompleteNotEligible,
        Self::CompleteWithCancelled,
        Self::CompleteDisputed,
        Self::PreAdverseActionSent,
        Self::AdverseActionCancelled,
        Self::Disputed,
        Self::AdverseActionSent,
        Self::Cancelled,
        Self::Expired,
        Self::Rejected,
        Self::Error,
    ];

    pub fn phase(self) -> Phase {
        match self {
            Self::Requested => Phase::Opening,
            Self::Pending => Phase::AwaitingCandidate,
            Self::InProgress | Self::OnHold | Self::Suspended | Self::Resumed => Phase::Working,
            Self::Complete
            | Self::CompleteNeedsReview
            | Self::CompleteNotEligible
            | Self::CompleteWithCancelled
            | Self::CompleteDisputed => Phase::Results,
            Self::PreAdverseActionSent
            | Self::AdverseActionCancelled
            | Self::Disputed
            | Self::AdverseActionSent => Phase::AdverseAction,
            Self::Cancelled | Self::Expired | Self::Rejected | Self::Error => Phase::Stopped,
        }
    }

    /// The check has ended: results are in (adverse-action steps may still follow, see
    /// [`super::lifecycle`]) or it stopped. An ended order frees the opportunity's active
    /// slot and starts the retention clock.
    pub fn is_terminal(self) -> bool {
        matches!(
            self.phase(),
            Phase::Results | Phase::AdverseAction | Phase::Stopped
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Requested => "requested",
            Self::Pending => "pending",
            Self::InProgress => "in_progress",
            Self::OnHold => "on_hold",
            Self::Suspended => "suspended",
            Self::Resumed => "resumed",
            Self::Complete => "complete",
            Self::CompleteNeedsReview => "complete_needs_review",
            Self::CompleteNotEligible => "complete_not_eligible",
            Self::CompleteWithCancelled => "complete_with_cancelled",
            Self::CompleteDisputed => "complete_disputed",
            Self::PreAdverseActionSent => "pre_adverse_action_sent",
            Self::AdverseActionCancelled => "adverse_action_cancelled",
            Self::Disputed => "disputed",
            Self::AdverseActionSent => "adverse_action_sent",
            Self::Cancelled => "cancelled",
            Self::Expired => "expired",
            Self::Rejected => "rejected",
            Self::Error => "error",
        }
    }
}

/// Results reported by a provider when an order completes.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScreeningResult {
    pub flag: Option<bool>,
    pub decision: Option<String>,
    pub report_url: Option<String>,
    pub summary: Option<String>,
}

/// Data only one adapter reads, kept on the order as that adapter wrote it (e.g. what was sent
/// to the provider, what the ATS sent with the order, what the ATS last accepted). Opaque to
/// the core: only the adapter's own module reads it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct AdapterData(serde_json::Value);

/// What was sent to the provider (candidate PII included; scrubbed after the order ends).
pub type SentRequest = AdapterData;

impl AdapterData {
    pub fn of<T: Serialize>(data: &T) -> Self {
        Self(serde_json::to_value(data).unwrap_or(serde_json::Value::Null))
    }

    /// The data as the adapter's type, `None` when it is not one.
    pub fn read<T: serde::de::DeserializeOwned>(&self) -> Option<T> {
        serde_json::from_value(self.0.clone()).ok()
    }
}

/// One service (search) of a check, as its provider reports it: e.g. a county criminal search
/// the provider added while working. An ATS that shows services (Paylocity) shows each.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceLine {
    pub name: String,
    pub status: OrderStatus,
}

/// The adverse-action steps taken on an order (FCRA §9: the recruiter acts in the hub).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdverseAction {
    /// When the pre-adverse notice was sent: the final notice waits a period after it.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub pre_notice_at: Option<OffsetDateTime>,
    /// A dispute the candidate raised that is not resolved yet: no final notice meanwhile.
    #[serde(default)]
    pub dispute_open: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Order {
    pub id: OrderId,
    pub tenant: TenantId,
    /// The tenant's route that opened it (persisted, and published, as `integration`).
    #[serde(rename = "integration")]
    pub route: RouteId,
    /// The ATS it came from and is rendered back to.
    #[serde(default)]
    pub ats: AtsKind,
    /// The provider it is placed with (orders written before routes existed get it from
    /// their route id when read, see the store).
    pub provider: ProviderKind,
    /// The ATS object the order belongs to (a Lever opportunity id).
    #[serde(rename = "opportunity_id")]
    pub ats_ref: String,
    pub status: OrderStatus,
    /// Optimistic-concurrency version: 1 on creation, +1 on every change.
    pub version: u64,
    pub provider_ref: Option<String>,
    pub request: Option<SentRequest>,
    pub result: Option<ScreeningResult>,
    /// Why the order was rejected or failed, in words shown to recruiters.
    pub reason: Option<String>,
    /// While the order waits for the candidate: when it expires. Only such orders carry it,
    /// which makes the store's due-order index sparse.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    /// While the order is in flight with a provider whose status is read on a schedule
    /// (the tenant did not turn it off): when it is next read. Only such orders carry it,
    /// which makes the store's poll index sparse; it is cleared when the order ends.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "time::serde::rfc3339::option"
    )]
    pub poll_at: Option<OffsetDateTime>,
    /// When the candidate data (request, result text) was removed after the order ended.
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub scrubbed_at: Option<OffsetDateTime>,
    /// The stage move an (unsigned) ATS webhook claimed opened this order: nothing is ordered
    /// until the ATS's own record confirms it.
    #[serde(default)]
    pub claimed_move: Option<ClaimedMove>,
    /// What the ATS sent with the order, for an ATS that pushes its orders (Paylocity's
    /// candidate and package): candidate PII, scrubbed with the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intake: Option<AdapterData>,
    /// What the ATS last accepted of this order's state, for an ATS whose updates must say
    /// what they replace (Paylocity's `oldStatus`). No PII.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ats_state: Option<AdapterData>,
    /// The services the provider reported, by name (empty when it reports none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub services: Vec<ServiceLine>,
    /// The provider's latest percent complete (0–100), for a provider that reports one
    /// (Accurate); never lowered by a late report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent_complete: Option<u8>,
    /// Set when the ATS's record of the order can no longer be trusted to match ours (e.g.
    /// Paylocity refused an update's `oldStatus`): nothing more is sent until an operator
    /// looks. Says why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attention: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub adverse: Option<AdverseAction>,
    /// What an operator should know of the order that stopped nothing (e.g. ids the ATS sent
    /// that became ambiguous once cut to the provider's length). Ids only, no PII.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

impl Order {
    pub fn new(tenant: TenantId, pairing: &Pairing, ats_ref: String, now: OffsetDateTime) -> Self {
        Self {
            id: OrderId::new(),
            tenant,
            route: pairing.route.clone(),
            ats: pairing.ats,
            provider: pairing.provider,
            ats_ref,
            status: OrderStatus::Requested,
            version: 1,
            provider_ref: None,
            request: None,
            result: None,
            reason: None,
            expires_at: None,
            poll_at: None,
            scrubbed_at: None,
            claimed_move: None,
            intake: None,
            ats_state: None,
            services: Vec::new(),
            percent_complete: None,
            attention: None,
            adverse: None,
            warnings: Vec::new(),
            created_at: now,
            updated_at: now,
        }
    }

    /// Ended and still holding candidate data: what the retention sweep scrubs.
    pub fn holds_pii_after_end(&self) -> bool {
        self.status.is_terminal()
            && self.scrubbed_at.is_none()
            && (self.request.is_some()
                || self.intake.is_some()
                || self
                    .result
                    .as_ref()
                    .is_some_and(|r| r.summary.is_some() || r.report_url.is_some()))
    }

    /// The next version with the candidate data removed: the request sent to the provider,
    /// what the ATS sent with the order, and the result's free text and report link. Status,
    /// flag, decision, services and the audit trail stay.
    pub fn scrubbed(&self, now: OffsetDateTime) -> Self {
        let mut next = self.next(now);
        next.request = None;
        next.intake = None;
        if let Some(r) = next.result.as_mut() {
            r.summary = None;
            r.report_url = None;
        }
        next.scrubbed_at = Some(now);
        next
    }

    /// The next version of this order, ready to be written conditionally on `self.version`.
    pub fn next(&self, now: OffsetDateTime) -> Self {
        let mut next = self.clone();
        next.version = self.version + 1;
        next.updated_at = now;
        next
    }
}

/// A stage move as a webhook delivery claimed it: onto `stage_id`, at `at_ms` (the delivery's
/// `triggeredAt`, milliseconds since the epoch).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClaimedMove {
    pub stage_id: String,
    pub at_ms: i64,
}

/// Why no order was placed, in words a recruiter can act on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rejection {
    /// Stable reason code (metrics dimension).
    pub code: &'static str,
    pub message: String,
}

/// A trimmed, non-empty text field, or `None`.
pub(crate) fn non_blank(s: Option<&str>) -> Option<String> {
    s.map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// One line of an order's append-only audit trail.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub order_id: OrderId,
    /// The order version this entry produced.
    pub version: u64,
    pub from: Option<OrderStatus>,
    pub to: OrderStatus,
    /// What caused it, without PII: `lever_webhook`, `provider_callback:<id>`, `dispatcher` …
    pub cause: String,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    /// Set when the change was refused by the lifecycle (`stale`, `illegal`): `to` is what was
    /// asked, `version` the order's unchanged version, and nothing else happened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
}

impl AuditEntry {
    pub fn for_change(before: Option<&Order>, after: &Order, cause: impl Into<String>) -> Self {
        Self {
            order_id: after.id,
            version: after.version,
            from: before.map(|o| o.status),
            to: after.status,
            cause: cause.into(),
            at: after.updated_at,
            refused: None,
        }
    }

    /// A change to `to` that the lifecycle refused (`verdict`): recorded, nothing changed.
    pub fn refused(
        order: &Order,
        to: OrderStatus,
        verdict: &str,
        cause: impl Into<String>,
        at: OffsetDateTime,
    ) -> Self {
        Self {
            order_id: order.id,
            version: order.version,
            from: Some(order.status),
            to,
            cause: cause.into(),
            at,
            refused: Some(verdict.to_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_names_round_trip_and_ended_means_results_or_stopped() {
        for st in OrderStatus::ALL {
            let json = serde_json::to_value(st).unwrap();
            assert_eq!(json, st.as_str());
            assert_eq!(serde_json::from_value::<OrderStatus>(json).unwrap(), st);
            assert_eq!(
                st.is_terminal(),
                !matches!(
                    st.phase(),
                    Phase::Opening | Phase::AwaitingCandidate | Phase::Working
                )
            );
        }
        use OrderStatus::*;
        assert!(Complete.is_terminal() && Rejected.is_terminal() && Error.is_terminal());
        assert!(!Pending.is_terminal() && !Suspended.is_terminal());
    }

    #[test]
    fn scrubbing_removes_candidate_data_and_keeps_the_outcome() {
        let t0 = time::macros::datetime!(2026-01-01 0:00 UTC);
        let mut o = Order::new(
            TenantId::parse("t").unwrap(),
            &Pairing::new(
                "backgrounds_online",
                AtsKind::Lever,
                ProviderKind::BackgroundsOnline,
            ),
            "opp".into(),
            t0,
        );
        o.status = OrderStatus::Complete;
        o.result = Some(ScreeningResult {
            flag: Some(true),
            decision: Some("Review".into()),
            report_url: Some("https://r/1".into()),
            summary: Some("records found".into()),
        });
        assert!(o.holds_pii_after_end());
        let s = o.scrubbed(t0);
        assert!(!s.holds_pii_after_end());
        assert_eq!(s.status, OrderStatus::Complete);
        let r = s.result.unwrap();
        assert_eq!(
            (r.flag, r.decision.as_deref()),
            (Some(true), Some("Review"))
        );
        assert_eq!((r.summary, r.report_url), (None, None));
        o.status = OrderStatus::Pending;
        assert!(!o.holds_pii_after_end(), "active orders keep their data");
    }

    #[test]
    fn next_bumps_version_and_time_only() {
        let t0 = time::macros::datetime!(2026-01-01 0:00 UTC);
        let t1 = time::macros::datetime!(2026-01-02 0:00 UTC);
        let o = Order::new(
            TenantId::parse("t").unwrap(),
            &Pairing::new("alliance2020", AtsKind::Lever, ProviderKind::Alliance2020),
            "opp".into(),
            t0,
        );
        let n = o.next(t1);
        assert_eq!((n.version, n.updated_at, n.created_at), (2, t1, t0));
        assert_eq!(n.id, o.id);
    }
}
