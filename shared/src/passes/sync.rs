//! The candidate database kept up to date with Lever. First what it must forget (see
//! [`super::forget`]): the candidates deleted in Lever and the archived ones past the tenant's
//! retention. Then every opportunity (any stage, archived or not) changed since the tenant's
//! cursor gets its profile from its parsed résumés, unless it may not be kept
//! ([`keep_profile`]: anonymized, no consent to storage, or archived past the retention): then
//! it is not stored, and leaves the database if it was there. Changes are read as windows of
//! Lever's `updatedAt` up to now (see [`super::window`]). An opportunity whose `updatedAt` the
//! database already holds costs no résumé call.

use super::forget::Gone;
use super::window::Windows;
use super::{PassReport, PassRunner, TenantFailure};
use crate::config::TenantConfig;
use crate::domain::ats::lever_passes::{PassSettings, keep_profile, retained_since};
use crate::ports::lever::{LeverAccount, OpportunityQuery};
use crate::ports::profiles::CandidateRecord;
use std::collections::HashMap;
use std::time::Instant;

/// The cursor of changed opportunities; its value is `<start ms>` or `<start ms>/<window ms>`.
const CURSOR: &str = "pass:candidates";

impl PassRunner {
    /// Bring the tenant's candidate database up to date; `Ok(false)` when cut short by the
    /// deadline (the next run resumes with the window it was in).
    pub(super) async fn sync_candidates(
        &self,
        tenant: &TenantConfig,
        settings: &PassSettings,
        acct: &LeverAccount,
        deadline: Option<Instant>,
        report: &mut PassReport,
    ) -> Result<bool, TenantFailure> {
        // What the database holds of each candidate: when Lever last changed it. (A held
        // candidate's REFiiNE mark is kept by the store itself when it is rewritten.)
        let mut held: HashMap<String, i64> = self
            .profiles
            .load_candidates(&tenant.id)
            .await?
            .records()
            .map(|r| (r.id, r.updated_at))
            .collect();
        let now = self.now_ms();
        let retention = settings.retention_days();
        for gone in [
            Gone::DeletedUntil(now),
            Gone::ArchivedUntil(retained_since(now, retention) - 1),
        ] {
            if !self
                .forget(tenant, acct, gone, &mut held, deadline, report)
                .await?
            {
                return Ok(false);
            }
        }
        self.sync_changed(tenant, acct, (now, retention), &held, deadline, report)
            .await
    }

    /// Every opportunity Lever changed since the cursor, up to `now`: its profile (re)built,
    /// or removed when it may no longer be kept under `retention` (days).
    async fn sync_changed(
        &self,
        tenant: &TenantConfig,
        acct: &LeverAccount,
        (now, retention): (i64, u32),
        held: &HashMap<String, i64>,
        deadline: Option<Instant>,
        report: &mut PassReport,
    ) -> Result<bool, TenantFailure> {
        let stored = self.store.get_cursor(&tenant.id, CURSOR).await?;
        let mut windows = Windows::read(stored.as_deref(), now);
        let overlap = self.tuning.overlap.whole_milliseconds() as i64;
        while let Some((start, end)) = windows.current() {
            let query = OpportunityQuery {
                updated_at_start: Some((start - overlap).max(0)),
                // The last window is open-ended: what Lever stamps a little after our clock's
                // now is read too (the next run's overlap reads it again).
                updated_at_end: (!windows.is_last(end)).then_some(end),
                expand_applications: true,
                limit: Some(100),
                ..OpportunityQuery::default()
            };
            let mut offset: Option<String> = None;
            loop {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    self.store
                        .put_cursor(&tenant.id, CURSOR, &windows.cut_short())
                        .await?;
                    return Ok(false);
                }
                report.lever_calls += 1;
                let page = self
                    .lever
                    .list_opportunities(acct, &query, offset.as_deref())
                    .await?;
                let mut changed = Vec::new();
                let mut unkept = Vec::new();
                for opp in &page.data {
                    if let Err(why) = keep_profile(opp, now, retention) {
                        if held.contains_key(&opp.id) {
                            tracing::info!(tenant = %tenant.id, opportunity = %opp.id, reason = why.as_str(), "candidate profile removed");
                            unkept.push(opp.id.clone());
                        }
                        continue;
                    }
                    let updated = opp.changed_at();
                    if held.get(&opp.id) == Some(&updated) {
                        continue;
                    }
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        self.write_page(tenant, changed, &unkept, report).await?;
                        self.store
                            .put_cursor(&tenant.id, CURSOR, &windows.cut_short())
                            .await?;
                        return Ok(false);
                    }
                    let Some(record) = self.read_candidate(acct, opp, report).await? else {
                        continue;
                    };
                    report.synced += 1;
                    changed.push(CandidateRecord {
                        updated_at: updated,
                        ..record
                    });
                }
                self.write_page(tenant, changed, &unkept, report).await?;
                offset = page.next.filter(|_| page.has_next);
                if offset.is_none() {
                    break;
                }
            }
            let value = windows.advance();
            self.store.put_cursor(&tenant.id, CURSOR, &value).await?;
        }
        Ok(true)
    }

    /// One page's changes to the database: the profiles rebuilt, then those no longer kept.
    async fn write_page(
        &self,
        tenant: &TenantConfig,
        changed: Vec<CandidateRecord>,
        unkept: &[String],
        report: &mut PassReport,
    ) -> Result<(), TenantFailure> {
        self.profiles.put_profiles(&tenant.id, changed).await?;
        if !unkept.is_empty() {
            report.removed += self.profiles.remove_profiles(&tenant.id, unkept).await?;
        }
        Ok(())
    }
}
