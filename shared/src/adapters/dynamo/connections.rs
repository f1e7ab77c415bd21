//! Lever connections, leases and single-use keys in the single table.
//!
//! | item       | pk             | sk         | attributes                                   |
//! |------------|----------------|------------|----------------------------------------------|
//! | connection | `LEVERCONN`    | `<tenant>` | `version`, `status`, `tenant`, `connection`  |
//! | lease      | `LEASE#<key>`  | `LEASE`    | `holder`, `lease_until` (ms), TTL `expires_at` |
//! | once       | `ONCE#<key>`   | `ONCE`     | TTL `expires_at` (s)                         |
//!
//! Every connection is in one partition, so listing them is one paginated `Query`. Leases and
//! single-use keys compare their own times in their conditions: TTL deletion is lazy (it can
//! lag by days), it only keeps the table clean.

use super::items::{Item, key, n, parse_json, s, unix_ms};
use super::{DynamoStore, SortKeys};
use super::{unavailable, unless_condition_failed};
use crate::domain::TenantId;
use crate::ports::connections::{ConnectionStore, LeverConnection};
use crate::ports::store::StoreError;
use time::OffsetDateTime;

/// The partition holding every tenant's connection record (sort key: the tenant id).
const CONNECTIONS_PK: &str = "LEVERCONN";

fn lease_pk(key: &str) -> String {
    format!("LEASE#{key}")
}

fn once_pk(key: &str) -> String {
    format!("ONCE#{key}")
}

/// Unix seconds, rounded up: a TTL that never removes an item before its time.
fn ttl_after(t: OffsetDateTime) -> i64 {
    t.unix_timestamp() + i64::from(t.nanosecond() > 0)
}

fn connection_item(conn: &LeverConnection) -> Result<Item, StoreError> {
    let mut item = key(CONNECTIONS_PK.to_owned(), conn.tenant.as_str());
    item.insert("kind".into(), s("lever_connection"));
    item.insert("tenant".into(), s(conn.tenant.as_str()));
    item.insert("status".into(), s(conn.status.as_str()));
    item.insert("version".into(), n(conn.version));
    let text = serde_json::to_string(conn)
        .map_err(|e| StoreError::Corrupt(format!("encode connection: {e}")))?;
    item.insert("connection".into(), s(text));
    Ok(item)
}

fn parse_connection(item: &Item) -> Result<LeverConnection, StoreError> {
    parse_json(item, "connection")
}

#[async_trait::async_trait]
impl ConnectionStore for DynamoStore {
    async fn get_lever_connection(
        &self,
        tenant: &TenantId,
    ) -> Result<Option<LeverConnection>, StoreError> {
        self.get(CONNECTIONS_PK.to_owned(), tenant.as_str())
            .await?
            .map(|i| parse_connection(&i))
            .transpose()
    }

    async fn put_lever_connection(
        &self,
        conn: &LeverConnection,
        expected: Option<u64>,
    ) -> Result<bool, StoreError> {
        self.stats.call("PutItem");
        let mut put = self
            .client()
            .await
            .put_item()
            .table_name(&self.table)
            .set_item(Some(connection_item(conn)?));
        put = match expected {
            None => put.condition_expression("attribute_not_exists(pk)"),
            Some(v) => put
                .condition_expression("version = :v")
                .expression_attribute_values(":v", n(v)),
        };
        let res = put.send().await;
        Ok(unless_condition_failed(res)?.is_some())
    }

    async fn delete_lever_connection(&self, tenant: &TenantId) -> Result<(), StoreError> {
        self.stats.call("DeleteItem");
        self.client()
            .await
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(CONNECTIONS_PK.to_owned(), tenant.as_str())))
            .send()
            .await
            .map_err(unavailable)?;
        Ok(())
    }

    async fn lever_connections(&self) -> Result<Vec<LeverConnection>, StoreError> {
        let mut out = Vec::new();
        self.query_partition(CONNECTIONS_PK, SortKeys::All, true, |items| {
            for i in &items {
                out.push(parse_connection(i)?);
            }
            Ok(())
        })
        .await?;
        Ok(out)
    }

    async fn take_lease(
        &self,
        key: &str,
        holder: &str,
        now: OffsetDateTime,
        until: OffsetDateTime,
    ) -> Result<bool, StoreError> {
        self.stats.call("UpdateItem");
        let res = self
            .client()
            .await
            .update_item()
            .table_name(&self.table)
            .set_key(Some(super::items::key(lease_pk(key), "LEASE")))
            .update_expression("SET kind = :kind, holder = :h, lease_until = :u, expires_at = :ttl")
            .condition_expression(
                "attribute_not_exists(lease_until) OR lease_until <= :now OR holder = :h",
            )
            .expression_attribute_values(":kind", s("lease"))
            .expression_attribute_values(":h", s(holder))
            .expression_attribute_values(":u", n(unix_ms(until)))
            .expression_attribute_values(":now", n(unix_ms(now)))
            .expression_attribute_values(":ttl", n(ttl_after(until)))
            .send()
            .await;
        let taken = unless_condition_failed(res)?.is_some();
        if !taken {
            tracing::debug!(lease = key, "lease held by another holder");
        }
        Ok(taken)
    }

    async fn release_lease(&self, key: &str, holder: &str) -> Result<(), StoreError> {
        // An update, not a delete (functions that take leases need no DeleteItem): the
        // holderless item is free, and its TTL removes it.
        self.stats.call("UpdateItem");
        let res = self
            .client()
            .await
            .update_item()
            .table_name(&self.table)
            .set_key(Some(super::items::key(lease_pk(key), "LEASE")))
            .update_expression("REMOVE holder, lease_until")
            .condition_expression("holder = :h")
            .expression_attribute_values(":h", s(holder))
            .send()
            .await;
        // Gone, or no longer ours: nothing to give up.
        unless_condition_failed(res).map(|_| ())
    }

    async fn use_once(&self, key: &str, expires_at: OffsetDateTime) -> Result<bool, StoreError> {
        self.stats.call("UpdateItem");
        let now = OffsetDateTime::now_utc().unix_timestamp();
        let res = self
            .client()
            .await
            .update_item()
            .table_name(&self.table)
            .set_key(Some(super::items::key(once_pk(key), "ONCE")))
            .update_expression("SET kind = :kind, expires_at = :e")
            // A key kept past its expiry (TTL lags) counts as unused.
            .condition_expression("attribute_not_exists(pk) OR expires_at <= :now")
            .expression_attribute_values(":kind", s("once"))
            .expression_attribute_values(":e", n(ttl_after(expires_at)))
            .expression_attribute_values(":now", n(now))
            .send()
            .await;
        Ok(unless_condition_failed(res)?.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::super::items::get_s;
    use super::*;
    use crate::ports::connections::ConnectionStatus;

    #[test]
    fn connection_items_round_trip_in_one_partition() {
        let at = time::macros::datetime!(2026-01-01 0:00 UTC);
        let conn = LeverConnection {
            tenant: TenantId::parse("t1").unwrap(),
            status: ConnectionStatus::Connected,
            scopes: vec!["offline_access".into()],
            connected_at: at,
            refreshed_at: at,
            access_expires_at: at + time::Duration::hours(1),
            disconnected_at: None,
            disconnect_reason: None,
            webhooks: Vec::new(),
            version: 3,
        };
        let item = connection_item(&conn).unwrap();
        assert_eq!(get_s(&item, "pk"), Some(CONNECTIONS_PK));
        assert_eq!(get_s(&item, "sk"), Some("t1"));
        assert_eq!(get_s(&item, "status"), Some("connected"));
        assert_eq!(parse_connection(&item).unwrap(), conn);
    }

    #[test]
    fn ttls_round_up() {
        let t = time::macros::datetime!(2026-01-01 0:00:00.5 UTC);
        assert_eq!(ttl_after(t), t.unix_timestamp() + 1);
        let whole = time::macros::datetime!(2026-01-01 0:00 UTC);
        assert_eq!(ttl_after(whole), whole.unix_timestamp());
    }
}
