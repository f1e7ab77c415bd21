//! Tenant configuration cached per container for a short TTL: a warm inbound request costs
//! no read for it, and a configuration change reaches every container within the TTL.
//! Only configured tenants are cached, so made-up tenant ids cannot grow the cache.

use crate::config::TenantConfig;
use crate::domain::TenantId;
use crate::ports::clock::Clock;
use crate::ports::store::{Store, StoreError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use time::{Duration, OffsetDateTime};

/// How long a container keeps a tenant's configuration.
pub const TENANT_TTL: Duration = Duration::seconds(60);

pub struct TenantCache {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    ttl: Duration,
    entries: Mutex<HashMap<TenantId, (OffsetDateTime, TenantConfig)>>,
    /// Every tenant, when read, and when a miss last forced a re-read.
    all: Mutex<AllTenants>,
}

#[derive(Default)]
struct AllTenants {
    read: Option<(OffsetDateTime, Vec<TenantConfig>)>,
    relisted_at: Option<OffsetDateTime>,
}

/// A miss re-reads every tenant at most once per this interval (so unknown ids cannot drive
/// reads).
pub const MIN_RELIST_INTERVAL: Duration = Duration::seconds(30);

impl TenantCache {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, ttl: Duration) -> Self {
        Self {
            store,
            clock,
            ttl,
            entries: Mutex::new(HashMap::new()),
            all: Mutex::new(AllTenants::default()),
        }
    }

    /// The first tenant `matches` accepts, among every tenant (read from the store's tenant
    /// index, cached for the TTL; a miss re-reads at most once per [`MIN_RELIST_INTERVAL`]).
    /// For routes that learn their tenant from the body (Paylocity's one partner URL).
    pub async fn find(
        &self,
        matches: impl Fn(&TenantConfig) -> bool,
    ) -> Result<Option<TenantConfig>, StoreError> {
        let now = self.clock.now();
        let cached = {
            let all = self.all.lock().unwrap_or_else(|p| p.into_inner());
            all.read
                .as_ref()
                .filter(|(at, _)| now - *at < self.ttl)
                .map(|(_, list)| list.iter().find(|t| matches(t)).cloned())
        };
        match cached {
            Some(Some(found)) => return Ok(Some(found)),
            Some(None) => {
                let mut all = self.all.lock().unwrap_or_else(|p| p.into_inner());
                if all
                    .relisted_at
                    .is_some_and(|last| now - last < MIN_RELIST_INTERVAL)
                {
                    return Ok(None);
                }
                all.relisted_at = Some(now);
            }
            None => {}
        }
        let list = self.store.list_tenants().await?;
        let found = list.iter().find(|t| matches(t)).cloned();
        self.all.lock().unwrap_or_else(|p| p.into_inner()).read = Some((now, list));
        Ok(found)
    }

    /// The tenant's configuration: cached while fresh, else read from the store.
    pub async fn get(&self, id: &TenantId) -> Result<Option<TenantConfig>, StoreError> {
        let now = self.clock.now();
        if let Some((_, cfg)) = self
            .lock()
            .get(id)
            .filter(|(read_at, _)| now - *read_at < self.ttl)
        {
            return Ok(Some(cfg.clone()));
        }
        let read = self.store.get_tenant(id).await?;
        let mut entries = self.lock();
        match &read {
            Some(cfg) => {
                entries.insert(id.clone(), (now, cfg.clone()));
            }
            None => {
                entries.remove(id);
            }
        }
        Ok(read)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<TenantId, (OffsetDateTime, TenantConfig)>> {
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::adapters::embedded_store::EmbeddedStore;
    use crate::ports::clock::ManualClock;

    #[tokio::test]
    async fn reads_once_per_ttl_and_sees_changes_after_it() {
        let store = Arc::new(EmbeddedStore::new());
        let clock = Arc::new(ManualClock::new(
            time::macros::datetime!(2026-12-01 0:00 UTC),
        ));
        let cache = TenantCache::new(store.clone(), clock.clone(), Duration::seconds(60));
        let id = TenantId::parse("acme").unwrap();
        assert!(
            cache.get(&id).await.unwrap().is_none(),
            "unknown tenants are not cached"
        );
        let mut cfg: TenantConfig = serde_json::from_value(serde_json::json!({
            "id": "acme", "name": "Acme",
            "lever": { "api_base": "http://127.0.0.1:9" }
        }))
        .unwrap();
        store.put_tenant(&cfg).await.unwrap();
        assert_eq!(cache.get(&id).await.unwrap().unwrap().name, "Acme");
        cfg.name = "Acme Corp".into();
        store.put_tenant(&cfg).await.unwrap();
        assert_eq!(
            cache.get(&id).await.unwrap().unwrap().name,
            "Acme",
            "cached"
        );
        clock.advance(Duration::seconds(61));
        assert_eq!(cache.get(&id).await.unwrap().unwrap().name, "Acme Corp");
    }
}
