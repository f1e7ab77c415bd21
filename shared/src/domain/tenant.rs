//! Per-tenant configuration (non-secret). Secrets live in the secrets port.

use super::ids::TenantId;
use super::order::Integration;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantConfig {
    pub id: TenantId,
    pub name: String,
    pub lever: LeverSettings,
    #[serde(default)]
    pub alliance: Option<AllianceSettings>,
    #[serde(default)]
    pub backgrounds_online: Option<BackgroundsOnlineSettings>,
}

impl TenantConfig {
    /// Whether the tenant has settings for `integration` (its callbacks are accepted, its
    /// orders performed).
    pub fn enables(&self, integration: Integration) -> bool {
        match integration {
            Integration::Alliance2020 => self.alliance.is_some(),
            Integration::BackgroundsOnline => self.backgrounds_online.is_some(),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeverSettings {
    /// Data API root, e.g. `https://api.lever.co/v1` (EU: `https://api.eu.lever.co/v1`).
    #[serde(default = "default_lever_api")]
    pub api_base: String,
    /// Lever user id the hub acts as (`perform_as`); optional for tags, notes and stages.
    #[serde(default)]
    pub perform_as: Option<String>,
    /// Steady request rate allowed per second for this tenant's key (Lever: about 10).
    #[serde(default = "default_rate")]
    pub requests_per_second: u32,
    /// Burst allowance (Lever: about 20).
    #[serde(default = "default_burst")]
    pub burst: u32,
}

fn default_lever_api() -> String {
    "https://api.lever.co/v1".into()
}
fn default_rate() -> u32 {
    8
}
fn default_burst() -> u32 {
    16
}

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
    /// Lever stage id that starts an order.
    pub trigger_stage_id: String,
    /// Main client code; sub-clients may replace it.
    pub client_code: String,
    /// Status tag format; `{status}` is replaced by Pending, Rejected, In Progress, Complete, Error.
    #[serde(default = "default_status_format")]
    pub status_tag_format: String,
    pub product: ProductSettings,
    #[serde(default)]
    pub sub_client: SubClientSettings,
    #[serde(default = "default_reference")]
    pub reference: ReferenceField,
    /// Tags starting with one of these prefixes are sent to the provider.
    #[serde(default)]
    pub forward_tag_prefixes: Vec<String>,
    /// When set, a `<prefix>True|False` tag is added with the results.
    #[serde(default)]
    pub flag_tag_prefix: Option<String>,
    /// When set, a `<prefix><decision>` tag is added with the results.
    #[serde(default)]
    pub decision_tag_prefix: Option<String>,
    #[serde(default)]
    pub quickapp: QuickAppDelivery,
}

fn default_status_format() -> String {
    "Background Check Status: {status}".into()
}
fn default_reference() -> ReferenceField {
    ReferenceField::None
}

/// Backgrounds Online on Lever (DESIGN.md 1.A): tag-driven orders, polled.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BackgroundsOnlineSettings {
    /// Provider API root.
    pub api_base: String,
    /// Package ordered when no `Package: <name>` tag names another.
    pub default_package: String,
    /// Other packages this account may order (exact names).
    #[serde(default)]
    pub packages: Vec<String>,
    /// Exact, case-sensitive prefix of the package override tag.
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minimal_config_gets_documented_defaults() {
        let cfg: TenantConfig = serde_json::from_value(serde_json::json!({
            "id": "acme", "name": "Acme",
            "lever": {},
            "alliance": {
                "api_base": "https://alliance.example", "trigger_stage_id": "stage-bg",
                "client_code": "ACME", "product": {"default": "Basic"}
            }
        }))
        .unwrap();
        assert_eq!(cfg.lever.api_base, "https://api.lever.co/v1");
        let a = cfg.alliance.unwrap();
        assert_eq!(a.status_tag_format, "Background Check Status: {status}");
        assert_eq!(a.product.tag_prefix, "Product: ");
        assert_eq!(a.product.on_unknown, UnknownProduct::FallbackToDefault);
        assert_eq!(a.sub_client.match_on, SubClientMatch::None);
        assert_eq!(a.reference, ReferenceField::None);
    }

    #[test]
    fn the_documented_example_tenant_is_valid() {
        let cfg: TenantConfig =
            serde_json::from_str(include_str!("../../../docs/tenant.example.json")).unwrap();
        let bo = cfg
            .backgrounds_online
            .expect("example enables Backgrounds Online");
        assert_eq!(bo.expiry_days, 14);
        assert!(cfg.alliance.is_some());
    }

    #[test]
    fn backgrounds_online_defaults_are_the_documented_ones() {
        let cfg: TenantConfig = serde_json::from_value(serde_json::json!({
            "id": "acme", "name": "Acme", "lever": {},
            "backgrounds_online": { "api_base": "https://bo.example", "default_package": "Standard" }
        }))
        .unwrap();
        let bo = cfg.backgrounds_online.unwrap();
        assert_eq!(bo.package_tag_prefix, "Package: ");
        assert_eq!(bo.expiry_days, 14);
        assert!(bo.packages.is_empty());
    }

    #[test]
    fn misspelt_settings_are_refused_not_ignored() {
        let res: Result<TenantConfig, _> = serde_json::from_value(serde_json::json!({
            "id": "acme", "name": "Acme", "lever": {"perfrom_as": "u1"}
        }));
        assert!(res.is_err());
    }
}
