//! The candidate database in the single table: a tenant's profiles packed into at most
//! [`BUCKETS`] items (`pk = CANDIDATES#<tenant>`, `sk = b#<bucket>`), each candidate in the
//! bucket its id hashes to, the bucket deflated ([`encode_bucket`]). Loading a tenant is a
//! few `Query` pages of its partition, read as [`SEGMENTS`] key ranges at once (about 22 MB
//! at 100,000 candidates, not 100,000 item reads); changing a candidate rewrites its bucket
//! conditionally on the bucket's version, so concurrent writers never lose each other's
//! changes.

use super::items::{Item, get_n, n, s};
use super::unavailable;
use super::{DynamoStore, SortKeys};
use crate::domain::TenantId;
use crate::ports::profiles::{
    CandidateRecord, Candidates, ProfileStore, decode_bucket, encode_bucket, replacing,
};
use crate::ports::store::StoreError;
use aws_sdk_dynamodb::types::AttributeValue;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// Buckets per tenant. Packed, a median profile takes about 230 bytes: a bucket holds some
/// 1,500 candidates below the item limit, some 750,000 per tenant.
pub const BUCKETS: u16 = 512;
/// Key ranges of a tenant's partition read at once when it is loaded.
pub const SEGMENTS: u16 = 8;
/// A bucket is refused past this size (DynamoDB's item limit is 400 KB).
const MAX_BUCKET_BYTES: usize = 390_000;
/// Conditional rewrites of one bucket before giving up (others writing it meanwhile).
const ATTEMPTS: usize = 8;

/// The bucket a candidate id lives in.
pub fn bucket_of(id: &str) -> u16 {
    let h = Sha256::digest(id.as_bytes());
    u16::from_be_bytes([h[0], h[1]]) % BUCKETS
}

fn pk(tenant: &TenantId) -> String {
    format!("CANDIDATES#{tenant}")
}

fn sk(bucket: u16) -> String {
    format!("b#{bucket:03}")
}

fn packed(item: &Item) -> &[u8] {
    match item.get("data") {
        Some(AttributeValue::B(b)) => b.as_ref(),
        _ => &[],
    }
}

fn read_bucket(item: &Item) -> Result<(i64, BTreeMap<String, CandidateRecord>), StoreError> {
    let version = get_n(item, "v").unwrap_or(0);
    let records = match packed(item) {
        [] => Vec::new(),
        bytes => decode_bucket(bytes)?,
    };
    Ok((
        version,
        records.into_iter().map(|r| (r.id.clone(), r)).collect(),
    ))
}

impl DynamoStore {
    /// The packed buckets `first..=last` of a tenant.
    async fn load_range(
        &self,
        tenant: &TenantId,
        first: u16,
        last: u16,
    ) -> Result<Vec<Vec<u8>>, StoreError> {
        let mut out = Vec::new();
        let (pk, first, last) = (pk(tenant), sk(first), sk(last));
        self.query_partition(&pk, SortKeys::Between(&first, &last), false, |items| {
            out.extend(items.iter().map(|i| packed(i).to_vec()));
            Ok(())
        })
        .await?;
        Ok(out)
    }

    /// Apply `change` to one bucket: read it, change it, write it back only if nobody wrote
    /// it meanwhile (else read again). Returns what `change` returned.
    async fn change_bucket<T>(
        &self,
        tenant: &TenantId,
        bucket: u16,
        change: impl Fn(&mut BTreeMap<String, CandidateRecord>) -> T,
    ) -> Result<T, StoreError> {
        for _ in 0..ATTEMPTS {
            let (version, mut records) = match self.get(pk(tenant), &sk(bucket)).await? {
                Some(item) => read_bucket(&item)?,
                None => (0, BTreeMap::new()),
            };
            let answer = change(&mut records);
            let condition = if version == 0 {
                "attribute_not_exists(pk)"
            } else {
                "v = :v"
            };
            let client = self.client().await;
            let res = if records.is_empty() {
                self.stats.call("DeleteItem");
                let mut req = client
                    .delete_item()
                    .table_name(&self.table)
                    .key("pk", s(pk(tenant)))
                    .key("sk", s(sk(bucket)));
                if version != 0 {
                    req = req
                        .condition_expression(condition)
                        .expression_attribute_values(":v", n(version));
                }
                req.send().await.map(|_| ()).map_err(|e| {
                    let failed = e
                        .as_service_error()
                        .is_some_and(|s| s.is_conditional_check_failed_exception());
                    (failed, unavailable(e))
                })
            } else {
                let data = encode_bucket(records.values())?;
                if data.len() > MAX_BUCKET_BYTES {
                    return Err(StoreError::Unavailable(format!(
                        "candidate bucket {bucket} of tenant {tenant} is full ({} candidates)",
                        records.len()
                    )));
                }
                self.stats.call("PutItem");
                let mut req = client
                    .put_item()
                    .table_name(&self.table)
                    .item("pk", s(pk(tenant)))
                    .item("sk", s(sk(bucket)))
                    .item("kind", s("candidates"))
                    .item("v", n(version + 1))
                    .item("count", n(records.len()))
                    .item("data", AttributeValue::B(data.into()))
                    .condition_expression(condition);
                if version != 0 {
                    req = req.expression_attribute_values(":v", n(version));
                }
                req.send().await.map(|_| ()).map_err(|e| {
                    let failed = e
                        .as_service_error()
                        .is_some_and(|s| s.is_conditional_check_failed_exception());
                    (failed, unavailable(e))
                })
            };
            match res {
                Ok(()) => return Ok(answer),
                Err((true, _)) => continue,
                Err((false, e)) => return Err(e),
            }
        }
        Err(StoreError::Unavailable(format!(
            "candidate bucket {bucket} kept changing"
        )))
    }
}

#[async_trait::async_trait]
impl ProfileStore for DynamoStore {
    async fn load_candidates(&self, tenant: &TenantId) -> Result<Candidates, StoreError> {
        let mut reads = tokio::task::JoinSet::new();
        let per = BUCKETS.div_ceil(SEGMENTS);
        for segment in 0..SEGMENTS {
            let (store, tenant) = (self.clone(), tenant.clone());
            let (first, last) = (segment * per, ((segment + 1) * per).min(BUCKETS) - 1);
            reads.spawn(async move { store.load_range(&tenant, first, last).await });
        }
        let mut buckets = Vec::new();
        while let Some(read) = reads.join_next().await {
            let part = read.map_err(|e| StoreError::Unavailable(e.to_string()))??;
            buckets.extend(part);
        }
        Ok(Candidates { buckets })
    }

    async fn put_profiles(
        &self,
        tenant: &TenantId,
        records: Vec<CandidateRecord>,
    ) -> Result<(), StoreError> {
        let mut by_bucket: BTreeMap<u16, Vec<CandidateRecord>> = BTreeMap::new();
        for r in records {
            by_bucket.entry(bucket_of(&r.id)).or_default().push(r);
        }
        for (bucket, records) in by_bucket {
            self.change_bucket(tenant, bucket, |held| {
                for r in &records {
                    let r = replacing(held.get(&r.id), r.clone());
                    held.insert(r.id.clone(), r);
                }
            })
            .await?;
        }
        Ok(())
    }

    async fn mark_refine(
        &self,
        tenant: &TenantId,
        ids: &[String],
        queued: bool,
    ) -> Result<(), StoreError> {
        let mut by_bucket: BTreeMap<u16, Vec<&String>> = BTreeMap::new();
        for id in ids {
            by_bucket.entry(bucket_of(id)).or_default().push(id);
        }
        for (bucket, ids) in by_bucket {
            self.change_bucket(tenant, bucket, |held| {
                for id in &ids {
                    if let Some(r) = held.get_mut(id.as_str()) {
                        r.refine = queued;
                    }
                }
            })
            .await?;
        }
        Ok(())
    }

    async fn remove_profiles(
        &self,
        tenant: &TenantId,
        ids: &[String],
    ) -> Result<usize, StoreError> {
        let mut by_bucket: BTreeMap<u16, Vec<&String>> = BTreeMap::new();
        for id in ids {
            by_bucket.entry(bucket_of(id)).or_default().push(id);
        }
        let mut removed = 0;
        for (bucket, ids) in by_bucket {
            removed += self
                .change_bucket(tenant, bucket, |held| {
                    ids.iter()
                        .filter(|id| held.remove(id.as_str()).is_some())
                        .count()
                })
                .await?;
        }
        Ok(removed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_spread_over_every_bucket_stably() {
        let mut seen = std::collections::BTreeSet::new();
        for i in 0..20_000 {
            seen.insert(bucket_of(&format!("opp-{i}")));
        }
        assert_eq!(seen.len(), usize::from(BUCKETS));
        assert_eq!(bucket_of("opp-1"), bucket_of("opp-1"));
        assert!(bucket_of("any") < BUCKETS);
    }
}
