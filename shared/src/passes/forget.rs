//! What the candidate database must forget though no webhook says so (DESIGN §3): the
//! opportunities deleted in Lever (`GET /opportunities/deleted`: the safety net for a
//! `candidateDeleted` delivery that never came or was lost), and the archived ones Lever last
//! changed longer ago than the tenant's retention. Each is read from its own cursor as
//! windows of time, like the sync, with the same overlap; a page of Lever's answer costs at
//! most one removal. Only candidates the database holds are removed.

use super::window::Windows;
use super::{PassReport, PassRunner, TenantFailure};
use crate::config::TenantConfig;
use crate::domain::ats::lever::{Opportunity, Page};
use crate::ports::lever::{DeletedQuery, LeverAccount, LeverError, OpportunityQuery};
use std::collections::HashMap;
use std::time::Instant;

/// Why Lever lists an opportunity whose profile goes, and up to when (ms, inclusive) it is
/// read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Gone {
    /// Deleted in Lever, read by `deletedAt` (up to now).
    DeletedUntil(i64),
    /// Archived, read by `updatedAt` (up to the last time the retention no longer keeps).
    ArchivedUntil(i64),
}

impl Gone {
    fn cursor(self) -> &'static str {
        match self {
            Gone::DeletedUntil(_) => "pass:candidates-deleted",
            Gone::ArchivedUntil(_) => "pass:candidates-retention",
        }
    }

    fn horizon(self) -> i64 {
        match self {
            Gone::DeletedUntil(t) | Gone::ArchivedUntil(t) => t,
        }
    }

    fn as_str(self) -> &'static str {
        match self {
            Gone::DeletedUntil(_) => "deleted",
            Gone::ArchivedUntil(_) => "past_retention",
        }
    }
}

impl PassRunner {
    /// Remove the held candidates (`held`: id → Lever's `updatedAt` as held; the removed
    /// leave it) that Lever lists as `gone`, from that cursor up to its horizon; `Ok(false)`
    /// when cut short by the deadline (the next run resumes in the same window).
    pub(super) async fn forget(
        &self,
        tenant: &TenantConfig,
        acct: &LeverAccount,
        gone: Gone,
        held: &mut HashMap<String, i64>,
        deadline: Option<Instant>,
        report: &mut PassReport,
    ) -> Result<bool, TenantFailure> {
        let stored = self.store.get_cursor(&tenant.id, gone.cursor()).await?;
        let mut windows = Windows::read(stored.as_deref(), gone.horizon());
        // An opportunity is deleted, or crosses the retention, after Lever last changed it:
        // nothing before the oldest candidate held concerns the database.
        windows.skip_to(held.values().min().copied().unwrap_or(gone.horizon()));
        let overlap = self.tuning.overlap.whole_milliseconds() as i64;
        while let Some((start, end)) = windows.current() {
            // The last window of deletions is open-ended, as the sync's is (what Lever stamps
            // a little after our clock's now is read too); the retention's never is.
            let end = match gone {
                Gone::DeletedUntil(_) if windows.is_last(end) => None,
                _ => Some(end),
            };
            let mut offset: Option<String> = None;
            loop {
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    let cut = windows.cut_short();
                    self.store
                        .put_cursor(&tenant.id, gone.cursor(), &cut)
                        .await?;
                    return Ok(false);
                }
                report.lever_calls += 1;
                let page = self
                    .gone_page(acct, gone, (start - overlap).max(0), end, offset.as_deref())
                    .await?;
                let ids: Vec<String> = page
                    .data
                    .into_iter()
                    .map(|o| o.id)
                    .filter(|id| held.remove(id).is_some())
                    .collect();
                if !ids.is_empty() {
                    let removed = self.profiles.remove_profiles(&tenant.id, &ids).await?;
                    report.removed += removed;
                    for id in &ids {
                        tracing::info!(tenant = %tenant.id, opportunity = %id, reason = gone.as_str(), "candidate profile removed");
                    }
                }
                offset = page.next.filter(|_| page.has_next);
                if offset.is_none() {
                    break;
                }
            }
            let value = windows.advance();
            self.store
                .put_cursor(&tenant.id, gone.cursor(), &value)
                .await?;
        }
        Ok(true)
    }

    /// One page of what Lever lists as `gone` from `start` to `end` (ms, inclusive).
    async fn gone_page(
        &self,
        acct: &LeverAccount,
        gone: Gone,
        start: i64,
        end: Option<i64>,
        offset: Option<&str>,
    ) -> Result<Page<Opportunity>, LeverError> {
        match gone {
            Gone::DeletedUntil(_) => {
                let query = DeletedQuery {
                    deleted_at_start: Some(start),
                    deleted_at_end: end,
                    limit: Some(100),
                };
                self.lever
                    .list_deleted_opportunities(acct, &query, offset)
                    .await
            }
            Gone::ArchivedUntil(_) => {
                let query = OpportunityQuery {
                    archived: Some(true),
                    updated_at_start: Some(start),
                    updated_at_end: end,
                    limit: Some(100),
                    ..OpportunityQuery::default()
                };
                self.lever.list_opportunities(acct, &query, offset).await
            }
        }
    }
}
