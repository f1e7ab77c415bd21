//! Signing schemes used by the fakes, implemented independently of the hub.
//!
//! * Lever: `hex(HMAC_SHA256(key = signature token, msg = token + triggeredAt))`, carried as
//!   JSON body fields (`token`, `triggeredAt`, `signature`).
//! * Standard Webhooks (Alliance 2020 callbacks): `v1,` + `base64(HMAC_SHA256(key,
//!   "{id}.{timestamp}.{body}"))` where `key` is the base64-decoded part of a `whsec_…` secret.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

fn hmac(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC takes keys of any length");
    for part in parts {
        mac.update(part);
    }
    mac.finalize().into_bytes().to_vec()
}

/// Lever webhook signature: lowercase hex of `HMAC_SHA256(signature_token, token + triggered_at)`.
pub fn lever_signature(signature_token: &str, token: &str, triggered_at_ms: i64) -> String {
    let triggered = triggered_at_ms.to_string();
    hex::encode(hmac(
        signature_token.as_bytes(),
        &[token.as_bytes(), triggered.as_bytes()],
    ))
}

/// The key bytes of a Standard Webhooks secret: the base64-decoded part after `whsec_`.
/// A secret that is not valid base64 is used as raw bytes (so any string can serve as a secret).
pub fn standard_webhooks_key(secret: &str) -> Vec<u8> {
    let encoded = secret.strip_prefix("whsec_").unwrap_or(secret);
    STANDARD
        .decode(encoded)
        .unwrap_or_else(|_| encoded.as_bytes().to_vec())
}

/// One Standard Webhooks signature entry, `v1,<base64 HMAC>`, for `secret` (`whsec_…`).
pub fn standard_webhooks_signature(
    secret: &str,
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
) -> String {
    let key = standard_webhooks_key(secret);
    let prefix = format!("{msg_id}.{timestamp}.");
    let mac = hmac(&key, &[prefix.as_bytes(), body]);
    format!("v1,{}", STANDARD.encode(mac))
}

/// The `webhook-signature` header value: one `v1,<sig>` per secret, space-separated.
pub fn standard_webhooks_header(
    secrets: &[String],
    msg_id: &str,
    timestamp: i64,
    body: &[u8],
) -> String {
    secrets
        .iter()
        .map(|s| standard_webhooks_signature(s, msg_id, timestamp, body))
        .collect::<Vec<_>>()
        .join(" ")
}

/// A fresh random secret in the `whsec_<base64 of 24 random bytes>` form.
pub fn new_whsec() -> String {
    let bytes: Vec<u8> = uuid::Uuid::new_v4()
        .as_bytes()
        .iter()
        .chain(uuid::Uuid::new_v4().as_bytes().iter().take(8))
        .copied()
        .collect();
    format!("whsec_{}", STANDARD.encode(bytes))
}

/// A random lowercase-hex string of `len` characters (Lever tokens are 48 hex chars).
pub fn random_hex(len: usize) -> String {
    let mut out = String::with_capacity(len + 32);
    while out.len() < len {
        out.push_str(&uuid::Uuid::new_v4().simple().to_string());
    }
    out.truncate(len);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lever_vector_from_the_facts() {
        assert_eq!(
            lever_signature(
                "test-signature-token",
                "be58f711f349c7780e4579cd7c63341ac6f881e4dccc3154",
                1_431_454_330_072
            ),
            "67237316b71be6f4595c3313d347b09353b22d7cbab3726261b73d409acd8fd7"
        );
        assert_eq!(
            lever_signature(
                "73311ged32110cc40e00c672c2e03e1a42fa28a4fabde089",
                "be58f711f349c7780e4579cd7c63341ac6f881e4dccc3154",
                1_431_454_330_072
            ),
            "d8138ffefd31f34fd9ef6ab358881a2ac5d138287c38186688985ea7755ec241"
        );
    }

    #[test]
    fn standard_webhooks_vector() {
        // Test vector published with the Standard Webhooks reference libraries.
        let sig = standard_webhooks_signature(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn header_has_one_entry_per_secret() {
        let secrets = vec![new_whsec(), new_whsec()];
        let h = standard_webhooks_header(&secrets, "msg_1", 1, b"{}");
        assert_eq!(h.split(' ').count(), 2);
        assert!(h.split(' ').all(|s| s.starts_with("v1,")));
        assert_eq!(random_hex(48).len(), 48);
    }
}
