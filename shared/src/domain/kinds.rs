//! What the core knows of the outside world: which applicant-tracking systems and which
//! screening providers exist (closed, persisted enums), and the tenant's routes that pair one
//! of each. Each kind's rules live with its adapter (`domain::ats::*`, `domain::providers::*`);
//! here they are names only.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An applicant-tracking or HR system an order comes from and is rendered back to.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum AtsKind {
    #[default]
    Lever,
    Paylocity,
    Cornerstone,
}

impl AtsKind {
    pub const ALL: [AtsKind; 3] = [AtsKind::Lever, AtsKind::Paylocity, AtsKind::Cornerstone];

    pub fn as_str(self) -> &'static str {
        match self {
            AtsKind::Lever => "lever",
            AtsKind::Paylocity => "paylocity",
            AtsKind::Cornerstone => "cornerstone",
        }
    }

    /// The name users know it by (in notes and messages).
    pub fn display_name(self) -> &'static str {
        match self {
            AtsKind::Lever => "Lever",
            AtsKind::Paylocity => "Paylocity",
            AtsKind::Cornerstone => "Cornerstone",
        }
    }
}

/// A background-screening provider an order is placed with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderKind {
    Alliance2020,
    BackgroundsOnline,
    Accurate,
}

impl ProviderKind {
    pub const ALL: [ProviderKind; 3] = [
        ProviderKind::Alliance2020,
        ProviderKind::BackgroundsOnline,
        ProviderKind::Accurate,
    ];

    /// Persisted (keys, secrets, configuration): never changed.
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Alliance2020 => "alliance2020",
            ProviderKind::BackgroundsOnline => "backgrounds_online",
            ProviderKind::Accurate => "accurate",
        }
    }

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    /// The name users know it by (in notes and messages).
    pub fn display_name(self) -> &'static str {
        match self {
            ProviderKind::Alliance2020 => "Alliance 2020",
            ProviderKind::BackgroundsOnline => "Backgrounds Online",
            ProviderKind::Accurate => "Accurate Background",
        }
    }

    /// Whether its API signs in with a password beside the key (`api_secret`: HTTP Basic).
    pub fn needs_api_secret(self) -> bool {
        match self {
            ProviderKind::Alliance2020 | ProviderKind::BackgroundsOnline => false,
            ProviderKind::Accurate => true,
        }
    }

    /// The path segment of its callback route (`/callbacks/{slug}/{tenant}`).
    pub fn callback_slug(self) -> &'static str {
        match self {
            ProviderKind::Alliance2020 => "alliance2020",
            ProviderKind::BackgroundsOnline => "backgrounds-online",
            ProviderKind::Accurate => "accurate",
        }
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A tenant's route: one trigger in one ATS ordering from one provider. Its id keys the
/// opportunity's active-order slot and is the `integration` field of orders and bus events;
/// today's two routes keep today's ids (`alliance2020`, `backgrounds_online`).
/// 1 to 64 characters of `a-z`, `0-9`, `_` and `-`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RouteId(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("route ids are 1 to 64 characters of a-z, 0-9, '_' and '-'")]
pub struct InvalidRouteId;

impl RouteId {
    pub fn parse(raw: &str) -> Result<Self, InvalidRouteId> {
        let ok = !raw.is_empty()
            && raw.len() <= 64
            && raw
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'-');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidRouteId)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for RouteId {
    type Error = InvalidRouteId;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<RouteId> for String {
    fn from(value: RouteId) -> Self {
        value.0
    }
}

impl fmt::Display for RouteId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Which route an order follows, and the ATS and provider at its two ends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pairing {
    pub route: RouteId,
    pub ats: AtsKind,
    pub provider: ProviderKind,
}

impl Pairing {
    /// A pairing whose route id is `route` (panics on an invalid id: for literals).
    pub fn new(route: &str, ats: AtsKind, provider: ProviderKind) -> Self {
        Self {
            route: RouteId::parse(route).expect("a valid route id"),
            ats,
            provider,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn persisted_names_are_todays_integration_strings() {
        assert_eq!(
            serde_json::to_value(ProviderKind::ALL).unwrap(),
            serde_json::json!(["alliance2020", "backgrounds_online", "accurate"])
        );
        for k in ProviderKind::ALL {
            assert_eq!(ProviderKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(ProviderKind::parse("cornerstone"), None);
    }

    #[test]
    fn route_ids_are_key_safe() {
        assert!(RouteId::parse("lever_stage-bo2").is_ok());
        for bad in ["", "A", "a#b", "a b", &"x".repeat(65)] {
            assert_eq!(RouteId::parse(bad), Err(InvalidRouteId), "{bad:?}");
        }
    }
}
