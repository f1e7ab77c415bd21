//! Token bucket per API key, as Lever documents its rate limit.

use std::collections::HashMap;
use std::time::Instant;

#[derive(Debug, Clone)]
pub(crate) struct RateLimiter {
    per_sec: f64,
    burst: f64,
    buckets: HashMap<String, (f64, Instant)>,
}

impl RateLimiter {
    /// Refill `per_sec` tokens per second up to `burst` tokens; buckets start full.
    pub fn new(per_sec: u32, burst: u32) -> Self {
        RateLimiter {
            per_sec: f64::from(per_sec),
            burst: f64::from(burst.max(1)),
            buckets: HashMap::new(),
        }
    }

    /// Take one token for `key`; `false` means "answer 429".
    pub fn allow(&mut self, key: &str, now: Instant) -> bool {
        let (tokens, last) = self
            .buckets
            .entry(key.to_owned())
            .or_insert((self.burst, now));
        let elapsed = now.saturating_duration_since(*last).as_secs_f64();
        *tokens = (*tokens + elapsed * self.per_sec).min(self.burst);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    #[test]
    fn burst_then_refill_per_key() {
        let mut rl = RateLimiter::new(10, 3);
        let t0 = Instant::now();
        assert!((0..3).all(|_| rl.allow("a", t0)));
        assert!(!rl.allow("a", t0));
        assert!(rl.allow("b", t0), "buckets are per key");
        // 100 ms at 10/s refills exactly one token.
        let t1 = t0 + Duration::from_millis(100);
        assert!(rl.allow("a", t1));
        assert!(!rl.allow("a", t1));
    }
}
