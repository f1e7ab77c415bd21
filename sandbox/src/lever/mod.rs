//! `FakeLever`: a stateful in-process fake of the Lever Data API v1 and its webhooks.
//!
//! Shapes follow Lever's documented payloads: `{data: …}` envelopes, list envelopes
//! `{data, next?, hasNext}`, error bodies `{code, message}`, HTTP Basic auth with the API key
//! as username, webhook envelopes signed with `hex(HMAC_SHA256(signatureToken, token +
//! triggeredAt))` as body fields.
//!
//! Routes (under `/v1`): `GET /opportunities` (filters `tag`, `stage_id`, `posting_id`,
//! `contact_id`, `email`, `origin`, `archived`, `created_at_*`, `updated_at_*`, `limit`,
//! `offset`, `expand`), `GET /opportunities/deleted` (filters `deleted_at_*`, `limit`,
//! `offset`), `POST /opportunities?perform_as=` (create an opportunity / a lead,
//! JSON body, dedupe by contact or email), `GET /opportunities/:id`
//! (`expand=applications|stage`), `POST /opportunities/:id/addTags|removeTags`,
//! `POST|GET /opportunities/:id/notes`, `PUT /opportunities/:id/stage`,
//! `GET /opportunities/:id/resumes[/:resume]` (filter `uploaded_at_*`), `GET /postings[/:id]`,
//! `GET /stages[/:id]`, `GET /tags`, `GET /users[/:id]` (filters `email`, `accessRole`,
//! `includeDeactivated`), `POST|GET /webhooks`, `DELETE /webhooks/:id`.
//!
//! Auth: API keys (Basic username or Bearer) and OAuth access tokens (Bearer) from the
//! partner-app flow served at the root, as on `auth.lever.co`: `GET /authorize` and
//! `POST /oauth/token` (module `oauth`). With OAuth the webhook routes require
//! `webhooks:write:admin` (`webhooks:read:admin` or write to list).

mod create;
mod error;
mod model;
mod oauth;
mod oauth_routes;
mod paging;
mod query;
mod ratelimit;
mod render;
mod resumes;
mod routes;
mod state;
mod users;
mod webhooks;

use std::borrow::Borrow;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::net::ToSocketAddrs;
use tokio::sync::watch;

pub use error::ApiError;
pub use model::{
    Archived, Categories, Consent, DataProtection, DeliveryResult, NewOpportunity, NewPosting,
    NewResume, Note, ParsedPosition, ParsedSchool, Phone, PostingContent, PostingList, YearMonth,
};
pub use oauth::{AuthorizingUser, OAuthGrant};

use crate::fault::Traffic;
use crate::server::{bind, http_client, lock, serve};
use query::Expand;
use ratelimit::RateLimiter;
use state::LeverState;

pub(crate) struct Inner {
    pub(crate) state: Mutex<LeverState>,
    pub(crate) traffic: Arc<Traffic>,
    pub(crate) http: reqwest::Client,
    /// Number of recorded webhook deliveries, for `wait_for_deliveries`.
    pub(crate) delivered: watch::Sender<usize>,
}

/// Handle to a running fake Lever. Cheap to clone; all clones share one account.
#[derive(Clone)]
pub struct FakeLever {
    inner: Arc<Inner>,
    addr: SocketAddr,
}

impl FakeLever {
    /// Start on `127.0.0.1:0`.
    ///
    /// # Panics
    /// If no loopback port can be bound.
    pub async fn start() -> FakeLever {
        Self::start_on("127.0.0.1:0")
            .await
            .expect("bind the fake Lever on 127.0.0.1:0")
    }

    /// Start on the given address (e.g. a fixed port for the local run).
    pub async fn start_on(addr: impl ToSocketAddrs) -> std::io::Result<FakeLever> {
        let (listener, addr) = bind(addr).await?;
        let mut state = LeverState::default();
        state.oauth.audience = format!("http://{addr}/v1/");
        state.oauth.issuer = format!("http://{addr}/");
        let inner = Arc::new(Inner {
            state: Mutex::new(state),
            traffic: Traffic::new(routes::key_of, error::error_body, None),
            http: http_client(),
            delivered: watch::Sender::new(0),
        });
        serve(listener, routes::router(inner.clone()));
        Ok(FakeLever { inner, addr })
    }

    /// The Data API root, `http://127.0.0.1:PORT/v1`.
    pub fn base_url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    fn state(&self) -> std::sync::MutexGuard<'_, LeverState> {
        lock(&self.inner.state)
    }

    // ---------- auth, traffic, faults ----------

    /// Accept this API key (Basic username, or Bearer token).
    pub fn add_api_key(&self, key: impl Into<String>) {
        self.state().keys.insert(key.into());
    }

    // ---------- OAuth partner app (facts/lever.md §2.2, §3) ----------

    /// Register a partner app as Lever staff do from the registration form. `redirect_uri`
    /// must then match exactly; registering the same client again adds another callback
    /// URI and replaces the secret.
    pub fn register_oauth_client(
        &self,
        client_id: impl Into<String>,
        client_secret: impl Into<String>,
        redirect_uri: impl Into<String>,
    ) {
        self.state().oauth.register_client(
            client_id.into(),
            client_secret.into(),
            redirect_uri.into(),
        );
    }

    /// Who is at the consent screen of the next `GET /authorize` calls (consent is
    /// automatic). Default [`AuthorizingUser::SuperAdmin`].
    pub fn authorizing_user(&self, user: AuthorizingUser) {
        self.state().oauth.authorizing_user = user;
    }

    /// What a Super Admin does under Settings → Integrations and API → Authorized Apps →
    /// Revoke access: every grant of `client_id` is revoked, its access tokens answer 401 at
    /// once and its refresh tokens `invalid_grant`. Returns how many live grants there were.
    /// Webhooks the app created keep firing (what Lever does with them is UNCONFIRMED).
    /// Authorizing again afterwards makes a fresh grant.
    pub fn revoke_authorized_app(&self, client_id: impl AsRef<str>) -> usize {
        self.state().oauth.revoke_client(client_id.as_ref())
    }

    /// Every grant ever made, in consent order (revoked ones included).
    pub fn grants(&self) -> Vec<OAuthGrant> {
        self.state().oauth.grants.clone()
    }

    /// How many `POST /oauth/token` requests with this `grant_type` reached the endpoint
    /// (refused ones included; requests answered by an injected fault are not).
    pub fn token_requests(&self, grant_type: impl AsRef<str>) -> usize {
        self.state()
            .oauth
            .token_requests
            .get(grant_type.as_ref())
            .copied()
            .unwrap_or(0)
    }

    /// Lever's `https://auth.lever.co/authorize`: `http://127.0.0.1:PORT/authorize`.
    pub fn oauth_authorize_url(&self) -> String {
        format!("http://{}/authorize", self.addr)
    }

    /// Lever's `https://auth.lever.co/oauth/token`: `http://127.0.0.1:PORT/oauth/token`.
    pub fn oauth_token_url(&self) -> String {
        format!("http://{}/oauth/token", self.addr)
    }

    /// The `audience` `/authorize` requires, Lever's `https://api.lever.co/v1/`:
    /// `http://127.0.0.1:PORT/v1/` (with the trailing slash).
    pub fn oauth_audience(&self) -> String {
        format!("{}/", self.base_url())
    }

    crate::fault::traffic_controls!();

    /// Per-API-key token bucket: `Some((per_sec, burst))` answers 429 `TooManyRequests` once a
    /// key's bucket is empty; `None` (default) disables it. Buckets start full.
    pub fn set_rate_limit(&self, limit: Option<(u32, u32)>) {
        self.state().rate = limit.map(|(per_sec, burst)| RateLimiter::new(per_sec, burst));
    }

    // ---------- seeding ----------

    /// Add (or rename) a stage. Ids are opaque (`lead-new`, uuids, …); order is kept.
    pub fn add_stage(&self, id: impl Into<String>, text: impl Into<String>) {
        self.state().add_stage(id.into(), text.into());
    }

    /// Add a posting; returns its id.
    pub fn add_posting(&self, posting: NewPosting) -> String {
        self.state().add_posting(posting)
    }

    /// Add an opportunity; returns its id. An unknown `stage` is created with its id as text.
    pub fn add_opportunity(&self, opportunity: NewOpportunity) -> String {
        self.state().add_opportunity(opportunity)
    }

    /// Add a resume to an existing opportunity (bumps its `updatedAt`); returns the resume id.
    ///
    /// # Panics
    /// On an unknown opportunity.
    pub fn add_resume(&self, opportunity: impl AsRef<str>, resume: NewResume) -> String {
        self.state()
            .add_resume(opportunity.as_ref(), resume)
            .unwrap_or_else(|e| panic!("add_resume: {}", e.message))
    }

    /// Change a posting's `state` (`published|internal|closed|draft|pending|rejected`),
    /// bumping its `updatedAt`.
    ///
    /// # Panics
    /// On an unknown posting.
    pub fn set_posting_state(&self, posting: impl AsRef<str>, state: impl Into<String>) {
        self.state()
            .set_posting_state(posting.as_ref(), state.into())
            .unwrap_or_else(|e| panic!("set_posting_state: {}", e.message));
    }

    /// Add an active user (a valid `perform_as`); returns its id. `access_role` is e.g.
    /// `super admin`, `admin`, `team member`, `limited team member`, `interviewer`.
    pub fn add_user(
        &self,
        name: impl Into<String>,
        email: impl Into<String>,
        access_role: impl Into<String>,
    ) -> String {
        self.state()
            .add_user(name.into(), email.into(), access_role.into())
    }

    /// Deactivate a user: `GET /users` hides it unless `includeDeactivated=true`, and it is no
    /// longer accepted as `perform_as`.
    ///
    /// # Panics
    /// On an unknown user.
    pub fn deactivate_user(&self, user: impl AsRef<str>) {
        self.state()
            .deactivate_user(user.as_ref())
            .unwrap_or_else(|e| panic!("deactivate_user: {}", e.message));
    }

    // ---------- reading state directly ----------

    /// The opportunity as `GET /opportunities/:id` renders it (without expansion).
    pub fn opportunity(&self, id: impl AsRef<str>) -> Option<Value> {
        self.state()
            .render_opportunity(id.as_ref(), Expand::default())
            .ok()
    }

    /// The opportunities created with `POST /opportunities`, in creation order, as
    /// `GET /opportunities/:id?expand=applications` renders them (deleted ones are left out).
    pub fn created_opportunities(&self) -> Vec<Value> {
        let state = self.state();
        state
            .created_via_api
            .iter()
            .filter_map(|id| {
                let expand = Expand {
                    applications: true,
                    ..Expand::default()
                };
                state.render_opportunity(id, expand).ok()
            })
            .collect()
    }

    /// The user as `GET /users/:id` renders it.
    pub fn user(&self, id: impl AsRef<str>) -> Option<Value> {
        self.state().render_user(id.as_ref()).ok()
    }

    /// Current tags (empty for an unknown opportunity).
    pub fn tags(&self, id: impl AsRef<str>) -> Vec<String> {
        self.state().tags(id.as_ref())
    }

    /// Notes in creation order (empty for an unknown opportunity).
    pub fn notes(&self, id: impl AsRef<str>) -> Vec<Note> {
        self.state().notes(id.as_ref()).unwrap_or_default()
    }

    /// Current stage id.
    pub fn stage_of(&self, id: impl AsRef<str>) -> Option<String> {
        self.state().stage_of(id.as_ref())
    }

    // ---------- webhooks ----------

    /// Subscribe `url` to `event` (as `POST /webhooks`); returns the webhook's signature token.
    ///
    /// # Panics
    /// On an unknown event name or a non-http(s) URL.
    pub fn subscribe(&self, url: impl Into<String>, event: impl Into<String>) -> String {
        self.state()
            .create_webhook(url.into(), event.into(), Value::Null)
            .map(|w| w.signature_token)
            .unwrap_or_else(|e| panic!("subscribe: {}", e.message))
    }

    /// Move an opportunity as a user would in the UI and deliver `candidateStageChange` to
    /// every subscriber, waiting for the deliveries. Empty when the stage did not change.
    ///
    /// # Panics
    /// On an unknown opportunity or stage.
    pub async fn move_stage(
        &self,
        opportunity: impl AsRef<str>,
        stage: impl AsRef<str>,
    ) -> Vec<DeliveryResult> {
        let moved = self
            .state()
            .set_stage(opportunity.as_ref(), stage.as_ref(), None)
            .unwrap_or_else(|e| panic!("move_stage: {}", e.message));
        match moved {
            Some(mv) => {
                webhooks::fire(
                    &self.inner,
                    "candidateStageChange",
                    mv.data,
                    mv.origin.as_deref(),
                )
                .await
            }
            None => Vec::new(),
        }
    }

    /// Delete an opportunity as a user would in the UI (the API then answers 404 for it) and
    /// deliver `candidateDeleted` to every subscriber, waiting for the deliveries.
    ///
    /// # Panics
    /// On an unknown opportunity.
    pub async fn delete_opportunity(&self, opportunity: impl AsRef<str>) -> Vec<DeliveryResult> {
        let (data, origin) = self
            .state()
            .delete_opportunity(opportunity.as_ref(), None)
            .unwrap_or_else(|e| panic!("delete_opportunity: {}", e.message));
        webhooks::fire(&self.inner, "candidateDeleted", data, origin.as_deref()).await
    }

    /// Delete an opportunity as [`delete_opportunity`](Self::delete_opportunity) does, but
    /// with no `candidateDeleted` delivery (one Lever never made, or the hub never got):
    /// only `GET /opportunities/deleted` tells of it.
    ///
    /// # Panics
    /// On an unknown opportunity.
    pub fn delete_opportunity_silently(&self, opportunity: impl AsRef<str>) {
        self.state()
            .delete_opportunity(opportunity.as_ref(), None)
            .unwrap_or_else(|e| panic!("delete_opportunity_silently: {}", e.message));
    }

    /// Anonymize an opportunity as Lever's data-retention tools do (`isAnonymized` true; name,
    /// contact details and résumés gone; `updatedAt` moves). No webhook.
    ///
    /// # Panics
    /// On an unknown opportunity.
    pub fn anonymize(&self, opportunity: impl AsRef<str>) {
        self.state()
            .anonymize(opportunity.as_ref())
            .unwrap_or_else(|e| panic!("anonymize: {}", e.message));
    }

    /// Record the candidate's consent to their data being stored (`dataProtection.store`);
    /// `updatedAt` moves. No webhook.
    ///
    /// # Panics
    /// On an unknown opportunity.
    pub fn set_store_consent(
        &self,
        opportunity: impl AsRef<str>,
        allowed: bool,
        expires_at: Option<i64>,
    ) {
        self.state()
            .set_store_consent(
                opportunity.as_ref(),
                Consent {
                    allowed,
                    expires_at,
                },
            )
            .unwrap_or_else(|e| panic!("set_store_consent: {}", e.message));
    }

    /// A complete signed envelope `{event, triggeredAt, data, token, signature}` (plus `id`
    /// when [`set_include_event_id`](Self::set_include_event_id) is on) with a fresh random
    /// 48-char `token`, for replay, duplicate and forgery tests.
    pub fn signed_delivery(
        &self,
        event: impl AsRef<str>,
        data: Value,
        signature_token: impl AsRef<str>,
        triggered_at_ms: i64,
    ) -> Value {
        let include_id = self.state().include_event_id;
        webhooks::envelope(
            event.as_ref(),
            data,
            signature_token.as_ref(),
            triggered_at_ms,
            include_id,
        )
    }

    /// POST `body` to `url` exactly as Lever delivers (`User-Agent: Lever-Webhooks`), once,
    /// without recording it. Returns the status, or 0 when there was no response.
    pub async fn deliver(&self, url: impl AsRef<str>, body: impl Borrow<Value>) -> u16 {
        webhooks::post(&self.inner.http, url.as_ref(), body.borrow()).await
    }

    /// Every recorded delivery (from `move_stage` and `PUT …/stage`), in completion order.
    pub fn deliveries(&self) -> Vec<DeliveryResult> {
        self.state().deliveries.clone()
    }

    /// Wait until at least `n` deliveries are recorded or `timeout` passes; returns them all.
    pub async fn wait_for_deliveries(&self, n: usize, timeout: Duration) -> Vec<DeliveryResult> {
        let mut rx = self.inner.delivered.subscribe();
        let _ = tokio::time::timeout(timeout, rx.wait_for(|count| *count >= n)).await;
        self.deliveries()
    }

    /// Retry failed deliveries (non-2xx incl. 3xx, or no response) up to 5 more times with
    /// growing gaps (20–320 ms), reusing the same body. Default off.
    pub fn set_webhook_retries(&self, on: bool) {
        self.state().retries = on;
    }

    /// Stamp `updatedAt`, stage changes and `triggeredAt` with `clock` instead of the system
    /// clock (a test's clock). OAuth expiries read the same clock.
    pub fn set_clock(&self, clock: crate::SandboxClock) {
        self.state().clock = clock;
    }

    /// Move the fake's clock forward by `by` (on top of the system clock or of the clock given
    /// to [`set_clock`](Self::set_clock)): codes, access and refresh tokens expire by it.
    pub fn advance_clock(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        let mut state = self.state();
        state.clock_offset_ms = state.clock_offset_ms.saturating_add(ms);
    }

    /// The fake's current time, ms since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        self.state().now_ms()
    }

    /// Switch the webhook group of `event` on or off, as a Super Admin does in Settings →
    /// Webhooks. Subscriptions of a group that is off deliver nothing. Real Lever starts the
    /// groups of API-created webhooks **off** (facts/lever.md §1.6); the fake starts them on
    /// (see [`set_webhook_groups_start_off`](Self::set_webhook_groups_start_off)) so that a
    /// subscription delivers at once.
    ///
    /// # Panics
    /// On an unknown event name.
    pub fn set_webhook_group_enabled(&self, event: impl Into<String>, on: bool) {
        let event = event.into();
        assert!(
            state::EVENTS.contains(&event.as_str()),
            "set_webhook_group_enabled: unknown event {event}"
        );
        self.state().webhook_groups.insert(event, on);
    }

    /// `true`: every webhook group not switched with
    /// [`set_webhook_group_enabled`](Self::set_webhook_group_enabled) is off, as in a real
    /// Lever account where no Super Admin has toggled anything yet. Default `false` (on).
    pub fn set_webhook_groups_start_off(&self, off: bool) {
        self.state().webhook_groups_default_off = off;
    }

    /// Whether the webhook group of `event` is on.
    pub fn webhook_group_enabled(&self, event: impl AsRef<str>) -> bool {
        self.state().webhook_group_enabled(event.as_ref())
    }

    /// Include the top-level event `id` in envelopes (documented in Lever's field table but
    /// absent from every example). Default off.
    pub fn set_include_event_id(&self, on: bool) {
        self.state().include_event_id = on;
    }
}
