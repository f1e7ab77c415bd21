//! Alliance 2020 (DESIGN.md 1.B), the provider side: the tenant's account settings, what is
//! ordered for a subject (product, sub-client, reference, forwarded labels, QuickApp), and how
//! its callbacks become canonical changes. Pure functions only; nothing here knows which ATS
//! the subject came from.

use super::{CallbackError, ProviderReport};
use crate::domain::order::{Order, OrderStatus, Rejection, ScreeningResult, non_blank};
use crate::domain::subject::Subject;
use crate::domain::transitions::StatusChange;
use serde::{Deserialize, Serialize};

pub const PROVIDER_NAME: &str = "Alliance 2020";

/// How an unknown product named by a `Product:` tag is handled.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnknownProduct {
    FallbackToDefault,
    Reject,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProductSettings {
    pub default: String,
    /// Exact, case-sensitive prefix of the override tag, e.g. `Product: `.
    #[serde(default = "default_product_prefix")]
    pub tag_prefix: String,
    /// Products this tenant may order (the default is always allowed).
    #[serde(default)]
    pub available: Vec<String>,
    #[serde(default = "default_unknown_product")]
    pub on_unknown: UnknownProduct,
}

fn default_product_prefix() -> String {
    "Product: ".into()
}
fn default_unknown_product() -> UnknownProduct {
    UnknownProduct::FallbackToDefault
}

/// Which field of a sub-client the Lever location is matched against.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubClientMatch {
    None,
    ClientCode,
    ClientName,
    ClientCity,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnmatchedSubClient {
    FallbackToMain,
    Reject,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubClient {
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub city: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubClientSettings {
    #[serde(rename = "match", default = "default_sub_client_match")]
    pub match_on: SubClientMatch,
    #[serde(default)]
    pub clients: Vec<SubClient>,
    #[serde(default = "default_unmatched")]
    pub on_unmatched: UnmatchedSubClient,
}

fn default_sub_client_match() -> SubClientMatch {
    SubClientMatch::None
}
fn default_unmatched() -> UnmatchedSubClient {
    UnmatchedSubClient::FallbackToMain
}

impl Default for SubClientSettings {
    fn default() -> Self {
        Self {
            match_on: SubClientMatch::None,
            clients: Vec::new(),
            on_unmatched: UnmatchedSubClient::FallbackToMain,
        }
    }
}

/// What Alliance receives as the order's reference.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum ReferenceField {
    None,
    JobTitle,
    JobDepartment,
    /// The rest of the first tag starting with `prefix`, e.g. `Reference: PO-1234`.
    ThroughTags {
        prefix: String,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuickAppDelivery {
    #[serde(default = "yes")]
    pub email: bool,
    #[serde(default)]
    pub sms: bool,
}

fn yes() -> bool {
    true
}

impl Default for QuickAppDelivery {
    fn default() -> Self {
        Self {
            email: true,
            sms: false,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllianceSettings {
    /// Provider API root.
    pub api_base: String,
    /// Main client code; sub-clients may replace it.
    pub client_code: String,
    pub product: ProductSettings,
    #[serde(default)]
    pub sub_client: SubClientSettings,
    #[serde(default = "default_reference")]
    pub reference: ReferenceField,
    /// Labels (Lever tags) starting with one of these prefixes are sent to the provider.
    #[serde(default)]
    pub forward_tag_prefixes: Vec<String>,
    #[serde(default)]
    pub quickapp: QuickAppDelivery,
}

fn default_reference() -> ReferenceField {
    ReferenceField::None
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllianceCandidate {
    pub name: String,
    pub email: String,
    pub phone: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlliancePosition {
    pub title: Option<String>,
    pub department: Option<String>,
    pub location: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuickApp {
    pub email: bool,
    pub sms: bool,
}

/// The order as sent to Alliance 2020 (docs/providers/alliance2020.md).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllianceOrder {
    pub client_reference: String,
    pub client_code: String,
    pub product: String,
    pub reference: Option<String>,
    pub candidate: AllianceCandidate,
    pub position: AlliancePosition,
    pub tags: Vec<String>,
    pub quickapp: QuickApp,
}

/// Decide what to order for a subject, or why nothing can be ordered.
pub fn prepare(
    settings: &AllianceSettings,
    order: &Order,
    subject: &Subject,
) -> Result<AllianceOrder, Rejection> {
    let name = non_blank(subject.name.as_deref());
    let email = non_blank(subject.email.as_deref());
    let missing: Vec<&str> = [("name", name.is_none()), ("email", email.is_none())]
        .into_iter()
        .filter_map(|(field, absent)| absent.then_some(field))
        .collect();
    if !missing.is_empty() {
        return Err(Rejection {
            code: "missing_candidate_field",
            message: format!(
                "Background check not ordered: the candidate's {} is missing in {}. Add it to the candidate's profile.",
                missing.join(" and "),
                subject.ats.display_name()
            ),
        });
    }
    let location = non_blank(subject.place());
    let title = non_blank(subject.job.title.as_deref());
    let department = non_blank(subject.job.department.as_deref());

    let product = match subject.package.as_deref() {
        Some(named) => ordered_product(settings, named)?,
        None => choose_product(settings, &subject.labels)?,
    };
    let client_code = choose_client_code(settings, location.as_deref())?;
    let reference = match &settings.reference {
        ReferenceField::None => None,
        ReferenceField::JobTitle => title.clone(),
        ReferenceField::JobDepartment => department.clone(),
        ReferenceField::ThroughTags { prefix } => subject
            .labels
            .iter()
            .find_map(|t| t.strip_prefix(prefix.as_str()))
            .and_then(|r| non_blank(Some(r))),
    };
    let tags = subject
        .labels
        .iter()
        .filter(|t| {
            settings
                .forward_tag_prefixes
                .iter()
                .any(|p| !p.is_empty() && t.starts_with(p.as_str()))
        })
        .cloned()
        .collect();

    Ok(AllianceOrder {
        client_reference: order.id.to_string(),
        client_code,
        product,
        reference,
        candidate: AllianceCandidate {
            name: name.unwrap_or_default(),
            email: email.unwrap_or_default(),
            phone: non_blank(subject.phone.as_deref()),
        },
        position: AlliancePosition {
            title,
            department,
            location,
        },
        tags,
        quickapp: QuickApp {
            email: settings.quickapp.email,
            sms: settings.quickapp.sms,
        },
    })
}

/// The default product, or the one named by the first label carrying the exact product prefix.
pub fn choose_product(settings: &AllianceSettings, labels: &[String]) -> Result<String, Rejection> {
    let p = &settings.product;
    let Some((tag, named)) = labels.iter().find_map(|t| {
        t.strip_prefix(p.tag_prefix.as_str())
            .map(|rest| (t, rest.trim()))
    }) else {
        return Ok(p.default.clone());
    };
    if named == p.default || p.available.iter().any(|a| a == named) {
        return Ok(named.to_owned());
    }
    match p.on_unknown {
        UnknownProduct::FallbackToDefault => Ok(p.default.clone()),
        UnknownProduct::Reject => Err(Rejection {
            code: "unknown_product",
            message: format!(
                "Background check not ordered: the tag \"{tag}\" names a product that is not available \
                 to this account. Use one of: {}.",
                std::iter::once(p.default.as_str())
                    .chain(p.available.iter().map(String::as_str))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }),
    }
}

/// The product an ATS ordered by name: one this account offers, or nothing is ordered (an
/// explicit order is never swapped for the default).
pub fn ordered_product(settings: &AllianceSettings, named: &str) -> Result<String, Rejection> {
    let p = &settings.product;
    if named == p.default || p.available.iter().any(|a| a == named) {
        return Ok(named.to_owned());
    }
    Err(Rejection {
        code: "unknown_product",
        message: format!(
            "Background check not ordered: the package names the Alliance 2020 product \"{named}\", \
             which is not available to this account."
        ),
    })
}

fn sub_client_field(client: &SubClient, on: SubClientMatch) -> Option<&str> {
    match on {
        SubClientMatch::None => None,
        SubClientMatch::ClientCode => Some(&client.code),
        SubClientMatch::ClientName => Some(&client.name),
        SubClientMatch::ClientCity => Some(&client.city),
    }
}

/// The main client code, or the sub-client whose chosen field equals the job's location.
pub fn choose_client_code(
    settings: &AllianceSettings,
    location: Option<&str>,
) -> Result<String, Rejection> {
    let sub = &settings.sub_client;
    if sub.match_on == SubClientMatch::None {
        return Ok(settings.client_code.clone());
    }
    let found = location.and_then(|loc| {
        sub.clients.iter().find(|c| {
            sub_client_field(c, sub.match_on)
                .is_some_and(|v| !v.trim().is_empty() && v.trim().eq_ignore_ascii_case(loc.trim()))
        })
    });
    match (found, sub.on_unmatched) {
        (Some(client), _) => Ok(client.code.clone()),
        (None, UnmatchedSubClient::FallbackToMain) => Ok(settings.client_code.clone()),
        (None, UnmatchedSubClient::Reject) => Err(Rejection {
            code: "unmatched_sub_client",
            message: format!(
                "Background check not ordered: no sub-client is set up for the location \"{}\". \
                 Ask your administrator to add it.",
                location.unwrap_or("(none)")
            ),
        }),
    }
}

/// A status reported by the provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderStatus {
    Pending,
    InProgress,
    Complete,
    Rejected,
}

/// Alliance 2020's callback body (docs/providers/alliance2020.md).
#[derive(Deserialize)]
struct Callback {
    order_id: String,
    #[serde(default)]
    client_reference: Option<String>,
    status: ProviderStatus,
    #[serde(default)]
    reason: Option<String>,
    #[serde(default)]
    result: Option<ScreeningResult>,
    #[serde(default)]
    services: Vec<super::ServiceReport>,
}

/// What a callback reports, in canonical terms.
pub fn read_callback(body: &[u8]) -> Result<ProviderReport, CallbackError> {
    let cb: Callback = serde_json::from_slice(body).map_err(|_| CallbackError::Malformed)?;
    let to = match cb.status {
        ProviderStatus::Pending => OrderStatus::Pending,
        ProviderStatus::InProgress => OrderStatus::InProgress,
        ProviderStatus::Complete => OrderStatus::Complete,
        ProviderStatus::Rejected => OrderStatus::Rejected,
    };
    Ok(ProviderReport {
        provider_ref: cb.order_id,
        client_reference: cb.client_reference,
        change: StatusChange {
            to,
            result: cb.result,
            reason: cb.reason,
            services: super::service_lines(cb.services),
            percent_complete: None,
        },
    })
}

#[cfg(test)]
mod tests;
