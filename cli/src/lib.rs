//! The `screenhub` command's building blocks: the local HTTP server (same routes as the
//! deployed API), the in-process dispatcher worker, the sandbox demo, the Lever
//! connection commands, and order reports.

pub mod demo;
pub mod lever;
pub mod report;
pub mod server;
pub mod worker;
