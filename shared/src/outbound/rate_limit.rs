//! Per-tenant token buckets (steady rate + burst) in front of a shared API such as Lever,
//! whose limit applies per API key.

use crate::domain::TenantId;
use crate::ports::RateGate;
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

/// Wait for one slot of the deployment-wide budget of `key` (`per_second` requests per
/// calendar second across all containers). A gate that cannot be reached lets the request
/// through: Lever's own 429s and the backoff still protect the account.
pub async fn acquire_shared(gate: &dyn RateGate, key: &str, per_second: u32) {
    for _ in 0..60 {
        let now_ms = unix_millis();
        let window = now_ms / 1000;
        match gate.try_take(key, window, per_second.max(1)).await {
            Ok(true) if unix_millis() / 1000 == window => return,
            // The slot was granted for a second that ended while the store answered: sending
            // now would crowd the next second, so the slot is forfeited and one taken anew.
            Ok(true) => continue,
            Ok(false) => {
                let wait = (window + 1) * 1000 - now_ms + fastrand::i64(0..40);
                tokio::time::sleep(std::time::Duration::from_millis(wait.max(1) as u64)).await;
            }
            Err(e) => {
                tracing::warn!(error = %e, "shared rate gate unavailable; request not held back");
                return;
            }
        }
    }
}

fn unix_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or_default()
}
