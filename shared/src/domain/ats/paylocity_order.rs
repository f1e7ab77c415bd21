//! A new screening order as Paylocity posts it to the partner. The exact field names are
//! unconfirmed (facts/vendors-and-aws.md §1.3): the assumed shape is documented in
//! docs/ats/paylocity.md, read tolerantly (aliases, unknown fields ignored), and kept in this
//! one file, so a real payload changes only this file. Pure: reading and checking only.

use crate::domain::ids::external_id;
use crate::domain::kinds::AtsKind;
use crate::domain::order::non_blank;
use crate::domain::subject::{Job, Subject};
use serde::{Deserialize, Serialize};

/// The order body, as assumed.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct NewOrder {
    #[serde(alias = "screeningOrderId", alias = "orderId")]
    pub candidate_screening_order_id: Option<String>,
    #[serde(alias = "paylocityCompanyId")]
    pub company_id: Option<String>,
    #[serde(alias = "screeningPackageId", alias = "packageID")]
    pub package_id: Option<String>,
    pub candidate: Candidate,
    pub job_title: Option<String>,
    pub position: Option<String>,
    pub cost_centers: Vec<serde_json::Value>,
    /// Work email only, or null (facts §1.3).
    #[serde(alias = "requesterEmail")]
    pub recruiter_email: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Candidate {
    pub first_name: Option<String>,
    pub middle_name: Option<String>,
    pub last_name: Option<String>,
    #[serde(alias = "emailAddress", alias = "personalEmail")]
    pub email: Option<String>,
    #[serde(alias = "phoneNumber", alias = "mobilePhone")]
    pub phone: Option<String>,
    pub address: Option<Address>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Address {
    #[serde(alias = "address1", alias = "street")]
    pub line1: Option<String>,
    #[serde(alias = "address2")]
    pub line2: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    #[serde(alias = "zip", alias = "zipCode")]
    pub postal_code: Option<String>,
    pub country: Option<String>,
}

/// Why an order is refused: a stable code and a short message Paylocity shows its user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub message: String,
}

/// An order that can be taken: its ids checked, a candidate who can be reached.
#[derive(Clone, Debug, PartialEq)]
pub struct Checked {
    pub screening_order_id: String,
    pub company_id: String,
    pub package_id: String,
    pub order: NewOrder,
}

impl NewOrder {
    /// Read a body; anything that is not a JSON object of this shape is refused.
    pub fn read(body: &[u8]) -> Result<Self, Refusal> {
        serde_json::from_slice(body).map_err(|_| Refusal {
            code: "body-malformed",
            message: "The screening order could not be read.".into(),
        })
    }

    /// Check what the hub needs before it takes the order.
    pub fn check(self) -> Result<Checked, Refusal> {
        let id = |v: &Option<String>, code, what: &str| {
            non_blank(v.as_deref())
                .filter(|s| external_id(s).is_ok())
                .ok_or(Refusal {
                    code,
                    message: format!("The screening order has no valid {what}."),
                })
        };
        let screening_order_id = id(
            &self.candidate_screening_order_id,
            "order-id-invalid",
            "order id",
        )?;
        let company_id = id(&self.company_id, "company-invalid", "company id")?;
        if company_id.len() > 9 {
            return Err(Refusal {
                code: "company-invalid",
                message: "The screening order has no valid company id.".into(),
            });
        }
        let package_id = id(&self.package_id, "package-missing", "package")?;
        if non_blank(self.candidate.email.as_deref()).is_none() {
            return Err(Refusal {
                code: "candidate-email-missing",
                message: "The candidate has no email address, so the screening invitation cannot be sent. Add one in Paylocity and order again.".into(),
            });
        }
        Ok(Checked {
            screening_order_id,
            company_id,
            package_id,
            order: self,
        })
    }

    /// The candidate's full name (first, middle, last).
    pub fn candidate_name(&self) -> Option<String> {
        let c = &self.candidate;
        let parts: Vec<String> = [&c.first_name, &c.middle_name, &c.last_name]
            .into_iter()
            .filter_map(|p| non_blank(p.as_deref()))
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    }
}

/// What the hub keeps of an order's candidate and job until the order ends (the order's
/// `intake`: candidate PII, scrubbed with it). Paylocity offers no API to read an order back,
/// so this authenticated body is the order's subject.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intake {
    pub name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// City and state of the candidate's address.
    pub location: Option<String>,
    pub job_title: Option<String>,
    /// Paylocity's position (a code or a name).
    pub position: Option<String>,
}

impl Checked {
    pub fn intake(&self) -> Intake {
        let c = &self.order.candidate;
        let location = c.address.as_ref().and_then(|a| {
            let parts: Vec<String> = [&a.city, &a.state]
                .into_iter()
                .filter_map(|p| non_blank(p.as_deref()))
                .collect();
            (!parts.is_empty()).then(|| parts.join(", "))
        });
        Intake {
            name: self.order.candidate_name(),
            email: non_blank(c.email.as_deref()),
            phone: non_blank(c.phone.as_deref()),
            location,
            job_title: non_blank(self.order.job_title.as_deref()),
            position: non_blank(self.order.position.as_deref()),
        }
    }
}

impl Intake {
    /// The canonical subject, ordering `provider_package` (the package's mapping, if any).
    pub fn subject(&self, provider_package: Option<&str>) -> Subject {
        Subject {
            ats: AtsKind::Paylocity,
            details: Default::default(),
            name: self.name.clone(),
            email: self.email.clone(),
            phone: self.phone.clone(),
            location: self.location.clone(),
            labels: Vec::new(),
            package: provider_package.map(str::to_owned),
            job: Job {
                title: self.job_title.clone().or_else(|| self.position.clone()),
                department: None,
                location: None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = include_str!("../../../../docs/ats/paylocity-order.example.json");

    #[test]
    fn the_documented_sample_is_taken() {
        let checked = NewOrder::read(SAMPLE.as_bytes()).unwrap().check().unwrap();
        assert_eq!(checked.company_id, "A1B2C");
        assert_eq!(checked.package_id, "standard-employment");
        assert_eq!(
            checked.order.candidate_name().as_deref(),
            Some("Ada Byron Lovelace")
        );
        assert_eq!(
            checked
                .order
                .candidate
                .address
                .unwrap()
                .postal_code
                .as_deref(),
            Some("78701")
        );
    }

    #[test]
    fn the_subject_is_the_candidate_and_job_paylocity_sent() {
        let checked = NewOrder::read(SAMPLE.as_bytes()).unwrap().check().unwrap();
        let subject = checked.intake().subject(Some("Standard Criminal"));
        assert_eq!(subject.ats, AtsKind::Paylocity);
        assert_eq!(subject.name.as_deref(), Some("Ada Byron Lovelace"));
        assert_eq!(subject.email.as_deref(), Some("ada@example.com"));
        assert_eq!(subject.location.as_deref(), Some("Austin, TX"));
        assert_eq!(subject.job.title.as_deref(), Some("Senior Engineer"));
        assert_eq!(subject.package.as_deref(), Some("Standard Criminal"));
        assert!(subject.labels.is_empty());
    }

    #[test]
    fn other_spellings_and_unknown_fields_are_read_not_refused() {
        let body = br#"{"screeningOrderId":"9b2f6a3e-4c1d-4b8e-9f00-0a1b2c3d4e5f",
            "paylocityCompanyId":"A1B2C","screeningPackageId":"basic","somethingNew":{"x":1},
            "candidate":{"firstName":"Ada","emailAddress":"ada@example.com","phoneNumber":"+1 512 555 0100",
                         "address":{"address1":"1 Main St","zip":"78701"}}}"#;
        let checked = NewOrder::read(body).unwrap().check().unwrap();
        assert_eq!(checked.package_id, "basic");
        let c = checked.order.candidate;
        assert_eq!(c.email.as_deref(), Some("ada@example.com"));
        assert_eq!(c.phone.as_deref(), Some("+1 512 555 0100"));
        assert_eq!(c.address.unwrap().line1.as_deref(), Some("1 Main St"));
    }

    #[test]
    fn bad_data_is_refused_with_a_stable_code_and_a_message_for_paylocitys_user() {
        let base: serde_json::Value = serde_json::from_str(SAMPLE).unwrap();
        for (path, value, code) in [
            (
                "/candidate/email",
                serde_json::Value::Null,
                "candidate-email-missing",
            ),
            (
                "/candidate/email",
                serde_json::json!("  "),
                "candidate-email-missing",
            ),
            ("/packageId", serde_json::Value::Null, "package-missing"),
            (
                "/companyId",
                serde_json::json!("ABCDEFGHIJ"),
                "company-invalid",
            ),
            ("/companyId", serde_json::json!("a/../b"), "company-invalid"),
            (
                "/candidateScreeningOrderId",
                serde_json::Value::Null,
                "order-id-invalid",
            ),
        ] {
            let mut v = base.clone();
            *v.pointer_mut(path).unwrap() = value;
            let refusal = NewOrder::read(&serde_json::to_vec(&v).unwrap())
                .unwrap()
                .check()
                .unwrap_err();
            assert_eq!(refusal.code, code, "{path}");
            assert!(refusal.message.ends_with('.'));
        }
        assert_eq!(NewOrder::read(b"[1,2]").unwrap_err().code, "body-malformed");
    }
}
