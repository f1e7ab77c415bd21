//! HTTP surface of the fake Paylocity: the OAuth token endpoint and the partner-restricted
//! background-check endpoints the hub calls (facts/vendors-and-aws.md §1.1, §1.2, §1.4).

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, patch, post};
use axum::{Json, Router, middleware};
use serde_json::{Value, json};

use super::Inner;
use super::state::Subscription;
use crate::fault::traffic_layer;
use crate::server::{bearer, lock};

type Shared = State<Arc<Inner>>;

const COMPLIANCE: &str = "/compliance/v1/companies";

pub(crate) fn router(inner: Arc<Inner>) -> Router {
    Router::new()
        .route("/public/security/v1/token", post(token))
        .route(
            &format!("{COMPLIANCE}/{{company}}/backgroundCheck/candidateScreeningOrders/status"),
            patch(status),
        )
        .route(
            &format!("{COMPLIANCE}/{{company}}/backgroundCheck/screeningPackages"),
            get(list_packages).post(upsert_packages),
        )
        .route(
            &format!("{COMPLIANCE}/b6001/clientOnboarding/status"),
            post(onboarding),
        )
        .route(
            &format!("{COMPLIANCE}/b6001/backgroundCheck/candidateScreeningOrders/subscription"),
            get(read_subscription).post(subscribe),
        )
        .route("/sandbox/orders", post(sandbox_order))
        .route("/sandbox/orders/{id}", get(sandbox_show))
        .fallback(|| async { Refusal(404, "route not found".into()) })
        .layer(middleware::from_fn_with_state(
            inner.traffic.clone(),
            traffic_layer,
        ))
        .with_state(inner)
}

/// A refusal: HTTP status and Paylocity's `{errors: [{message}]}` body.
struct Refusal(u16, String);

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0).unwrap_or(StatusCode::BAD_REQUEST);
        (status, Json(json!({ "errors": [{ "message": self.1 }] }))).into_response()
    }
}

/// A valid, unexpired Bearer token, or 401.
fn authorised(inner: &Inner, headers: &HeaderMap) -> Result<(), Refusal> {
    match bearer(headers) {
        Some(token) if lock(&inner.state).token_valid(&token) => Ok(()),
        _ => Err(Refusal(401, "unauthorized".into())),
    }
}

impl From<(u16, String)> for Refusal {
    fn from((status, message): (u16, String)) -> Self {
        Refusal(status, message)
    }
}

/// An authorised request's JSON-object body.
fn guarded(inner: &Inner, headers: &HeaderMap, body: &Bytes) -> Result<Value, Refusal> {
    authorised(inner, headers)?;
    json_body(body)
}

fn json_body(body: &Bytes) -> Result<Value, Refusal> {
    serde_json::from_slice::<Value>(body)
        .ok()
        .filter(Value::is_object)
        .ok_or_else(|| Refusal(400, "body must be a JSON object".into()))
}

/// `application/x-www-form-urlencoded` pairs (`+` and `%XX` decoded).
fn form(body: &[u8]) -> Vec<(String, String)> {
    let decode = |s: &str| {
        let bytes = s.replace('+', " ").into_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%'
                && i + 2 < bytes.len()
                && let Ok(b) =
                    u8::from_str_radix(&String::from_utf8_lossy(&bytes[i + 1..i + 3]), 16)
            {
                out.push(b);
                i += 3;
            } else {
                out.push(bytes[i]);
                i += 1;
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    };
    String::from_utf8_lossy(body)
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .map(|(k, v)| (decode(k), decode(v)))
        .collect()
}

async fn token(State(inner): Shared, body: Bytes) -> Response {
    let fields = form(&body);
    let get = |k: &str| {
        fields
            .iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    if get("grant_type") != Some("client_credentials") {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "error": "unsupported_grant_type" })),
        )
            .into_response();
    }
    let issued = lock(&inner.state).issue_token(
        get("client_id").unwrap_or_default(),
        get("client_secret").unwrap_or_default(),
    );
    match issued {
        Some((access_token, expires_in)) => Json(json!({
            "access_token": access_token, "token_type": "Bearer", "expires_in": expires_in
        }))
        .into_response(),
        None => (
            StatusCode::UNAUTHORIZED,
            Json(json!({ "error": "invalid_client" })),
        )
            .into_response(),
    }
}

async fn status(
    State(inner): Shared,
    Path(company): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    let body = guarded(&inner, &headers, &body)?;
    lock(&inner.state).patch_status(&company, &body)?;
    Ok(StatusCode::OK.into_response())
}

async fn list_packages(
    State(inner): Shared,
    Path(company): Path<String>,
    headers: HeaderMap,
) -> Result<Response, Refusal> {
    authorised(&inner, &headers)?;
    let packages: Vec<Value> = lock(&inner.state)
        .packages
        .get(&company)
        .map(|p| p.values().cloned().collect())
        .unwrap_or_default();
    Ok(Json(json!({ "packages": packages })).into_response())
}

async fn upsert_packages(
    State(inner): Shared,
    Path(company): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    let body = guarded(&inner, &headers, &body)?;
    lock(&inner.state).upsert_packages(&company, &body)?;
    Ok(StatusCode::OK.into_response())
}

async fn onboarding(
    State(inner): Shared,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    let body = guarded(&inner, &headers, &body)?;
    let (Some(company), Some(status)) = (
        body.get("companyId").and_then(Value::as_str),
        body.get("status").and_then(Value::as_str),
    ) else {
        return Err(Refusal(400, "companyId and status are required".into()));
    };
    lock(&inner.state).set_onboarding(company, status)?;
    Ok(StatusCode::OK.into_response())
}

async fn read_subscription(State(inner): Shared, headers: HeaderMap) -> Result<Response, Refusal> {
    authorised(&inner, &headers)?;
    Ok(match &lock(&inner.state).subscription {
        Some(s) => Json(json!([{
            "callbackId": s.callback_id,
            "callbackDetails": { "successCallbackUrl": s.success_url, "errorCallbackUrl": s.error_url },
            "callerDetails": { "callerName": s.caller_name }
        }]))
        .into_response(),
        None => Json(json!([])).into_response(),
    })
}

async fn subscribe(
    State(inner): Shared,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, Refusal> {
    let body = guarded(&inner, &headers, &body)?;
    let text = |path: &[&str]| {
        path.iter()
            .try_fold(&body, |v, k| v.get(*k))
            .and_then(Value::as_str)
            .map(str::to_owned)
    };
    let Some(success_url) =
        text(&["callbackDetails", "successCallbackUrl"]).filter(|u| u.chars().count() <= 256)
    else {
        return Err(Refusal(
            400,
            "callbackDetails.successCallbackUrl is required (at most 256)".into(),
        ));
    };
    let api_key = text(&["apiKey"]);
    if api_key.as_ref().is_some_and(|k| k.chars().count() > 50) {
        return Err(Refusal(400, "apiKey longer than 50".into()));
    }
    let callback_id = uuid::Uuid::new_v4().to_string();
    lock(&inner.state).subscription = Some(Subscription {
        callback_id: callback_id.clone(),
        api_key,
        success_url,
        error_url: text(&["callbackDetails", "errorCallbackUrl"]),
        caller_name: text(&["callerDetails", "callerName"]).unwrap_or_default(),
    });
    Ok(Json(json!({ "callbackId": callback_id })).into_response())
}

/// Sandbox: a recruiter orders a screening (`{companyId, packageId, email?}`; `email: null`
/// for a candidate without one): the order is posted to the partner. Answers the order id
/// and the partner's status.
async fn sandbox_order(State(inner): Shared, body: Bytes) -> Result<Response, Refusal> {
    let body = json_body(&body)?;
    let field = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_owned);
    let (Some(company), Some(package)) = (field("companyId"), field("packageId")) else {
        return Err(Refusal(400, "companyId and packageId are required".into()));
    };
    if lock(&inner.state).subscription.is_none() {
        return Err(Refusal(409, "no order subscription is registered".into()));
    }
    let email = match body.get("email") {
        Some(Value::Null) => None,
        Some(v) => v.as_str().map(str::to_owned),
        None => Some("ada@example.com".to_owned()),
    };
    let (status, id) = super::send_order(&inner, &company, &package, email.as_deref()).await;
    Ok(Json(json!({ "candidateScreeningOrderId": id, "partnerStatus": status })).into_response())
}

/// Sandbox: an order's status, services and the PATCHes Paylocity accepted, oldest first.
async fn sandbox_show(State(inner): Shared, Path(id): Path<String>) -> Result<Response, Refusal> {
    let state = lock(&inner.state);
    let order = state
        .orders
        .get(&id)
        .ok_or_else(|| Refusal(404, "unknown order".into()))?;
    let history: Vec<Value> = order
        .history
        .iter()
        .map(|u| {
            json!({ "oldStatus": u.old_status, "newStatus": u.new_status,
                    "services": u.services, "screeningReportDocuments": u.report_documents })
        })
        .collect();
    Ok(Json(json!({
        "candidateScreeningOrderId": order.id, "companyId": order.company_id,
        "packageId": order.package_id, "status": order.status,
        "services": order.services, "history": history
    }))
    .into_response())
}
