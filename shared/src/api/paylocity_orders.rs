//! Paylocity's new-order webhook: one URL for every client company of the partner
//! (`POST /paylocity/orders`), and its error callback (`POST /paylocity/order-errors`).
//!
//! The `x-api-key` the partner registered is checked in constant time before the body is
//! read (two keys while it is rotated). The tenant comes from the order's company id (a
//! tenant lists its companies in `ats.paylocity.company_ids`); the package must be one the
//! tenant offers, active, and taken by one of its routes. The order is written durably, with
//! its first effects, in one commit and answered 201: the provider is called by the
//! dispatcher, never on the request path. A redelivery of the same `candidateScreeningOrderId`
//! (also concurrent) commits nothing and is answered 200.
//!
//! DynamoDB calls on the request path with warm caches: one `TransactWriteItems`.

use super::hub::Hub;
use super::problem::{ApiError, Reply};
use crate::config::TenantConfig;
use crate::domain::ats::paylocity::PaylocityState;
use crate::domain::ats::paylocity_order::{Checked, NewOrder, Refusal};
use crate::domain::order::AdapterData;
use crate::intake::{self, Opening};
use crate::ports::secrets::{PartnerSecrets, Secret};
use crate::ports::store::{CommitError, DeliveryRecord};
use crate::webhooks::ct_eq;
use http::HeaderMap;
use serde_json::json;
use sha2::{Digest, Sha256};

/// A screening order id is never reused: its record outlives any redelivery.
const ORDER_RECORD_TTL: time::Duration = time::Duration::days(400);
/// How long a delivery error is remembered (its de-duplication).
const ERROR_RECORD_TTL: time::Duration = time::Duration::days(30);

fn refusal(status: u16, r: Refusal) -> ApiError {
    ApiError::Refused {
        status,
        code: r.code,
        message: r.message,
    }
}

fn sha256_hex(body: &[u8]) -> String {
    hex::encode(Sha256::digest(body))
}

/// The request carries one of the partner's registered keys (constant-time, every key
/// compared).
async fn authenticate(hub: &Hub, headers: &HeaderMap, body: &[u8]) -> Result<(), ApiError> {
    if body.len() > hub.settings.max_body_bytes {
        return Err(ApiError::BodyTooLarge {
            limit: hub.settings.max_body_bytes,
        });
    }
    let Some(given) = headers.get("x-api-key").map(|v| v.as_bytes()) else {
        return Err(ApiError::ApiKeyInvalid);
    };
    let matches = |p: &PartnerSecrets| {
        p.paylocity.as_ref().is_some_and(|p| {
            p.api_keys
                .iter()
                .map(Secret::expose)
                .filter(|k| !k.is_empty())
                .fold(false, |ok, k| ct_eq(k.as_bytes(), given) | ok)
        })
    };
    hub.secrets
        .verify_partner_with(matches)
        .await
        .map_err(|e| ApiError::unavailable("secrets", e))?
        .map(|_| ())
        .ok_or(ApiError::ApiKeyInvalid)
}

/// The tenant serving the order's company, and the checks only it can make.
async fn tenant_for(hub: &Hub, order: &Checked) -> Result<TenantConfig, ApiError> {
    let company = order.company_id.as_str();
    let tenant = hub
        .tenants
        .find(|t| t.ats.paylocity.as_ref().is_some_and(|p| p.serves(company)))
        .await
        .map_err(|e| ApiError::unavailable("tenants", e))?
        .ok_or_else(|| ApiError::Refused {
            status: 422,
            code: "company-not-onboarded",
            message: "This company is not set up for background checks with this screening \
                      partner yet. Finish onboarding with the partner, then order again."
                .into(),
        })?;
    let settings = tenant
        .ats
        .paylocity
        .as_ref()
        .expect("found by its settings");
    let unknown = || ApiError::Refused {
        status: 422,
        code: "package-unknown",
        message: format!(
            "The package \"{}\" is not offered to this company. Choose another package.",
            order.package_id
        ),
    };
    let package = settings.package(&order.package_id).ok_or_else(unknown)?;
    if !package.active {
        return Err(ApiError::Refused {
            status: 422,
            code: "package-inactive",
            message: format!(
                "The package \"{}\" is no longer offered. Choose another package.",
                package.name
            ),
        });
    }
    tenant
        .paylocity_route(&order.package_id)
        .ok_or_else(unknown)?;
    Ok(tenant)
}

/// `POST /paylocity/orders`.
pub async fn handle(hub: &Hub, headers: &HeaderMap, body: &[u8]) -> Reply {
    let received = async {
        authenticate(hub, headers, body).await?;
        let order = NewOrder::read(body)
            .map_err(|_| ApiError::BodyMalformed)?
            .check()
            .map_err(|r| refusal(422, r))?;
        let tenant = tenant_for(hub, &order).await?;
        let settings = tenant.ats.paylocity.as_ref().expect("checked");
        let package = settings.package(&order.package_id).expect("checked");
        let route = tenant.paylocity_route(&order.package_id).expect("checked");
        let now = hub.clock.now();
        let state = PaylocityState::on_arrival(
            &order.company_id,
            &order.package_id,
            package.service_names(),
        );
        let opening = Opening {
            claimed: None,
            intake: Some(AdapterData::of(&order.intake())),
            ats_state: Some(AdapterData::of(&state)),
        };
        let delivery = DeliveryRecord::new(
            format!(
                "paylocity-order:{}:{}",
                order.company_id, order.screening_order_id
            ),
            now + ORDER_RECORD_TTL,
        )
        .with_fingerprint(sha256_hex(body));
        let commit = intake::open(
            &tenant.id,
            route,
            &order.screening_order_id,
            opening,
            "paylocity_order",
            now,
        )
        .with_delivery(delivery);
        let order_id = commit.order.id;
        match hub.store.commit(commit).await {
            Ok(()) => {
                intake::count_opened(route, 1);
                tracing::info!(tenant = %tenant.id, %order_id, route = %route.id, "Paylocity order taken");
                Ok(Reply {
                    status: 201,
                    ..Reply::ok(json!({
                        "status": "accepted",
                        "orderId": order_id.to_string(),
                        "candidateScreeningOrderId": order.screening_order_id,
                    }))
                })
            }
            Err(CommitError::DuplicateDelivery | CommitError::ActiveOrderExists) => {
                tracing::info!(tenant = %tenant.id, "Paylocity order delivered again; acknowledged");
                Ok(Reply::ok(json!({
                    "status": "duplicate",
                    "candidateScreeningOrderId": order.screening_order_id,
                })))
            }
            Err(e) => Err(ApiError::unavailable("commit", e)),
        }
    };
    received.await.unwrap_or_else(|e| refused("order", e))
}

/// What Paylocity's error callback is assumed to carry (its shape is not published): ids
/// only are read, so nothing personal is logged.
#[derive(serde::Deserialize, Default)]
#[serde(default, rename_all = "camelCase")]
struct DeliveryError {
    #[serde(alias = "screeningOrderId", alias = "orderId")]
    candidate_screening_order_id: Option<String>,
    #[serde(alias = "paylocityCompanyId")]
    company_id: Option<String>,
}

/// `POST /paylocity/order-errors`: Paylocity could not deliver an order to us. Recorded once
/// (a redelivery of the same report is acknowledged), logged by ids, counted as
/// `PaylocityOrderDeliveryErrors`.
pub async fn handle_error(hub: &Hub, headers: &HeaderMap, body: &[u8]) -> Reply {
    let received = async {
        authenticate(hub, headers, body).await?;
        let report: DeliveryError =
            serde_json::from_slice(body).map_err(|_| ApiError::BodyMalformed)?;
        let id = |v: Option<String>| {
            v.filter(|s| crate::domain::ids::external_id(s).is_ok())
                .unwrap_or_else(|| "-".into())
        };
        let (order_ref, company) = (
            id(report.candidate_screening_order_id),
            id(report.company_id),
        );
        let now = hub.clock.now();
        let digest = sha256_hex(body);
        let record = crate::ports::store::Record {
            deliveries: vec![
                DeliveryRecord::new(
                    format!(
                        "paylocity-order-error:{company}:{order_ref}:{}",
                        &digest[..16]
                    ),
                    now + ERROR_RECORD_TTL,
                )
                .with_fingerprint(digest),
            ],
            outbox: Vec::new(),
            consumes: None,
            audit: Vec::new(),
            now,
        };
        match hub.store.record(record).await {
            Ok(()) => {
                tracing::warn!(
                    candidate_screening_order_id = %order_ref,
                    company_id = %company,
                    "Paylocity reports it could not deliver an order"
                );
                crate::metrics::count("PaylocityOrderDeliveryErrors", &[]);
                Ok(Reply::ok(json!({ "status": "recorded" })))
            }
            Err(CommitError::DuplicateDelivery) => Ok(Reply::ok(json!({ "status": "duplicate" }))),
            Err(e) => Err(ApiError::unavailable("record", e)),
        }
    };
    received.await.unwrap_or_else(|e| refused("order_error", e))
}

/// Log a refusal (code and status only) and turn it into the problem reply.
fn refused(what: &str, e: ApiError) -> Reply {
    tracing::info!(
        what,
        code = e.code(),
        status = e.status(),
        "Paylocity request refused"
    );
    e.into()
}
