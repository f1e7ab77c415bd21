//! AWS SDK clients built on first use. Loading the SDK's configuration builds an HTTPS
//! connector (and an STS client for the web-identity provider), which reads the machine's
//! root certificates; a client that a function never calls (the sweep never reads a secret,
//! a callback never publishes) then costs nothing, and none of it delays the function's
//! start. One configuration per process, shared by every client.

use aws_config::SdkConfig;
use std::sync::Arc;
use tokio::sync::OnceCell;

/// The SDK configuration from the environment (`AWS_REGION`, credentials,
/// `AWS_ENDPOINT_URL_*` …), loaded once, when a client first needs it.
#[derive(Default)]
pub struct Sdk {
    config: OnceCell<SdkConfig>,
}

impl Sdk {
    pub fn from_env() -> Arc<Self> {
        Arc::new(Self::default())
    }

    pub async fn config(&self) -> &SdkConfig {
        self.config
            .get_or_init(|| aws_config::load_defaults(aws_config::BehaviorVersion::latest()))
            .await
    }
}

/// One service client, built from the shared configuration on first use (or given ready).
pub struct SdkClient<C> {
    sdk: Option<Arc<Sdk>>,
    make: fn(&SdkConfig) -> C,
    client: OnceCell<C>,
}

impl<C> SdkClient<C> {
    /// Built from `sdk` by `make` when first used.
    pub fn lazy(sdk: Arc<Sdk>, make: fn(&SdkConfig) -> C) -> Self {
        Self {
            sdk: Some(sdk),
            make,
            client: OnceCell::new(),
        }
    }

    /// Already built.
    pub fn ready(client: C) -> Self {
        Self {
            sdk: None,
            make: |_| unreachable!("a ready client is never built"),
            client: OnceCell::new_with(Some(client)),
        }
    }

    pub async fn get(&self) -> &C {
        self.client
            .get_or_init(|| async {
                let sdk = self.sdk.as_ref().expect("a lazy client has its SDK");
                (self.make)(sdk.config().await)
            })
            .await
    }
}
