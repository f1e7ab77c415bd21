//! Mapping between domain values and DynamoDB items.

use crate::config::TenantConfig;
use crate::domain::effects::{DeadLetter, Effect};
use crate::domain::ids::OrderId;
use crate::domain::{AuditEntry, Order, OutboxId, OutboxItem, ProviderKind, RouteId, TenantId};
use crate::ports::store::{DeliveryRecord, StoreError};
use aws_sdk_dynamodb::types::AttributeValue;
use std::collections::HashMap;
use time::OffsetDateTime;

pub type Item = HashMap<String, AttributeValue>;

pub fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

pub fn n(v: impl ToString) -> AttributeValue {
    AttributeValue::N(v.to_string())
}

pub fn key(pk: String, sk: &str) -> Item {
    HashMap::from([("pk".to_owned(), s(pk)), ("sk".to_owned(), s(sk))])
}

pub fn get_s<'a>(item: &'a Item, name: &str) -> Option<&'a str> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
}

/// Milliseconds since the epoch (lease times).
pub fn unix_ms(t: OffsetDateTime) -> i64 {
    i64::try_from(t.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

pub fn get_n(item: &Item, name: &str) -> Option<i64> {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
}

pub fn tenant_pk(id: &TenantId) -> String {
    format!("TENANT#{id}")
}
pub fn order_pk(id: OrderId) -> String {
    format!("ORDER#{id}")
}
pub fn outbox_pk(id: OutboxId) -> String {
    format!("OUTBOX#{id}")
}
/// Scoped by tenant: two tenants' provider accounts may hand out the same reference.
/// Keyed by provider (whose names equal the integration names of the first routes).
pub fn provider_ref_key(tenant: &TenantId, provider: ProviderKind, reference: &str) -> String {
    format!("PREF#{tenant}#{}#{reference}", provider.as_str())
}
/// Every order of an opportunity, whatever its integration or status (gsi3, keys only).
pub fn opportunity_key(tenant: &TenantId, opp: &str) -> String {
    format!("OPP#{tenant}#{opp}")
}
/// One active order per ATS object and route (today's route ids are the old integration names).
pub fn active_key(tenant: &TenantId, route: &RouteId, opp: &str) -> String {
    format!("ACTIVE#{tenant}#{route}#{opp}")
}

/// Millisecond timestamps, zero-padded so that text order is time order.
pub fn sortable_time(t: OffsetDateTime) -> String {
    format!("{:015}", t.unix_timestamp_nanos() / 1_000_000)
}

fn corrupt(what: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(format!("{what}: {e}"))
}

fn json<T: serde::Serialize>(v: &T) -> Result<AttributeValue, StoreError> {
    serde_json::to_string(v)
        .map(s)
        .map_err(|e| corrupt("encode", e))
}

pub fn parse_json<T: serde::de::DeserializeOwned>(
    item: &Item,
    attr: &str,
) -> Result<T, StoreError> {
    let text = get_s(item, attr).ok_or_else(|| corrupt(attr, "attribute missing"))?;
    serde_json::from_str(text).map_err(|e| corrupt(attr, e))
}

pub fn tenant_item(cfg: &TenantConfig) -> Result<Item, StoreError> {
    let mut item = key(tenant_pk(&cfg.id), "CONFIG");
    item.insert("kind".into(), s("tenant"));
    item.insert("gsi2pk".into(), s("TENANT"));
    item.insert("gsi2sk".into(), s(cfg.id.as_str()));
    item.insert("config".into(), json(cfg)?);
    Ok(item)
}

pub fn order_item(order: &Order) -> Result<Item, StoreError> {
    let mut item = key(order_pk(order.id), "ORDER");
    item.insert("kind".into(), s("order"));
    item.insert("version".into(), n(order.version));
    item.insert("status".into(), s(order.status.as_str()));
    item.insert("tenant".into(), s(order.tenant.as_str()));
    item.insert(
        "order".into(),
        serde_dynamo::to_attribute_value(order).map_err(|e| corrupt("order", e))?,
    );
    // Ids only (KEYS_ONLY projection): no candidate data is copied into the index.
    item.insert(
        "gsi3pk".into(),
        s(opportunity_key(&order.tenant, &order.ats_ref)),
    );
    item.insert("gsi3sk".into(), s(order.id.to_string()));
    if let Some(r) = &order.provider_ref {
        item.insert(
            "gsi1pk".into(),
            s(provider_ref_key(&order.tenant, order.provider, r)),
        );
        item.insert("gsi1sk".into(), s("ORDER"));
    }
    // The sparse due-order index: only orders waiting for the candidate carry it.
    if let Some(at) = order.expires_at
        && !order.status.is_terminal()
    {
        item.insert("gsi2pk".into(), s("DUE"));
        item.insert("gsi2sk".into(), s(due_sort_key(at, order.id)));
    }
    // The sparse poll index: orders in flight whose status is read on a schedule, by when.
    if let Some(at) = order.poll_at
        && !order.status.is_terminal()
    {
        item.insert("gsi4pk".into(), s(POLL_PARTITION));
        item.insert("gsi4sk".into(), s(due_sort_key(at, order.id)));
    }
    // The sparse scrub index: ended orders still holding candidate data, by end time.
    if order.holds_pii_after_end() {
        item.insert("gsi2pk".into(), s("SCRUB"));
        item.insert("gsi2sk".into(), s(due_sort_key(order.updated_at, order.id)));
    }
    Ok(item)
}

/// The one partition of gsi4: orders in flight awaiting a status poll.
pub const POLL_PARTITION: &str = "POLL";

pub fn due_sort_key(expires_at: OffsetDateTime, id: OrderId) -> String {
    format!("{}#{id}", sortable_time(expires_at))
}

pub fn cursor_item(tenant: &TenantId, name: &str, value: &str) -> Item {
    let mut item = key(format!("CURSOR#{tenant}#{name}"), "CURSOR");
    item.insert("kind".into(), s("cursor"));
    item.insert("value".into(), s(value));
    item
}

pub fn parse_order(item: &Item) -> Result<Order, StoreError> {
    let v = item
        .get("order")
        .ok_or_else(|| corrupt("order", "attribute missing"))?;
    let mut value: serde_json::Value =
        serde_dynamo::from_attribute_value(v.clone()).map_err(|e| corrupt("order", e))?;
    // Orders written before routes name no provider: their route id (`integration`) was the
    // provider's name.
    if let Some(fields) = value.as_object_mut()
        && !fields.contains_key("provider")
        && let Some(route) = fields.get("integration").cloned()
    {
        fields.insert("provider".into(), route);
    }
    serde_json::from_value(value).map_err(|e| corrupt("order", e))
}

/// Audit lines sort by version; a refused change (no new version) sorts after the line of the
/// version it was refused at, each under a key of its own.
pub fn audit_item(entry: &AuditEntry) -> Result<Item, StoreError> {
    let sk = match &entry.refused {
        None => format!("AUDIT#{:010}", entry.version),
        Some(_) => format!(
            "AUDIT#{:010}~{}",
            entry.version,
            uuid::Uuid::now_v7().simple()
        ),
    };
    let mut item = key(order_pk(entry.order_id), &sk);
    item.insert("kind".into(), s("audit"));
    item.insert("entry".into(), json(entry)?);
    Ok(item)
}

pub fn active_item(active_pk: &str, order: OrderId) -> Item {
    let mut item = key(active_pk.to_owned(), "ACTIVE");
    item.insert("kind".into(), s("active"));
    item.insert("order_id".into(), s(order.to_string()));
    item
}

/// Outbox items are spelt out attribute by attribute: the dispatcher reads them straight
/// from the stream's NewImage, and they stay legible in the console.
pub fn outbox_item(o: &OutboxItem) -> Result<Item, StoreError> {
    let mut item = key(outbox_pk(o.id), "OUTBOX");
    item.insert("kind".into(), s("outbox"));
    item.insert("id".into(), s(o.id.to_string()));
    item.insert("tenant".into(), s(o.tenant.as_str()));
    if let Some(order) = o.effect.order_id() {
        item.insert("order_id".into(), s(order.to_string()));
    }
    item.insert("effect".into(), json(&o.effect)?);
    item.insert("attempts".into(), n(o.attempts));
    item.insert(
        "created_at".into(),
        s(o.created_at
            .format(&time::format_description::well_known::Rfc3339)
            .map_err(|e| corrupt("created_at", e))?),
    );
    item.insert("gsi2pk".into(), s("OUTBOX"));
    item.insert(
        "gsi2sk".into(),
        s(format!("{}#{}", sortable_time(o.created_at), o.id)),
    );
    Ok(item)
}

pub fn parse_outbox(item: &Item) -> Result<OutboxItem, StoreError> {
    let id = get_s(item, "id")
        .and_then(OutboxId::parse)
        .ok_or_else(|| corrupt("outbox id", "missing or invalid"))?;
    let tenant = get_s(item, "tenant")
        .and_then(|t| TenantId::parse(t).ok())
        .ok_or_else(|| corrupt("outbox tenant", "missing or invalid"))?;
    let effect: Effect = parse_json(item, "effect")?;
    let attempts = item
        .get("attempts")
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let created_at = get_s(item, "created_at")
        .and_then(|t| OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok())
        .ok_or_else(|| corrupt("outbox created_at", "missing or invalid"))?;
    Ok(OutboxItem {
        id,
        tenant,
        effect,
        attempts,
        created_at,
    })
}

pub fn dead_letter_item(letter: &DeadLetter) -> Result<Item, StoreError> {
    let mut item = key(format!("DEAD#{}", letter.item.id), "DEAD");
    item.insert("kind".into(), s("dead_letter"));
    item.insert("letter".into(), json(letter)?);
    item.insert("gsi2pk".into(), s("DEAD"));
    item.insert(
        "gsi2sk".into(),
        s(format!(
            "{}#{}",
            sortable_time(letter.failed_at),
            letter.item.id
        )),
    );
    Ok(item)
}

pub fn delivery_pk(key: &str) -> String {
    format!("DELIVERY#{key}")
}

pub fn delivery_item(d: &DeliveryRecord) -> Item {
    let mut item = key(delivery_pk(&d.key), "DELIVERY");
    item.insert("kind".into(), s("delivery"));
    item.insert("expires_at".into(), n(d.expires_at.unix_timestamp()));
    if let Some(f) = &d.fingerprint {
        item.insert("fingerprint".into(), s(f.clone()));
    }
    item
}

pub fn parse_delivery(item: &Item, delivery_key: &str) -> Result<DeliveryRecord, StoreError> {
    let expires = get_n(item, "expires_at")
        .and_then(|t| OffsetDateTime::from_unix_timestamp(t).ok())
        .ok_or_else(|| StoreError::Corrupt("delivery record without expiry".into()))?;
    Ok(DeliveryRecord {
        key: delivery_key.to_owned(),
        expires_at: expires,
        fingerprint: get_s(item, "fingerprint").map(str::to_owned),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::effects::Effect;
    use crate::domain::{AtsKind, Pairing};

    #[test]
    fn orders_written_before_routes_read_with_their_provider() {
        let now = time::macros::datetime!(2026-01-01 0:00 UTC);
        let o = Order::new(
            TenantId::parse("t1").unwrap(),
            &Pairing::new(
                "backgrounds_online",
                AtsKind::Lever,
                ProviderKind::BackgroundsOnline,
            ),
            "opp".into(),
            now,
        );
        let mut item = order_item(&o).unwrap();
        let mut old: serde_json::Value =
            serde_dynamo::from_attribute_value(item["order"].clone()).unwrap();
        let fields = old.as_object_mut().unwrap();
        fields.remove("provider");
        fields.remove("ats");
        item.insert(
            "order".into(),
            serde_dynamo::to_attribute_value(&old).unwrap(),
        );
        assert_eq!(parse_order(&item).unwrap(), o);
    }

    #[test]
    fn sortable_time_orders_like_time() {
        let a = time::macros::datetime!(2026-01-01 0:00:00.5 UTC);
        let b = time::macros::datetime!(2026-01-01 0:00:01 UTC);
        let c = time::macros::datetime!(2030-01-01 0:00 UTC);
        assert!(sortable_time(a) < sortable_time(b) && sortable_time(b) < sortable_time(c));
    }

    #[test]
    fn order_and_outbox_items_round_trip() {
        let now = time::macros::datetime!(2026-01-01 0:00 UTC);
        let mut o = Order::new(
            TenantId::parse("t1").unwrap(),
            &Pairing::new("alliance2020", AtsKind::Lever, ProviderKind::Alliance2020),
            "opp".into(),
            now,
        );
        o.provider_ref = Some("A20-9".into());
        let item = order_item(&o).unwrap();
        assert_eq!(get_s(&item, "gsi1pk"), Some("PREF#t1#alliance2020#A20-9"));
        assert_eq!(get_s(&item, "gsi3pk"), Some("OPP#t1#opp"));
        assert_eq!(get_s(&item, "gsi3sk"), Some(o.id.to_string().as_str()));
        assert_eq!(parse_order(&item).unwrap(), o);

        let ob = OutboxItem::new(
            o.tenant.clone(),
            Effect::Render {
                order_id: o.id,
                to: None,
            },
            now,
        );
        let item = outbox_item(&ob).unwrap();
        assert_eq!(get_s(&item, "kind"), Some("outbox"));
        assert_eq!(parse_outbox(&item).unwrap(), ob);
    }
}
