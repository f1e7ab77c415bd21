//! FiiLTER: new applications in the tenant's New Applicant stage, scored against the posting
//! applied for. A match is advanced to the screened stage (an outbox effect with its note);
//! the others stay where they are, queued for REFiiNE in the candidate database. FiiLTER
//! never rejects or archives anyone.

use super::{PassReport, PassRunner, TenantFailure};
use crate::config::TenantConfig;
use crate::domain::ats::lever::Posting;
use crate::domain::ats::lever_passes::{
    FiilterAction, Pass, PassSettings, fiilter, keep_profile, posting_doc,
};
use crate::domain::effects::{Effect, OutboxItem};
use crate::domain::events::BusEvent;
use crate::domain::kinds::AtsKind;
use crate::matching::{CandidateIndex, Profile, Query};
use crate::ports::lever::{LeverAccount, LeverError, OpportunityQuery};
use crate::ports::profiles::CandidateRecord;
use crate::ports::store::{CommitError, DeliveryRecord, Record};
use std::collections::HashMap;
use std::time::Instant;

/// A posting as compiled once per run (`None`: Lever no longer has it).
type Compiled = Option<(Posting, Profile, Query)>;

impl PassRunner {
    /// One tenant's FiiLTER run; `Ok(false)` when cut short by the deadline. First every new
    /// application's profile joins the candidate database (so the pool it is scored in holds
    /// it), then each is scored against its posting and decided.
    pub(super) async fn fiilter(
        &self,
        tenant: &TenantConfig,
        settings: &PassSettings,
        deadline: Option<Instant>,
        report: &mut PassReport,
    ) -> Result<bool, TenantFailure> {
        let acct = self.account(tenant, settings).await?;
        let cursor = self.cursor(tenant, Pass::Fiilter).await?;
        let (fresh, newest, complete) = self
            .new_applications(tenant, settings, &acct, cursor, deadline, report)
            .await?;
        if fresh.is_empty() {
            if complete && newest > cursor {
                self.set_cursor(tenant, Pass::Fiilter, newest).await?;
            }
            return Ok(complete);
        }
        let index = self.pool(tenant, settings).await?.index;
        let mut postings: HashMap<String, Compiled> = HashMap::new();
        let mut decided = Vec::new();
        let mut queued = Refine::queue();
        for (key, record) in fresh {
            if deadline.is_some_and(|d| Instant::now() >= d) {
                self.commit(tenant, decided, queued, report).await?;
                return Ok(false);
            }
            let compiled = match &record.posting {
                Some(id) => {
                    self.compiled(&acct, &index, &mut postings, id, report)
                        .await?
                }
                None => None,
            };
            let Some((posting, posting_profile, query)) = compiled else {
                decided.push((key, Vec::new()));
                continue;
            };
            let explanation = index.judge(&record.profile, posting_profile, query);
            let title = posting.text.as_deref().unwrap_or("this posting");
            match fiilter(
                title,
                &explanation,
                settings.match_config().filter_threshold,
            ) {
                FiilterAction::Advance(note) => {
                    let advance = Effect::AdvanceStage {
                        ats: AtsKind::Lever,
                        ats_ref: record.id.clone(),
                        from: settings.new_applicant_stage.clone(),
                        to: settings.screened_stage.clone(),
                        actor: Some(settings.service_user.clone()),
                        note,
                    };
                    let event = BusEvent::application_screened(
                        &tenant.id,
                        &record.id,
                        &posting.id,
                        explanation.score,
                        true,
                    );
                    decided.push((key, vec![advance, Effect::PublishEvent { event }]));
                }
                FiilterAction::Queue => {
                    report.queued += 1;
                    queued.ids.push(record.id.clone());
                    let event = BusEvent::application_screened(
                        &tenant.id,
                        &record.id,
                        &posting.id,
                        explanation.score,
                        false,
                    );
                    decided.push((key, vec![Effect::PublishEvent { event }]));
                }
            }
        }
        self.commit(tenant, decided, queued, report).await?;
        if complete && newest > cursor {
            self.set_cursor(tenant, Pass::Fiilter, newest).await?;
        }
        Ok(complete)
    }

    /// The applications in the New Applicant stage created since the cursor that no run has
    /// handled, each with its profile (now in the candidate database); the newest creation
    /// time seen; whether the listing was read to its end.
    async fn new_applications(
        &self,
        tenant: &TenantConfig,
        settings: &PassSettings,
        acct: &LeverAccount,
        cursor: i64,
        deadline: Option<Instant>,
        report: &mut PassReport,
    ) -> Result<(Vec<(String, CandidateRecord)>, i64, bool), TenantFailure> {
        let query = OpportunityQuery {
            stage_id: Some(settings.new_applicant_stage.clone()),
            created_at_start: Some(cursor - self.tuning.overlap.whole_milliseconds() as i64),
            archived: Some(false),
            expand_applications: true,
            limit: Some(100),
            ..OpportunityQuery::default()
        };
        let mut fresh = Vec::new();
        let mut newest = cursor;
        let now = self.now_ms();
        let mut offset: Option<String> = None;
        loop {
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Ok((fresh, newest, false));
            }
            report.lever_calls += 1;
            let page = self
                .lever
                .list_opportunities(acct, &query, offset.as_deref())
                .await?;
            let mut profiles = Vec::new();
            for opp in &page.data {
                report.items += 1;
                let Some(key) = self
                    .unhandled(Pass::Fiilter, tenant, &opp.id, report)
                    .await?
                else {
                    newest = newest.max(opp.created_at.unwrap_or(newest));
                    continue;
                };
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    self.profiles.put_profiles(&tenant.id, profiles).await?;
                    return Ok((fresh, newest, false));
                }
                newest = newest.max(opp.created_at.unwrap_or(newest));
                let Some(record) = self.read_candidate(acct, opp, report).await? else {
                    continue;
                };
                // Scored all the same, but not held when Lever says it may not be.
                if keep_profile(opp, now, settings.retention_days()).is_ok() {
                    profiles.push(record.clone());
                }
                fresh.push((key, record));
            }
            self.profiles.put_profiles(&tenant.id, profiles).await?;
            offset = page.next.filter(|_| page.has_next);
            if offset.is_none() {
                return Ok((fresh, newest, true));
            }
        }
    }

    /// The posting applied for, compiled against the pool (read once per run).
    async fn compiled<'a>(
        &self,
        acct: &LeverAccount,
        index: &CandidateIndex,
        postings: &'a mut HashMap<String, Compiled>,
        id: &str,
        report: &mut PassReport,
    ) -> Result<Option<&'a (Posting, Profile, Query)>, TenantFailure> {
        if !postings.contains_key(id) {
            report.lever_calls += 1;
            let compiled = match self.lever.get_posting(acct, id).await {
                Ok(p) => {
                    let profile = Profile::from_posting(&posting_doc(&p));
                    let q = index.query(&profile);
                    Some((p, profile, q))
                }
                Err(LeverError::Status { status: 404, .. }) => None,
                Err(e) => return Err(e.into()),
            };
            postings.insert(id.to_owned(), compiled);
        }
        Ok(postings.get(id).and_then(Option::as_ref))
    }

    /// Write a pass's decisions: the REFiiNE marks they change first (idempotent), then each
    /// decision with its record in one commit (a concurrent
    /// run's duplicate commits nothing and its effects are not queued twice).
    pub(super) async fn commit(
        &self,
        tenant: &TenantConfig,
        decided: Vec<(String, Vec<Effect>)>,
        refine: Refine,
        report: &mut PassReport,
    ) -> Result<(), TenantFailure> {
        if !refine.ids.is_empty() {
            self.profiles
                .mark_refine(&tenant.id, &refine.ids, refine.queued)
                .await?;
        }
        let now = self.clock.now();
        for (key, effects) in decided {
            let acts = effects
                .iter()
                .filter(|e| !matches!(e, Effect::PublishEvent { .. }))
                .count();
            let record = Record {
                deliveries: vec![DeliveryRecord::new(key, now + self.tuning.record_ttl)],
                outbox: effects
                    .into_iter()
                    .map(|e| OutboxItem::new(tenant.id.clone(), e, now))
                    .collect(),
                consumes: None,
                audit: Vec::new(),
                now,
            };
            match self.store.record(record).await {
                Ok(()) => report.actions += acts,
                Err(CommitError::DuplicateDelivery) => report.already_handled += 1,
                Err(CommitError::Store(e)) => return Err(e.into()),
                Err(e) => return Err(TenantFailure::Setup(e.to_string())),
            }
        }
        Ok(())
    }
}

/// REFiiNE marks a pass sets (`queued`) or clears on candidates.
#[derive(Default)]
pub(super) struct Refine {
    pub ids: Vec<String>,
    pub queued: bool,
}

impl Refine {
    pub fn queue() -> Self {
        Self {
            ids: Vec::new(),
            queued: true,
        }
    }

    pub fn clear() -> Self {
        Self::default()
    }
}
