//! Accurate Background (API v3), the provider side: the tenant's account settings, what is
//! ordered for a subject (a `packageType`, by default or named by a `Package: <name>` label or
//! the ATS's order), where the job is (`jobLocation`), how long its invitations wait for the
//! candidate, and how its status postbacks become canonical changes. Accurate's postback
//! contract is not public: the one read here is ours (docs/providers/accurate.md). Pure
//! functions only; nothing here knows which ATS the subject came from.

use super::{CallbackError, ProviderReport};
use crate::domain::order::{Order, OrderStatus, Rejection, ScreeningResult, non_blank};
use crate::domain::subject::Subject;
use crate::domain::transitions::StatusChange;
use serde::{Deserialize, Serialize};

pub const PROVIDER_NAME: &str = "Accurate Background";

/// The tenant's Accurate Background account.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccurateSettings {
    /// API root without the version (`https://api.accuratebackground.com`; calls go to `/v3`).
    pub api_base: String,
    /// `packageType` ordered when nothing names another (e.g. `PKG_BASIC`).
    pub default_package: String,
    /// Other package types this account may order (exact names).
    #[serde(default)]
    pub packages: Vec<String>,
    /// Exact, case-sensitive prefix of the package override label (a Lever tag).
    #[serde(default = "default_package_prefix")]
    pub package_tag_prefix: String,
    /// `jobLocation.country` when the job's location names none (two letters).
    #[serde(default = "default_country")]
    pub default_country: String,
    /// Days an order may wait for the candidate's submission before it expires.
    #[serde(default = "default_expiry_days")]
    pub expiry_days: u16,
    /// Read the status of orders in flight on a schedule (`GET /v3/order/{id}`), so that an
    /// account without postbacks still converges. On by default; an account whose postbacks
    /// are set up may turn it off (orders already in flight then leave the poll at their next
    /// read).
    #[serde(default = "default_status_poll")]
    pub status_poll: bool,
}

fn default_package_prefix() -> String {
    "Package: ".into()
}
fn default_country() -> String {
    "US".into()
}
fn default_expiry_days() -> u16 {
    14
}
fn default_status_poll() -> bool {
    true
}

/// The candidate as created at Accurate (`POST /v3/candidate`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccurateCandidate {
    pub first_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub middle_name: Option<String>,
    pub last_name: String,
    pub email: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    /// Where the candidate lives, when the ATS sent it (Cornerstone does).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<CandidateAddress>,
}

/// A candidate's postal address as sent to Accurate (field names unconfirmed:
/// docs/providers/accurate.md).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CandidateAddress {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub street2: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postal_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<String>,
}

/// Where the job is (`jobLocation`): a city, a two-letter region when known, a country.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobLocation {
    pub city: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    pub country: String,
}

/// What is ordered from Accurate for one of our orders: the candidate to create, then the
/// order (`INTERACTIVE`: Accurate invites the candidate). Kept on our order as sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AccurateOrder {
    /// Our order id: the idempotency key at Accurate (docs/providers/accurate.md).
    pub client_reference: String,
    pub package_type: String,
    pub candidate: AccurateCandidate,
    pub job_location: JobLocation,
    /// The ordering organisation's units (division, then location), at most 25 characters
    /// each, as the ATS gave them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub organization_units: Vec<String>,
    /// The ATS user who ordered, when the ATS says (Accurate requires a known requester).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub requester_email: Option<String>,
}

/// The workflow every order uses: Accurate collects the candidate's data and disclosures.
pub const WORKFLOW: &str = "INTERACTIVE";

fn available(settings: &AccurateSettings, name: &str) -> bool {
    name == settings.default_package || settings.packages.iter().any(|p| p == name)
}

fn offered(settings: &AccurateSettings) -> String {
    std::iter::once(settings.default_package.as_str())
        .chain(settings.packages.iter().map(String::as_str))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The package the ATS's order names, else the one an exact `Package: <name>` label names,
/// else the default.
fn choose_package(settings: &AccurateSettings, subject: &Subject) -> Result<String, Rejection> {
    if let Some(named) = subject.package.as_deref() {
        if available(settings, named) {
            return Ok(named.to_owned());
        }
        return Err(Rejection {
            code: "unknown_package",
            message: format!(
                "Background check not ordered: the package names the Accurate Background \
                 package \"{named}\", which is not available to this account. Use one of: {}.",
                offered(settings)
            ),
        });
    }
    let Some((label, named)) = subject.labels.iter().find_map(|t| {
        t.strip_prefix(settings.package_tag_prefix.as_str())
            .map(|rest| (t, rest.trim()))
    }) else {
        return Ok(settings.default_package.clone());
    };
    if available(settings, named) {
        return Ok(named.to_owned());
    }
    Err(Rejection {
        code: "unknown_package",
        message: format!(
            "Background check not ordered: the tag \"{label}\" names a package that is not \
             available to this account. Use one of: {}. Fix the tag.",
            offered(settings)
        ),
    })
}

fn missing(subject: &Subject, what: &str, fix: &str) -> Rejection {
    Rejection {
        code: "missing_candidate_field",
        message: format!(
            "Background check not ordered: the {what} is missing in {}. {fix}",
            subject.ats.display_name()
        ),
    }
}

/// First and last name: the last word is the last name; one word is both (Accurate needs
/// both).
fn split_name(full: &str) -> (String, String) {
    match full.rsplit_once(char::is_whitespace) {
        Some((first, last)) => (first.trim().to_owned(), last.trim().to_owned()),
        None => (full.to_owned(), full.to_owned()),
    }
}

/// `City[, RG[, CC]]`: a two-letter second part is the region, a two-letter third the
/// country; otherwise the account's default country.
pub fn job_location(settings: &AccurateSettings, place: &str) -> Option<JobLocation> {
    let mut parts = place.split(',').map(str::trim).filter(|p| !p.is_empty());
    let city = parts.next()?.to_owned();
    let two_letters = |p: &str| p.len() == 2 && p.bytes().all(|b| b.is_ascii_alphabetic());
    let region = parts
        .next()
        .filter(|p| two_letters(p))
        .map(str::to_ascii_uppercase);
    let country = parts
        .next()
        .filter(|p| two_letters(p))
        .map(str::to_ascii_uppercase)
        .unwrap_or_else(|| settings.default_country.clone());
    Some(JobLocation {
        city,
        region,
        country,
    })
}

/// Decide what to order for a subject, or why nothing can be.
pub fn prepare(
    settings: &AccurateSettings,
    order: &Order,
    subject: &Subject,
) -> Result<AccurateOrder, Rejection> {
    let email = non_blank(subject.email.as_deref()).ok_or_else(|| {
        missing(
            subject,
            "candidate's email",
            "Add it to the candidate's profile.",
        )
    })?;
    let name = non_blank(subject.name.as_deref()).ok_or_else(|| {
        missing(
            subject,
            "candidate's name",
            "Add it to the candidate's profile.",
        )
    })?;
    let job_location = subject
        .place()
        .and_then(|p| job_location(settings, p))
        .ok_or_else(|| {
            missing(
                subject,
                "job's location",
                "Add a location to the job or the candidate.",
            )
        })?;
    let details = &subject.details;
    // The ATS's own name parts when it has them (Cornerstone), else the full name split.
    let (first_name, last_name) = match (
        non_blank(details.first_name.as_deref()),
        non_blank(details.last_name.as_deref()),
    ) {
        (Some(first), Some(last)) => (first, last),
        _ => split_name(&name),
    };
    let address = details.address.as_ref().map(|a| CandidateAddress {
        street: non_blank(a.line1.as_deref()),
        street2: non_blank(a.line2.as_deref()),
        city: non_blank(a.city.as_deref()),
        region: non_blank(a.state.as_deref()),
        postal_code: non_blank(a.postal_code.as_deref()),
        country: non_blank(a.country.as_deref()),
    });
    Ok(AccurateOrder {
        client_reference: order.id.to_string(),
        package_type: choose_package(settings, subject)?,
        candidate: AccurateCandidate {
            first_name,
            middle_name: non_blank(details.middle_name.as_deref()),
            last_name,
            email,
            phone: non_blank(subject.phone.as_deref()),
            address,
        },
        job_location,
        organization_units: details.org_units.clone(),
        requester_email: non_blank(details.requester_email.as_deref()),
    })
}

/// How long an accepted order waits for the candidate.
pub fn invitation_ttl(settings: &AccurateSettings) -> time::Duration {
    time::Duration::days(i64::from(settings.expiry_days))
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum Status {
    InvitationSent,
    InProgress,
    Completed,
    Cancelled,
}

/// Accurate's adjudication of a completed order.
#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum Adjudication {
    Eligible,
    Review,
    NotEligible,
}

/// What Accurate says of an order, in a postback or in `GET /v3/order/{id}`
/// (docs/providers/accurate.md): the same fields, read by the same rules.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Reading {
    status: Status,
    #[serde(default)]
    percent_complete: Option<u8>,
    #[serde(default)]
    adjudication: Option<Adjudication>,
    #[serde(default)]
    report_url: Option<String>,
}

/// The status postback.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Postback {
    order_id: String,
    #[serde(default)]
    client_reference: Option<String>,
    #[serde(flatten)]
    reading: Reading,
}

/// An order as `GET /v3/order/{id}` answers it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OrderView {
    id: String,
    #[serde(default)]
    client_reference: Option<String>,
    #[serde(flatten)]
    reading: Reading,
}

/// A reading in canonical terms. A completion without its adjudication, or a percentage
/// above 100, is malformed. The percentage counts only while the order is in progress (the
/// order view shows one in every status).
fn change(r: Reading) -> Result<StatusChange, CallbackError> {
    if r.percent_complete.is_some_and(|p| p > 100) {
        return Err(CallbackError::Malformed);
    }
    let change = match (r.status, r.adjudication) {
        (Status::InvitationSent, _) => StatusChange::to(OrderStatus::Pending),
        (Status::InProgress, _) => StatusChange {
            percent_complete: r.percent_complete,
            ..StatusChange::to(OrderStatus::InProgress)
        },
        (Status::Completed, Some(adjudication)) => {
            let (flag, decision) = match adjudication {
                Adjudication::Eligible => (false, "Eligible"),
                Adjudication::Review => (true, "Review"),
                Adjudication::NotEligible => (true, "Not Eligible"),
            };
            StatusChange {
                to: OrderStatus::Complete,
                result: Some(ScreeningResult {
                    flag: Some(flag),
                    decision: Some(decision.to_owned()),
                    report_url: r.report_url,
                    summary: None,
                }),
                reason: None,
                services: Vec::new(),
                percent_complete: None,
            }
        }
        (Status::Completed, None) => return Err(CallbackError::Malformed),
        (Status::Cancelled, _) => StatusChange::to(OrderStatus::Cancelled),
    };
    Ok(change)
}

/// What a postback reports, in canonical terms; a malformed one changes nothing.
pub fn read_callback(body: &[u8]) -> Result<ProviderReport, CallbackError> {
    let pb: Postback = serde_json::from_slice(body).map_err(|_| CallbackError::Malformed)?;
    Ok(ProviderReport {
        provider_ref: pb.order_id,
        client_reference: pb.client_reference,
        change: change(pb.reading)?,
    })
}

/// What `GET /v3/order/{id}` answers, in the same canonical terms as a postback saying it.
pub fn read_order(body: &[u8]) -> Result<ProviderReport, CallbackError> {
    let view: OrderView = serde_json::from_slice(body).map_err(|_| CallbackError::Malformed)?;
    Ok(ProviderReport {
        provider_ref: view.id,
        client_reference: view.client_reference,
        change: change(view.reading)?,
    })
}

#[cfg(test)]
mod tests;
