use super::*;
use crate::domain::ats::lever::{Phone, PostingCategories};
use crate::domain::ats::tags;
use crate::domain::ids::TenantId;
use crate::domain::lifecycle::Verdict;
use crate::domain::order::Integration;
use crate::domain::tenant::{ProductSettings, QuickAppDelivery, SubClientSettings};
use time::macros::datetime;

const T0: OffsetDateTime = datetime!(2026-11-01 12:00 UTC);

fn settings() -> AllianceSettings {
    AllianceSettings {
        api_base: "https://alliance.test".into(),
        trigger_stage_id: "stage-bg".into(),
        client_code: "MAIN".into(),
        status_tag_format: "Background Check Status: {status}".into(),
        product: ProductSettings {
            default: "Standard".into(),
            tag_prefix: "Product: ".into(),
            available: vec!["Criminal Package 2".into()],
            on_unknown: UnknownProduct::FallbackToDefault,
        },
        sub_client: SubClientSettings::default(),
        reference: ReferenceField::None,
        forward_tag_prefixes: vec!["Alliance: ".into()],
        flag_tag_prefix: Some("Flag: ".into()),
        decision_tag_prefix: Some("Decision: ".into()),
        quickapp: QuickAppDelivery::default(),
    }
}

fn order() -> Order {
    Order::new(
        TenantId::parse("acme").unwrap(),
        Integration::Alliance2020,
        "opp-1".into(),
        T0,
    )
}

fn opp(tags: &[&str]) -> Opportunity {
    Opportunity {
        id: "opp-1".into(),
        name: Some("Ada Lovelace".into()),
        emails: vec!["ada@example.com".into()],
        phones: vec![Phone {
            kind: Some("mobile".into()),
            value: Some("+1 555 0100".into()),
        }],
        location: Some("Remote".into()),
        tags: tags.iter().map(|t| t.to_string()).collect(),
        ..Default::default()
    }
}

fn posting() -> Posting {
    Posting {
        id: "post-1".into(),
        text: Some("Senior Engineer".into()),
        categories: PostingCategories {
            department: Some("Engineering".into()),
            location: Some("Austin".into()),
            ..Default::default()
        },
        ..Default::default()
    }
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
    o.emails = vec!["  ".into()];
    let r = build_order(&settings(), &order(), &o, None).unwrap_err();
    assert_eq!(r.code, "missing_candidate_field");
    assert!(r.message.contains("email"), "{}", r.message);
    assert!(!r.message.contains("name and"), "{}", r.message);
}

#[test]
fn missing_name_and_email_are_both_named() {
    let mut o = opp(&[]);
    o.emails.clear();
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
fn status_tags_follow_the_configured_format() {
    let mut s = settings();
    assert_eq!(
        status_tag(&s, OrderStatus::InProgress).unwrap(),
        "Background Check Status: In Progress"
    );
    assert_eq!(status_tag(&s, OrderStatus::Requested), None);
    s.status_tag_format = "BG {status}".into();
    assert_eq!(status_tag(&s, OrderStatus::Error).unwrap(), "BG Error");
}

fn complete(flag: bool) -> Order {
    let mut o = order();
    o.status = OrderStatus::Complete;
    o.result = Some(ScreeningResult {
        flag: Some(flag),
        decision: Some("Eligible".into()),
        report_url: Some("https://r/1".into()),
        summary: Some("No records".into()),
    });
    o
}

#[test]
fn flag_and_decision_tags_only_when_enabled() {
    let mut s = settings();
    assert_eq!(
        desired_tags(&s, &complete(true)),
        vec![
            "Background Check Status: Complete",
            "Flag: True",
            "Decision: Eligible"
        ]
    );
    s.flag_tag_prefix = None;
    s.decision_tag_prefix = None;
    assert_eq!(
        desired_tags(&s, &complete(false)),
        vec!["Background Check Status: Complete"]
    );
}

#[test]
fn sync_converges_to_exactly_one_status_tag() {
    let s = settings();
    let current: Vec<String> = vec![
        "Background Check Status: Pending".into(),
        "Background Check Status: In Progress".into(),
        "Keep me".into(),
    ];
    let d = tags::diff(
        &current,
        &desired_tags(&s, &complete(false)),
        &managed_tags(&s),
    );
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

fn update(status: ProviderStatus) -> ProviderUpdate {
    ProviderUpdate {
        status,
        result: None,
        reason: None,
    }
}

#[test]
fn callbacks_move_forward_only() {
    let mut o = order();
    o.status = OrderStatus::Pending;
    let UpdateDecision::Apply(next, _) = apply_update(&o, &update(ProviderStatus::InProgress), T0)
    else {
        panic!("in progress should apply")
    };
    assert_eq!((next.status, next.version), (OrderStatus::InProgress, 2));
    assert_eq!(
        apply_update(&next, &update(ProviderStatus::Pending), T0),
        UpdateDecision::Refuse {
            to: OrderStatus::Pending,
            verdict: Verdict::Stale
        }
    );
    assert_eq!(
        apply_update(&next, &update(ProviderStatus::InProgress), T0),
        UpdateDecision::Ignore("duplicate")
    );
}

#[test]
fn complete_before_in_progress_wins_and_the_late_one_is_ignored() {
    let mut o = order();
    o.status = OrderStatus::Pending;
    let mut upd = update(ProviderStatus::Complete);
    upd.result = Some(ScreeningResult {
        flag: Some(false),
        ..Default::default()
    });
    let UpdateDecision::Apply(done, effects) = apply_update(&o, &upd, T0) else {
        panic!()
    };
    assert_eq!(done.status, OrderStatus::Complete);
    let secret_notes = effects
        .iter()
        .filter(|e| matches!(e, Effect::Notify { note, .. } if note.secret))
        .count();
    assert_eq!(secret_notes, 1);
    assert_eq!(
        apply_update(&done, &update(ProviderStatus::InProgress), T0),
        UpdateDecision::Refuse {
            to: OrderStatus::InProgress,
            verdict: Verdict::Stale
        }
    );
}

#[test]
fn rejection_note_is_public_and_carries_the_reason() {
    let (next, effects) = rejected(&order(), "Missing email".into(), T0);
    assert_eq!(next.status, OrderStatus::Rejected);
    assert!(effects.iter().any(
        |e| matches!(e, Effect::Notify { note, .. } if !note.secret && note.value == "Missing email")
    ));
    assert!(effects.iter().any(|e| matches!(e, Effect::Render { .. })));
}

#[test]
fn error_after_retries_explains_itself() {
    let (next, effects) = failed(&order(), "HTTP 503", T0);
    assert_eq!(next.status, OrderStatus::Error);
    let note = effects.iter().find_map(|e| match e {
        Effect::Notify { note, .. } => Some(note.value.clone()),
        _ => None,
    });
    assert!(note.unwrap().contains("HTTP 503"));
}

#[test]
fn results_note_lists_every_reported_field() {
    let text = results_note(complete(true).result.as_ref().unwrap());
    for part in [
        "Flag: True",
        "Decision: Eligible",
        "Summary: No records",
        "Report: https://r/1",
    ] {
        assert!(text.contains(part), "{text}");
    }
}
