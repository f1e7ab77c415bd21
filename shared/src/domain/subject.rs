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
    /// What an ATS that sends a structured candidate knows beyond the above (Cornerstone):
    /// providers that take such fields read them here; the others ignore it.
    pub details: Details,
}

/// The candidate's name in parts, postal address, the requisition's place and the
/// organisation-unit ids the order is filed under (already cut to what providers take).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Details {
    pub first_name: Option<String>,
    pub middle_name: Option<String>,
    pub last_name: Option<String>,
    pub address: Option<PostalAddress>,
    /// Where the job is: the requisition's city, state and country.
    pub requisition: Option<Place>,
    /// Organisation-unit ids (division, then location), at most 25 characters each.
    pub org_units: Vec<String>,
    /// The email of the ATS user who ordered (a provider may require it to be one of its
    /// users).
    pub requester_email: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PostalAddress {
    pub line1: Option<String>,
    pub line2: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub postal_code: Option<String>,
    /// As the ATS sent it (Cornerstone: 3 letters).
    pub country: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Place {
    pub city: Option<String>,
    pub state: Option<String>,
    pub country: Option<String>,
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
