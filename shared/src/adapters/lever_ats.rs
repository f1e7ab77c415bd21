//! Lever as an ATS adapter: reading an order's subject once Lever confirms what opened it,
//! showing orders as managed tags and notes (the route's choice, decided by
//! [`crate::domain::ats::lever_route`]), notes posted once, trigger tags cleared, deletions
//! confirmed before anything is scrubbed. Calls go through the Lever client port (rate
//! budget and retries are its wrapper's).

use crate::config::Route;
use crate::domain::ats::confirmation::{self, DeletionCheck, UNCONFIRMED_REASON};
use crate::domain::ats::lever::{self, NewNote, already_posted};
use crate::domain::ats::lever_route;
use crate::domain::ats::tags;
use crate::domain::kinds::AtsKind;
use crate::domain::order::{Order, OrderStatus};
use crate::ports::ats::{AtsAdapter, AtsContext, AtsError, Attempt, Lead, Loaded, StageMove};
use crate::ports::lever::{LeverAccount, LeverApi, LeverError, NewLead, OpportunityQuery};
use std::sync::Arc;

/// Pages of an opportunity's notes read when looking for one already posted.
const MAX_NOTE_PAGES: usize = 10;

/// Why an order whose opportunity Lever no longer has was not placed.
pub const OPPORTUNITY_GONE: &str =
    "Lever no longer has the candidate this order was opened for; nothing was ordered.";

pub struct LeverAts {
    api: Arc<dyn LeverApi>,
}

impl LeverAts {
    pub fn new(api: Arc<dyn LeverApi>) -> Self {
        Self { api }
    }

    fn account(ctx: &AtsContext<'_>) -> Result<LeverAccount, AtsError> {
        LeverAccount::for_tenant(ctx.tenant, ctx.secrets)
            .ok_or_else(|| AtsError::Permanent("no Lever account or API key configured".into()))
    }

    /// Post `note` at most once for the effect: Lever has no idempotency key for notes, so
    /// an attempt after the first (whose request may have been applied although its answer
    /// was lost) first looks for the note among those added since the effect was queued.
    async fn note_once(
        &self,
        acct: &LeverAccount,
        opportunity_id: &str,
        note: &NewNote,
        attempt: Attempt,
    ) -> Result<(), LeverError> {
        if attempt.number > 1
            && self
                .note_exists(acct, opportunity_id, note, attempt)
                .await?
        {
            tracing::info!("note already posted by an earlier attempt");
            return Ok(());
        }
        self.api
            .create_note(acct, opportunity_id, note)
            .await
            .map(|_| ())
    }

    async fn note_exists(
        &self,
        acct: &LeverAccount,
        opportunity_id: &str,
        note: &NewNote,
        attempt: Attempt,
    ) -> Result<bool, LeverError> {
        let since =
            i64::try_from(attempt.queued_at.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX);
        let mut offset: Option<String> = None;
        for _ in 0..MAX_NOTE_PAGES {
            let page = self
                .api
                .list_notes(acct, opportunity_id, offset.as_deref())
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

    /// Converge the opportunity on the view of `order`.
    async fn show(
        &self,
        acct: &LeverAccount,
        order: &Order,
        view: &lever_route::View,
        attempt: Attempt,
    ) -> Result<(), LeverError> {
        let opp_id = order.ats_ref.as_str();
        let current = self.api.get_opportunity(acct, opp_id).await?;
        let spent: Vec<String> = view
            .spent
            .iter()
            .filter(|t| current.tags.contains(t))
            .cloned()
            .collect();
        if !spent.is_empty() {
            self.api.remove_tags(acct, opp_id, &spent).await?;
        }
        let diff = tags::diff(&current.tags, &view.desired, &view.managed);
        if !diff.remove.is_empty() {
            self.api.remove_tags(acct, opp_id, &diff.remove).await?;
        }
        if !diff.add.is_empty() {
            self.api.add_tags(acct, opp_id, &diff.add).await?;
        }
        if let Some(note) = &view.note {
            self.note_once(acct, opp_id, note, attempt).await?;
        }
        Ok(())
    }
}

impl From<LeverError> for AtsError {
    fn from(e: LeverError) -> Self {
        if let LeverError::Disconnected(why) = e {
            AtsError::Disconnected(format!("Lever: {why}"))
        } else if e.is_transient() {
            AtsError::Transient(format!("Lever: {e}"))
        } else {
            AtsError::Permanent(format!("Lever: {e}"))
        }
    }
}

/// A Lever write about an opportunity Lever no longer has (404): there is nothing left to
/// write to, so the effect is done rather than failed (the candidate was deleted; the hub
/// hears of it by webhook and scrubs its orders).
fn gone_is_done(result: Result<(), LeverError>) -> Result<(), AtsError> {
    match result {
        Err(LeverError::Status { status: 404, .. }) => {
            tracing::info!("opportunity no longer in Lever; nothing written");
            Ok(())
        }
        other => other.map_err(AtsError::from),
    }
}

#[async_trait::async_trait]
impl AtsAdapter for LeverAts {
    fn kind(&self) -> AtsKind {
        AtsKind::Lever
    }

    async fn load_subject(&self, ctx: &AtsContext<'_>, order: &Order) -> Result<Loaded, AtsError> {
        let acct = Self::account(ctx)?;
        let opp = match self.api.get_opportunity(&acct, &order.ats_ref).await {
            Ok(opp) => opp,
            Err(LeverError::Status { status: 404, .. }) => {
                return Ok(Loaded::Unconfirmed(OPPORTUNITY_GONE.into()));
            }
            Err(e) => return Err(e.into()),
        };
        // A webhook's claim (which opportunity moved where) was not signed: only Lever's own
        // record of the move lets the order go to the provider.
        if !confirmation::move_confirmed(order.claimed_move.as_ref(), &opp) {
            return Ok(Loaded::Unconfirmed(UNCONFIRMED_REASON.into()));
        }
        let posting = match opp.posting_id() {
            Some(id) => match self.api.get_posting(&acct, id).await {
                Ok(p) => Some(p),
                Err(LeverError::Status { status: 404, .. }) => None,
                Err(e) => return Err(e.into()),
            },
            None => None,
        };
        Ok(Loaded::Subject(Box::new(lever::subject(
            &opp,
            posting.as_ref(),
        ))))
    }

    async fn render(
        &self,
        ctx: &AtsContext<'_>,
        route: &Route,
        order: &Order,
        to: Option<OrderStatus>,
        attempt: Attempt,
    ) -> Result<(), AtsError> {
        let trigger = route
            .trigger
            .lever()
            .ok_or_else(|| AtsError::Permanent(format!("route {} is not in Lever", route.id)))?;
        let view = lever_route::view(&trigger, &route.lever_rendering(), order, to);
        let acct = Self::account(ctx)?;
        gone_is_done(self.show(&acct, order, &view, attempt).await)
    }

    async fn clear_trigger(
        &self,
        ctx: &AtsContext<'_>,
        ats_ref: &str,
        marks: &[String],
        notice: Option<&NewNote>,
        attempt: Attempt,
    ) -> Result<(), AtsError> {
        let acct = Self::account(ctx)?;
        if !marks.is_empty() {
            self.api.remove_tags(&acct, ats_ref, marks).await?;
        }
        if let Some(note) = notice {
            self.note_once(&acct, ats_ref, note, attempt).await?;
        }
        Ok(())
    }

    async fn notify(
        &self,
        ctx: &AtsContext<'_>,
        ats_ref: &str,
        notice: &NewNote,
        attempt: Attempt,
    ) -> Result<(), AtsError> {
        let acct = Self::account(ctx)?;
        gone_is_done(self.note_once(&acct, ats_ref, notice, attempt).await)
    }

    async fn advance_stage(
        &self,
        ctx: &AtsContext<'_>,
        step: &StageMove<'_>,
        notice: &NewNote,
        attempt: Attempt,
    ) -> Result<(), AtsError> {
        let StageMove {
            ats_ref,
            from,
            to,
            actor,
        } = *step;
        let mut acct = Self::account(ctx)?;
        if let Some(actor) = actor {
            acct.perform_as = Some(actor.to_owned());
        }
        let current = match self.api.get_opportunity(&acct, ats_ref).await {
            Ok(o) => o,
            Err(LeverError::Status { status: 404, .. }) => {
                tracing::info!("opportunity no longer in Lever; not advanced");
                return Ok(());
            }
            Err(e) => return Err(e.into()),
        };
        let stage = current.stage_id().unwrap_or_default();
        if stage != to {
            if stage != from {
                tracing::info!("application moved by someone else meanwhile; not advanced");
                return Ok(());
            }
            gone_is_done(self.api.change_stage(&acct, ats_ref, to).await)?;
        }
        gone_is_done(self.note_once(&acct, ats_ref, notice, attempt).await)
    }

    async fn create_lead(
        &self,
        ctx: &AtsContext<'_>,
        lead: &Lead<'_>,
        notice: &NewNote,
        attempt: Attempt,
    ) -> Result<(), AtsError> {
        let mut acct = Self::account(ctx)?;
        if let Some(actor) = lead.actor {
            acct.perform_as = Some(actor.to_owned());
        }
        // Lever has no idempotency key for a new opportunity: whatever created one for this
        // contact and posting before (an earlier attempt whose answer was lost, a recruiter)
        // is found first, and gets the note instead.
        let query = OpportunityQuery {
            contact_id: Some(lead.contact.to_owned()),
            posting_id: Some(lead.posting.to_owned()),
            limit: Some(1),
            ..OpportunityQuery::default()
        };
        let existing = self.api.list_opportunities(&acct, &query, None).await?;
        let opp = match existing.data.first() {
            Some(o) => o.id.clone(),
            None => {
                let new = NewLead {
                    contact: lead.contact.to_owned(),
                    posting: lead.posting.to_owned(),
                    origin: "sourced".into(),
                    sources: vec![lead.source.to_owned()],
                };
                match self.api.create_lead(&acct, &new).await {
                    Ok(id) => id,
                    // The contact or the posting is gone: nothing to suggest any more.
                    Err(LeverError::Status {
                        status: 400 | 404,
                        code,
                    }) => {
                        tracing::info!(code, "lead not created: contact or posting gone");
                        return Ok(());
                    }
                    Err(e) => return Err(e.into()),
                }
            }
        };
        gone_is_done(self.note_once(&acct, &opp, notice, attempt).await)
    }

    async fn confirms_deleted(
        &self,
        ctx: &AtsContext<'_>,
        ats_ref: &str,
    ) -> Result<bool, AtsError> {
        let acct = Self::account(ctx)?;
        let check = match self.api.get_opportunity(&acct, ats_ref).await {
            Err(LeverError::Status { status: 404, .. }) => DeletionCheck::NotFound,
            Err(e) => return Err(e.into()),
            Ok(o) if o.deleted_at.is_some() => DeletionCheck::MarkedDeleted,
            Ok(_) => DeletionCheck::Present,
        };
        Ok(confirmation::deletion_confirmed(check))
    }
}
