//! A tenant's configuration (non-secret; secrets live in the secrets port): its ATS accounts,
//! its provider accounts, and its routes, each pairing one trigger in an ATS with one
//! provider. A new pairing is one more route here; no code changes.
//!
//! Checked when it is read (every problem at once, named by route), so a route whose ATS or
//! provider has no settings never loads; `screenhub tenant-put` also checks the secrets
//! ([`crate::onboarding`]). Tenants written before routes existed (`lever`, `alliance`,
//! `backgrounds_online` at the top) still read: see [`legacy`].

mod legacy;
mod route;

pub use route::{Route, Trigger};

use crate::domain::TenantId;
use crate::domain::ats::cornerstone_account::CornerstoneSettings;
use crate::domain::ats::lever_passes::PassSettings;
use crate::domain::ats::lever_route::LeverSettings;
use crate::domain::ats::paylocity_account::PaylocitySettings;
use crate::domain::kinds::{AtsKind, ProviderKind, RouteId};
use crate::domain::providers::accurate::AccurateSettings;
use crate::domain::providers::alliance::AllianceSettings;
use crate::domain::providers::backgrounds_online::BackgroundsOnlineSettings;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self", deny_unknown_fields)]
pub struct TenantConfig {
    pub id: TenantId,
    pub name: String,
    #[serde(default)]
    pub ats: AtsAccounts,
    #[serde(default)]
    pub providers: ProviderAccounts,
    #[serde(default)]
    pub routes: Vec<Route>,
    /// The recruiting passes on Lever (FiiLTER, ARKiiVE, REFiiNE), when the tenant runs any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub passes: Option<PassSettings>,
}

/// The tenant's accounts in applicant-tracking systems.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AtsAccounts {
    #[serde(default)]
    pub lever: Option<LeverSettings>,
    /// The Paylocity companies this tenant fulfils orders for, and its packages.
    #[serde(default)]
    pub paylocity: Option<PaylocitySettings>,
    /// The Cornerstone portal that calls this tenant's connector, and its packages.
    #[serde(default)]
    pub cornerstone: Option<CornerstoneSettings>,
}

/// The tenant's accounts with screening providers.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderAccounts {
    #[serde(default)]
    pub alliance2020: Option<AllianceSettings>,
    #[serde(default)]
    pub backgrounds_online: Option<BackgroundsOnlineSettings>,
    #[serde(default)]
    pub accurate: Option<AccurateSettings>,
}

impl ProviderAccounts {
    /// Whether the tenant has an account with `provider`.
    pub fn has(&self, provider: ProviderKind) -> bool {
        match provider {
            ProviderKind::Alliance2020 => self.alliance2020.is_some(),
            ProviderKind::BackgroundsOnline => self.backgrounds_online.is_some(),
            ProviderKind::Accurate => self.accurate.is_some(),
        }
    }
}

impl AtsAccounts {
    pub fn has(&self, ats: AtsKind) -> bool {
        match ats {
            AtsKind::Lever => self.lever.is_some(),
            AtsKind::Paylocity => self.paylocity.is_some(),
            AtsKind::Cornerstone => self.cornerstone.is_some(),
        }
    }
}

impl TenantConfig {
    pub fn route(&self, id: &RouteId) -> Option<&Route> {
        self.routes.iter().find(|r| &r.id == id)
    }

    /// Whether callbacks from `provider` are accepted (the tenant has an account and a route
    /// ordering from it).
    pub fn orders_from(&self, provider: ProviderKind) -> bool {
        self.providers.has(provider) && self.routes.iter().any(|r| r.provider == provider)
    }

    /// The route a Paylocity order on `package` takes.
    pub fn paylocity_route(&self, package: &str) -> Option<&Route> {
        self.routes
            .iter()
            .find(|r| r.trigger.takes_paylocity_package(package))
    }

    /// The route a Cornerstone initiate on `package` takes.
    pub fn cornerstone_route(&self, package: &str) -> Option<&Route> {
        self.routes
            .iter()
            .find(|r| r.trigger.takes_cornerstone_package(package))
    }

    /// Every problem that keeps this configuration from loading, named by route; empty when
    /// it is consistent.
    pub fn problems(&self) -> Vec<String> {
        let mut found = Vec::new();
        if let Some(paylocity) = &self.ats.paylocity {
            found.extend(paylocity.problems());
        }
        if let Some(cornerstone) = &self.ats.cornerstone {
            found.extend(cornerstone.problems());
        }
        if let Some(passes) = &self.passes {
            found.extend(passes.problems());
            if self.ats.lever.is_none() {
                found.push(
                    "passes: they run on Lever, but the tenant has no ats.lever settings".into(),
                );
            }
        }
        for (i, route) in self.routes.iter().enumerate() {
            let id = &route.id;
            if self.routes[..i].iter().any(|r| &r.id == id) {
                found.push(format!("route {id}: another route has the same id"));
            }
            if !self.ats.has(route.trigger.ats()) {
                found.push(format!(
                    "route {id}: its trigger is in {} but the tenant has no ats.{} settings",
                    route.trigger.ats().display_name(),
                    route.trigger.ats().as_str()
                ));
            }
            if !self.providers.has(route.provider) {
                found.push(format!(
                    "route {id}: it orders from {} but the tenant has no providers.{} settings",
                    route.provider.display_name(),
                    route.provider.as_str()
                ));
            }
            found.extend(route.problems());
            if let Trigger::PaylocityOrder { packages } = &route.trigger {
                let settings = self.ats.paylocity.as_ref();
                for p in packages {
                    if settings.is_some_and(|s| s.package(p).is_none()) {
                        found.push(format!(
                            "route {id}: package \"{p}\" is not one of ats.paylocity.packages"
                        ));
                    }
                }
                let overlaps = |other: &Route| match &other.trigger {
                    Trigger::PaylocityOrder { packages: theirs } => {
                        packages.is_empty()
                            || theirs.is_empty()
                            || packages.iter().any(|p| theirs.contains(p))
                    }
                    _ => false,
                };
                if let Some(other) = self.routes[..i].iter().find(|r| overlaps(r)) {
                    found.push(format!(
                        "route {id}: takes Paylocity orders on the same package as route {}",
                        other.id
                    ));
                }
            }
            if let Trigger::CornerstoneInitiate { packages } = &route.trigger {
                let settings = self.ats.cornerstone.as_ref();
                for p in packages {
                    if settings.is_some_and(|s| s.package(p).is_none()) {
                        found.push(format!(
                            "route {id}: package \"{p}\" is not one of ats.cornerstone.packages"
                        ));
                    }
                }
                let overlaps = |other: &Route| match &other.trigger {
                    Trigger::CornerstoneInitiate { packages: theirs } => {
                        packages.is_empty()
                            || theirs.is_empty()
                            || packages.iter().any(|p| theirs.contains(p))
                    }
                    _ => false,
                };
                if let Some(other) = self.routes[..i].iter().find(|r| overlaps(r)) {
                    found.push(format!(
                        "route {id}: takes Cornerstone orders on the same package as route {}",
                        other.id
                    ));
                }
            }
            if let Some(other) = self.routes[..i].iter().find(|r| {
                r.trigger.ats() == AtsKind::Lever
                    && route.trigger.ats() == AtsKind::Lever
                    && r.lever_rendering().status_tags == route.lever_rendering().status_tags
            }) {
                found.push(format!(
                    "route {id}: shows its status with the same tags as route {}; give one of them another status_tags format or family",
                    other.id
                ));
            }
            if let Some(stage) = route.trigger.stage_id()
                && self.routes[..i]
                    .iter()
                    .any(|r| r.trigger.stage_id() == Some(stage))
            {
                found.push(format!(
                    "route {id}: another route is started by the same stage {stage}"
                ));
            }
            if let Some(start) = route.trigger.start_tag()
                && self.routes[..i]
                    .iter()
                    .any(|r| r.trigger.start_tag() == Some(start))
            {
                found.push(format!(
                    "route {id}: another route is started by the same tag \"{start}\""
                ));
            }
        }
        found
    }
}

impl Serialize for TenantConfig {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        TenantConfig::serialize(self, s)
    }
}

impl<'de> Deserialize<'de> for TenantConfig {
    /// Either shape (routes, or the one before them), then checked whole.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = serde_json::Value::deserialize(d)?;
        let config = if legacy::is_legacy(&value) {
            serde_json::from_value::<legacy::LegacyTenantConfig>(value).map(TenantConfig::from)
        } else {
            TenantConfig::deserialize(value)
        }
        .map_err(D::Error::custom)?;
        let problems = config.problems();
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(D::Error::custom(problems.join("; ")))
        }
    }
}

#[cfg(test)]
mod tests;
