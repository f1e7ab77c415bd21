//! A tenant's Cornerstone portal settings (`ats.cornerstone`): the Basic-auth usernames the
//! portal calls the connector with (the passwords are in the tenant's secret), the packages
//! it offers (`GET /api/Packages`, each mapped to the provider's package), where the portal's
//! status callbacks may go, and whether the portal shows an adjudication result. Pure.

use serde::{Deserialize, Serialize};

/// `ats.cornerstone` of a tenant's configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CornerstoneSettings {
    /// The Basic-auth username of the portal's full-permission caller (its password is the
    /// secret's `cornerstone.password`).
    pub username: String,
    /// A second username that may only read order status (its password is the secret's
    /// `cornerstone.status_password`): it never receives report or progress links.
    #[serde(default)]
    pub status_username: Option<String>,
    /// The packages the portal offers.
    pub packages: Vec<CornerstonePackage>,
    /// Where status callbacks may be posted: origins such as `https://acme.csod.com` or
    /// `https://*.csod.com` (any subdomain). A callback URL on any other origin is refused at
    /// initiation. Plain `http` is accepted only for a loopback origin (a local run).
    pub callback_origins: Vec<String>,
    /// Whether the portal shows the adjudication result on its panel.
    #[serde(default)]
    pub adjudication: bool,
    /// Where a full-permission caller checks an order's progress at the provider, with
    /// `{provider_reference}` standing for the provider's order id (no link when unset).
    #[serde(default)]
    pub progress_url: Option<String>,
    /// Days the candidate's link stays valid (Cornerstone's portals: 7).
    #[serde(default = "default_link_days")]
    pub link_valid_days: u32,
}

fn default_link_days() -> u32 {
    7
}

/// One package, as `GET /api/Packages` lists it (`{Id, Name}`), and what it orders.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CornerstonePackage {
    pub id: String,
    /// Shown to the portal's users; accounts are encoded in it (e.g. "Account 1 - Package 1").
    pub name: String,
    /// The provider's package (or product) it orders; `None`: the provider account's default.
    #[serde(default)]
    pub provider_package: Option<String>,
}

/// An allowed callback origin: a scheme, a host (or `*.` and a domain) and a port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    pub https: bool,
    /// Lowercase; a leading `*.` allows any subdomain (not the domain itself).
    pub host: String,
    pub port: Option<u16>,
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host == "127.0.0.1" || host == "[::1]"
}

impl Origin {
    /// An origin rule as configured; `None` when it is not `https://host[:port]` (or
    /// `http://` with a loopback host).
    pub fn parse(raw: &str) -> Option<Origin> {
        let (https, rest) = if let Some(r) = raw.strip_prefix("https://") {
            (true, r)
        } else {
            (false, raw.strip_prefix("http://")?)
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.is_empty() || rest.contains(['/', '@', '?', '#']) {
            return None;
        }
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(':') && !h.is_empty() => (h, Some(p.parse().ok()?)),
            _ => (rest, None),
        };
        let host = host.to_ascii_lowercase();
        let bare = host.strip_prefix("*.").unwrap_or(&host);
        let valid = !bare.is_empty()
            && bare
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'))
            && !bare.starts_with('.')
            && !bare.ends_with('.');
        if !valid && !is_loopback(&host) {
            return None;
        }
        if !https && !is_loopback(&host) {
            return None;
        }
        Some(Origin { https, host, port })
    }

    /// Whether a URL's scheme, host and port are this origin's.
    pub fn allows(&self, https: bool, host: &str, port: Option<u16>) -> bool {
        let host = host.to_ascii_lowercase();
        let host_ok = match self.host.strip_prefix("*.") {
            Some(domain) => host
                .strip_suffix(domain)
                .is_some_and(|sub| sub.len() > 1 && sub.ends_with('.')),
            None => host == self.host,
        };
        let default = if https { 443 } else { 80 };
        https == self.https && host_ok && port.unwrap_or(default) == self.port.unwrap_or(default)
    }
}

impl CornerstoneSettings {
    pub fn package(&self, id: &str) -> Option<&CornerstonePackage> {
        self.packages.iter().find(|p| p.id == id)
    }

    /// The package list as `GET /api/Packages` answers it.
    pub fn listed(&self) -> serde_json::Value {
        serde_json::Value::Array(
            self.packages
                .iter()
                .map(|p| serde_json::json!({ "Id": p.id, "Name": p.name }))
                .collect(),
        )
    }

    pub fn origins(&self) -> Vec<Origin> {
        self.callback_origins
            .iter()
            .filter_map(|o| Origin::parse(o))
            .collect()
    }

    /// Every problem of these settings, in words an operator can act on.
    pub fn problems(&self) -> Vec<String> {
        let mut found = Vec::new();
        if self.username.trim().is_empty() || self.username.contains(':') {
            found.push("ats.cornerstone: username is empty or contains ':'".to_owned());
        }
        if let Some(s) = &self.status_username
            && (s.trim().is_empty() || s.contains(':') || s == &self.username)
        {
            found.push(
                "ats.cornerstone: status_username is empty, contains ':' or equals username"
                    .to_owned(),
            );
        }
        if self.packages.is_empty() {
            found.push("ats.cornerstone: packages is empty".to_owned());
        }
        for (i, p) in self.packages.iter().enumerate() {
            if crate::domain::ids::external_id(&p.id).is_err() {
                found.push(format!(
                    "ats.cornerstone package \"{}\": the id is not a valid package id",
                    p.id
                ));
            }
            if self.packages[..i].iter().any(|q| q.id == p.id) {
                found.push(format!(
                    "ats.cornerstone package \"{}\": another package has the same id",
                    p.id
                ));
            }
            if p.name.trim().is_empty() {
                found.push(format!(
                    "ats.cornerstone package \"{}\": the name is empty",
                    p.id
                ));
            }
        }
        if self.callback_origins.is_empty() {
            found.push("ats.cornerstone: callback_origins is empty".to_owned());
        }
        for o in &self.callback_origins {
            if Origin::parse(o).is_none() {
                found.push(format!(
                    "ats.cornerstone: callback origin \"{o}\" is not https://host[:port] (http only for a loopback host)"
                ));
            }
        }
        if self.link_valid_days == 0 {
            found.push("ats.cornerstone: link_valid_days must be at least 1".to_owned());
        }
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> CornerstoneSettings {
        serde_json::from_value(serde_json::json!({
            "username": "acme-portal",
            "packages": [{ "id": "bg-pack-5", "name": "Account 1 - Package 5",
                           "provider_package": "Criminal Package 2" }],
            "callback_origins": ["https://*.csod.com", "https://edge.example.com:8443"]
        }))
        .unwrap()
    }

    #[test]
    fn defaults_are_seven_days_and_no_adjudication() {
        let s = settings();
        assert!(s.problems().is_empty(), "{:?}", s.problems());
        assert_eq!(s.link_valid_days, 7);
        assert!(!s.adjudication);
        assert_eq!(
            s.listed(),
            serde_json::json!([{ "Id": "bg-pack-5", "Name": "Account 1 - Package 5" }])
        );
    }

    #[test]
    fn origins_allow_only_their_scheme_host_and_port() {
        let wild = Origin::parse("https://*.csod.com").unwrap();
        assert!(wild.allows(true, "acme.csod.com", None));
        assert!(wild.allows(true, "ACME.csod.com", Some(443)));
        assert!(!wild.allows(true, "csod.com", None), "the domain itself");
        assert!(!wild.allows(true, "evilcsod.com", None));
        assert!(!wild.allows(true, "acme.csod.com.evil.net", None));
        assert!(!wild.allows(false, "acme.csod.com", None), "plain http");
        assert!(!wild.allows(true, "acme.csod.com", Some(8443)));
        let exact = Origin::parse("https://edge.example.com:8443").unwrap();
        assert!(exact.allows(true, "edge.example.com", Some(8443)));
        assert!(!exact.allows(true, "edge.example.com", None));
        let local = Origin::parse("http://127.0.0.1:4000").unwrap();
        assert!(local.allows(false, "127.0.0.1", Some(4000)));
        assert!(!local.allows(false, "127.0.0.1", Some(4001)));
    }

    #[test]
    fn unsafe_or_malformed_rules_are_problems() {
        for bad in [
            "http://internal.example.com",
            "ftp://x.com",
            "https://",
            "https://user@x.com",
            "https://x.com/path",
            "https://x.com:notaport",
            "acme.csod.com",
        ] {
            assert_eq!(Origin::parse(bad), None, "{bad}");
        }
        let mut s = settings();
        s.callback_origins.push("http://10.0.0.5".into());
        s.username = String::new();
        let problems = s.problems().join("\n");
        assert!(problems.contains("10.0.0.5"), "{problems}");
        assert!(problems.contains("username"), "{problems}");
    }
}
