use super::*;
use crate::domain::TenantId;
use crate::domain::ats::lever::Phone;
use crate::domain::lifecycle::Verdict;
use crate::domain::order::Integration;
use time::macros::datetime;

const T0: OffsetDateTime = datetime!(2026-03-01 9:00 UTC);

fn settings() -> BackgroundsOnlineSettings {
    BackgroundsOnlineSettings {
        api_base: "https://bo.example".into(),
        default_package: "Standard".into(),
        packages: vec!["Premium".into(), "Driver".into()],
        package_tag_prefix: "Package: ".into(),
        expiry_days: 14,
    }
}

fn opp(tags: &[&str], email: Option<&str>) -> Opportunity {
    Opportunity {
        id: "opp-1".into(),
        name: Some("Ada Lovelace".into()),
        emails: email.into_iter().map(str::to_owned).collect(),
        phones: vec![Phone {
            kind: None,
            value: Some("+1 555 0100".into()),
        }],
        location: Some("Austin".into()),
        tags: tags.iter().map(|t| (*t).to_owned()).collect(),
        ..Opportunity::default()
    }
}

fn new_order() -> Order {
    Order::new(
        TenantId::parse("acme").unwrap(),
        Integration::BackgroundsOnline,
        "opp-1".into(),
        T0,
    )
}

fn pending() -> Order {
    accepted(&settings(), &new_order(), "BO-1".into(), T0).0
}

fn notes(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .filter_map(|e| match e {
            Effect::Notify { note, .. } => Some(note.value.clone()),
            Effect::ClearTrigger { note: Some(n), .. } => Some(n.value.clone()),
            _ => None,
        })
        .collect()
}

fn cleared_tags(effects: &[Effect]) -> Vec<String> {
    effects
        .iter()
        .flat_map(|e| match e {
            Effect::ClearTrigger { tags, .. } => tags.clone(),
            _ => vec![],
        })
        .collect()
}

#[test]
fn start_orders_the_default_package_with_the_candidate_fields() {
    let o = opp(&[START_TAG], Some("ada@example.com"));
    let StartDecision::Create(order, effects) = decide_start(&settings(), None, &o, new_order())
    else {
        panic!("expected an order")
    };
    assert_eq!(order.status, OrderStatus::Requested);
    let Some(req) = order
        .request
        .as_ref()
        .and_then(|r| r.read::<BackgroundsOnlineOrder>())
    else {
        panic!("request recorded")
    };
    assert_eq!(req.package, "Standard");
    assert_eq!(req.candidate.email, "ada@example.com");
    assert_eq!(req.candidate.name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(req.candidate.phone.as_deref(), Some("+1 555 0100"));
    assert_eq!(req.client_reference, order.id.to_string());
    assert!(matches!(effects[0], Effect::PlaceOrder { .. }));
    assert!(notes(&effects).is_empty());
}

#[test]
fn package_tag_overrides_the_default_by_exact_name() {
    let o = opp(&[START_TAG, "Package: Premium"], Some("a@b.c"));
    assert_eq!(choose_package(&settings(), &o.tags).unwrap(), "Premium");
    // Case and spelling matter: "premium" is not "Premium".
    let err = choose_package(&settings(), &["Package: premium".to_owned()]).unwrap_err();
    assert_eq!(err.code, "unknown_package");
    assert!(err.message.contains("\"Package: premium\""));
    assert!(err.message.contains("Standard, Premium, Driver"));
}

#[test]
fn unknown_package_and_missing_email_create_a_rejected_order_with_one_note() {
    for (o, needle) in [
        (
            opp(&[START_TAG, "Package: Gold"], Some("a@b.c")),
            "names a package",
        ),
        (opp(&[START_TAG], None), "email is missing"),
        (opp(&[START_TAG], Some("  ")), "email is missing"),
    ] {
        let StartDecision::Create(order, effects) =
            decide_start(&settings(), None, &o, new_order())
        else {
            panic!("expected a rejected order")
        };
        assert_eq!(order.status, OrderStatus::Rejected);
        assert!(order.status.is_terminal());
        let n = notes(&effects);
        assert_eq!(n.len(), 1, "{n:?}");
        assert!(n[0].contains(needle), "{}", n[0]);
        assert_eq!(cleared_tags(&effects), vec![START_TAG]);
        assert!(
            !effects
                .iter()
                .any(|e| matches!(e, Effect::PlaceOrder { .. }))
        );
    }
}

#[test]
fn an_order_under_way_only_loses_its_start_tag() {
    let active = pending();
    let o = opp(&[START_TAG], Some("a@b.c"));
    let StartDecision::AlreadyOrdered(effects) =
        decide_start(&settings(), Some(&active), &o, new_order())
    else {
        panic!("no second order")
    };
    assert_eq!(cleared_tags(&effects), vec![START_TAG]);
    assert!(notes(&effects).is_empty());
}

#[test]
fn accepted_is_pending_submission_for_fourteen_days_and_drops_the_start_tag() {
    let (next, effects) = accepted(&settings(), &new_order(), "BO-7".into(), T0);
    assert_eq!(next.status, OrderStatus::Pending);
    assert_eq!(next.expires_at, Some(datetime!(2026-03-15 9:00 UTC)));
    assert_eq!(
        desired_tags(&next),
        vec!["Backgrounds Online Pending Submission"]
    );
    assert_eq!(cleared_tags(&effects), vec![START_TAG]);
}

#[test]
fn callbacks_render_the_documented_tags_and_notes() {
    let p = pending();
    let UpdateDecision::Apply(inproc, e) = apply_update(&p, ProviderUpdate::InProcess, None, T0)
    else {
        panic!()
    };
    assert_eq!(desired_tags(&inproc), vec!["Backgrounds Online In-Process"]);
    assert_eq!(inproc.expires_at, None, "submitted orders never expire");
    assert!(notes(&e).is_empty());

    let UpdateDecision::Apply(clear, e) =
        apply_update(&inproc, ProviderUpdate::Complete { clear: true }, None, T0)
    else {
        panic!()
    };
    assert_eq!(desired_tags(&clear), vec!["Backgrounds Online Clear"]);
    assert_eq!(notes(&e), vec![CLEAR_NOTE]);

    let UpdateDecision::Apply(review, e) =
        apply_update(&inproc, ProviderUpdate::Complete { clear: false }, None, T0)
    else {
        panic!()
    };
    assert_eq!(desired_tags(&review), vec!["Backgrounds Online Review"]);
    assert_eq!(notes(&e), vec![REVIEW_NOTE]);
}

#[test]
fn complete_before_in_process_and_duplicates_change_nothing_more() {
    let p = pending();
    let UpdateDecision::Apply(done, _) =
        apply_update(&p, ProviderUpdate::Complete { clear: true }, None, T0)
    else {
        panic!()
    };
    assert_eq!(
        apply_update(&done, ProviderUpdate::InProcess, None, T0),
        UpdateDecision::Refuse {
            to: OrderStatus::InProgress,
            verdict: Verdict::Stale
        }
    );
    assert_eq!(
        apply_update(&done, ProviderUpdate::Complete { clear: false }, None, T0),
        UpdateDecision::Ignore("duplicate")
    );
    assert_eq!(
        apply_update(&done, ProviderUpdate::Cancelled, None, T0),
        UpdateDecision::Refuse {
            to: OrderStatus::Cancelled,
            verdict: Verdict::Illegal
        },
        "a cancel after results is refused and recorded"
    );
    let UpdateDecision::Apply(inproc, _) = apply_update(&p, ProviderUpdate::InProcess, None, T0)
    else {
        panic!()
    };
    assert_eq!(
        apply_update(&inproc, ProviderUpdate::InProcess, None, T0),
        UpdateDecision::Ignore("duplicate")
    );
}

#[test]
fn cancel_only_while_pending_submission() {
    let o = opp(&[CANCEL_TAG], Some("a@b.c"));
    let p = pending();
    assert!(matches!(
        decide_cancel(Some(&p), &o),
        CancelDecision::AskProvider(_)
    ));
    // Still being placed: the provider is asked once it has the order.
    assert!(matches!(
        decide_cancel(Some(&new_order()), &o),
        CancelDecision::AskProvider(_)
    ));

    let UpdateDecision::Apply(inproc, _) = apply_update(&p, ProviderUpdate::InProcess, None, T0)
    else {
        panic!()
    };
    let CancelDecision::Refuse(effects) = decide_cancel(Some(&inproc), &o) else {
        panic!("in process cannot be cancelled")
    };
    assert_eq!(cleared_tags(&effects), vec![CANCEL_TAG]);
    let n = notes(&effects);
    assert_eq!(n.len(), 1);
    assert!(n[0].starts_with("The background check request could not be cancelled: "));

    let CancelDecision::Refuse(effects) = decide_cancel(None, &o) else {
        panic!("nothing to cancel")
    };
    assert_eq!(cleared_tags(&effects), vec![CANCEL_TAG]);
}

#[test]
fn cancelled_and_expired_have_their_tag_and_note() {
    let p = pending();
    let (c, e) = cancelled(&p, T0);
    assert_eq!(desired_tags(&c), vec!["Backgrounds Online Cancelled"]);
    assert_eq!(notes(&e), vec![CANCELLED_NOTE]);
    assert!(cleared_tags(&e).contains(&CANCEL_TAG.to_owned()));
    assert_eq!(c.expires_at, None);

    let (x, e) = expired(&p, T0);
    assert_eq!(desired_tags(&x), vec!["Backgrounds Online Expired"]);
    assert_eq!(notes(&e), vec![EXPIRED_NOTE]);
    assert!(e.iter().any(|e| matches!(
        e,
        Effect::CancelOrder {
            reason: CancelReason::Expired,
            ..
        }
    )));
}

#[test]
fn exactly_one_status_tag_is_managed_and_desired() {
    let managed = managed_tags();
    let p = pending();
    for order in [
        p.clone(),
        cancelled(&p, T0).0,
        expired(&p, T0).0,
        match apply_update(&p, ProviderUpdate::Complete { clear: false }, None, T0) {
            UpdateDecision::Apply(o, _) => *o,
            other => panic!("{other:?}"),
        },
    ] {
        let desired = desired_tags(&order);
        assert_eq!(desired.len(), 1);
        assert!(managed.owns(&desired[0]));
    }
    assert!(!managed.owns(START_TAG) && !managed.owns(CANCEL_TAG));
    assert!(!managed.owns("Backgrounds Online Clearance"));
}
