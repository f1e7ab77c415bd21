//! What each applicant-tracking system's side of an order looks like.

pub mod confirmation;
pub mod lever;
pub mod lever_tags;
pub mod tags;
