//! Lever Data API client over reqwest + rustls: Basic auth with the tenant's key,
//! per-tenant rate limiting, timeouts, and backoff with jitter on 429/5xx/timeouts.

use crate::adapters::lever_oauth::LeverOAuth;
use crate::domain::ats::lever::{Envelope, NewNote, Note, Opportunity, Page, Posting};
use crate::domain::ats::lever_passes::Resume;
use crate::outbound::RetryPolicy;
use crate::outbound::deadline;
use crate::outbound::http::{HttpClient, read_capped};
use crate::outbound::rate_limit::{TenantRateLimits, acquire_shared};
use crate::ports::RateGate;
use crate::ports::lever::{
    CreatedWebhook, DeletedQuery, LeverAccount, LeverApi, LeverCredential, LeverError, NewLead,
    OpportunityQuery, Webhook,
};
use crate::ports::secrets::Secret;
use reqwest::{Method, StatusCode};
use serde::de::DeserializeOwned;
use std::sync::Arc;
use std::time::Duration;

/// The longest `Retry-After` honoured; a longer one is treated as this.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);
/// Largest answer read from Lever (a page of 100 expanded opportunities is far smaller).
const MAX_RESPONSE_BYTES: usize = 8 * 1024 * 1024;
/// Largest error body read (only its `code` is used).
const MAX_ERROR_BYTES: usize = 64 * 1024;

/// Whether Lever may safely receive the same request twice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Sent {
    Idempotent,
    Once,
}

pub struct LeverHttp {
    http: HttpClient,
    retry: RetryPolicy,
    limits: TenantRateLimits,
    shared: Option<Arc<dyn RateGate>>,
    oauth: Option<Arc<LeverOAuth>>,
}

#[derive(serde::Deserialize)]
struct ErrorBody {
    #[serde(default)]
    code: Option<String>,
}

#[derive(serde::Deserialize)]
struct NoteCreated {
    #[serde(rename = "noteId")]
    note_id: String,
}

impl LeverHttp {
    pub fn new(http: HttpClient, retry: RetryPolicy) -> Self {
        Self {
            http,
            retry,
            limits: TenantRateLimits::default(),
            shared: None,
            oauth: None,
        }
    }

    /// Call the accounts of tenants connected by OAuth with their grants' tokens.
    pub fn with_oauth(mut self, oauth: Arc<LeverOAuth>) -> Self {
        self.oauth = Some(oauth);
        self
    }

    fn oauth(&self) -> Result<&LeverOAuth, LeverError> {
        self.oauth.as_deref().ok_or_else(|| {
            LeverError::Disconnected("this deployment has no Lever app configured".into())
        })
    }

    /// The bearer token of an OAuth tenant (`None` for an API-key tenant).
    async fn bearer(&self, acct: &LeverAccount) -> Result<Option<Secret>, LeverError> {
        match acct.credential {
            LeverCredential::ApiKey(_) => Ok(None),
            LeverCredential::OAuth => self.oauth()?.access_token(&acct.tenant).await.map(Some),
        }
    }

    /// Also hold every request to the tenant's rate across all containers (the in-process
    /// bucket still shapes bursts within one container).
    pub fn with_shared_gate(mut self, gate: Arc<dyn RateGate>) -> Self {
        self.shared = Some(gate);
        self
    }

    /// `segments` are the path below the API base, each percent-encoded on its own: an id
    /// can never reach another path (`a/../../postings/x?` stays one segment).
    ///
    /// Retries (429, 5xx, timeouts) with backoff, honouring `Retry-After` up to
    /// [`MAX_RETRY_AFTER`] and never past the invocation's budget. A call that is not
    /// idempotent at Lever (`Sent::Once`) is retried only when Lever certainly did not act
    /// on it: a 429, or a connection that never opened.
    async fn call<T: DeserializeOwned>(
        &self,
        acct: &LeverAccount,
        method: Method,
        segments: &[&str],
        query: &[(&str, String)],
        body: Option<&serde_json::Value>,
        sent: Sent,
    ) -> Result<T, LeverError> {
        let url = api_url(&acct.api_base, segments)?;
        let mut failed = 0;
        let mut bearer = self.bearer(acct).await?;
        let mut renewed = false;
        loop {
            self.limits
                .acquire(&acct.tenant, acct.requests_per_second, acct.burst)
                .await;
            if let Some(gate) = &self.shared {
                let key = format!("lever:{}", acct.tenant);
                acquire_shared(gate.as_ref(), &key, acct.requests_per_second).await;
            }
            let mut req = self
                .http
                .get()
                .request(method.clone(), url.clone())
                .query(query);
            req = match (&acct.credential, &bearer) {
                (_, Some(token)) => req.bearer_auth(token.expose()),
                (LeverCredential::ApiKey(key), None) => req.basic_auth(key.expose(), Some("")),
                (LeverCredential::OAuth, None) => unreachable!("an OAuth account has a token"),
            };
            if let Some(b) = body {
                req = req.json(b);
            }
            let (err, retry_after, not_taken) = match req.send().await {
                Ok(resp) if resp.status().is_success() => {
                    let mut bytes = read_capped(resp, MAX_RESPONSE_BYTES)
                        .await
                        .map_err(LeverError::Transport)?;
                    if bytes.is_empty() {
                        // 204 No Content (a deleted webhook).
                        bytes = b"null".to_vec();
                    }
                    return serde_json::from_slice(&bytes).map_err(|e| {
                        LeverError::Decode(format!("{:?} at column {}", e.classify(), e.column()))
                    });
                }
                Ok(resp)
                    if resp.status() == StatusCode::UNAUTHORIZED
                        && let Some(used) = &bearer =>
                {
                    // Lever acted on nothing: renew the token once (another container may
                    // have refreshed the grant), and call again; refused again, the grant is
                    // gone.
                    let oauth = self.oauth()?;
                    if renewed {
                        oauth.mark_disconnected(&acct.tenant, "unauthorized").await;
                        return Err(LeverError::Disconnected(
                            "Lever refused the hub's grant (401)".into(),
                        ));
                    }
                    renewed = true;
                    bearer = Some(oauth.renew_after_refusal(&acct.tenant, used).await?);
                    continue;
                }
                Ok(resp) => {
                    let status = resp.status();
                    let retry_after = retry_after(&resp);
                    let code = read_capped(resp, MAX_ERROR_BYTES)
                        .await
                        .ok()
                        .and_then(|b| serde_json::from_slice::<ErrorBody>(&b).ok())
                        .and_then(|b| b.code)
                        .unwrap_or_else(|| status.canonical_reason().unwrap_or("").to_owned());
                    let err = LeverError::Status {
                        status: status.as_u16(),
                        code,
                    };
                    (err, retry_after, status == StatusCode::TOO_MANY_REQUESTS)
                }
                Err(e) => (LeverError::Transport(kind(&e)), None, e.is_connect()),
            };
            failed += 1;
            let worth_it = err.is_transient() && (sent == Sent::Idempotent || not_taken);
            let backoff = self.retry.jittered_delay(failed);
            let wait = retry_wait(backoff, retry_after);
            if !worth_it || !self.retry.allows_retry(failed) || !deadline::allows(wait) {
                tracing::warn!(tenant = %acct.tenant, %method, path = url.path(), error = %err, attempts = failed, "lever call failed");
                return Err(err);
            }
            tracing::info!(tenant = %acct.tenant, %method, path = url.path(), error = %err, wait_ms = wait.as_millis() as u64, "lever call retried");
            tokio::time::sleep(wait).await;
        }
    }

    fn perform_as(acct: &LeverAccount) -> Vec<(&'static str, String)> {
        acct.perform_as
            .iter()
            .map(|u| ("perform_as", u.clone()))
            .collect()
    }
}

/// The new webhook's id and signature token from Lever's create answer: documented as
/// `{"data": {"data": {…}}}`, read by clients as `{"data": {…}}` (facts/lever.md §1.6), so
/// both.
fn created_webhook(answer: &serde_json::Value) -> Option<CreatedWebhook> {
    let outer = answer.get("data")?;
    let hook = outer.get("data").filter(|d| d.is_object()).unwrap_or(outer);
    Some(CreatedWebhook {
        id: hook.get("id")?.as_str()?.to_owned(),
        signature_token: Secret::new(
            hook.get("configuration")?
                .get("signatureToken")?
                .as_str()?
                .to_owned(),
        ),
    })
}

/// How long to wait before the next try: Lever's `Retry-After` when it sent one (capped at
/// [`MAX_RETRY_AFTER`]), never less than our own backoff.
fn retry_wait(backoff: Duration, retry_after: Option<Duration>) -> Duration {
    retry_after.map_or(backoff, |ra| ra.min(MAX_RETRY_AFTER).max(backoff))
}

/// `{base}/<segment>/…`, every segment percent-encoded.
fn api_url(base: &str, segments: &[&str]) -> Result<reqwest::Url, LeverError> {
    let invalid = || LeverError::Transport("invalid Lever API base URL".into());
    let mut url = reqwest::Url::parse(base).map_err(|_| invalid())?;
    url.path_segments_mut()
        .map_err(|()| invalid())?
        .pop_if_empty()
        .extend(segments);
    Ok(url)
}

/// Error class only: reqwest's Display may include the URL, which is fine, but keep it short.
fn kind(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timeout".into()
    } else if e.is_connect() {
        "connect".into()
    } else if e.is_body() || e.is_decode() {
        "body".into()
    } else {
        "request".into()
    }
}

fn retry_after(resp: &reqwest::Response) -> Option<Duration> {
    if resp.status() != StatusCode::TOO_MANY_REQUESTS
        && resp.status() != StatusCode::SERVICE_UNAVAILABLE
    {
        return None;
    }
    resp.headers()
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

#[async_trait::async_trait]
impl LeverApi for LeverHttp {
    async fn ready(&self, acct: &LeverAccount) -> Result<(), LeverError> {
        match acct.credential {
            LeverCredential::ApiKey(_) => Ok(()),
            LeverCredential::OAuth => self.oauth()?.ready(&acct.tenant).await,
        }
    }

    async fn get_opportunity(
        &self,
        acct: &LeverAccount,
        id: &str,
    ) -> Result<Opportunity, LeverError> {
        let env: Envelope<Opportunity> = self
            .call(
                acct,
                Method::GET,
                &["opportunities", id],
                &[("expand", "applications".into())],
                None,
                Sent::Idempotent,
            )
            .await?;
        Ok(env.data)
    }

    async fn list_webhooks(&self, acct: &LeverAccount) -> Result<Vec<Webhook>, LeverError> {
        let page: Page<Webhook> = self
            .call(
                acct,
                Method::GET,
                &["webhooks"],
                &[],
                None,
                Sent::Idempotent,
            )
            .await?;
        Ok(page.data)
    }

    async fn create_webhook(
        &self,
        acct: &LeverAccount,
        url: &str,
        event: &str,
    ) -> Result<CreatedWebhook, LeverError> {
        let body = serde_json::json!({ "url": url, "event": event });
        let answer: serde_json::Value = self
            .call(
                acct,
                Method::POST,
                &["webhooks"],
                &[],
                Some(&body),
                Sent::Once,
            )
            .await?;
        created_webhook(&answer)
            .ok_or_else(|| LeverError::Decode("no id or signature token in the new webhook".into()))
    }

    async fn delete_webhook(&self, acct: &LeverAccount, id: &str) -> Result<(), LeverError> {
        let _: serde_json::Value = self
            .call(
                acct,
                Method::DELETE,
                &["webhooks", id],
                &[],
                None,
                Sent::Idempotent,
            )
            .await?;
        Ok(())
    }

    async fn get_posting(&self, acct: &LeverAccount, id: &str) -> Result<Posting, LeverError> {
        let env: Envelope<Posting> = self
            .call(
                acct,
                Method::GET,
                &["postings", id],
                &[],
                None,
                Sent::Idempotent,
            )
            .await?;
        Ok(env.data)
    }

    async fn create_lead(&self, acct: &LeverAccount, lead: &NewLead) -> Result<String, LeverError> {
        if acct.perform_as.is_none() {
            return Err(LeverError::Status {
                status: 400,
                code: "perform_as is required to create an opportunity".into(),
            });
        }
        let body = serde_json::json!({
            "contact": lead.contact,
            "postings": [lead.posting],
            "origin": lead.origin,
            "sources": lead.sources,
        });
        let env: Envelope<Opportunity> = self
            .call(
                acct,
                Method::POST,
                &["opportunities"],
                &Self::perform_as(acct),
                Some(&body),
                Sent::Once,
            )
            .await?;
        Ok(env.data.id)
    }

    async fn list_postings(
        &self,
        acct: &LeverAccount,
        states: &[&str],
        offset: Option<&str>,
    ) -> Result<Page<Posting>, LeverError> {
        let mut query: Vec<(&str, String)> =
            states.iter().map(|s| ("state", (*s).to_owned())).collect();
        // A published list holds only the public site's postings unless both channels are
        // asked for (facts/lever.md §2.6.7).
        query.push(("distributionChannel", "public".to_owned()));
        query.push(("distributionChannel", "internal".to_owned()));
        query.push(("limit", "100".to_owned()));
        if let Some(o) = offset {
            query.push(("offset", o.to_owned()));
        }
        self.call(
            acct,
            Method::GET,
            &["postings"],
            &query,
            None,
            Sent::Idempotent,
        )
        .await
    }

    async fn list_resumes(
        &self,
        acct: &LeverAccount,
        opp: &str,
    ) -> Result<Vec<Resume>, LeverError> {
        let page: Page<Resume> = self
            .call(
                acct,
                Method::GET,
                &["opportunities", opp, "resumes"],
                &[],
                None,
                Sent::Idempotent,
            )
            .await?;
        Ok(page.data)
    }

    async fn add_tags(
        &self,
        acct: &LeverAccount,
        opp: &str,
        tags: &[String],
    ) -> Result<(), LeverError> {
        let body = serde_json::json!({ "tags": tags });
        let _: serde_json::Value = self
            .call(
                acct,
                Method::POST,
                &["opportunities", opp, "addTags"],
                &Self::perform_as(acct),
                Some(&body),
                Sent::Idempotent,
            )
            .await?;
        Ok(())
    }

    async fn remove_tags(
        &self,
        acct: &LeverAccount,
        opp: &str,
        tags: &[String],
    ) -> Result<(), LeverError> {
        let body = serde_json::json!({ "tags": tags });
        let _: serde_json::Value = self
            .call(
                acct,
                Method::POST,
                &["opportunities", opp, "removeTags"],
                &Self::perform_as(acct),
                Some(&body),
                Sent::Idempotent,
            )
            .await?;
        Ok(())
    }

    async fn list_notes(
        &self,
        acct: &LeverAccount,
        opp: &str,
        offset: Option<&str>,
    ) -> Result<Page<Note>, LeverError> {
        let mut query = vec![("limit", "100".to_owned())];
        if let Some(o) = offset {
            query.push(("offset", o.to_owned()));
        }
        self.call(
            acct,
            Method::GET,
            &["opportunities", opp, "notes"],
            &query,
            None,
            Sent::Idempotent,
        )
        .await
    }

    async fn create_note(
        &self,
        acct: &LeverAccount,
        opp: &str,
        note: &NewNote,
    ) -> Result<String, LeverError> {
        let body = serde_json::json!({ "value": note.value, "secret": note.secret });
        let env: Envelope<NoteCreated> = self
            .call(
                acct,
                Method::POST,
                &["opportunities", opp, "notes"],
                &Self::perform_as(acct),
                Some(&body),
                Sent::Once,
            )
            .await?;
        Ok(env.data.note_id)
    }

    async fn change_stage(
        &self,
        acct: &LeverAccount,
        opp: &str,
        stage_id: &str,
    ) -> Result<(), LeverError> {
        let body = serde_json::json!({ "stage": stage_id });
        let _: serde_json::Value = self
            .call(
                acct,
                Method::PUT,
                &["opportunities", opp, "stage"],
                &Self::perform_as(acct),
                Some(&body),
                Sent::Idempotent,
            )
            .await?;
        Ok(())
    }

    async fn list_opportunities(
        &self,
        acct: &LeverAccount,
        q: &OpportunityQuery,
        offset: Option<&str>,
    ) -> Result<Page<Opportunity>, LeverError> {
        let mut query: Vec<(&str, String)> = q.tags.iter().map(|t| ("tag", t.clone())).collect();
        if let Some(t) = q.updated_at_start {
            query.push(("updated_at_start", t.to_string()));
        }
        if let Some(t) = q.updated_at_end {
            query.push(("updated_at_end", t.to_string()));
        }
        if let Some(a) = q.archived {
            query.push(("archived", a.to_string()));
        }
        if let Some(stage) = &q.stage_id {
            query.push(("stage_id", stage.clone()));
        }
        if let Some(t) = q.created_at_start {
            query.push(("created_at_start", t.to_string()));
        }
        if q.expand_applications {
            query.push(("expand", "applications".to_owned()));
        }
        if let Some(c) = &q.contact_id {
            query.push(("contact_id", c.clone()));
        }
        if let Some(p) = &q.posting_id {
            query.push(("posting_id", p.clone()));
        }
        push_page(&mut query, q.limit, offset);
        self.call(
            acct,
            Method::GET,
            &["opportunities"],
            &query,
            None,
            Sent::Idempotent,
        )
        .await
    }

    async fn list_deleted_opportunities(
        &self,
        acct: &LeverAccount,
        q: &DeletedQuery,
        offset: Option<&str>,
    ) -> Result<Page<Opportunity>, LeverError> {
        let mut query: Vec<(&str, String)> = Vec::new();
        if let Some(t) = q.deleted_at_start {
            query.push(("deleted_at_start", t.to_string()));
        }
        if let Some(t) = q.deleted_at_end {
            query.push(("deleted_at_end", t.to_string()));
        }
        push_page(&mut query, q.limit, offset);
        self.call(
            acct,
            Method::GET,
            &["opportunities", "deleted"],
            &query,
            None,
            Sent::Idempotent,
        )
        .await
    }
}

/// A list call's page parameters: at most 100 per page (Lever's cap), from `offset`.
fn push_page(query: &mut Vec<(&str, String)>, limit: Option<u32>, offset: Option<&str>) {
    query.push(("limit", limit.unwrap_or(100).clamp(1, 100).to_string()));
    if let Some(o) = offset {
        query.push(("offset", o.to_owned()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retry_after_is_honoured_up_to_its_cap_and_never_shortens_the_backoff() {
        let backoff = Duration::from_millis(500);
        assert_eq!(retry_wait(backoff, None), backoff);
        assert_eq!(
            retry_wait(backoff, Some(Duration::from_secs(3))),
            Duration::from_secs(3)
        );
        assert_eq!(retry_wait(backoff, Some(Duration::ZERO)), backoff);
        assert_eq!(
            retry_wait(backoff, Some(Duration::from_secs(86_400))),
            MAX_RETRY_AFTER
        );
    }

    #[test]
    fn a_created_webhook_is_read_in_both_documented_shapes() {
        let hook = serde_json::json!({"id": "w1", "event": "candidateDeleted",
            "configuration": {"signatureToken": "tok"}});
        for answer in [
            serde_json::json!({ "data": hook }),
            serde_json::json!({ "data": { "data": hook } }),
        ] {
            let c = created_webhook(&answer).unwrap();
            assert_eq!((c.id.as_str(), c.signature_token.expose()), ("w1", "tok"));
        }
        assert!(created_webhook(&serde_json::json!({"data": {"id": "w1"}})).is_none());
    }

    #[test]
    fn ids_stay_one_encoded_path_segment() {
        let url = api_url(
            "https://api.lever.co/v1",
            &["opportunities", "a/../../postings/x?", "notes"],
        )
        .unwrap();
        assert_eq!(
            url.as_str(),
            "https://api.lever.co/v1/opportunities/a%2F..%2F..%2Fpostings%2Fx%3F/notes"
        );
        let trailing = api_url("http://127.0.0.1:9/v1/", &["stages"]).unwrap();
        assert_eq!(trailing.as_str(), "http://127.0.0.1:9/v1/stages");
    }
}
