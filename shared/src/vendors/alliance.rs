//! Alliance 2020, the provider side: the order is prepared from the candidate's Lever record
//! (once Lever confirms the stage move that opened it) and placed.

use super::placement;
use crate::dispatcher::{Dispatcher, Done, Failure};
use crate::domain::ats::confirmation;
use crate::domain::effects::OutboxItem;
use crate::domain::providers::alliance;
use crate::domain::{Integration, Order, OrderStatus, TenantConfig};
use crate::ports::TenantSecrets;
use crate::ports::lever::LeverError;
use crate::ports::store::Commit;

impl Dispatcher {
    pub(crate) async fn submit_alliance(
        &self,
        item: &OutboxItem,
        order: Order,
        tenant: TenantConfig,
        secrets: TenantSecrets,
    ) -> Result<Done, Failure> {
        if order.status != OrderStatus::Requested {
            return Ok(Done::Performed); // already submitted by an earlier run
        }
        let settings = tenant.alliance.as_ref().ok_or_else(|| {
            Failure::Permanent("Alliance 2020 is not enabled for this tenant".into())
        })?;
        let lever = Self::lever_account(&tenant, &secrets)?;
        let opp = match self
            .vendors
            .lever
            .get_opportunity(&lever, &order.opportunity_id)
            .await
        {
            Ok(opp) => Some(opp),
            Err(LeverError::Status { status: 404, .. }) => None,
            Err(e) => return Err(e.into()),
        };
        // The webhook's claim (which opportunity moved where) was not signed: only Lever's
        // own record of the move lets the order go to the provider.
        let Some(opp) =
            opp.filter(|o| confirmation::move_confirmed(order.claimed_move.as_ref(), o))
        else {
            tracing::warn!(tenant = %order.tenant, order_id = %order.id, "stage move not confirmed by Lever; nothing ordered");
            crate::metrics::count(
                "TriggersUnconfirmed",
                &[("Integration", order.integration.as_str())],
            );
            let (next, effects) = confirmation::unconfirmed(&order, self.clock.now());
            let outbox = self.items(&order.tenant, effects);
            return self
                .commit_consuming(
                    Commit::update(&order, next, "dispatcher:trigger_unconfirmed", outbox)
                        .consuming(item.id),
                )
                .await;
        };
        let posting = match opp.posting_id() {
            Some(id) => match self.vendors.lever.get_posting(&lever, id).await {
                Ok(p) => Some(p),
                Err(LeverError::Status { status: 404, .. }) => None,
                Err(e) => return Err(e.into()),
            },
            None => None,
        };
        let now = self.clock.now();
        let (next, effects, cause) =
            match alliance::build_order(settings, &order, &opp, posting.as_ref()) {
                Err(rejection) => {
                    crate::metrics::count(
                        "OrdersRejected",
                        &[
                            ("Integration", order.integration.as_str()),
                            ("Reason", rejection.code),
                        ],
                    );
                    let (next, effects) = alliance::rejected(&order, rejection.message, now);
                    (next, effects, "dispatcher:rejected")
                }
                Ok(request) => {
                    let acct = self.provider_account(
                        &tenant,
                        &secrets,
                        Integration::Alliance2020,
                        &settings.api_base,
                    )?;
                    let answer = self.vendors.alliance.place_order(&acct, &request).await;
                    placement(
                        &order,
                        alliance::PROVIDER_NAME,
                        answer,
                        |provider_ref| alliance::accepted(&order, provider_ref, request, now),
                        |message| {
                            let msg = format!(
                                "{} rejected the background check order: {message}",
                                alliance::PROVIDER_NAME
                            );
                            alliance::rejected(&order, msg, now)
                        },
                    )?
                }
            };
        let outbox = self.items(&order.tenant, effects);
        self.commit_consuming(Commit::update(&order, next, cause, outbox).consuming(item.id))
            .await
    }
}
