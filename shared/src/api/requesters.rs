//! Whether the user an ATS names as ordering is a requester of the route's provider, asked on
//! the inbound request's path before anything is written (DESIGN §1.D). Vendor-free: the route's provider adapter says whether its accounts have
//! requesters ([`Capabilities::requesters`](crate::ports::provider::Capabilities)) and
//! answers the question; a provider without requesters is never asked.
//!
//! The question is bounded (one attempt, [`HubSettings::requester_timeout`](super::HubSettings))
//! and an unanswered one never admits the order. Known requesters are remembered in-process
//! for [`HubSettings::requester_ttl`](super::HubSettings), keyed by tenant, provider and the
//! email without case; an unknown one is not remembered, so a requester added at the
//! provider can order at once. Emails are never logged.

use crate::config::TenantConfig;
use crate::domain::TenantId;
use crate::domain::kinds::ProviderKind;
use crate::ports::TenantSecrets;
use crate::ports::provider::{ProviderAccount, ProviderAdapter, ProviderError};
use crate::registry::Registry;
use std::collections::HashMap;
use std::sync::Mutex;
use time::OffsetDateTime;

/// Known requesters remembered at most (a full cache drops its expired entries, then all).
const MAX_REMEMBERED: usize = 10_000;

/// What the check decided about an order's ordering user.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The provider has no requesters, or knows this one: the order may be taken.
    Allowed,
    /// The order names no ordering user, and the provider needs one.
    Missing,
    /// The provider has no requester by this email.
    Unknown,
    /// The provider could not be asked or did not answer in time: nothing is ordered on an
    /// unverified requester.
    Unverified,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Allowed => "allowed",
            Verdict::Missing => "missing",
            Verdict::Unknown => "unknown",
            Verdict::Unverified => "unverified",
        }
    }
}

/// The verdict on the provider's answer (`None`: it did not answer in time).
pub fn verdict(answer: Option<&Result<bool, ProviderError>>) -> Verdict {
    match answer {
        Some(Ok(true)) => Verdict::Allowed,
        Some(Ok(false)) => Verdict::Unknown,
        Some(Err(_)) | None => Verdict::Unverified,
    }
}

/// The cache key of a requester: the tenant, the provider and the email without case or
/// surrounding blanks.
pub fn cache_key(tenant: &TenantId, provider: ProviderKind, email: &str) -> String {
    format!(
        "{tenant}\u{1f}{}\u{1f}{}",
        provider.as_str(),
        email.trim().to_lowercase()
    )
}

/// A provider error's kind, for logs (its text may quote the provider's words).
fn error_kind(e: &ProviderError) -> &'static str {
    match e {
        ProviderError::Refused { .. } => "refused",
        ProviderError::Unauthorized(_) => "unauthorized",
        ProviderError::Transient(_) => "transient",
        ProviderError::Unexpected(_) => "unexpected",
    }
}

/// The requester check with its cache of known requesters (one per process).
pub struct Requesters {
    providers: Option<Registry>,
    timeout: std::time::Duration,
    ttl: time::Duration,
    /// Known requesters: cache key → until when.
    known: Mutex<HashMap<String, OffsetDateTime>>,
}

impl Requesters {
    /// Asks `providers` (`None`: a hub built without provider adapters, which verifies no
    /// requester and so takes no order from a provider that has them).
    pub fn new(
        providers: Option<Registry>,
        timeout: std::time::Duration,
        ttl: time::Duration,
    ) -> Self {
        Self {
            providers,
            timeout,
            ttl,
            known: Mutex::new(HashMap::new()),
        }
    }

    /// Whether the order's ordering user (`email`) may order from `provider` for `tenant`.
    pub async fn check(
        &self,
        tenant: &TenantConfig,
        secrets: &TenantSecrets,
        provider: ProviderKind,
        email: Option<&str>,
        now: OffsetDateTime,
    ) -> Verdict {
        let Some(registry) = &self.providers else {
            tracing::warn!(tenant = %tenant.id, "no provider adapters to verify the requester");
            return Verdict::Unverified;
        };
        self.check_with(registry.provider(provider), tenant, secrets, email, now)
            .await
    }

    /// [`Self::check`], asking `adapter`.
    pub async fn check_with(
        &self,
        adapter: &dyn ProviderAdapter,
        tenant: &TenantConfig,
        secrets: &TenantSecrets,
        email: Option<&str>,
        now: OffsetDateTime,
    ) -> Verdict {
        if !adapter.capabilities().requesters {
            return Verdict::Allowed;
        }
        let provider = adapter.kind();
        let Some(email) = email.map(str::trim).filter(|e| !e.is_empty()) else {
            return Verdict::Missing;
        };
        let key = cache_key(&tenant.id, provider, email);
        if self.is_known(&key, now) {
            return Verdict::Allowed;
        }
        let acct = match ProviderAccount::of(tenant, secrets, adapter, String::new()) {
            Ok(acct) => acct,
            Err(e) => {
                tracing::warn!(tenant = %tenant.id, provider = provider.as_str(), error = %e, "requester not verified");
                return Verdict::Unverified;
            }
        };
        let answer = tokio::time::timeout(self.timeout, adapter.requester_exists(&acct, email))
            .await
            .ok();
        let verdict = verdict(answer.as_ref());
        match &answer {
            Some(Err(e)) => {
                tracing::warn!(tenant = %tenant.id, provider = provider.as_str(), error = error_kind(e), "requester not verified")
            }
            None => {
                tracing::warn!(tenant = %tenant.id, provider = provider.as_str(), error = "timeout", "requester not verified")
            }
            Some(Ok(_)) => {
                tracing::info!(tenant = %tenant.id, provider = provider.as_str(), verdict = verdict.as_str(), "requester checked")
            }
        }
        if verdict == Verdict::Allowed {
            self.remember(key, now);
        }
        verdict
    }

    fn is_known(&self, key: &str, now: OffsetDateTime) -> bool {
        self.known
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .get(key)
            .is_some_and(|until| *until > now)
    }

    fn remember(&self, key: String, now: OffsetDateTime) {
        let mut known = self
            .known
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if known.len() >= MAX_REMEMBERED {
            known.retain(|_, until| *until > now);
            if known.len() >= MAX_REMEMBERED {
                known.clear();
            }
        }
        known.insert(key, now + self.ttl);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::effects::CancelReason;
    use crate::domain::order::{Order, Rejection, SentRequest};
    use crate::domain::subject::Subject;
    use crate::ports::provider::{Capabilities, PlacedOrder};
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// The kind the fake provider stands for (any: the check names none).
    const KIND: ProviderKind = ProviderKind::ALL[0];

    /// A provider whose requesters are `known`; `hang`: it never answers.
    struct Fake {
        requesters: bool,
        known: Vec<&'static str>,
        hang: bool,
        fail: bool,
        asked: AtomicUsize,
    }

    impl Fake {
        fn with(known: &[&'static str]) -> Self {
            Fake {
                requesters: true,
                known: known.to_vec(),
                hang: false,
                fail: false,
                asked: AtomicUsize::new(0),
            }
        }
        fn asked(&self) -> usize {
            self.asked.load(Ordering::SeqCst)
        }
    }

    #[async_trait::async_trait]
    impl ProviderAdapter for Fake {
        fn kind(&self) -> ProviderKind {
            KIND
        }
        fn capabilities(&self) -> Capabilities {
            Capabilities {
                requesters: self.requesters,
                ..Capabilities::default()
            }
        }
        fn api_base<'t>(&self, _: &'t TenantConfig) -> Option<&'t str> {
            Some("http://provider.invalid")
        }
        fn invitation_ttl(&self, _: &TenantConfig) -> Option<time::Duration> {
            None
        }
        fn prepare(
            &self,
            _: &TenantConfig,
            _: &Order,
            _: &Subject,
        ) -> Result<SentRequest, Rejection> {
            unreachable!("not ordered")
        }
        async fn place(
            &self,
            _: &ProviderAccount,
            _: &SentRequest,
        ) -> Result<PlacedOrder, ProviderError> {
            unreachable!("not ordered")
        }
        async fn cancel(
            &self,
            _: &ProviderAccount,
            _: &str,
            _: CancelReason,
        ) -> Result<(), ProviderError> {
            unreachable!("not cancelled")
        }
        async fn requester_exists(
            &self,
            acct: &ProviderAccount,
            email: &str,
        ) -> Result<bool, ProviderError> {
            self.asked.fetch_add(1, Ordering::SeqCst);
            assert_eq!(acct.api_key.expose(), "key");
            if self.hang {
                std::future::pending::<()>().await;
            }
            if self.fail {
                return Err(ProviderError::Transient("HTTP 503".into()));
            }
            Ok(self.known.iter().any(|k| k.eq_ignore_ascii_case(email)))
        }
    }

    fn tenant(id: &str) -> TenantConfig {
        serde_json::from_value(serde_json::json!({ "id": id, "name": "Acme" })).unwrap()
    }

    fn secrets() -> TenantSecrets {
        let mut v = serde_json::json!({});
        v[TenantSecrets::provider_field(KIND)] =
            serde_json::json!({ "api_key": "key", "api_secret": "pw", "callback_secrets": [] });
        serde_json::from_value(v).unwrap()
    }

    fn requesters() -> Requesters {
        Requesters::new(
            None,
            std::time::Duration::from_secs(5),
            time::Duration::minutes(15),
        )
    }

    fn t0() -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap()
    }

    #[test]
    fn answers_map_to_verdicts_and_no_answer_never_admits() {
        assert_eq!(verdict(Some(&Ok(true))), Verdict::Allowed);
        assert_eq!(verdict(Some(&Ok(false))), Verdict::Unknown);
        for e in [
            ProviderError::Transient("503".into()),
            ProviderError::Unauthorized(401),
            ProviderError::Unexpected("?".into()),
            ProviderError::Refused {
                code: "c".into(),
                message: "m".into(),
            },
        ] {
            assert_eq!(verdict(Some(&Err(e))), Verdict::Unverified);
        }
        assert_eq!(verdict(None), Verdict::Unverified);
    }

    #[test]
    fn the_cache_key_ignores_case_and_blanks_but_not_tenant_or_provider() {
        let acme = TenantId::parse("acme").unwrap();
        let other = TenantId::parse("other").unwrap();
        let k = cache_key(&acme, KIND, " Rita@Acme.Example ");
        assert_eq!(k, cache_key(&acme, KIND, "rita@acme.example"));
        assert_ne!(k, cache_key(&other, KIND, "rita@acme.example"));
        assert_ne!(
            k,
            cache_key(&acme, ProviderKind::ALL[1], "rita@acme.example")
        );
    }

    #[tokio::test]
    async fn a_provider_without_requesters_is_never_asked() {
        let fake = Fake {
            requesters: false,
            ..Fake::with(&[])
        };
        let v = requesters()
            .check_with(
                &fake,
                &tenant("acme"),
                &TenantSecrets::default(),
                None,
                t0(),
            )
            .await;
        assert_eq!((v, fake.asked()), (Verdict::Allowed, 0));
    }

    #[tokio::test]
    async fn a_missing_email_is_refused_without_asking() {
        let fake = Fake::with(&["rita@acme.example"]);
        let r = requesters();
        for email in [None, Some(""), Some("  ")] {
            let v = r
                .check_with(&fake, &tenant("acme"), &secrets(), email, t0())
                .await;
            assert_eq!(v, Verdict::Missing);
        }
        assert_eq!(fake.asked(), 0);
    }

    #[tokio::test]
    async fn a_known_requester_is_remembered_for_its_ttl_and_an_unknown_one_not_at_all() {
        let fake = Fake::with(&["rita@acme.example"]);
        let (r, acme, keys) = (requesters(), tenant("acme"), secrets());
        let ask = |email: &'static str, at: OffsetDateTime| {
            r.check_with(&fake, &acme, &keys, Some(email), at)
        };
        assert_eq!(ask("Rita@Acme.example", t0()).await, Verdict::Allowed);
        assert_eq!(fake.asked(), 1);
        let later = t0() + time::Duration::minutes(14);
        assert_eq!(ask("rita@acme.example", later).await, Verdict::Allowed);
        assert_eq!(fake.asked(), 1, "remembered, without case");
        let expired = t0() + time::Duration::minutes(15);
        assert_eq!(ask("rita@acme.example", expired).await, Verdict::Allowed);
        assert_eq!(fake.asked(), 2, "asked again once the ttl passed");

        assert_eq!(ask("nobody@acme.example", t0()).await, Verdict::Unknown);
        assert_eq!(ask("nobody@acme.example", t0()).await, Verdict::Unknown);
        assert_eq!(fake.asked(), 4, "an unknown requester is asked each time");
        // Another tenant's cache entry does not admit anyone here.
        let other = tenant("other");
        let v = r
            .check_with(&fake, &other, &secrets(), Some("rita@acme.example"), t0())
            .await;
        assert_eq!((v, fake.asked()), (Verdict::Allowed, 5));
    }

    #[tokio::test(start_paused = true)]
    async fn a_provider_that_fails_or_never_answers_leaves_the_requester_unverified() {
        let r = requesters();
        let hanging = Fake {
            hang: true,
            ..Fake::with(&["rita@acme.example"])
        };
        let v = r
            .check_with(
                &hanging,
                &tenant("acme"),
                &secrets(),
                Some("rita@acme.example"),
                t0(),
            )
            .await;
        assert_eq!(v, Verdict::Unverified, "bounded by the timeout");
        let failing = Fake {
            fail: true,
            ..Fake::with(&["rita@acme.example"])
        };
        let v = r
            .check_with(
                &failing,
                &tenant("acme"),
                &secrets(),
                Some("rita@acme.example"),
                t0(),
            )
            .await;
        assert_eq!(v, Verdict::Unverified);
        // Not remembered: the next check asks again.
        let v = r
            .check_with(
                &failing,
                &tenant("acme"),
                &secrets(),
                Some("rita@acme.example"),
                t0(),
            )
            .await;
        assert_eq!((v, failing.asked()), (Verdict::Unverified, 2));
        // Without credentials the provider cannot be asked.
        let fine = Fake::with(&["rita@acme.example"]);
        let v = r
            .check_with(
                &fine,
                &tenant("acme"),
                &TenantSecrets::default(),
                Some("rita@acme.example"),
                t0(),
            )
            .await;
        assert_eq!((v, fine.asked()), (Verdict::Unverified, 0));
    }

    #[tokio::test]
    async fn a_full_cache_drops_expired_entries_first() {
        let r = Requesters::new(
            None,
            std::time::Duration::from_secs(5),
            time::Duration::minutes(15),
        );
        for i in 0..MAX_REMEMBERED {
            r.remember(format!("old{i}"), t0());
        }
        let later = t0() + time::Duration::minutes(20);
        r.remember("fresh".into(), later);
        assert!(r.is_known("fresh", later));
        assert_eq!(r.known.lock().unwrap().len(), 1);
    }
}
