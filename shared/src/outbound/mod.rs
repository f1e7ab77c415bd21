//! Shared pieces of outbound calls: retry timing and per-tenant rate limits.

#[cfg(feature = "http-client")]
pub mod http;
#[cfg(feature = "http-client")]
pub mod rate_limit;
pub mod retry;

pub use retry::RetryPolicy;
