//! Lever-style cursor pagination: `limit` + opaque `offset` tokens tied to the query.
//!
//! Items are sorted by `(timestamp, id)`. A token is `<query fingerprint>.<timestamp>.<hex id>`
//! and resumes strictly after that key, so paging is stable. A token presented with different
//! filters (another fingerprint) or that does not parse is refused with Lever's own message.

use sha2::{Digest, Sha256};

use super::error::ApiError;

pub(crate) struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<String>,
    pub has_next: bool,
}

/// Fingerprint of a list query: resource plus every parameter except `limit` and `offset`.
pub(crate) fn fingerprint(resource: &str, params: &[(String, String)]) -> String {
    let mut kept: Vec<(&str, &str)> = params
        .iter()
        .filter(|(k, _)| k != "limit" && k != "offset")
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    kept.sort_unstable();
    let mut hasher = Sha256::new();
    hasher.update(resource.as_bytes());
    for (k, v) in kept {
        hasher.update([0]);
        hasher.update(k.as_bytes());
        hasher.update([1]);
        hasher.update(v.as_bytes());
    }
    hex::encode(&hasher.finalize()[..6])
}

fn decode(token: &str, fp: &str) -> Option<(i64, String)> {
    let mut parts = token.splitn(3, '.');
    let (tfp, ts, id) = (parts.next()?, parts.next()?, parts.next()?);
    if tfp != fp {
        return None;
    }
    let id = String::from_utf8(hex::decode(id).ok()?).ok()?;
    Some((ts.parse().ok()?, id))
}

pub(crate) fn paginate<T>(
    mut rows: Vec<((i64, String), T)>,
    fp: &str,
    limit: usize,
    offset: Option<&str>,
) -> Result<Page<T>, ApiError> {
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let after = match offset {
        None => None,
        Some(token) => Some(decode(token, fp).ok_or_else(ApiError::invalid_offset)?),
    };
    let mut remaining: Vec<((i64, String), T)> = rows
        .into_iter()
        .filter(|(key, _)| after.as_ref().is_none_or(|a| key > a))
        .collect();
    let has_next = remaining.len() > limit;
    remaining.truncate(limit);
    let next = if has_next {
        remaining
            .last()
            .map(|((ts, id), _)| format!("{fp}.{ts}.{}", hex::encode(id)))
    } else {
        None
    };
    Ok(Page {
        items: remaining.into_iter().map(|(_, t)| t).collect(),
        next,
        has_next,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(n: i64) -> Vec<((i64, String), i64)> {
        (0..n)
            .rev()
            .map(|i| ((i / 2, format!("id{i}")), i))
            .collect()
    }

    #[test]
    fn pages_cover_everything_once_in_order() {
        let mut seen = Vec::new();
        let mut offset: Option<String> = None;
        loop {
            let page = paginate(rows(7), "fp", 3, offset.as_deref()).unwrap();
            seen.extend(page.items);
            if !page.has_next {
                assert!(page.next.is_none());
                break;
            }
            offset = page.next;
        }
        assert_eq!(seen, vec![0, 1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn foreign_or_garbage_token_is_refused() {
        let page = paginate(rows(7), "fp", 3, None).unwrap();
        let token = page.next.unwrap();
        let err = paginate(rows(7), "other", 3, Some(&token)).err().unwrap();
        assert_eq!(
            err.message,
            "Invalid offset token: Offset token is invalid for sort"
        );
        assert!(paginate(rows(7), "fp", 3, Some("garbage")).is_err());
    }
}
