//! Accurate Background (API v3) as a provider adapter: preparation by its rules
//! ([`crate::domain::providers::accurate`]) and its HTTP client (contract and assumptions:
//! docs/providers/accurate.md). HTTP Basic with the account's API key and secret. One
//! attempt per call; the dispatcher owns retries.
//!
//! Placing is two steps (`POST /candidate`, then `POST /order` with `workflow:
//! "INTERACTIVE"`), made idempotent on our order id: it is sent as `clientReference`, and an
//! order already holding it (`GET /orders?clientReference=…`) is taken instead of creating a
//! second one, so a retry after a lost answer finds the first order.

use super::provider_http::{failure, send};
use crate::config::TenantConfig;
use crate::domain::effects::CancelReason;
use crate::domain::kinds::ProviderKind;
use crate::domain::order::{Order, Rejection, SentRequest};
use crate::domain::providers::ProviderReport;
use crate::domain::providers::accurate::{self as rules, AccurateOrder, JobLocation, WORKFLOW};
use crate::domain::subject::Subject;
use crate::outbound::http::{HttpClient, read_capped};
use crate::ports::provider::{
    Capabilities, PlacedOrder, ProviderAccount, ProviderAdapter, ProviderError, not_set_up,
};

/// Largest answer read from Accurate.
const MAX_ANSWER_BYTES: usize = 1024 * 1024;

pub struct Accurate {
    http: HttpClient,
}

impl Accurate {
    pub fn new(http: HttpClient) -> Self {
        Self { http }
    }

    fn request(
        &self,
        method: reqwest::Method,
        acct: &ProviderAccount,
        segments: &[&str],
    ) -> Result<reqwest::RequestBuilder, ProviderError> {
        Ok(self
            .http
            .get()
            .request(method, url(acct, segments)?)
            .basic_auth(
                acct.api_key.expose(),
                acct.api_secret.as_ref().map(|s| s.expose()),
            ))
    }

    /// Our order's order at Accurate, if one was placed already.
    async fn existing(
        &self,
        acct: &ProviderAccount,
        client_reference: &str,
    ) -> Result<Option<String>, ProviderError> {
        let found: Vec<Resource> = read(
            self.request(reqwest::Method::GET, acct, &["orders"])?
                .query(&[("clientReference", client_reference)]),
        )
        .await?;
        found.into_iter().next().map(checked_id).transpose()
    }
}

/// `{api_base}/v3/<segments…>`, each segment percent-encoded.
fn url(acct: &ProviderAccount, segments: &[&str]) -> Result<reqwest::Url, ProviderError> {
    let mut url = reqwest::Url::parse(&acct.api_base)
        .map_err(|_| ProviderError::Unexpected("invalid provider API base URL".into()))?;
    url.path_segments_mut()
        .map_err(|()| ProviderError::Unexpected("invalid provider API base URL".into()))?
        .pop_if_empty()
        .push("v3")
        .extend(segments);
    Ok(url)
}

/// A requester as `GET /requesters?email=` lists it: only its email is read.
#[derive(serde::Deserialize)]
struct RequesterWire {
    #[serde(default)]
    email: Option<String>,
}

/// Whether the requesters Accurate listed include `email` (compared without case or
/// surrounding blanks): an answer that ignored the filter does not admit anyone.
fn names_requester(found: &[RequesterWire], email: &str) -> bool {
    let email = email.trim();
    !email.is_empty()
        && found.iter().any(|r| {
            r.email
                .as_deref()
                .is_some_and(|e| e.trim().eq_ignore_ascii_case(email))
        })
}

/// A candidate or an order as Accurate answers it: only its id is read.
#[derive(serde::Deserialize)]
struct Resource {
    id: String,
}

/// The id becomes a key and a URL segment: only a well-formed id is taken.
fn checked_id(r: Resource) -> Result<String, ProviderError> {
    crate::domain::ids::external_id(&r.id)
        .map_err(|_| ProviderError::Unexpected("the provider's id is not a valid id".into()))?;
    Ok(r.id)
}

/// Send and read a successful JSON answer.
async fn read<T: serde::de::DeserializeOwned>(
    req: reqwest::RequestBuilder,
) -> Result<T, ProviderError> {
    let resp = send(req).await?;
    if !resp.status().is_success() {
        return Err(failure(resp, "the provider refused the request").await);
    }
    let body = read_capped(resp, MAX_ANSWER_BYTES)
        .await
        .map_err(ProviderError::Transient)?;
    serde_json::from_slice(&body)
        .map_err(|_| ProviderError::Unexpected("unreadable provider answer".into()))
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct CandidateWire<'a> {
    #[serde(flatten)]
    candidate: &'a rules::AccurateCandidate,
    client_reference: &'a str,
}

#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct OrderWire<'a> {
    candidate_id: &'a str,
    package_type: &'a str,
    workflow: &'static str,
    job_location: &'a JobLocation,
    client_reference: &'a str,
    copy_of_report: bool,
    postback_url: &'a str,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    organization_units: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    requester_email: Option<&'a str>,
}

#[async_trait::async_trait]
impl ProviderAdapter for Accurate {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Accurate
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            cancel: true,
            requesters: true,
            status: true,
        }
    }

    fn api_base<'t>(&self, tenant: &'t TenantConfig) -> Option<&'t str> {
        tenant
            .providers
            .accurate
            .as_ref()
            .map(|s| s.api_base.as_str())
    }

    fn invitation_ttl(&self, tenant: &TenantConfig) -> Option<time::Duration> {
        tenant
            .providers
            .accurate
            .as_ref()
            .map(rules::invitation_ttl)
    }

    fn prepare(
        &self,
        tenant: &TenantConfig,
        order: &Order,
        subject: &Subject,
    ) -> Result<SentRequest, Rejection> {
        let settings = tenant
            .providers
            .accurate
            .as_ref()
            .ok_or_else(|| not_set_up(self.kind()))?;
        rules::prepare(settings, order, subject).map(|o| SentRequest::of(&o))
    }

    async fn place(
        &self,
        acct: &ProviderAccount,
        request: &SentRequest,
    ) -> Result<PlacedOrder, ProviderError> {
        let order: AccurateOrder = request
            .read()
            .ok_or_else(|| ProviderError::Unexpected("not an Accurate request".into()))?;
        if let Some(provider_ref) = self.existing(acct, &order.client_reference).await? {
            return Ok(PlacedOrder { provider_ref });
        }
        let candidate = checked_id(
            read(
                self.request(reqwest::Method::POST, acct, &["candidate"])?
                    .json(&CandidateWire {
                        candidate: &order.candidate,
                        client_reference: &order.client_reference,
                    }),
            )
            .await?,
        )?;
        let placed = checked_id(
            read(
                self.request(reqwest::Method::POST, acct, &["order"])?
                    .json(&OrderWire {
                        candidate_id: &candidate,
                        package_type: &order.package_type,
                        workflow: WORKFLOW,
                        job_location: &order.job_location,
                        client_reference: &order.client_reference,
                        copy_of_report: false,
                        postback_url: &acct.callback_url,
                        organization_units: &order.organization_units,
                        requester_email: order.requester_email.as_deref(),
                    }),
            )
            .await?,
        )?;
        Ok(PlacedOrder {
            provider_ref: placed,
        })
    }

    /// `GET /requesters?email=`: whether the account has a user (requester) by this email.
    async fn requester_exists(
        &self,
        acct: &ProviderAccount,
        email: &str,
    ) -> Result<bool, ProviderError> {
        let found: Vec<RequesterWire> = read(
            self.request(reqwest::Method::GET, acct, &["requesters"])?
                .query(&[("email", email.trim())]),
        )
        .await?;
        Ok(names_requester(&found, email))
    }

    fn status_poll(&self, tenant: &TenantConfig) -> bool {
        tenant
            .providers
            .accurate
            .as_ref()
            .is_some_and(|s| s.status_poll)
    }

    /// `GET /v3/order/{id}`, read by the postback's rules.
    async fn read_status(
        &self,
        acct: &ProviderAccount,
        provider_ref: &str,
    ) -> Result<ProviderReport, ProviderError> {
        let resp =
            send(self.request(reqwest::Method::GET, acct, &["order", provider_ref])?).await?;
        if !resp.status().is_success() {
            return Err(failure(resp, "the provider refused to show the order").await);
        }
        let body = read_capped(resp, MAX_ANSWER_BYTES)
            .await
            .map_err(ProviderError::Transient)?;
        rules::read_order(&body)
            .map_err(|_| ProviderError::Unexpected("unreadable provider order".into()))
    }

    async fn cancel(
        &self,
        acct: &ProviderAccount,
        provider_ref: &str,
        reason: CancelReason,
    ) -> Result<(), ProviderError> {
        let resp = send(
            self.request(
                reqwest::Method::POST,
                acct,
                &["order", provider_ref, "cancel"],
            )?
            .json(&serde_json::json!({ "reason": wire_reason(reason) })),
        )
        .await?;
        if resp.status().is_success() {
            Ok(())
        } else {
            Err(failure(resp, "the provider refused to cancel the order").await)
        }
    }
}

/// Why an order is cancelled, in the contract's words.
fn wire_reason(reason: CancelReason) -> &'static str {
    match reason {
        CancelReason::Cancelled => "CANCELLED",
        CancelReason::CandidateDeleted => "CANDIDATE_DELETED",
        CancelReason::Expired => "EXPIRED",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(emails: &[Option<&str>]) -> Vec<RequesterWire> {
        emails
            .iter()
            .map(|e| RequesterWire {
                email: e.map(str::to_owned),
            })
            .collect()
    }

    #[test]
    fn a_requester_is_named_by_its_email_whatever_the_case() {
        let found = listed(&[Some("recruiter@acme.example")]);
        assert!(names_requester(&found, "Recruiter@ACME.example"));
        assert!(names_requester(&found, " recruiter@acme.example "));
        assert!(!names_requester(&found, "someone@acme.example"));
        assert!(!names_requester(&found, ""));
        assert!(!names_requester(&[], "recruiter@acme.example"));
        // An answer that ignored the filter (other users, or entries without an email).
        let others = listed(&[Some("boss@acme.example"), None]);
        assert!(!names_requester(&others, "recruiter@acme.example"));
    }
}
