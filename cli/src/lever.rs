//! `screenhub lever …`: a tenant's Lever connection by OAuth, the way partner apps are
//! connected. Show it (method, status, scopes, access-token expiry, the webhooks the hub
//! registered; never a token), start it (Lever's authorize URL for a Super Admin), and
//! disconnect it. The same [`LeverConnect`] service as the connect routes, over the
//! deployment's table and secrets.

use clap::{Args, Subcommand};
use screenhub::api::lever_connect::connection_view;
use screenhub::config::TenantConfig;
use screenhub::domain::TenantId;
use screenhub::domain::ats::lever_oauth::WEBHOOK_EVENTS;
use screenhub::lever_connect::{LeverConnect, Started};
use screenhub::runtime::{Composition, Tuning};
use std::fmt::Write as _;

pub type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

/// Where the deployment keeps its state.
#[derive(Args, Clone, Debug)]
pub struct Deployment {
    #[arg(long, env = "TABLE_NAME")]
    pub table: String,
    /// Where the secrets are (`<prefix>partner` holds the Lever app, `<prefix>tenants/<id>`
    /// the tenant's grant).
    #[arg(long, env = "SECRETS_PREFIX", default_value = "screenhub/")]
    pub prefix: String,
}

#[derive(Subcommand, Clone, Debug)]
pub enum LeverCommand {
    /// Show the tenant's Lever connection: method, status, scopes, when the access token
    /// expires, the webhooks the hub registered (never a token).
    Show {
        #[command(flatten)]
        deployment: Deployment,
        #[arg(long)]
        tenant: String,
    },
    /// Start connecting the tenant's Lever account: print Lever's authorize URL (single use,
    /// valid 15 minutes) for a Lever Super Admin to open.
    Connect {
        #[command(flatten)]
        deployment: Deployment,
        #[arg(long)]
        tenant: String,
        /// The API's base URL (the stack's ApiUrl output or your custom domain): the
        /// redirect URI registered with Lever and the webhook URLs hang off it.
        #[arg(long, env = "PUBLIC_BASE_URL")]
        public_base_url: String,
    },
    /// Disconnect: delete the hub's webhooks in Lever and forget the grant (then revoke the
    /// app in Lever under Settings → Integrations and API → Authorized Apps).
    Disconnect {
        #[command(flatten)]
        deployment: Deployment,
        #[arg(long)]
        tenant: String,
        #[arg(long, env = "PUBLIC_BASE_URL")]
        public_base_url: String,
    },
}

/// Run `command` against the deployment it names; the text to print.
pub async fn run(command: LeverCommand) -> Result<String> {
    let parts = |d: &Deployment| {
        screenhub::runtime::deployment(d.table.clone(), d.prefix.clone(), Tuning::default()).0
    };
    match command {
        LeverCommand::Show { deployment, tenant } => {
            let view = show(&parts(&deployment), &TenantId::parse(&tenant)?).await?;
            Ok(format!("{}\n", serde_json::to_string_pretty(&view)?))
        }
        LeverCommand::Connect {
            deployment,
            tenant,
            public_base_url,
        } => {
            connect(
                &parts(&deployment),
                &TenantId::parse(&tenant)?,
                &public_base_url,
            )
            .await
        }
        LeverCommand::Disconnect {
            deployment,
            tenant,
            public_base_url,
        } => {
            disconnect(
                &parts(&deployment),
                &TenantId::parse(&tenant)?,
                &public_base_url,
            )
            .await
        }
    }
}

async fn tenant_config(parts: &Composition, tenant: &TenantId) -> Result<TenantConfig> {
    parts
        .store
        .get_tenant(tenant)
        .await?
        .ok_or_else(|| format!("no tenant {tenant}").into())
}

fn connector(parts: &Composition, public_base_url: &str) -> LeverConnect {
    parts.lever_connect(public_base_url.trim_end_matches('/').to_owned())
}

/// The tenant's Lever connection as the operator route shows it (no token).
pub async fn show(parts: &Composition, tenant: &TenantId) -> Result<serde_json::Value> {
    let config = tenant_config(parts, tenant).await?;
    let record = parts
        .lever_oauth
        .connections()
        .get_lever_connection(&config.id)
        .await?;
    Ok(connection_view(&config, record.as_ref()))
}

/// Start connecting: Lever's authorize URL, its expiry, the scopes asked for, what to do.
pub async fn connect(
    parts: &Composition,
    tenant: &TenantId,
    public_base_url: &str,
) -> Result<String> {
    let config = tenant_config(parts, tenant).await?;
    let connect = connector(parts, public_base_url);
    let started = connect.start(&config).await?;
    Ok(started_text(&connect, &config.id, &started))
}

fn started_text(connect: &LeverConnect, tenant: &TenantId, started: &Started) -> String {
    let until = started
        .expires_at
        .replace_nanosecond(0)
        .unwrap_or(started.expires_at)
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default();
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Connecting Lever for tenant {tenant}. Authorize URL (single use, valid until {until}):"
    );
    let _ = writeln!(out, "  {}", started.authorize_url);
    let _ = writeln!(out, "Scopes asked for: {}", started.scopes.join(" "));
    let _ = writeln!(out, "Next:");
    let _ = writeln!(
        out,
        "  1. A Lever Super Admin opens this URL and clicks Accept. Lever sends the browser back to\n     {}; the hub keeps the grant and registers its webhooks\n     ({}) at {}.",
        connect.redirect_uri(),
        WEBHOOK_EVENTS.join(", "),
        connect.webhook_url(tenant)
    );
    let _ = writeln!(
        out,
        "  2. Then switch on the webhook groups in Lever: a Super Admin turns on Candidate Stage Change\n     and Candidate Deleted under Settings → Integrations and API → Webhooks (webhooks created by\n     an app stay off until then)."
    );
    let _ = writeln!(
        out,
        "  3. Check the connection: screenhub lever show --tenant {tenant}"
    );
    out
}

/// Disconnect: the hub's webhooks deleted in Lever, the grant and the record forgotten.
pub async fn disconnect(
    parts: &Composition,
    tenant: &TenantId,
    public_base_url: &str,
) -> Result<String> {
    let config = tenant_config(parts, tenant).await?;
    let had = parts
        .lever_oauth
        .connections()
        .get_lever_connection(&config.id)
        .await?;
    let notes = connector(parts, public_base_url)
        .disconnect(&config)
        .await?;
    let mut out = String::new();
    match had {
        Some(record) => {
            let _ = writeln!(
                out,
                "Lever disconnected for tenant {tenant}: {} webhook(s) of the hub deleted in Lever, the grant forgotten.",
                record.webhooks.len() - notes.len().min(record.webhooks.len())
            );
        }
        None => {
            let _ = writeln!(
                out,
                "Tenant {tenant} had no Lever connection in the hub: nothing to delete."
            );
        }
    }
    for note in &notes {
        let _ = writeln!(out, "  note: {note}");
    }
    let _ = writeln!(
        out,
        "Last step, in Lever: revoke the app under Settings → Integrations and API → Authorized Apps\n(Lever has no API for it; until then the grant stays valid in Lever)."
    );
    Ok(out)
}
