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
}

impl TenantCache {
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, ttl: Duration) -> Self {
        Self {
            store,
            clock,
            ttl,
            entries: Mutex::new(HashMap::new()),
        }
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
