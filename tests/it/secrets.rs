//! The Secrets Manager source against moto: the tenant's Lever connection in its own secret,
//! written by the hub and read with the tenant's hand-written secret.

use screenhub::adapters::secrets_manager::SecretsManager;
use screenhub::domain::TenantId;
use screenhub::ports::secrets::{LeverGrant, Secret, SecretSource, TenantSecrets};
use screenhub_tests::{put_secret, sdk_config, unique};
use std::collections::BTreeMap;

async fn client() -> aws_sdk_secretsmanager::Client {
    aws_sdk_secretsmanager::Client::new(&sdk_config().await)
}

async fn source(prefix: &str) -> SecretsManager {
    SecretsManager::new(client().await, prefix)
}

fn grant(refresh: &str) -> LeverGrant {
    LeverGrant {
        access_token: Secret::new(format!("{refresh}-access")),
        refresh_token: Secret::new(refresh),
        access_expires_at: 1_800_000_000,
        scope: "offline_access opportunities:read:admin".into(),
        webhook_tokens: BTreeMap::from([("applicationCreated".into(), Secret::new("wh-1"))]),
    }
}

/// The connection secret as stored (its JSON), `None` when there is none.
async fn stored(prefix: &str, tenant: &TenantId) -> Option<LeverGrant> {
    let out = client()
        .await
        .get_secret_value()
        .secret_id(SecretsManager::connection_secret_name(prefix, tenant))
        .send()
        .await
        .ok()?;
    Some(serde_json::from_str(out.secret_string()?).expect("grant JSON"))
}

#[tokio::test]
async fn a_lever_connection_is_created_updated_and_deleted_in_its_own_secret() {
    let prefix = format!("{}/", unique("conn-"));
    let src = source(&prefix).await;
    let t = TenantId::parse("t1").unwrap();

    src.put_lever_connection(&t, Some(&grant("r1")))
        .await
        .unwrap();
    assert_eq!(stored(&prefix, &t).await, Some(grant("r1")));
    src.put_lever_connection(&t, Some(&grant("r2")))
        .await
        .unwrap();
    assert_eq!(stored(&prefix, &t).await, Some(grant("r2")));
    let read = src.tenant_secrets(&t).await.unwrap().unwrap();
    assert_eq!(read.lever_connection, Some(grant("r2")));
    assert_eq!(read.lever_api_key, None);

    src.put_lever_connection(&t, None).await.unwrap();
    assert_eq!(stored(&prefix, &t).await, None);
    assert!(src.tenant_secrets(&t).await.unwrap().is_none());
    // Gone already: nothing to delete. Connected again: created again at once.
    src.put_lever_connection(&t, None).await.unwrap();
    src.put_lever_connection(&t, Some(&grant("r3")))
        .await
        .unwrap();
    assert_eq!(stored(&prefix, &t).await, Some(grant("r3")));
}

#[tokio::test]
async fn the_tenant_secret_is_read_with_its_lever_connection() {
    let prefix = format!("{}/", unique("merged-"));
    let src = source(&prefix).await;
    let t = TenantId::parse("t1").unwrap();
    let hand_written = TenantSecrets {
        lever_api_key: Some(Secret::new("key-1")),
        ..TenantSecrets::default()
    };
    put_secret(&prefix, &t, &hand_written).await;
    assert_eq!(
        src.tenant_secrets(&t).await.unwrap(),
        Some(hand_written.clone())
    );

    src.put_lever_connection(&t, Some(&grant("r1")))
        .await
        .unwrap();
    let read = src.tenant_secrets(&t).await.unwrap().unwrap();
    assert_eq!(
        read,
        TenantSecrets {
            lever_connection: Some(grant("r1")),
            ..hand_written.clone()
        }
    );
    // The hand-written secret holds no grant: re-putting it cannot lose the connection.
    let main = client()
        .await
        .get_secret_value()
        .secret_id(SecretsManager::secret_name(&prefix, &t))
        .send()
        .await
        .unwrap();
    assert!(!main.secret_string().unwrap().contains("r1"));
    // Nothing the hub logs or prints shows the tokens.
    assert!(!format!("{read:?}").contains("r1"));

    // A tenant with only a connection still has secrets; one with neither has none.
    let only = TenantId::parse("t2").unwrap();
    src.put_lever_connection(&only, Some(&grant("r9")))
        .await
        .unwrap();
    assert_eq!(
        src.tenant_secrets(&only).await.unwrap(),
        Some(TenantSecrets {
            lever_connection: Some(grant("r9")),
            ..TenantSecrets::default()
        })
    );
    let nobody = TenantId::parse("t3").unwrap();
    assert!(src.tenant_secrets(&nobody).await.unwrap().is_none());
}

#[tokio::test]
async fn concurrent_first_writes_of_a_connection_both_succeed() {
    let prefix = format!("{}/", unique("race-"));
    let t = TenantId::parse("t1").unwrap();
    let (a, b) = (source(&prefix).await, source(&prefix).await);
    let (ga, gb) = (grant("ra"), grant("rb"));
    let (ra, rb) = tokio::join!(
        a.put_lever_connection(&t, Some(&ga)),
        b.put_lever_connection(&t, Some(&gb)),
    );
    ra.unwrap();
    rb.unwrap();
    let kept = stored(&prefix, &t).await.unwrap();
    assert!(kept == ga || kept == gb);
}
