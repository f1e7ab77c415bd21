//! The candidate database of the recruiting passes (FiiLTER, ARKiiVE, REFiiNE): one matching
//! profile per Lever opportunity, holding what matching needs and no contact data. One pass
//! loads a tenant's whole database at once, so the stores pack many profiles per item.

use crate::domain::TenantId;
use crate::matching::Profile;
use crate::ports::store::StoreError;
use serde::{Deserialize, Serialize};

/// One candidate as the passes see it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CandidateRecord {
    /// The Lever opportunity id.
    #[serde(rename = "i")]
    pub id: String,
    /// Lever's contact (person) id: a lead is a new opportunity for this contact.
    #[serde(rename = "c")]
    pub contact: String,
    /// The posting the opportunity is for, if any.
    #[serde(rename = "p", default, skip_serializing_if = "Option::is_none")]
    pub posting: Option<String>,
    /// When Lever last changed the opportunity (ms since the epoch).
    #[serde(rename = "u")]
    pub updated_at: i64,
    /// FiiLTER did not advance the application: REFiiNE scores it against the other open
    /// postings.
    #[serde(rename = "q", default, skip_serializing_if = "std::ops::Not::not")]
    pub refine: bool,
    #[serde(rename = "f")]
    pub profile: Profile,
}

/// `record` as it replaces `held` (if any): everything but the `refine` mark.
pub fn replacing(held: Option<&CandidateRecord>, record: CandidateRecord) -> CandidateRecord {
    match held {
        Some(h) => CandidateRecord {
            refine: h.refine,
            ..record
        },
        None => record,
    }
}

/// A packed bucket of candidates: their records as JSON, deflated. At the median profile a
/// bucket of 200 candidates is about 45 KB instead of 220 KB.
pub fn encode_bucket<'a>(
    records: impl IntoIterator<Item = &'a CandidateRecord>,
) -> Result<Vec<u8>, StoreError> {
    let json = serde_json::to_vec(&records.into_iter().collect::<Vec<_>>())
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(miniz_oxide::deflate::compress_to_vec(&json, 3))
}

/// The records of a packed bucket.
pub fn decode_bucket(packed: &[u8]) -> Result<Vec<CandidateRecord>, StoreError> {
    let json = miniz_oxide::inflate::decompress_to_vec_with_limit(packed, 64 << 20)
        .map_err(|e| StoreError::Corrupt(format!("candidate bucket: {e:?}")))?;
    serde_json::from_slice(&json).map_err(|e| StoreError::Corrupt(format!("candidate bucket: {e}")))
}

/// A tenant's candidates as loaded: packed, unpacked one bucket at a time while they are
/// read, so a pass over 100,000 candidates never holds them all unpacked (it builds its index
/// from [`Candidates::records`] and keeps what else it needs).
#[derive(Clone, Debug, Default)]
pub struct Candidates {
    pub buckets: Vec<Vec<u8>>,
}

impl Candidates {
    /// Every record, bucket by bucket (a bucket that cannot be read is skipped and logged).
    pub fn records(&self) -> impl Iterator<Item = CandidateRecord> + '_ {
        self.buckets.iter().flat_map(|b| match decode_bucket(b) {
            Ok(records) => records,
            Err(e) => {
                tracing::error!(error = %e, "candidate bucket skipped");
                Vec::new()
            }
        })
    }

    /// The packed size, in bytes.
    pub fn packed_bytes(&self) -> usize {
        self.buckets.iter().map(Vec::len).sum()
    }
}

#[async_trait::async_trait]
pub trait ProfileStore: Send + Sync {
    /// Every candidate of the tenant, packed.
    async fn load_candidates(&self, tenant: &TenantId) -> Result<Candidates, StoreError>;

    /// Every candidate of the tenant, unpacked (no order): for small tenants and tests.
    async fn load_profiles(&self, tenant: &TenantId) -> Result<Vec<CandidateRecord>, StoreError> {
        Ok(self.load_candidates(tenant).await?.records().collect())
    }
    /// Add or replace candidates (by id). A candidate already held keeps its `refine` mark
    /// (only [`ProfileStore::mark_refine`] changes it), so a profile rebuilt from a stale read
    /// never undoes a pass's mark.
    async fn put_profiles(
        &self,
        tenant: &TenantId,
        records: Vec<CandidateRecord>,
    ) -> Result<(), StoreError>;
    /// Set the `refine` mark of candidates held (FiiLTER queues, REFiiNE clears).
    async fn mark_refine(
        &self,
        tenant: &TenantId,
        ids: &[String],
        queued: bool,
    ) -> Result<(), StoreError>;
    /// Remove candidates (a deletion in Lever, retention); returns how many were held.
    async fn remove_profiles(&self, tenant: &TenantId, ids: &[String])
    -> Result<usize, StoreError>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::matching::CandidateDoc;

    #[test]
    fn a_bucket_round_trips_packed() {
        let records: Vec<CandidateRecord> = (0..50)
            .map(|i| CandidateRecord {
                id: format!("opp-{i}"),
                contact: format!("c-{i}"),
                posting: Some("p".into()),
                updated_at: i,
                refine: false,
                profile: Profile::from_candidate(&CandidateDoc {
                    id: format!("opp-{i}"),
                    titles: vec!["Backend Engineer".into()],
                    summaries: vec!["Rust services on AWS Lambda, DynamoDB and Kubernetes".into()],
                    ..CandidateDoc::default()
                }),
            })
            .collect();
        let packed = encode_bucket(&records).unwrap();
        let plain = serde_json::to_vec(&records).unwrap();
        assert!(
            packed.len() * 3 < plain.len(),
            "{} vs {}",
            packed.len(),
            plain.len()
        );
        assert_eq!(decode_bucket(&packed).unwrap(), records);
        let all = Candidates {
            buckets: vec![packed.clone(), b"not deflate".to_vec(), packed],
        };
        assert_eq!(all.records().count(), 100, "a bad bucket is skipped");
    }
}
