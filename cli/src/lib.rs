//! The `screenhub` command's building blocks: the local HTTP server (same routes as the
//! deployed API), the in-process dispatcher worker, and the sandbox demo.

pub mod demo;
pub mod server;
pub mod worker;
