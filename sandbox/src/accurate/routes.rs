//! HTTP surface of the fake Accurate: the v3 routes the hub uses (HTTP Basic) and the
//! `/sandbox/…` admin routes for driving orders by hand in the local run.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router, middleware};
use base64::Engine;
use serde_json::{Value, json};

use super::state::{ADJUDICATIONS, CANCELLED, COMPLETED, IN_PROGRESS, INVITATION_SENT, Placed};
use super::{Inner, callbacks};
use crate::fault::{Traffic, traffic_layer};
use crate::provider::{ProviderError, html_escape, json_object};
use crate::server::lock;

type Shared = State<Arc<Inner>>;

pub(crate) fn router(inner: Arc<Inner>) -> Router {
    Router::new()
        .route("/v3/packages", get(packages))
        .route("/v3/requesters", get(requesters))
        .route("/v3/candidate", post(create_candidate))
        .route("/v3/candidate/{id}", get(get_candidate))
        .route("/v3/order", post(place_order))
        .route("/v3/orders", get(list_orders))
        .route("/v3/order/{id}", get(get_order))
        .route("/v3/order/{id}/cancel", post(cancel_order))
        .route("/sandbox/orders", get(admin_list))
        .route("/sandbox/orders/{id}/invite", post(admin_invite))
        .route("/sandbox/orders/{id}/progress", post(admin_progress))
        .route("/sandbox/orders/{id}/complete", post(admin_complete))
        .route("/sandbox/orders/{id}/cancel", post(admin_cancel))
        .route("/sandbox/orders/{id}/resend", post(admin_resend))
        .route("/sandbox/reports/{id}", get(admin_report))
        .fallback(|| async { ProviderError::not_found("route") })
        .layer(middleware::from_fn_with_state(
            inner.traffic.clone(),
            traffic_layer,
        ))
        .with_state(inner)
}

/// Request log and faults: the Basic user name is the key recorded.
pub(crate) fn traffic() -> Arc<Traffic> {
    crate::provider::traffic_with(|h| basic(h).map(|(user, _)| user))
}

/// The HTTP Basic credentials of a request.
fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let encoded = value.strip_prefix("Basic ")?;
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()?;
    let text = String::from_utf8(decoded).ok()?;
    let (user, password) = text.split_once(':')?;
    Some((user.to_owned(), password.to_owned()))
}

/// The account's key, or 401 for missing or wrong credentials.
fn authorised(inner: &Inner, headers: &HeaderMap) -> Result<String, ProviderError> {
    let (user, password) = basic(headers).ok_or_else(ProviderError::unauthorized)?;
    if lock(&inner.state).authenticates(&user, &password) {
        Ok(user)
    } else {
        Err(ProviderError::unauthorized())
    }
}

async fn packages(State(inner): Shared, headers: HeaderMap) -> Result<Response, ProviderError> {
    let key = authorised(&inner, &headers)?;
    let state = lock(&inner.state);
    let data: Vec<Value> = state
        .account(&key)?
        .packages
        .iter()
        .map(|p| json!({ "packageType": p }))
        .collect();
    Ok(Json(data).into_response())
}

#[derive(serde::Deserialize)]
struct ByEmail {
    email: Option<String>,
}

/// `GET /v3/requesters?email=…`: the account's requesters with that email (`[]` if none).
async fn requesters(
    State(inner): Shared,
    headers: HeaderMap,
    Query(q): Query<ByEmail>,
) -> Result<Response, ProviderError> {
    let key = authorised(&inner, &headers)?;
    let email = q
        .email
        .ok_or_else(|| ProviderError::bad_request("email is required"))?;
    let found: Vec<Value> = if lock(&inner.state).has_requester(&key, &email) {
        vec![json!({ "email": email.trim().to_ascii_lowercase() })]
    } else {
        Vec::new()
    };
    Ok(Json(found).into_response())
}

async fn create_candidate(
    State(inner): Shared,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ProviderError> {
    let key = authorised(&inner, &headers)?;
    let body = json_object(&body)?;
    let c = lock(&inner.state).create_candidate(&key, body)?;
    let mut shown = c.request.clone();
    shown["id"] = json!(c.id);
    Ok((StatusCode::CREATED, Json(shown)).into_response())
}

async fn get_candidate(
    State(inner): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ProviderError> {
    let key = authorised(&inner, &headers)?;
    let state = lock(&inner.state);
    let c = state
        .candidate(&key, &id)
        .ok_or_else(|| ProviderError::not_found("candidate"))?;
    let mut shown = c.request.clone();
    shown["id"] = json!(c.id);
    Ok(Json(shown).into_response())
}

async fn place_order(
    State(inner): Shared,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ProviderError> {
    let key = authorised(&inner, &headers)?;
    let body = json_object(&body)?;
    let (code, order) = match lock(&inner.state).place(&key, body)? {
        Placed::Created(o) => (StatusCode::CREATED, o),
        Placed::Existing(o) => (StatusCode::OK, o),
    };
    Ok((code, Json(order.render())).into_response())
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct ByReference {
    client_reference: Option<String>,
}

/// `GET /v3/orders[?clientReference=…]`: the account's orders.
async fn list_orders(
    State(inner): Shared,
    headers: HeaderMap,
    Query(q): Query<ByReference>,
) -> Result<Response, ProviderError> {
    let key = authorised(&inner, &headers)?;
    let data: Vec<Value> = lock(&inner.state)
        .orders
        .iter()
        .filter(|o| o.api_key == key)
        .filter(|o| {
            q.client_reference
                .as_deref()
                .is_none_or(|r| o.client_reference == r)
        })
        .map(super::state::Order::render)
        .collect();
    Ok(Json(data).into_response())
}

async fn get_order(
    State(inner): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ProviderError> {
    let key = authorised(&inner, &headers)?;
    let state = lock(&inner.state);
    let order = state
        .order(&id)
        .filter(|o| o.api_key == key)
        .ok_or_else(|| ProviderError::not_found("order"))?;
    Ok(Json(order.render()).into_response())
}

async fn cancel_order(
    State(inner): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ProviderError> {
    let key = authorised(&inner, &headers)?;
    let status = lock(&inner.state).cancel(&key, &id)?;
    Ok(Json(json!({ "id": id, "status": status })).into_response())
}

async fn admin_list(State(inner): Shared) -> Json<Value> {
    let data: Vec<Value> = lock(&inner.state)
        .orders
        .iter()
        .map(super::state::Order::render)
        .collect();
    Json(json!({ "data": data }))
}

async fn delivered(
    inner: &Inner,
    id: &str,
    status: &str,
    percent: Option<u8>,
    adjudication: Option<String>,
) -> Result<Response, ProviderError> {
    let code = super::drive_order(inner, id, status, percent, adjudication)
        .await
        .ok_or_else(|| ProviderError::not_found("order"))?;
    Ok(Json(json!({ "delivered_status": code })).into_response())
}

/// `POST /sandbox/orders/{id}/invite`: the invitation (re)sent (→ postback).
async fn admin_invite(
    State(inner): Shared,
    Path(id): Path<String>,
) -> Result<Response, ProviderError> {
    delivered(&inner, &id, INVITATION_SENT, None, None).await
}

/// The body's text or number at `field`; an empty body has none.
fn field(body: &Bytes, name: &str) -> Result<Option<Value>, ProviderError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    Ok(json_object(body)?
        .get(name)
        .cloned()
        .filter(|v| !v.is_null()))
}

/// `POST /sandbox/orders/{id}/progress` `{"percent": 0..=100}` (default 50) → postback.
async fn admin_progress(
    State(inner): Shared,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ProviderError> {
    let percent = match field(&body, "percent")? {
        None => 50,
        Some(v) => v
            .as_u64()
            .filter(|p| *p <= 100)
            .and_then(|p| u8::try_from(p).ok())
            .ok_or_else(|| ProviderError::bad_request("percent must be 0 to 100"))?,
    };
    delivered(&inner, &id, IN_PROGRESS, Some(percent), None).await
}

/// `POST /sandbox/orders/{id}/complete` `{"adjudication": "ELIGIBLE" | "REVIEW" |
/// "NOT_ELIGIBLE"}` (default `ELIGIBLE`) → postback with the report link.
async fn admin_complete(
    State(inner): Shared,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ProviderError> {
    let adjudication = match field(&body, "adjudication")? {
        None => "ELIGIBLE".to_owned(),
        Some(Value::String(a)) if ADJUDICATIONS.contains(&a.as_str()) => a,
        Some(_) => {
            return Err(ProviderError::bad_request(
                "adjudication must be ELIGIBLE, REVIEW or NOT_ELIGIBLE",
            ));
        }
    };
    delivered(&inner, &id, COMPLETED, None, Some(adjudication)).await
}

/// `POST /sandbox/orders/{id}/cancel`: Accurate cancelled (→ postback).
async fn admin_cancel(
    State(inner): Shared,
    Path(id): Path<String>,
) -> Result<Response, ProviderError> {
    delivered(&inner, &id, CANCELLED, None, None).await
}

/// `POST /sandbox/orders/{id}/resend`: the last postback again, unchanged (a duplicate).
async fn admin_resend(
    State(inner): Shared,
    Path(id): Path<String>,
) -> Result<Response, ProviderError> {
    let last = lock(&inner.state)
        .callbacks
        .iter()
        .rev()
        .find(|c| c.order_id.as_deref() == Some(id.as_str()))
        .cloned()
        .ok_or_else(|| ProviderError::not_found("postback for this order"))?;
    let code = callbacks::post(&inner.http, &last.callback).await;
    lock(&inner.state).callbacks.push(super::SentCallback {
        delivered_status: code,
        ..last
    });
    Ok(Json(json!({ "delivered_status": code })).into_response())
}

async fn admin_report(
    State(inner): Shared,
    Path(id): Path<String>,
) -> Result<Html<String>, ProviderError> {
    let state = lock(&inner.state);
    let order = state
        .order(&id)
        .ok_or_else(|| ProviderError::not_found("order"))?;
    let adjudication = order.adjudication.as_deref().unwrap_or("not adjudicated");
    Ok(Html(format!(
        "<html><body><h1>Accurate sandbox report {}</h1><p>Status: {}</p><p>Adjudication: {}</p></body></html>",
        html_escape(&order.id),
        html_escape(&order.status),
        html_escape(adjudication)
    )))
}
