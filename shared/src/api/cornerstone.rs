//! Cornerstone's background-check connector, one per tenant (facts/vendors-and-aws.md §2.1):
//! `GET /cornerstone/{tenant}/api/Packages`, `POST /cornerstone/{tenant}/api/InitiateBackgroundCheck`
//! and the panel, `GET /cornerstone/{tenant}/api/Panel/{reference}`.
//!
//! Every call carries HTTP Basic credentials, compared in constant time with the portal's
//! (username in `ats.cornerstone`, password in the tenant's secret) before the body is read;
//! a second, status-only pair may read the panel and never receives a link. Refused
//! credentials are problem+json (the contract has no shape for them); a request that is read
//! and refused is answered in the contract's shape, `HasErrors: true`, and writes nothing.
//!
//! Initiate writes the order and its first effects in one commit, with a delivery record
//! keyed by `CallbackData.ApplicantRefOrderId` that holds the hub's reference: a redelivery
//! (also concurrent) commits nothing and answers the same `ProviderReferenceId`.
//!
//! Before anything is written, initiate asks the route's provider whether the ordering user
//! (`RequestorData.EmailAddress`) is one of its requesters ([`super::requesters`]; a provider
//! without requesters is not asked): an unknown, missing or unverifiable one is answered
//! `HasErrors: true`, unless the order was taken before (a redelivery answers its reference).
//!
//! Calls of initiate with warm caches: one `TransactWriteItems`, plus one bounded provider
//! call (`GET /v3/requesters` for Accurate) when the requester is not remembered; a
//! redelivery adds one consistent `GetItem` (the delivery record), and so does a refused
//! requester check.

use super::hub::Hub;
use super::problem::{ApiError, Reply};
use super::requesters::Verdict;
use crate::config::TenantConfig;
use crate::domain::OrderId;
use crate::domain::ats::cornerstone::{CornerstoneState, Permission, panel};
use crate::domain::ats::cornerstone_account::CornerstoneSettings;
use crate::domain::ats::cornerstone_request::{BackgroundCheckRequest, Refusal};
use crate::domain::kinds::{AtsKind, ProviderKind};
use crate::domain::order::AdapterData;
use crate::intake::{self, Opening};
use crate::ports::TenantSecrets;
use crate::ports::store::{CommitError, DeliveryRecord};
use crate::webhooks::ct_eq;
use base64::Engine;
use http::HeaderMap;
use serde_json::json;

/// An ApplicantRefOrderId is never reused: its record outlives any redelivery.
const ORDER_RECORD_TTL: time::Duration = time::Duration::days(400);

fn credentials_invalid() -> ApiError {
    ApiError::Refused {
        status: 401,
        code: "credentials-invalid",
        message: "The Basic credentials are missing or not valid for this portal.".into(),
    }
}

/// The `username:password` of a Basic `Authorization` header.
fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let raw = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, encoded) = raw.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, pass) = text.split_once(':')?;
    Some((user.to_owned(), pass.to_owned()))
}

/// What the credentials `(user, pass)` may do on this portal (both pairs compared, each in
/// constant time); `None` when they match neither.
fn permission(
    settings: &CornerstoneSettings,
    secrets: &TenantSecrets,
    (user, pass): (&str, &str),
) -> Option<Permission> {
    let c = secrets.cornerstone.as_ref()?;
    let pair = |u: &str, p: &str| {
        !p.is_empty() & ct_eq(u.as_bytes(), user.as_bytes()) & ct_eq(p.as_bytes(), pass.as_bytes())
    };
    let full = pair(&settings.username, c.password.expose());
    let status = match (&settings.status_username, &c.status_password) {
        (Some(u), Some(p)) => pair(u, p.expose()),
        _ => false,
    };
    if full {
        Some(Permission::Full)
    } else if status {
        Some(Permission::StatusOnly)
    } else {
        None
    }
}

/// The tenant the path names, its portal's settings, and what the caller may do: checked
/// before anything in the body is read.
async fn authenticate(
    hub: &Hub,
    tenant_raw: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(TenantConfig, Permission, TenantSecrets), ApiError> {
    let tenant = hub.admit(tenant_raw, body).await?;
    let settings = tenant
        .ats
        .cornerstone
        .clone()
        .ok_or(ApiError::TenantUnknown)?;
    let given = basic(headers).ok_or_else(credentials_invalid)?;
    let given = (given.0.as_str(), given.1.as_str());
    let secrets = hub
        .secrets
        .verify_with(&tenant.id, |s| permission(&settings, s, given).is_some())
        .await
        .map_err(|e| ApiError::unavailable("secrets", e))?
        .ok_or_else(credentials_invalid)?;
    let permission = permission(&settings, &secrets, given).ok_or_else(credentials_invalid)?;
    Ok((tenant, permission, secrets))
}

fn settings(tenant: &TenantConfig) -> &CornerstoneSettings {
    tenant.ats.cornerstone.as_ref().expect("authenticated")
}

/// `BackgroundCheckResponse`.
fn response(reference: Option<OrderId>, errors: &[String]) -> Reply {
    Reply::ok(json!({
        "ProviderReferenceId": reference.map(|r| r.to_string()),
        "HasErrors": !errors.is_empty(),
        "Errors": errors.iter().map(|d| json!({ "Description": d })).collect::<Vec<_>>(),
    }))
}

fn refused(tenant: &TenantConfig, r: Refusal) -> Reply {
    tracing::info!(tenant = %tenant.id, code = r.code, "Cornerstone initiate refused");
    crate::metrics::count("CornerstoneInitiateRefused", &[("Reason", r.code)]);
    response(None, &[r.description])
}

/// `GET /cornerstone/{tenant}/api/Packages`.
pub async fn packages(hub: &Hub, tenant_raw: &str, headers: &HeaderMap, body: &[u8]) -> Reply {
    match authenticate(hub, tenant_raw, headers, body).await {
        Ok((tenant, _, _)) => Reply::ok(settings(&tenant).listed()),
        Err(e) => problem(e),
    }
}

/// `POST /cornerstone/{tenant}/api/InitiateBackgroundCheck`.
pub async fn initiate(hub: &Hub, tenant_raw: &str, headers: &HeaderMap, body: &[u8]) -> Reply {
    let (tenant, permission, secrets) = match authenticate(hub, tenant_raw, headers, body).await {
        Ok(ok) => ok,
        Err(e) => return problem(e),
    };
    if permission != Permission::Full {
        return problem(ApiError::Refused {
            status: 403,
            code: "permission-denied",
            message: "These credentials may only read order status.".into(),
        });
    }
    let checked = match BackgroundCheckRequest::read(body).and_then(|r| r.check(settings(&tenant)))
    {
        Ok(c) => c,
        Err(r) => return refused(&tenant, r),
    };
    let Some(route) = tenant.cornerstone_route(&checked.package_id) else {
        return refused(
            &tenant,
            Refusal {
                code: "package-unknown",
                description: format!(
                    "The package \"{}\" is not set up to be ordered yet. Choose another package.",
                    checked.package_id
                ),
            },
        );
    };
    let now = hub.clock.now();
    let key = format!("cornerstone-initiate:{}:{}", tenant.id, checked.order_ref);
    let verdict = hub
        .requesters
        .check(
            &tenant,
            &secrets,
            route.provider,
            checked.intake.requester_email.as_deref(),
            now,
        )
        .await;
    if let Some(refusal) = requester_refusal(verdict, route.provider) {
        // An order taken before is answered, whatever the provider says of its user now.
        return match hub.store.get_delivery(&key, now).await {
            Ok(Some(first)) => taken_before(&tenant, &first),
            Ok(None) => refused(&tenant, refusal),
            Err(e) => problem(ApiError::unavailable("delivery", e)),
        };
    }
    let state = CornerstoneState {
        package_id: checked.package_id.clone(),
        callback: checked.callback.clone(),
        posted: Vec::new(),
        in_flight: None,
    };
    let opening = Opening {
        claimed: None,
        intake: Some(AdapterData::of(&checked.intake)),
        ats_state: Some(AdapterData::of(&state)),
    };
    let mut commit = intake::open(
        &tenant.id,
        route,
        &checked.order_ref,
        opening,
        "cornerstone_initiate",
        now,
    );
    commit.order.warnings = checked.warnings.clone();
    let order_id = commit.order.id;
    let commit = commit.with_delivery(
        DeliveryRecord::new(key.clone(), now + ORDER_RECORD_TTL)
            .with_fingerprint(order_id.to_string()),
    );
    match hub.store.commit(commit).await {
        Ok(()) => {
            intake::count_opened(route, 1);
            tracing::info!(tenant = %tenant.id, %order_id, route = %route.id, "Cornerstone order taken");
            response(Some(order_id), &[])
        }
        Err(CommitError::DuplicateDelivery | CommitError::ActiveOrderExists) => {
            match hub.store.get_delivery(&key, now).await {
                Ok(Some(first)) => taken_before(&tenant, &first),
                Ok(None) => problem(ApiError::unavailable("delivery", "record not found")),
                Err(e) => problem(ApiError::unavailable("delivery", e)),
            }
        }
        Err(e) => problem(ApiError::unavailable("commit", e)),
    }
}

/// The answer to an initiate whose order was taken before: the same reference.
fn taken_before(tenant: &TenantConfig, first: &DeliveryRecord) -> Reply {
    let reference = first.fingerprint.as_deref().and_then(OrderId::parse);
    tracing::info!(tenant = %tenant.id, order_id = ?reference.map(|r| r.to_string()), "Cornerstone order delivered again; acknowledged");
    response(reference, &[])
}

/// Why an order whose ordering user the route's provider did not admit is not taken, in
/// words the portal's user can act on (`None`: admitted).
fn requester_refusal(verdict: Verdict, provider: ProviderKind) -> Option<Refusal> {
    let name = provider.display_name();
    let (code, description) = match verdict {
        Verdict::Allowed => return None,
        Verdict::Missing => (
            "requester-missing",
            format!(
                "Background check not ordered: the request names no ordering user's email \
                 (RequestorData.EmailAddress), which {name} needs to know who orders. Order \
                 again as a user who has an email address."
            ),
        ),
        Verdict::Unknown => (
            "requester-unknown",
            format!(
                "Background check not ordered: the ordering user's email is not a requester \
                 in {name}. Ask your {name} administrator to add this user as a requester in \
                 {name}, then order again."
            ),
        ),
        Verdict::Unverified => (
            "requester-unverified",
            format!(
                "Background check not ordered: {name} could not be reached to verify that the \
                 ordering user is a requester. Nothing was ordered; try again in a few minutes."
            ),
        ),
    };
    Some(Refusal { code, description })
}

/// `GET /cornerstone/{tenant}/api/Panel/{reference}`: the order's panel, with links only for
/// a full-permission caller.
pub async fn panel_of(
    hub: &Hub,
    tenant_raw: &str,
    reference: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Reply {
    let shown = async {
        let (tenant, permission, _) = authenticate(hub, tenant_raw, headers, body).await?;
        let id = OrderId::parse(reference).ok_or(ApiError::IdInvalid)?;
        let order = hub
            .store
            .get_order(id)
            .await
            .map_err(|e| ApiError::unavailable("store", e))?
            .filter(|o| o.tenant == tenant.id && o.ats == AtsKind::Cornerstone)
            .ok_or(ApiError::OrderUnknown)?;
        let state: CornerstoneState = order
            .ats_state
            .as_ref()
            .and_then(AdapterData::read)
            .ok_or(ApiError::OrderUnknown)?;
        let s = settings(&tenant);
        let shown = panel(
            &order,
            &state,
            permission,
            s.adjudication,
            s.progress_url.as_deref(),
        );
        Ok::<_, ApiError>(Reply::ok(serde_json::to_value(shown).unwrap_or_default()))
    };
    shown.await.unwrap_or_else(problem)
}

/// Log a refusal (code and status only) and turn it into the problem reply.
fn problem(e: ApiError) -> Reply {
    tracing::info!(
        code = e.code(),
        status = e.status(),
        "Cornerstone request refused"
    );
    e.into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::secrets::{CornerstoneSecrets, Secret};

    fn settings() -> CornerstoneSettings {
        serde_json::from_value(json!({
            "username": "portal", "status_username": "viewer",
            "packages": [{ "id": "p", "name": "P" }],
            "callback_origins": ["https://*.csod.com"]
        }))
        .unwrap()
    }

    fn secrets() -> TenantSecrets {
        TenantSecrets {
            cornerstone: Some(CornerstoneSecrets {
                password: Secret::new("s3cret"),
                status_password: Some(Secret::new("look")),
            }),
            ..TenantSecrets::default()
        }
    }

    #[test]
    fn each_credential_pair_has_its_permission_and_nothing_else_passes() {
        let (s, k) = (settings(), secrets());
        assert_eq!(
            permission(&s, &k, ("portal", "s3cret")),
            Some(Permission::Full)
        );
        assert_eq!(
            permission(&s, &k, ("viewer", "look")),
            Some(Permission::StatusOnly)
        );
        for bad in [
            ("portal", "look"),
            ("viewer", "s3cret"),
            ("portal", ""),
            ("", ""),
        ] {
            assert_eq!(permission(&s, &k, bad), None, "{bad:?}");
        }
        assert_eq!(
            permission(&s, &TenantSecrets::default(), ("portal", "s3cret")),
            None
        );
    }

    #[test]
    fn an_unadmitted_requester_is_refused_in_words_naming_the_provider_and_what_to_do() {
        assert!(requester_refusal(Verdict::Allowed, ProviderKind::Accurate).is_none());
        let unknown = requester_refusal(Verdict::Unknown, ProviderKind::Accurate).unwrap();
        assert_eq!(unknown.code, "requester-unknown");
        assert!(
            unknown
                .description
                .contains("not a requester in Accurate Background")
                && unknown.description.contains("add this user as a requester"),
            "{}",
            unknown.description
        );
        let unverified = requester_refusal(Verdict::Unverified, ProviderKind::Accurate).unwrap();
        assert_eq!(unverified.code, "requester-unverified");
        assert!(unverified.description.contains("try again"));
        let missing = requester_refusal(Verdict::Missing, ProviderKind::Accurate).unwrap();
        assert_eq!(missing.code, "requester-missing");
        assert!(missing.description.contains("RequestorData.EmailAddress"));
    }

    #[test]
    fn basic_headers_are_read_strictly() {
        let mut h = HeaderMap::new();
        assert_eq!(basic(&h), None);
        h.insert(
            "authorization",
            "Basic cG9ydGFsOnMzOmNyZXQ=".parse().unwrap(),
        );
        assert_eq!(basic(&h), Some(("portal".into(), "s3:cret".into())));
        h.insert(
            "authorization",
            "Bearer cG9ydGFsOnMzY3JldA==".parse().unwrap(),
        );
        assert_eq!(basic(&h), None);
        h.insert("authorization", "Basic !!!".parse().unwrap());
        assert_eq!(basic(&h), None);
    }
}
