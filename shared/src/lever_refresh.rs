//! The schedule that keeps every OAuth-connected tenant's Lever grant alive: Lever forgets a
//! refresh token unused for 90 days, so a grant not refreshed for a week (a quiet tenant) is
//! refreshed now. Reads the connection records (one partition), never a Scan; also counts the
//! tenants still disconnected, for the alarm.

use crate::adapters::lever_oauth::LeverOAuth;
use crate::domain::ats::lever_oauth::idle_refresh_due;
use crate::ports::lever::LeverError;
use crate::ports::{Clock, StoreError};
use std::sync::Arc;
use std::time::Instant;

#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct RefreshReport {
    pub connections: usize,
    pub refreshed: usize,
    /// Refreshed within the last week (by use or by an earlier run).
    pub not_due: usize,
    /// Disconnected before this run: waiting for a Super Admin to authorize again.
    pub disconnected: usize,
    /// Found gone by this run's refresh.
    pub lost: usize,
    /// Could not be refreshed now (Lever or the store unavailable): tried again next run.
    pub failed: usize,
    /// Left for the next run (deadline).
    pub deferred: usize,
}

pub struct GrantRefresh {
    pub oauth: Arc<LeverOAuth>,
    pub clock: Arc<dyn Clock>,
}

impl GrantRefresh {
    pub async fn run(&self, deadline: Option<Instant>) -> Result<RefreshReport, StoreError> {
        let mut report = RefreshReport::default();
        for conn in self.oauth.connections().lever_connections().await? {
            report.connections += 1;
            if !conn.is_connected() {
                report.disconnected += 1;
                continue;
            }
            if !idle_refresh_due(conn.refreshed_at, self.clock.now()) {
                report.not_due += 1;
                continue;
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                report.deferred += 1;
                continue;
            }
            match self.oauth.refresh_now(&conn.tenant).await {
                Ok(()) => report.refreshed += 1,
                Err(LeverError::Disconnected(_)) => report.lost += 1,
                Err(e) => {
                    tracing::warn!(tenant = %conn.tenant, error = %e, "Lever grant not refreshed; next run tries again");
                    report.failed += 1;
                }
            }
        }
        crate::metrics::count_n(
            "LeverTenantsDisconnected",
            &[],
            report.disconnected + report.lost,
        );
        tracing::info!(
            connections = report.connections,
            refreshed = report.refreshed,
            disconnected = report.disconnected + report.lost,
            failed = report.failed,
            "Lever grants checked"
        );
        Ok(report)
    }
}
