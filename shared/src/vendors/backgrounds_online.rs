//! Backgrounds Online, the provider side: placing the order prepared at the poll, and
//! cancelling or closing it.

use super::{placement, provider_failure};
use crate::dispatcher::{Dispatcher, Done, Failure};
use crate::domain::effects::{CancelReason, OutboxItem};
use crate::domain::providers::backgrounds_online;
use crate::domain::tenant::BackgroundsOnlineSettings;
use crate::domain::{Integration, Order, OrderStatus, TenantConfig};
use crate::ports::TenantSecrets;
use crate::ports::provider::{ProviderAccount, ProviderError};
use crate::ports::store::Commit;

impl Dispatcher {
    /// The tenant's Backgrounds Online settings and the account they and its credentials make.
    pub(crate) fn backgrounds_online_account<'t>(
        &self,
        tenant: &'t TenantConfig,
        secrets: &TenantSecrets,
    ) -> Result<(&'t BackgroundsOnlineSettings, ProviderAccount), Failure> {
        let settings = tenant.backgrounds_online.as_ref().ok_or_else(|| {
            Failure::Permanent("Backgrounds Online is not enabled for this tenant".into())
        })?;
        let acct = self.provider_account(
            tenant,
            secrets,
            Integration::BackgroundsOnline,
            &settings.api_base,
        )?;
        Ok((settings, acct))
    }

    pub(crate) async fn submit_backgrounds_online(
        &self,
        item: &OutboxItem,
        order: Order,
        tenant: TenantConfig,
        secrets: TenantSecrets,
    ) -> Result<Done, Failure> {
        if order.status != OrderStatus::Requested {
            return Ok(Done::Performed); // already submitted, cancelled or failed
        }
        let Some(request) = order
            .request
            .as_ref()
            .and_then(|r| r.read::<backgrounds_online::BackgroundsOnlineOrder>())
        else {
            return Err(Failure::Permanent(
                "order has no Backgrounds Online request".into(),
            ));
        };
        let (settings, acct) = self.backgrounds_online_account(&tenant, &secrets)?;
        let now = self.clock.now();
        let answer = self
            .vendors
            .backgrounds_online
            .place_order(&acct, &request)
            .await;
        let (next, effects, cause) = placement(
            &order,
            backgrounds_online::PROVIDER_NAME,
            answer,
            |provider_ref| backgrounds_online::accepted(settings, &order, provider_ref, now),
            |message| backgrounds_online::rejected(&order, message, now),
        )?;
        let outbox = self.items(&order.tenant, effects);
        self.commit_consuming(Commit::update(&order, next, cause, outbox).consuming(item.id))
            .await
    }

    pub(crate) async fn cancel_backgrounds_online(
        &self,
        item: &OutboxItem,
        order: Order,
        tenant: TenantConfig,
        secrets: TenantSecrets,
        reason: CancelReason,
    ) -> Result<Done, Failure> {
        if reason == CancelReason::Cancelled && order.status == OrderStatus::Requested {
            // The order is still being placed: cancel once the provider has it.
            return Err(Failure::Transient("order not placed yet".into()));
        }
        let Some(provider_ref) = order.provider_ref.clone() else {
            return Ok(Done::Performed); // never reached the provider: nothing to close
        };
        if reason == CancelReason::Cancelled && order.status != OrderStatus::Pending {
            if order.status == OrderStatus::Cancelled {
                return Ok(Done::Performed);
            }
            // The candidate submitted (or the order ended) since the poll decided.
            let why = if order.status == OrderStatus::InProgress {
                "the candidate has already submitted their information and the check is in process"
            } else {
                "the request is no longer awaiting the candidate's submission"
            };
            let effect = backgrounds_online::cancel_refused(&order.opportunity_id, why);
            return self
                .record_consuming(item, &order.tenant, vec![effect])
                .await;
        }
        let (_, acct) = self.backgrounds_online_account(&tenant, &secrets)?;
        let outcome = self
            .vendors
            .backgrounds_online
            .cancel_order(&acct, &provider_ref, reason)
            .await;
        match (reason, outcome) {
            // The order already ended here: closing it at the provider is all there is to do.
            (CancelReason::Expired | CancelReason::CandidateDeleted, Ok(())) => Ok(Done::Performed),
            (
                CancelReason::Expired | CancelReason::CandidateDeleted,
                Err(ProviderError::Refused { code, .. }),
            ) => {
                tracing::info!(order_id = %order.id, code, reason = reason.as_str(), "provider kept the ended order open");
                Ok(Done::Performed)
            }
            (CancelReason::Cancelled, Ok(())) => {
                let (next, effects) = backgrounds_online::cancelled(&order, self.clock.now());
                let outbox = self.items(&order.tenant, effects);
                self.commit_consuming(
                    Commit::update(&order, next, "dispatcher:cancelled", outbox).consuming(item.id),
                )
                .await
            }
            (CancelReason::Cancelled, Err(ProviderError::Refused { message, .. })) => {
                let effect = backgrounds_online::cancel_refused(
                    &order.opportunity_id,
                    &format!("{} refused: {message}", backgrounds_online::PROVIDER_NAME),
                );
                self.record_consuming(item, &order.tenant, vec![effect])
                    .await
            }
            (_, Err(e)) => Err(provider_failure(backgrounds_online::PROVIDER_NAME, e)),
        }
    }
}
