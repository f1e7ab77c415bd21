//! Exponential backoff with jitter. `delay` is a pure function of the attempt number and a
//! random draw, so the schedule is tested without sleeping.

use std::time::Duration;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Total tries, the first included.
    pub max_attempts: u32,
    pub base: Duration,
    pub max_delay: Duration,
}

impl RetryPolicy {
    pub const fn new(max_attempts: u32, base: Duration, max_delay: Duration) -> Self {
        Self {
            max_attempts,
            base,
            max_delay,
        }
    }

    /// Delay before the try after failed try number `failed` (1-based): half of the capped
    /// exponential step is fixed and half is jitter (`draw` in [0, 1)), so retries from many
    /// containers spread out but never collapse to zero.
    pub fn delay(&self, failed: u32, draw: f64) -> Duration {
        let exp = self
            .base
            .saturating_mul(1u32 << failed.saturating_sub(1).min(20))
            .min(self.max_delay);
        let half = exp / 2;
        half + half.mul_f64(draw.clamp(0.0, 1.0))
    }

    /// `delay` with a fresh random draw.
    pub fn jittered_delay(&self, failed: u32) -> Duration {
        self.delay(failed, fastrand::f64())
    }

    /// Whether another try is allowed after `failed` tries.
    pub fn allows_retry(&self, failed: u32) -> bool {
        failed < self.max_attempts
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self::new(5, Duration::from_millis(250), Duration::from_secs(8))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_within_jitter_bounds_and_caps() {
        let p = RetryPolicy::new(6, Duration::from_millis(100), Duration::from_millis(1000));
        assert_eq!(p.delay(1, 0.0), Duration::from_millis(50));
        assert_eq!(p.delay(1, 1.0), Duration::from_millis(100));
        assert_eq!(p.delay(3, 0.0), Duration::from_millis(200));
        assert_eq!(p.delay(3, 1.0), Duration::from_millis(400));
        assert_eq!(p.delay(10, 1.0), Duration::from_millis(1000));
        assert_eq!(p.delay(40, 0.5), Duration::from_millis(750));
    }

    #[test]
    fn counts_attempts_including_the_first() {
        let p = RetryPolicy::new(3, Duration::from_millis(1), Duration::from_millis(1));
        assert!(p.allows_retry(1) && p.allows_retry(2));
        assert!(!p.allows_retry(3));
    }
}
