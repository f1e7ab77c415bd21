//! An applicant-tracking system, as the spine sees it: where orders come from and where their
//! state is shown. Each ATS's own transport (Lever's webhook and tag poll) opens orders
//! through [`crate::intake`]; what the dispatcher asks of it afterwards is here.

use crate::config::{Route, TenantConfig};
use crate::domain::effects::Notice;
use crate::domain::kinds::AtsKind;
use crate::domain::order::{Order, OrderStatus};
use crate::domain::subject::Subject;
use crate::ports::secrets::TenantSecrets;
use time::OffsetDateTime;

/// The tenant an effect is performed for.
pub struct AtsContext<'a> {
    pub tenant: &'a TenantConfig,
    pub secrets: &'a TenantSecrets,
}

/// Which attempt of which queued effect this is: a write that has no idempotency key in the
/// ATS (a note) looks, on a later attempt, for what an earlier one may have applied.
#[derive(Clone, Copy, Debug)]
pub struct Attempt {
    /// When the effect was queued (nothing it wrote can be older).
    pub queued_at: OffsetDateTime,
    /// 1 for the first.
    pub number: u32,
}

/// A stage move asked of the ATS: its object, from and to which stage, as whom.
#[derive(Clone, Copy, Debug)]
pub struct StageMove<'a> {
    pub ats_ref: &'a str,
    pub from: &'a str,
    pub to: &'a str,
    /// The ATS user the move is attributed to (`None`: the account's default).
    pub actor: Option<&'a str>,
}

/// A lead asked of the ATS: which candidate (contact), for which job (posting), as whom, and
/// the source recorded on it.
#[derive(Clone, Copy, Debug)]
pub struct Lead<'a> {
    pub contact: &'a str,
    pub posting: &'a str,
    pub actor: Option<&'a str>,
    pub source: &'a str,
}

/// What the ATS says about an order about to be placed.
#[derive(Clone, Debug, PartialEq)]
pub enum Loaded {
    /// What opened the order is confirmed; this is the candidate and the job.
    Subject(Box<Subject>),
    /// The ATS does not confirm what opened the order (or no longer has the object): nothing
    /// is ordered, for this reason.
    Unconfirmed(String),
}

/// The error kinds every ATS client maps its answers into.
#[derive(Debug, thiserror::Error)]
pub enum AtsError {
    /// Worth another try (rate limit, server error, timeout).
    #[error("{0}")]
    Transient(String),
    /// Retrying cannot help (credentials, configuration, refused data).
    #[error("{0}")]
    Permanent(String),
    /// The tenant's ATS account is disconnected: the effect waits, without using up its
    /// attempts, until the tenant reconnects.
    #[error("{0}")]
    Disconnected(String),
}

#[async_trait::async_trait]
pub trait AtsAdapter: Send + Sync {
    fn kind(&self) -> AtsKind;

    /// How long the candidate's invitation stays valid on this ATS's side (e.g. a link the
    /// ATS's portal shows), if it lapses: an order still awaiting the candidate then expires
    /// at the earlier of this and the provider's lapse.
    fn invitation_ttl(&self, _tenant: &TenantConfig) -> Option<time::Duration> {
        None
    }

    /// Confirm what opened `order` and read its subject, from the ATS's own record.
    async fn load_subject(&self, ctx: &AtsContext<'_>, order: &Order) -> Result<Loaded, AtsError>;

    /// Show the order's current state; having moved to `to`, also say so (once).
    async fn render(
        &self,
        ctx: &AtsContext<'_>,
        route: &Route,
        order: &Order,
        to: Option<OrderStatus>,
        attempt: Attempt,
    ) -> Result<(), AtsError>;

    /// Remove trigger marks from an ATS object, then post `notice` (once). An ATS whose
    /// orders carry no marks (it orders by calling the hub) has nothing to do.
    async fn clear_trigger(
        &self,
        _ctx: &AtsContext<'_>,
        _ats_ref: &str,
        _marks: &[String],
        _notice: Option<&Notice>,
        _attempt: Attempt,
    ) -> Result<(), AtsError> {
        Ok(())
    }

    /// Post `notice` on an ATS object (once). An ATS without notes has nothing to do: what
    /// a recruiter must know travels in its status updates.
    async fn notify(
        &self,
        _ctx: &AtsContext<'_>,
        _ats_ref: &str,
        _notice: &Notice,
        _attempt: Attempt,
    ) -> Result<(), AtsError> {
        Ok(())
    }

    /// Move an application from stage `from` to `to` as `actor`, then post `notice` (once).
    /// Done without a move when the object is already at `to`, when a person moved it
    /// elsewhere meanwhile, or when it is gone.
    /// An ATS without stages the hub moves refuses.
    async fn advance_stage(
        &self,
        _ctx: &AtsContext<'_>,
        _step: &StageMove<'_>,
        _notice: &Notice,
        _attempt: Attempt,
    ) -> Result<(), AtsError> {
        Err(AtsError::Permanent(format!(
            "{} orders have no stages to advance",
            self.kind().display_name()
        )))
    }

    /// Suggest a candidate for a job: create the lead (unless the candidate already has one
    /// for that job) and post `notice` on it (once).
    /// An ATS without leads refuses.
    async fn create_lead(
        &self,
        _ctx: &AtsContext<'_>,
        _lead: &Lead<'_>,
        _notice: &Notice,
        _attempt: Attempt,
    ) -> Result<(), AtsError> {
        Err(AtsError::Permanent(format!(
            "{} has no leads",
            self.kind().display_name()
        )))
    }

    /// Whether the ATS confirms that its object is gone (deleted). An ATS that never tells
    /// about deletions never confirms one.
    async fn confirms_deleted(
        &self,
        _ctx: &AtsContext<'_>,
        _ats_ref: &str,
    ) -> Result<bool, AtsError> {
        Ok(false)
    }
}
