//! Each screening provider's rules: preparing its orders, reading its reports.

pub mod alliance;
pub mod backgrounds_online;
