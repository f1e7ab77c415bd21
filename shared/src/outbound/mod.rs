//! Shared pieces of outbound calls: retry timing, the invocation's time budget and
//! per-tenant rate limits.

pub mod deadline;
#[cfg(feature = "http-client")]
pub mod http;
#[cfg(feature = "http-client")]
pub mod rate_limit;
pub mod retry;

pub use retry::RetryPolicy;
