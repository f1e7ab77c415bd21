//! The composition root: every function's parts built once per container, from environment
//! variables on AWS, from the same [`Composition`] in the end-to-end tests.

use crate::adapters::accurate::Accurate;
use crate::adapters::alliance2020::Alliance2020;
use crate::adapters::aws_sdk::Sdk;
use crate::adapters::backgrounds_online::BackgroundsOnline;
use crate::adapters::cornerstone_ats::CornerstoneAts;
use crate::adapters::dynamo::DynamoStore;
use crate::adapters::eventbridge::EventBridge;
use crate::adapters::lever_ats::LeverAts;
use crate::adapters::lever_http::LeverHttp;
use crate::adapters::lever_oauth::LeverOAuth;
use crate::adapters::paylocity_ats::PaylocityAts;
use crate::adapters::paylocity_http::PaylocityHttp;
use crate::adapters::secrets_cache::CachedSecrets;
use crate::adapters::secrets_manager::SecretsManager;
use crate::adapters::tenant_cache::{TENANT_TTL, TenantCache};
use crate::api::requesters::Requesters;
use crate::api::{Hub, HubSettings};
use crate::dispatcher::Dispatcher;
use crate::lever_connect::LeverConnect;
use crate::outbound::RetryPolicy;
use crate::outbound::http::HttpClient;
use crate::passes::{PassRunner, PassTuning};
use crate::poll::{PollSettings, TagPoll};
use crate::ports::connections::ConnectionStore;
use crate::ports::events::EventPublisher;
use crate::ports::profiles::ProfileStore;
use crate::ports::secrets::SecretSource;
use crate::ports::store::Store;
use crate::ports::{Clock, RateGate, SystemClock};
use crate::registry::Registry;
use crate::status_poll::{StatusPoll, StatusPollSettings};
use crate::sweep::ExpirySweep;
use std::sync::Arc;
use std::time::Duration;

#[derive(Debug, thiserror::Error)]
#[error("missing required environment variable {0}")]
pub struct MissingEnv(pub &'static str);

fn required(name: &'static str) -> Result<String, MissingEnv> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .ok_or(MissingEnv(name))
}

/// Secrets are cached this long in a warm container.
pub const SECRETS_TTL: time::Duration = time::Duration::minutes(5);

/// The knobs of a deployment (production values by default; tests shorten waits).
#[derive(Clone, Debug)]
pub struct Tuning {
    /// Bounds every outbound HTTP request end to end.
    pub http_timeout: Duration,
    /// Retries inside one Lever call (429, 5xx, timeouts).
    pub lever_retry: RetryPolicy,
    /// Attempts of one outbox effect, across runs.
    pub effect_retry: RetryPolicy,
    pub hub: HubSettings,
    pub poll: PollSettings,
    /// How long candidate data is kept after an order ends.
    pub pii_retention: time::Duration,
    /// Orders read per page by the sweep.
    pub sweep_page: usize,
    /// How much one run of the provider status poll reads.
    pub status_poll: StatusPollSettings,
}

impl Default for Tuning {
    fn default() -> Self {
        Self {
            http_timeout: Duration::from_secs(10),
            lever_retry: RetryPolicy::default(),
            effect_retry: RetryPolicy::new(4, Duration::from_millis(500), Duration::from_secs(8)),
            hub: HubSettings::default(),
            poll: PollSettings::default(),
            pii_retention: crate::sweep::DEFAULT_PII_RETENTION,
            sweep_page: 100,
            status_poll: StatusPollSettings::default(),
        }
    }
}

/// The one composition of the hub's parts, shared by every function and by the end-to-end
/// tests: the caches, the outbound clients (the Lever client behind the deployment-wide
/// per-tenant rate budget kept in the table) and what each function runs.
#[derive(Clone)]
pub struct Composition {
    pub store: Arc<dyn Store>,
    /// The candidate database of the recruiting passes (the same table).
    pub profiles: Arc<dyn ProfileStore>,
    pub secrets: Arc<CachedSecrets>,
    pub tenants: Arc<TenantCache>,
    pub clock: Arc<dyn Clock>,
    pub http: HttpClient,
    pub lever: Arc<LeverHttp>,
    /// The tenants' Lever grants (OAuth), shared by the Lever client and the connect routes.
    pub lever_oauth: Arc<LeverOAuth>,
    pub paylocity: Arc<PaylocityHttp>,
    pub tuning: Tuning,
}

impl Composition {
    /// `rate_gate` holds every container of the deployment to each tenant's Lever rate
    /// (the DynamoDB store is one); without it the rate holds per process.
    pub fn new<S: Store + ProfileStore + ConnectionStore + 'static>(
        store: Arc<S>,
        rate_gate: Option<Arc<dyn RateGate>>,
        secrets: Arc<dyn SecretSource>,
        clock: Arc<dyn Clock>,
        tuning: Tuning,
    ) -> Self {
        let http = HttpClient::new(tuning.http_timeout);
        let secrets = Arc::new(CachedSecrets::new(secrets, clock.clone(), SECRETS_TTL));
        let connections: Arc<dyn ConnectionStore> = store.clone();
        let lever_oauth = Arc::new(LeverOAuth::new(
            http.clone(),
            secrets.clone(),
            connections,
            clock.clone(),
        ));
        let mut lever =
            LeverHttp::new(http.clone(), tuning.lever_retry).with_oauth(lever_oauth.clone());
        if let Some(gate) = rate_gate {
            lever = lever.with_shared_gate(gate);
        }
        let lever = Arc::new(lever);
        let paylocity = Arc::new(PaylocityHttp::new(http.clone(), clock.clone()));
        let profiles: Arc<dyn ProfileStore> = store.clone();
        let store: Arc<dyn Store> = store;
        Self {
            paylocity,
            profiles,
            secrets,
            tenants: Arc::new(TenantCache::new(store.clone(), clock.clone(), TENANT_TTL)),
            store,
            clock,
            http,
            lever,
            lever_oauth,
            tuning,
        }
    }

    /// Connecting tenants' Lever accounts by OAuth; the redirect URI and the webhook URLs
    /// are under `public_base_url`.
    pub fn lever_connect(&self, public_base_url: String) -> LeverConnect {
        LeverConnect {
            oauth: self.lever_oauth.clone(),
            lever: self.lever.clone(),
            store: self.store.clone(),
            clock: self.clock.clone(),
            public_base_url,
        }
    }

    /// The schedule that keeps OAuth grants alive.
    pub fn grant_refresh(&self) -> crate::lever_refresh::GrantRefresh {
        crate::lever_refresh::GrantRefresh {
            oauth: self.lever_oauth.clone(),
            clock: self.clock.clone(),
        }
    }

    /// The inbound HTTP routes, with the Lever connect routes.
    pub fn hub_with_lever_connect(&self, public_base_url: String) -> Hub {
        Hub {
            lever_connect: Some(Arc::new(self.lever_connect(public_base_url))),
            ..self.hub()
        }
    }

    /// The inbound HTTP routes (asking the providers whether an ordering user is a
    /// requester).
    pub fn hub(&self) -> Hub {
        let settings = self.tuning.hub.clone();
        Hub {
            store: self.store.clone(),
            secrets: self.secrets.clone(),
            tenants: self.tenants.clone(),
            clock: self.clock.clone(),
            requesters: Arc::new(Requesters::new(
                Some(self.registry()),
                settings.requester_timeout,
                settings.requester_ttl,
            )),
            settings,
            lever_connect: None,
        }
    }

    /// The one registry of adapters: every ATS and provider kind, each wrapped in what all
    /// share (the Lever client carries the deployment-wide rate budget and retries).
    pub fn registry(&self) -> Registry {
        Registry {
            lever: Arc::new(LeverAts::new(self.lever.clone())),
            paylocity: Arc::new(PaylocityAts::new(
                self.paylocity.clone(),
                self.store.clone(),
                self.secrets.clone(),
                self.clock.clone(),
            )),
            cornerstone: Arc::new(CornerstoneAts::new(
                self.tuning.http_timeout,
                self.store.clone(),
                self.clock.clone(),
            )),
            alliance2020: Arc::new(Alliance2020::new(self.http.clone())),
            backgrounds_online: Arc::new(BackgroundsOnline::new(self.http.clone())),
            accurate: Arc::new(Accurate::new(self.http.clone())),
        }
    }

    /// The effects dispatcher; provider callbacks are addressed under `public_base_url`.
    pub fn dispatcher(
        &self,
        events: Arc<dyn EventPublisher>,
        public_base_url: String,
    ) -> Dispatcher {
        Dispatcher {
            store: self.store.clone(),
            profiles: self.profiles.clone(),
            tenants: self.tenants.clone(),
            secrets: self.secrets.clone(),
            clock: self.clock.clone(),
            registry: self.registry(),
            events,
            retry: self.tuning.effect_retry,
            public_base_url,
        }
    }

    pub fn tag_poll(&self) -> TagPoll {
        TagPoll {
            store: self.store.clone(),
            secrets: self.secrets.clone(),
            lever: self.lever.clone(),
            clock: self.clock.clone(),
            settings: self.tuning.poll.clone(),
        }
    }

    /// The recruiting passes (FiiLTER, ARKiiVE, REFiiNE).
    pub fn passes(&self) -> PassRunner {
        PassRunner {
            store: self.store.clone(),
            profiles: self.profiles.clone(),
            secrets: self.secrets.clone(),
            lever: self.lever.clone(),
            clock: self.clock.clone(),
            tuning: PassTuning::default(),
        }
    }

    pub fn sweep(&self) -> ExpirySweep {
        ExpirySweep {
            store: self.store.clone(),
            clock: self.clock.clone(),
            page_size: self.tuning.sweep_page,
            pii_retention: self.tuning.pii_retention,
        }
    }
}

impl Composition {
    /// The scheduled status poll of orders in flight with providers whose status can be read.
    pub fn status_poll(&self) -> StatusPoll {
        StatusPoll {
            store: self.store.clone(),
            tenants: self.tenants.clone(),
            secrets: self.secrets.clone(),
            registry: self.registry(),
            clock: self.clock.clone(),
            settings: self.tuning.status_poll.clone(),
        }
    }
}

/// The composition from the environment: `TABLE_NAME`, `SECRETS_PREFIX` (default
/// `screenhub/`), `PII_RETENTION_DAYS` (default 30); AWS settings from the usual variables
/// (`AWS_REGION`, `AWS_ENDPOINT_URL_DYNAMODB`, …), read when a client is first used. Also
/// returns the SDK handle the clients share.
pub async fn from_env() -> Result<(Composition, Arc<Sdk>), MissingEnv> {
    let table = required("TABLE_NAME")?;
    let prefix = std::env::var("SECRETS_PREFIX").unwrap_or_else(|_| "screenhub/".into());
    let mut tuning = Tuning::default();
    if let Ok(v) = std::env::var("PII_RETENTION_DAYS") {
        tuning.pii_retention = time::Duration::days(
            v.parse::<u16>()
                .map_err(|_| MissingEnv("PII_RETENTION_DAYS (a whole number of days)"))?
                .into(),
        );
    }
    Ok(deployment(table, prefix, tuning))
}

/// The composition over the deployment's table `table` and its secrets under `prefix`, AWS
/// settings from the usual variables (what [`from_env`] builds; the CLI names the table and
/// the prefix itself).
pub fn deployment(table: String, prefix: String, tuning: Tuning) -> (Composition, Arc<Sdk>) {
    let sdk = Sdk::from_env();
    let store = Arc::new(DynamoStore::lazy(sdk.clone(), table));
    let source = Arc::new(SecretsManager::lazy(sdk.clone(), prefix));
    let parts = Composition::new(
        store.clone(),
        Some(store),
        source,
        Arc::new(SystemClock),
        tuning,
    );
    (parts, sdk)
}

pub async fn aws_hub() -> Result<Hub, MissingEnv> {
    Ok(from_env().await?.0.hub())
}

/// The hub with the Lever connect routes; also needs `PUBLIC_BASE_URL`.
pub async fn aws_lever_connect_hub() -> Result<Hub, MissingEnv> {
    let public_base_url = required("PUBLIC_BASE_URL")?;
    Ok(from_env().await?.0.hub_with_lever_connect(public_base_url))
}

/// Keeps every OAuth-connected tenant's Lever grant fresh.
pub async fn aws_lever_refresh() -> Result<crate::lever_refresh::GrantRefresh, MissingEnv> {
    Ok(from_env().await?.0.grant_refresh())
}

/// One lazily built reqwest client for every outbound API.
pub fn http_client(total: Duration) -> HttpClient {
    HttpClient::new(total)
}

/// Also needs `EVENT_BUS_NAME` and `PUBLIC_BASE_URL`.
pub async fn aws_dispatcher() -> Result<Dispatcher, MissingEnv> {
    let bus = required("EVENT_BUS_NAME")?;
    let public_base_url = required("PUBLIC_BASE_URL")?;
    let (parts, sdk) = from_env().await?;
    let events = Arc::new(EventBridge::lazy(sdk, bus));
    Ok(parts.dispatcher(events, public_base_url))
}

/// The Lever tag poll.
pub async fn aws_tag_poll() -> Result<TagPoll, MissingEnv> {
    Ok(from_env().await?.0.tag_poll())
}

/// The recruiting passes.
pub async fn aws_passes() -> Result<PassRunner, MissingEnv> {
    Ok(from_env().await?.0.passes())
}

/// The expiry and retention sweep.
pub async fn aws_expiry_sweep() -> Result<ExpirySweep, MissingEnv> {
    Ok(from_env().await?.0.sweep())
}

/// The provider status poll.
pub async fn aws_status_poll() -> Result<StatusPoll, MissingEnv> {
    Ok(from_env().await?.0.status_poll())
}

/// What one more try may take at most (an HTTP call's 10 s timeout plus the store writes):
/// no retry starts with less than this left before the invocation's deadline.
pub const ATTEMPT_MARGIN: Duration = Duration::from_secs(12);

/// The invocation's deadline (milliseconds since the epoch, from the runtime API) on the
/// monotonic clock that timers use.
pub fn invocation_deadline(deadline_ms: u64) -> tokio::time::Instant {
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default();
    tokio::time::Instant::now() + Duration::from_millis(deadline_ms.saturating_sub(now_ms))
}

/// When a scheduled function should stop starting new work: `margin` before the Lambda
/// invocation's deadline (milliseconds since the epoch, from the runtime API).
pub fn deadline_before(invocation_deadline_ms: u64, margin: Duration) -> std::time::Instant {
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default();
    let left = Duration::from_millis(invocation_deadline_ms.saturating_sub(now_ms));
    std::time::Instant::now() + left.saturating_sub(margin)
}
