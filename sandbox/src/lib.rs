//! Screenhub sandbox: stateful, in-process fakes of the services the hub talks to.
//!
//! * [`FakeLever`] — the Lever Data API v1 (Basic auth, `{data}` envelopes, cursor paging,
//!   tags, notes, stage moves, postings, stages, webhook subscriptions) and its signed
//!   webhooks, plus Lever's OAuth partner-app flow (`/authorize`, `/oauth/token` with
//!   rotating refresh tokens, "Revoke access").
//! * [`FakeAlliance`] — the Alliance 2020 provider contract (`docs/providers/alliance2020.md`):
//!   idempotent orders, 422 rejections, Standard-Webhooks-signed callbacks.
//! * [`FakeBackgroundsOnline`] — the Backgrounds Online contract
//!   (`docs/providers/backgrounds-online.md`): idempotent orders, 422 rejections, cancel
//!   (incl. 409 `not_cancellable`), Standard-Webhooks-signed status callbacks.
//! * [`FakeAccurate`] — Accurate Background's v3 API as the hub uses it (HTTP Basic,
//!   requesters, packages, candidates, idempotent orders, cancel) and the postback contract
//!   of `docs/providers/accurate.md`, Standard-Webhooks signed.
//! * [`FakePaylocity`] — Paylocity's screening-partner side: OAuth client credentials with
//!   expiring tokens, the status PATCH that enforces `oldStatus` and the status enums,
//!   packages, onboarding, the order subscription, and new orders sent with `x-api-key`.
//! * [`FakeCornerstone`] — a Cornerstone portal calling a background-check connector with
//!   HTTP Basic credentials, receiving and recording its status callbacks.
//!
//! Every server binds loopback (`127.0.0.1:0` by default) and runs on a spawned tokio task,
//! so it lives as long as the runtime that started it. All log every request
//! ([`RequestRecord`]) and misbehave on demand ([`Fault`]).
//!
//! ```no_run
//! # async fn demo() {
//! use screenhub_sandbox::{Fault, Sandbox, lever::NewOpportunity};
//! let sb = Sandbox::start().await;
//! sb.lever.add_api_key("lever-key");
//! sb.lever.add_stage("bg-check", "Background Check");
//! let opp = sb.lever.add_opportunity(NewOpportunity::new("Ada").email("ada@example.com"));
//! let token = sb.lever.subscribe("http://127.0.0.1:9000/webhooks/lever", "candidateStageChange");
//! sb.lever.inject(Fault::status(429, 1));
//! let deliveries = sb.lever.move_stage(&opp, "bg-check").await;
//! sb.alliance.add_account("alliance-key", ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"]);
//! sb.backgrounds_online.add_account(
//!     "bo-key",
//!     ["whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"],
//!     ["Standard Package"],
//! );
//! # let _ = (token, deliveries);
//! # }
//! ```

pub mod accurate;
pub mod alliance;
pub mod backgrounds_online;
pub mod cornerstone;
mod fault;
pub mod lever;
pub mod paylocity;
mod provider;
mod server;
pub mod signing;

pub use accurate::FakeAccurate;
pub use alliance::{FakeAlliance, Order, SignedCallback};
pub use axum::http::Method;
pub use backgrounds_online::FakeBackgroundsOnline;
pub use cornerstone::FakeCornerstone;
pub use fault::{Fault, FaultKind, RequestRecord};
pub use lever::{AuthorizingUser, DeliveryResult, FakeLever, Note, OAuthGrant};
pub use paylocity::FakePaylocity;
pub use server::SandboxClock;

use tokio::net::ToSocketAddrs;

/// All fakes, started together.
#[derive(Clone)]
pub struct Sandbox {
    pub lever: FakeLever,
    pub alliance: FakeAlliance,
    pub backgrounds_online: FakeBackgroundsOnline,
    pub accurate: FakeAccurate,
}

impl Sandbox {
    /// Start every fake on `127.0.0.1:0`.
    ///
    /// # Panics
    /// If no loopback port can be bound.
    pub async fn start() -> Sandbox {
        Sandbox {
            lever: FakeLever::start().await,
            alliance: FakeAlliance::start().await,
            backgrounds_online: FakeBackgroundsOnline::start().await,
            accurate: FakeAccurate::start().await,
        }
    }

    /// Start every fake on fixed addresses (local run).
    pub async fn start_on(
        lever: impl ToSocketAddrs,
        alliance: impl ToSocketAddrs,
        backgrounds_online: impl ToSocketAddrs,
        accurate: impl ToSocketAddrs,
    ) -> std::io::Result<Sandbox> {
        Ok(Sandbox {
            lever: FakeLever::start_on(lever).await?,
            alliance: FakeAlliance::start_on(alliance).await?,
            backgrounds_online: FakeBackgroundsOnline::start_on(backgrounds_online).await?,
            accurate: FakeAccurate::start_on(accurate).await?,
        })
    }
}
