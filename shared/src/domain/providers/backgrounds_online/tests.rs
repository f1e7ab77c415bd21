use super::*;
use crate::domain::TenantId;
use crate::domain::kinds::{AtsKind, Pairing, ProviderKind};
use crate::domain::subject::Job;
use time::macros::datetime;

fn settings() -> BackgroundsOnlineSettings {
    BackgroundsOnlineSettings {
        api_base: "https://bo.example".into(),
        default_package: "Standard".into(),
        packages: vec!["Premium".into(), "Driver".into()],
        package_tag_prefix: "Package: ".into(),
        expiry_days: 14,
    }
}

fn subject(tags: &[&str], email: Option<&str>) -> Subject {
    Subject {
        ats: AtsKind::Lever,
        details: Default::default(),
        name: Some("Ada Lovelace".into()),
        email: email.map(str::to_owned),
        phone: Some("+1 555 0100".into()),
        location: Some("Austin".into()),
        labels: tags.iter().map(|t| (*t).to_owned()).collect(),
        package: None,
        job: Job {
            title: Some("Driver".into()),
            ..Job::default()
        },
    }
}

fn order() -> Order {
    Order::new(
        TenantId::parse("acme").unwrap(),
        &Pairing::new(
            "backgrounds_online",
            AtsKind::Lever,
            ProviderKind::BackgroundsOnline,
        ),
        "opp-1".into(),
        datetime!(2026-03-01 9:00 UTC),
    )
}

#[test]
fn the_default_package_is_ordered_with_the_candidate_fields() {
    let o = order();
    let sent = prepare(&settings(), &o, &subject(&["Other"], Some("a@b.c"))).unwrap();
    assert_eq!(sent.client_reference, o.id.to_string());
    assert_eq!(sent.package, "Standard");
    assert_eq!(sent.candidate.email, "a@b.c");
    assert_eq!(sent.candidate.name.as_deref(), Some("Ada Lovelace"));
    assert_eq!(sent.candidate.phone.as_deref(), Some("+1 555 0100"));
    assert_eq!(sent.position.location.as_deref(), Some("Austin"));
    assert_eq!(sent.position.title.as_deref(), Some("Driver"));
}

#[test]
fn the_positions_location_is_the_jobs_else_the_candidates() {
    let mut s = subject(&[], Some("a@b.c"));
    s.job.location = Some("Round Rock, TX, US".into());
    let sent = prepare(&settings(), &order(), &s).unwrap();
    assert_eq!(
        sent.position.location.as_deref(),
        Some("Round Rock, TX, US")
    );
    s.job.location = None;
    let sent = prepare(&settings(), &order(), &s).unwrap();
    assert_eq!(sent.position.location.as_deref(), Some("Austin"));
}

#[test]
fn a_package_label_overrides_the_default_by_exact_name() {
    let sent = prepare(
        &settings(),
        &order(),
        &subject(&["Package: Premium"], Some("a@b.c")),
    )
    .unwrap();
    assert_eq!(sent.package, "Premium");
    // Case and spelling matter: "premium" is not "Premium".
    let err = choose_package(&settings(), &["Package: premium".to_owned()]).unwrap_err();
    assert_eq!(err.code, "unknown_package");
    assert!(err.message.contains("\"Package: premium\""));
    assert!(err.message.contains("Standard, Premium, Driver"));
}

#[test]
fn no_email_or_an_unknown_package_orders_nothing_and_says_why() {
    for (s, code, needle) in [
        (
            subject(&["Package: Gold"], Some("a@b.c")),
            "unknown_package",
            "names a package",
        ),
        (
            subject(&[], None),
            "missing_candidate_field",
            "email is missing in Lever",
        ),
        (
            subject(&[], Some("  ")),
            "missing_candidate_field",
            "email is missing",
        ),
    ] {
        let r = prepare(&settings(), &order(), &s).unwrap_err();
        assert_eq!(r.code, code);
        assert!(r.message.contains(needle), "{}", r.message);
    }
}

#[test]
fn invitations_wait_the_configured_days() {
    assert_eq!(invitation_ttl(&settings()), time::Duration::days(14));
}

#[test]
fn callbacks_read_as_canonical_changes() {
    let read = |body: &str| read_callback(body.as_bytes());
    let clear = read(
        r#"{"order_id":"BO-1","status":"complete","result":"clear","report_url":"https://r/1"}"#,
    )
    .unwrap();
    assert_eq!(clear.provider_ref, "BO-1");
    assert_eq!(clear.change.to, OrderStatus::Complete);
    let found = clear.change.result.unwrap();
    assert_eq!(
        (
            found.flag,
            found.decision.as_deref(),
            found.report_url.as_deref()
        ),
        (Some(false), Some("Clear"), Some("https://r/1"))
    );
    let review = read(r#"{"order_id":"BO-1","status":"complete","result":"review"}"#).unwrap();
    assert_eq!(review.change.result.unwrap().flag, Some(true));
    assert_eq!(
        read(r#"{"order_id":"BO-1","status":"in_process"}"#)
            .unwrap()
            .change
            .to,
        OrderStatus::InProgress
    );
    assert_eq!(
        read(r#"{"order_id":"BO-1","client_reference":"c","status":"cancelled"}"#)
            .unwrap()
            .change
            .to,
        OrderStatus::Cancelled
    );
    // A completion without its result cannot be shown: refused, nothing changes.
    assert_eq!(
        read(r#"{"order_id":"BO-1","status":"complete"}"#),
        Err(CallbackError::Malformed)
    );
    assert_eq!(
        read(r#"{"order_id":"BO-1","status":"lost"}"#),
        Err(CallbackError::Malformed)
    );
}
