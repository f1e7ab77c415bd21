//! Each applicant-tracking system's vocabulary, beside the core: Lever's data model and
//! subject ([`lever`]), its routes' triggers, tags and notes ([`lever_route`]), converging
//! managed tags ([`tags`]) and confirming what its webhooks claim ([`confirmation`]).

pub mod confirmation;
pub mod lever;
pub mod lever_route;
pub mod tags;
