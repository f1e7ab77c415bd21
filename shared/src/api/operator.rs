//! The operator route: `POST /operator/adverse-action/{tenant}` with
//! `Authorization: Bearer <operator_api_key>` (the tenant's secret, compared in constant
//! time before the body is read) and `{"order_id": "...", "step": "pre_adverse" | "cancel" |
//! "dispute" | "resolve_dispute" | "final"}`. A refused step answers 409 `action-refused`
//! with the reason; nothing changes.

use super::hub::Hub;
use super::problem::{ApiError, Reply};
use crate::domain::adverse::Step;
use crate::domain::ids::OrderId;
use crate::operator::{OperatorError, adverse_action};
use crate::webhooks::ct_eq;
use http::HeaderMap;
use serde_json::json;

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Request {
    order_id: String,
    step: String,
}

/// The operator routes' first checks: the body's size and the tenant, then the tenant's
/// operator key (`Authorization: Bearer`, constant time) before anything else is read.
pub(crate) async fn admit_operator(
    hub: &Hub,
    tenant_raw: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<crate::config::TenantConfig, ApiError> {
    let tenant = hub.admit(tenant_raw, body).await?;
    let given = headers
        .get(http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .ok_or(ApiError::ApiKeyInvalid)?;
    hub.secrets
        .verify_with(&tenant.id, |s| {
            s.operator_api_key.as_ref().is_some_and(|k| {
                !k.expose().is_empty() && ct_eq(k.expose().as_bytes(), given.as_bytes())
            })
        })
        .await
        .map_err(|e| ApiError::unavailable("secrets", e))?
        .ok_or(ApiError::ApiKeyInvalid)?;
    Ok(tenant)
}

pub async fn handle(hub: &Hub, tenant_raw: &str, headers: &HeaderMap, body: &[u8]) -> Reply {
    let received = async {
        let tenant = admit_operator(hub, tenant_raw, headers, body).await?;
        let request: Request = serde_json::from_slice(body).map_err(|_| ApiError::BodyMalformed)?;
        let order_id = OrderId::parse(&request.order_id).ok_or(ApiError::IdInvalid)?;
        let step = Step::parse(&request.step).ok_or(ApiError::BodyMalformed)?;
        let now = hub.clock.now();
        match adverse_action(hub.store.as_ref(), &tenant, order_id, step, now).await {
            Ok(order) => Ok(Reply::ok(json!({
                "order_id": order.id.to_string(),
                "status": order.status.as_str(),
                "dispute_open": order.adverse.as_ref().is_some_and(|a| a.dispute_open),
            }))),
            Err(OperatorError::OrderUnknown) => Err(ApiError::OrderUnknown),
            Err(OperatorError::Refused(message)) => Err(ApiError::Refused {
                status: 409,
                code: "action-refused",
                message: format!("Not done: {message}."),
            }),
            Err(OperatorError::Store(e)) => Err(ApiError::unavailable("store", e)),
        }
    };
    received.await.unwrap_or_else(|e: ApiError| {
        tracing::info!(
            code = e.code(),
            status = e.status(),
            "operator request refused"
        );
        e.into()
    })
}
