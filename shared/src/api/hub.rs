//! What the inbound handlers need, built once per process.

use super::problem::ApiError;
use super::requesters::Requesters;
use crate::adapters::secrets_cache::CachedSecrets;
use crate::adapters::tenant_cache::{TENANT_TTL, TenantCache};
use crate::config::TenantConfig;
use crate::domain::TenantId;
use crate::ports::{Clock, Store};
use std::sync::Arc;
use time::Duration;

#[derive(Clone, Debug)]
pub struct HubSettings {
    /// Largest accepted request body.
    pub max_body_bytes: usize,
    /// Lever deliveries older than this are refused (Lever retries keep the original `triggeredAt`).
    pub lever_max_age: Duration,
    /// Tolerated clock skew for deliveries stamped in the future.
    pub max_future_skew: Duration,
    /// Provider callbacks (Standard Webhooks) tolerance either way.
    pub callback_tolerance: Duration,
    /// How long delivery de-duplication records are kept.
    pub delivery_ttl: Duration,
    /// How long an inbound request waits for a provider to say whether its ordering user is
    /// a requester (one attempt; no answer in time orders nothing).
    pub requester_timeout: std::time::Duration,
    /// How long a known requester is remembered in-process.
    pub requester_ttl: Duration,
}

impl Default for HubSettings {
    fn default() -> Self {
        Self {
            max_body_bytes: 256 * 1024,
            lever_max_age: Duration::hours(24),
            max_future_skew: Duration::minutes(5),
            callback_tolerance: Duration::minutes(5),
            delivery_ttl: Duration::days(7),
            requester_timeout: std::time::Duration::from_secs(4),
            requester_ttl: Duration::minutes(15),
        }
    }
}

#[derive(Clone)]
pub struct Hub {
    pub store: Arc<dyn Store>,
    pub secrets: Arc<CachedSecrets>,
    pub tenants: Arc<TenantCache>,
    pub clock: Arc<dyn Clock>,
    /// Whether an order's ordering user is a requester of its provider.
    pub requesters: Arc<Requesters>,
    pub settings: HubSettings,
    /// The Lever connect routes' service (absent where the function does not serve them).
    #[cfg(feature = "http-client")]
    pub lever_connect: Option<Arc<crate::lever_connect::LeverConnect>>,
}

impl Hub {
    /// A hub whose tenant configuration is cached for [`TENANT_TTL`], without provider
    /// adapters: it verifies no requester (the composition root builds the full hub).
    pub fn new(
        store: Arc<dyn Store>,
        secrets: Arc<CachedSecrets>,
        clock: Arc<dyn Clock>,
        settings: HubSettings,
    ) -> Self {
        let tenants = Arc::new(TenantCache::new(store.clone(), clock.clone(), TENANT_TTL));
        let requesters = Arc::new(Requesters::new(
            None,
            settings.requester_timeout,
            settings.requester_ttl,
        ));
        Self {
            requesters,
            store,
            secrets,
            tenants,
            clock,
            settings,
            #[cfg(feature = "http-client")]
            lever_connect: None,
        }
    }

    /// The first checks of every inbound route, before anything in the body is read: its
    /// size, then the tenant the path names (a malformed and an unknown id answer alike).
    pub async fn admit(&self, tenant_raw: &str, body: &[u8]) -> Result<TenantConfig, ApiError> {
        if body.len() > self.settings.max_body_bytes {
            return Err(ApiError::BodyTooLarge {
                limit: self.settings.max_body_bytes,
            });
        }
        let id = TenantId::parse(tenant_raw).map_err(|_| ApiError::TenantUnknown)?;
        self.tenants
            .get(&id)
            .await
            .map_err(|e| ApiError::unavailable("tenant", e))?
            .ok_or(ApiError::TenantUnknown)
    }
}
