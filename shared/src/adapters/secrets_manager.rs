//! AWS Secrets Manager: one JSON secret per tenant, named `<prefix>tenants/<tenant-id>`, and
//! the deployment's partner accounts in `<prefix>partner`.

use super::aws_sdk::{Sdk, SdkClient};
use crate::domain::TenantId;
use crate::ports::secrets::{PartnerSecrets, SecretSource, SecretsError, TenantSecrets};
use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::operation::get_secret_value::GetSecretValueError;
use serde::de::DeserializeOwned;
use std::sync::Arc;

pub struct SecretsManager {
    client: SdkClient<Client>,
    prefix: String,
}

impl SecretsManager {
    pub fn new(client: Client, prefix: impl Into<String>) -> Self {
        Self {
            client: SdkClient::ready(client),
            prefix: prefix.into(),
        }
    }

    /// With its client built from `sdk` on first use.
    pub fn lazy(sdk: Arc<Sdk>, prefix: impl Into<String>) -> Self {
        Self {
            client: SdkClient::lazy(sdk, Client::new),
            prefix: prefix.into(),
        }
    }

    pub fn secret_name(prefix: &str, tenant: &TenantId) -> String {
        format!("{prefix}tenants/{tenant}")
    }

    pub fn partner_secret_name(prefix: &str) -> String {
        format!("{prefix}partner")
    }

    /// The JSON secret `name`, `None` when it does not exist.
    async fn read<T: DeserializeOwned>(&self, name: String) -> Result<Option<T>, SecretsError> {
        let res = self
            .client
            .get()
            .await
            .get_secret_value()
            .secret_id(name)
            .send()
            .await;
        let out = match res {
            Ok(out) => out,
            Err(e)
                if matches!(
                    e.as_service_error(),
                    Some(GetSecretValueError::ResourceNotFoundException(_))
                ) =>
            {
                return Ok(None);
            }
            Err(e) => {
                return Err(SecretsError::Unavailable(
                    aws_sdk_secretsmanager::error::DisplayErrorContext(e).to_string(),
                ));
            }
        };
        let text = out
            .secret_string()
            .ok_or_else(|| SecretsError::Malformed("secret has no string value".into()))?;
        serde_json::from_str(text).map(Some).map_err(|e| {
            SecretsError::Malformed(format!("{:?} at line {}", e.classify(), e.line()))
        })
    }
}

#[async_trait::async_trait]
impl SecretSource for SecretsManager {
    async fn tenant_secrets(
        &self,
        tenant: &TenantId,
    ) -> Result<Option<TenantSecrets>, SecretsError> {
        self.read(Self::secret_name(&self.prefix, tenant)).await
    }

    async fn partner_secrets(&self) -> Result<Option<PartnerSecrets>, SecretsError> {
        self.read(Self::partner_secret_name(&self.prefix)).await
    }
}
