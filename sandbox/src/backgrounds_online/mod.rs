//! `FakeBackgroundsOnline`: the Backgrounds Online contract of
//! `docs/providers/backgrounds-online.md`.
//!
//! * `POST /v1/orders` (Bearer key): 201 new / 200 existing (same `client_reference` for the
//!   same key) → `{order_id, status: "pending_submission"}`; 422 `{code, message}` with
//!   `unknown_package` or `invalid_candidate`; 401 for a missing or unknown key; 400 for
//!   malformed JSON or a missing `client_reference`/`callback_url`.
//! * `POST /v1/orders/{order_id}/cancel` `{"reason": "cancelled" | "expired"}`: 200
//!   `{order_id, status}` from `pending_submission` and again once cancelled/expired; 409
//!   `not_cancellable` once in process or complete; 404 for an unknown order or another
//!   key's order.
//! * Callbacks: `order.status_changed` bodies with Standard Webhooks headers
//!   (`webhook-id`, `webhook-timestamp`, `webhook-signature: v1,<sig>`), signed with the
//!   account's first callback secret.
//! * Admin (not logged, not faulted): `GET /sandbox/orders`,
//!   `POST /sandbox/orders/{id}/submit`, `POST /sandbox/orders/{id}/complete`
//!   `{"result": "clear"|"review"}`, `POST /sandbox/orders/{id}/cancel`,
//!   `POST /sandbox/orders/{id}/resend`, `GET /sandbox/reports/{id}`.

mod callbacks;
mod routes;
mod state;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::net::ToSocketAddrs;

pub use crate::provider::ProviderError;
pub use callbacks::SignedCallback;
pub use state::{
    CANCELLED, COMPLETE, EXPIRED, IN_PROCESS, Order, PENDING_SUBMISSION, SentCallback,
};

use crate::fault::Traffic;
use crate::server::{bind, http_client, lock, serve};
use state::BoState;

/// Extra attempts after a failed callback when retries are on.
const CALLBACK_RETRIES: u32 = 5;

pub(crate) struct Inner {
    pub(crate) state: Mutex<BoState>,
    pub(crate) traffic: Arc<Traffic>,
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: String,
}

/// Handle to a running fake Backgrounds Online. Cheap to clone.
#[derive(Clone)]
pub struct FakeBackgroundsOnline {
    inner: Arc<Inner>,
}

impl FakeBackgroundsOnline {
    /// Start on `127.0.0.1:0`.
    ///
    /// # Panics
    /// If no loopback port can be bound.
    pub async fn start() -> FakeBackgroundsOnline {
        Self::start_on("127.0.0.1:0")
            .await
            .expect("bind the fake Backgrounds Online on 127.0.0.1:0")
    }

    /// Start on the given address.
    pub async fn start_on(addr: impl ToSocketAddrs) -> std::io::Result<FakeBackgroundsOnline> {
        let (listener, local) = bind(addr).await?;
        let inner = Arc::new(Inner {
            state: Mutex::new(BoState::default()),
            traffic: crate::provider::traffic(),
            http: http_client(),
            base_url: format!("http://{local}"),
        });
        serve(listener, routes::router(inner.clone()));
        Ok(FakeBackgroundsOnline { inner })
    }

    /// `http://127.0.0.1:PORT` (the contract's `{base}`; routes are under `/v1`).
    pub fn base_url(&self) -> String {
        self.inner.base_url.clone()
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.inner
            .base_url
            .trim_start_matches("http://")
            .parse()
            .expect("base_url holds a socket address")
    }

    fn state(&self) -> std::sync::MutexGuard<'_, BoState> {
        lock(&self.inner.state)
    }

    /// Accept `api_key` (Bearer). Its orders' callbacks are signed with the FIRST of
    /// `callback_secrets` (`whsec_<base64>`); it may order exactly `packages` (anything else
    /// is refused with 422 `unknown_package`). Calling it again replaces both lists.
    pub fn add_account(
        &self,
        api_key: impl Into<String>,
        callback_secrets: impl IntoIterator<Item = impl Into<String>>,
        packages: impl IntoIterator<Item = impl Into<String>>,
    ) {
        let account = state::Account {
            secrets: callback_secrets.into_iter().map(Into::into).collect(),
            packages: packages.into_iter().map(Into::into).collect(),
        };
        self.state().accounts.insert(api_key.into(), account);
    }

    /// Shift `webhook-timestamp` (and `occurred_at`) by `secs` from the system clock, for
    /// stale-delivery tests.
    pub fn set_clock_skew(&self, secs: i64) {
        self.state().clock_skew = secs;
    }

    /// Stamp and sign with `clock` instead of the system clock (a test's clock).
    pub fn set_clock(&self, clock: crate::SandboxClock) {
        self.state().clock = clock;
    }

    /// Retry callbacks answered non-2xx (or not at all) up to 5 more times, reusing the
    /// `webhook-id` and re-signing with a fresh timestamp. Default off.
    pub fn set_callback_retries(&self, on: bool) {
        self.state().callback_retries = on;
    }

    crate::fault::traffic_controls!();

    crate::provider::order_views!();

    crate::provider::callback_views!();

    /// The candidate submitted: status `in_process`, signed `in_process` callback.
    /// Returns the hub's status (0 when there was no response).
    ///
    /// # Panics
    /// On an unknown order id.
    pub async fn submit(&self, order_id: impl AsRef<str>) -> u16 {
        self.drive(order_id.as_ref(), IN_PROCESS, None).await
    }

    /// The check finished: status `complete`, result `clear` or `review`, report at
    /// [`report_url`](Self::report_url), signed `complete` callback. Returns the hub's status.
    ///
    /// # Panics
    /// On an unknown order id.
    pub async fn complete(&self, order_id: impl AsRef<str>, clear: bool) -> u16 {
        let result = if clear { "clear" } else { "review" };
        self.drive(order_id.as_ref(), COMPLETE, Some(result)).await
    }

    /// The provider cancelled on its side: status `cancelled`, signed `cancelled` callback.
    /// Returns the hub's status.
    ///
    /// # Panics
    /// On an unknown order id.
    pub async fn provider_cancel(&self, order_id: impl AsRef<str>) -> u16 {
        self.drive(order_id.as_ref(), CANCELLED, None).await
    }

    async fn drive(&self, id: &str, status: &str, result: Option<&str>) -> u16 {
        drive_order(&self.inner, id, status, result)
            .await
            .unwrap_or_else(|| panic!("{status}: unknown order {id}"))
    }

    /// Build (sign, do not send, do not change the order) a callback for `order_id` at
    /// `status`, with a new `webhook-id`, the current (skewed) timestamp and the account's
    /// first secret. A `complete` callback carries `result` (default `clear`) and the report
    /// URL. Tamper with the result to forge it, send it twice to duplicate it.
    ///
    /// # Panics
    /// On an unknown order id.
    pub fn signed_callback(
        &self,
        order_id: impl AsRef<str>,
        status: impl AsRef<str>,
        result: Option<&str>,
    ) -> SignedCallback {
        let (secrets, now) = {
            let state = self.state();
            let order = state
                .order(order_id.as_ref())
                .unwrap_or_else(|| panic!("signed_callback: unknown order {}", order_id.as_ref()));
            (
                state.secret_for(order),
                callbacks::unix_now(&state.clock, state.clock_skew),
            )
        };
        self.signed_callback_with(order_id, status, result, &secrets, now)
    }

    /// Like [`signed_callback`](Self::signed_callback) but signed with the given secrets
    /// (`whsec_…`; one `v1,` entry each, none for an empty list) at the given Unix
    /// `timestamp`: for forged, rotated-secret and stale deliveries.
    ///
    /// # Panics
    /// On an unknown order id.
    pub fn signed_callback_with(
        &self,
        order_id: impl AsRef<str>,
        status: impl AsRef<str>,
        result: Option<&str>,
        secrets: &[impl AsRef<str>],
        timestamp: i64,
    ) -> SignedCallback {
        let id = order_id.as_ref();
        let status = status.as_ref();
        let state = self.state();
        let order = state
            .order(id)
            .unwrap_or_else(|| panic!("signed_callback: unknown order {id}"));
        let (result, report_url) = if status == COMPLETE {
            (Some(result.unwrap_or("clear")), Some(self.report_url(id)))
        } else {
            (result, None)
        };
        let body = callbacks::body(order, status, result, report_url.as_deref(), timestamp);
        let secrets: Vec<String> = secrets.iter().map(|s| s.as_ref().to_owned()).collect();
        callbacks::sign(
            &order.callback_url,
            body,
            &secrets,
            &callbacks::new_webhook_id(),
            timestamp,
        )
    }

    /// Sign and send a callback for `order_id` at `status` WITHOUT changing the stored
    /// order (out-of-order and contradictory deliveries). Returns the hub's status.
    ///
    /// # Panics
    /// On an unknown order id.
    pub async fn send_callback(
        &self,
        order_id: impl AsRef<str>,
        status: impl AsRef<str>,
        result: Option<&str>,
    ) -> u16 {
        let cb = self.signed_callback(order_id, status, result);
        self.send(&cb).await
    }

    /// POST a (possibly tampered) callback once, as built, and record it. Returns the hub's
    /// status.
    pub async fn send(&self, callback: &SignedCallback) -> u16 {
        let status = callbacks::post(&self.inner.http, callback).await;
        let order_id = callback.json()["order_id"].as_str().map(str::to_owned);
        self.state().callbacks.push(SentCallback {
            order_id,
            callback: callback.clone(),
            delivered_status: status,
            attempts: 1,
        });
        status
    }

    /// Send the last callback of `order_id` again, byte for byte (same `webhook-id`,
    /// timestamp and signature): a duplicate delivery. Returns the hub's status.
    ///
    /// # Panics
    /// When nothing was sent for that order yet.
    pub async fn resend_last(&self, order_id: impl AsRef<str>) -> u16 {
        let id = order_id.as_ref();
        let cb = self
            .last_callback(id)
            .unwrap_or_else(|| panic!("resend_last: no callback sent for {id}"));
        self.send(&cb).await
    }
}

/// Update an order and deliver its signed callback; `None` for an unknown order.
pub(crate) async fn drive_order(
    inner: &Inner,
    id: &str,
    status: &str,
    result: Option<&str>,
) -> Option<u16> {
    let webhook_id = callbacks::new_webhook_id();
    let report_url =
        (status == COMPLETE).then(|| format!("{}/sandbox/reports/{id}", inner.base_url));
    let (order, secrets, retries, skew, clock) = {
        let mut state = lock(&inner.state);
        let order = state.update(id, status, result.map(str::to_owned), report_url.clone())?;
        let secrets = state.secret_for(&order);
        let clock = state.clock.clone();
        (
            order,
            secrets,
            state.callback_retries,
            state.clock_skew,
            clock,
        )
    };
    let occurred = callbacks::unix_now(&clock, skew);
    let body = callbacks::body(&order, status, result, report_url.as_deref(), occurred);
    let sign_at =
        |ts: i64| callbacks::sign(&order.callback_url, body.clone(), &secrets, &webhook_id, ts);
    let mut signed = sign_at(occurred);
    let mut attempts = 1;
    let mut code = callbacks::post(&inner.http, &signed).await;
    while retries && !(200..300).contains(&code) && attempts <= CALLBACK_RETRIES {
        tokio::time::sleep(Duration::from_millis(20 << (attempts - 1))).await;
        attempts += 1;
        signed = sign_at(callbacks::unix_now(&clock, skew));
        code = callbacks::post(&inner.http, &signed).await;
    }
    lock(&inner.state).callbacks.push(SentCallback {
        order_id: Some(order.id.clone()),
        callback: signed,
        delivered_status: code,
        attempts,
    });
    Some(code)
}
