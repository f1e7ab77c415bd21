//! The scheduled expiry sweep: orders still waiting for the candidate past their
//! `expires_at` lapse (each route says when, e.g. 14 days without the candidate's submission
//! → `Expired`, provider order closed). It reads only due orders, page by page, from the store's sparse due-order index
//! (never a Scan, never TTL). Each expiry is one conditional commit on the order's version,
//! so two sweeps at once, or the same sweep twice, expire each order once. The rules live in
//! [`crate::domain::expiry`]; a new integration's expiry is one more arm there.
//!
//! The same run enforces retention: orders that ended more than `pii_retention` ago lose
//! their candidate data ([`crate::domain::Order::scrubbed`]), read from a second sparse index
//! that only ended orders still holding such data carry.

use crate::domain::expiry;
use crate::ports::Clock;
use crate::ports::store::{Commit, CommitError, Store, StoreError, update_order};
use std::sync::Arc;

#[derive(Clone)]
pub struct ExpirySweep {
    pub store: Arc<dyn Store>,
    pub clock: Arc<dyn Clock>,
    /// Orders read per page.
    pub page_size: usize,
    /// How long candidate data is kept after an order ends.
    pub pii_retention: time::Duration,
}

/// Candidate data is kept this long after an order ends unless configured otherwise.
pub const DEFAULT_PII_RETENTION: time::Duration = time::Duration::days(30);

/// What one sweep did (counts only, safe to log).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct SweepReport {
    /// Due orders read from the index.
    pub due: usize,
    pub expired: usize,
    /// Changed meanwhile (by a callback or a concurrent sweep) and no longer due.
    pub skipped: usize,
    /// Ended orders whose candidate data was removed.
    pub scrubbed: usize,
    /// Pages left for the next run (deadline reached).
    pub cut_short: bool,
}

impl ExpirySweep {
    /// Expire what is due, then scrub what is past retention: two independent passes, so
    /// a failure in one does not keep the other from running. The first error is returned
    /// (the schedule's run then counts as failed and alarms) after both had their turn.
    pub async fn run(
        &self,
        deadline: Option<std::time::Instant>,
    ) -> Result<SweepReport, StoreError> {
        let mut report = SweepReport::default();
        let now = self.clock.now();
        let expired = self.expire(now, deadline, &mut report).await;
        if let Err(e) = &expired {
            tracing::error!(error = %e, "expiry pass failed; retention pass runs all the same");
        }
        let scrubbed = self.scrub(now, deadline, &mut report).await;
        expired.and(scrubbed).map(|()| report)
    }

    async fn expire(
        &self,
        now: time::OffsetDateTime,
        deadline: Option<std::time::Instant>,
        report: &mut SweepReport,
    ) -> Result<(), StoreError> {
        let mut after = None;
        loop {
            if deadline.is_some_and(|d| std::time::Instant::now() >= d) {
                report.cut_short = true;
                break;
            }
            let page = self.store.due_orders(now, self.page_size, after).await?;
            report.due += page.orders.len();
            for order in &page.orders {
                if self.expire_one(order, now).await? {
                    report.expired += 1;
                } else {
                    report.skipped += 1;
                }
            }
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        crate::metrics::count_n("OrdersExpired", &[], report.expired);
        Ok(())
    }

    async fn scrub(
        &self,
        now: time::OffsetDateTime,
        deadline: Option<std::time::Instant>,
        report: &mut SweepReport,
    ) -> Result<(), StoreError> {
        let ended_before = now - self.pii_retention;
        let mut after = None;
        loop {
            if deadline.is_some_and(|d| std::time::Instant::now() >= d) {
                report.cut_short = true;
                break;
            }
            let page = self
                .store
                .ended_holding_pii(ended_before, self.page_size, after)
                .await?;
            for order in &page.orders {
                if order.holds_pii_after_end() && order.updated_at <= ended_before {
                    let next = order.scrubbed(now);
                    match self
                        .store
                        .commit(Commit::update(order, next, "pii_scrubbed", vec![]))
                        .await
                    {
                        Ok(()) => report.scrubbed += 1,
                        // Changed meanwhile (e.g. a concurrent sweep scrubbed it): next run.
                        Err(CommitError::VersionConflict) => {}
                        Err(CommitError::Store(e)) => return Err(e),
                        Err(e) => return Err(StoreError::Unavailable(e.to_string())),
                    }
                }
            }
            match page.next {
                Some(next) => after = Some(next),
                None => break,
            }
        }
        crate::metrics::count_n(
            "OrdersScrubbed",
            &[("Reason", "retention")],
            report.scrubbed,
        );
        Ok(())
    }

    /// Expire one order read from the (eventually consistent) index; on a version conflict
    /// re-read it once and decide again.
    async fn expire_one(
        &self,
        indexed: &crate::domain::Order,
        now: time::OffsetDateTime,
    ) -> Result<bool, StoreError> {
        match update_order(
            self.store.as_ref(),
            indexed.clone(),
            "expiry_sweep",
            now,
            2,
            |o| expiry::expire(o, now),
        )
        .await
        {
            Ok(Some(o)) => {
                tracing::info!(tenant = %o.tenant, order_id = %o.id, route = %o.route, "order expired");
                Ok(true)
            }
            // Nothing to do, or still changing under us: the next run decides again.
            Ok(None) | Err(CommitError::VersionConflict) => Ok(false),
            Err(CommitError::Store(e)) => Err(e),
            Err(e) => Err(StoreError::Unavailable(e.to_string())),
        }
    }
}
