//! The Lever connect routes:
//! - `GET /lever/oauth/callback` — Lever's redirect back after a Super Admin's decision. Its
//!   only credential is the `state` (signed, expiring, single-use, bound to the tenant);
//!   answered with a page for the person in the browser, or problem+json / JSON for a caller
//!   that asks for JSON.
//! - `GET /operator/lever/{tenant}/connect` — start: `302` to Lever's authorize URL.
//! - `GET /operator/lever/{tenant}/connection` — the connection as the hub knows it.
//! - `DELETE /operator/lever/{tenant}/connection` — disconnect.
//!
//! The operator routes take `Authorization: Bearer <operator_api_key>`, checked in constant
//! time before anything else is done.

use super::hub::Hub;
use super::problem::{ApiError, Reply};
use crate::config::TenantConfig;
use crate::lever_connect::{CallbackQuery, ConnectError, LeverConnect};
use http::HeaderMap;
use serde_json::json;

fn connector(hub: &Hub) -> Result<&LeverConnect, ApiError> {
    hub.lever_connect.as_deref().ok_or(ApiError::NotFound)
}

fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("json") && !a.contains("text/html"))
}

fn refused(e: &ConnectError) -> Reply {
    let status = e.status();
    Reply {
        status,
        problem: true,
        ..Reply::ok(json!({
            "type": format!("https://screenhub.dev/problems/{}", e.code()),
            "title": "Lever was not connected",
            "status": status,
            "code": e.code(),
            "detail": e.to_string(),
        }))
    }
}

/// `GET /lever/oauth/callback?code=…&state=…` (or `?error=…&state=…`).
pub async fn callback(hub: &Hub, query: &str, headers: &HeaderMap) -> Reply {
    let connect = match connector(hub) {
        Ok(c) => c,
        Err(e) => return e.into(),
    };
    let json = wants_json(headers);
    match connect.finish(&CallbackQuery::parse(query)).await {
        Ok(done) => {
            let reply = Reply::ok(json!({
                "status": "connected",
                "tenant": done.tenant.as_str(),
                "scopes": done.scopes,
                "webhooks": done.webhooks,
                "webhook_problem": done.webhook_problem,
                "next_step": NEXT_STEP,
            }));
            if json {
                reply
            } else {
                let page = page(
                    "Lever is connected",
                    &format!(
                        "Screenhub can now work in Lever for <b>{}</b>.{} {}",
                        escape(done.tenant.as_str()),
                        match &done.webhook_problem {
                            None => format!(
                                " Its webhooks are registered ({}).",
                                done.webhooks
                                    .iter()
                                    .map(|w| escape(&w.event))
                                    .collect::<Vec<_>>()
                                    .join(", ")
                            ),
                            Some(p) =>
                                format!(" Its webhooks could not be registered: {}", escape(p)),
                        },
                        NEXT_STEP
                    ),
                );
                reply.as_page(page)
            }
        }
        Err(e) => {
            tracing::info!(code = e.code(), "Lever connection refused");
            let reply = refused(&e);
            if json {
                reply
            } else {
                let page = page("Lever was not connected", &escape(&e.to_string()));
                reply.as_page(page)
            }
        }
    }
}

const NEXT_STEP: &str = "One step remains in Lever: a Super Admin switches on the \
    Candidate Stage Change and Candidate Deleted webhook groups under Settings → Integrations \
    and API → Webhooks (webhooks created by an app stay off until then).";

fn page(title: &str, body_html: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title></head>\
         <body style=\"font-family:sans-serif;max-width:40em;margin:3em auto\"><h1>{t}</h1><p>{body_html}</p></body></html>",
        t = escape(title)
    )
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

async fn operator(
    hub: &Hub,
    tenant_raw: &str,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<TenantConfig, ApiError> {
    super::operator::admit_operator(hub, tenant_raw, headers, body).await
}

/// `GET /operator/lever/{tenant}/connect`: `302` to Lever's authorize page.
pub async fn start(hub: &Hub, tenant_raw: &str, headers: &HeaderMap, body: &[u8]) -> Reply {
    let run = async {
        let connect = connector(hub)?;
        let tenant = operator(hub, tenant_raw, headers, body).await?;
        Ok::<_, ApiError>(match connect.start(&tenant).await {
            Ok(started) => Reply::redirect(
                started.authorize_url.clone(),
                json!({
                    "authorize_url": started.authorize_url,
                    "expires_at": started.expires_at.format(&time::format_description::well_known::Rfc3339).unwrap_or_default(),
                    "scopes": started.scopes,
                    "next_step": "A Lever Super Admin opens authorize_url and clicks Accept.",
                }),
            ),
            Err(e) => refused(&e),
        })
    };
    run.await.unwrap_or_else(Reply::from)
}

/// `GET /operator/lever/{tenant}/connection`.
pub async fn show(hub: &Hub, tenant_raw: &str, headers: &HeaderMap, body: &[u8]) -> Reply {
    let run = async {
        let connect = connector(hub)?;
        let tenant = operator(hub, tenant_raw, headers, body).await?;
        let record = connect
            .oauth
            .connections()
            .get_lever_connection(&tenant.id)
            .await
            .map_err(|e| ApiError::unavailable("store", e))?;
        Ok::<_, ApiError>(Reply::ok(connection_view(&tenant, record.as_ref())))
    };
    run.await.unwrap_or_else(Reply::from)
}

/// What the CLI and the operator route show of a tenant's Lever connection (no token).
pub fn connection_view(
    tenant: &TenantConfig,
    record: Option<&crate::ports::connections::LeverConnection>,
) -> serde_json::Value {
    let method = tenant
        .ats
        .lever
        .as_ref()
        .map(|l| l.connection.as_str())
        .unwrap_or("none");
    let rfc = |t: time::OffsetDateTime| {
        t.format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default()
    };
    match record {
        None => {
            json!({ "tenant": tenant.id.as_str(), "method": method, "status": "not_connected" })
        }
        Some(r) => json!({
            "tenant": tenant.id.as_str(),
            "method": method,
            "status": r.status.as_str(),
            "scopes": r.scopes,
            "connected_at": rfc(r.connected_at),
            "refreshed_at": rfc(r.refreshed_at),
            "access_expires_at": rfc(r.access_expires_at),
            "disconnected_at": r.disconnected_at.map(rfc),
            "disconnect_reason": r.disconnect_reason,
            "webhooks": r.webhooks,
        }),
    }
}

/// `DELETE /operator/lever/{tenant}/connection`.
pub async fn disconnect(hub: &Hub, tenant_raw: &str, headers: &HeaderMap, body: &[u8]) -> Reply {
    let run = async {
        let connect = connector(hub)?;
        let tenant = operator(hub, tenant_raw, headers, body).await?;
        Ok::<_, ApiError>(match connect.disconnect(&tenant).await {
            Ok(notes) => Reply::ok(json!({
                "status": "disconnected",
                "notes": notes,
                "next_step": "Revoke the app in Lever under Settings → Integrations and API → Authorized Apps.",
            })),
            Err(e) => refused(&e),
        })
    };
    run.await.unwrap_or_else(Reply::from)
}
