use super::*;
use crate::domain::TenantId;
use crate::domain::ats::tags;
use crate::domain::effects::UpdateDecision;
use crate::domain::kinds::{Pairing, ProviderKind};
use crate::domain::transitions::{self, StatusChange};
use time::OffsetDateTime;
use time::macros::datetime;

const T0: OffsetDateTime = datetime!(2026-03-01 9:00 UTC);
const START: &str = "Backgrounds Online Start";
const CANCEL: &str = "Backgrounds Online Cancel";

fn tag_trigger() -> LeverTrigger {
    LeverTrigger::Tag {
        start: START.into(),
        cancel: Some(CANCEL.into()),
    }
}

fn stage_trigger() -> LeverTrigger {
    LeverTrigger::Stage {
        stage_id: "stage-bg".into(),
    }
}

fn bo_family() -> LeverRendering {
    LeverRendering {
        status_tags: StatusTags::BackgroundsOnline,
        ..LeverRendering::default()
    }
}

fn standard(flag: bool) -> LeverRendering {
    LeverRendering {
        flag_tag_prefix: flag.then(|| "Flag: ".to_owned()),
        decision_tag_prefix: flag.then(|| "Decision: ".to_owned()),
        ..LeverRendering::default()
    }
}

fn order(status: OrderStatus) -> Order {
    let mut o = Order::new(
        TenantId::parse("acme").unwrap(),
        &Pairing::new("r", AtsKind::Lever, ProviderKind::Alliance2020),
        "opp-1".into(),
        T0,
    );
    o.status = status;
    o
}

fn complete(flag: bool) -> Order {
    let mut o = order(OrderStatus::Complete);
    o.result = Some(ScreeningResult {
        flag: Some(flag),
        decision: Some("Eligible".into()),
        report_url: Some("https://r/1".into()),
        summary: Some("No records".into()),
    });
    o
}

fn opp(id: &str) -> Opportunity {
    Opportunity {
        id: id.into(),
        ..Opportunity::default()
    }
}

#[test]
fn standard_tags_follow_the_configured_format() {
    let mut r = standard(false);
    assert_eq!(
        r.status_tag(&order(OrderStatus::InProgress)).as_deref(),
        Some("Background Check Status: In Progress")
    );
    assert_eq!(r.status_tag(&order(OrderStatus::Requested)), None);
    r.status_tags = StatusTags::Standard {
        format: "BG {status}".into(),
    };
    assert_eq!(
        r.status_tag(&order(OrderStatus::Error)).as_deref(),
        Some("BG Error")
    );
}

#[test]
fn flag_and_decision_tags_only_when_enabled() {
    assert_eq!(
        standard(true).desired(&complete(true)),
        vec![
            "Background Check Status: Complete",
            "Flag: True",
            "Decision: Eligible"
        ]
    );
    assert_eq!(
        standard(false).desired(&complete(false)),
        vec!["Background Check Status: Complete"]
    );
}

#[test]
fn tags_converge_to_exactly_one_status_tag_and_leave_the_recruiters_own() {
    let r = standard(true);
    let current: Vec<String> = vec![
        "Background Check Status: Pending".into(),
        "Background Check Status: In Progress".into(),
        "Keep me".into(),
    ];
    let d = tags::diff(&current, &r.desired(&complete(false)), &r.managed());
    assert_eq!(d.remove.len(), 2);
    assert_eq!(
        d.add,
        vec![
            "Background Check Status: Complete",
            "Decision: Eligible",
            "Flag: False"
        ]
    );
}

#[test]
fn the_backgrounds_online_family_has_one_documented_tag_per_state() {
    let r = bo_family();
    let managed = r.managed();
    let mut clear = complete(false);
    clear.provider = ProviderKind::BackgroundsOnline;
    for (o, tag) in [
        (
            order(OrderStatus::Pending),
            "Backgrounds Online Pending Submission",
        ),
        (
            order(OrderStatus::InProgress),
            "Backgrounds Online In-Process",
        ),
        (clear, "Backgrounds Online Clear"),
        (complete(true), "Backgrounds Online Review"),
        (
            order(OrderStatus::Cancelled),
            "Backgrounds Online Cancelled",
        ),
        (order(OrderStatus::Expired), "Backgrounds Online Expired"),
    ] {
        assert_eq!(r.desired(&o), vec![tag]);
        assert!(managed.owns(tag));
    }
    for o in [order(OrderStatus::Rejected), order(OrderStatus::Requested)] {
        assert!(r.desired(&o).is_empty());
    }
    assert!(!managed.owns(START) && !managed.owns(CANCEL));
    assert!(!managed.owns("Backgrounds Online Clearance"));
}

#[test]
fn results_are_a_secret_note_with_standard_tags_and_a_sentence_with_the_bo_family() {
    let secret = standard(false)
        .note(&complete(true), OrderStatus::Complete)
        .unwrap();
    assert!(secret.secret);
    for part in [
        "Alliance 2020 background check results",
        "Flag: True",
        "Decision: Eligible",
        "Summary: No records",
        "Report: https://r/1",
    ] {
        assert!(secret.value.contains(part), "{}", secret.value);
    }
    let bo = bo_family();
    let clear = bo.note(&complete(false), OrderStatus::Complete).unwrap();
    assert_eq!((clear.value.as_str(), clear.secret), (CLEAR_NOTE, false));
    let review = bo.note(&complete(true), OrderStatus::Complete).unwrap();
    assert_eq!(review.value, REVIEW_NOTE);
    // Either way can be chosen.
    let mut outcome = standard(false);
    outcome.results_note = Some(ResultsNote::Outcome);
    assert_eq!(
        outcome
            .note(&complete(false), OrderStatus::Complete)
            .unwrap()
            .value,
        CLEAR_NOTE
    );
}

#[test]
fn refusals_errors_cancels_and_expiries_are_told_in_a_public_note() {
    let r = standard(false);
    let mut rejected = order(OrderStatus::Rejected);
    rejected.reason = Some("Missing email".into());
    let n = r.note(&rejected, OrderStatus::Rejected).unwrap();
    assert_eq!((n.value.as_str(), n.secret), ("Missing email", false));
    assert_eq!(
        r.note(&order(OrderStatus::Cancelled), OrderStatus::Cancelled)
            .unwrap()
            .value,
        CANCELLED_NOTE
    );
    assert_eq!(
        r.note(&order(OrderStatus::Expired), OrderStatus::Expired)
            .unwrap()
            .value,
        EXPIRED_NOTE
    );
    assert_eq!(
        r.note(&order(OrderStatus::Pending), OrderStatus::Pending),
        None
    );
    assert_eq!(
        r.note(&order(OrderStatus::InProgress), OrderStatus::InProgress),
        None
    );
}

#[test]
fn a_tag_trigger_loses_its_tags_once_acted_on_and_a_stage_trigger_has_none() {
    let cases = [
        (OrderStatus::Pending, vec![START]),
        (OrderStatus::Rejected, vec![START]),
        (OrderStatus::Error, vec![START]),
        (OrderStatus::Cancelled, vec![CANCEL, START]),
        (OrderStatus::InProgress, vec![]),
        (OrderStatus::Complete, vec![]),
    ];
    for (to, spent) in cases {
        let v = view(&tag_trigger(), &bo_family(), &order(to), Some(to));
        assert_eq!(v.spent, spent, "{to:?}");
        let v = view(&stage_trigger(), &standard(false), &order(to), Some(to));
        assert!(v.spent.is_empty());
    }
    // A plain re-render only converges the tags.
    let v = view(
        &tag_trigger(),
        &bo_family(),
        &order(OrderStatus::Pending),
        None,
    );
    assert!(v.spent.is_empty() && v.note.is_none());
}

#[test]
fn a_cancel_tag_asks_the_provider_only_while_the_candidate_has_not_submitted() {
    let t = tag_trigger();
    for status in [OrderStatus::Pending, OrderStatus::Requested] {
        assert!(matches!(
            t.decide_cancel(Some(&order(status)), &opp("opp-1")),
            Some(Effect::CancelOrder {
                reason: CancelReason::Cancelled,
                ..
            })
        ));
    }
    let Some(Effect::ClearTrigger { tags, note, .. }) =
        t.decide_cancel(Some(&order(OrderStatus::InProgress)), &opp("opp-1"))
    else {
        panic!("refused")
    };
    assert_eq!(tags, vec![CANCEL]);
    assert!(
        note.unwrap()
            .value
            .starts_with("The background check request could not be cancelled: ")
    );
    assert!(matches!(
        t.decide_cancel(None, &opp("opp-9")),
        Some(Effect::ClearTrigger { ats_ref, .. }) if ats_ref == "opp-9"
    ));
    assert_eq!(stage_trigger().decide_cancel(None, &opp("opp-9")), None);
}

#[test]
fn a_second_start_only_loses_its_tag_and_an_unreachable_cancel_says_to_retry() {
    let Some(Effect::ClearTrigger { tags, note, .. }) = tag_trigger().already_ordered(&opp("o"))
    else {
        panic!()
    };
    assert_eq!((tags, note), (vec![START.to_owned()], None));
    let Some(Effect::ClearTrigger { note: Some(n), .. }) =
        tag_trigger().cancel_unreachable("o", "Backgrounds Online")
    else {
        panic!()
    };
    assert!(n.value.contains(&format!("add the tag \"{CANCEL}\" again")));
    assert_eq!(stage_trigger().already_ordered(&opp("o")), None);
}

#[test]
fn retry_hints_follow_the_trigger() {
    assert!(
        stage_trigger()
            .retry_hint()
            .contains("background check stage")
    );
    assert!(tag_trigger().retry_hint().contains(&format!("\"{START}\"")));
}

#[test]
fn a_whole_order_shows_one_status_tag_at_each_step() {
    // Placed, then reported complete: the view at each step, as the Lever adapter performs it.
    let r = bo_family();
    let requested = order(OrderStatus::Requested);
    let (pending, _) = transitions::accepted(
        &requested,
        "BO-1".into(),
        crate::domain::order::SentRequest::of(&"req"),
        None,
        None,
        T0,
    );
    assert_eq!(
        view(&tag_trigger(), &r, &pending, Some(pending.status)).desired,
        vec!["Backgrounds Online Pending Submission"]
    );
    let change = StatusChange {
        to: OrderStatus::Complete,
        result: Some(ScreeningResult {
            flag: Some(true),
            ..ScreeningResult::default()
        }),
        reason: None,
        services: Vec::new(),
        percent_complete: None,
    };
    let UpdateDecision::Apply(done, _) = transitions::apply(&pending, &change, T0) else {
        panic!()
    };
    let v = view(&tag_trigger(), &r, &done, Some(done.status));
    assert_eq!(v.desired, vec!["Backgrounds Online Review"]);
    assert_eq!(v.note.unwrap().value, REVIEW_NOTE);
}
