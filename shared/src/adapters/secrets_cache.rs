//! In-process TTL cache in front of any secret source, with a forced re-read for rotation:
//! callers re-read once when a signature fails to verify with the cached secret. Forced
//! re-reads are throttled per tenant, so forged signatures cannot drive unbounded reads of
//! the secret store (and its bill).

use crate::domain::TenantId;
use crate::ports::clock::Clock;
use crate::ports::secrets::{
    LeverGrant, PartnerSecrets, SecretSource, SecretsError, TenantSecrets,
};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use time::{Duration, OffsetDateTime};

/// At most one forced re-read per tenant within this interval.
pub const MIN_REREAD_INTERVAL: Duration = Duration::seconds(30);

pub struct CachedSecrets {
    inner: Arc<dyn SecretSource>,
    clock: Arc<dyn Clock>,
    ttl: Duration,
    min_reread_interval: Duration,
    entries: Mutex<HashMap<TenantId, (OffsetDateTime, Option<TenantSecrets>)>>,
    forced: Mutex<HashMap<TenantId, OffsetDateTime>>,
    partner: Mutex<Option<(OffsetDateTime, Option<PartnerSecrets>)>>,
    partner_forced: Mutex<Option<OffsetDateTime>>,
}

impl CachedSecrets {
    pub fn new(inner: Arc<dyn SecretSource>, clock: Arc<dyn Clock>, ttl: Duration) -> Self {
        Self {
            inner,
            clock,
            ttl,
            min_reread_interval: MIN_REREAD_INTERVAL,
            entries: Mutex::new(HashMap::new()),
            forced: Mutex::new(HashMap::new()),
            partner: Mutex::new(None),
            partner_forced: Mutex::new(None),
        }
    }

    /// The deployment's partner accounts: cached while fresh, else read.
    pub async fn partner(&self) -> Result<Option<PartnerSecrets>, SecretsError> {
        let now = self.clock.now();
        let cached = self
            .partner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
            .filter(|(at, _)| now - *at < self.ttl);
        match cached {
            Some((_, v)) => Ok(v),
            None => self.refresh_partner().await,
        }
    }

    async fn refresh_partner(&self) -> Result<Option<PartnerSecrets>, SecretsError> {
        let fresh = self.inner.partner_secrets().await?;
        *self.partner.lock().unwrap_or_else(|p| p.into_inner()) =
            Some((self.clock.now(), fresh.clone()));
        Ok(fresh)
    }

    /// [`Self::verify_with`] for the partner accounts (one throttled re-read after a miss).
    pub async fn verify_partner_with<F>(
        &self,
        check: F,
    ) -> Result<Option<PartnerSecrets>, SecretsError>
    where
        F: Fn(&PartnerSecrets) -> bool,
    {
        let first = self.partner().await?;
        if let Some(s) = &first
            && check(s)
        {
            return Ok(first);
        }
        {
            let now = self.clock.now();
            let mut forced = self
                .partner_forced
                .lock()
                .unwrap_or_else(|p| p.into_inner());
            if forced.is_some_and(|last| now - last < self.min_reread_interval) {
                return Ok(None);
            }
            *forced = Some(now);
        }
        let second = self.refresh_partner().await?;
        if second == first {
            return Ok(None);
        }
        Ok(second.filter(|s| check(s)))
    }

    /// Whether a forced re-read for `tenant` is allowed now (and if so, claim it).
    fn may_force_reread(&self, tenant: &TenantId) -> bool {
        let now = self.clock.now();
        let mut forced = self.forced.lock().unwrap_or_else(|p| p.into_inner());
        match forced.get(tenant) {
            Some(last) if now - *last < self.min_reread_interval => false,
            _ => {
                forced.insert(tenant.clone(), now);
                true
            }
        }
    }

    fn cached(&self, tenant: &TenantId) -> Option<Option<TenantSecrets>> {
        let now = self.clock.now();
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries
            .get(tenant)
            .filter(|(fetched, _)| now - *fetched < self.ttl)
            .map(|(_, v)| v.clone())
    }

    /// Cached value while fresh, else a read from the source.
    pub async fn get(&self, tenant: &TenantId) -> Result<Option<TenantSecrets>, SecretsError> {
        match self.cached(tenant) {
            Some(v) => Ok(v),
            None => self.refresh(tenant).await,
        }
    }

    /// Always read from the source (after a verification failure: the secret may have rotated).
    pub async fn refresh(&self, tenant: &TenantId) -> Result<Option<TenantSecrets>, SecretsError> {
        let fresh = self.inner.tenant_secrets(tenant).await?;
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(tenant.clone(), (self.clock.now(), fresh.clone()));
        Ok(fresh)
    }

    /// Store the tenant's Lever connection (`None` forgets it) in the source, and put it in
    /// the cached entry too, so the next [`Self::get`] sees the grant just written (with no
    /// read, which could still see the one before). When the write fails the cached entry is
    /// dropped: the source may hold either grant.
    pub async fn put_lever_connection(
        &self,
        tenant: &TenantId,
        grant: Option<&LeverGrant>,
    ) -> Result<(), SecretsError> {
        if let Err(e) = self.inner.put_lever_connection(tenant, grant).await {
            self.forget(tenant);
            return Err(e);
        }
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((_, cached)) = entries.get_mut(tenant) {
            let mut secrets = cached.take().unwrap_or_default();
            secrets.lever_connection = grant.cloned();
            *cached = (secrets != TenantSecrets::default()).then_some(secrets);
        }
        Ok(())
    }

    /// Drop the tenant's cached secrets: the next [`Self::get`] reads the source.
    pub fn forget(&self, tenant: &TenantId) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(tenant);
    }

    /// Run `check` with the cached secrets; when it fails, re-read once (at most once per
    /// tenant per [`MIN_REREAD_INTERVAL`]) and check again. Returns the secrets that passed,
    /// `Ok(None)` when none did.
    pub async fn verify_with<F>(
        &self,
        tenant: &TenantId,
        check: F,
    ) -> Result<Option<TenantSecrets>, SecretsError>
    where
        F: Fn(&TenantSecrets) -> bool,
    {
        let first = self.get(tenant).await?;
        if let Some(s) = &first
            && check(s)
        {
            return Ok(first);
        }
        if !self.may_force_reread(tenant) {
            return Ok(None);
        }
        let second = self.refresh(tenant).await?;
        if second == first {
            return Ok(None);
        }
        Ok(second.filter(|s| check(s)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::clock::ManualClock;
    use crate::ports::secrets::Secret;
    use std::sync::atomic::{AtomicUsize, Ordering};

    struct Rotating {
        reads: AtomicUsize,
        value: Mutex<String>,
    }

    #[async_trait::async_trait]
    impl SecretSource for Rotating {
        async fn tenant_secrets(
            &self,
            _: &TenantId,
        ) -> Result<Option<TenantSecrets>, SecretsError> {
            self.reads.fetch_add(1, Ordering::SeqCst);
            Ok(Some(TenantSecrets {
                lever_api_key: Some(Secret::new(self.value.lock().unwrap().clone())),
                ..Default::default()
            }))
        }
    }

    fn key(s: &TenantSecrets) -> String {
        s.lever_api_key.as_ref().unwrap().expose().to_owned()
    }

    #[tokio::test]
    async fn caches_for_the_ttl_and_rereads_once_after_rotation() {
        let src = Arc::new(Rotating {
            reads: AtomicUsize::new(0),
            value: Mutex::new("old".into()),
        });
        let clock = Arc::new(ManualClock::new(
            time::macros::datetime!(2026-01-01 0:00 UTC),
        ));
        let cache = CachedSecrets::new(src.clone(), clock.clone(), Duration::minutes(5));
        let t = TenantId::parse("t").unwrap();
        cache.get(&t).await.unwrap();
        cache.get(&t).await.unwrap();
        assert_eq!(src.reads.load(Ordering::SeqCst), 1);

        *src.value.lock().unwrap() = "new".into();
        let ok = cache.verify_with(&t, |s| key(s) == "new").await.unwrap();
        assert_eq!(ok.map(|s| key(&s)), Some("new".into()));
        assert_eq!(src.reads.load(Ordering::SeqCst), 2);

        // Within the re-read interval a failing signature costs no read at all.
        assert!(cache.verify_with(&t, |_| false).await.unwrap().is_none());
        assert_eq!(src.reads.load(Ordering::SeqCst), 2);

        clock.advance(Duration::minutes(6));
        cache.get(&t).await.unwrap();
        assert_eq!(src.reads.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_hundred_forged_signatures_cost_at_most_two_reads() {
        let src = Arc::new(Rotating {
            reads: AtomicUsize::new(0),
            value: Mutex::new("real".into()),
        });
        let clock = Arc::new(ManualClock::new(
            time::macros::datetime!(2026-01-01 0:00 UTC),
        ));
        let cache = CachedSecrets::new(src.clone(), clock.clone(), Duration::minutes(5));
        let t = TenantId::parse("t").unwrap();
        for _ in 0..100 {
            assert!(cache.verify_with(&t, |_| false).await.unwrap().is_none());
            clock.advance(Duration::milliseconds(100));
        }
        assert!(src.reads.load(Ordering::SeqCst) <= 2, "{:?}", src.reads);
        // Another tenant has its own allowance.
        let u = TenantId::parse("u").unwrap();
        cache.verify_with(&u, |_| false).await.unwrap();
        assert!(src.reads.load(Ordering::SeqCst) <= 4);
        // After the interval, a real rotation is still picked up.
        clock.advance(MIN_REREAD_INTERVAL);
        *src.value.lock().unwrap() = "rotated".into();
        let ok = cache
            .verify_with(&t, |s| key(s) == "rotated")
            .await
            .unwrap();
        assert!(ok.is_some());
    }

    /// A source holding one tenant's API key and its Lever connection.
    #[derive(Default)]
    struct Connected {
        reads: AtomicUsize,
        grant: Mutex<Option<LeverGrant>>,
        refuse_writes: std::sync::atomic::AtomicBool,
    }

    #[async_trait::async_trait]
    impl SecretSource for Connected {
        async fn tenant_secrets(
            &self,
            _: &TenantId,
        ) -> Result<Option<TenantSecrets>, SecretsError> {
            self.reads.fetch_add(1, Ordering::SeqCst);
            Ok(Some(TenantSecrets {
                lever_api_key: Some(Secret::new("key")),
                lever_connection: self.grant.lock().unwrap().clone(),
                ..Default::default()
            }))
        }

        async fn put_lever_connection(
            &self,
            _: &TenantId,
            grant: Option<&LeverGrant>,
        ) -> Result<(), SecretsError> {
            if self.refuse_writes.load(Ordering::SeqCst) {
                return Err(SecretsError::Unavailable("down".into()));
            }
            *self.grant.lock().unwrap() = grant.cloned();
            Ok(())
        }
    }

    fn grant(refresh: &str) -> LeverGrant {
        LeverGrant {
            access_token: Secret::new("access"),
            refresh_token: Secret::new(refresh),
            access_expires_at: 1_800_000_000,
            ..Default::default()
        }
    }

    fn refresh_token(s: Option<TenantSecrets>) -> Option<String> {
        s.and_then(|s| s.lever_connection)
            .map(|g| g.refresh_token.expose().to_owned())
    }

    #[tokio::test]
    async fn a_written_grant_is_what_the_next_get_sees() {
        let src = Arc::new(Connected::default());
        let clock = Arc::new(ManualClock::new(
            time::macros::datetime!(2026-01-01 0:00 UTC),
        ));
        let cache = CachedSecrets::new(src.clone(), clock, Duration::minutes(5));
        let t = TenantId::parse("t").unwrap();
        assert_eq!(refresh_token(cache.get(&t).await.unwrap()), None);

        cache
            .put_lever_connection(&t, Some(&grant("r1")))
            .await
            .unwrap();
        let got = cache.get(&t).await.unwrap();
        assert_eq!(refresh_token(got.clone()), Some("r1".into()));
        // The rest of the cached secrets stay, and no read was needed.
        assert_eq!(key(&got.unwrap()), "key");
        assert_eq!(src.reads.load(Ordering::SeqCst), 1);

        // Rotated elsewhere (another function): a forced re-read sees it.
        *src.grant.lock().unwrap() = Some(grant("r2"));
        assert_eq!(
            refresh_token(cache.get(&t).await.unwrap()),
            Some("r1".into())
        );
        assert_eq!(
            refresh_token(cache.refresh(&t).await.unwrap()),
            Some("r2".into())
        );

        cache.put_lever_connection(&t, None).await.unwrap();
        assert_eq!(refresh_token(cache.get(&t).await.unwrap()), None);
        assert!(src.grant.lock().unwrap().is_none());

        // A failed write leaves no cached entry behind: the next get reads the source.
        src.refuse_writes.store(true, Ordering::SeqCst);
        let reads = src.reads.load(Ordering::SeqCst);
        assert!(
            cache
                .put_lever_connection(&t, Some(&grant("r3")))
                .await
                .is_err()
        );
        assert_eq!(refresh_token(cache.get(&t).await.unwrap()), None);
        assert_eq!(src.reads.load(Ordering::SeqCst), reads + 1);
    }
}
