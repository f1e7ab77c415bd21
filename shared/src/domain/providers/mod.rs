//! Each screening provider's rules, one module per provider: its account settings, how an
//! order is prepared from the canonical subject, and how its callbacks become canonical
//! changes. Each imports only the domain core; nothing here performs I/O.

pub mod alliance;
pub mod backgrounds_online;

use super::kinds::ProviderKind;
use super::transitions::StatusChange;

/// A provider's callback, read: which order it is about and what it reports.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderReport {
    /// The provider's order id.
    pub provider_ref: String,
    /// Our order id, when the provider echoes it.
    pub client_reference: Option<String>,
    pub change: StatusChange,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum CallbackError {
    #[error("the callback body is not of the documented shape")]
    Malformed,
}

/// Read a provider's callback body (one line per provider: the registry of the pure side).
pub fn read_callback(provider: ProviderKind, body: &[u8]) -> Result<ProviderReport, CallbackError> {
    match provider {
        ProviderKind::Alliance2020 => alliance::read_callback(body),
        ProviderKind::BackgroundsOnline => backgrounds_online::read_callback(body),
    }
}
