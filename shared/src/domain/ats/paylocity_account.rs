//! A tenant's Paylocity settings: the Paylocity companies it serves, the packages it offers
//! them (published to Paylocity with the field limits of facts/vendors-and-aws.md §1.2, and
//! mapped to the provider's package), and its adverse-action waiting period. Pure.

use serde::{Deserialize, Serialize};

/// `ats.paylocity` of a tenant's configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaylocitySettings {
    /// The Paylocity company ids whose orders this tenant fulfils (at most 9 characters each;
    /// a company set sends several).
    pub company_ids: Vec<String>,
    /// The packages offered to these companies.
    #[serde(default)]
    pub packages: Vec<PaylocityPackage>,
    /// Business days (Monday to Friday) between the pre-adverse notice and the final one.
    #[serde(default = "default_wait")]
    pub adverse_action_wait_business_days: u32,
}

fn default_wait() -> u32 {
    5
}

fn yes() -> bool {
    true
}

/// One package, as Paylocity shows it (`screeningPackages`) plus what it orders.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaylocityPackage {
    /// `packageId` (at most 36 characters).
    pub id: String,
    /// `packageName` (at most 250).
    pub name: String,
    /// `packageSummary` (at most 250).
    #[serde(default)]
    pub summary: String,
    /// The services Paylocity shows for it (names at most 50, summaries at most 250).
    #[serde(default)]
    pub services: Vec<PackageService>,
    /// Inactive packages vanish from Paylocity's UI and take no new orders; orders already
    /// placed on them still complete.
    #[serde(default = "yes")]
    pub active: bool,
    #[serde(default)]
    pub price: Option<Price>,
    #[serde(default)]
    pub billing_code: Option<String>,
    #[serde(default)]
    pub international: bool,
    /// The provider's package (or product) this package orders; `None`: the provider
    /// account's default.
    #[serde(default)]
    pub provider_package: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageService {
    pub name: String,
    #[serde(default)]
    pub summary: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Price {
    pub value: f64,
    /// USD, EUR, GBP or CAD.
    pub currency: String,
}

const CURRENCIES: [&str; 4] = ["USD", "EUR", "GBP", "CAD"];

impl PaylocitySettings {
    pub fn package(&self, id: &str) -> Option<&PaylocityPackage> {
        self.packages.iter().find(|p| p.id == id)
    }

    pub fn serves(&self, company_id: &str) -> bool {
        self.company_ids.iter().any(|c| c == company_id)
    }

    /// Every problem of these settings, in words an operator can act on.
    pub fn problems(&self) -> Vec<String> {
        let mut found = Vec::new();
        if self.company_ids.is_empty() {
            found.push("ats.paylocity: company_ids is empty".to_owned());
        }
        for (i, c) in self.company_ids.iter().enumerate() {
            if c.is_empty() || c.len() > 9 || !c.bytes().all(|b| b.is_ascii_alphanumeric()) {
                found.push(format!(
                    "ats.paylocity: company id \"{c}\" is not 1 to 9 letters or digits"
                ));
            }
            if self.company_ids[..i].contains(c) {
                found.push(format!("ats.paylocity: company id \"{c}\" is listed twice"));
            }
        }
        let too_long = |what: String, text: &str, max: usize| {
            (text.chars().count() > max).then(|| format!("{what} is longer than {max} characters"))
        };
        for (i, p) in self.packages.iter().enumerate() {
            let at = format!("ats.paylocity package \"{}\"", p.id);
            if p.id.is_empty() || crate::domain::ids::external_id(&p.id).is_err() {
                found.push(format!("{at}: the id is not a valid package id"));
            }
            if self.packages[..i].iter().any(|q| q.id == p.id) {
                found.push(format!("{at}: another package has the same id"));
            }
            if p.name.trim().is_empty() {
                found.push(format!("{at}: the name is empty"));
            }
            found.extend(too_long(format!("{at}: the id"), &p.id, 36));
            found.extend(too_long(format!("{at}: the name"), &p.name, 250));
            found.extend(too_long(format!("{at}: the summary"), &p.summary, 250));
            for s in &p.services {
                found.extend(too_long(
                    format!("{at}: service \"{}\"", s.name),
                    &s.name,
                    50,
                ));
                found.extend(too_long(
                    format!("{at}: the summary of service \"{}\"", s.name),
                    &s.summary,
                    250,
                ));
                if s.name.trim().is_empty() {
                    found.push(format!("{at}: a service has no name"));
                }
            }
            if let Some(price) = &p.price
                && (!CURRENCIES.contains(&price.currency.as_str())
                    || !price.value.is_finite()
                    || price.value < 0.0)
            {
                found.push(format!(
                    "{at}: the price must be a non-negative amount in USD, EUR, GBP or CAD"
                ));
            }
        }
        found
    }
}

impl PaylocityPackage {
    /// The package as Paylocity's `screeningPackages` takes it.
    pub fn published(&self) -> serde_json::Value {
        serde_json::json!({
            "packageId": self.id,
            "isActive": self.active,
            "packageName": self.name,
            "packageSummary": self.summary,
            "services": self.services.iter().map(|s| serde_json::json!({
                "serviceName": s.name,
                "serviceSummary": s.summary,
            })).collect::<Vec<_>>(),
            "price": self.price.as_ref().map(|p| serde_json::json!({
                "value": p.value,
                "currency": p.currency,
            })),
            "billingCode": self.billing_code,
            "isInternational": self.international,
        })
    }

    pub fn service_names(&self) -> Vec<String> {
        self.services.iter().map(|s| s.name.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> PaylocitySettings {
        serde_json::from_value(serde_json::json!({
            "company_ids": ["A1B2C"],
            "packages": [{
                "id": "standard", "name": "Standard", "summary": "Criminal and SSN trace",
                "services": [{ "name": "County Criminal" }, { "name": "SSN Trace" }],
                "price": { "value": 29.5, "currency": "USD" },
                "provider_package": "Standard Criminal"
            }]
        }))
        .unwrap()
    }

    #[test]
    fn defaults_are_active_packages_and_five_business_days() {
        let s = settings();
        assert!(s.problems().is_empty(), "{:?}", s.problems());
        assert_eq!(s.adverse_action_wait_business_days, 5);
        assert!(s.package("standard").unwrap().active);
        assert!(s.serves("A1B2C") && !s.serves("A1B2"));
        let published = s.package("standard").unwrap().published();
        assert_eq!(published["packageId"], "standard");
        assert_eq!(published["services"][1]["serviceName"], "SSN Trace");
        assert_eq!(published["price"]["currency"], "USD");
    }

    #[test]
    fn paylocity_limits_and_ids_are_checked() {
        let mut s = settings();
        s.company_ids.push("TOO-LONG-ID".into());
        s.packages[0].services.push(PackageService {
            name: "x".repeat(51),
            summary: String::new(),
        });
        s.packages[0].price.as_mut().unwrap().currency = "JPY".into();
        s.packages.push(s.packages[0].clone());
        let problems = s.problems().join("\n");
        for expected in [
            "company id \"TOO-LONG-ID\"",
            "longer than 50 characters",
            "USD, EUR, GBP or CAD",
            "another package has the same id",
        ] {
            assert!(problems.contains(expected), "{expected}: {problems}");
        }
    }
}
