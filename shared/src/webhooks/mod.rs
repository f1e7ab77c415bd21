//! Inbound webhook authentication, as pure functions over the raw request.

pub mod lever;
pub mod standard;

use subtle::ConstantTimeEq;

/// Constant-time equality of two byte strings (length is not secret).
pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}
