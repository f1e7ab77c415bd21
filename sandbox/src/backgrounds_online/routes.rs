//! HTTP surface of the fake Backgrounds Online: the contract's `/v1/orders` routes and the
//! `/sandbox/…` admin routes for driving orders by hand in the local run.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router, middleware};
use serde_json::{Value, json};

use super::state::{CANCELLED, COMPLETE, EXPIRED, IN_PROCESS, Placed};
use super::{Inner, callbacks};
use crate::fault::traffic_layer;
use crate::provider::{ProviderError, html_escape, json_object};
use crate::server::{bearer, lock};

type Shared = State<Arc<Inner>>;

pub(crate) fn router(inner: Arc<Inner>) -> Router {
    Router::new()
        .route("/v1/orders", post(place_order))
        .route("/v1/orders/{id}/cancel", post(cancel_order))
        .route("/sandbox/orders", get(admin_list))
        .route("/sandbox/orders/{id}/submit", post(admin_submit))
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

fn authorised(inner: &Inner, headers: &HeaderMap) -> Result<String, ProviderError> {
    let key = bearer(headers).ok_or_else(ProviderError::unauthorized)?;
    if lock(&inner.state).is_key(&key) {
        Ok(key)
    } else {
        Err(ProviderError::unauthorized())
    }
}

async fn place_order(
    State(inner): Shared,
    headers: HeaderMap,
    body: Bytes,
) -> Result<Response, ProviderError> {
    let key = authorised(&inner, &headers)?;
    let body = json_object(&body)?;
    let placed = lock(&inner.state).place(&key, body)?;
    let (code, order) = match placed {
        Placed::Created(o) => (StatusCode::CREATED, o),
        Placed::Existing(o) => (StatusCode::OK, o),
    };
    Ok((
        code,
        Json(json!({"order_id": order.id, "status": order.status})),
    )
        .into_response())
}

async fn cancel_order(
    State(inner): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ProviderError> {
    let key = authorised(&inner, &headers)?;
    let body = json_object(&body)?;
    let reason = body
        .get("reason")
        .and_then(Value::as_str)
        .filter(|r| [CANCELLED, EXPIRED].contains(r))
        .ok_or_else(|| ProviderError::bad_request("reason must be \"cancelled\" or \"expired\""))?;
    let status = lock(&inner.state).cancel(&key, &id, reason)?;
    Ok(Json(json!({"order_id": id, "status": status})).into_response())
}

async fn admin_list(State(inner): Shared) -> Json<Value> {
    let data: Vec<Value> = lock(&inner.state)
        .orders
        .iter()
        .map(|o| o.render())
        .collect();
    Json(json!({ "data": data }))
}

async fn delivered(
    inner: &Inner,
    id: &str,
    status: &str,
    result: Option<&str>,
) -> Result<Response, ProviderError> {
    let code = super::drive_order(inner, id, status, result)
        .await
        .ok_or_else(|| ProviderError::not_found("order"))?;
    Ok(Json(json!({ "delivered_status": code })).into_response())
}

/// `POST /sandbox/orders/{id}/submit`: the candidate submitted (→ `in_process` + callback).
async fn admin_submit(
    State(inner): Shared,
    Path(id): Path<String>,
) -> Result<Response, ProviderError> {
    delivered(&inner, &id, IN_PROCESS, None).await
}

/// `POST /sandbox/orders/{id}/complete` `{"result": "clear" | "review"}` (default `clear`;
/// an empty body is fine) → `complete` + callback.
async fn admin_complete(
    State(inner): Shared,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ProviderError> {
    let result = if body.iter().all(u8::is_ascii_whitespace) {
        "clear".to_owned()
    } else {
        match json_object(&body)?.get("result") {
            None | Some(Value::Null) => "clear".to_owned(),
            Some(Value::String(r)) if r == "clear" || r == "review" => r.clone(),
            Some(_) => {
                return Err(ProviderError::bad_request(
                    "result must be \"clear\" or \"review\"",
                ));
            }
        }
    };
    delivered(&inner, &id, COMPLETE, Some(&result)).await
}

/// `POST /sandbox/orders/{id}/cancel`: the provider cancelled (→ `cancelled` + callback).
async fn admin_cancel(
    State(inner): Shared,
    Path(id): Path<String>,
) -> Result<Response, ProviderError> {
    delivered(&inner, &id, CANCELLED, None).await
}

/// `POST /sandbox/orders/{id}/resend`: the last callback again, unchanged (a duplicate).
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
        .ok_or_else(|| ProviderError::not_found("callback for this order"))?;
    let code = callbacks::post(&inner.http, &last.callback).await;
    lock(&inner.state).callbacks.push(super::SentCallback {
        delivered_status: code,
        attempts: 1,
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
    let result = match order.result.as_deref() {
        Some("clear") => "Clear: no potential adverse information.",
        Some("review") => "Review: potential adverse information.",
        _ => "No result yet.",
    };
    Ok(Html(format!(
        "<html><body><h1>Backgrounds Online sandbox report {}</h1><p>Status: {}</p><p>{}</p></body></html>",
        html_escape(&order.id),
        html_escape(&order.status),
        result
    )))
}
