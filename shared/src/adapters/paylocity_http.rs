//! Paylocity's API as the hub calls it (facts/vendors-and-aws.md §1.1, §1.4): OAuth2 client
//! credentials, the token cached until shortly before it expires (one fetch however many
//! callers wait for it) and fetched again once when Paylocity answers 401; the one status
//! PATCH. A PATCH refused because its `oldStatus` no longer matches Paylocity's state is told
//! apart, so that it is never retried blindly. Paylocity documents its 400 bodies only as
//! "error details": a 400 whose text names `oldStatus` is taken as that refusal.
//!
//! The partner side of onboarding goes through it too: a company's onboarding status, its
//! packages, and the order subscription (`screenhub paylocity …`).

use crate::domain::ats::paylocity::StatusPatch;
use crate::outbound::http::{HttpClient, read_capped};
use crate::ports::Clock;
use crate::ports::secrets::Secret;
use std::collections::HashMap;
use std::sync::Arc;
use time::OffsetDateTime;
use tokio::sync::Mutex;

/// A token is not used in its last minute (clock skew, a slow request).
const TOKEN_MARGIN: time::Duration = time::Duration::seconds(60);
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// Where and as whom the hub calls Paylocity.
#[derive(Clone, Debug)]
pub struct PaylocityAccount {
    /// e.g. `https://dc1demogwext.paylocity.com` (routes under `/compliance/v1`).
    pub api_base: String,
    /// e.g. `https://gwext.paylocity.com/public/security/v1/token`.
    pub token_url: String,
    pub client_id: String,
    pub client_secret: Secret,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PaylocityError {
    /// Our client credentials (or a fresh token) were refused.
    #[error("credentials refused")]
    Unauthorized,
    /// Paylocity's state is not the `oldStatus` sent: someone else moved the order.
    #[error("status conflict: {0}")]
    StatusConflict(String),
    /// Refused for a reason retrying cannot fix.
    #[error("refused (HTTP {status}): {message}")]
    Refused { status: u16, message: String },
    /// Rate limit, server error, timeout: worth another try.
    #[error("transient failure: {0}")]
    Transient(String),
}

impl PaylocityError {
    pub fn is_transient(&self) -> bool {
        matches!(self, PaylocityError::Transient(_))
    }
}

#[derive(Clone)]
struct Token {
    value: String,
    usable_until: OffsetDateTime,
}

pub struct PaylocityHttp {
    http: HttpClient,
    clock: Arc<dyn Clock>,
    /// Per client id; one lock so concurrent callers share one fetch.
    tokens: Mutex<HashMap<String, Token>>,
}

#[derive(serde::Deserialize)]
struct TokenAnswer {
    access_token: String,
    expires_in: i64,
}

fn transport(e: reqwest::Error) -> PaylocityError {
    PaylocityError::Transient(if e.is_timeout() {
        "timeout".into()
    } else {
        "connection failed".into()
    })
}

impl PaylocityHttp {
    pub fn new(http: HttpClient, clock: Arc<dyn Clock>) -> Self {
        Self {
            http,
            clock,
            tokens: Mutex::new(HashMap::new()),
        }
    }

    /// A usable token: the cached one, or a new one (`fresh`: never the cached one).
    async fn token(&self, acct: &PaylocityAccount, fresh: bool) -> Result<String, PaylocityError> {
        let mut tokens = self.tokens.lock().await;
        let now = self.clock.now();
        if !fresh
            && let Some(t) = tokens.get(&acct.client_id)
            && now < t.usable_until
        {
            return Ok(t.value.clone());
        }
        let resp = self
            .http
            .get()
            .post(&acct.token_url)
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", acct.client_id.as_str()),
                ("client_secret", acct.client_secret.expose()),
            ])
            .send()
            .await
            .map_err(transport)?;
        let status = resp.status().as_u16();
        match status {
            200..=299 => {}
            400 | 401 | 403 => return Err(PaylocityError::Unauthorized),
            _ => return Err(classify(status, String::new())),
        }
        let body = read_capped(resp, MAX_ANSWER_BYTES)
            .await
            .map_err(PaylocityError::Transient)?;
        let answer: TokenAnswer =
            serde_json::from_slice(&body).map_err(|_| PaylocityError::Refused {
                status,
                message: "unreadable token answer".into(),
            })?;
        let token = Token {
            value: answer.access_token,
            usable_until: now + time::Duration::seconds(answer.expires_in) - TOKEN_MARGIN,
        };
        tokens.insert(acct.client_id.clone(), token.clone());
        Ok(token.value)
    }

    /// Send one status PATCH for an order of `company_id`.
    pub async fn patch_status(
        &self,
        acct: &PaylocityAccount,
        company_id: &str,
        patch: &StatusPatch,
    ) -> Result<(), PaylocityError> {
        let path = format!("{company_id}/backgroundCheck/candidateScreeningOrders/status");
        self.send(acct, reqwest::Method::PATCH, &path, Some(patch))
            .await
            .map(|_| ())
    }

    /// Set a company's onboarding status (`InProgress`, `Approved`, `Rejected`, `Suspended`;
    /// Paylocity keeps them linear).
    pub async fn set_onboarding(
        &self,
        acct: &PaylocityAccount,
        company_id: &str,
        status: &str,
    ) -> Result<(), PaylocityError> {
        let body = serde_json::json!({ "companyId": company_id, "status": status });
        self.send(
            acct,
            reqwest::Method::POST,
            "b6001/clientOnboarding/status",
            Some(&body),
        )
        .await
        .map(|_| ())
    }

    /// Upsert a company's packages (`screeningPackages`: `{packages: [...]}`).
    pub async fn publish_packages(
        &self,
        acct: &PaylocityAccount,
        company_id: &str,
        packages: &[serde_json::Value],
    ) -> Result<(), PaylocityError> {
        let body = serde_json::json!({ "packages": packages });
        let path = format!("{company_id}/backgroundCheck/screeningPackages");
        self.send(acct, reqwest::Method::POST, &path, Some(&body))
            .await
            .map(|_| ())
    }

    /// The registered order subscriptions, as Paylocity lists them.
    pub async fn subscription(
        &self,
        acct: &PaylocityAccount,
    ) -> Result<serde_json::Value, PaylocityError> {
        self.send::<()>(acct, reqwest::Method::GET, SUBSCRIPTION, None)
            .await
    }

    /// Register the order subscription: Paylocity posts new orders to `success_url` with
    /// `x-api-key: api_key`, and delivery errors to `error_url`. Returns Paylocity's answer
    /// (its `callbackId`).
    pub async fn subscribe(
        &self,
        acct: &PaylocityAccount,
        success_url: &str,
        error_url: Option<&str>,
        api_key: &Secret,
        caller_name: &str,
    ) -> Result<serde_json::Value, PaylocityError> {
        let body = serde_json::json!({
            "apiKey": api_key.expose(),
            "callbackDetails": { "successCallbackUrl": success_url, "errorCallbackUrl": error_url },
            "callerDetails": { "callerName": caller_name },
        });
        self.send(acct, reqwest::Method::POST, SUBSCRIPTION, Some(&body))
            .await
    }

    /// One authorised call under `/compliance/v1/companies/`: a fresh token once on 401.
    /// Returns the answer's JSON (`null` when it has none).
    async fn send<B: serde::Serialize>(
        &self,
        acct: &PaylocityAccount,
        method: reqwest::Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<serde_json::Value, PaylocityError> {
        let url = format!(
            "{}/compliance/v1/companies/{path}",
            acct.api_base.trim_end_matches('/')
        );
        let mut fresh = false;
        loop {
            let token = self.token(acct, fresh).await?;
            let mut req = self
                .http
                .get()
                .request(method.clone(), &url)
                .bearer_auth(&token);
            if let Some(body) = body {
                req = req.json(body);
            }
            let resp = req.send().await.map_err(transport)?;
            let status = resp.status().as_u16();
            if status == 401 && !fresh {
                // The token was revoked or expired early: one fresh token, one more try.
                fresh = true;
                continue;
            }
            let bytes = read_capped(resp, MAX_ANSWER_BYTES)
                .await
                .unwrap_or_default();
            if (200..300).contains(&status) {
                return Ok(serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null));
            }
            return Err(classify(
                status,
                String::from_utf8_lossy(&bytes).into_owned(),
            ));
        }
    }
}

const SUBSCRIPTION: &str = "b6001/backgroundCheck/candidateScreeningOrders/subscription";

/// What a non-success answer means.
fn classify(status: u16, text: String) -> PaylocityError {
    let message: String = text.chars().take(300).collect();
    match status {
        401 | 403 => PaylocityError::Unauthorized,
        400 if text.contains("oldStatus") => PaylocityError::StatusConflict(message),
        408 | 429 | 500..=599 => PaylocityError::Transient(format!("HTTP {status}")),
        _ => PaylocityError::Refused { status, message },
    }
}
