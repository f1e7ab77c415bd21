//! The candidate database kept up to date with Lever: every opportunity (any stage, archived
//! or not) changed since the tenant's cursor gets its profile from its parsed résumés. Read
//! as one window of Lever's `updatedAt` up to now; a run cut short halves the window it was
//! in, so a first backfill of a large account advances over many runs instead of restarting
//! (a window read to its end moves the cursor past it). An opportunity whose `updatedAt` the
//! database already holds costs no résumé call.

use super::{PassReport, PassRunner, TenantFailure};
use crate::config::TenantConfig;
use crate::ports::lever::{LeverAccount, OpportunityQuery};
use crate::ports::profiles::CandidateRecord;
use std::collections::HashMap;
use std::time::Instant;

/// The cursor's name; its value is `<start ms>` or `<start ms>/<window ms>`.
const CURSOR: &str = "pass:candidates";
/// The narrowest window a cut-short run halves to.
const MIN_WINDOW_MS: i64 = 3600 * 1000;

fn read_cursor(value: Option<&str>) -> (i64, Option<i64>) {
    let Some(v) = value else {
        return (0, None);
    };
    let mut parts = v.splitn(2, '/');
    let start = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let window = parts.next().and_then(|p| p.parse().ok());
    (start, window)
}

impl PassRunner {
    /// Bring the tenant's candidate database up to date; `Ok(false)` when cut short by the
    /// deadline (the next run resumes with the window it was in).
    pub(super) async fn sync_candidates(
        &self,
        tenant: &TenantConfig,
        acct: &LeverAccount,
        deadline: Option<Instant>,
        report: &mut PassReport,
    ) -> Result<bool, TenantFailure> {
        // What the database holds of each candidate: when Lever last changed it. (A held
        // candidate's REFiiNE mark is kept by the store itself when it is rewritten.)
        let held: HashMap<String, i64> = self
            .profiles
            .load_candidates(&tenant.id)
            .await?
            .records()
            .map(|r| (r.id, r.updated_at))
            .collect();
        let stored = self.store.get_cursor(&tenant.id, CURSOR).await?;
        let (mut start, mut window) = read_cursor(stored.as_deref());
        let now = (self.clock.now().unix_timestamp_nanos() / 1_000_000) as i64;
        let overlap = self.tuning.overlap.whole_milliseconds() as i64;
        while start < now {
            let end = window.map_or(now, |w| (start + w).min(now));
            // Cut short in this window: the next run reads half of it.
            let narrower = format!("{start}/{}", ((end - start) / 2).max(MIN_WINDOW_MS));
            let query = OpportunityQuery {
                updated_at_start: Some((start - overlap).max(0)),
                // The last window is open-ended: what Lever stamps a little after our clock's
                // now is read too (the next run's overlap reads it again).
                updated_at_end: (end < now).then_some(end),
                expand_applications: true,
                limit: Some(100),
                ..OpportunityQuery::default()
            };
            let mut offset: Option<String> = None;
            loop {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    self.store.put_cursor(&tenant.id, CURSOR, &narrower).await?;
                    return Ok(false);
                }
                report.lever_calls += 1;
                let page = self
                    .lever
                    .list_opportunities(acct, &query, offset.as_deref())
                    .await?;
                let mut changed = Vec::new();
                for opp in &page.data {
                    let updated = opp.updated_at.or(opp.created_at).unwrap_or_default();
                    if held.get(&opp.id) == Some(&updated) {
                        continue;
                    }
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        self.profiles.put_profiles(&tenant.id, changed).await?;
                        self.store.put_cursor(&tenant.id, CURSOR, &narrower).await?;
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
                self.profiles.put_profiles(&tenant.id, changed).await?;
                offset = page.next.filter(|_| page.has_next);
                if offset.is_none() {
                    break;
                }
            }
            start = end;
            // A window read to its end: the next one may be twice as wide.
            window = window.map(|w| w.saturating_mul(2));
            let value = match window {
                Some(w) if start < now => format!("{start}/{w}"),
                _ => start.to_string(),
            };
            self.store.put_cursor(&tenant.id, CURSOR, &value).await?;
            if window.is_none() {
                break;
            }
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cursor_reads_with_or_without_a_window() {
        assert_eq!(read_cursor(None), (0, None));
        assert_eq!(read_cursor(Some("1700")), (1700, None));
        assert_eq!(read_cursor(Some("1700/3600000")), (1700, Some(3_600_000)));
        assert_eq!(read_cursor(Some("garbage")), (0, None));
    }
}
