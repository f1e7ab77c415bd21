//! Lever Data API, as the hub uses it.

use crate::domain::TenantId;
use crate::domain::ats::lever::{NewNote, Note, Opportunity, Page, Posting};
use crate::domain::ats::lever_passes::Resume;
use crate::domain::ats::lever_route::LeverConnectionMethod;
use crate::ports::secrets::Secret;

/// Which Lever account to call, and as whom.
#[derive(Clone, Debug)]
pub struct LeverAccount {
    pub tenant: TenantId,
    pub api_base: String,
    pub credential: LeverCredential,
    pub perform_as: Option<String>,
    pub requests_per_second: u32,
    pub burst: u32,
}

/// How the hub authenticates to the tenant's Lever account.
#[derive(Clone, Debug)]
pub enum LeverCredential {
    /// HTTP Basic with the tenant's API key.
    ApiKey(Secret),
    /// A Bearer token of the grant the tenant gave the hub (refreshed as needed).
    OAuth,
}

impl LeverAccount {
    /// The tenant's Lever account, or `None` when it has no Lever settings, or connects by
    /// API key and its secret holds none.
    pub fn for_tenant(
        tenant: &crate::config::TenantConfig,
        secrets: &crate::ports::TenantSecrets,
    ) -> Option<Self> {
        let lever = tenant.ats.lever.as_ref()?;
        let credential = match lever.connection {
            LeverConnectionMethod::Oauth => LeverCredential::OAuth,
            LeverConnectionMethod::ApiKey => LeverCredential::ApiKey(
                secrets
                    .lever_api_key
                    .clone()
                    .filter(|k| !k.expose().is_empty())?,
            ),
        };
        Some(Self {
            tenant: tenant.id.clone(),
            api_base: lever.api_base.clone(),
            credential,
            perform_as: lever.perform_as.clone(),
            requests_per_second: lever.requests_per_second,
            burst: lever.burst,
        })
    }

    /// With an API key (tests, the CLI).
    pub fn with_api_key(tenant: TenantId, api_base: impl Into<String>, key: Secret) -> Self {
        Self {
            tenant,
            api_base: api_base.into(),
            credential: LeverCredential::ApiKey(key),
            perform_as: None,
            requests_per_second: 8,
            burst: 16,
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OpportunityQuery {
    pub tags: Vec<String>,
    pub updated_at_start: Option<i64>,
    pub updated_at_end: Option<i64>,
    pub archived: Option<bool>,
    pub limit: Option<u32>,
    /// Only opportunities in this stage.
    pub stage_id: Option<String>,
    /// Only opportunities created at or after this time (ms).
    pub created_at_start: Option<i64>,
    /// Inline the application (its posting id) of each opportunity.
    pub expand_applications: bool,
    /// Only the opportunities of this contact (person).
    pub contact_id: Option<String>,
    /// Only the opportunities for this posting.
    pub posting_id: Option<String>,
}

/// `GET /opportunities/deleted`: the opportunities deleted in a window of time.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeletedQuery {
    /// Only those deleted at or after this time (ms).
    pub deleted_at_start: Option<i64>,
    /// Only those deleted at or before this time (ms).
    pub deleted_at_end: Option<i64>,
    pub limit: Option<u32>,
}

/// A lead to create: a new opportunity for an existing contact on one posting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewLead {
    pub contact: String,
    pub posting: String,
    /// Lever's `origin` (`sourced`).
    pub origin: String,
    pub sources: Vec<String>,
}

/// A webhook as Lever lists it (`GET /webhooks`: no signature token).
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct Webhook {
    pub id: String,
    pub url: String,
    pub event: String,
}

/// A webhook just created, with the signature token Lever shows only now.
#[derive(Clone, Debug)]
pub struct CreatedWebhook {
    pub id: String,
    pub signature_token: Secret,
}

#[derive(Debug, thiserror::Error)]
pub enum LeverError {
    #[error("Lever answered {status} ({code})")]
    Status { status: u16, code: String },
    #[error("Lever could not be reached: {0}")]
    Transport(String),
    #[error("Lever's answer could not be read: {0}")]
    Decode(String),
    /// The tenant's grant is gone (revoked or expired) or was never given: nothing can reach
    /// its account until a Super Admin authorizes the hub again.
    #[error("the tenant's Lever account is not connected: {0}")]
    Disconnected(String),
}

impl LeverError {
    /// Worth another try later (rate limit, server error, timeout).
    pub fn is_transient(&self) -> bool {
        match self {
            LeverError::Status { status, .. } => *status == 429 || *status >= 500,
            LeverError::Transport(_) => true,
            LeverError::Decode(_) | LeverError::Disconnected(_) => false,
        }
    }
}

#[async_trait::async_trait]
pub trait LeverApi: Send + Sync {
    /// `Err(Disconnected)` when the account cannot be called at all (its grant was refused):
    /// the poll and the passes skip the tenant rather than fail on every call.
    async fn ready(&self, acct: &LeverAccount) -> Result<(), LeverError> {
        let _ = acct;
        Ok(())
    }

    /// The account's webhooks (those created through the API and in Lever's settings).
    async fn list_webhooks(&self, acct: &LeverAccount) -> Result<Vec<Webhook>, LeverError> {
        let _ = acct;
        Err(unsupported())
    }

    /// Create a webhook for `event` to `url`. Not idempotent at Lever (sent once).
    async fn create_webhook(
        &self,
        acct: &LeverAccount,
        url: &str,
        event: &str,
    ) -> Result<CreatedWebhook, LeverError> {
        let _ = (acct, url, event);
        Err(unsupported())
    }

    async fn delete_webhook(&self, acct: &LeverAccount, id: &str) -> Result<(), LeverError> {
        let _ = (acct, id);
        Err(unsupported())
    }

    /// The opportunity with its applications expanded (posting ids).
    async fn get_opportunity(
        &self,
        acct: &LeverAccount,
        id: &str,
    ) -> Result<Opportunity, LeverError>;
    async fn get_posting(&self, acct: &LeverAccount, id: &str) -> Result<Posting, LeverError>;
    async fn add_tags(
        &self,
        acct: &LeverAccount,
        opp: &str,
        tags: &[String],
    ) -> Result<(), LeverError>;
    async fn remove_tags(
        &self,
        acct: &LeverAccount,
        opp: &str,
        tags: &[String],
    ) -> Result<(), LeverError>;
    /// One page of the opportunity's notes; pass the previous page's `next` as `offset`.
    async fn list_notes(
        &self,
        acct: &LeverAccount,
        opp: &str,
        offset: Option<&str>,
    ) -> Result<Page<Note>, LeverError>;
    /// Returns the new note's id. Not idempotent at Lever: sent once per call (retried only
    /// when Lever certainly did not take it, e.g. 429); callers that retry check first.
    async fn create_note(
        &self,
        acct: &LeverAccount,
        opp: &str,
        note: &NewNote,
    ) -> Result<String, LeverError>;
    async fn change_stage(
        &self,
        acct: &LeverAccount,
        opp: &str,
        stage_id: &str,
    ) -> Result<(), LeverError>;
    /// Create a lead as `acct.perform_as` (required by Lever); returns the new opportunity's
    /// id. Not idempotent at Lever: callers that retry look for it first.
    async fn create_lead(&self, acct: &LeverAccount, lead: &NewLead) -> Result<String, LeverError>;
    /// One page of postings in `states` (`published`, `internal`, …).
    async fn list_postings(
        &self,
        acct: &LeverAccount,
        states: &[&str],
        offset: Option<&str>,
    ) -> Result<Page<Posting>, LeverError>;
    /// The opportunity's résumés, with Lever's parsed data where it has it.
    async fn list_resumes(&self, acct: &LeverAccount, opp: &str)
    -> Result<Vec<Resume>, LeverError>;
    /// One page; pass the previous page's `next` as `offset`.
    async fn list_opportunities(
        &self,
        acct: &LeverAccount,
        query: &OpportunityQuery,
        offset: Option<&str>,
    ) -> Result<Page<Opportunity>, LeverError>;
    /// One page of deleted opportunities (each with its `deletedAt`); pass the previous
    /// page's `next` as `offset`.
    async fn list_deleted_opportunities(
        &self,
        acct: &LeverAccount,
        query: &DeletedQuery,
        offset: Option<&str>,
    ) -> Result<Page<Opportunity>, LeverError>;
}

fn unsupported() -> LeverError {
    LeverError::Status {
        status: 501,
        code: "not supported by this Lever client".into(),
    }
}
