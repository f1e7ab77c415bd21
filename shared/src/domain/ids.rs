//! Identifier newtypes, parsed once at the edge.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A tenant: one client company onboarded onto this deployment.
/// Restricted to `[A-Za-z0-9_-]{1,64}` because it is used in URLs, keys and secret names.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TenantId(String);

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("tenant ids are 1 to 64 characters of A-Z, a-z, 0-9, '-' and '_'")]
pub struct InvalidTenantId;

impl TenantId {
    pub fn parse(raw: &str) -> Result<Self, InvalidTenantId> {
        let ok = !raw.is_empty()
            && raw.len() <= 64
            && raw
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
        if ok {
            Ok(Self(raw.to_owned()))
        } else {
            Err(InvalidTenantId)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TenantId {
    type Error = InvalidTenantId;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<TenantId> for String {
    fn from(value: TenantId) -> Self {
        value.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An id another system chose (a Lever opportunity, posting or stage id, a provider's order
/// reference). Such ids arrive in bodies that are not (fully) signed and end up in URL paths
/// and table keys, so they are checked once at the edge: 1 to 128 characters of A-Z, a-z,
/// 0-9, `-`, `_`, `.` and `:`, and not made of dots alone (no `.` or `..` path segment).
/// Lever's ids are UUIDs or words such as `applicant-new`.
pub fn external_id(raw: &str) -> Result<&str, InvalidExternalId> {
    let ok = !raw.is_empty()
        && raw.len() <= 128
        && raw
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b':'))
        && !raw.bytes().all(|b| b == b'.');
    if ok { Ok(raw) } else { Err(InvalidExternalId) }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("ids are 1 to 128 characters of A-Z, a-z, 0-9, '-', '_', '.' and ':'")]
pub struct InvalidExternalId;

macro_rules! uuid_id {
    ($name:ident, $doc:literal) => {
        #[doc = $doc]
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
        )]
        #[serde(transparent)]
        pub struct $name(uuid::Uuid);

        impl $name {
            /// A new time-ordered (v7) id.
            pub fn new() -> Self {
                Self(uuid::Uuid::now_v7())
            }

            pub fn parse(raw: &str) -> Option<Self> {
                uuid::Uuid::parse_str(raw).ok().map(Self)
            }
        }

        impl Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

uuid_id!(
    OrderId,
    "A screening order, Screenhub's own id (also sent to providers as the client reference)."
);
uuid_id!(OutboxId, "One pending outbound effect.");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_ids_reject_path_and_key_separators() {
        assert!(TenantId::parse("acme-corp_1").is_ok());
        for bad in ["", "a/b", "a#b", "a b", "ä", &"x".repeat(65)] {
            assert_eq!(TenantId::parse(bad), Err(InvalidTenantId), "{bad:?}");
        }
    }

    #[test]
    fn external_ids_accept_lever_shapes_and_refuse_paths_and_queries() {
        for good in [
            "250d8f03-738a-4bba-a671-8a3d73477145",
            "applicant-new",
            "lead-new",
            "BO-000123",
            "a.b:c_d",
        ] {
            assert_eq!(external_id(good), Ok(good));
        }
        for bad in [
            "",
            ".",
            "..",
            "a/../../postings/x?",
            "a/b",
            "a?b",
            "a#b",
            "a%2Fb",
            "a b",
            "é",
            &"x".repeat(129),
        ] {
            assert_eq!(external_id(bad), Err(InvalidExternalId), "{bad:?}");
        }
    }

    #[test]
    fn order_ids_round_trip_through_text() {
        let id = OrderId::new();
        assert_eq!(OrderId::parse(&id.to_string()), Some(id));
        assert_eq!(OrderId::parse("not-a-uuid"), None);
    }
}
