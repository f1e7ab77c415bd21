//! `FakePaylocity`: Paylocity's side of the screening-partner contract
//! (facts/vendors-and-aws.md §1).
//!
//! * `POST /public/security/v1/token` (form, `grant_type=client_credentials`, `client_id`,
//!   `client_secret`) → `{access_token, token_type, expires_in}`; tokens expire (the fake's
//!   clock), after which every call answers 401.
//! * `PATCH /compliance/v1/companies/{companyId}/backgroundCheck/candidateScreeningOrders/status`
//!   (Bearer): `oldStatus` must be the order's current status (`Ordered` until the partner says
//!   otherwise) and every status one of Paylocity's 18 order / 9 service statuses, each
//!   service's `oldStatus` its current one; 400 otherwise. Each order keeps its status,
//!   service and PATCH history.
//! * `GET`/`POST …/{companyId}/backgroundCheck/screeningPackages` with the documented field
//!   limits; `POST …/b6001/clientOnboarding/status` (linear: InProgress → Approved →
//!   Suspended); `GET`/`POST …/b6001/backgroundCheck/candidateScreeningOrders/subscription`.
//! * Driving it (a test or the local run): [`FakePaylocity::send_order`] posts a new order to
//!   the registered success URL with the registered `x-api-key`; [`FakePaylocity::resend`]
//!   delivers one again; [`FakePaylocity::send_body`] posts any body (malformed ones too).

mod routes;
mod state;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use tokio::net::ToSocketAddrs;

pub use state::{ORDER_STATUSES, Order, SERVICE_STATUSES, StatusUpdate, Subscription};

use crate::fault::Traffic;
use crate::server::{bearer, bind, http_client, lock, serve, status_or_zero};
use state::PaylocityState;

pub(crate) struct Inner {
    pub(crate) state: Mutex<PaylocityState>,
    pub(crate) traffic: Arc<Traffic>,
    pub(crate) http: reqwest::Client,
    pub(crate) base_url: String,
}

/// Handle to a running fake Paylocity. Cheap to clone.
#[derive(Clone)]
pub struct FakePaylocity {
    inner: Arc<Inner>,
}

fn error_body(status: u16) -> Value {
    json!({ "errors": [{ "message": format!("injected fault ({status})") }] })
}

impl FakePaylocity {
    /// Start on `127.0.0.1:0`.
    ///
    /// # Panics
    /// If no loopback port can be bound.
    pub async fn start() -> FakePaylocity {
        Self::start_on("127.0.0.1:0")
            .await
            .expect("bind the fake Paylocity on 127.0.0.1:0")
    }

    /// Start on the given address.
    pub async fn start_on(addr: impl ToSocketAddrs) -> std::io::Result<FakePaylocity> {
        let (listener, local) = bind(addr).await?;
        let inner = Arc::new(Inner {
            state: Mutex::new(PaylocityState::default()),
            traffic: Traffic::new(bearer, error_body, Some("/sandbox/")),
            http: http_client(),
            base_url: format!("http://{local}"),
        });
        serve(listener, routes::router(inner.clone()));
        Ok(FakePaylocity { inner })
    }

    /// `http://127.0.0.1:PORT` (routes as documented, under `/compliance/v1` and `/public`).
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

    fn state(&self) -> std::sync::MutexGuard<'_, PaylocityState> {
        lock(&self.inner.state)
    }

    crate::fault::traffic_controls!();

    /// Accept this OAuth client (`client_credentials`).
    pub fn add_client(&self, client_id: impl Into<String>, secret: impl Into<String>) {
        self.state().clients.insert(client_id.into(), secret.into());
    }

    /// How long new tokens live (default 3600 s).
    pub fn set_token_ttl(&self, secs: i64) {
        self.state().token_ttl_secs = secs;
    }

    /// Stamp and expire with `clock` instead of the system clock (a test's clock).
    pub fn set_clock(&self, clock: crate::SandboxClock) {
        self.state().clock = clock;
    }

    pub fn onboarding(&self, company: &str) -> Option<String> {
        self.state().onboarding.get(company).cloned()
    }

    pub fn packages(&self, company: &str) -> Vec<Value> {
        self.state()
            .packages
            .get(company)
            .map(|p| p.values().cloned().collect())
            .unwrap_or_default()
    }

    pub fn subscription(&self) -> Option<Subscription> {
        self.state().subscription.clone()
    }

    /// Paylocity's record of an order moves without the partner (e.g. its support changed
    /// it): the next PATCH's `oldStatus` no longer matches.
    ///
    /// # Panics
    /// On an unknown order.
    pub fn set_status(&self, id: &str, status: &str) {
        self.state()
            .orders
            .get_mut(id)
            .expect("an order Paylocity sent")
            .status = status.to_owned();
    }

    /// An order and its history.
    pub fn order(&self, id: &str) -> Option<Order> {
        self.state().orders.get(id).cloned()
    }

    /// A recruiter orders a screening in Paylocity: the order (status `Ordered`) is posted to
    /// the registered success URL with the registered `x-api-key`, in the shape of
    /// docs/ats/paylocity.md. Returns the hub's status (0 without a response) and the order id.
    ///
    /// # Panics
    /// When no subscription is registered.
    pub async fn send_order(
        &self,
        company: &str,
        package: &str,
        email: Option<&str>,
    ) -> (u16, String) {
        send_order(&self.inner, company, package, email).await
    }

    /// Deliver an order again, as sent the first time (a duplicate delivery).
    ///
    /// # Panics
    /// On an unknown order.
    pub async fn resend(&self, id: &str) -> u16 {
        let body = self.order(id).expect("a sent order").sent;
        self.send_body(&body).await
    }

    /// Post `body` to the registered success URL with the registered `x-api-key`.
    ///
    /// # Panics
    /// When no subscription is registered.
    pub async fn send_body(&self, body: &Value) -> u16 {
        send_body(&self.inner, body).await
    }
}

/// A new order (status `Ordered`) posted to the registered success URL; the hub's status (0
/// without a response) and the order id.
pub(crate) async fn send_order(
    inner: &Inner,
    company: &str,
    package: &str,
    email: Option<&str>,
) -> (u16, String) {
    let id = uuid::Uuid::new_v4().to_string();
    let body = json!({
        "candidateScreeningOrderId": id,
        "companyId": company,
        "packageId": package,
        "candidate": {
            "firstName": "Ada", "lastName": "Lovelace", "email": email,
            "phone": "+1 512 555 0100",
            "address": { "line1": "1 Congress Ave", "city": "Austin", "state": "TX",
                         "postalCode": "78701", "country": "US" }
        },
        "jobTitle": "Senior Engineer",
        "recruiterEmail": "recruiter@example.com"
    });
    lock(&inner.state).orders.insert(
        id.clone(),
        Order {
            id: id.clone(),
            company_id: company.to_owned(),
            package_id: package.to_owned(),
            status: "Ordered".into(),
            services: Default::default(),
            history: Vec::new(),
            sent: body.clone(),
        },
    );
    (send_body(inner, &body).await, id)
}

/// Post `body` to the registered success URL with the registered `x-api-key`.
///
/// # Panics
/// When no subscription is registered.
pub(crate) async fn send_body(inner: &Inner, body: &Value) -> u16 {
    let sub = lock(&inner.state)
        .subscription
        .clone()
        .expect("a registered subscription");
    let mut req = inner.http.post(&sub.success_url).json(body);
    if let Some(key) = &sub.api_key {
        req = req.header("x-api-key", key);
    }
    status_or_zero(req.send().await)
}
