//! Request log and injected misbehaviour, shared by every fake server.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::server::lock;

/// One request seen by a fake server (faulted, unauthorised and rate-limited ones included).
#[derive(Debug, Clone)]
pub struct RequestRecord {
    /// When the request arrived (monotonic clock, for rate measurements).
    pub at: Instant,
    pub method: Method,
    /// Full path, e.g. `/v1/opportunities/abc/addTags`.
    pub path: String,
    /// Raw query string, if any.
    pub query: Option<String>,
    /// The credential presented: the Basic-auth username (Lever) or the Bearer token
    /// (Lever OAuth style, Alliance). Recorded even when it is not a valid key.
    pub api_key: Option<String>,
}

/// What an injected fault does to a matching request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FaultKind {
    /// Answer with this status and the fake's usual error body, without processing the request.
    Status(u16),
    /// Process the request normally (its effects are applied even if the client gives up),
    /// then hold the response back for this long. Use it to trigger client timeouts.
    Delay(Duration),
    /// Close the connection without sending any response; the request is not processed.
    Drop,
    /// Process the request normally (effects applied), then answer with this status and an
    /// error body instead of the real response: a "lost response" for idempotency tests.
    ApplyThenStatus(u16),
    /// Answer `429 Too Many Requests` with `Retry-After` (whole seconds), without processing.
    RateLimited(Duration),
}

/// A fault applied to the next `times` requests matching `method` and `path_contains`
/// (`None` matches anything). Faulted requests are still logged. Several faults are
/// consumed in the order they were injected.
#[derive(Debug, Clone)]
pub struct Fault {
    pub method: Option<Method>,
    pub path_contains: Option<String>,
    pub kind: FaultKind,
    pub times: usize,
}

impl Fault {
    /// A fault matching every request, `times` times.
    pub fn new(kind: FaultKind, times: usize) -> Self {
        Fault {
            method: None,
            path_contains: None,
            kind,
            times,
        }
    }

    /// Shorthand for `Fault::new(FaultKind::Status(status), times)`.
    pub fn status(status: u16, times: usize) -> Self {
        Self::new(FaultKind::Status(status), times)
    }

    /// Restrict to one HTTP method.
    pub fn method(mut self, method: Method) -> Self {
        self.method = Some(method);
        self
    }

    /// Restrict to paths containing `fragment`.
    pub fn path_contains(mut self, fragment: impl Into<String>) -> Self {
        self.path_contains = Some(fragment.into());
        self
    }

    fn matches(&self, method: &Method, path: &str) -> bool {
        self.times > 0
            && self.method.as_ref().is_none_or(|m| m == method)
            && self
                .path_contains
                .as_deref()
                .is_none_or(|p| path.contains(p))
    }
}

/// Per-server request log and fault queue, plus how that server spells credentials/errors.
pub(crate) struct Traffic {
    requests: Mutex<Vec<RequestRecord>>,
    faults: Mutex<Vec<Fault>>,
    key_of: fn(&HeaderMap) -> Option<String>,
    error_body: fn(u16) -> Value,
    /// Paths starting with this prefix are neither logged nor faulted (admin routes).
    exempt_prefix: Option<&'static str>,
}

impl Traffic {
    pub(crate) fn new(
        key_of: fn(&HeaderMap) -> Option<String>,
        error_body: fn(u16) -> Value,
        exempt_prefix: Option<&'static str>,
    ) -> Arc<Self> {
        Arc::new(Traffic {
            requests: Mutex::new(Vec::new()),
            faults: Mutex::new(Vec::new()),
            key_of,
            error_body,
            exempt_prefix,
        })
    }

    pub(crate) fn requests(&self) -> Vec<RequestRecord> {
        lock(&self.requests).clone()
    }

    pub(crate) fn clear_requests(&self) {
        lock(&self.requests).clear();
    }

    pub(crate) fn inject(&self, fault: Fault) {
        lock(&self.faults).push(fault);
    }

    pub(crate) fn clear_faults(&self) {
        lock(&self.faults).clear();
    }

    fn take_fault(&self, method: &Method, path: &str) -> Option<FaultKind> {
        let mut faults = lock(&self.faults);
        let fault = faults.iter_mut().find(|f| f.matches(method, path))?;
        fault.times -= 1;
        let kind = fault.kind.clone();
        faults.retain(|f| f.times > 0);
        Some(kind)
    }

    pub(crate) fn error_response(&self, status: u16) -> Response {
        let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let body = (self.error_body)(status);
        if body.is_null() || (300..400).contains(&status) || status == 204 {
            return code.into_response();
        }
        (code, axum::Json(body)).into_response()
    }
}

/// Middleware: log the request, then apply the first matching injected fault, if any.
pub(crate) async fn traffic_layer(
    State(traffic): State<Arc<Traffic>>,
    req: Request,
    next: Next,
) -> Response {
    let path = req.uri().path().to_owned();
    if traffic.exempt_prefix.is_some_and(|p| path.starts_with(p)) {
        return next.run(req).await;
    }
    let method = req.method().clone();
    lock(&traffic.requests).push(RequestRecord {
        at: Instant::now(),
        method: method.clone(),
        path: path.clone(),
        query: req.uri().query().map(str::to_owned),
        api_key: (traffic.key_of)(req.headers()),
    });
    match traffic.take_fault(&method, &path) {
        None => next.run(req).await,
        Some(FaultKind::Status(status)) => traffic.error_response(status),
        Some(FaultKind::RateLimited(after)) => {
            let mut response = traffic.error_response(429);
            if let Ok(v) = axum::http::HeaderValue::from_str(&after.as_secs().to_string()) {
                response
                    .headers_mut()
                    .insert(axum::http::header::RETRY_AFTER, v);
            }
            response
        }
        Some(FaultKind::Drop) => drop_connection(),
        Some(FaultKind::Delay(delay)) => {
            let response = run_detached(next, req).await;
            tokio::time::sleep(delay).await;
            response
        }
        Some(FaultKind::ApplyThenStatus(status)) => {
            let _ = run_detached(next, req).await;
            traffic.error_response(status)
        }
    }
}

/// Run the rest of the stack on its own task so it completes even if the client hangs up.
async fn run_detached(next: Next, req: Request) -> Response {
    match tokio::spawn(next.run(req)).await {
        Ok(response) => response,
        Err(_) => Response::builder()
            .status(StatusCode::INTERNAL_SERVER_ERROR)
            .body(Body::empty())
            .unwrap_or_default(),
    }
}

/// Abort the connection task without a response. axum serves every connection on its own
/// tokio task; unwinding that task drops the socket, so the client sees the connection
/// closed before any response. `resume_unwind` skips the panic hook, so nothing is printed.
fn drop_connection() -> Response {
    std::panic::resume_unwind(Box::new("screenhub-sandbox: injected connection drop"))
}

/// The request log and fault injection every fake exposes, over its `inner.traffic` (a
/// provider fake's admin `/sandbox/…` routes are neither logged nor faulted).
macro_rules! traffic_controls {
    () => {
        /// Every request received so far, in arrival order.
        pub fn requests(&self) -> Vec<$crate::fault::RequestRecord> {
            self.inner.traffic.requests()
        }

        /// Forget the requests received so far.
        pub fn clear_requests(&self) {
            self.inner.traffic.clear_requests();
        }

        /// Misbehave on the next matching requests; see [`Fault`](crate::Fault).
        pub fn inject(&self, fault: $crate::fault::Fault) {
            self.inner.traffic.inject(fault);
        }

        /// Forget all pending injected faults.
        pub fn clear_faults(&self) {
            self.inner.traffic.clear_faults();
        }
    };
}
pub(crate) use traffic_controls;
