//! The recruiting passes on Lever (FiiLTER, ARKiiVE, REFiiNE), run on a schedule
//! for every tenant that enables them. Each pass is incremental (a cursor per tenant),
//! idempotent (a record per item handled, written in the same commit as the effects it
//! decided, so a re-run or an overlapping run never acts twice), bounded (it stops starting
//! work at its deadline and resumes next run) and traceable (every action is an outbox
//! effect that leaves a note on the candidate saying which pass, for which posting and why).
//! The decisions are pure ([`crate::domain::ats::lever_passes`]); Lever is written only by the
//! dispatcher, which performs each effect once.

mod arkive;
mod fiilter;
mod forget;
mod refine;
mod sync;
mod window;

use crate::adapters::secrets_cache::CachedSecrets;
use crate::config::TenantConfig;
use crate::domain::ats::lever_passes::{Pass, PassSettings};
use crate::ports::Clock;
use crate::ports::lever::{LeverAccount, LeverApi, LeverError};
use crate::ports::profiles::ProfileStore;
use crate::ports::store::{Store, StoreError};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

/// The knobs of the passes (production values by default).
#[derive(Clone, Debug)]
pub struct PassTuning {
    /// Re-read this much before the cursor (Lever's clocks, late writes).
    pub overlap: time::Duration,
    /// How far back a tenant's first run looks.
    pub first_lookback: time::Duration,
    /// How long a record of an item handled is kept.
    pub record_ttl: time::Duration,
}

impl Default for PassTuning {
    fn default() -> Self {
        Self {
            overlap: time::Duration::minutes(10),
            first_lookback: time::Duration::days(1),
            record_ttl: time::Duration::days(400),
        }
    }
}

pub struct PassRunner {
    pub store: Arc<dyn Store>,
    pub profiles: Arc<dyn ProfileStore>,
    pub secrets: Arc<CachedSecrets>,
    pub lever: Arc<dyn LeverApi>,
    pub clock: Arc<dyn Clock>,
    pub tuning: PassTuning,
}

/// What one run did, over every tenant.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PassReport {
    pub pass: String,
    pub tenants: usize,
    /// Tenants skipped because their Lever connection is lost (they resume on reconnect).
    pub disconnected_tenants: usize,
    /// Applications (or postings) looked at.
    pub items: usize,
    /// Handled before (by an earlier or a concurrent run): nothing done again.
    pub already_handled: usize,
    /// Actions committed (each performed once by the dispatcher): FiiLTER's advances.
    pub actions: usize,
    /// Left where they were (FiiLTER: queued for REFiiNE).
    pub queued: usize,
    /// Candidates whose profile was (re)built from Lever by the database sync.
    pub synced: usize,
    /// Candidates the database sync removed: deleted in Lever, anonymized, no consent to
    /// storage, or archived past the tenant's retention.
    pub removed: usize,
    /// Lever calls made by the pass itself (the dispatcher's come after).
    pub lever_calls: usize,
    /// Tenants whose run failed (logged by id); retried next run.
    pub failed: usize,
    /// Tenants whose cursor did not move (cut short by the deadline): resumed next run.
    pub incomplete_tenants: usize,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum TenantFailure {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Lever(#[from] LeverError),
    #[error("{0}")]
    Setup(String),
}

impl PassRunner {
    /// Run `pass` for every tenant that enables it; stop starting work once `deadline` has
    /// passed. A tenant that fails is logged and counted; the others still run.
    pub async fn run(
        &self,
        pass: Pass,
        deadline: Option<Instant>,
    ) -> Result<PassReport, StoreError> {
        let mut report = PassReport {
            pass: pass.as_str().to_owned(),
            ..PassReport::default()
        };
        for tenant in self.store.list_tenants().await? {
            let Some(settings) = tenant.passes.clone().filter(|s| s.runs(pass)) else {
                continue;
            };
            if deadline.is_some_and(|d| Instant::now() >= d) {
                report.incomplete_tenants += 1;
                continue;
            }
            if let Ok(acct) = self.account(&tenant, &settings).await
                && let Err(LeverError::Disconnected(why)) = self.lever.ready(&acct).await
            {
                tracing::info!(tenant = %tenant.id, pass = pass.as_str(), reason = %why, "pass skips a disconnected tenant");
                report.disconnected_tenants += 1;
                continue;
            }
            report.tenants += 1;
            let result = match pass {
                Pass::Fiilter => {
                    self.fiilter(&tenant, &settings, deadline, &mut report)
                        .await
                }
                Pass::Arkive => self.arkive(&tenant, &settings, deadline, &mut report).await,
                Pass::Refine => self.refine(&tenant, &settings, deadline, &mut report).await,
            };
            match result {
                Ok(true) => {}
                Ok(false) => report.incomplete_tenants += 1,
                Err(e) => {
                    tracing::warn!(tenant = %tenant.id, pass = pass.as_str(), error = %e, "pass failed for a tenant");
                    report.failed += 1;
                }
            }
        }
        crate::metrics::count_n("PassActions", &[("Pass", pass.as_str())], report.actions);
        crate::metrics::count_n("PassFailures", &[("Pass", pass.as_str())], report.failed);
        crate::metrics::count_n(
            "CandidatesRemoved",
            &[("Pass", pass.as_str())],
            report.removed,
        );
        Ok(report)
    }

    /// The tenant's Lever account, acting as the passes' service user.
    async fn account(
        &self,
        tenant: &TenantConfig,
        settings: &PassSettings,
    ) -> Result<LeverAccount, TenantFailure> {
        let secrets = self
            .secrets
            .get(&tenant.id)
            .await
            .map_err(|e| TenantFailure::Setup(e.to_string()))?
            .ok_or_else(|| TenantFailure::Setup("the tenant has no secret".into()))?;
        let mut acct = LeverAccount::for_tenant(tenant, &secrets)
            .ok_or_else(|| TenantFailure::Setup("no Lever account or API key configured".into()))?;
        acct.perform_as = Some(settings.service_user.clone());
        Ok(acct)
    }

    /// The clock's now, in ms since the epoch (Lever's unit).
    fn now_ms(&self) -> i64 {
        (self.clock.now().unix_timestamp_nanos() / 1_000_000) as i64
    }

    /// The pass's cursor (ms), or where a first run starts.
    async fn cursor(&self, tenant: &TenantConfig, pass: Pass) -> Result<i64, StoreError> {
        let stored = self
            .store
            .get_cursor(&tenant.id, &format!("pass:{}", pass.as_str()))
            .await?
            .and_then(|v| v.parse::<i64>().ok());
        let first = self.clock.now() - self.tuning.first_lookback;
        Ok(stored.unwrap_or((first.unix_timestamp_nanos() / 1_000_000) as i64))
    }

    async fn set_cursor(
        &self,
        tenant: &TenantConfig,
        pass: Pass,
        ms: i64,
    ) -> Result<(), StoreError> {
        self.store
            .put_cursor(
                &tenant.id,
                &format!("pass:{}", pass.as_str()),
                &ms.to_string(),
            )
            .await
    }
}

/// A tenant's candidate database as a pass uses it: the index over every profile, each
/// candidate's contact, the postings each contact already has an opportunity for, and the
/// candidates queued for REFiiNE (with their profiles).
pub(crate) struct Pool {
    pub index: crate::matching::CandidateIndex,
    contacts: HashMap<String, String>,
    postings_of: HashMap<String, Vec<String>>,
    pub queued: Vec<crate::ports::profiles::CandidateRecord>,
}

impl Pool {
    pub fn contact_of(&self, candidate: &str) -> Option<&str> {
        self.contacts.get(candidate).map(String::as_str)
    }

    /// Whether the contact already has an opportunity for `posting`.
    pub fn has_opportunity(&self, contact: &str, posting: &str) -> bool {
        self.postings_of
            .get(contact)
            .is_some_and(|p| p.iter().any(|p| p == posting))
    }
}

impl PassRunner {
    /// Load the tenant's candidate database and index it (unpacked one bucket at a time).
    pub(crate) async fn pool(
        &self,
        tenant: &TenantConfig,
        settings: &PassSettings,
    ) -> Result<Pool, StoreError> {
        let candidates = self.profiles.load_candidates(&tenant.id).await?;
        let mut contacts = HashMap::new();
        let mut postings_of: HashMap<String, Vec<String>> = HashMap::new();
        let mut queued = Vec::new();
        let index = crate::matching::CandidateIndex::build(
            candidates.records().map(|r| {
                if let Some(p) = &r.posting {
                    postings_of
                        .entry(r.contact.clone())
                        .or_default()
                        .push(p.clone());
                }
                contacts.insert(r.id.clone(), r.contact.clone());
                if r.refine {
                    queued.push(r.clone());
                }
                r.profile
            }),
            settings.match_config(),
        );
        Ok(Pool {
            index,
            contacts,
            postings_of,
            queued,
        })
    }

    /// Every posting that takes leads (published and internal); whether the listing was
    /// read to its end before `deadline`.
    pub(crate) async fn open_postings(
        &self,
        acct: &LeverAccount,
        deadline: Option<Instant>,
        report: &mut PassReport,
    ) -> Result<(Vec<crate::domain::ats::lever::Posting>, bool), TenantFailure> {
        let mut out = Vec::new();
        let mut offset: Option<String> = None;
        loop {
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Ok((out, false));
            }
            report.lever_calls += 1;
            let page = self
                .lever
                .list_postings(acct, &["published", "internal"], offset.as_deref())
                .await?;
            out.extend(page.data);
            offset = page.next.filter(|_| page.has_next);
            if offset.is_none() {
                return Ok((out, true));
            }
        }
    }
}

impl PassRunner {
    /// The record key of `item` for `pass`, unless a run already handled it (then counted).
    pub(crate) async fn unhandled(
        &self,
        pass: Pass,
        tenant: &TenantConfig,
        item: &str,
        report: &mut PassReport,
    ) -> Result<Option<String>, StoreError> {
        let key = handled_key(pass, &tenant.id, item);
        if self
            .store
            .get_delivery(&key, self.clock.now())
            .await?
            .is_some()
        {
            report.already_handled += 1;
            return Ok(None);
        }
        Ok(Some(key))
    }

    /// An opportunity's candidate record, from its résumés read now; `None` when Lever no
    /// longer has it.
    pub(crate) async fn read_candidate(
        &self,
        acct: &LeverAccount,
        opp: &crate::domain::ats::lever::Opportunity,
        report: &mut PassReport,
    ) -> Result<Option<crate::ports::profiles::CandidateRecord>, TenantFailure> {
        report.lever_calls += 1;
        let resumes = match self.lever.list_resumes(acct, &opp.id).await {
            Ok(r) => r,
            Err(LeverError::Status { status: 404, .. }) => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        Ok(Some(crate::ports::profiles::CandidateRecord {
            id: opp.id.clone(),
            contact: opp.contact.clone().unwrap_or_else(|| opp.id.clone()),
            posting: opp.posting_id().map(str::to_owned),
            updated_at: opp.changed_at(),
            refine: false,
            profile: crate::domain::ats::lever_passes::candidate_profile(opp, &resumes),
        }))
    }
}

/// The key of the record that an item was handled by a pass.
pub fn handled_key(pass: Pass, tenant: &crate::domain::TenantId, item: &str) -> String {
    format!("pass:{}:{tenant}:{item}", pass.as_str())
}
