//! Effects on the order's ATS, the same for every ATS: showing an order's state, telling it
//! something, and acting on a deletion only once the ATS confirms it.

use super::{Dispatcher, Done, Failure};
use crate::domain::effects::Notice;
use crate::domain::ids::OrderId;
use crate::domain::kinds::AtsKind;
use crate::domain::{Order, OrderStatus, TenantId};
use crate::ports::ats::{AtsContext, Attempt};
use crate::ports::store::CommitError;

impl Dispatcher {
    /// Once an order's candidate data is removed (the candidate was deleted in the ATS, or the
    /// retention period passed) nothing more about it is written to the ATS: the object may be
    /// gone, and a queued results note would carry the very data that was removed.
    fn candidate_data_removed(order: &Order) -> bool {
        if order.scrubbed_at.is_some() {
            tracing::info!("candidate data removed; the ATS is not written");
            return true;
        }
        false
    }

    pub(crate) async fn render(
        &self,
        order_id: OrderId,
        to: Option<OrderStatus>,
        attempt: Attempt,
    ) -> Result<Done, Failure> {
        let (order, tenant, secrets) = self.context(order_id).await?;
        if Self::candidate_data_removed(&order) {
            return Ok(Done::Performed);
        }
        let route = Self::route_of(&tenant, &order)?;
        let ctx = AtsContext {
            tenant: &tenant,
            secrets: &secrets,
        };
        self.registry
            .ats(order.ats)
            .render(&ctx, route, &order, to, attempt)
            .await?;
        Ok(Done::Performed)
    }

    pub(crate) async fn notify(
        &self,
        order_id: OrderId,
        note: &Notice,
        attempt: Attempt,
    ) -> Result<Done, Failure> {
        let (order, tenant, secrets) = self.context(order_id).await?;
        if Self::candidate_data_removed(&order) {
            return Ok(Done::Performed);
        }
        let ctx = AtsContext {
            tenant: &tenant,
            secrets: &secrets,
        };
        self.registry
            .ats(order.ats)
            .notify(&ctx, &order.ats_ref, note, attempt)
            .await?;
        Ok(Done::Performed)
    }

    /// Scrub the ATS object's orders, and remove its profile from the candidate database, once
    /// the ATS confirms it is gone; otherwise nothing.
    pub(crate) async fn confirm_deletion(
        &self,
        tenant: &TenantId,
        ats: AtsKind,
        ats_ref: &str,
    ) -> Result<Done, Failure> {
        let (config, secrets) = self.tenant_context(tenant).await?;
        let ctx = AtsContext {
            tenant: &config,
            secrets: &secrets,
        };
        if !self
            .registry
            .ats(ats)
            .confirms_deleted(&ctx, ats_ref)
            .await?
        {
            tracing::warn!(%tenant, ats_ref, "candidate deletion not confirmed by the ATS; nothing scrubbed");
            crate::metrics::count("DeletionsUnconfirmed", &[("Ats", ats.as_str())]);
            return Ok(Done::Performed);
        }
        // The recruiting passes' profile of the candidate goes at once (idempotent).
        self.profiles
            .remove_profiles(tenant, &[ats_ref.to_owned()])
            .await?;
        match crate::erasure::erase_opportunity(
            self.store.as_ref(),
            tenant,
            ats_ref,
            self.clock.now(),
        )
        .await
        {
            Ok(_) => Ok(Done::Performed),
            Err(CommitError::Store(e)) => Err(Failure::Store(e)),
            Err(e) => Err(Failure::Transient(e.to_string())),
        }
    }
}
