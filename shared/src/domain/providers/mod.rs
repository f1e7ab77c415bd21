//! Each screening provider's rules, one module per provider: its account settings, how an
//! order is prepared from the canonical subject, and how its callbacks become canonical
//! changes. Each imports only the domain core; nothing here performs I/O.

pub mod accurate;
pub mod alliance;
pub mod backgrounds_online;

use super::kinds::ProviderKind;
use super::order::{OrderStatus, ServiceLine};
use super::transitions::StatusChange;
use serde::Deserialize;

/// One service (search) of an order in a provider's callback (`services[]`, optional in both
/// providers' contracts): a search the order did not have, e.g. an extra county, is added to
/// that order.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
pub struct ServiceReport {
    pub name: String,
    pub status: ServiceState,
}

/// A service's state in the providers' callbacks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ServiceState {
    Pending,
    InProgress,
    Complete,
    NeedsReview,
    Cancelled,
}

impl ServiceReport {
    /// In canonical terms; names are trimmed and cut to 100 characters.
    pub fn line(self) -> ServiceLine {
        ServiceLine {
            name: self.name.trim().chars().take(100).collect(),
            status: match self.status {
                ServiceState::Pending => OrderStatus::Pending,
                ServiceState::InProgress => OrderStatus::InProgress,
                ServiceState::Complete => OrderStatus::Complete,
                ServiceState::NeedsReview => OrderStatus::CompleteNeedsReview,
                ServiceState::Cancelled => OrderStatus::Cancelled,
            },
        }
    }
}

/// The services of a callback, those without a name dropped.
pub(crate) fn service_lines(reports: Vec<ServiceReport>) -> Vec<ServiceLine> {
    reports
        .into_iter()
        .map(ServiceReport::line)
        .filter(|l| !l.name.is_empty())
        .collect()
}

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
        ProviderKind::Accurate => accurate::read_callback(body),
    }
}
