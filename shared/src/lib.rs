//! Screenhub: connects applicant-tracking systems to background-screening providers.
//!
//! Hexagonal layout: `domain` holds pure decisions, `ports` the small traits the domain
//! needs from the outside world, `adapters` their implementations (AWS, HTTP, embedded),
//! `api` the HTTP entry points shared by the Lambda functions and the local server,
//! `dispatcher` performs the outbox's effects.

pub mod adapters;
pub mod api;
pub mod dispatcher;
pub mod domain;
pub mod erasure;
#[cfg(feature = "lambda")]
pub mod lambda;
pub mod matching;
pub mod metrics;
pub mod onboarding;
pub mod outbound;
pub mod poll;
pub mod ports;
#[cfg(all(feature = "aws", feature = "http-client"))]
pub mod runtime;
#[cfg(feature = "aws")]
pub mod stream;
pub mod sweep;
pub mod telemetry;
pub mod vendors;
pub mod webhooks;
