//! The tenants' Lever grants (OAuth): Lever's token endpoint, and the access token each call
//! carries, refreshed by one container at a time.
//!
//! Lever rotates the refresh token on every refresh (facts/lever.md §2.2), and using a
//! rotated one again may revoke the whole grant. So a refresh happens only under the tenant's
//! lease in the table, re-reads the grant first (another container may just have refreshed
//! it), and stores the new pair before anyone else may refresh. A container that finds the
//! lease taken waits for the holder's new token instead of refreshing too.

use crate::adapters::secrets_cache::CachedSecrets;
use crate::domain::TenantId;
use crate::domain::ats::lever_oauth::{TokenAnswer, TokenRefusal, needs_refresh};
use crate::outbound::deadline;
use crate::outbound::http::{HttpClient, read_capped};
use crate::ports::connections::{ConnectionStatus, ConnectionStore, LeverConnection};
use crate::ports::lever::LeverError;
use crate::ports::secrets::{LeverGrant, LeverPartner, Secret};
use crate::ports::{Clock, StoreError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use time::OffsetDateTime;

/// The connection record is re-read at most this often per container.
const STATUS_TTL: time::Duration = time::Duration::seconds(30);
/// A refresh holds the tenant's lease at most this long (a dead holder's lease runs out).
const REFRESH_LEASE: time::Duration = time::Duration::seconds(30);
/// How often a container waiting for another's refresh looks again, and for how long.
const WAIT_STEP: Duration = Duration::from_millis(200);
const WAIT_STEPS: u32 = 50;
/// Largest answer read from the token endpoint.
const MAX_TOKEN_BYTES: usize = 64 * 1024;

/// The lease key under which a tenant's grant is refreshed or replaced.
pub fn grant_lease_key(tenant: &TenantId) -> String {
    format!("lever-grant:{tenant}")
}

#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// Lever's OAuth error answer.
    #[error("Lever refused: {}", .0.error)]
    Refused(TokenRefusal),
    #[error("Lever's token endpoint could not be reached: {0}")]
    Unreachable(String),
    #[error("the partner secret has no Lever app (lever.client_id, lever.client_secret)")]
    NoApp,
}

pub struct LeverOAuth {
    http: HttpClient,
    secrets: Arc<CachedSecrets>,
    connections: Arc<dyn ConnectionStore>,
    clock: Arc<dyn Clock>,
    /// This container, as a lease holder.
    holder: String,
    tokens: Mutex<HashMap<TenantId, (Secret, i64)>>,
    status: Mutex<HashMap<TenantId, (OffsetDateTime, Option<LeverConnection>)>>,
}

impl LeverOAuth {
    pub fn new(
        http: HttpClient,
        secrets: Arc<CachedSecrets>,
        connections: Arc<dyn ConnectionStore>,
        clock: Arc<dyn Clock>,
    ) -> Self {
        Self {
            http,
            secrets,
            connections,
            clock,
            holder: uuid::Uuid::new_v4().simple().to_string(),
            tokens: Mutex::new(HashMap::new()),
            status: Mutex::new(HashMap::new()),
        }
    }

    pub fn connections(&self) -> &Arc<dyn ConnectionStore> {
        &self.connections
    }

    pub fn secrets(&self) -> &Arc<CachedSecrets> {
        &self.secrets
    }

    /// The deployment's Lever app.
    pub async fn app(&self) -> Result<LeverPartner, TokenError> {
        self.secrets
            .partner()
            .await
            .map_err(|e| TokenError::Unreachable(format!("partner secret: {e}")))?
            .and_then(|p| p.lever)
            .ok_or(TokenError::NoApp)
    }

    /// `POST <token_url>` with `form` (plus the app's client credentials).
    async fn token_call(
        &self,
        app: &LeverPartner,
        form: &[(&str, &str)],
    ) -> Result<TokenAnswer, TokenError> {
        let mut body: Vec<(&str, &str)> = vec![
            ("client_id", app.client_id.as_str()),
            ("client_secret", app.client_secret.expose()),
        ];
        body.extend_from_slice(form);
        let resp = self
            .http
            .get()
            .post(&app.token_url)
            .form(&body)
            .send()
            .await
            .map_err(|e| {
                TokenError::Unreachable(if e.is_timeout() { "timeout" } else { "connect" }.into())
            })?;
        let status = resp.status();
        let bytes = read_capped(resp, MAX_TOKEN_BYTES)
            .await
            .map_err(TokenError::Unreachable)?;
        if status.is_success() {
            return serde_json::from_slice(&bytes)
                .map_err(|_| TokenError::Unreachable("unreadable token answer".into()));
        }
        match serde_json::from_slice::<TokenRefusal>(&bytes) {
            Ok(r) if !r.error.is_empty() && status.is_client_error() => Err(TokenError::Refused(r)),
            _ => Err(TokenError::Unreachable(format!("HTTP {}", status.as_u16()))),
        }
    }

    /// Trade an authorization code for the grant's first token pair.
    pub async fn exchange_code(
        &self,
        app: &LeverPartner,
        code: &str,
        redirect_uri: &str,
    ) -> Result<TokenAnswer, TokenError> {
        self.token_call(
            app,
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", redirect_uri),
            ],
        )
        .await
    }

    /// The tenant's connection record (cached for [`STATUS_TTL`]).
    pub async fn connection(
        &self,
        tenant: &TenantId,
    ) -> Result<Option<LeverConnection>, StoreError> {
        let now = self.clock.now();
        if let Some((at, c)) = lock(&self.status).get(tenant)
            && now - *at < STATUS_TTL
        {
            return Ok(c.clone());
        }
        let fresh = self.connections.get_lever_connection(tenant).await?;
        lock(&self.status).insert(tenant.clone(), (now, fresh.clone()));
        Ok(fresh)
    }

    /// Forget what this container cached of the tenant's connection (after it changed).
    pub fn forget(&self, tenant: &TenantId) {
        lock(&self.status).remove(tenant);
        lock(&self.tokens).remove(tenant);
    }

    /// `Ok(())` when the tenant's grant is usable (as far as the hub knows).
    pub async fn ready(&self, tenant: &TenantId) -> Result<(), LeverError> {
        let conn = self
            .connection(tenant)
            .await
            .map_err(|e| LeverError::Transport(format!("connection record: {e}")))?;
        match conn {
            Some(c) if c.is_connected() => Ok(()),
            Some(c) => Err(LeverError::Disconnected(format!(
                "Lever refused the hub's grant ({}); a Lever Super Admin must authorize the hub again (screenhub lever connect)",
                c.disconnect_reason.as_deref().unwrap_or("revoked")
            ))),
            None => Err(LeverError::Disconnected(
                "no Lever grant yet; a Lever Super Admin must authorize the hub (screenhub lever connect)".into(),
            )),
        }
    }

    /// An access token for the tenant's account, refreshed first when it is about to expire.
    pub async fn access_token(&self, tenant: &TenantId) -> Result<Secret, LeverError> {
        self.ready(tenant).await?;
        let now = self.clock.now();
        if let Some((token, exp)) = lock(&self.tokens).get(tenant)
            && !needs_refresh(*exp, now)
        {
            return Ok(token.clone());
        }
        if let Some(grant) = self.grant(tenant, false).await?
            && !needs_refresh(grant.access_expires_at, now)
        {
            return Ok(self.remember(tenant, &grant));
        }
        self.renew(tenant, None).await
    }

    /// After Lever refused `used` (401): a newer token, refreshing the grant if no other
    /// container did already.
    pub async fn renew_after_refusal(
        &self,
        tenant: &TenantId,
        used: &Secret,
    ) -> Result<Secret, LeverError> {
        lock(&self.tokens).remove(tenant);
        self.renew(tenant, Some(used)).await
    }

    /// Refresh the grant now whatever its expiry (the schedule that keeps quiet tenants
    /// connected).
    pub async fn refresh_now(&self, tenant: &TenantId) -> Result<(), LeverError> {
        self.ready(tenant).await?;
        let started = self.clock.now();
        self.renew_when(tenant, |g, c| {
            c.is_some_and(|c| c.refreshed_at >= started)
                && !needs_refresh(g.access_expires_at, started)
        })
        .await
        .map(|_| ())
    }

    fn remember(&self, tenant: &TenantId, grant: &LeverGrant) -> Secret {
        lock(&self.tokens).insert(
            tenant.clone(),
            (grant.access_token.clone(), grant.access_expires_at),
        );
        grant.access_token.clone()
    }

    async fn grant(
        &self,
        tenant: &TenantId,
        fresh: bool,
    ) -> Result<Option<LeverGrant>, LeverError> {
        let secrets = if fresh {
            self.secrets.refresh(tenant).await
        } else {
            self.secrets.get(tenant).await
        }
        .map_err(|e| LeverError::Transport(format!("secrets: {e}")))?;
        Ok(secrets.and_then(|s| s.lever_connection))
    }

    /// A token newer than `used` (or fresh, without one), obtained by whoever holds the lease.
    async fn renew(&self, tenant: &TenantId, used: Option<&Secret>) -> Result<Secret, LeverError> {
        let now = self.clock.now();
        let used = used.cloned();
        self.renew_when(tenant, move |g, _| {
            !needs_refresh(g.access_expires_at, now)
                && used
                    .as_ref()
                    .is_none_or(|u| u.expose() != g.access_token.expose())
        })
        .await
    }

    /// Refresh under the tenant's lease unless the stored grant already `satisfies` the caller
    /// (someone else refreshed it); while another container holds the lease, wait for it.
    async fn renew_when<F>(&self, tenant: &TenantId, satisfied: F) -> Result<Secret, LeverError>
    where
        F: Fn(&LeverGrant, Option<&LeverConnection>) -> bool,
    {
        let key = grant_lease_key(tenant);
        for _ in 0..WAIT_STEPS {
            let now = self.clock.now();
            let taken = self
                .connections
                .take_lease(&key, &self.holder, now, now + REFRESH_LEASE)
                .await
                .map_err(store_err)?;
            if taken {
                let result = self.refresh_holding_lease(tenant, &satisfied).await;
                self.connections
                    .release_lease(&key, &self.holder)
                    .await
                    .ok();
                return result;
            }
            // Another container refreshes: use its token once it is stored.
            let conn = self
                .connections
                .get_lever_connection(tenant)
                .await
                .map_err(store_err)?;
            if let Some(grant) = self.grant(tenant, true).await?
                && satisfied(&grant, conn.as_ref())
            {
                return Ok(self.remember(tenant, &grant));
            }
            if !deadline::allows(WAIT_STEP) {
                break;
            }
            tokio::time::sleep(WAIT_STEP).await;
        }
        Err(LeverError::Transport(
            "another container's refresh of the Lever grant did not finish".into(),
        ))
    }

    async fn refresh_holding_lease<F>(
        &self,
        tenant: &TenantId,
        satisfied: &F,
    ) -> Result<Secret, LeverError>
    where
        F: Fn(&LeverGrant, Option<&LeverConnection>) -> bool,
    {
        let conn = self
            .connections
            .get_lever_connection(tenant)
            .await
            .map_err(store_err)?;
        let Some(conn) = conn.filter(|c| c.is_connected()) else {
            self.forget(tenant);
            return Err(self.ready(tenant).await.err().unwrap_or_else(|| {
                LeverError::Disconnected("the Lever grant is no longer connected".into())
            }));
        };
        let Some(grant) = self.grant(tenant, true).await? else {
            return Err(LeverError::Disconnected(
                "the Lever grant is missing from the tenant's connection secret".into(),
            ));
        };
        if satisfied(&grant, Some(&conn)) {
            return Ok(self.remember(tenant, &grant));
        }
        let app = self
            .app()
            .await
            .map_err(|e| LeverError::Transport(e.to_string()))?;
        let answer = match self
            .token_call(
                &app,
                &[
                    ("grant_type", "refresh_token"),
                    ("refresh_token", grant.refresh_token.expose()),
                ],
            )
            .await
        {
            Ok(a) => a,
            Err(TokenError::Refused(r)) if r.grant_is_gone() => {
                self.mark_disconnected(tenant, &r.error).await;
                return Err(LeverError::Disconnected(format!(
                    "Lever refused to refresh the grant ({})",
                    r.error
                )));
            }
            Err(e) => return Err(LeverError::Transport(e.to_string())),
        };
        let now = self.clock.now();
        let next = LeverGrant {
            access_token: Secret::new(answer.access_token),
            // Lever sends a new one each time; keep the old one only if it did not.
            refresh_token: answer
                .refresh_token
                .map(Secret::new)
                .unwrap_or(grant.refresh_token),
            access_expires_at: now.unix_timestamp() + answer.expires_in,
            scope: answer.scope.unwrap_or(grant.scope),
            webhook_tokens: grant.webhook_tokens,
        };
        self.store_grant(tenant, &next).await?;
        let mut record = conn.clone();
        record.refreshed_at = now;
        record.access_expires_at =
            OffsetDateTime::from_unix_timestamp(next.access_expires_at).unwrap_or(now);
        record.version = conn.version + 1;
        // Only the lease holder writes the record's token times; a lost race here only means
        // an operator edit happened in between: keep that, the grant is already stored.
        self.connections
            .put_lever_connection(&record, Some(conn.version))
            .await
            .map_err(store_err)?;
        lock(&self.status).insert(tenant.clone(), (now, Some(record)));
        tracing::info!(tenant = %tenant, "Lever grant refreshed");
        crate::metrics::count("LeverGrantRefreshed", &[]);
        Ok(self.remember(tenant, &next))
    }

    /// Store the grant; a new refresh token that is not stored is a lost connection, so try
    /// a few times before giving up.
    pub async fn store_grant(
        &self,
        tenant: &TenantId,
        grant: &LeverGrant,
    ) -> Result<(), LeverError> {
        let mut last = None;
        for _ in 0..3 {
            match self.secrets.put_lever_connection(tenant, Some(grant)).await {
                Ok(()) => return Ok(()),
                Err(e) => last = Some(e),
            }
        }
        let e = last.expect("three tries");
        tracing::error!(tenant = %tenant, error = %e, "the new Lever grant could not be stored");
        Err(LeverError::Transport(format!(
            "storing the Lever grant: {e}"
        )))
    }

    /// Lever refused the grant for good: record it (the tenant's effects wait, the poll and
    /// the passes skip it) and raise the metric the alarm watches.
    pub async fn mark_disconnected(&self, tenant: &TenantId, reason: &str) {
        let now = self.clock.now();
        for _ in 0..3 {
            let Ok(Some(conn)) = self.connections.get_lever_connection(tenant).await else {
                break;
            };
            if conn.status == ConnectionStatus::Disconnected {
                break;
            }
            let mut next = conn.clone();
            next.status = ConnectionStatus::Disconnected;
            next.disconnected_at = Some(now);
            next.disconnect_reason = Some(reason.chars().take(80).collect());
            next.version = conn.version + 1;
            match self
                .connections
                .put_lever_connection(&next, Some(conn.version))
                .await
            {
                Ok(true) => {
                    tracing::warn!(tenant = %tenant, reason = %reason, "Lever connection lost: the tenant must authorize the hub again");
                    crate::metrics::count("LeverDisconnected", &[("Tenant", tenant.as_str())]);
                    break;
                }
                Ok(false) => continue,
                Err(e) => {
                    tracing::error!(tenant = %tenant, error = %e, "could not record the lost Lever connection");
                    break;
                }
            }
        }
        self.forget(tenant);
    }
}

fn store_err(e: StoreError) -> LeverError {
    LeverError::Transport(format!("store: {e}"))
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
