//! Adapters: implementations of the ports.

pub mod embedded_store;
pub mod lever_ats;
pub mod local_events;
pub mod local_secrets;
pub mod secrets_cache;
pub mod tenant_cache;

#[cfg(feature = "aws")]
pub mod aws_sdk;
#[cfg(feature = "aws")]
pub mod dynamo;
#[cfg(feature = "aws")]
pub mod eventbridge;
#[cfg(feature = "aws")]
pub mod secrets_manager;

#[cfg(feature = "http-client")]
pub mod accurate;
#[cfg(feature = "http-client")]
pub mod alliance2020;
#[cfg(feature = "http-client")]
pub mod backgrounds_online;
#[cfg(feature = "http-client")]
pub mod cornerstone_ats;
#[cfg(feature = "http-client")]
pub mod lever_http;
#[cfg(feature = "http-client")]
pub mod lever_oauth;
#[cfg(feature = "http-client")]
pub mod paylocity_ats;
#[cfg(feature = "http-client")]
pub mod paylocity_http;
#[cfg(feature = "http-client")]
mod provider_http;
