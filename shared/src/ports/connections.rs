//! The record of a tenant's Lever connection made by authorizing the hub (OAuth): what it is
//! and whether it works, with none of its tokens (those are in the tenant's connection
//! secret). One item per tenant, read by every function that calls Lever for the tenant.

use crate::domain::TenantId;
use crate::ports::store::StoreError;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionStatus {
    /// The hub holds a grant Lever accepts.
    Connected,
    /// Lever refused the grant (revoked under Authorized Apps, or expired): the tenant's Lever
    /// effects wait, the poll and the passes skip it, until someone authorizes again.
    Disconnected,
}

impl ConnectionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connected => "connected",
            Self::Disconnected => "disconnected",
        }
    }
}

/// A webhook the hub created through Lever's API (its signature token is in the secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegisteredWebhook {
    pub event: String,
    pub id: String,
    pub url: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LeverConnection {
    pub tenant: TenantId,
    pub status: ConnectionStatus,
    /// The scopes Lever granted.
    pub scopes: Vec<String>,
    #[serde(with = "time::serde::rfc3339")]
    pub connected_at: OffsetDateTime,
    /// When the hub last obtained a new token pair (Lever forgets a grant idle for 90 days).
    #[serde(with = "time::serde::rfc3339")]
    pub refreshed_at: OffsetDateTime,
    /// When the current access token expires.
    #[serde(with = "time::serde::rfc3339")]
    pub access_expires_at: OffsetDateTime,
    #[serde(default, with = "time::serde::rfc3339::option")]
    pub disconnected_at: Option<OffsetDateTime>,
    /// Why Lever refused the grant (Lever's error code, never a token).
    #[serde(default)]
    pub disconnect_reason: Option<String>,
    #[serde(default)]
    pub webhooks: Vec<RegisteredWebhook>,
    /// Bumped by every write; writes are conditional on it.
    pub version: u64,
}

impl LeverConnection {
    pub fn is_connected(&self) -> bool {
        self.status == ConnectionStatus::Connected
    }
}

#[async_trait::async_trait]
pub trait ConnectionStore: Send + Sync {
    async fn get_lever_connection(
        &self,
        tenant: &TenantId,
    ) -> Result<Option<LeverConnection>, StoreError>;

    /// Write `conn` (at `conn.version`) only if the stored record is at `expected` (`None`:
    /// there is none). `Ok(false)` when another writer got there first.
    async fn put_lever_connection(
        &self,
        conn: &LeverConnection,
        expected: Option<u64>,
    ) -> Result<bool, StoreError>;

    /// Forget the tenant's connection record.
    async fn delete_lever_connection(&self, tenant: &TenantId) -> Result<(), StoreError>;

    /// Every tenant's connection record (one partition of the table, never a Scan).
    async fn lever_connections(&self) -> Result<Vec<LeverConnection>, StoreError>;

    /// Take the lease `key` for `holder` until `until`, if it is free at `now` (or already
    /// `holder`'s). `Ok(false)` while another holder has it.
    async fn take_lease(
        &self,
        key: &str,
        holder: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<bool, StoreError>;

    /// Give the lease up (only if `holder` still has it).
    async fn release_lease(&self, key: &str, holder: &str) -> Result<(), StoreError>;

    /// Mark `key` used, remembered until `expires_at`. `Ok(false)` when it was used already.
    async fn use_once(&self, key: &str, expires_at: OffsetDateTime) -> Result<bool, StoreError>;
}
