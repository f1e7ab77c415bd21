//! Lever, the ATS side of every current route: rendering an order as managed tags, notes
//! posted once, trigger tags cleared, deletions confirmed before anything is scrubbed.

use crate::dispatcher::{Dispatcher, Done, Failure};
use crate::domain::ats::confirmation::{self, DeletionCheck};
use crate::domain::ats::lever::{NewNote, already_posted};
use crate::domain::ats::lever_tags;
use crate::domain::ats::tags;
use crate::domain::effects::OutboxItem;
use crate::domain::ids::OrderId;
use crate::domain::{Order, TenantConfig, TenantId};
use crate::ports::TenantSecrets;
use crate::ports::lever::{LeverAccount, LeverError};
use crate::ports::store::CommitError;

/// Pages of an opportunity's notes read when looking for one already posted.
const MAX_NOTE_PAGES: usize = 10;

impl From<LeverError> for Failure {
    fn from(e: LeverError) -> Self {
        if e.is_transient() {
            Failure::Transient(format!("Lever: {e}"))
        } else {
            Failure::Permanent(format!("Lever: {e}"))
        }
    }
}

impl Dispatcher {
    /// Once an order's candidate data is removed (the candidate was deleted in Lever, or the
    /// retention period passed) nothing more about it is written to Lever: the opportunity may
    /// be gone, and a queued results note would carry the very data that was removed.
    pub(crate) fn candidate_data_removed(order: &Order) -> bool {
        if order.scrubbed_at.is_some() {
            tracing::info!(order_id = %order.id, "candidate data removed; Lever not written");
            return true;
        }
        false
    }

    pub(crate) async fn clear_trigger(
        &self,
        item: &OutboxItem,
        attempt: u32,
        opportunity_id: &str,
        remove: &[String],
        note: Option<&NewNote>,
    ) -> Result<Done, Failure> {
        let (config, secrets) = self.tenant_context(&item.tenant).await?;
        let lever = Self::lever_account(&config, &secrets)?;
        if !remove.is_empty() {
            self.vendors
                .lever
                .remove_tags(&lever, opportunity_id, remove)
                .await?;
        }
        if let Some(note) = note {
            self.note_once(&lever, opportunity_id, note, item, attempt)
                .await?;
        }
        Ok(Done::Performed)
    }

    /// Post `note` at most once for `item`: Lever has no idempotency key for notes, so an
    /// attempt after the first (whose request may have been applied although its answer was
    /// lost) first looks for the note among those added since the item was queued.
    pub(crate) async fn note_once(
        &self,
        lever: &LeverAccount,
        opportunity_id: &str,
        note: &NewNote,
        item: &OutboxItem,
        attempt: u32,
    ) -> Result<(), LeverError> {
        if attempt > 1 && self.note_exists(lever, opportunity_id, note, item).await? {
            tracing::info!(outbox_id = %item.id, "note already posted by an earlier attempt");
            return Ok(());
        }
        self.vendors
            .lever
            .create_note(lever, opportunity_id, note)
            .await
            .map(|_| ())
    }

    pub(crate) async fn note_exists(
        &self,
        lever: &LeverAccount,
        opportunity_id: &str,
        note: &NewNote,
        item: &OutboxItem,
    ) -> Result<bool, LeverError> {
        let since =
            i64::try_from(item.created_at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX);
        let mut offset: Option<String> = None;
        for _ in 0..MAX_NOTE_PAGES {
            let page = self
                .vendors
                .lever
                .list_notes(lever, opportunity_id, offset.as_deref())
                .await?;
            if already_posted(&page.data, note, since) {
                return Ok(true);
            }
            offset = page.next.filter(|_| page.has_next);
            if offset.is_none() {
                break;
            }
        }
        Ok(false)
    }

    pub(crate) fn lever_account(
        tenant: &TenantConfig,
        secrets: &TenantSecrets,
    ) -> Result<LeverAccount, Failure> {
        LeverAccount::for_tenant(tenant, secrets)
            .ok_or_else(|| Failure::Permanent("no Lever API key configured".into()))
    }

    /// Scrub the opportunity's orders once Lever confirms it is gone; otherwise nothing.
    pub(crate) async fn confirm_deletion(
        &self,
        tenant: &TenantId,
        opportunity_id: &str,
    ) -> Result<Done, Failure> {
        let (config, secrets) = self.tenant_context(tenant).await?;
        let lever = Self::lever_account(&config, &secrets)?;
        let check = match self
            .vendors
            .lever
            .get_opportunity(&lever, opportunity_id)
            .await
        {
            Err(LeverError::Status { status: 404, .. }) => DeletionCheck::NotFound,
            Err(e) => return Err(e.into()),
            Ok(o) if o.deleted_at.is_some() => DeletionCheck::MarkedDeleted,
            Ok(_) => DeletionCheck::Present,
        };
        if !confirmation::deletion_confirmed(check) {
            tracing::warn!(%tenant, opportunity_id, "candidate deletion not confirmed by Lever; nothing scrubbed");
            crate::metrics::count("DeletionsUnconfirmed", &[("Ats", "lever")]);
            return Ok(Done::Performed);
        }
        match crate::erasure::erase_opportunity(
            self.store.as_ref(),
            tenant,
            opportunity_id,
            self.clock.now(),
        )
        .await
        {
            Ok(_) => Ok(Done::Performed),
            Err(CommitError::Store(e)) => Err(Failure::Store(e)),
            Err(e) => Err(Failure::Transient(e.to_string())),
        }
    }

    pub(crate) async fn render(&self, order_id: OrderId) -> Result<Done, Failure> {
        let (order, tenant, secrets) = self.context(order_id).await?;
        if Self::candidate_data_removed(&order) {
            return Ok(Done::Performed);
        }
        let Some((desired, managed)) = lever_tags::for_order(&tenant, &order) else {
            return Err(Failure::Permanent(format!(
                "{} is not enabled for this tenant",
                order.integration.as_str()
            )));
        };
        let lever = Self::lever_account(&tenant, &secrets)?;
        let Some(opp) = opportunity_gone_is_done(
            self.vendors
                .lever
                .get_opportunity(&lever, &order.opportunity_id)
                .await,
        )?
        else {
            return Ok(Done::Performed);
        };
        let diff = tags::diff(&opp.tags, &desired, &managed);
        if !diff.remove.is_empty() {
            self.vendors
                .lever
                .remove_tags(&lever, &order.opportunity_id, &diff.remove)
                .await?;
        }
        if !diff.add.is_empty() {
            self.vendors
                .lever
                .add_tags(&lever, &order.opportunity_id, &diff.add)
                .await?;
        }
        Ok(Done::Performed)
    }

    pub(crate) async fn note(
        &self,
        item: &OutboxItem,
        attempt: u32,
        order_id: OrderId,
        note: &NewNote,
    ) -> Result<Done, Failure> {
        let (order, tenant, secrets) = self.context(order_id).await?;
        if Self::candidate_data_removed(&order) {
            return Ok(Done::Performed);
        }
        let lever = Self::lever_account(&tenant, &secrets)?;
        opportunity_gone_is_done(
            self.note_once(&lever, &order.opportunity_id, note, item, attempt)
                .await,
        )?;
        Ok(Done::Performed)
    }
}

/// A Lever write about an opportunity Lever no longer has (404): there is nothing left to
/// write to, so the effect is done rather than failed (the candidate was deleted; the hub
/// hears of it by webhook and scrubs its orders).
fn opportunity_gone_is_done<T>(result: Result<T, LeverError>) -> Result<Option<T>, Failure> {
    match result {
        Ok(v) => Ok(Some(v)),
        Err(LeverError::Status { status: 404, .. }) => {
            tracing::info!("opportunity no longer in Lever; nothing written");
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}
