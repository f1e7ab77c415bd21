//! ARKiiVE: the tenant's candidate database brought up to date with Lever (see [`super::sync`]),
//! then each new published (or internal) posting searched against it; the best matches above the minimum score (at most
//! `max_leads_per_posting`) become leads on it: a new opportunity for the existing contact,
//! origin sourced, created as the service user, each with a note saying why. Candidates who
//! already have an opportunity for the posting are skipped.

use super::fiilter::Refine;
use super::{PassReport, PassRunner, TenantFailure};
use crate::config::TenantConfig;
use crate::domain::ats::lever::Posting;
use crate::domain::ats::lever_passes::{
    Pass, PassSettings, is_open, note, pick_leads, posting_doc,
};
use crate::domain::effects::Effect;
use crate::domain::events::BusEvent;
use crate::domain::kinds::AtsKind;
use crate::matching::Profile;
use std::time::Instant;

impl PassRunner {
    /// One tenant's ARKiiVE run; `Ok(false)` when cut short by the deadline.
    pub(super) async fn arkive(
        &self,
        tenant: &TenantConfig,
        settings: &PassSettings,
        deadline: Option<Instant>,
        report: &mut PassReport,
    ) -> Result<bool, TenantFailure> {
        let acct = self.account(tenant, settings).await?;
        // The existing candidates first: every opportunity Lever changed since the last run.
        if !self
            .sync_candidates(tenant, settings, &acct, deadline, report)
            .await?
        {
            return Ok(false);
        }
        let cursor = self.cursor(tenant, Pass::Arkive).await?;
        let since = cursor - self.tuning.overlap.whole_milliseconds() as i64;
        let (postings, complete) = self.open_postings(&acct, deadline, report).await?;
        let mut newest = cursor;
        let mut fresh: Vec<(String, Posting)> = Vec::new();
        for p in postings {
            let created = p.created_at.unwrap_or_default();
            if created < since || !is_open(&p) {
                continue;
            }
            report.items += 1;
            newest = newest.max(created);
            if let Some(key) = self.unhandled(Pass::Arkive, tenant, &p.id, report).await? {
                fresh.push((key, p));
            }
        }
        if fresh.is_empty() {
            if complete && newest > cursor {
                self.set_cursor(tenant, Pass::Arkive, newest).await?;
            }
            return Ok(complete);
        }
        let pool = self.pool(tenant, settings).await?;
        let config = settings.match_config();
        let mut decided = Vec::new();
        for (key, posting) in fresh {
            if deadline.is_some_and(|d| Instant::now() >= d) {
                self.commit(tenant, decided, Refine::default(), report)
                    .await?;
                return Ok(false);
            }
            let query = pool
                .index
                .query(&Profile::from_posting(&posting_doc(&posting)));
            let ranked = pool.index.top_candidates_with(
                &query,
                config.top_k.saturating_mul(4),
                config.arkive_min_score,
            );
            let title = posting.text.as_deref().unwrap_or("this posting");
            let leads = pick_leads(
                &ranked,
                |id| pool.contact_of(id),
                |contact| pool.has_opportunity(contact, &posting.id),
                settings.max_leads_per_posting,
            );
            let effects = leads
                .into_iter()
                .flat_map(|(contact, e)| {
                    let event = BusEvent::lead_suggested(
                        &tenant.id,
                        Pass::Arkive.as_str(),
                        contact,
                        &posting.id,
                        e.score,
                    );
                    [
                        Effect::CreateLead {
                            ats: AtsKind::Lever,
                            contact: contact.to_owned(),
                            posting: posting.id.clone(),
                            actor: Some(settings.service_user.clone()),
                            source: settings.lead_source.clone(),
                            note: note(Pass::Arkive, title, e),
                        },
                        Effect::PublishEvent { event },
                    ]
                })
                .collect();
            decided.push((key, effects));
        }
        self.commit(tenant, decided, Refine::default(), report)
            .await?;
        if complete && newest > cursor {
            self.set_cursor(tenant, Pass::Arkive, newest).await?;
        }
        Ok(complete)
    }
}
