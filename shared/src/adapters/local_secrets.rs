//! Secrets from a local JSON file `{ "tenants": { "<id>": { …TenantSecrets… } },
//! "partner": { …PartnerSecrets… } }`, re-read on every fetch so that editing the file
//! behaves like a rotation.

use crate::domain::TenantId;
use crate::ports::secrets::{PartnerSecrets, SecretSource, SecretsError, TenantSecrets};
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(serde::Deserialize, serde::Serialize, Default)]
pub struct SecretsFile {
    pub tenants: BTreeMap<TenantId, TenantSecrets>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner: Option<PartnerSecrets>,
}

pub struct FileSecrets {
    path: PathBuf,
}

impl FileSecrets {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    async fn read(&self) -> Result<Option<SecretsFile>, SecretsError> {
        let text = match tokio::fs::read_to_string(&self.path).await {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(SecretsError::Unavailable(e.kind().to_string())),
        };
        serde_json::from_str(&text).map(Some).map_err(|e| {
            SecretsError::Malformed(format!("{:?} at line {}", e.classify(), e.line()))
        })
    }
}

#[async_trait::async_trait]
impl SecretSource for FileSecrets {
    async fn tenant_secrets(
        &self,
        tenant: &TenantId,
    ) -> Result<Option<TenantSecrets>, SecretsError> {
        Ok(self
            .read()
            .await?
            .and_then(|mut f| f.tenants.remove(tenant)))
    }

    async fn partner_secrets(&self) -> Result<Option<PartnerSecrets>, SecretsError> {
        Ok(self.read().await?.and_then(|f| f.partner))
    }
}
