//! The canonical candidate and job an order is about, as the ATS adapter read them from its
//! system when the order is placed. Providers prepare their requests from this alone, so any
//! ATS can order from any provider. Holds candidate PII: never logged, never stored except as
//! part of what was sent to the provider (scrubbed with the order).

use super::kinds::AtsKind;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Subject {
    /// Which system it was read from (named in messages to recruiters).
    pub ats: AtsKind,
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// Where the candidate is (when the ATS knows).
    pub location: Option<String>,
    /// The ATS's labels on the candidate's application (Lever tags): providers read their
    /// overrides from them (`Product: …`, `Package: …`, `Reference: …`).
    pub labels: Vec<String>,
    /// The provider's package (product) the ATS ordered by name, for an ATS whose orders name
    /// one (a Paylocity package mapped to the provider's): it must be one the provider
    /// account offers, else nothing is ordered. `None`: the labels or the default decide.
    pub package: Option<String>,
    pub job: Job,
}

/// The job applied for.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Job {
    pub title: Option<String>,
    pub department: Option<String>,
    pub location: Option<String>,
}

impl Subject {
    /// The job's location, else the candidate's.
    pub fn place(&self) -> Option<&str> {
        self.job.location.as_deref().or(self.location.as_deref())
    }
}
