use super::*;
use crate::domain::TenantId;
use crate::domain::kinds::{AtsKind, Pairing, ProviderKind};
use crate::domain::order::ScreeningResult;
use time::macros::datetime;

fn order(status: Canonical) -> Order {
    let mut o = Order::new(
        TenantId::parse("acme").unwrap(),
        &Pairing::new("paylocity", AtsKind::Lever, ProviderKind::BackgroundsOnline),
        "pcty-order-1".into(),
        datetime!(2026-12-01 9:00 UTC),
    );
    o.status = status;
    o
}

fn services() -> Vec<String> {
    vec!["County Criminal".into(), "SSN Trace".into()]
}

const AT: &str = "2026-12-01T09:05:00Z";

#[test]
fn the_enums_are_spelled_as_paylocity_spells_them() {
    let names: Vec<String> = OrderStatus::ALL
        .iter()
        .map(|s| {
            serde_json::to_value(s)
                .unwrap()
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(names.len(), 18);
    for name in [
        "Ordered",
        "WaitingOnCandidate",
        "Hold",
        "CompleteWithCancelled",
        "InvitationExpired",
        "InvitationCancelled",
        "PreAdverseActionSent",
        "AdverseActionCancelled",
        "Dispute",
        "AdverseActionSent",
    ] {
        assert!(names.contains(&name.to_owned()), "{name}");
    }
    assert_eq!(
        serde_json::to_value(ServiceStatus::NeedsReview).unwrap(),
        "NeedsReview"
    );
}

#[test]
fn every_canonical_status_has_its_paylocity_status_and_back() {
    for status in Canonical::ALL {
        let told = order_status(status, Some(OrderStatus::InProgress));
        if !matches!(status, Canonical::Rejected | Canonical::Error) {
            assert_eq!(told.canonical(), status, "{status:?}");
        }
    }
    // A cancel before the candidate submitted is an invitation cancelled.
    assert_eq!(
        order_status(Canonical::Cancelled, Some(OrderStatus::WaitingOnCandidate)),
        OrderStatus::InvitationCancelled
    );
    assert_eq!(
        order_status(Canonical::Cancelled, Some(OrderStatus::InProgress)),
        OrderStatus::Cancelled
    );
    assert_eq!(
        order_status(Canonical::Expired, None),
        OrderStatus::InvitationExpired
    );
}

#[test]
fn the_adverse_action_path_and_suspension_are_legal_and_going_back_is_not() {
    use OrderStatus::*;
    for (old, new) in [
        (WaitingOnCandidate, InProgress),
        (InProgress, Hold),
        (Hold, InProgress),
        (InProgress, Suspended),
        (Suspended, Resumed),
        (Resumed, Complete),
        (CompleteNeedsReview, CompleteNotEligible),
        (Complete, PreAdverseActionSent),
        (PreAdverseActionSent, AdverseActionCancelled),
        (PreAdverseActionSent, Dispute),
        (Dispute, AdverseActionSent),
        (Complete, CompleteDisputed),
        (WaitingOnCandidate, InvitationExpired),
        (WaitingOnCandidate, InvitationCancelled),
    ] {
        assert!(can_send(Some(old), new), "{old:?} -> {new:?}");
    }
    for (old, new) in [
        (Complete, InProgress),
        (InvitationExpired, InProgress),
        (AdverseActionSent, Dispute),
        (Suspended, Complete),
        (Complete, Complete),
        (InProgress, InvitationExpired),
    ] {
        assert!(!can_send(Some(old), new), "{old:?} -> {new:?}");
    }
}

#[test]
fn a_patch_carries_what_paylocity_last_accepted_and_every_service() {
    let accepted = Accepted::on_arrival();
    let patch = next_patch(
        "pcty-1",
        &accepted,
        &order(Canonical::Pending),
        &services(),
        AT,
    )
    .unwrap();
    assert_eq!(
        serde_json::to_value(&patch).unwrap(),
        serde_json::json!({
            "candidateScreeningOrderId": "pcty-1",
            "updatedAt": AT,
            "oldStatus": "Ordered",
            "newStatus": "WaitingOnCandidate",
            "services": [
                { "serviceName": "County Criminal", "oldStatus": null, "newStatus": "Pending" },
                { "serviceName": "SSN Trace", "oldStatus": null, "newStatus": "Pending" }
            ],
            "screeningReportDocuments": []
        })
    );
    // Once accepted, the next one starts from there; the same state again sends nothing.
    let accepted = patch.accepted(&accepted);
    assert_eq!(
        next_patch(
            "pcty-1",
            &accepted,
            &order(Canonical::Pending),
            &services(),
            AT
        ),
        Err(NotSent::Unchanged)
    );
    let mut done = order(Canonical::CompleteNeedsReview);
    done.result = Some(ScreeningResult {
        report_url: Some("https://hub.example/reports/1".into()),
        ..ScreeningResult::default()
    });
    let patch = next_patch("pcty-1", &accepted, &done, &services(), AT).unwrap();
    assert_eq!(
        (patch.old_status, patch.new_status),
        (
            Some(OrderStatus::WaitingOnCandidate),
            Some(OrderStatus::CompleteNeedsReview)
        )
    );
    assert!(
        patch
            .services
            .iter()
            .all(|s| s.old_status == Some(ServiceStatus::Pending)
                && s.new_status == Some(ServiceStatus::NeedsReview))
    );
    assert_eq!(
        patch.screening_report_documents,
        vec!["https://hub.example/reports/1"]
    );
}

#[test]
fn a_flagged_result_is_told_as_needing_review_and_a_clear_one_as_complete() {
    let mut done = order(Canonical::Complete);
    done.result = Some(ScreeningResult {
        flag: Some(true),
        ..ScreeningResult::default()
    });
    let accepted = Accepted::on_arrival();
    let patch = next_patch("pcty-1", &accepted, &done, &services(), AT).unwrap();
    assert_eq!(patch.new_status, Some(OrderStatus::CompleteNeedsReview));
    assert_eq!(
        patch.services[0].new_status,
        Some(ServiceStatus::NeedsReview)
    );
    done.result.as_mut().unwrap().flag = Some(false);
    let patch = next_patch("pcty-1", &accepted, &done, &services(), AT).unwrap();
    assert_eq!(patch.new_status, Some(OrderStatus::Complete));
    assert_eq!(patch.services[0].new_status, Some(ServiceStatus::Completed));
}

#[test]
fn an_illegal_move_is_refused_not_sent() {
    let accepted = Accepted {
        order: Some(OrderStatus::Complete),
        services: BTreeMap::new(),
    };
    assert_eq!(
        next_patch(
            "pcty-1",
            &accepted,
            &order(Canonical::InProgress),
            &services(),
            AT
        ),
        Err(NotSent::Illegal {
            from: Some(OrderStatus::Complete),
            to: OrderStatus::InProgress
        })
    );
}

#[test]
fn a_service_the_provider_added_is_a_new_line_on_that_order_only() {
    let accepted = next_patch(
        "pcty-1",
        &Accepted::on_arrival(),
        &order(Canonical::InProgress),
        &services(),
        AT,
    )
    .unwrap()
    .accepted(&Accepted::on_arrival());
    let mut one = order(Canonical::InProgress);
    one.services.push(crate::domain::order::ServiceLine {
        name: "Extra County Search".into(),
        status: Canonical::InProgress,
    });
    let patch = next_patch("pcty-1", &accepted, &one, &services(), AT).unwrap();
    assert_eq!(
        next_patch(
            "pcty-2",
            &accepted,
            &order(Canonical::InProgress),
            &services(),
            AT
        ),
        Err(NotSent::Unchanged),
        "another order of the same package has no new line"
    );
    assert_eq!(
        patch.old_status, patch.new_status,
        "the order's status stays"
    );
    assert_eq!(
        patch.services,
        vec![ServiceChange {
            service_name: "Extra County Search".into(),
            old_status: None,
            new_status: Some(ServiceStatus::InProgress),
            note: None
        }]
    );
}

#[test]
fn a_refusal_is_a_cancel_with_its_reason_on_each_service_within_paylocitys_limits() {
    let mut refused = order(Canonical::Rejected);
    refused.reason = Some("x".repeat(400));
    let patch = next_patch(
        "pcty-1",
        &Accepted::on_arrival(),
        &refused,
        &["S".repeat(80)],
        AT,
    )
    .unwrap();
    assert_eq!(patch.new_status, Some(OrderStatus::Cancelled));
    let line = &patch.services[0];
    assert_eq!(line.service_name.chars().count(), 50);
    assert_eq!(line.note.as_ref().unwrap().chars().count(), 250);
}

#[test]
fn every_step_of_the_path_is_sent_in_turn_even_when_the_order_moved_on() {
    use Canonical::*;
    let mut o = order(AdverseActionSent);
    o.result = Some(ScreeningResult {
        flag: Some(true),
        ..ScreeningResult::default()
    });
    let path = [
        Requested,
        Pending,
        Complete,
        PreAdverseActionSent,
        Disputed,
        Disputed, // the dispute resolved: same status
        AdverseActionSent,
    ];
    let mut accepted = Some(OrderStatus::Ordered);
    let mut sent = Vec::new();
    for _ in 0..10 {
        let hop = next_hop(&path, &o, accepted);
        let Ok(patch) = next_patch_toward(
            "pcty-1",
            &Accepted {
                order: accepted,
                services: BTreeMap::new(),
            },
            &o,
            hop,
            &services(),
            AT,
        ) else {
            break;
        };
        if patch.new_status == accepted {
            break;
        }
        accepted = patch.new_status;
        sent.push(accepted.unwrap());
    }
    assert_eq!(
        sent,
        vec![
            OrderStatus::WaitingOnCandidate,
            OrderStatus::CompleteNeedsReview,
            OrderStatus::PreAdverseActionSent,
            OrderStatus::Dispute,
            OrderStatus::AdverseActionSent
        ]
    );
    // Paylocity shows none of the path (e.g. it was moved elsewhere): the order's status.
    assert_eq!(
        next_hop(&path, &o, Some(OrderStatus::Hold)),
        AdverseActionSent
    );
}
