//! Standard Webhooks verification (as used by Svix and the provider callbacks):
//! `webhook-signature: v1,<base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}"))> …`.
//! Several signatures may be present and several secrets configured (rotation).

use base64::Engine;
use base64::engine::general_purpose::STANDARD as B64;
use hmac::{Hmac, Mac};
use sha2::Sha256;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VerifyError {
    #[error("signature headers are missing")]
    Missing,
    #[error("no signature matches")]
    Invalid,
    #[error("timestamp is outside the tolerance window")]
    Stale,
}

/// The three Standard Webhooks headers, as received.
pub struct SignedHeaders<'a> {
    pub id: Option<&'a str>,
    pub timestamp: Option<&'a str>,
    pub signature: Option<&'a str>,
}

/// Key bytes of a `whsec_<base64>` secret (or of a raw secret without the prefix).
pub fn secret_key(secret: &str) -> Vec<u8> {
    match secret.strip_prefix("whsec_") {
        Some(b64) => B64.decode(b64).unwrap_or_else(|_| b64.as_bytes().to_vec()),
        None => secret.as_bytes().to_vec(),
    }
}

pub fn sign(secret: &str, id: &str, timestamp: i64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(&secret_key(secret)).expect("any key length");
    mac.update(format!("{id}.{timestamp}.").as_bytes());
    mac.update(body);
    format!("v1,{}", B64.encode(mac.finalize().into_bytes()))
}

/// Verify the signature first, then the timestamp: an attacker learns nothing from timing.
pub fn verify(
    secrets: &[&str],
    headers: &SignedHeaders<'_>,
    body: &[u8],
    now_unix: i64,
    tolerance_secs: i64,
) -> Result<(), VerifyError> {
    let (Some(id), Some(ts), Some(sigs)) = (headers.id, headers.timestamp, headers.signature)
    else {
        return Err(VerifyError::Missing);
    };
    let timestamp: i64 = ts.trim().parse().map_err(|_| VerifyError::Invalid)?;
    let given: Vec<Vec<u8>> = sigs
        .split_whitespace()
        .filter_map(|s| s.strip_prefix("v1,"))
        .filter_map(|b| B64.decode(b).ok())
        .collect();
    let matched = secrets.iter().any(|secret| {
        let mut mac = Hmac::<Sha256>::new_from_slice(&secret_key(secret)).expect("any key length");
        // Signed over the timestamp as sent, not as re-printed from the parsed number.
        mac.update(format!("{id}.{ts}.").as_bytes());
        mac.update(body);
        let expected = mac.finalize().into_bytes();
        given.iter().any(|g| super::ct_eq(g, &expected))
    });
    if !matched {
        return Err(VerifyError::Invalid);
    }
    if now_unix.abs_diff(timestamp) > tolerance_secs.unsigned_abs() {
        return Err(VerifyError::Stale);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    const OLD: &str = "whsec_b2xkLXNlY3JldC1vbGQtc2VjcmV0";

    fn headers<'a>(id: &'a str, ts: &'a str, sig: &'a str) -> SignedHeaders<'a> {
        SignedHeaders {
            id: Some(id),
            timestamp: Some(ts),
            signature: Some(sig),
        }
    }

    #[test]
    fn published_svix_example_vector() {
        // The example published in the Svix / Standard Webhooks documentation.
        let sig = sign(
            SECRET,
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1614265330,
            br#"{"test": 2432232314}"#,
        );
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }

    #[test]
    fn accepts_either_configured_secret_during_rotation() {
        let body = b"{}";
        let sig_old = sign(OLD, "m1", 1000, body);
        let h = headers("m1", "1000", &sig_old);
        assert_eq!(verify(&[SECRET, OLD], &h, body, 1000, 300), Ok(()));
        assert_eq!(
            verify(&[SECRET], &h, body, 1000, 300),
            Err(VerifyError::Invalid)
        );
        let both = format!("{} {}", sign(SECRET, "m1", 1000, body), sig_old);
        assert_eq!(
            verify(&[SECRET], &headers("m1", "1000", &both), body, 1000, 300),
            Ok(())
        );
    }

    #[test]
    fn refuses_tampered_body_id_or_timestamp() {
        let sig = sign(SECRET, "m1", 1000, b"{\"a\":1}");
        assert_eq!(
            verify(
                &[SECRET],
                &headers("m1", "1000", &sig),
                b"{\"a\":2}",
                1000,
                300
            ),
            Err(VerifyError::Invalid)
        );
        assert_eq!(
            verify(
                &[SECRET],
                &headers("m2", "1000", &sig),
                b"{\"a\":1}",
                1000,
                300
            ),
            Err(VerifyError::Invalid)
        );
        assert_eq!(
            verify(
                &[SECRET],
                &headers("m1", "1001", &sig),
                b"{\"a\":1}",
                1000,
                300
            ),
            Err(VerifyError::Invalid)
        );
    }

    #[test]
    fn stale_and_future_timestamps_are_refused_after_the_signature_checks() {
        let sig = sign(SECRET, "m1", 1000, b"x");
        assert_eq!(
            verify(&[SECRET], &headers("m1", "1000", &sig), b"x", 1301, 300),
            Err(VerifyError::Stale)
        );
        assert_eq!(
            verify(&[SECRET], &headers("m1", "1000", &sig), b"x", 699, 300),
            Err(VerifyError::Stale)
        );
        assert_eq!(
            verify(&[SECRET], &headers("m1", "1000", &sig), b"x", 1300, 300),
            Ok(())
        );
    }

    #[test]
    fn the_timestamp_is_signed_as_sent_and_extremes_cannot_overflow() {
        use base64::Engine as _;
        // A sender that pads its timestamp signs the padded text.
        let mut mac = Hmac::<Sha256>::new_from_slice(&secret_key(SECRET)).unwrap();
        mac.update(b"m1.01000.x");
        let padded = format!("v1,{}", B64.encode(mac.finalize().into_bytes()));
        assert_eq!(
            verify(&[SECRET], &headers("m1", "01000", &padded), b"x", 1000, 300),
            Ok(())
        );
        let reprinted = sign(SECRET, "m1", 1000, b"x");
        assert_eq!(
            verify(
                &[SECRET],
                &headers("m1", "01000", &reprinted),
                b"x",
                1000,
                300
            ),
            Err(VerifyError::Invalid)
        );
        let far = sign(SECRET, "m1", i64::MIN, b"x");
        let ts = i64::MIN.to_string();
        assert_eq!(
            verify(&[SECRET], &headers("m1", &ts, &far), b"x", i64::MAX, 300),
            Err(VerifyError::Stale)
        );
    }

    #[test]
    fn missing_headers_and_empty_secret_lists() {
        let h = SignedHeaders {
            id: Some("m"),
            timestamp: None,
            signature: Some("v1,AAAA"),
        };
        assert_eq!(
            verify(&[SECRET], &h, b"", 0, 300),
            Err(VerifyError::Missing)
        );
        let sig = sign(SECRET, "m1", 1000, b"x");
        assert_eq!(
            verify(&[], &headers("m1", "1000", &sig), b"x", 1000, 300),
            Err(VerifyError::Invalid)
        );
    }
}
