//! Each applicant-tracking system's vocabulary, beside the core: Lever's data model and
//! subject ([`lever`]), its routes' triggers, tags and notes ([`lever_route`]), converging
//! managed tags ([`tags`]) and confirming what its webhooks claim ([`confirmation`]);
//! Paylocity's statuses and status PATCH ([`paylocity`]) and its new-order body
//! ([`paylocity_order`]) and a tenant's Paylocity settings ([`paylocity_account`]);
//! Cornerstone's connector request ([`cornerstone_request`]), callback and panel
//! ([`cornerstone`]) and a portal's settings ([`cornerstone_account`]).

pub mod confirmation;
pub mod cornerstone;
pub mod cornerstone_account;
pub mod cornerstone_request;
pub mod lever;
pub mod lever_oauth;
pub mod lever_passes;
pub mod lever_route;
pub mod paylocity;
pub mod paylocity_account;
pub mod paylocity_order;
pub mod tags;
