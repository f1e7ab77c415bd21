//! AWS Secrets Manager: one JSON secret per tenant, named `<prefix>tenants/<tenant-id>`, the
//! tenant's Lever connection (written only by the hub) in
//! `<prefix>tenants/<tenant-id>/lever-connection`, and the deployment's partner accounts in
//! `<prefix>partner`.

use super::aws_sdk::{Sdk, SdkClient};
use crate::domain::TenantId;
use crate::ports::secrets::{
    LeverGrant, PartnerSecrets, SecretSource, SecretsError, TenantSecrets,
};
use aws_sdk_secretsmanager::Client;
use aws_sdk_secretsmanager::error::ProvideErrorMetadata;
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

    /// The tenant's Lever connection: its own secret, so that re-putting the tenant's
    /// hand-written secret never loses the grant the hub holds.
    pub fn connection_secret_name(prefix: &str, tenant: &TenantId) -> String {
        format!("{prefix}tenants/{tenant}/lever-connection")
    }

    pub fn partner_secret_name(prefix: &str) -> String {
        format!("{prefix}partner")
    }

    /// Replace the value of secret `name`, creating it when there is none yet.
    async fn write(&self, name: String, value: String) -> Result<(), SecretsError> {
        let client = self.client.get().await;
        let put = client
            .put_secret_value()
            .secret_id(&name)
            .secret_string(&value)
            .send()
            .await;
        match put {
            Ok(_) => return Ok(()),
            Err(e) if !is_code(&e, "ResourceNotFoundException") => return Err(unavailable(e)),
            Err(_) => {}
        }
        let create = client
            .create_secret()
            .name(&name)
            .secret_string(&value)
            .send()
            .await;
        match create {
            Ok(_) => Ok(()),
            // Another writer created it meanwhile: write over it.
            Err(e) if is_code(&e, "ResourceExistsException") => client
                .put_secret_value()
                .secret_id(&name)
                .secret_string(&value)
                .send()
                .await
                .map(|_| ())
                .map_err(unavailable),
            Err(e) => Err(unavailable(e)),
        }
    }

    /// Delete secret `name` at once. Without recovery: a secret in its recovery window (7 days
    /// at least) keeps its name, so connecting the tenant again would fail to create it.
    async fn delete(&self, name: String) -> Result<(), SecretsError> {
        let res = self
            .client
            .get()
            .await
            .delete_secret()
            .secret_id(name)
            .force_delete_without_recovery(true)
            .send()
            .await;
        match res {
            Ok(_) => Ok(()),
            Err(e) if is_code(&e, "ResourceNotFoundException") => Ok(()),
            Err(e) => Err(unavailable(e)),
        }
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
        let (main, grant) = tokio::join!(
            self.read::<TenantSecrets>(Self::secret_name(&self.prefix, tenant)),
            self.read::<LeverGrant>(Self::connection_secret_name(&self.prefix, tenant)),
        );
        Ok(merged(main?, grant?))
    }

    async fn partner_secrets(&self) -> Result<Option<PartnerSecrets>, SecretsError> {
        self.read(Self::partner_secret_name(&self.prefix)).await
    }

    async fn put_lever_connection(
        &self,
        tenant: &TenantId,
        grant: Option<&LeverGrant>,
    ) -> Result<(), SecretsError> {
        let name = Self::connection_secret_name(&self.prefix, tenant);
        match grant {
            Some(g) => {
                let value = serde_json::to_string(g)
                    .map_err(|e| SecretsError::Malformed(format!("encode grant: {e}")))?;
                self.write(name, value).await?;
                tracing::info!(tenant = %tenant, "lever connection secret stored");
            }
            None => {
                self.delete(name).await?;
                tracing::info!(tenant = %tenant, "lever connection secret deleted");
            }
        }
        Ok(())
    }
}

/// The tenant's secrets with its Lever connection: `None` only when it has neither.
pub(crate) fn merged(
    main: Option<TenantSecrets>,
    grant: Option<LeverGrant>,
) -> Option<TenantSecrets> {
    if main.is_none() && grant.is_none() {
        return None;
    }
    Some(TenantSecrets {
        lever_connection: grant,
        ..main.unwrap_or_default()
    })
}

fn is_code<E: ProvideErrorMetadata, R>(
    e: &aws_sdk_secretsmanager::error::SdkError<E, R>,
    code: &str,
) -> bool {
    e.as_service_error().and_then(|s| s.code()) == Some(code)
}

/// The SDK's error, which names the secret but never holds its value.
fn unavailable<E: std::error::Error + 'static, R: std::fmt::Debug + 'static>(
    e: aws_sdk_secretsmanager::error::SdkError<E, R>,
) -> SecretsError {
    SecretsError::Unavailable(aws_sdk_secretsmanager::error::DisplayErrorContext(e).to_string())
}
