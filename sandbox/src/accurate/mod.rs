//! `FakeAccurate`: Accurate Background's v3 API as the hub uses it, and the postback
//! contract we defined for it (`docs/providers/accurate.md`; Accurate's own is not public).
//!
//! * HTTP Basic on every `/v3` route (the API key as user name, the account's secret as
//!   password); 401 otherwise.
//! * `GET /v3/packages` → `[{packageType}]`; `GET /v3/requesters?email=` → the account's
//!   requesters with that email (`[]` when none: "does this requester exist").
//! * `POST /v3/candidate` → 201 `{id, …}` (422 `invalid_candidate` without first name, last
//!   name or email); `GET /v3/candidate/{id}`.
//! * `POST /v3/order` `{candidateId, packageType, workflow, jobLocation{city, region,
//!   country}, clientReference, postbackUrl}` → 201 `{id, status: "INVITATION_SENT", …}`, 200
//!   with the existing order for a `clientReference` the account already used; 422
//!   `unknown_package`, `invalid_workflow`, `invalid_job_location`, `invalid_candidate`.
//! * `GET /v3/orders?clientReference=` → the account's orders with that reference;
//!   `GET /v3/order/{id}` → `{id, clientReference, status, percentComplete, adjudication,
//!   reportUrl, …}` (what the hub's status poll reads).
//! * `POST /v3/order/{id}/cancel` → 200 `{id, status: "CANCELLED"}` while the invitation
//!   waits and again once cancelled; 409 `not_cancellable` after.
//! * Postbacks: `order.status` bodies with Standard Webhooks headers, signed with the
//!   account's first callback secret; [`FakeAccurate::set_postbacks`] turns them off.
//! * Admin (not logged, not faulted): `GET /sandbox/orders`, `POST /sandbox/orders/{id}/invite`,
//!   `…/progress` `{"percent"}`, `…/complete` `{"adjudication"}`, `…/cancel`, `…/resend`,
//!   `GET /sandbox/reports/{id}`.

mod callbacks;
mod routes;
mod state;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use tokio::net::ToSocketAddrs;

pub use crate::provider::ProviderError;
pub use callbacks::SignedCallback;
pub use state::{
    ADJUDICATIONS, CANCELLED, COMPLETED, Candidate, IN_PROGRESS, INVITATION_SENT, Order,
    SentCallback,
};

use crate::fault::Traffic;
use crate::server::{bind, http_client, lock, serve};
use state::AccurateState;

pub(crate) struct Inner {
    pub(crate) state: Mutex<AccurateState>,
    pub(crate) traffic: Arc<Traffic>,
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: String,
}

/// Handle to a running fake Accurate. Cheap to clone.
#[derive(Clone)]
pub struct FakeAccurate {
    inner: Arc<Inner>,
}

impl FakeAccurate {
    /// Start on `127.0.0.1:0`.
    ///
    /// # Panics
    /// If no loopback port can be bound.
    pub async fn start() -> FakeAccurate {
        Self::start_on("127.0.0.1:0")
            .await
            .expect("bind the fake Accurate on 127.0.0.1:0")
    }

    /// Start on the given address.
    pub async fn start_on(addr: impl ToSocketAddrs) -> std::io::Result<FakeAccurate> {
        let (listener, local) = bind(addr).await?;
        let inner = Arc::new(Inner {
            state: Mutex::new(AccurateState::default()),
            traffic: routes::traffic(),
            http: http_client(),
            base_url: format!("http://{local}"),
        });
        serve(listener, routes::router(inner.clone()));
        Ok(FakeAccurate { inner })
    }

    /// `http://127.0.0.1:PORT` (the API root; routes are under `/v3`).
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

    fn state(&self) -> std::sync::MutexGuard<'_, AccurateState> {
        lock(&self.inner.state)
    }

    /// Accept `api_key`:`password` (HTTP Basic). Its postbacks are signed with the FIRST of
    /// `callback_secrets`; it may order exactly `packages` (package types). Calling it again
    /// replaces the account (its requesters too).
    pub fn add_account(
        &self,
        api_key: impl Into<String>,
        password: impl Into<String>,
        callback_secrets: impl IntoIterator<Item = impl Into<String>>,
        packages: impl IntoIterator<Item = impl Into<String>>,
    ) {
        let account = state::Account {
            password: password.into(),
            secrets: callback_secrets.into_iter().map(Into::into).collect(),
            packages: packages.into_iter().map(Into::into).collect(),
            requesters: Vec::new(),
        };
        self.state().accounts.insert(api_key.into(), account);
    }

    /// A user of the account who may order (a requester), by email.
    ///
    /// # Panics
    /// For an unknown account.
    pub fn add_requester(&self, api_key: impl AsRef<str>, email: impl AsRef<str>) {
        let mut state = self.state();
        let account = state
            .accounts
            .get_mut(api_key.as_ref())
            .expect("add_requester: unknown account");
        account
            .requesters
            .push(email.as_ref().trim().to_ascii_lowercase());
    }

    /// Whether the account has a requester with this email (case-insensitive).
    pub fn has_requester(&self, api_key: impl AsRef<str>, email: impl AsRef<str>) -> bool {
        self.state().has_requester(api_key.as_ref(), email.as_ref())
    }

    /// Shift `webhook-timestamp` (and `occurredAt`) by `secs`, for stale-delivery tests.
    pub fn set_clock_skew(&self, secs: i64) {
        self.state().clock_skew = secs;
    }

    /// Stop (`false`) or resume (`true`) sending postbacks: orders still move (and
    /// `GET /v3/order/{id}` shows it), the driving calls then return 0.
    pub fn set_postbacks(&self, on: bool) {
        self.state().postbacks_off = !on;
    }

    /// Stamp and sign with `clock` instead of the system clock (a test's clock).
    pub fn set_clock(&self, clock: crate::SandboxClock) {
        self.state().clock = clock;
    }

    crate::fault::traffic_controls!();

    /// All candidates, in creation order.
    pub fn candidates(&self) -> Vec<Candidate> {
        self.state().candidates.clone()
    }

    crate::provider::order_views!();

    crate::provider::callback_views!();

    /// The invitation was (re)sent to the candidate: `INVITATION_SENT` postback. Returns the
    /// hub's status (0 when there was no response, or postbacks are off).
    ///
    /// # Panics
    /// On an unknown order id.
    pub async fn invitation_sent(&self, order_id: impl AsRef<str>) -> u16 {
        self.drive(order_id.as_ref(), INVITATION_SENT, None, None)
            .await
    }

    /// The candidate submitted and the searches run: `IN_PROGRESS` at `percent` complete.
    ///
    /// # Panics
    /// On an unknown order id.
    pub async fn progress(&self, order_id: impl AsRef<str>, percent: u8) -> u16 {
        self.drive(order_id.as_ref(), IN_PROGRESS, Some(percent.min(100)), None)
            .await
    }

    /// Accurate adjudicated the results (`ELIGIBLE`, `REVIEW` or `NOT_ELIGIBLE`): still
    /// `IN_PROGRESS` at 100 %, the adjudication carried along.
    ///
    /// # Panics
    /// On an unknown order id.
    pub async fn adjudicate(&self, order_id: impl AsRef<str>, adjudication: &str) -> u16 {
        self.drive(
            order_id.as_ref(),
            IN_PROGRESS,
            Some(100),
            Some(adjudication.to_owned()),
        )
        .await
    }

    /// The report is final: `COMPLETED` with the adjudication (`ELIGIBLE` unless one was
    /// given earlier) and the report link at [`report_url`](Self::report_url).
    ///
    /// # Panics
    /// On an unknown order id.
    pub async fn complete(&self, order_id: impl AsRef<str>) -> u16 {
        self.drive(order_id.as_ref(), COMPLETED, Some(100), None)
            .await
    }

    /// Accurate cancelled on its side: `CANCELLED` postback.
    ///
    /// # Panics
    /// On an unknown order id.
    pub async fn provider_cancel(&self, order_id: impl AsRef<str>) -> u16 {
        self.drive(order_id.as_ref(), CANCELLED, None, None).await
    }

    async fn drive(
        &self,
        id: &str,
        status: &str,
        percent: Option<u8>,
        adjudication: Option<String>,
    ) -> u16 {
        drive_order(&self.inner, id, status, percent, adjudication)
            .await
            .unwrap_or_else(|| panic!("{status}: unknown order {id}"))
    }

    /// Build (sign, do not send, do not change the order) a postback for `order_id` as the
    /// order stands, reporting `status`, with a new `webhook-id` and the account's first
    /// secret. Tamper with it to forge it, send it twice to duplicate it.
    ///
    /// # Panics
    /// On an unknown order id.
    pub fn signed_callback(&self, order_id: impl AsRef<str>, status: &str) -> SignedCallback {
        let id = order_id.as_ref();
        let state = self.state();
        let order = state
            .order(id)
            .unwrap_or_else(|| panic!("signed_callback: unknown order {id}"));
        let mut order = order.clone();
        if status == COMPLETED {
            order.adjudication.get_or_insert_with(|| "ELIGIBLE".into());
            order.report_url = Some(self.report_url(id));
        }
        let now = callbacks::unix_now(&state.clock, state.clock_skew);
        callbacks::sign(
            &order.postback_url,
            callbacks::body(&order, status, now),
            &state.secret_for(&order),
            &callbacks::new_webhook_id(),
            now,
        )
    }

    /// POST a (possibly tampered) postback once, as built, and record it. Returns the hub's
    /// status.
    pub async fn send(&self, callback: &SignedCallback) -> u16 {
        let status = callbacks::post(&self.inner.http, callback).await;
        let order_id = callback.json()["orderId"].as_str().map(str::to_owned);
        self.state().callbacks.push(SentCallback {
            order_id,
            callback: callback.clone(),
            delivered_status: status,
        });
        status
    }

    /// Send the last postback of `order_id` again, byte for byte (same `webhook-id`,
    /// timestamp and signature): a duplicate delivery. Returns the hub's status.
    ///
    /// # Panics
    /// When nothing was sent for that order yet.
    pub async fn resend_last(&self, order_id: impl AsRef<str>) -> u16 {
        let id = order_id.as_ref();
        let cb = self
            .last_callback(id)
            .unwrap_or_else(|| panic!("resend_last: no postback sent for {id}"));
        self.send(&cb).await
    }
}

/// Update an order and deliver its signed postback (none while postbacks are off: then 0);
/// `None` for an unknown order.
pub(crate) async fn drive_order(
    inner: &Inner,
    id: &str,
    status: &str,
    percent: Option<u8>,
    adjudication: Option<String>,
) -> Option<u16> {
    let report_url = format!("{}/sandbox/reports/{id}", inner.base_url);
    let (order, secrets, now) = {
        let mut state = lock(&inner.state);
        let order = state.update(id, |o| {
            o.status = status.to_owned();
            if let Some(p) = percent {
                o.percent_complete = p;
            }
            if adjudication.is_some() {
                o.adjudication = adjudication;
            }
            if status == COMPLETED {
                o.adjudication.get_or_insert_with(|| "ELIGIBLE".into());
                o.report_url = Some(report_url);
            }
        })?;
        if state.postbacks_off {
            return Some(0);
        }
        let secrets = state.secret_for(&order);
        let now = callbacks::unix_now(&state.clock, state.clock_skew);
        (order, secrets, now)
    };
    let signed = callbacks::sign(
        &order.postback_url,
        callbacks::body(&order, status, now),
        &secrets,
        &callbacks::new_webhook_id(),
        now,
    );
    let code = callbacks::post(&inner.http, &signed).await;
    lock(&inner.state).callbacks.push(SentCallback {
        order_id: Some(order.id.clone()),
        callback: signed,
        delivered_status: code,
    });
    Some(code)
}
