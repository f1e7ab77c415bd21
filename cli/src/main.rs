//! `screenhub`: run the hub locally, onboard tenants, inspect orders and dead letters.

use clap::{Parser, Subcommand};
use screenhub::adapters::dynamo::{DynamoStore, create_table};
use screenhub::adapters::secrets_manager::SecretsManager;
use screenhub::config::TenantConfig;
use screenhub::domain::TenantId;
use screenhub::ports::secrets::SecretSource;
use screenhub::ports::{Store, TenantSecrets};
use screenhub_cli::demo;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "screenhub",
    version,
    about = "Screenhub: ATS ↔ background-screening hub"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the whole hub on localhost with the embedded store and the sandbox (fake Lever and Alliance 2020).
    Local {
        #[arg(long, default_value = "127.0.0.1:3000")]
        listen: SocketAddr,
        #[arg(long, default_value = "127.0.0.1:4001")]
        lever: SocketAddr,
        #[arg(long, default_value = "127.0.0.1:4002")]
        alliance: SocketAddr,
        #[arg(long, default_value = "127.0.0.1:4003")]
        backgrounds_online: SocketAddr,
        /// Where the local secrets file is written.
        #[arg(long, default_value = "local/state")]
        data_dir: PathBuf,
    },
    /// Write a tenant's configuration (JSON, see docs/tenant.example.json) to the table.
    TenantPut {
        #[arg(long, env = "TABLE_NAME")]
        table: String,
        #[arg(long)]
        file: PathBuf,
        /// Where the tenant's secret is (`<prefix>tenants/<tenant>`), checked before saving.
        #[arg(long, env = "SECRETS_PREFIX", default_value = "screenhub/")]
        prefix: String,
        /// Save even when the tenant is not ready (its problems are still printed).
        #[arg(long)]
        force: bool,
    },
    /// Print a tenant's configuration.
    TenantShow {
        #[arg(long, env = "TABLE_NAME")]
        table: String,
        tenant: String,
    },
    /// Create or update a tenant's secret in Secrets Manager from a JSON file (never echoed).
    SecretsPut {
        #[arg(long, env = "SECRETS_PREFIX", default_value = "screenhub/")]
        prefix: String,
        #[arg(long)]
        tenant: String,
        #[arg(long)]
        file: PathBuf,
    },
    /// Create the table (for DynamoDB Local; on AWS the SAM template creates it).
    TableCreate {
        #[arg(long, env = "TABLE_NAME")]
        table: String,
    },
    /// List dead-lettered effects.
    DeadLetters {
        #[arg(long, env = "TABLE_NAME")]
        table: String,
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// Every order of a Lever opportunity with its audit trail (ids, statuses, causes; no
    /// candidate data).
    Orders {
        #[arg(long, env = "TABLE_NAME")]
        table: String,
        #[arg(long)]
        tenant: String,
        /// The Lever opportunity id.
        opportunity: String,
    },
    /// Print a freshly signed Lever webhook as an API Gateway event (for `cargo lambda invoke`).
    SampleLeverWebhook {
        #[arg(long, default_value = "demo")]
        tenant: String,
        #[arg(long, default_value = "demo-signature-token")]
        signature_token: String,
        #[arg(long, default_value = "opp-demo-1")]
        opportunity: String,
        #[arg(long, default_value = demo::TRIGGER_STAGE)]
        to_stage: String,
    },
}

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

#[tokio::main]
async fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Local {
            listen,
            lever,
            alliance,
            backgrounds_online,
            data_dir,
        } => local(listen, lever, alliance, backgrounds_online, data_dir).await,
        Command::TenantPut {
            table,
            file,
            prefix,
            force,
        } => {
            let config: TenantConfig = serde_json::from_slice(&std::fs::read(&file)?)?;
            let conf = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
            let source = SecretsManager::new(aws_sdk_secretsmanager::Client::new(&conf), prefix);
            let secrets = source.tenant_secrets(&config.id).await?;
            let problems = screenhub::onboarding::problems(&config, secrets.as_ref());
            for p in &problems {
                eprintln!("not ready: {p}");
            }
            if !problems.is_empty() && !force {
                return Err(format!(
                    "tenant {} not saved: {} problem(s); fix them or pass --force",
                    config.id,
                    problems.len()
                )
                .into());
            }
            DynamoStore::from_env(table)
                .await
                .put_tenant(&config)
                .await?;
            println!("tenant {} saved", config.id);
            Ok(())
        }
        Command::TenantShow { table, tenant } => {
            let id = TenantId::parse(&tenant)?;
            match DynamoStore::from_env(table).await.get_tenant(&id).await? {
                Some(cfg) => println!("{}", serde_json::to_string_pretty(&cfg)?),
                None => println!("no tenant {id}"),
            }
            Ok(())
        }
        Command::SecretsPut {
            prefix,
            tenant,
            file,
        } => secrets_put(&prefix, &tenant, &file).await,
        Command::TableCreate { table } => {
            let conf = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
            create_table(&aws_sdk_dynamodb::Client::new(&conf), &table).await?;
            println!("table {table} created");
            Ok(())
        }
        Command::DeadLetters { table, limit } => {
            for letter in DynamoStore::from_env(table)
                .await
                .dead_letters(limit)
                .await?
            {
                println!(
                    "{} tenant={} effect={} failed_at={} error={}",
                    letter.item.id,
                    letter.item.tenant,
                    letter.item.effect.name(),
                    letter.failed_at,
                    letter.error
                );
            }
            Ok(())
        }
        Command::Orders {
            table,
            tenant,
            opportunity,
        } => {
            let store = DynamoStore::from_env(table).await;
            let tenant = TenantId::parse(&tenant)?;
            let orders = store.orders_of_opportunity(&tenant, &opportunity).await?;
            if orders.is_empty() {
                println!("no orders for opportunity {opportunity} of tenant {tenant}");
            }
            for order in orders {
                let trail = store.audit_trail(order.id).await?;
                print!("{}", screenhub_cli::report::order_report(&order, &trail));
            }
            Ok(())
        }
        Command::SampleLeverWebhook {
            tenant,
            signature_token,
            opportunity,
            to_stage,
        } => {
            println!(
                "{}",
                sample_lever_event(&tenant, &signature_token, &opportunity, &to_stage)
            );
            Ok(())
        }
    }
}

async fn secrets_put(prefix: &str, tenant: &str, file: &PathBuf) -> Result<()> {
    let id = TenantId::parse(tenant)?;
    let text = std::fs::read_to_string(file)?;
    let _: TenantSecrets = serde_json::from_str(&text)
        .map_err(|e| format!("not a tenant secret: line {}", e.line()))?;
    let name = SecretsManager::secret_name(prefix, &id);
    let conf = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let client = aws_sdk_secretsmanager::Client::new(&conf);
    let put = client
        .put_secret_value()
        .secret_id(&name)
        .secret_string(&text)
        .send()
        .await;
    if put.is_err() {
        client
            .create_secret()
            .name(&name)
            .secret_string(&text)
            .send()
            .await?;
    }
    println!("secret {name} saved");
    Ok(())
}

fn sample_lever_event(tenant: &str, key: &str, opportunity: &str, to_stage: &str) -> String {
    let triggered_at = (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64;
    let token = uuid::Uuid::new_v4().simple().to_string();
    let signature =
        screenhub::webhooks::lever::sign(key.as_bytes(), &token, &triggered_at.to_string());
    let body = serde_json::json!({
        "triggeredAt": triggered_at, "event": "candidateStageChange", "token": token, "signature": signature,
        "data": { "opportunityId": opportunity, "candidateId": opportunity, "contactId": "contact-1",
                  "toStageId": to_stage, "fromStageId": "applicant-new" }
    })
    .to_string();
    let path = format!("/lever/webhooks/{tenant}");
    serde_json::json!({
        "version": "2.0", "routeKey": "POST /lever/webhooks/{tenant}", "rawPath": path, "rawQueryString": "",
        "headers": { "content-type": "application/json", "user-agent": "Lever-Webhooks" },
        "pathParameters": { "tenant": tenant },
        "requestContext": { "accountId": "123456789012", "apiId": "local", "domainName": "localhost",
            "domainPrefix": "localhost", "requestId": uuid::Uuid::new_v4().to_string(),
            "routeKey": "POST /lever/webhooks/{tenant}", "stage": "$default", "time": "22/Nov/2026:00:00:00 +0000",
            "timeEpoch": triggered_at,
            "http": { "method": "POST", "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "Lever-Webhooks" } },
        "body": body, "isBase64Encoded": false
    })
    .to_string()
}

async fn local(
    listen: SocketAddr,
    lever: SocketAddr,
    alliance: SocketAddr,
    backgrounds_online: SocketAddr,
    data_dir: PathBuf,
) -> Result<()> {
    screenhub::telemetry::init_pretty();
    let run = demo::start(demo::LocalOptions {
        hub: listen,
        lever,
        alliance,
        backgrounds_online,
        data_dir,
    })
    .await?;
    let b = run.backgrounds_online.base_url();
    let l = run.lever.base_url();
    let a = run.alliance.base_url();
    println!("\nScreenhub is running (embedded store, sandbox mode).");
    println!(
        "  hub API:            {}  (POST /lever/webhooks/{{tenant}}, POST /callbacks/alliance2020/{{tenant}}, POST /callbacks/backgrounds-online/{{tenant}}, GET /health)",
        run.hub_url
    );
    println!(
        "  fake Lever API:     {l}  (API key: {}; Basic auth, key as user)",
        demo::LEVER_KEY
    );
    println!("  fake Alliance 2020: {a}");
    println!("  fake Backgrounds Online: {b}\n");
    println!("Try it:");
    for (id, who) in &run.opportunities {
        println!("  # {who}: move to the Background Check stage, then read tags and notes");
        println!(
            "  curl -s -u {}: -X PUT {l}/opportunities/{id}/stage -H 'content-type: application/json' -d '{{\"stage\":\"{}\"}}'",
            demo::LEVER_KEY,
            demo::TRIGGER_STAGE
        );
        println!(
            "  curl -s -u {}: {l}/opportunities/{id} | grep -o '\"tags\":[^]]*]'",
            demo::LEVER_KEY
        );
        println!(
            "  curl -s -u {}: {l}/opportunities/{id}/notes",
            demo::LEVER_KEY
        );
    }
    println!("  # the provider's side: list orders, then complete one (sends a signed callback)");
    println!("  curl -s {a}/sandbox/orders");
    println!(
        "  curl -s -X POST {a}/sandbox/orders/<order_id>/advance -H 'content-type: application/json' -d '{{\"status\":\"complete\",\"flag\":false,\"decision\":\"Eligible\"}}'\n"
    );
    if let Some((id, _)) = run.opportunities.first() {
        println!(
            "Backgrounds Online (tag-driven; the tag poll runs every {} s here, every 5 minutes deployed):",
            demo::POLL_EVERY.as_secs()
        );
        println!(
            "  # add the Start tag to Ada (optionally \"Package: Premium\" too), wait a few seconds, read tags"
        );
        println!(
            "  curl -s -u {}: -X POST {l}/opportunities/{id}/addTags -H 'content-type: application/json' -d '{{\"tags\":[\"Backgrounds Online Start\"]}}'",
            demo::LEVER_KEY
        );
        println!(
            "  curl -s -u {}: {l}/opportunities/{id} | grep -o '\"tags\":[^]]*]'",
            demo::LEVER_KEY
        );
        println!(
            "  # the provider's side: the candidate submits, then the result comes in (clear or review)"
        );
        println!("  curl -s {b}/sandbox/orders");
        println!("  curl -s -X POST {b}/sandbox/orders/BO-000001/submit");
        println!(
            "  curl -s -X POST {b}/sandbox/orders/BO-000001/complete -H 'content-type: application/json' -d '{{\"result\":\"clear\"}}'"
        );
        println!(
            "  # or cancel while it awaits the candidate: add the tag \"Backgrounds Online Cancel\"\n"
        );
        println!(
            "Deleting a candidate in Lever stops their checks and removes their data from every order at once:"
        );
        println!(
            "  curl -s -u {}: -X POST {}/sandbox/opportunities/{id}/delete\n",
            demo::LEVER_KEY,
            l.trim_end_matches("/v1")
        );
    }
    let k = &run.pairing_candidate;
    println!(
        "Pairings by configuration alone (routes of the demo tenant, no code): Katherine Johnson"
    );
    println!(
        "  # a stage move ordering from Backgrounds Online (its tags: \"Backgrounds Online Check: Pending\" …)"
    );
    println!(
        "  curl -s -u {}: -X PUT {l}/opportunities/{k}/stage -H 'content-type: application/json' -d '{{\"stage\":\"{}\"}}'",
        demo::LEVER_KEY,
        demo::BO_STAGE
    );
    println!(
        "  # or a tag ordering from Alliance 2020 (its tags: \"Alliance 2020 Check: Pending\" …)"
    );
    println!(
        "  curl -s -u {}: -X POST {l}/opportunities/{k}/addTags -H 'content-type: application/json' -d '{{\"tags\":[\"{}\"]}}'",
        demo::LEVER_KEY,
        demo::ALLIANCE_START_TAG
    );
    println!(
        "  curl -s -u {}: {l}/opportunities/{k} | grep -o '\"tags\":[^]]*]'\n",
        demo::LEVER_KEY
    );
    println!("Ctrl-C stops everything.");
    tokio::signal::ctrl_c().await?;
    Ok(())
}
