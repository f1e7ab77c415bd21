//! Cornerstone's `BackgroundCheckRequest` (facts/vendors-and-aws.md §2.1), read tolerantly
//! (unknown fields ignored, optional fields optional) and checked in this one file, so a
//! portal sending more or other fields changes only this file. Pure: reading, checking, and
//! what the provider is sent.

use super::cornerstone_account::CornerstoneSettings;
use crate::domain::ids::external_id;
use crate::domain::kinds::AtsKind;
use crate::domain::order::non_blank;
use crate::domain::subject::{Details, Job, Place, PostalAddress, Subject};
use serde::{Deserialize, Serialize};

/// Organisation-unit ids are cut to this many characters for the provider.
pub const OU_ID_MAX: usize = 25;

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct BackgroundCheckRequest {
    pub applicant_data: ApplicantData,
    pub job_requisition_data: Requisition,
    pub requestor_data: Requestor,
    pub callback_data: CallbackData,
    #[serde(alias = "PackageId")]
    pub selected_package_id: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ApplicantData {
    pub first_name: Option<String>,
    pub middle_name: Option<String>,
    pub last_name: Option<String>,
    pub recruiter_email: Option<String>,
    pub organization_unit: OrganizationUnit,
    pub contact_info: ContactInfo,
    pub address: Address,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct OrganizationUnit {
    pub division: Option<String>,
    pub division_id: Option<String>,
    pub location: OuLocation,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct OuLocation {
    pub name: Option<String>,
    #[serde(alias = "Id")]
    pub r#ref: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct ContactInfo {
    pub email: Option<String>,
    pub phone: Option<String>,
    pub home_phone: Option<String>,
    pub mobile: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Address {
    pub address_line1: Option<String>,
    pub address_line2: Option<String>,
    pub address_city: Option<String>,
    pub address_state: Option<String>,
    pub address_postal_zip_code: Option<String>,
    pub address_country_code: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Requisition {
    pub id: Option<String>,
    pub display_title: Option<String>,
    pub city: Option<String>,
    pub state: Option<String>,
    pub country: Option<String>,
}

/// The portal user who ordered.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Requestor {
    #[serde(alias = "Email")]
    pub email_address: Option<String>,
}

/// What Cornerstone asks to be echoed on every status callback, and where to post them.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct CallbackData {
    pub callback_url: Option<String>,
    pub applicant_ref_id: Option<String>,
    pub applicant_ref_user_id: Option<String>,
    pub applicant_ref_order_id: Option<String>,
}

/// Why a request is refused: a stable code and a description the portal shows its user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub code: &'static str,
    pub description: String,
}

fn refuse(code: &'static str, description: impl Into<String>) -> Refusal {
    Refusal {
        code,
        description: description.into(),
    }
}

/// A request that can be taken.
#[derive(Clone, Debug, PartialEq)]
pub struct Checked {
    /// `CallbackData.ApplicantRefOrderId`: the order's id in Cornerstone (idempotency key).
    pub order_ref: String,
    pub package_id: String,
    pub callback: CallbackData,
    pub intake: Intake,
    /// Said of the order when it is recorded (e.g. OU ids that became equal once cut).
    pub warnings: Vec<String>,
}

/// What the hub keeps of the candidate until the order ends (the order's `intake`: PII,
/// scrubbed with it): the order's subject, as Cornerstone has no API to read it back.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Intake {
    pub first_name: Option<String>,
    pub middle_name: Option<String>,
    pub last_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub address: Option<PostalAddress>,
    pub requisition: Option<Place>,
    pub job_title: Option<String>,
    pub division: Option<String>,
    /// Division, then location OU id, each cut to [`OU_ID_MAX`] characters.
    pub org_units: Vec<String>,
    /// The ordering user's email (`RequestorData.EmailAddress`, else `RecruiterEmail`).
    #[serde(default)]
    pub requester_email: Option<String>,
}

/// `raw` cut to its first [`OU_ID_MAX`] characters.
pub fn cut_ou_id(raw: &str) -> String {
    raw.chars().take(OU_ID_MAX).collect()
}

/// The division and location OU ids as sent on (each cut), and a warning when two of them
/// are the same once cut (the provider cannot tell them apart).
pub fn org_units(division: Option<&str>, location: Option<&str>) -> (Vec<String>, Vec<String>) {
    let ids: Vec<(&str, String)> = [("division", division), ("location", location)]
        .into_iter()
        .filter_map(|(what, v)| non_blank(v).map(|v| (what, cut_ou_id(&v))))
        .collect();
    let mut warnings = Vec::new();
    if let [(_, a), (_, b)] = ids.as_slice()
        && a == b
    {
        warnings.push(format!(
            "The division and location OU ids are the same in their first {OU_ID_MAX} \
             characters (\"{a}\"): the provider receives them cut to {OU_ID_MAX} and cannot \
             tell them apart."
        ));
    }
    (ids.into_iter().map(|(_, v)| v).collect(), warnings)
}

/// Whether `url` is an `https` URL (or an allowed loopback origin) on an origin the portal's
/// settings allow, without credentials in it.
pub fn callback_allowed(settings: &CornerstoneSettings, url: &str) -> bool {
    let Ok(uri) = url.parse::<http::Uri>() else {
        return false;
    };
    let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) else {
        return false;
    };
    if authority.as_str().contains('@') {
        return false;
    }
    let https = match scheme {
        "https" => true,
        "http" => false,
        _ => return false,
    };
    settings
        .origins()
        .iter()
        .any(|o| o.allows(https, authority.host(), authority.port_u16()))
}

impl BackgroundCheckRequest {
    /// Read a body; anything that is not a JSON object of this shape is refused.
    pub fn read(body: &[u8]) -> Result<Self, Refusal> {
        serde_json::from_slice(body).map_err(|_| {
            refuse(
                "body-malformed",
                "The background check request could not be read.",
            )
        })
    }

    /// Check what the hub needs before it takes the order, against the portal's settings.
    pub fn check(self, settings: &CornerstoneSettings) -> Result<Checked, Refusal> {
        let cb = &self.callback_data;
        let id = |v: &Option<String>, what: &str| {
            non_blank(v.as_deref())
                .filter(|s| external_id(s).is_ok())
                .ok_or_else(|| {
                    refuse(
                        "callback-data-invalid",
                        format!("CallbackData.{what} is missing or not a valid id."),
                    )
                })
        };
        let order_ref = id(&cb.applicant_ref_order_id, "ApplicantRefOrderId")?;
        id(&cb.applicant_ref_id, "ApplicantRefId")?;
        id(&cb.applicant_ref_user_id, "ApplicantRefUserId")?;
        let url = non_blank(cb.callback_url.as_deref()).ok_or_else(|| {
            refuse(
                "callback-url-refused",
                "CallbackData.CallbackUrl is missing.",
            )
        })?;
        if !callback_allowed(settings, &url) {
            return Err(refuse(
                "callback-url-refused",
                "CallbackData.CallbackUrl is not an https address on a host this portal is \
                 set up with; ask the screening partner to allow the portal's callback host.",
            ));
        }
        let package_id = non_blank(self.selected_package_id.as_deref())
            .ok_or_else(|| refuse("package-missing", "SelectedPackageId is missing."))?;
        if settings.package(&package_id).is_none() {
            return Err(refuse(
                "package-unknown",
                format!(
                    "The package \"{package_id}\" is not offered to this portal. Choose another package."
                ),
            ));
        }
        let a = &self.applicant_data;
        if non_blank(a.first_name.as_deref()).is_none()
            || non_blank(a.last_name.as_deref()).is_none()
        {
            return Err(refuse(
                "applicant-name-missing",
                "The applicant's first and last name are required.",
            ));
        }
        if non_blank(a.contact_info.email.as_deref()).is_none() {
            return Err(refuse(
                "applicant-email-missing",
                "The applicant has no email address, so the screening invitation cannot be \
                 sent. Add one and assign the background check again.",
            ));
        }
        let ou = &a.organization_unit;
        let (org_units, warnings) =
            org_units(ou.division_id.as_deref(), ou.location.r#ref.as_deref());
        let callback = CallbackData {
            callback_url: Some(url),
            ..self.callback_data.clone()
        };
        Ok(Checked {
            order_ref,
            package_id,
            callback,
            intake: self.intake(org_units),
            warnings,
        })
    }

    fn intake(&self, org_units: Vec<String>) -> Intake {
        let a = &self.applicant_data;
        let nb = |v: &Option<String>| non_blank(v.as_deref());
        let ad = &a.address;
        let address = PostalAddress {
            line1: nb(&ad.address_line1),
            line2: nb(&ad.address_line2),
            city: nb(&ad.address_city),
            state: nb(&ad.address_state),
            postal_code: nb(&ad.address_postal_zip_code),
            country: nb(&ad.address_country_code),
        };
        let r = &self.job_requisition_data;
        let requisition = Place {
            city: nb(&r.city),
            state: nb(&r.state),
            country: nb(&r.country),
        };
        let c = &a.contact_info;
        Intake {
            first_name: nb(&a.first_name),
            middle_name: nb(&a.middle_name),
            last_name: nb(&a.last_name),
            email: nb(&c.email),
            phone: nb(&c.phone)
                .or_else(|| nb(&c.mobile))
                .or_else(|| nb(&c.home_phone)),
            address: (address != PostalAddress::default()).then_some(address),
            requisition: (requisition != Place::default()).then_some(requisition),
            job_title: nb(&r.display_title),
            division: nb(&a.organization_unit.division),
            org_units,
            requester_email: nb(&self.requestor_data.email_address)
                .or_else(|| nb(&a.recruiter_email)),
        }
    }
}

fn joined(parts: &[&Option<String>], sep: &str) -> Option<String> {
    let parts: Vec<&str> = parts
        .iter()
        .filter_map(|p| p.as_deref().map(str::trim).filter(|s| !s.is_empty()))
        .collect();
    (!parts.is_empty()).then(|| parts.join(sep))
}

impl Intake {
    /// The canonical subject, ordering `provider_package` (the package's mapping, if any).
    pub fn subject(&self, provider_package: Option<&str>) -> Subject {
        let place = |p: &Place| joined(&[&p.city, &p.state, &p.country], ", ");
        Subject {
            ats: AtsKind::Cornerstone,
            name: joined(&[&self.first_name, &self.middle_name, &self.last_name], " "),
            email: self.email.clone(),
            phone: self.phone.clone(),
            location: self
                .address
                .as_ref()
                .and_then(|a| joined(&[&a.city, &a.state], ", ")),
            labels: Vec::new(),
            package: provider_package.map(str::to_owned),
            job: Job {
                title: self.job_title.clone(),
                department: self.division.clone(),
                location: self.requisition.as_ref().and_then(place),
            },
            details: Details {
                first_name: self.first_name.clone(),
                middle_name: self.middle_name.clone(),
                last_name: self.last_name.clone(),
                address: self.address.clone(),
                requisition: self.requisition.clone(),
                org_units: self.org_units.clone(),
                requester_email: self.requester_email.clone(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn settings() -> CornerstoneSettings {
        serde_json::from_value(json!({
            "username": "portal",
            "packages": [{ "id": "bg-pack-5", "name": "Package 5", "provider_package": "Criminal Package 2" }],
            "callback_origins": ["https://*.csod.com"]
        }))
        .unwrap()
    }

    fn body() -> serde_json::Value {
        json!({
            "ApplicantData": {
                "FirstName": "Ada", "MiddleName": "Byron", "LastName": "Lovelace",
                "RecruiterEmail": "recruiter@acme.example",
                "OrganizationUnit": { "Division": "Engineering",
                    "DivisionId": "DIV-0001-ENGINEERING-NORTH-AMERICA",
                    "Location": { "Name": "Austin", "Ref": "LOC-AUSTIN-01" } },
                "ContactInfo": { "Email": "ada@example.com", "Phone": "+1 512 555 0100" },
                "Address": { "AddressLine1": "1 Main St", "AddressCity": "Austin",
                    "AddressState": "TX", "AddressPostalZipCode": "78701", "AddressCountryCode": "USA" },
                "SomethingNew": { "x": 1 }
            },
            "JobRequisitionData": { "Id": "req-9", "DisplayTitle": "Senior Engineer",
                "City": "Austin", "State": "TX", "Country": "US" },
            "CallbackData": { "CallbackUrl": "https://acme.csod.com/services/bgcheck/cb/123",
                "ApplicantRefId": "a-1", "ApplicantRefUserId": "u-1", "ApplicantRefOrderId": "o-1" },
            "SelectedPackageId": "bg-pack-5"
        })
    }

    fn check(v: &serde_json::Value) -> Result<Checked, Refusal> {
        BackgroundCheckRequest::read(&serde_json::to_vec(v).unwrap())?.check(&settings())
    }

    #[test]
    fn the_subject_carries_name_parts_address_requisition_and_cut_ou_ids() {
        let checked = check(&body()).unwrap();
        assert_eq!(checked.order_ref, "o-1");
        assert_eq!(checked.package_id, "bg-pack-5");
        assert!(checked.warnings.is_empty());
        let s = checked.intake.subject(Some("Criminal Package 2"));
        assert_eq!(s.ats, AtsKind::Cornerstone);
        assert_eq!(s.name.as_deref(), Some("Ada Byron Lovelace"));
        assert_eq!(s.email.as_deref(), Some("ada@example.com"));
        assert_eq!(s.phone.as_deref(), Some("+1 512 555 0100"));
        assert_eq!(s.location.as_deref(), Some("Austin, TX"));
        assert_eq!(s.job.location.as_deref(), Some("Austin, TX, US"));
        assert_eq!(s.job.title.as_deref(), Some("Senior Engineer"));
        assert_eq!(s.package.as_deref(), Some("Criminal Package 2"));
        let d = &s.details;
        assert_eq!(
            (
                d.first_name.as_deref(),
                d.middle_name.as_deref(),
                d.last_name.as_deref()
            ),
            (Some("Ada"), Some("Byron"), Some("Lovelace"))
        );
        assert_eq!(
            d.address.as_ref().unwrap().postal_code.as_deref(),
            Some("78701")
        );
        assert_eq!(
            d.requisition.as_ref().unwrap().country.as_deref(),
            Some("US")
        );
        assert_eq!(
            d.org_units,
            vec!["DIV-0001-ENGINEERING-NORT", "LOC-AUSTIN-01"]
        );
        assert!(d.org_units.iter().all(|o| o.chars().count() <= OU_ID_MAX));
        assert_eq!(d.requester_email.as_deref(), Some("recruiter@acme.example"));
    }

    #[test]
    fn ou_ids_equal_once_cut_are_a_warning_not_a_refusal() {
        let (ids, warnings) = org_units(
            Some("ACME-NORTH-AMERICA-DIVISION-1"),
            Some("ACME-NORTH-AMERICA-DIVISION-2"),
        );
        assert_eq!(ids, vec!["ACME-NORTH-AMERICA-DIVISI"; 2]);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].contains("first 25 characters"));
        let (ids, warnings) = org_units(Some("D1"), None);
        assert_eq!((ids, warnings.len()), (vec!["D1".to_owned()], 0));
        assert_eq!(cut_ou_id("é".repeat(30).as_str()).chars().count(), 25);
        let mut v = body();
        v["ApplicantData"]["OrganizationUnit"]["Location"]["Ref"] =
            json!("DIV-0001-ENGINEERING-NORTH-EUROPE");
        assert_eq!(check(&v).unwrap().warnings.len(), 1);
    }

    #[test]
    fn bad_input_is_refused_with_a_stable_code_and_a_description() {
        for (path, value, code) in [
            (
                "/CallbackData/ApplicantRefOrderId",
                json!(null),
                "callback-data-invalid",
            ),
            (
                "/CallbackData/ApplicantRefOrderId",
                json!("a/../b"),
                "callback-data-invalid",
            ),
            (
                "/CallbackData/CallbackUrl",
                json!(null),
                "callback-url-refused",
            ),
            (
                "/CallbackData/CallbackUrl",
                json!("http://acme.csod.com/cb"),
                "callback-url-refused",
            ),
            (
                "/CallbackData/CallbackUrl",
                json!("https://169.254.169.254/latest"),
                "callback-url-refused",
            ),
            (
                "/CallbackData/CallbackUrl",
                json!("https://csod.com.evil.net/cb"),
                "callback-url-refused",
            ),
            (
                "/CallbackData/CallbackUrl",
                json!("https://x@acme.csod.com/cb"),
                "callback-url-refused",
            ),
            ("/SelectedPackageId", json!(null), "package-missing"),
            ("/SelectedPackageId", json!("other"), "package-unknown"),
            (
                "/ApplicantData/LastName",
                json!(" "),
                "applicant-name-missing",
            ),
            (
                "/ApplicantData/ContactInfo/Email",
                json!(null),
                "applicant-email-missing",
            ),
        ] {
            let mut v = body();
            *v.pointer_mut(path).unwrap() = value;
            let refusal = check(&v).unwrap_err();
            assert_eq!(refusal.code, code, "{path}");
            assert!(refusal.description.ends_with('.'), "{path}");
        }
        assert_eq!(
            BackgroundCheckRequest::read(b"[1]").unwrap_err().code,
            "body-malformed"
        );
    }
}
