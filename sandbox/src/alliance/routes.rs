//! HTTP surface of the fake Alliance 2020 provider: the contract's `/v1/orders` routes and
//! the `/sandbox/…` admin routes for driving it by hand in the local run.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router, middleware};
use serde_json::{Value, json};

use super::Inner;
use super::state::Placed;
use crate::fault::traffic_layer;
use crate::provider::{ProviderError, html_escape, json_object};
use crate::server::{bearer, lock};

type Shared = State<Arc<Inner>>;

pub(crate) fn router(inner: Arc<Inner>) -> Router {
    Router::new()
        .route("/v1/orders", post(place_order))
        .route("/v1/orders/{id}", get(get_order))
        .route("/sandbox/orders", get(admin_list))
        .route("/sandbox/orders/{id}/advance", post(admin_advance))
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
    if lock(&inner.state).accounts.contains_key(&key) {
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

async fn get_order(
    State(inner): Shared,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Result<Response, ProviderError> {
    let key = authorised(&inner, &headers)?;
    let state = lock(&inner.state);
    match state.order(&id) {
        Some(order) if order.api_key == key => Ok(Json(order.render()).into_response()),
        _ => Err(ProviderError::not_found("order")),
    }
}

async fn admin_list(State(inner): Shared) -> Json<Value> {
    let data: Vec<Value> = lock(&inner.state)
        .orders
        .iter()
        .map(|o| o.render())
        .collect();
    Json(json!({ "data": data }))
}

const STATUSES: [&str; 4] = ["pending", "in_progress", "complete", "rejected"];

/// `POST /sandbox/orders/:id/advance` `{status, flag?, decision?, report_url?, summary?, reason?}`:
/// update the order, send the signed callback, answer `{delivered_status}`.
async fn admin_advance(
    State(inner): Shared,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, ProviderError> {
    let body = json_object(&body)?;
    let str_field = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_owned);
    let status = str_field("status")
        .filter(|s| STATUSES.contains(&s.as_str()))
        .ok_or_else(|| ProviderError::bad_request(format!("status must be one of {STATUSES:?}")))?;
    if lock(&inner.state).order(&id).is_none() {
        return Err(ProviderError::not_found("order"));
    }
    let result = (status == "complete").then(|| {
        let flag = body.get("flag").and_then(Value::as_bool).unwrap_or(false);
        json!({
            "flag": flag,
            "decision": str_field("decision").unwrap_or_else(|| if flag { "Review" } else { "Eligible" }.into()),
            "report_url": str_field("report_url").unwrap_or_else(|| format!("{}/sandbox/reports/{id}", inner.base_url)),
            "summary": str_field("summary").unwrap_or_else(|| "No records found.".into()),
        })
    });
    let reason = match status.as_str() {
        "rejected" => {
            Some(str_field("reason").unwrap_or_else(|| "Rejected by the provider".into()))
        }
        _ => str_field("reason"),
    };
    let delivered = super::advance_order(&inner, &id, &status, result, reason)
        .await
        .ok_or_else(|| ProviderError::not_found("order"))?;
    Ok(Json(json!({ "delivered_status": delivered })).into_response())
}

async fn admin_report(
    State(inner): Shared,
    Path(id): Path<String>,
) -> Result<Html<String>, ProviderError> {
    let state = lock(&inner.state);
    let order = state
        .order(&id)
        .ok_or_else(|| ProviderError::not_found("order"))?;
    let summary = order
        .result
        .as_ref()
        .and_then(|r| r.get("summary"))
        .and_then(Value::as_str)
        .unwrap_or("");
    Ok(Html(format!(
        "<html><body><h1>Alliance 2020 sandbox report {}</h1><p>Status: {}</p><p>{}</p></body></html>",
        html_escape(&order.id),
        html_escape(&order.status),
        html_escape(summary)
    )))
}
