//! Backgrounds Online (DESIGN.md 1.A), the provider side: the tenant's account settings, what
//! is ordered for a subject (the package, by default or named by a `Package: <name>` label),
//! how long its invitations wait for the candidate, and how its callbacks become canonical
//! changes. Pure functions only; nothing here knows which ATS the subject came from.

use super::{CallbackError, ProviderReport};
use crate::domain::order::{Order, OrderStatus, Rejection, ScreeningResult, non_blank};
use crate::domain::subject::Subject;
use crate::domain::transitions::StatusChange;
use serde::{Deserialize, Serialize};

pub const PROVIDER_NAME: &str = "Backgrounds Online";

/// The tenant's Backgrounds Online account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackgroundsOnlineSettings {
    /// Provider API root.
    pub api_base: String,
    /// Package ordered when no `Package: <name>` label names another.
    pub default_package: String,
    /// Other packages this account may order (exact names).
    #[serde(default)]
    pub packages: Vec<String>,
    /// Exact, case-sensitive prefix of the package override label (a Lever tag).
    #[serde(default = "default_package_prefix")]
    pub package_tag_prefix: String,
    /// Days an order may wait for the candidate's submission before it expires.
    #[serde(default = "default_expiry_days")]
    pub expiry_days: u16,
}

fn default_package_prefix() -> String {
    "Package: ".into()
}
fn default_expiry_days() -> u16 {
    14
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackgroundsOnlineCandidate {
    pub name: Option<String>,
    pub email: String,
    pub phone: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackgroundsOnlinePosition {
    pub title: Option<String>,
    pub location: Option<String>,
}

/// The order as sent to Backgrounds Online (docs/providers/backgrounds-online.md).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BackgroundsOnlineOrder {
    pub client_reference: String,
    pub package: String,
    pub candidate: BackgroundsOnlineCandidate,
    pub position: BackgroundsOnlinePosition,
}

/// The default package, or the one an exact `Package: <name>` label names.
pub fn choose_package(
    settings: &BackgroundsOnlineSettings,
    labels: &[String],
) -> Result<String, Rejection> {
    let Some((tag, named)) = labels.iter().find_map(|t| {
        t.strip_prefix(settings.package_tag_prefix.as_str())
            .map(|rest| (t, rest.trim()))
    }) else {
        return Ok(settings.default_package.clone());
    };
    if named == settings.default_package || settings.packages.iter().any(|p| p == named) {
        return Ok(named.to_owned());
    }
    Err(Rejection {
        code: "unknown_package",
        message: format!(
            "Background check not ordered: the tag \"{tag}\" names a package that is not available \
             to this account. Use one of: {}. Fix the tag.",
            std::iter::once(settings.default_package.as_str())
                .chain(settings.packages.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    })
}

/// Decide what to order for a subject, or why nothing can be.
pub fn prepare(
    settings: &BackgroundsOnlineSettings,
    order: &Order,
    subject: &Subject,
) -> Result<BackgroundsOnlineOrder, Rejection> {
    let Some(email) = non_blank(subject.email.as_deref()) else {
        return Err(Rejection {
            code: "missing_candidate_field",
            message: format!(
                "Background check not ordered: the candidate's email is missing in {}. Add it to \
                 the candidate's profile.",
                subject.ats.display_name()
            ),
        });
    };
    let package = match subject.package.as_deref() {
        Some(named)
            if named == settings.default_package
                || settings.packages.iter().any(|p| p == named) =>
        {
            named.to_owned()
        }
        Some(named) => {
            return Err(Rejection {
                code: "unknown_package",
                message: format!(
                    "Background check not ordered: the package names the Backgrounds Online \
                     package \"{named}\", which is not available to this account."
                ),
            });
        }
        None => choose_package(settings, &subject.labels)?,
    };
    Ok(BackgroundsOnlineOrder {
        client_reference: order.id.to_string(),
        package,
        candidate: BackgroundsOnlineCandidate {
            name: non_blank(subject.name.as_deref()),
            email,
            phone: non_blank(subject.phone.as_deref()),
        },
        position: BackgroundsOnlinePosition {
            title: non_blank(subject.job.title.as_deref()),
            // The position's place: the job's location, else the candidate's.
            location: non_blank(subject.place()),
        },
    })
}

/// How long an accepted order waits for the candidate.
pub fn invitation_ttl(settings: &BackgroundsOnlineSettings) -> time::Duration {
    time::Duration::days(i64::from(settings.expiry_days))
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Status {
    InProcess,
    Complete,
    Cancelled,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Outcome {
    Clear,
    Review,
}

/// Backgrounds Online's callback body (docs/providers/backgrounds-online.md).
#[derive(Deserialize)]
struct Callback {
    order_id: String,
    #[serde(default)]
    client_reference: Option<String>,
    status: Status,
    #[serde(default)]
    result: Option<Outcome>,
    #[serde(default)]
    report_url: Option<String>,
    #[serde(default)]
    services: Vec<super::ServiceReport>,
}

/// What a callback reports, in canonical terms. A completion without its result cannot be
/// shown to anyone: it is refused as malformed and changes nothing.
pub fn read_callback(body: &[u8]) -> Result<ProviderReport, CallbackError> {
    let cb: Callback = serde_json::from_slice(body).map_err(|_| CallbackError::Malformed)?;
    let change = match (cb.status, cb.result) {
        (Status::InProcess, _) => StatusChange::to(OrderStatus::InProgress),
        (Status::Complete, Some(outcome)) => {
            let clear = outcome == Outcome::Clear;
            StatusChange {
                to: OrderStatus::Complete,
                result: Some(ScreeningResult {
                    flag: Some(!clear),
                    decision: Some(if clear { "Clear" } else { "Review" }.to_owned()),
                    report_url: cb.report_url,
                    summary: None,
                }),
                reason: None,
                services: Vec::new(),
                percent_complete: None,
            }
        }
        (Status::Complete, None) => return Err(CallbackError::Malformed),
        (Status::Cancelled, _) => StatusChange::to(OrderStatus::Cancelled),
    };
    let change = StatusChange {
        services: super::service_lines(cb.services),
        ..change
    };
    Ok(ProviderReport {
        provider_ref: cb.order_id,
        client_reference: cb.client_reference,
        change,
    })
}

#[cfg(test)]
mod tests;
