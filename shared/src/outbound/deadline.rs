//! The time budget of one invocation, shared by every retry loop inside it.
//!
//! A Lambda invocation has a hard deadline; retries nested in it (the dispatcher's around an
//! effect, the HTTP client's around a request) must together stay within it. The budget is
//! set once around the invocation ([`within`]) and read wherever a retry would wait
//! ([`allows`]): a wait that would leave less than the margin (the time one more try may
//! take) is not started, and the work is left for the next run. Outside a budget (tests,
//! the local run) everything is allowed.

use std::future::Future;
use std::time::Duration;
use tokio::time::Instant;

#[derive(Clone, Copy, Debug)]
struct Budget {
    deadline: Instant,
    margin: Duration,
}

tokio::task_local! {
    static BUDGET: Budget;
}

/// Run `work` with `deadline`; `margin` is kept free for a try that starts just before it.
pub async fn within<F: Future>(deadline: Instant, margin: Duration, work: F) -> F::Output {
    BUDGET.scope(Budget { deadline, margin }, work).await
}

/// Whether waiting `wait` and then trying once more still fits before the deadline.
pub fn allows(wait: Duration) -> bool {
    BUDGET
        .try_with(|b| Instant::now() + wait + b.margin <= b.deadline)
        .unwrap_or(true)
}

/// Time left before the deadline (`None` outside a budget).
pub fn remaining() -> Option<Duration> {
    BUDGET
        .try_with(|b| b.deadline.saturating_duration_since(Instant::now()))
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn waits_are_allowed_only_while_a_try_still_fits() {
        assert!(allows(Duration::from_secs(3600)), "no budget: no limit");
        let deadline = Instant::now() + Duration::from_secs(10);
        within(deadline, Duration::from_secs(2), async {
            assert!(allows(Duration::from_secs(8)));
            assert!(!allows(Duration::from_secs(9)));
            tokio::time::advance(Duration::from_secs(7)).await;
            assert!(allows(Duration::from_secs(1)));
            assert!(!allows(Duration::from_millis(1001)));
            assert_eq!(remaining(), Some(Duration::from_secs(3)));
        })
        .await;
        assert_eq!(remaining(), None);
    }
}
