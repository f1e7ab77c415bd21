//! Secrets from a local JSON file `{ "tenants": { "<id>": { …TenantSecrets… } } }`,
//! re-read on every fetch so that editing the file behaves like a rotation.

use crate::domain::TenantId;
use crate::ports::secrets::{SecretSource, SecretsError, TenantSecrets};
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(serde::Deserialize, serde::Serialize, Default)]
pub struct SecretsFile {
    pub tenants: BTreeMap<TenantId, TenantSecrets>,
}

pub struct FileSecrets {
    path: PathBuf,
}

impl FileSecrets {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }
}

#[async_trait::async_trait]
impl SecretSource for FileSecrets {
    async fn tenant_secrets(
        &self,
        tenant: &TenantId,
    ) -> Result<Option<TenantSecrets>, SecretsError> {
        let text = match tokio::fs::read_to_string(&self.path).await {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(SecretsError::Unavailable(e.kind().to_string())),
        };
        let mut file: SecretsFile = serde_json::from_str(&text).map_err(|e| {
            SecretsError::Malformed(format!("{:?} at line {}", e.classify(), e.line()))
        })?;
        Ok(file.tenants.remove(tenant))
    }
}
