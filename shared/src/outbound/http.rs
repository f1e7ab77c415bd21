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
