//! A request budget shared by every container of the deployment (Lever's limit applies per
//! API key, however many functions call it at once).

use crate::ports::store::StoreError;

#[async_trait::async_trait]
pub trait RateGate: Send + Sync {
    /// Take one of `limit` slots of `key` in the one-second window `window` (Unix seconds).
    /// `Ok(false)` when the window is already full.
    async fn try_take(&self, key: &str, window: i64, limit: u32) -> Result<bool, StoreError>;
}
