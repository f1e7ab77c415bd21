//! REFiiNE: each application FiiLTER did not advance is scored against every open posting
//! except the one applied for; the best match above the minimum score becomes a lead on that
//! posting (unless the candidate already has an opportunity for it), with a note saying why.

use super::fiilter::Refine;
use super::{PassReport, PassRunner, TenantFailure};
use crate::config::TenantConfig;
use crate::domain::ats::lever_passes::{Pass, PassSettings, note, posting_doc};
use crate::domain::effects::Effect;
use crate::domain::events::BusEvent;
use crate::domain::kinds::AtsKind;
use crate::matching::Profile;
use std::collections::HashMap;
use std::time::Instant;

/// Postings scored per candidate before those the candidate already has are skipped.
const CONSIDERED: usize = 5;

impl PassRunner {
    /// One tenant's REFiiNE run; `Ok(false)` when cut short by the deadline.
    pub(super) async fn refine(
        &self,
        tenant: &TenantConfig,
        settings: &PassSettings,
        deadline: Option<Instant>,
        report: &mut PassReport,
    ) -> Result<bool, TenantFailure> {
        let pool = self.pool(tenant, settings).await?;
        if pool.queued.is_empty() {
            return Ok(true);
        }
        let acct = self.account(tenant, settings).await?;
        let (postings, complete) = self.open_postings(&acct, deadline, report).await?;
        if !complete {
            return Ok(false);
        }
        let titles: HashMap<String, String> = postings
            .iter()
            .map(|p| (p.id.clone(), p.text.clone().unwrap_or_default()))
            .collect();
        let open = pool.index.open_postings(
            postings
                .iter()
                .map(|p| pool.index.query(&Profile::from_posting(&posting_doc(p))))
                .collect(),
        );
        let mut decided = Vec::new();
        let mut done = Refine::clear();
        for record in &pool.queued {
            if deadline.is_some_and(|d| Instant::now() >= d) {
                self.commit(tenant, decided, done, report).await?;
                return Ok(false);
            }
            report.items += 1;
            let Some(key) = self
                .unhandled(Pass::Refine, tenant, &record.id, report)
                .await?
            else {
                // Decided by an earlier run that stopped before clearing its mark.
                done.ids.push(record.id.clone());
                continue;
            };
            let best = pool
                .index
                .best_postings(
                    &record.profile,
                    &open,
                    record.posting.as_deref(),
                    CONSIDERED,
                )
                .into_iter()
                .find(|e| !pool.has_opportunity(&record.contact, &e.posting_id));
            let effects = best
                .map(|e| {
                    let title = titles
                        .get(&e.posting_id)
                        .map_or("this posting", String::as_str);
                    let event = BusEvent::lead_suggested(
                        &tenant.id,
                        Pass::Refine.as_str(),
                        &record.contact,
                        &e.posting_id,
                        e.score,
                    );
                    [
                        Effect::CreateLead {
                            ats: AtsKind::Lever,
                            contact: record.contact.clone(),
                            posting: e.posting_id.clone(),
                            actor: Some(settings.service_user.clone()),
                            source: settings.lead_source.clone(),
                            note: note(Pass::Refine, title, &e),
                        },
                        Effect::PublishEvent { event },
                    ]
                })
                .into_iter()
                .flatten()
                .collect();
            decided.push((key, effects));
            done.ids.push(record.id.clone());
        }
        self.commit(tenant, decided, done, report).await?;
        Ok(true)
    }
}
