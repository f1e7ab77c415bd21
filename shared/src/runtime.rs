//! Building the hub and the dispatcher for AWS from environment variables, once per container.

use crate::adapters::alliance_http::AllianceHttp;
use crate::adapters::backgrounds_online_http::BackgroundsOnlineHttp;
use crate::adapters::dynamo::DynamoStore;
use crate::adapters::eventbridge::EventBridge;
use crate::adapters::lever_http::LeverHttp;
use crate::adapters::secrets_cache::CachedSecrets;
use crate::adapters::secrets_manager::SecretsManager;
use crate::adapters::tenant_cache::{TENANT_TTL, TenantCache};
use crate::api::{Hub, HubSettings};
use crate::dispatcher::Dispatcher;
use crate::outbound::RetryPolicy;
use crate::outbound::http::HttpClient;
use crate::poll::{PollSettings, TagPoll};
use crate::ports::{Clock, SystemClock};
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

pub struct AwsParts {
    pub store: Arc<DynamoStore>,
    pub secrets: Arc<CachedSecrets>,
    pub clock: Arc<dyn Clock>,
    pub sdk: aws_config::SdkConfig,
}

/// `TABLE_NAME` and `SECRETS_PREFIX` (default `screenhub/`); AWS settings from the usual
/// variables (`AWS_REGION`, `AWS_ENDPOINT_URL_DYNAMODB`, …).
pub async fn aws_parts() -> Result<AwsParts, MissingEnv> {
    let table = required("TABLE_NAME")?;
    let prefix = std::env::var("SECRETS_PREFIX").unwrap_or_else(|_| "screenhub/".into());
    let sdk = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let store = Arc::new(DynamoStore::new(aws_sdk_dynamodb::Client::new(&sdk), table));
    let source = Arc::new(SecretsManager::new(
        aws_sdk_secretsmanager::Client::new(&sdk),
        prefix,
    ));
    let secrets = Arc::new(CachedSecrets::new(source, clock.clone(), SECRETS_TTL));
    Ok(AwsParts {
        store,
        secrets,
        clock,
        sdk,
    })
}

pub async fn aws_hub() -> Result<Hub, MissingEnv> {
    let p = aws_parts().await?;
    Ok(Hub::new(
        p.store,
        p.secrets,
        p.clock,
        HubSettings::default(),
    ))
}

/// One lazily built reqwest client for every outbound API.
pub fn http_client(total: Duration) -> HttpClient {
    HttpClient::new(total)
}

/// Also needs `EVENT_BUS_NAME` and `PUBLIC_BASE_URL`.
pub async fn aws_dispatcher() -> Result<(Dispatcher, Arc<DynamoStore>), MissingEnv> {
    let bus = required("EVENT_BUS_NAME")?;
    let public_base_url = required("PUBLIC_BASE_URL")?;
    let p = aws_parts().await?;
    let http = http_client(Duration::from_secs(10));
    let dispatcher = Dispatcher {
        tenants: Arc::new(TenantCache::new(
            p.store.clone(),
            p.clock.clone(),
            TENANT_TTL,
        )),
        store: p.store.clone(),
        secrets: p.secrets,
        clock: p.clock,
        lever: Arc::new(
            LeverHttp::new(http.clone(), RetryPolicy::default()).with_shared_gate(p.store.clone()),
        ),
        alliance: Arc::new(AllianceHttp::new(http.clone())),
        backgrounds_online: Arc::new(BackgroundsOnlineHttp::new(http)),
        events: Arc::new(EventBridge::new(
            aws_sdk_eventbridge::Client::new(&p.sdk),
            bus,
        )),
        retry: RetryPolicy::new(4, Duration::from_millis(500), Duration::from_secs(8)),
        public_base_url,
    };
    Ok((dispatcher, p.store))
}

/// The Lever tag poll: `TABLE_NAME`, `SECRETS_PREFIX`.
pub async fn aws_tag_poll() -> Result<TagPoll, MissingEnv> {
    let p = aws_parts().await?;
    Ok(TagPoll {
        store: p.store.clone(),
        secrets: p.secrets,
        lever: Arc::new(
            LeverHttp::new(http_client(Duration::from_secs(10)), RetryPolicy::default())
                .with_shared_gate(p.store.clone()),
        ),
        clock: p.clock,
        settings: PollSettings::default(),
    })
}

/// The expiry and retention sweep: `TABLE_NAME`; `PII_RETENTION_DAYS` (default 30).
pub async fn aws_expiry_sweep() -> Result<ExpirySweep, MissingEnv> {
    let retention = match std::env::var("PII_RETENTION_DAYS") {
        Ok(v) => time::Duration::days(
            v.parse::<u16>()
                .map_err(|_| MissingEnv("PII_RETENTION_DAYS (a whole number of days)"))?
                .into(),
        ),
        Err(_) => crate::sweep::DEFAULT_PII_RETENTION,
    };
    let p = aws_parts().await?;
    Ok(ExpirySweep {
        store: p.store,
        clock: p.clock,
        page_size: 100,
        pii_retention: retention,
    })
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
