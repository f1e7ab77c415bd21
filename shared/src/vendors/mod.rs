//! The registry of vendors: which ATS and which provider serve an order, and their outbound
//! clients. One exhaustive `match` per side, so a new vendor does not compile until its line
//! exists here; the dispatcher itself names none of them.
//!
//! Today every route has Lever as its ATS; the provider follows from the order's integration.

mod alliance;
mod backgrounds_online;
mod lever;

use crate::dispatcher::{Dispatcher, Done, Failure};
use crate::domain::effects::{CancelReason, Effect, OutboxItem};
use crate::domain::providers::{alliance as alliance_rules, backgrounds_online as bo_rules};
use crate::domain::{Integration, Order, TenantConfig};
use crate::ports::TenantSecrets;
use crate::ports::lever::LeverApi;
use crate::ports::provider::{
    AllianceApi, BackgroundsOnlineApi, PlacedOrder, ProviderAccount, ProviderError,
};
use std::sync::Arc;
use time::OffsetDateTime;

/// The outbound clients, one per vendor.
#[derive(Clone)]
pub struct Vendors {
    pub lever: Arc<dyn LeverApi>,
    pub alliance: Arc<dyn AllianceApi>,
    pub backgrounds_online: Arc<dyn BackgroundsOnlineApi>,
}

/// The order's next version and effects when placing it failed for good.
pub(crate) fn order_failed(
    order: &Order,
    detail: &str,
    now: OffsetDateTime,
) -> (Order, Vec<Effect>) {
    match order.integration {
        Integration::BackgroundsOnline => bo_rules::failed(order, detail, now),
        Integration::Alliance2020 => alliance_rules::failed(order, detail, now),
    }
}

/// What the ATS is told when a recruiter's cancel could not reach the provider.
pub(crate) fn cancel_unreachable(order: &Order) -> Vec<Effect> {
    match order.integration {
        Integration::BackgroundsOnline => {
            let why = format!(
                "{} could not be reached after several retries; add the tag \"{}\" again to retry",
                bo_rules::PROVIDER_NAME,
                bo_rules::CANCEL_TAG
            );
            vec![bo_rules::cancel_refused(&order.opportunity_id, &why)]
        }
        // No recruiter cancel on this route.
        Integration::Alliance2020 => Vec::new(),
    }
}

/// What a provider's answer to placing an order comes to, the same for every provider:
/// accepted, refused (counted and logged; the order is rejected with the provider's words), or
/// a failure to retry or give up on. `accepted` and `rejected` are the provider's own rules.
pub(crate) fn placement(
    order: &Order,
    provider: &str,
    answer: Result<PlacedOrder, ProviderError>,
    accepted: impl FnOnce(String) -> (Order, Vec<Effect>),
    rejected: impl FnOnce(&str) -> (Order, Vec<Effect>),
) -> Result<(Order, Vec<Effect>, &'static str), Failure> {
    match answer {
        Ok(placed) => {
            let (next, effects) = accepted(placed.provider_ref);
            Ok((next, effects, "dispatcher:accepted"))
        }
        Err(ProviderError::Refused { code, message }) => {
            crate::metrics::count(
                "OrdersRejected",
                &[
                    ("Integration", order.integration.as_str()),
                    ("Reason", "provider_refused"),
                ],
            );
            tracing::info!(order_id = %order.id, code, "provider refused order");
            let (next, effects) = rejected(&message);
            Ok((next, effects, "dispatcher:provider_refused"))
        }
        Err(e) => Err(provider_failure(provider, e)),
    }
}

pub(crate) fn provider_failure(provider: &str, e: ProviderError) -> Failure {
    if e.is_transient() {
        Failure::Transient(format!("{provider}: {e}"))
    } else {
        Failure::Permanent(format!("{provider}: {e}"))
    }
}

impl Dispatcher {
    /// Place the order with its provider.
    pub(crate) async fn place_order(
        &self,
        item: &OutboxItem,
        order: Order,
        tenant: TenantConfig,
        secrets: TenantSecrets,
    ) -> Result<Done, Failure> {
        match order.integration {
            Integration::Alliance2020 => self.submit_alliance(item, order, tenant, secrets).await,
            Integration::BackgroundsOnline => {
                self.submit_backgrounds_online(item, order, tenant, secrets)
                    .await
            }
        }
    }

    /// Cancel or close the order at its provider, where the provider can.
    pub(crate) async fn cancel_order(
        &self,
        item: &OutboxItem,
        order: Order,
        tenant: TenantConfig,
        secrets: TenantSecrets,
        reason: CancelReason,
    ) -> Result<Done, Failure> {
        match order.integration {
            Integration::BackgroundsOnline => {
                self.cancel_backgrounds_online(item, order, tenant, secrets, reason)
                    .await
            }
            // Alliance 2020 has no cancel call; its late reports are refused.
            Integration::Alliance2020 => Ok(Done::Performed),
        }
    }

    /// The account to call the provider of `integration` with, for this tenant.
    pub(crate) fn provider_account(
        &self,
        tenant: &TenantConfig,
        secrets: &TenantSecrets,
        integration: Integration,
        api_base: &str,
    ) -> Result<ProviderAccount, Failure> {
        let creds = secrets.provider(integration).ok_or_else(|| {
            Failure::Permanent(format!(
                "no {} credentials configured",
                integration.as_str()
            ))
        })?;
        Ok(ProviderAccount {
            tenant: tenant.id.clone(),
            api_base: api_base.to_owned(),
            api_key: creds.api_key.clone(),
            callback_url: format!(
                "{}{}{}",
                self.public_base_url.trim_end_matches('/'),
                crate::api::callback_prefix(integration),
                tenant.id
            ),
        })
    }
}
