//! `screenhub`: run the hub locally, onboard tenants, inspect orders and dead letters.

use clap::{Parser, Subcommand};
use screenhub::adapters::dynamo::{DynamoStore, create_table};
use screenhub::adapters::paylocity_ats::account;
use screenhub::adapters::paylocity_http::PaylocityHttp;
use screenhub::adapters::secrets_manager::SecretsManager;
use screenhub::config::TenantConfig;
use screenhub::domain::TenantId;
use screenhub::ports::secrets::{PartnerSecrets, PaylocityPartner, SecretSource};
use screenhub::ports::{Store, SystemClock, TenantSecrets};
use screenhub_cli::demo;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

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
    /// Run the whole hub on localhost with the embedded store and the sandbox (fake Lever,
    /// Alliance 2020, Backgrounds Online, Accurate, Paylocity and a Cornerstone portal).
    Local {
        #[arg(long, default_value = "127.0.0.1:3000")]
        listen: SocketAddr,
        #[arg(long, default_value = "127.0.0.1:4001")]
        lever: SocketAddr,
        #[arg(long, default_value = "127.0.0.1:4002")]
        alliance: SocketAddr,
        #[arg(long, default_value = "127.0.0.1:4003")]
        backgrounds_online: SocketAddr,
        #[arg(long, default_value = "127.0.0.1:4004")]
        paylocity: SocketAddr,
        #[arg(long, default_value = "127.0.0.1:4005")]
        accurate: SocketAddr,
        #[arg(long, default_value = "127.0.0.1:4006")]
        cornerstone: SocketAddr,
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
    /// Every order of an ATS object with its audit trail (ids, statuses, causes, services,
    /// attention marks; no candidate data).
    Orders {
        #[arg(long, env = "TABLE_NAME")]
        table: String,
        #[arg(long)]
        tenant: String,
        /// The Lever opportunity id, Paylocity's candidateScreeningOrderId or Cornerstone's
        /// ApplicantRefOrderId.
        opportunity: String,
    },
    /// Create or update the deployment's partner secret (`<prefix>partner`: the Paylocity
    /// partner account) from a JSON file (never echoed).
    PartnerSecretPut {
        #[arg(long, env = "SECRETS_PREFIX", default_value = "screenhub/")]
        prefix: String,
        #[arg(long)]
        file: PathBuf,
    },
    /// The partner side of Paylocity: onboarding, packages, the order subscription.
    Paylocity {
        #[arg(long, env = "SECRETS_PREFIX", default_value = "screenhub/")]
        prefix: String,
        #[command(subcommand)]
        command: PaylocityCommand,
    },
    /// An adverse-action step on an order (pre_adverse, cancel, dispute, resolve_dispute,
    /// final); the final notice waits the tenant's business days and for any open dispute.
    AdverseAction {
        #[arg(long, env = "TABLE_NAME")]
        table: String,
        #[arg(long)]
        tenant: String,
        /// The hub's order id (`screenhub orders` shows it).
        #[arg(long)]
        order: String,
        step: String,
    },
    /// A tenant's Lever connection by OAuth: show it, start it (Lever's authorize URL for a
    /// Super Admin), disconnect it.
    #[command(subcommand)]
    Lever(screenhub_cli::lever::LeverCommand),
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

#[derive(Subcommand)]
enum PaylocityCommand {
    /// Set a company's onboarding status (InProgress, Approved, Rejected, Suspended; linear:
    /// InProgress → Approved → Suspended).
    Onboarding {
        #[arg(long)]
        company: String,
        status: String,
    },
    /// Publish a tenant's packages to each of its Paylocity companies (inactive ones too, so
    /// they vanish from Paylocity's UI).
    PublishPackages {
        #[arg(long, env = "TABLE_NAME")]
        table: String,
        #[arg(long)]
        tenant: String,
    },
    /// Register the order subscription: Paylocity posts new orders to `<base>/paylocity/orders`
    /// with the partner secret's first api key, and delivery errors to
    /// `<base>/paylocity/order-errors`.
    Subscribe {
        /// The API's base URL (the stack's ApiUrl output, or your custom domain).
        #[arg(long)]
        base_url: String,
        #[arg(long, default_value = "Screenhub")]
        caller_name: String,
    },
    /// Show the registered order subscription.
    Subscription,
    /// After checking what Paylocity shows for an order marked for attention: take that as
    /// accepted, clear the mark, and send the order's state again from there.
    Resync {
        #[arg(long, env = "TABLE_NAME")]
        table: String,
        #[arg(long)]
        tenant: String,
        /// The hub's order id (`screenhub orders` shows it).
        #[arg(long)]
        order: String,
        /// Paylocity's order status as it shows now (e.g. Hold, InProgress).
        status: String,
        /// A service's status as Paylocity shows it: `"County Criminal=Pending"` (repeatable).
        #[arg(long = "service")]
        services: Vec<String>,
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
            paylocity,
            accurate,
            cornerstone,
            data_dir,
        } => {
            local(demo::LocalOptions {
                hub: listen,
                lever,
                alliance,
                backgrounds_online,
                accurate,
                paylocity,
                cornerstone,
                data_dir,
            })
            .await
        }
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
            let store = DynamoStore::from_env(table).await;
            let mut problems = screenhub::onboarding::problems(&config, secrets.as_ref());
            problems.extend(screenhub::onboarding::company_conflicts(
                &config,
                &store.list_tenants().await?,
            ));
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
            store.put_tenant(&config).await?;
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
        Command::PartnerSecretPut { prefix, file } => partner_secret_put(&prefix, &file).await,
        Command::Paylocity { prefix, command } => paylocity(&prefix, command).await,
        Command::AdverseAction {
            table,
            tenant,
            order,
            step,
        } => {
            let store = DynamoStore::from_env(table).await;
            let id = TenantId::parse(&tenant)?;
            let config = store
                .get_tenant(&id)
                .await?
                .ok_or_else(|| format!("no tenant {id}"))?;
            let order = screenhub::domain::OrderId::parse(&order).ok_or("not an order id")?;
            let step = screenhub::domain::adverse::Step::parse(&step)
                .ok_or("the step is one of pre_adverse, cancel, dispute, resolve_dispute, final")?;
            let now = time::OffsetDateTime::now_utc();
            let order =
                screenhub::operator::adverse_action(&store, &config, order, step, now).await?;
            println!(
                "order {} is now {} (the ATS is told by the dispatcher)",
                order.id,
                order.status.as_str()
            );
            Ok(())
        }
        Command::Lever(command) => {
            print!("{}", screenhub_cli::lever::run(command).await?);
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

/// Write `text` to the secret `name` (created when missing).
async fn put_secret_text(name: &str, text: &str) -> Result<()> {
    let conf = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let client = aws_sdk_secretsmanager::Client::new(&conf);
    let put = client
        .put_secret_value()
        .secret_id(name)
        .secret_string(text)
        .send()
        .await;
    if put.is_err() {
        client
            .create_secret()
            .name(name)
            .secret_string(text)
            .send()
            .await?;
    }
    println!("secret {name} saved");
    Ok(())
}

async fn partner_secret_put(prefix: &str, file: &PathBuf) -> Result<()> {
    let text = std::fs::read_to_string(file)?;
    let _: PartnerSecrets = serde_json::from_str(&text)
        .map_err(|e| format!("not a partner secret: line {}", e.line()))?;
    put_secret_text(&SecretsManager::partner_secret_name(prefix), &text).await
}

/// The deployment's Paylocity partner account, from its secret.
async fn paylocity_partner(prefix: &str) -> Result<PaylocityPartner> {
    let conf = aws_config::load_defaults(aws_config::BehaviorVersion::latest()).await;
    let source = SecretsManager::new(aws_sdk_secretsmanager::Client::new(&conf), prefix);
    source
        .partner_secrets()
        .await?
        .and_then(|p| p.paylocity)
        .ok_or_else(|| {
            format!(
                "no Paylocity partner account: write {} first (screenhub partner-secret-put)",
                SecretsManager::partner_secret_name(prefix)
            )
            .into()
        })
}

/// `screenhub paylocity resync`: no call to Paylocity, the table only.
async fn paylocity_resync(
    table: String,
    tenant: &str,
    order: &str,
    status: &str,
    services: &[String],
) -> Result<()> {
    let shown = paylocity_status(status)?;
    let mut lines = std::collections::BTreeMap::new();
    for s in services {
        let (name, raw) = s
            .rsplit_once('=')
            .ok_or("a service is \"<name>=<status>\"")?;
        lines.insert(name.trim().to_owned(), paylocity_status(raw)?);
    }
    let store = DynamoStore::from_env(table).await;
    let order = screenhub::adapters::paylocity_ats::resync(
        &store,
        &TenantId::parse(tenant)?,
        screenhub::domain::OrderId::parse(order).ok_or("not an order id")?,
        shown,
        &lines,
        time::OffsetDateTime::now_utc(),
    )
    .await?;
    println!(
        "order {} resynced: Paylocity shows {status}; its state ({}) is sent again from there",
        order.id,
        order.status.as_str()
    );
    Ok(())
}

/// A Paylocity order or service status, spelled as Paylocity spells it.
fn paylocity_status<T: serde::de::DeserializeOwned>(raw: &str) -> Result<T> {
    serde_json::from_value(serde_json::Value::String(raw.trim().to_owned())).map_err(|_| {
        format!("{raw:?} is not a Paylocity status (spelled as Paylocity spells it)").into()
    })
}

async fn paylocity(prefix: &str, command: PaylocityCommand) -> Result<()> {
    if let PaylocityCommand::Resync {
        table,
        tenant,
        order,
        status,
        services,
    } = command
    {
        return paylocity_resync(table, &tenant, &order, &status, &services).await;
    }
    let partner = paylocity_partner(prefix).await?;
    let acct = account(&partner);
    let client = PaylocityHttp::new(
        screenhub::outbound::http::HttpClient::new(std::time::Duration::from_secs(20)),
        Arc::new(SystemClock),
    );
    match command {
        PaylocityCommand::Onboarding { company, status } => {
            client.set_onboarding(&acct, &company, &status).await?;
            println!("company {company}: onboarding {status}");
        }
        PaylocityCommand::PublishPackages { table, tenant } => {
            let id = TenantId::parse(&tenant)?;
            let config = DynamoStore::from_env(table)
                .await
                .get_tenant(&id)
                .await?
                .ok_or_else(|| format!("no tenant {id}"))?;
            let settings = config
                .ats
                .paylocity
                .ok_or_else(|| format!("tenant {id} has no ats.paylocity settings"))?;
            let packages: Vec<serde_json::Value> =
                settings.packages.iter().map(|p| p.published()).collect();
            for company in &settings.company_ids {
                client.publish_packages(&acct, company, &packages).await?;
                println!(
                    "company {company}: {} package(s) published ({} active)",
                    packages.len(),
                    settings.packages.iter().filter(|p| p.active).count()
                );
            }
        }
        PaylocityCommand::Subscribe {
            base_url,
            caller_name,
        } => {
            let base = base_url.trim_end_matches('/');
            let key = partner
                .api_keys
                .first()
                .ok_or("the partner secret has no api_keys")?;
            let answer = client
                .subscribe(
                    &acct,
                    &format!("{base}/paylocity/orders"),
                    Some(&format!("{base}/paylocity/order-errors")),
                    key,
                    &caller_name,
                )
                .await?;
            println!("subscription registered: {answer}");
        }
        PaylocityCommand::Resync { .. } => unreachable!("handled before the partner account"),
        PaylocityCommand::Subscription => {
            let answer = client.subscription(&acct).await?;
            println!("{}", serde_json::to_string_pretty(&answer)?);
        }
    }
    Ok(())
}

async fn secrets_put(prefix: &str, tenant: &str, file: &PathBuf) -> Result<()> {
    let id = TenantId::parse(tenant)?;
    let text = std::fs::read_to_string(file)?;
    let _: TenantSecrets = serde_json::from_str(&text)
        .map_err(|e| format!("not a tenant secret: line {}", e.line()))?;
    put_secret_text(&SecretsManager::secret_name(prefix, &id), &text).await
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

/// `screenhub local`: a line on stdin runs a pass now (`fiilter`, `arkive`, `refine`, or all
/// three for an empty line) and prints its report.
async fn run_passes_on_request(passes: Arc<screenhub::passes::PassRunner>) {
    use screenhub::domain::ats::lever_passes::Pass;
    use tokio::io::AsyncBufReadExt;
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let wanted: Vec<Pass> = match line.trim() {
            "" => Pass::ALL.to_vec(),
            name => Pass::ALL
                .into_iter()
                .filter(|p| p.as_str() == name.to_lowercase())
                .collect(),
        };
        if wanted.is_empty() {
            println!("type fiilter, arkive or refine (or Enter for all three)");
        }
        for pass in wanted {
            match passes.run(pass, None).await {
                Ok(report) => println!("{}: {}", pass.display_name(), serde_json::json!(report)),
                Err(e) => println!("{}: failed: {e}", pass.display_name()),
            }
        }
    }
}

async fn local(opts: demo::LocalOptions) -> Result<()> {
    screenhub::telemetry::init_pretty();
    let run = demo::start(opts).await?;
    let b = run.backgrounds_online.base_url();
    let l = run.lever.base_url();
    let a = run.alliance.base_url();
    println!("\nScreenhub is running (embedded store, sandbox mode).");
    println!(
        "  hub API:            {}  (POST /lever/webhooks/{{tenant}}, POST /callbacks/alliance2020/{{tenant}}, POST /callbacks/backgrounds-online/{{tenant}}, POST /callbacks/accurate/{{tenant}}, POST /paylocity/orders, POST /operator/adverse-action/{{tenant}}, GET /operator/lever/{{tenant}}/connect, GET|DELETE /operator/lever/{{tenant}}/connection, GET /lever/oauth/callback, GET /cornerstone/{{tenant}}/api/Packages, POST /cornerstone/{{tenant}}/api/InitiateBackgroundCheck, GET /cornerstone/{{tenant}}/api/Panel/{{reference}}, GET /health)",
        run.hub_url
    );
    println!(
        "  fake Lever API:     {l}  (API key: {}; Basic auth, key as user)",
        demo::LEVER_KEY
    );
    println!("  fake Alliance 2020: {a}");
    println!("  fake Backgrounds Online: {b}");
    let acc = run.accurate.base_url();
    println!(
        "  fake Accurate:      {acc}  (Basic auth {}:{}; requester {})",
        demo::ACCURATE_KEY,
        demo::ACCURATE_SECRET,
        demo::ACCURATE_REQUESTER
    );
    println!("  fake Paylocity:     {}", run.paylocity.base_url());
    println!("  fake Cornerstone:   {}\n", run.cornerstone.base_url());
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
        "  # or a stage move ordering from Accurate Background (its tags: \"Accurate Check: Pending\" …)"
    );
    println!(
        "  curl -s -u {}: -X PUT {l}/opportunities/{k}/stage -H 'content-type: application/json' -d '{{\"stage\":\"{}\"}}'",
        demo::LEVER_KEY,
        demo::ACCURATE_STAGE
    );
    println!(
        "  # Accurate's side: progress, adjudication and completion (each sends a signed postback)"
    );
    println!("  curl -s {acc}/sandbox/orders");
    println!(
        "  curl -s -X POST {acc}/sandbox/orders/ACC-000001/progress -H 'content-type: application/json' -d '{{\"percent\":40}}'"
    );
    println!(
        "  curl -s -X POST {acc}/sandbox/orders/ACC-000001/complete -H 'content-type: application/json' -d '{{\"adjudication\":\"ELIGIBLE\"}}'"
    );
    println!(
        "  curl -s -u {}: {l}/opportunities/{k} | grep -o '\"tags\":[^]]*]'\n",
        demo::LEVER_KEY
    );
    let p = run.paylocity.base_url();
    println!(
        "Paylocity (company {} onboarded, packages published, order subscription registered):",
        demo::PAYLOCITY_COMPANY
    );
    println!(
        "  # a recruiter orders the \"{}\" package in Paylocity (fulfilled by Alliance 2020; \"{}\" by Backgrounds Online)",
        demo::PAYLOCITY_PACKAGE,
        demo::PAYLOCITY_BO_PACKAGE
    );
    println!(
        "  curl -s -X POST {p}/sandbox/orders -H 'content-type: application/json' -d '{{\"companyId\":\"{}\",\"packageId\":\"{}\"}}'",
        demo::PAYLOCITY_COMPANY,
        demo::PAYLOCITY_PACKAGE
    );
    println!("  # its status history in Paylocity (WaitingOnCandidate once Alliance 2020 has it)");
    println!("  curl -s {p}/sandbox/orders/<candidateScreeningOrderId>");
    println!(
        "  # drive Alliance 2020 (in_progress, then complete with a flag) and read the history again"
    );
    println!(
        "  curl -s -X POST {a}/sandbox/orders/<order_id>/advance -H 'content-type: application/json' -d '{{\"status\":\"complete\",\"flag\":true,\"decision\":\"Review\"}}'"
    );
    println!(
        "  # adverse action in the partner app (the hub): the final notice waits 5 business days"
    );
    println!(
        "  curl -s -X POST {}/operator/adverse-action/{} -H 'authorization: Bearer {}' -H 'content-type: application/json' -d '{{\"order_id\":\"<hub order id>\",\"step\":\"pre_adverse\"}}'\n",
        run.hub_url,
        demo::TENANT,
        demo::OPERATOR_KEY
    );
    let c = run.cornerstone.base_url();
    println!(
        "Cornerstone (portal connected to {}/cornerstone/{} as {}):",
        run.hub_url,
        demo::TENANT,
        demo::CORNERSTONE_USER
    );
    println!(
        "  # a recruiter assigns the \"{}\" package (fulfilled by Alliance 2020); the answer carries the hub's reference",
        demo::CORNERSTONE_PACKAGE
    );
    println!(
        "  curl -s -X POST {c}/sandbox/assign -H 'content-type: application/json' -d '{{\"packageId\":\"{}\"}}'",
        demo::CORNERSTONE_PACKAGE
    );
    println!("  # the status callbacks the portal received, and the order's panel");
    println!("  curl -s {c}/sandbox/callbacks/<orderRef>");
    println!(
        "  curl -s -u {}:{} {}/cornerstone/{}/api/Panel/<ProviderReferenceId>\n",
        demo::CORNERSTONE_USER,
        demo::CORNERSTONE_PASSWORD,
        run.hub_url,
        demo::TENANT
    );
    println!("{}", demo::oauth_walkthrough(&run));
    println!(
        "Recruiting passes (FiiLTER, ARKiiVE, REFiiNE) run every {} s here (every 5 minutes deployed):",
        demo::PASSES_EVERY.as_secs()
    );
    for (id, who) in &run.applicants {
        println!("  # {who}: its stage and notes after FiiLTER");
        println!(
            "  curl -s -u {}: {l}/opportunities/{id} | grep -o '\"stage\":\"[^\"]*\"'",
            demo::LEVER_KEY
        );
        println!(
            "  curl -s -u {}: {l}/opportunities/{id}/notes",
            demo::LEVER_KEY
        );
    }
    println!("  # the leads ARKiiVE and REFiiNE created (origin sourced, with their notes)");
    println!(
        "  curl -s -u {}: '{l}/opportunities?origin=sourced&expand=applications'",
        demo::LEVER_KEY
    );
    println!(
        "  # run a pass now: type fiilter, arkive or refine and Enter (Enter alone runs all three)\n"
    );
    tokio::spawn(run_passes_on_request(run.passes.clone()));
    println!("Ctrl-C stops everything.");
    tokio::signal::ctrl_c().await?;
    Ok(())
}
