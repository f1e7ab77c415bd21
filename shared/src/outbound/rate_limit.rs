//! Per-tenant token buckets (steady rate + burst) in front of a shared API such as Lever,
//! whose limit applies per API key.

use crate::domain::TenantId;
use governor::{DefaultDirectRateLimiter, Quota, RateLimiter};
use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};

/// A bucket with the (rate, burst) it was built for, rebuilt when the tenant's settings change.
type Bucket = (u32, u32, Arc<DefaultDirectRateLimiter>);

#[derive(Default)]
pub struct TenantRateLimits {
    buckets: Mutex<HashMap<TenantId, Bucket>>,
}

impl TenantRateLimits {
    fn bucket(
        &self,
        tenant: &TenantId,
        per_second: u32,
        burst: u32,
    ) -> Arc<DefaultDirectRateLimiter> {
        let mut buckets = self.buckets.lock().unwrap_or_else(|p| p.into_inner());
        match buckets.get(tenant) {
            Some((r, b, l)) if *r == per_second && *b == burst => l.clone(),
            _ => {
                let rate = NonZeroU32::new(per_second.max(1)).expect("non-zero");
                let burst_nz = NonZeroU32::new(burst.max(1)).expect("non-zero");
                let limiter = Arc::new(RateLimiter::direct(
                    Quota::per_second(rate).allow_burst(burst_nz),
                ));
                buckets.insert(tenant.clone(), (per_second, burst, limiter.clone()));
                limiter
            }
        }
    }

    /// Wait until the tenant may make one more request.
    pub async fn acquire(&self, tenant: &TenantId, per_second: u32, burst: u32) {
        self.bucket(tenant, per_second, burst).until_ready().await;
    }
}
