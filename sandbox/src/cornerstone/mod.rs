//! `FakeCornerstone`: a Cornerstone (Edge) portal using a background-check connector
//! (facts/vendors-and-aws.md §2).
//!
//! * It calls the connector the way Edge does, with HTTP Basic credentials:
//!   [`FakeCornerstone::packages`] (`GET {connector}/api/Packages`) and
//!   [`FakeCornerstone::assign`] (`POST {connector}/api/InitiateBackgroundCheck`, a
//!   `BackgroundCheckRequest` whose `CallbackUrl` points at this fake); [`FakeCornerstone::resend`]
//!   delivers an initiate again, [`FakeCornerstone::send_body`] posts any body.
//! * It receives status callbacks (`BackgroundCheckReport`) at `POST /callbacks/{orderRef}`,
//!   records each, and answers 200 (or, on demand, a failure status for the next ones).
//! * [`FakeCornerstone::panel`] reads an order's panel with a caller's credentials.
//! * For a person at a terminal (the local run): `POST /sandbox/assign` with
//!   `{"packageId": "…"}` assigns a check to the demo applicant and answers the connector's
//!   answer and the order ref; `GET /sandbox/callbacks/{orderRef}` lists the callbacks received.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{get, post};
use base64::Engine;
use serde_json::{Value, json};
use tokio::net::ToSocketAddrs;

use crate::server::{bind, http_client, lock, serve};

/// The email of the portal's ordering user (Rita Recruiter) in [`Applicant::new`].
pub const REQUESTER_EMAIL: &str = "recruiter@acme.example";

/// An applicant as the portal sends it (the fields a portal's field configuration opts in).
#[derive(Clone, Debug)]
pub struct Applicant {
    pub first_name: String,
    pub middle_name: Option<String>,
    pub last_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub division_id: Option<String>,
    pub location_ref: Option<String>,
    /// The ordering user's email (`RequestorData.EmailAddress` and `RecruiterEmail`).
    pub requester_email: Option<String>,
    pub package_id: String,
}

impl Applicant {
    /// Ada Byron Lovelace in Austin, ordering `package_id`.
    pub fn new(package_id: &str) -> Applicant {
        Applicant {
            first_name: "Ada".into(),
            middle_name: Some("Byron".into()),
            last_name: "Lovelace".into(),
            email: Some("ada@example.com".into()),
            phone: Some("+1 512 555 0100".into()),
            division_id: Some("DIV-ENG".into()),
            location_ref: Some("LOC-AUSTIN".into()),
            requester_email: Some(REQUESTER_EMAIL.into()),
            package_id: package_id.into(),
        }
    }

    /// The `BackgroundCheckRequest` for this applicant.
    pub fn request(&self, order_ref: &str, callback_url: &str) -> Value {
        json!({
            "ApplicantData": {
                "FirstName": self.first_name, "MiddleName": self.middle_name,
                "LastName": self.last_name, "RecruiterEmail": self.requester_email,
                "OrganizationUnit": {
                    "Division": "Engineering", "DivisionId": self.division_id,
                    "Location": { "Name": "Austin", "Ref": self.location_ref }
                },
                "ContactInfo": { "Email": self.email, "Phone": self.phone },
                "Address": { "AddressLine1": "1 Main St", "AddressCity": "Austin",
                    "AddressState": "TX", "AddressPostalZipCode": "78701",
                    "AddressCountryCode": "USA" }
            },
            "JobRequisitionData": { "Id": "req-1", "DisplayTitle": "Senior Engineer",
                "City": "Austin", "State": "TX", "Country": "US" },
            "RequestorData": { "FirstName": "Rita", "LastName": "Recruiter",
                "EmailAddress": self.requester_email, "UserID": "u-9" },
            "CallbackData": { "CallbackUrl": callback_url, "ApplicantRefId": format!("app-{order_ref}"),
                "ApplicantRefUserId": "user-77", "ApplicantRefOrderId": order_ref },
            "SelectedPackageId": self.package_id,
        })
    }
}

#[derive(Default)]
struct PortalState {
    connector: String,
    credentials: (String, String),
    next: u64,
    /// Initiate bodies sent, by ApplicantRefOrderId.
    sent: BTreeMap<String, Value>,
    /// Status callbacks received, by ApplicantRefOrderId, in arrival order.
    callbacks: BTreeMap<String, Vec<Value>>,
    /// Answer the next callbacks with these statuses (then 200).
    failures: Vec<u16>,
}

struct Inner {
    state: Mutex<PortalState>,
    http: reqwest::Client,
    base_url: String,
}

/// Handle to a running fake Cornerstone portal. Cheap to clone.
#[derive(Clone)]
pub struct FakeCornerstone {
    inner: Arc<Inner>,
}

async fn receive(
    State(inner): State<Arc<Inner>>,
    Path(order_ref): Path<String>,
    body: axum::body::Bytes,
) -> StatusCode {
    let mut state = lock(&inner.state);
    if !state.failures.is_empty() {
        let status = state.failures.remove(0);
        return StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    }
    let Ok(report) = serde_json::from_slice::<Value>(&body) else {
        return StatusCode::BAD_REQUEST;
    };
    state.callbacks.entry(order_ref).or_default().push(report);
    StatusCode::OK
}

#[derive(serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct AssignRequest {
    package_id: String,
}

async fn sandbox_assign(
    State(inner): State<Arc<Inner>>,
    Json(req): Json<AssignRequest>,
) -> Json<Value> {
    let portal = FakeCornerstone { inner };
    let (status, answer, order_ref) = portal.assign(&Applicant::new(&req.package_id)).await;
    Json(json!({ "status": status, "answer": answer, "orderRef": order_ref }))
}

async fn sandbox_callbacks(
    State(inner): State<Arc<Inner>>,
    Path(order_ref): Path<String>,
) -> Json<Value> {
    let portal = FakeCornerstone { inner };
    Json(Value::Array(portal.callbacks(&order_ref)))
}

fn basic(user: &str, pass: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{user}:{pass}"))
    )
}

async fn answer(resp: Result<reqwest::Response, reqwest::Error>) -> (u16, Value) {
    match resp {
        Ok(r) => {
            let status = r.status().as_u16();
            (status, r.json().await.unwrap_or(Value::Null))
        }
        Err(_) => (0, Value::Null),
    }
}

impl FakeCornerstone {
    /// Start on `127.0.0.1:0`.
    ///
    /// # Panics
    /// If no loopback port can be bound.
    pub async fn start() -> FakeCornerstone {
        Self::start_on("127.0.0.1:0")
            .await
            .expect("bind the fake Cornerstone on 127.0.0.1:0")
    }

    /// Start on the given address.
    pub async fn start_on(addr: impl ToSocketAddrs) -> std::io::Result<FakeCornerstone> {
        let (listener, local) = bind(addr).await?;
        let inner = Arc::new(Inner {
            state: Mutex::new(PortalState::default()),
            http: http_client(),
            base_url: format!("http://{local}"),
        });
        let router = Router::new()
            .route("/callbacks/{order_ref}", post(receive))
            .route("/sandbox/assign", post(sandbox_assign))
            .route("/sandbox/callbacks/{order_ref}", get(sandbox_callbacks))
            .with_state(inner.clone());
        serve(listener, router);
        Ok(FakeCornerstone { inner })
    }

    /// `http://127.0.0.1:PORT`: the origin its callback URLs are on.
    pub fn base_url(&self) -> String {
        self.inner.base_url.clone()
    }

    /// Use the connector at `connector` (e.g. `{hub}/cornerstone/{tenant}`) with these Basic
    /// credentials, as the portal's admin set it up.
    pub fn connect(&self, connector: &str, username: &str, password: &str) {
        let mut state = lock(&self.inner.state);
        state.connector = connector.trim_end_matches('/').to_owned();
        state.credentials = (username.to_owned(), password.to_owned());
    }

    fn auth(&self) -> String {
        let state = lock(&self.inner.state);
        basic(&state.credentials.0, &state.credentials.1)
    }

    fn connector(&self) -> String {
        lock(&self.inner.state).connector.clone()
    }

    /// `GET /api/Packages`.
    pub async fn packages(&self) -> (u16, Value) {
        let resp = self
            .inner
            .http
            .get(format!("{}/api/Packages", self.connector()))
            .header("authorization", self.auth())
            .send()
            .await;
        answer(resp).await
    }

    /// A recruiter assigns a background check to `applicant`: a new ApplicantRefOrderId,
    /// a callback URL on this fake. Returns the connector's answer and the order ref.
    pub async fn assign(&self, applicant: &Applicant) -> (u16, Value, String) {
        let order_ref = {
            let mut state = lock(&self.inner.state);
            state.next += 1;
            format!("csod-order-{}", state.next)
        };
        let callback = format!("{}/callbacks/{order_ref}", self.inner.base_url);
        let body = applicant.request(&order_ref, &callback);
        lock(&self.inner.state)
            .sent
            .insert(order_ref.clone(), body.clone());
        let (status, answer) = self.send_body(&body, &self.auth()).await;
        (status, answer, order_ref)
    }

    /// Deliver the initiate of `order_ref` again, unchanged.
    pub async fn resend(&self, order_ref: &str) -> (u16, Value) {
        let body = lock(&self.inner.state)
            .sent
            .get(order_ref)
            .cloned()
            .expect("an order this portal sent");
        self.send_body(&body, &self.auth()).await
    }

    /// POST any initiate body with the `Authorization` header `authorization`.
    pub async fn send_body(&self, body: &Value, authorization: &str) -> (u16, Value) {
        let resp = self
            .inner
            .http
            .post(format!("{}/api/InitiateBackgroundCheck", self.connector()))
            .header("authorization", authorization)
            .json(body)
            .send()
            .await;
        answer(resp).await
    }

    /// The `Authorization` header of other Basic credentials.
    pub fn basic(username: &str, password: &str) -> String {
        basic(username, password)
    }

    /// The panel of the hub's `reference`, read with `authorization`.
    pub async fn panel(&self, reference: &str, authorization: &str) -> (u16, Value) {
        let resp = self
            .inner
            .http
            .get(format!("{}/api/Panel/{reference}", self.connector()))
            .header("authorization", authorization)
            .send()
            .await;
        answer(resp).await
    }

    /// The panel read with the portal's own (full) credentials.
    pub async fn own_panel(&self, reference: &str) -> (u16, Value) {
        self.panel(reference, &self.auth()).await
    }

    /// The status callbacks received for `order_ref`, in arrival order.
    pub fn callbacks(&self, order_ref: &str) -> Vec<Value> {
        lock(&self.inner.state)
            .callbacks
            .get(order_ref)
            .cloned()
            .unwrap_or_default()
    }

    /// The `OrderStatus` of each callback received for `order_ref`.
    pub fn statuses(&self, order_ref: &str) -> Vec<String> {
        self.callbacks(order_ref)
            .iter()
            .filter_map(|c| c["OrderStatus"].as_str().map(str::to_owned))
            .collect()
    }

    /// Answer the next callbacks with these statuses (e.g. `[503]`), then 200 again.
    pub fn fail_callbacks(&self, statuses: impl IntoIterator<Item = u16>) {
        lock(&self.inner.state).failures.extend(statuses);
    }
}
