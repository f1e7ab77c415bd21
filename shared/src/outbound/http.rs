//! The outbound HTTP client (reqwest + rustls), built once per container on first use.
//! Building it loads the system's root certificates (hundreds of files), so doing it lazily
//! keeps Lambda init fast, the way the AWS SDK defers its own TLS setup to the first call.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

#[derive(Clone)]
pub struct HttpClient {
    timeout: Duration,
    cell: Arc<OnceLock<reqwest::Client>>,
}

impl HttpClient {
    /// `timeout` bounds every request end to end; connecting is bounded at 3 s.
    pub fn new(timeout: Duration) -> Self {
        Self {
            timeout,
            cell: Arc::new(OnceLock::new()),
        }
    }

    pub fn get(&self) -> &reqwest::Client {
        self.cell.get_or_init(|| {
            reqwest::Client::builder()
                .connect_timeout(Duration::from_secs(3).min(self.timeout))
                .timeout(self.timeout)
                .user_agent(concat!("screenhub/", env!("CARGO_PKG_VERSION")))
                .build()
                .expect("static client configuration is valid")
        })
    }
}

/// The answer's body, refused (as a transport error's text) when it is larger than `cap`:
/// a misbehaving vendor cannot make the function read without bound.
pub async fn read_capped(mut resp: reqwest::Response, cap: usize) -> Result<Vec<u8>, String> {
    if resp.content_length().is_some_and(|n| n > cap as u64) {
        return Err("answer too large".into());
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| {
        if e.is_timeout() {
            "timeout".to_owned()
        } else {
            "body".to_owned()
        }
    })? {
        if body.len() + chunk.len() > cap {
            return Err("answer too large".into());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}
