//! One integration-test binary (one link, one set of emulators).

mod accurate;
mod adapters;
mod alliance;
mod backgrounds_online;
mod candidates;
mod conformance;
mod contracts;
mod cornerstone;
mod costs;
mod deletion;
mod events;
mod faults;
mod inbound;
mod layout;
mod lever_oauth;
mod observability;
mod once;
mod pairings;
mod passes;
mod paylocity;
mod paylocity_client;
mod poll;
mod secrets;
mod sweep;
