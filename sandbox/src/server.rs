//! Small shared plumbing: binding and serving, clocks, locks, the outbound HTTP client.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::http::{HeaderMap, header};
use tokio::net::{TcpListener, ToSocketAddrs};

/// Lock a std mutex, recovering from poisoning (a panicking test must not wedge the fake).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Bind `addr`; returns the listener and the address actually bound.
pub(crate) async fn bind(addr: impl ToSocketAddrs) -> std::io::Result<(TcpListener, SocketAddr)> {
    let listener = TcpListener::bind(addr).await?;
    let local = listener.local_addr()?;
    Ok((listener, local))
}

/// Serve `router` on a spawned task until the runtime shuts down.
pub(crate) fn serve(listener: TcpListener, router: Router) {
    tokio::spawn(async move {
        if let Err(err) = axum::serve(listener, router).await {
            tracing::error!(%err, "sandbox server stopped");
        }
    });
}

/// The time a fake stamps (`updatedAt`, `triggeredAt`) and signs callbacks with: the system
/// clock, unless a test hands the fake its own clock so that moving time forward in the test
/// moves the fake's time with it.
#[derive(Clone, Default)]
pub struct SandboxClock(Option<Arc<dyn Fn() -> i64 + Send + Sync>>);

impl SandboxClock {
    /// A clock reading `now_ms` (milliseconds since the Unix epoch).
    pub fn from_fn(now_ms: impl Fn() -> i64 + Send + Sync + 'static) -> Self {
        Self(Some(Arc::new(now_ms)))
    }

    /// Milliseconds since the Unix epoch.
    pub fn now_ms(&self) -> i64 {
        match &self.0 {
            Some(f) => f(),
            None => now_ms(),
        }
    }

    /// Whole seconds since the Unix epoch.
    pub fn unix(&self) -> i64 {
        self.now_ms().div_euclid(1000)
    }
}

/// Milliseconds since the Unix epoch (system clock).
pub(crate) fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// Client for outbound deliveries (webhooks, callbacks): no redirects followed, so a 3xx
/// counts as a failed delivery, as Lever documents.
pub(crate) fn http_client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(10))
        .build()
        .expect("building a plain HTTP client cannot fail")
}

/// The HTTP status of a finished request, or 0 when there was no response at all.
pub(crate) fn status_or_zero(result: Result<reqwest::Response, reqwest::Error>) -> u16 {
    result.map(|r| r.status().as_u16()).unwrap_or(0)
}

/// The Bearer token of a request (the providers' API key).
pub(crate) fn bearer(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    value.strip_prefix("Bearer ").map(|t| t.trim().to_owned())
}

/// The non-blank text at `path` in a JSON request body.
pub(crate) fn text<'a>(v: &'a serde_json::Value, path: &[&str]) -> Option<&'a str> {
    path.iter()
        .try_fold(v, |v, k| v.get(k))
        .and_then(serde_json::Value::as_str)
        .filter(|s| !s.trim().is_empty())
}
