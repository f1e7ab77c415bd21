//! The configuration shape before routes (`lever`, `alliance`, `backgrounds_online` at the
//! top, the Lever trigger and tags inside each provider's settings), read into today's: each
//! provider section becomes that provider's account plus the route it implied, with the
//! route id equal to the old integration name so stored keys and events stay valid.

use super::{AtsAccounts, ProviderAccounts, Route, TenantConfig, Trigger};
use crate::domain::TenantId;
use crate::domain::ats::lever_route::{LeverRendering, LeverSettings, StatusTags};
use crate::domain::kinds::{ProviderKind, RouteId};
use crate::domain::providers::alliance::{
    AllianceSettings, ProductSettings, QuickAppDelivery, ReferenceField, SubClientSettings,
};
use crate::domain::providers::backgrounds_online::BackgroundsOnlineSettings;
use serde::Deserialize;

/// The tags the Backgrounds Online route always used.
pub const BO_START_TAG: &str = "Backgrounds Online Start";
pub const BO_CANCEL_TAG: &str = "Backgrounds Online Cancel";

pub(super) fn is_legacy(value: &serde_json::Value) -> bool {
    ["lever", "alliance", "backgrounds_online"]
        .iter()
        .any(|k| value.get(k).is_some())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct LegacyTenantConfig {
    id: TenantId,
    name: String,
    lever: LeverSettings,
    #[serde(default)]
    alliance: Option<LegacyAlliance>,
    #[serde(default)]
    backgrounds_online: Option<BackgroundsOnlineSettings>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LegacyAlliance {
    api_base: String,
    trigger_stage_id: String,
    client_code: String,
    #[serde(default = "default_status_format")]
    status_tag_format: String,
    product: ProductSettings,
    #[serde(default)]
    sub_client: SubClientSettings,
    #[serde(default = "default_reference")]
    reference: ReferenceField,
    #[serde(default)]
    forward_tag_prefixes: Vec<String>,
    #[serde(default)]
    flag_tag_prefix: Option<String>,
    #[serde(default)]
    decision_tag_prefix: Option<String>,
    #[serde(default)]
    quickapp: QuickAppDelivery,
}

fn default_status_format() -> String {
    "Background Check Status: {status}".into()
}
fn default_reference() -> ReferenceField {
    ReferenceField::None
}

fn route_id(provider: ProviderKind) -> RouteId {
    RouteId::parse(provider.as_str()).expect("provider names are route ids")
}

impl From<LegacyTenantConfig> for TenantConfig {
    fn from(old: LegacyTenantConfig) -> Self {
        let mut routes = Vec::new();
        let alliance2020 = old.alliance.map(|a| {
            routes.push(Route {
                id: route_id(ProviderKind::Alliance2020),
                trigger: Trigger::LeverStage {
                    stage_id: a.trigger_stage_id,
                },
                provider: ProviderKind::Alliance2020,
                lever: Some(LeverRendering {
                    status_tags: StatusTags::Standard {
                        format: a.status_tag_format,
                    },
                    flag_tag_prefix: a.flag_tag_prefix,
                    decision_tag_prefix: a.decision_tag_prefix,
                    results_note: None,
                }),
            });
            AllianceSettings {
                api_base: a.api_base,
                client_code: a.client_code,
                product: a.product,
                sub_client: a.sub_client,
                reference: a.reference,
                forward_tag_prefixes: a.forward_tag_prefixes,
                quickapp: a.quickapp,
            }
        });
        if old.backgrounds_online.is_some() {
            routes.push(Route {
                id: route_id(ProviderKind::BackgroundsOnline),
                trigger: Trigger::LeverTag {
                    start: BO_START_TAG.into(),
                    cancel: Some(BO_CANCEL_TAG.into()),
                },
                provider: ProviderKind::BackgroundsOnline,
                lever: Some(LeverRendering {
                    status_tags: StatusTags::BackgroundsOnline,
                    ..LeverRendering::default()
                }),
            });
        }
        TenantConfig {
            id: old.id,
            name: old.name,
            ats: AtsAccounts {
                lever: Some(old.lever),
                paylocity: None,
                cornerstone: None,
            },
            providers: ProviderAccounts {
                alliance2020,
                backgrounds_online: old.backgrounds_online,
                accurate: None,
            },
            routes,
            passes: None,
        }
    }
}
