//! Secrets from a local JSON file `{ "tenants": { "<id>": { …TenantSecrets… } },
//! "partner": { …PartnerSecrets… }, "lever_connections": { "<id>": { …LeverGrant… } } }`,
//! re-read on every fetch so that editing the file behaves like a rotation. The hub writes
//! only `lever_connections`, rewriting the file whole (a temporary file renamed over it) and
//! leaving the rest of it as it was.

use crate::domain::TenantId;
use crate::ports::secrets::{
    LeverGrant, PartnerSecrets, SecretSource, SecretsError, TenantSecrets,
};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The file's section the hub writes: each tenant's Lever connection.
const CONNECTIONS: &str = "lever_connections";

#[derive(serde::Deserialize, serde::Serialize, Default)]
pub struct SecretsFile {
    pub tenants: BTreeMap<TenantId, TenantSecrets>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partner: Option<PartnerSecrets>,
    /// The Lever connections the hub made (OAuth), written by the hub.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub lever_connections: BTreeMap<TenantId, LeverGrant>,
}

pub struct FileSecrets {
    path: PathBuf,
    /// One writer at a time in this process (each write reads the file, then replaces it).
    writing: tokio::sync::Mutex<()>,
}

fn malformed(e: &serde_json::Error) -> SecretsError {
    SecretsError::Malformed(format!("{:?} at line {}", e.classify(), e.line()))
}

fn io_error(e: &std::io::Error) -> SecretsError {
    SecretsError::Unavailable(e.kind().to_string())
}

impl FileSecrets {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            writing: tokio::sync::Mutex::new(()),
        }
    }

    async fn read_text(&self) -> Result<Option<String>, SecretsError> {
        match tokio::fs::read_to_string(&self.path).await {
            Ok(t) => Ok(Some(t)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_error(&e)),
        }
    }

    async fn read(&self) -> Result<Option<SecretsFile>, SecretsError> {
        match self.read_text().await? {
            Some(text) => serde_json::from_str(&text)
                .map(Some)
                .map_err(|e| malformed(&e)),
            None => Ok(None),
        }
    }

    /// Replace the file with `text`: written beside it, then renamed over it (with the old
    /// file's permissions), so a reader sees the old file or the new one, never half of it.
    async fn replace(&self, text: String) -> Result<(), SecretsError> {
        let tmp = temp_path(&self.path);
        tokio::fs::write(&tmp, text)
            .await
            .map_err(|e| io_error(&e))?;
        if let Ok(meta) = tokio::fs::metadata(&self.path).await {
            tokio::fs::set_permissions(&tmp, meta.permissions())
                .await
                .map_err(|e| io_error(&e))?;
        }
        if let Err(e) = tokio::fs::rename(&tmp, &self.path).await {
            let _ = tokio::fs::remove_file(&tmp).await;
            return Err(io_error(&e));
        }
        Ok(())
    }
}

fn temp_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "secrets.json".into());
    path.with_file_name(format!(".{name}.{}.tmp", uuid::Uuid::new_v4().simple()))
}

/// `file` (its JSON) with the tenant's connection set to `grant`, or removed.
fn with_connection(
    file: Option<&str>,
    tenant: &TenantId,
    grant: Option<&LeverGrant>,
) -> Result<String, SecretsError> {
    let mut doc: serde_json::Value = match file {
        Some(text) => serde_json::from_str(text).map_err(|e| malformed(&e))?,
        None => serde_json::json!({ "tenants": {} }),
    };
    let root = doc
        .as_object_mut()
        .ok_or_else(|| SecretsError::Malformed("secrets file is not a JSON object".into()))?;
    let section = root
        .entry(CONNECTIONS)
        .or_insert_with(|| serde_json::json!({}))
        .as_object_mut()
        .ok_or_else(|| SecretsError::Malformed(format!("{CONNECTIONS} is not an object")))?;
    match grant {
        Some(g) => {
            let value = serde_json::to_value(g).map_err(|e| malformed(&e))?;
            section.insert(tenant.to_string(), value);
        }
        None => {
            section.remove(tenant.as_str());
        }
    }
    if section.is_empty() {
        root.remove(CONNECTIONS);
    }
    let mut text = serde_json::to_string_pretty(&doc).map_err(|e| malformed(&e))?;
    text.push('\n');
    Ok(text)
}

#[async_trait::async_trait]
impl SecretSource for FileSecrets {
    async fn tenant_secrets(
        &self,
        tenant: &TenantId,
    ) -> Result<Option<TenantSecrets>, SecretsError> {
        let Some(mut f) = self.read().await? else {
            return Ok(None);
        };
        Ok(super::secrets_manager::merged(
            f.tenants.remove(tenant),
            f.lever_connections.remove(tenant),
        ))
    }

    async fn partner_secrets(&self) -> Result<Option<PartnerSecrets>, SecretsError> {
        Ok(self.read().await?.and_then(|f| f.partner))
    }

    async fn put_lever_connection(
        &self,
        tenant: &TenantId,
        grant: Option<&LeverGrant>,
    ) -> Result<(), SecretsError> {
        let _one_writer = self.writing.lock().await;
        let current = self.read_text().await?;
        let text = with_connection(current.as_deref(), tenant, grant)?;
        self.replace(text).await?;
        tracing::info!(tenant = %tenant, stored = grant.is_some(), "lever connection written");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::secrets::Secret;

    fn grant(access: &str) -> LeverGrant {
        LeverGrant {
            access_token: Secret::new(access),
            refresh_token: Secret::new(format!("{access}-refresh")),
            access_expires_at: 1_800_000_000,
            scope: "offline_access opportunities:read:admin".into(),
            webhook_tokens: BTreeMap::from([("candidateStageChange".into(), Secret::new("wh"))]),
        }
    }

    fn temp_file(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("screenhub-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join(name)
    }

    #[tokio::test]
    async fn connections_are_written_beside_the_hand_written_secrets() {
        let path = temp_file("secrets.json");
        let original = serde_json::json!({
            "tenants": { "t1": { "lever_api_key": "key-1" } },
            "partner": { "lever": { "client_id": "cid", "client_secret": "cs" } },
            "comment": "kept as it is"
        });
        std::fs::write(&path, serde_json::to_string(&original).unwrap()).unwrap();
        let src = FileSecrets::new(&path);
        let (t1, t2) = (
            TenantId::parse("t1").unwrap(),
            TenantId::parse("t2").unwrap(),
        );

        src.put_lever_connection(&t1, Some(&grant("a1")))
            .await
            .unwrap();
        src.put_lever_connection(&t2, Some(&grant("b1")))
            .await
            .unwrap();
        src.put_lever_connection(&t1, Some(&grant("a2")))
            .await
            .unwrap();

        let s1 = src.tenant_secrets(&t1).await.unwrap().unwrap();
        assert_eq!(s1.lever_api_key.unwrap().expose(), "key-1");
        assert_eq!(s1.lever_connection, Some(grant("a2")));
        // A tenant with a connection only still has secrets.
        let s2 = src.tenant_secrets(&t2).await.unwrap().unwrap();
        assert_eq!(
            (s2.lever_api_key, s2.lever_connection),
            (None, Some(grant("b1")))
        );
        assert!(
            src.partner_secrets()
                .await
                .unwrap()
                .unwrap()
                .lever
                .is_some()
        );

        src.put_lever_connection(&t2, None).await.unwrap();
        assert!(src.tenant_secrets(&t2).await.unwrap().is_none());
        src.put_lever_connection(&t1, None).await.unwrap();
        // The rest of the file is as it was; no temporary file is left behind.
        let after: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(after, original);
        let files = std::fs::read_dir(path.parent().unwrap()).unwrap().count();
        assert_eq!(files, 1);
    }

    #[tokio::test]
    async fn a_connection_written_without_a_file_creates_one() {
        let path = temp_file("new.json");
        let src = FileSecrets::new(&path);
        let t = TenantId::parse("t").unwrap();
        src.put_lever_connection(&t, Some(&grant("a")))
            .await
            .unwrap();
        let s = src.tenant_secrets(&t).await.unwrap().unwrap();
        assert_eq!(s.lever_connection, Some(grant("a")));
    }
}
