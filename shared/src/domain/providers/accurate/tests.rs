use super::*;
use crate::domain::TenantId;
use crate::domain::kinds::{AtsKind, Pairing, ProviderKind};
use crate::domain::subject::Job;
use time::macros::datetime;

fn settings() -> AccurateSettings {
    serde_json::from_value(serde_json::json!({
        "api_base": "https://accurate.example",
        "default_package": "PKG_BASIC",
        "packages": ["PKG_PRO"]
    }))
    .unwrap()
}

fn subject(tags: &[&str], email: Option<&str>, place: Option<&str>) -> Subject {
    Subject {
        ats: AtsKind::Paylocity,
        name: Some("Ada King Lovelace".into()),
        email: email.map(str::to_owned),
        phone: Some("+1 555 0100".into()),
        location: place.map(str::to_owned),
        labels: tags.iter().map(|t| (*t).to_owned()).collect(),
        package: None,
        job: Job::default(),
        details: Default::default(),
    }
}

fn order() -> Order {
    Order::new(
        TenantId::parse("acme").unwrap(),
        &Pairing::new("accurate", AtsKind::Paylocity, ProviderKind::Accurate),
        "opp-1".into(),
        datetime!(2026-03-01 9:00 UTC),
    )
}

#[test]
fn an_interactive_order_names_the_candidate_package_and_job_location() {
    let o = order();
    let sent = prepare(
        &settings(),
        &o,
        &subject(&[], Some("ada@example.com"), Some("Austin, tx")),
    )
    .unwrap();
    assert_eq!(sent.client_reference, o.id.to_string());
    assert_eq!(sent.package_type, "PKG_BASIC");
    assert_eq!(
        (
            sent.candidate.first_name.as_str(),
            sent.candidate.last_name.as_str()
        ),
        ("Ada King", "Lovelace")
    );
    assert_eq!(
        sent.job_location,
        JobLocation {
            city: "Austin".into(),
            region: Some("TX".into()),
            country: "US".into()
        }
    );
    let again = prepare(
        &settings(),
        &o,
        &subject(&[], Some("ada@example.com"), Some("Austin, tx")),
    )
    .unwrap();
    assert_eq!(sent, again);
}

#[test]
fn a_city_alone_or_a_foreign_country_is_a_job_location() {
    let s = settings();
    assert_eq!(
        job_location(&s, "Austin"),
        Some(JobLocation {
            city: "Austin".into(),
            region: None,
            country: "US".into()
        })
    );
    assert_eq!(
        job_location(&s, "Toronto, ON, ca").map(|l| l.country),
        Some("CA".into())
    );
    assert_eq!(job_location(&s, " , "), None);
}

#[test]
fn packages_come_from_the_order_a_label_or_the_default() {
    let o = order();
    let mut s = subject(&["Package: PKG_PRO"], Some("a@b.c"), Some("Austin"));
    assert_eq!(
        prepare(&settings(), &o, &s).unwrap().package_type,
        "PKG_PRO"
    );
    s.labels = vec!["Package: PKG_GOLD".into()];
    let refused = prepare(&settings(), &o, &s).unwrap_err();
    assert_eq!(refused.code, "unknown_package");
    assert!(refused.message.contains("PKG_BASIC, PKG_PRO"));
    s.package = Some("PKG_GOLD".into());
    assert_eq!(
        prepare(&settings(), &o, &s).unwrap_err().code,
        "unknown_package"
    );
}

#[test]
fn missing_email_or_location_is_refused_naming_the_ats() {
    let o = order();
    for s in [
        subject(&[], None, Some("Austin")),
        subject(&[], Some("a@b.c"), None),
    ] {
        let refused = prepare(&settings(), &o, &s).unwrap_err();
        assert_eq!(refused.code, "missing_candidate_field");
        assert!(
            refused.message.contains("missing in Paylocity"),
            "{}",
            refused.message
        );
    }
}

#[test]
fn postbacks_read_as_canonical_changes() {
    let read = |v: serde_json::Value| read_callback(v.to_string().as_bytes());
    let invited = read(serde_json::json!({
        "orderId": "ACC-1", "clientReference": "ord", "status": "INVITATION_SENT"
    }))
    .unwrap();
    assert_eq!(invited.change.to, OrderStatus::Pending);
    assert_eq!(invited.client_reference.as_deref(), Some("ord"));
    let progress = read(serde_json::json!({
        "orderId": "ACC-1", "status": "IN_PROGRESS", "percentComplete": 40
    }))
    .unwrap();
    assert_eq!(progress.change.to, OrderStatus::InProgress);
    assert_eq!(progress.change.percent_complete, Some(40));
    let done = read(serde_json::json!({
        "orderId": "ACC-1", "status": "COMPLETED", "adjudication": "NOT_ELIGIBLE",
        "reportUrl": "https://accurate.example/r/1"
    }))
    .unwrap();
    assert_eq!(done.change.to, OrderStatus::Complete);
    let result = done.change.result.unwrap();
    assert_eq!(result.flag, Some(true));
    assert_eq!(result.decision.as_deref(), Some("Not Eligible"));
    assert_eq!(
        result.report_url.as_deref(),
        Some("https://accurate.example/r/1")
    );
    let cancelled = read(serde_json::json!({ "orderId": "ACC-1", "status": "CANCELLED" })).unwrap();
    assert_eq!(cancelled.change.to, OrderStatus::Cancelled);
}

#[test]
fn unreadable_postbacks_change_nothing() {
    for bad in [
        serde_json::json!({ "orderId": "ACC-1", "status": "COMPLETED" }),
        serde_json::json!({ "orderId": "ACC-1", "status": "IN_PROGRESS", "percentComplete": 101 }),
        serde_json::json!({ "orderId": "ACC-1", "status": "DONE" }),
        serde_json::json!({ "status": "CANCELLED" }),
    ] {
        assert_eq!(
            read_callback(bad.to_string().as_bytes()),
            Err(CallbackError::Malformed),
            "{bad}"
        );
    }
}

#[test]
fn an_order_read_says_what_the_same_postback_says() {
    let view = serde_json::json!({
        "id": "ACC-1", "clientReference": "ord", "candidateId": "CAND-1",
        "status": "IN_PROGRESS", "percentComplete": 40, "adjudication": null,
        "reportUrl": null, "packageType": "PKG_BASIC"
    });
    let read = read_order(view.to_string().as_bytes()).unwrap();
    let postback = read_callback(
        serde_json::json!({ "orderId": "ACC-1", "clientReference": "ord",
                            "status": "IN_PROGRESS", "percentComplete": 40 })
        .to_string()
        .as_bytes(),
    )
    .unwrap();
    assert_eq!(read, postback);
    // The view shows a percentage in every status; only progress counts it.
    let invited = read_order(
        serde_json::json!({ "id": "ACC-1", "status": "INVITATION_SENT", "percentComplete": 0 })
            .to_string()
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(invited.change, StatusChange::to(OrderStatus::Pending));
    let done = read_order(
        serde_json::json!({ "id": "ACC-1", "status": "COMPLETED", "percentComplete": 100,
                            "adjudication": "REVIEW", "reportUrl": "https://r/1" })
        .to_string()
        .as_bytes(),
    )
    .unwrap();
    assert_eq!(done.change.to, OrderStatus::Complete);
    assert_eq!(
        done.change.result.unwrap().report_url.as_deref(),
        Some("https://r/1")
    );
    for bad in [
        serde_json::json!({ "id": "ACC-1", "status": "COMPLETED" }),
        serde_json::json!({ "id": "ACC-1", "status": "SHIPPED" }),
        serde_json::json!({ "status": "IN_PROGRESS" }),
    ] {
        assert!(read_order(bad.to_string().as_bytes()).is_err(), "{bad}");
    }
}
