//! Screenhub: connects applicant-tracking systems to background-screening providers.
//!
//! Layout, inside out:
//! - `domain`: pure decisions. Its core names no vendor's rules; `domain::ats` and
//!   `domain::providers` hold each vendor's vocabulary beside it.
//! - `config`: a tenant's ATS accounts, provider accounts and routes (which pairing).
//! - `ports`: the traits the spine needs (`AtsAdapter`, `ProviderAdapter`, store, secrets …);
//!   `adapters`: their implementations (Lever, Alliance 2020, Backgrounds Online, Accurate, AWS, embedded).
//! - the spine, vendor-free: `intake` opens orders, `api::provider_callback` applies
//!   provider reports, `dispatcher` performs effects through the `registry`, `sweep` expires
//!   and scrubs. Lever's own transports are `api::lever_webhook` and `poll`.
//! - `runtime`: the one composition root; `lambda`: the handlers the functions run.

pub mod adapters;
pub mod api;
pub mod config;
pub mod dispatcher;
pub mod domain;
pub mod erasure;
pub mod intake;
#[cfg(feature = "lambda")]
pub mod lambda;
#[cfg(feature = "http-client")]
pub mod lever_connect;
#[cfg(feature = "http-client")]
pub mod lever_refresh;
pub mod matching;
pub mod metrics;
pub mod onboarding;
pub mod operator;
pub mod outbound;
pub mod passes;
pub mod poll;
pub mod ports;
pub mod registry;
#[cfg(all(feature = "aws", feature = "http-client"))]
pub mod runtime;
pub mod status_poll;
#[cfg(feature = "aws")]
pub mod stream;
pub mod sweep;
pub mod telemetry;
pub mod webhooks;
