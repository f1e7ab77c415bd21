//! Cornerstone's view of an order: the state the adapter keeps on it (where its callbacks go,
//! which statuses were posted), the status callback `BackgroundCheckReport` (facts §2.2) and
//! the panel. Pure: built from the order alone, tested without I/O.

use super::cornerstone_request::CallbackData;
use crate::domain::order::{Order, OrderStatus, Phase};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// `OrderStatus` of a `BackgroundCheckReport`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReportStatus {
    Inprogress,
    Completed,
    Cancelled,
}

impl ReportStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportStatus::Inprogress => "inprogress",
            ReportStatus::Completed => "completed",
            ReportStatus::Cancelled => "cancelled",
        }
    }
}

/// A callback claimed by one worker until `until` (unix seconds): others leave it to it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InFlight {
    pub status: ReportStatus,
    pub holder: String,
    pub until: i64,
}

/// What the adapter keeps on the order (its `ats_state`; ids and the callback address, no
/// candidate data).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CornerstoneState {
    pub package_id: String,
    /// Cornerstone's ids to echo, and the (checked) callback URL.
    pub callback: CallbackData,
    /// The statuses Cornerstone was told, in order.
    #[serde(default)]
    pub posted: Vec<ReportStatus>,
    #[serde(default)]
    pub in_flight: Option<InFlight>,
}

/// What Cornerstone is told of a canonical status: nothing while it shows `Acknowledged`
/// (the initiate answer said so), then in progress, completed or cancelled.
pub fn report_status(status: OrderStatus) -> Option<ReportStatus> {
    match status.phase() {
        Phase::Opening | Phase::AwaitingCandidate => None,
        Phase::Working => Some(ReportStatus::Inprogress),
        Phase::Results | Phase::AdverseAction => Some(ReportStatus::Completed),
        Phase::Stopped => Some(ReportStatus::Cancelled),
    }
}

impl CornerstoneState {
    /// The status to post for `order`, unless Cornerstone was already told it.
    pub fn due(&self, order: &Order) -> Option<ReportStatus> {
        report_status(order.status).filter(|s| !self.posted.contains(s))
    }
}

/// The adjudication result shown and sent when the portal has adjudication.
pub fn screening_result(order: &Order) -> Option<String> {
    let r = order.result.as_ref()?;
    r.decision.clone().or_else(|| {
        r.flag
            .map(|flagged| if flagged { "review" } else { "pass" }.to_owned())
    })
}

fn mm_dd_yyyy(t: OffsetDateTime) -> String {
    format!("{:02}-{:02}-{:04}", u8::from(t.month()), t.day(), t.year())
}

/// The `BackgroundCheckReport` telling Cornerstone `status` of `order`.
pub fn report(
    state: &CornerstoneState,
    order: &Order,
    status: ReportStatus,
    adjudication: bool,
) -> serde_json::Value {
    let completed = status == ReportStatus::Completed;
    let c = &state.callback;
    serde_json::json!({
        "CallbackData": {
            "CallbackUrl": null,
            "ApplicantRefId": c.applicant_ref_id,
            "ApplicantRefUserId": c.applicant_ref_user_id,
            "ApplicantRefOrderId": c.applicant_ref_order_id,
        },
        "ProviderReferenceId": order.id.to_string(),
        "OrderStatus": status.as_str(),
        "ScreeningResult": if completed && adjudication { screening_result(order) } else { None },
        "ReportUrl": if completed { order.result.as_ref().and_then(|r| r.report_url.clone()) } else { None },
        "CompletionDate": mm_dd_yyyy(order.updated_at),
    })
}

/// How much a caller of the panel may see.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Permission {
    Full,
    /// Status only: never a report or progress link.
    StatusOnly,
}

/// One order's panel, as the portal shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "PascalCase")]
pub struct Panel {
    pub assigned_date: String,
    pub reference_id: String,
    /// Acknowledged | In Progress | Complete | Cancelled.
    pub overall_status: &'static str,
    pub package_id: String,
    pub provider_reference_id: Option<String>,
    /// In Progress | Completed | Cancelled, once the provider has the order.
    pub provider_status: Option<&'static str>,
    pub percent_complete: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adjudication_result: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check_order_progress_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub view_report_url: Option<String>,
}

pub fn overall_status(status: OrderStatus) -> &'static str {
    match status.phase() {
        Phase::Opening | Phase::AwaitingCandidate => "Acknowledged",
        Phase::Working => "In Progress",
        Phase::Results | Phase::AdverseAction => "Complete",
        Phase::Stopped => "Cancelled",
    }
}

fn provider_status(order: &Order) -> Option<&'static str> {
    order.provider_ref.as_ref()?;
    Some(match order.status.phase() {
        Phase::Opening | Phase::AwaitingCandidate | Phase::Working => "In Progress",
        Phase::Results | Phase::AdverseAction => "Completed",
        Phase::Stopped => "Cancelled",
    })
}

/// Percent of the order done: 100 with results; else what the provider last reported (the
/// highest, see [`crate::domain::transitions::progress`]), else the share of the services it
/// reported finished; `None` when not known.
pub fn percent_complete(order: &Order) -> Option<u8> {
    match order.status.phase() {
        Phase::Results | Phase::AdverseAction => Some(100),
        Phase::Stopped | Phase::Opening => None,
        _ if order.percent_complete.is_some() => order.percent_complete,
        _ if order.services.is_empty() => None,
        _ => {
            let done = order
                .services
                .iter()
                .filter(|s| s.status.is_terminal())
                .count();
            u8::try_from(done * 100 / order.services.len()).ok()
        }
    }
}

/// What the panel shows a caller with `permission`. `progress_url` is where a full caller
/// checks the order's progress (the portal's setting, with `{provider_reference}` filled).
pub fn panel(
    order: &Order,
    state: &CornerstoneState,
    permission: Permission,
    adjudication: bool,
    progress_url: Option<&str>,
) -> Panel {
    let full = permission == Permission::Full;
    let phase = order.status.phase();
    let in_progress = matches!(phase, Phase::AwaitingCandidate | Phase::Working);
    let completed = matches!(phase, Phase::Results | Phase::AdverseAction);
    let progress = progress_url
        .zip(order.provider_ref.as_deref())
        .map(|(u, r)| u.replace("{provider_reference}", r));
    Panel {
        assigned_date: order
            .created_at
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        reference_id: order.id.to_string(),
        overall_status: overall_status(order.status),
        package_id: state.package_id.clone(),
        provider_reference_id: order.provider_ref.clone(),
        provider_status: provider_status(order),
        percent_complete: percent_complete(order),
        adjudication_result: if adjudication && completed {
            screening_result(order)
        } else {
            None
        },
        check_order_progress_url: progress.filter(|_| full && in_progress),
        view_report_url: order
            .result
            .as_ref()
            .and_then(|r| r.report_url.clone())
            .filter(|_| full && completed),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::TenantId;
    use crate::domain::kinds::{AtsKind, Pairing, ProviderKind};
    use crate::domain::order::{ScreeningResult, ServiceLine};
    use time::macros::datetime;

    fn order(status: OrderStatus) -> Order {
        let mut o = Order::new(
            TenantId::parse("acme").unwrap(),
            &Pairing::new("cs", AtsKind::Cornerstone, ProviderKind::Alliance2020),
            "o-1".into(),
            datetime!(2026-12-01 9:00 UTC),
        );
        o.status = status;
        o.updated_at = datetime!(2026-12-03 10:00 UTC);
        if status != OrderStatus::Requested {
            o.provider_ref = Some("A20-1".into());
        }
        if status.phase() == Phase::Results {
            o.result = Some(ScreeningResult {
                flag: Some(false),
                decision: None,
                report_url: Some("https://reports.example/1".into()),
                summary: None,
            });
        }
        o
    }

    fn state() -> CornerstoneState {
        CornerstoneState {
            package_id: "bg-pack-5".into(),
            callback: CallbackData {
                callback_url: Some("https://acme.csod.com/cb".into()),
                applicant_ref_id: Some("a-1".into()),
                applicant_ref_user_id: Some("u-1".into()),
                applicant_ref_order_id: Some("o-1".into()),
            },
            posted: Vec::new(),
            in_flight: None,
        }
    }

    #[test]
    fn each_cornerstone_status_is_due_once() {
        let mut s = state();
        assert_eq!(s.due(&order(OrderStatus::Requested)), None);
        assert_eq!(
            s.due(&order(OrderStatus::Pending)),
            None,
            "still Acknowledged"
        );
        assert_eq!(
            s.due(&order(OrderStatus::InProgress)),
            Some(ReportStatus::Inprogress)
        );
        s.posted.push(ReportStatus::Inprogress);
        assert_eq!(s.due(&order(OrderStatus::OnHold)), None);
        assert_eq!(
            s.due(&order(OrderStatus::Expired)),
            Some(ReportStatus::Cancelled)
        );
        assert_eq!(
            s.due(&order(OrderStatus::CompleteNeedsReview)),
            Some(ReportStatus::Completed)
        );
    }

    #[test]
    fn the_report_echoes_cornerstones_ids_and_carries_the_result_when_completed() {
        let o = order(OrderStatus::Complete);
        let r = report(&state(), &o, ReportStatus::Completed, true);
        assert_eq!(r["CallbackData"]["ApplicantRefOrderId"], "o-1");
        assert_eq!(r["CallbackData"]["CallbackUrl"], serde_json::Value::Null);
        assert_eq!(r["ProviderReferenceId"], o.id.to_string());
        assert_eq!(r["OrderStatus"], "completed");
        assert_eq!(r["ScreeningResult"], "pass");
        assert_eq!(r["ReportUrl"], "https://reports.example/1");
        assert_eq!(r["CompletionDate"], "12-03-2026");
        let r = report(&state(), &o, ReportStatus::Completed, false);
        assert_eq!(
            r["ScreeningResult"],
            serde_json::Value::Null,
            "no adjudication"
        );
        let r = report(
            &state(),
            &order(OrderStatus::InProgress),
            ReportStatus::Inprogress,
            true,
        );
        assert_eq!(r["ReportUrl"], serde_json::Value::Null);
    }

    #[test]
    fn the_panel_shows_links_only_to_full_callers_and_only_in_their_phase() {
        let url = Some("https://provider.example/orders/{provider_reference}");
        let mut working = order(OrderStatus::InProgress);
        working.services = vec![
            ServiceLine {
                name: "County".into(),
                status: OrderStatus::Complete,
            },
            ServiceLine {
                name: "SSN".into(),
                status: OrderStatus::InProgress,
            },
        ];
        let p = panel(&working, &state(), Permission::Full, true, url);
        assert_eq!(p.overall_status, "In Progress");
        assert_eq!(p.provider_status, Some("In Progress"));
        assert_eq!(p.percent_complete, Some(50));
        working.percent_complete = Some(40);
        assert_eq!(
            panel(&working, &state(), Permission::Full, true, url).percent_complete,
            Some(40),
            "the provider's own figure first"
        );
        assert_eq!(
            p.check_order_progress_url.as_deref(),
            Some("https://provider.example/orders/A20-1")
        );
        assert_eq!((p.view_report_url, p.adjudication_result), (None, None));

        let done = order(OrderStatus::Complete);
        let p = panel(&done, &state(), Permission::Full, true, url);
        assert_eq!(
            (p.overall_status, p.provider_status),
            ("Complete", Some("Completed"))
        );
        assert_eq!(
            p.view_report_url.as_deref(),
            Some("https://reports.example/1")
        );
        assert_eq!(p.adjudication_result.as_deref(), Some("pass"));
        assert_eq!(p.check_order_progress_url, None);
        assert_eq!(
            panel(&done, &state(), Permission::Full, false, url).adjudication_result,
            None
        );

        for o in [&working, &done] {
            let p = panel(o, &state(), Permission::StatusOnly, true, url);
            assert_eq!(
                (p.view_report_url, p.check_order_progress_url),
                (None, None)
            );
        }
        let p = panel(
            &order(OrderStatus::Requested),
            &state(),
            Permission::Full,
            true,
            url,
        );
        assert_eq!(
            (p.overall_status, p.provider_status),
            ("Acknowledged", None)
        );
        assert_eq!(
            panel(
                &order(OrderStatus::Expired),
                &state(),
                Permission::Full,
                true,
                url
            )
            .overall_status,
            "Cancelled"
        );
    }
}
