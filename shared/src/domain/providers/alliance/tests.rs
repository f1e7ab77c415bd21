use super::*;
use crate::domain::ids::TenantId;
use crate::domain::kinds::{AtsKind, Pairing, ProviderKind};
use crate::domain::subject::Job;
use time::OffsetDateTime;
use time::macros::datetime;

const T0: OffsetDateTime = datetime!(2026-11-01 12:00 UTC);

fn settings() -> AllianceSettings {
    AllianceSettings {
        api_base: "https://alliance.test".into(),
        client_code: "MAIN".into(),
        product: ProductSettings {
            default: "Standard".into(),
            tag_prefix: "Product: ".into(),
            available: vec!["Criminal Package 2".into()],
            on_unknown: UnknownProduct::FallbackToDefault,
        },
        sub_client: SubClientSettings::default(),
        reference: ReferenceField::None,
        forward_tag_prefixes: vec!["Alliance: ".into()],
        quickapp: QuickAppDelivery::default(),
    }
}

fn order() -> Order {
    Order::new(
        TenantId::parse("acme").unwrap(),
        &Pairing::new("alliance2020", AtsKind::Lever, ProviderKind::Alliance2020),
        "opp-1".into(),
        T0,
    )
}

/// The candidate, as any ATS would describe them.
fn opp(tags: &[&str]) -> Subject {
    Subject {
        ats: AtsKind::Lever,
        details: Default::default(),
        name: Some("Ada Lovelace".into()),
        email: Some("ada@example.com".into()),
        phone: Some("+1 555 0100".into()),
        location: Some("Remote".into()),
        labels: tags.iter().map(|t| t.to_string()).collect(),
        package: None,
        job: Job::default(),
    }
}

/// The job applied for.
fn posting() -> Job {
    Job {
        title: Some("Senior Engineer".into()),
        department: Some("Engineering".into()),
        location: Some("Austin".into()),
    }
}

fn build_order(
    settings: &AllianceSettings,
    order: &Order,
    candidate: &Subject,
    job: Option<&Job>,
) -> Result<AllianceOrder, Rejection> {
    let mut subject = candidate.clone();
    subject.job = job.cloned().unwrap_or_default();
    prepare(settings, order, &subject)
}

#[test]
fn sends_the_documented_candidate_fields() {
    let o = order();
    let sent = build_order(
        &settings(),
        &o,
        &opp(&["Alliance: rush", "Other"]),
        Some(&posting()),
    )
    .unwrap();
    assert_eq!(sent.client_reference, o.id.to_string());
    assert_eq!(sent.candidate.name, "Ada Lovelace");
    assert_eq!(sent.candidate.email, "ada@example.com");
    assert_eq!(sent.candidate.phone.as_deref(), Some("+1 555 0100"));
    assert_eq!(sent.position.title.as_deref(), Some("Senior Engineer"));
    assert_eq!(sent.position.department.as_deref(), Some("Engineering"));
    assert_eq!(sent.position.location.as_deref(), Some("Austin"));
    assert_eq!(sent.tags, vec!["Alliance: rush".to_string()]);
    assert_eq!(
        (sent.product.as_str(), sent.client_code.as_str()),
        ("Standard", "MAIN")
    );
}

#[test]
fn location_falls_back_to_the_opportunity_without_a_posting() {
    let sent = build_order(&settings(), &order(), &opp(&[]), None).unwrap();
    assert_eq!(sent.position.location.as_deref(), Some("Remote"));
    assert_eq!(sent.position.title, None);
}

#[test]
fn missing_email_rejects_and_names_the_field() {
    let mut o = opp(&[]);
    o.email = Some("  ".into());
    let r = build_order(&settings(), &order(), &o, None).unwrap_err();
    assert_eq!(r.code, "missing_candidate_field");
    assert!(r.message.contains("email"), "{}", r.message);
    assert!(!r.message.contains("name and"), "{}", r.message);
}

#[test]
fn missing_name_and_email_are_both_named() {
    let mut o = opp(&[]);
    o.email = None;
    o.name = None;
    let r = build_order(&settings(), &order(), &o, None).unwrap_err();
    assert!(r.message.contains("name and email"), "{}", r.message);
}

#[test]
fn product_tag_overrides_the_default() {
    let s = settings();
    assert_eq!(
        choose_product(&s, &["Product: Criminal Package 2".into()]).unwrap(),
        "Criminal Package 2"
    );
}

#[test]
fn product_prefix_must_match_exactly() {
    let s = settings();
    assert_eq!(
        choose_product(&s, &["product: Criminal Package 2".into()]).unwrap(),
        "Standard"
    );
    assert_eq!(
        choose_product(&s, &["Product:Criminal Package 2".into()]).unwrap(),
        "Standard"
    );
}

#[test]
fn unknown_product_falls_back_to_default_when_so_configured() {
    let s = settings();
    assert_eq!(
        choose_product(&s, &["Product: Gold".into()]).unwrap(),
        "Standard"
    );
}

#[test]
fn unknown_product_rejects_when_so_configured() {
    let mut s = settings();
    s.product.on_unknown = UnknownProduct::Reject;
    let r = choose_product(&s, &["Product: Gold".into()]).unwrap_err();
    assert_eq!(r.code, "unknown_product");
    assert!(r.message.contains("Product: Gold") && r.message.contains("Criminal Package 2"));
}

fn with_sub_clients(on: SubClientMatch, unmatched: UnmatchedSubClient) -> AllianceSettings {
    let mut s = settings();
    s.sub_client = SubClientSettings {
        match_on: on,
        clients: vec![
            SubClient {
                code: "ATX".into(),
                name: "Acme Texas".into(),
                city: "Austin".into(),
            },
            SubClient {
                code: "NYC".into(),
                name: "Acme New York".into(),
                city: "New York".into(),
            },
        ],
        on_unmatched: unmatched,
    };
    s
}

#[test]
fn sub_client_by_code_name_and_city() {
    use SubClientMatch::*;
    let fb = UnmatchedSubClient::FallbackToMain;
    assert_eq!(
        choose_client_code(&with_sub_clients(ClientCode, fb), Some("nyc")).unwrap(),
        "NYC"
    );
    assert_eq!(
        choose_client_code(&with_sub_clients(ClientName, fb), Some("Acme Texas")).unwrap(),
        "ATX"
    );
    assert_eq!(
        choose_client_code(&with_sub_clients(ClientCity, fb), Some(" Austin ")).unwrap(),
        "ATX"
    );
}

#[test]
fn sub_client_none_always_uses_the_main_client() {
    let s = with_sub_clients(SubClientMatch::None, UnmatchedSubClient::Reject);
    assert_eq!(choose_client_code(&s, Some("Austin")).unwrap(), "MAIN");
}

#[test]
fn unmatched_sub_client_falls_back_to_main() {
    let s = with_sub_clients(
        SubClientMatch::ClientCity,
        UnmatchedSubClient::FallbackToMain,
    );
    assert_eq!(choose_client_code(&s, Some("Paris")).unwrap(), "MAIN");
    assert_eq!(choose_client_code(&s, None).unwrap(), "MAIN");
}

#[test]
fn unmatched_sub_client_rejects_when_so_configured() {
    let s = with_sub_clients(SubClientMatch::ClientCity, UnmatchedSubClient::Reject);
    let r = choose_client_code(&s, Some("Paris")).unwrap_err();
    assert_eq!(r.code, "unmatched_sub_client");
    assert!(r.message.contains("Paris"));
}

#[test]
fn reference_field_modes() {
    let o = order();
    let op = opp(&["Reference: PO-77", "Alliance: x"]);
    let p = posting();
    let mut s = settings();
    assert_eq!(build_order(&s, &o, &op, Some(&p)).unwrap().reference, None);
    s.reference = ReferenceField::JobTitle;
    assert_eq!(
        build_order(&s, &o, &op, Some(&p))
            .unwrap()
            .reference
            .as_deref(),
        Some("Senior Engineer")
    );
    s.reference = ReferenceField::JobDepartment;
    assert_eq!(
        build_order(&s, &o, &op, Some(&p))
            .unwrap()
            .reference
            .as_deref(),
        Some("Engineering")
    );
    s.reference = ReferenceField::ThroughTags {
        prefix: "Reference: ".into(),
    };
    assert_eq!(
        build_order(&s, &o, &op, Some(&p))
            .unwrap()
            .reference
            .as_deref(),
        Some("PO-77")
    );
}

#[test]
fn callbacks_read_as_canonical_changes() {
    let body = br#"{"order_id":"A20-1","client_reference":"c-1","status":"complete",
        "result":{"flag":false,"decision":"Eligible","report_url":"https://r/1","summary":"No records"}}"#;
    let report = read_callback(body).unwrap();
    assert_eq!(report.provider_ref, "A20-1");
    assert_eq!(report.client_reference.as_deref(), Some("c-1"));
    assert_eq!(report.change.to, OrderStatus::Complete);
    assert_eq!(
        report.change.result.unwrap().decision.as_deref(),
        Some("Eligible")
    );
    let rejected =
        read_callback(br#"{"order_id":"A20-1","status":"rejected","reason":"Bad SSN"}"#).unwrap();
    assert_eq!(
        (rejected.change.to, rejected.change.reason.as_deref()),
        (OrderStatus::Rejected, Some("Bad SSN"))
    );
    for (status, to) in [
        ("pending", OrderStatus::Pending),
        ("in_progress", OrderStatus::InProgress),
    ] {
        let body = format!(r#"{{"order_id":"A20-1","status":"{status}"}}"#);
        assert_eq!(read_callback(body.as_bytes()).unwrap().change.to, to);
    }
    for bad in [
        &br#"{"order_id":"A20-1","status":"lost"}"#[..],
        b"{}",
        b"not json",
    ] {
        assert_eq!(read_callback(bad), Err(CallbackError::Malformed));
    }
}

#[test]
fn missing_fields_name_the_ats_the_candidate_came_from() {
    let mut o = opp(&[]);
    o.email = None;
    let r = build_order(&settings(), &order(), &o, None).unwrap_err();
    assert!(r.message.contains("missing in Lever"), "{}", r.message);
}
