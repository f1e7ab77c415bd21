use super::*;
use serde_json::json;
use time::macros::datetime;

const NOW: OffsetDateTime = datetime!(2026-12-01 12:00 UTC);

fn key() -> [u8; 32] {
    state_key("client-secret")
}

fn state(tenant: &str, expires_at: OffsetDateTime) -> ConnectState {
    ConnectState {
        tenant: TenantId::parse(tenant).unwrap(),
        nonce: "n1".into(),
        expires_at: expires_at.unix_timestamp(),
    }
}

#[test]
fn a_signed_state_verifies_until_it_expires() {
    let s = state("acme", NOW + STATE_TTL);
    let raw = sign_state(&key(), &s);
    assert_eq!(verify_state(&key(), &raw, NOW), Ok(s.clone()));
    assert_eq!(
        verify_state(&key(), &raw, NOW + STATE_TTL),
        Err(StateError::Expired)
    );
}

#[test]
fn a_state_signed_with_another_key_or_changed_is_forged() {
    let raw = sign_state(&key(), &state("acme", NOW + STATE_TTL));
    assert_eq!(
        verify_state(&state_key("other"), &raw, NOW),
        Err(StateError::Forged)
    );
    // Moving the signature of one tenant's state onto another tenant's payload.
    let other = sign_state(&key(), &state("evil", NOW + STATE_TTL));
    let sig = raw.rsplit('.').next().unwrap();
    let (head, _) = other.rsplit_once('.').unwrap();
    assert_eq!(
        verify_state(&key(), &format!("{head}.{sig}"), NOW),
        Err(StateError::Forged)
    );
    for junk in ["", "v1", "v1.a", "v2.a.b", "v1.a.b.c", "v1.!!.??"] {
        assert!(
            matches!(
                verify_state(&key(), junk, NOW),
                Err(StateError::Malformed | StateError::Forged)
            ),
            "{junk}"
        );
    }
}

#[test]
fn scopes_follow_what_the_tenant_uses() {
    let bare = required_scopes(LeverUse::default());
    assert!(bare.contains("offline_access"));
    assert!(bare.contains("webhooks:write:admin"));
    assert!(!bare.contains("notes:write:admin"));
    assert!(!bare.contains("postings:read:admin"));

    let scopes = required_scopes(LeverUse {
        routes: true,
        stage_routes: true,
        ..LeverUse::default()
    });
    for s in [
        "opportunities:write:admin",
        "notes:write:admin",
        "stages:read:admin",
    ] {
        assert!(scopes.contains(s), "{s}");
    }
    assert!(!scopes.contains("resumes:read:admin"));

    let passes = required_scopes(LeverUse {
        passes: true,
        ..LeverUse::default()
    });
    assert!(passes.contains("resumes:read:admin"));
    assert!(passes.contains("postings:read:admin"));
    assert!(
        required_scopes(LeverUse {
            perform_as: true,
            ..LeverUse::default()
        })
        .contains("users:read:admin")
    );
}

#[test]
fn the_authorize_url_carries_every_required_parameter_encoded() {
    let scopes: BTreeSet<&str> = ["offline_access", "notes:write:admin"].into();
    let url = authorize_url(
        "https://auth.lever.co/authorize",
        "cid",
        "https://hub.example/lever/oauth/callback",
        "https://api.lever.co/v1/",
        &scopes,
        "v1.abc.def",
    )
    .unwrap();
    assert_eq!(
        url,
        "https://auth.lever.co/authorize?client_id=cid\
         &redirect_uri=https%3A%2F%2Fhub.example%2Flever%2Foauth%2Fcallback\
         &response_type=code&state=v1.abc.def\
         &audience=https%3A%2F%2Fapi.lever.co%2Fv1%2F\
         &scope=notes%3Awrite%3Aadmin+offline_access&prompt=consent"
    );
    assert!(authorize_url("http://evil.example/a", "c", "r", "a", &scopes, "s").is_err());
    assert!(
        authorize_url(
            "http://127.0.0.1:4001/authorize",
            "c",
            "r",
            "a",
            &scopes,
            "s"
        )
        .is_ok()
    );
    assert!(authorize_url("http://127.0.0.1.evil/x", "c", "r", "a", &scopes, "s").is_err());
}

#[test]
fn refresh_is_due_near_expiry_and_after_a_quiet_week() {
    let exp = (NOW + Duration::minutes(30)).unix_timestamp();
    assert!(!needs_refresh(exp, NOW));
    assert!(needs_refresh(exp, NOW + Duration::minutes(26)));
    assert!(!idle_refresh_due(NOW - Duration::days(6), NOW));
    assert!(idle_refresh_due(NOW - Duration::days(7), NOW));
}

#[test]
fn only_a_lost_grant_counts_as_disconnection() {
    let gone: TokenRefusal =
        serde_json::from_value(json!({"error": "invalid_grant", "error_description": "x"}))
            .unwrap();
    assert!(gone.grant_is_gone());
    let busy: TokenRefusal = serde_json::from_value(json!({"error": "server_error"})).unwrap();
    assert!(!busy.grant_is_gone());
}

#[test]
fn a_token_answer_never_shows_its_tokens_in_debug() {
    let a: TokenAnswer = serde_json::from_value(json!({
        "access_token": "AT-secret", "refresh_token": "RT-secret",
        "token_type": "Bearer", "scope": "offline_access", "expires_in": 3600
    }))
    .unwrap();
    let shown = format!("{a:?}");
    assert!(!shown.contains("secret"), "{shown}");
}

#[test]
fn refusal_advice_says_who_can_authorize() {
    let a = refusal_advice(
        "access_denied",
        Some("Only Super Admins may authorize apps"),
    );
    assert!(a.contains("Super Admin"));
    assert!(a.contains("Only Super Admins may authorize apps"));
}

#[test]
fn query_parameters_are_decoded() {
    let q = "code=a%2Fb+c&state=v1.x.y&error_description=Only%20Super%20Admins&bad=%zz%4&e=%C3%A9";
    assert_eq!(query_param(q, "code").as_deref(), Some("a/b c"));
    assert_eq!(query_param(q, "state").as_deref(), Some("v1.x.y"));
    assert_eq!(
        query_param(q, "error_description").as_deref(),
        Some("Only Super Admins")
    );
    assert_eq!(query_param(q, "bad").as_deref(), Some("%zz%4"));
    assert_eq!(query_param(q, "e").as_deref(), Some("é"));
    assert_eq!(query_param(q, "missing"), None);
}
