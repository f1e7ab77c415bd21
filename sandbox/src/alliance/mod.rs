//! `FakeAlliance`: the Alliance 2020 contract of `docs/providers/alliance2020.md`.
//!
//! * `POST /v1/orders` (Bearer key): 201 new / 200 existing (same `client_reference` for the
//!   same key) → `{order_id, status}`; 422 `{code, message}` with `missing_field`,
//!   `unknown_product`, `unknown_client`; 401 for an unknown key; 400 for malformed JSON.
//! * `GET /v1/orders/:id` → the order (only for the key that placed it).
//! * Callbacks: Standard Webhooks headers (`webhook-id`, `webhook-timestamp`,
//!   `webhook-signature` with one `v1,<sig>` per account secret).
//! * Admin (not logged, not faulted): `GET /sandbox/orders`,
//!   `POST /sandbox/orders/:id/advance`, `GET /sandbox/reports/:id`.

pub(crate) mod callbacks;
mod routes;
pub(crate) mod state;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::net::ToSocketAddrs;

pub use crate::provider::ProviderError;
pub use callbacks::SignedCallback;
pub use state::{CallbackRecord, Order};

use crate::fault::Traffic;
use crate::server::{bind, http_client, lock, serve};
use state::AllianceState;

/// Extra attempts after a failed callback when retries are on.
const CALLBACK_RETRIES: u32 = 5;

pub(crate) struct Inner {
    pub(crate) state: Mutex<AllianceState>,
    pub(crate) traffic: Arc<Traffic>,
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: String,
}

/// Handle to a running fake Alliance 2020. Cheap to clone.
#[derive(Clone)]
pub struct FakeAlliance {
    inner: Arc<Inner>,
}

impl FakeAlliance {
    /// Start on `127.0.0.1:0`.
    ///
    /// # Panics
    /// If no loopback port can be bound.
    pub async fn start() -> FakeAlliance {
        Self::start_on("127.0.0.1:0")
            .await
            .expect("bind the fake Alliance on 127.0.0.1:0")
    }

    /// Start on the given address.
    pub async fn start_on(addr: impl ToSocketAddrs) -> std::io::Result<FakeAlliance> {
        let (listener, local) = bind(addr).await?;
        let inner = Arc::new(Inner {
            state: Mutex::new(AllianceState::default()),
            traffic: crate::provider::traffic(),
            http: http_client(),
            base_url: format!("http://{local}"),
        });
        serve(listener, routes::router(inner.clone()));
        Ok(FakeAlliance { inner })
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

    fn state(&self) -> std::sync::MutexGuard<'_, AllianceState> {
        lock(&self.inner.state)
    }

    /// Accept `api_key` (Bearer); its orders' callbacks are signed with every secret
    /// (`whsec_<base64>`), one `v1,` entry each.
    pub fn add_account(
        &self,
        api_key: impl Into<String>,
        callback_secrets: impl IntoIterator<Item = impl Into<String>>,
    ) {
        let secrets = callback_secrets.into_iter().map(Into::into).collect();
        self.state()
            .accounts
            .entry(api_key.into())
            .or_default()
            .secrets = secrets;
    }

    /// Restrict the products this key may order (422 `unknown_product` otherwise).
    pub fn set_products(
        &self,
        api_key: impl Into<String>,
        products: impl IntoIterator<Item = impl Into<String>>,
    ) {
        let products = products.into_iter().map(Into::into).collect();
        self.state()
            .accounts
            .entry(api_key.into())
            .or_default()
            .products = Some(products);
    }

    /// Restrict the client codes this key may use (422 `unknown_client` otherwise).
    pub fn set_client_codes(
        &self,
        api_key: impl Into<String>,
        codes: impl IntoIterator<Item = impl Into<String>>,
    ) {
        let codes = codes.into_iter().map(Into::into).collect();
        self.state()
            .accounts
            .entry(api_key.into())
            .or_default()
            .client_codes = Some(codes);
    }

    /// Shift `webhook-timestamp` (and `occurred_at`) by `secs` from the system clock.
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

    /// Every callback sent (by `advance`, `send` or the admin route).
    pub fn callbacks(&self) -> Vec<CallbackRecord> {
        self.state().callbacks.clone()
    }

    /// Set the order's status/result/reason and POST a signed callback with a new
    /// `webhook-id`. Returns the hub's status (0 when there was no response).
    ///
    /// # Panics
    /// On an unknown order id.
    pub async fn advance(
        &self,
        order_id: impl AsRef<str>,
        status: impl AsRef<str>,
        result: Option<Value>,
        reason: Option<String>,
    ) -> u16 {
        let id = order_id.as_ref();
        advance_order(&self.inner, id, status.as_ref(), result, reason)
            .await
            .unwrap_or_else(|| panic!("advance: unknown order {id}"))
    }

    /// The provider reports a search of the order (e.g. `County Criminal - Travis`, a county
    /// it added while working) at `status` (`pending | in_progress | complete | needs_review |
    /// cancelled`): the order keeps its status, and a signed callback carries its services.
    ///
    /// # Panics
    /// On an unknown order id.
    pub async fn report_service(&self, order_id: impl AsRef<str>, name: &str, status: &str) -> u16 {
        let id = order_id.as_ref();
        let order = self
            .state()
            .set_service(id, name, status)
            .unwrap_or_else(|| panic!("report_service: unknown order {id}"));
        advance_order(&self.inner, id, &order.status, order.result, order.reason)
            .await
            .unwrap_or_else(|| panic!("report_service: unknown order {id}"))
    }

    /// Build (sign, do not send, do not change the order) the callback for `order_id`
    /// moving to `status`, with a new `webhook-id` and the current (skewed) timestamp.
    ///
    /// # Panics
    /// On an unknown order id.
    pub fn signed_callback(
        &self,
        order_id: impl AsRef<str>,
        status: impl AsRef<str>,
        result: Option<Value>,
        reason: Option<String>,
    ) -> SignedCallback {
        let id = order_id.as_ref();
        let state = self.state();
        let order = state
            .order(id)
            .unwrap_or_else(|| panic!("signed_callback: unknown order {id}"));
        let now = callbacks::unix_now(&state.clock, state.clock_skew);
        let body = callbacks::body(order, status.as_ref(), result, reason, now);
        callbacks::sign(
            &order.callback_url,
            body,
            &state.secrets_for(order),
            &callbacks::new_webhook_id(),
            now,
        )
    }

    /// POST a (possibly tampered) callback once, as built. Returns the hub's status.
    pub async fn send(&self, callback: &SignedCallback) -> u16 {
        let status = callbacks::post(&self.inner.http, callback).await;
        let body = callback.json();
        self.state().callbacks.push(CallbackRecord {
            order_id: body["order_id"].as_str().map(str::to_owned),
            webhook_id: callback.header("webhook-id").unwrap_or_default().to_owned(),
            url: callback.url.clone(),
            status,
            attempts: 1,
        });
        status
    }
}

/// Update an order and deliver its signed callback; `None` for an unknown order.
pub(crate) async fn advance_order(
    inner: &Inner,
    id: &str,
    status: &str,
    result: Option<Value>,
    reason: Option<String>,
) -> Option<u16> {
    let webhook_id = callbacks::new_webhook_id();
    let (order, secrets, retries, skew, clock) = {
        let mut state = lock(&inner.state);
        let order = state.update(id, status, result.clone(), reason.clone())?;
        let secrets = state.secrets_for(&order);
        let clock = state.clock.clone();
        (
            order,
            secrets,
            state.callback_retries,
            state.clock_skew,
            clock,
        )
    };
    let now = callbacks::unix_now(&clock, skew);
    let body = callbacks::body(&order, status, result, reason, now);
    let mut attempts = 1;
    let mut code = callbacks::post(
        &inner.http,
        &callbacks::sign(
            &order.callback_url,
            body.clone(),
            &secrets,
            &webhook_id,
            now,
        ),
    )
    .await;
    while retries && !(200..300).contains(&code) && attempts <= CALLBACK_RETRIES {
        tokio::time::sleep(Duration::from_millis(20 << (attempts - 1))).await;
        attempts += 1;
        let ts = callbacks::unix_now(&clock, skew);
        let signed = callbacks::sign(&order.callback_url, body.clone(), &secrets, &webhook_id, ts);
        code = callbacks::post(&inner.http, &signed).await;
    }
    lock(&inner.state).callbacks.push(CallbackRecord {
        order_id: Some(order.id.clone()),
        webhook_id,
        url: order.callback_url.clone(),
        status: code,
        attempts,
    });
    Some(code)
}
