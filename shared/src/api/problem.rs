//! Errors of the HTTP API and their one mapping to responses (RFC 9457 problem+json with a
//! stable `code`). Messages never carry internals or request content.

use serde_json::json;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("the request body is larger than {limit} bytes")]
    BodyTooLarge { limit: usize },
    #[error("the request body is not valid for this endpoint")]
    BodyMalformed,
    #[error("no signature was sent")]
    SignatureMissing,
    #[error("the signature does not match")]
    SignatureInvalid,
    #[error("the delivery is too old or too far in the future")]
    DeliveryStale,
    #[error("an id in the body is not a valid id")]
    IdInvalid,
    #[error("this delivery's token was already used for a different delivery")]
    TokenReused,
    #[error("unknown tenant")]
    TenantUnknown,
    #[error("unknown order")]
    OrderUnknown,
    #[error("not found")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("temporarily unavailable, retry later")]
    Unavailable,
    #[error("the API key is missing or not valid")]
    ApiKeyInvalid,
    /// A request that is understood and refused, with words its sender can show a person
    /// (Paylocity shows them to its user): `code` is one of [`REFUSAL_CODES`].
    #[error("{message}")]
    Refused {
        status: u16,
        code: &'static str,
        message: String,
    },
}

/// The stable codes of [`ApiError::Refused`].
pub const REFUSAL_CODES: &[&str] = &[
    "order-id-invalid",
    "company-invalid",
    "company-not-onboarded",
    "package-missing",
    "package-unknown",
    "package-inactive",
    "candidate-email-missing",
    "action-refused",
    "credentials-invalid",
    "permission-denied",
];

/// The stable codes of every error but [`ApiError::Refused`] (whose codes are
/// [`REFUSAL_CODES`]); [`problem_codes`] gives them all.
const ERROR_CODES: &[&str] = &[
    "body-too-large",
    "body-malformed",
    "signature-missing",
    "signature-invalid",
    "delivery-stale",
    "id-invalid",
    "token-reused",
    "tenant-unknown",
    "order-unknown",
    "not-found",
    "method-not-allowed",
    "unavailable",
    "api-key-invalid",
];

/// The stable codes of the Lever connect routes' refusals (`lever_connect::ConnectError`).
pub const CONNECT_CODES: &[&str] = &[
    "lever-not-oauth",
    "lever-app-missing",
    "state-invalid",
    "state-expired",
    "state-reused",
    "lever-refused",
];

/// Every stable problem code, as `docs/contracts/openapi.json` lists them.
pub fn problem_codes() -> impl Iterator<Item = &'static str> {
    ERROR_CODES
        .iter()
        .chain(REFUSAL_CODES)
        .chain(CONNECT_CODES)
        .copied()
}

impl ApiError {
    /// A dependency (store, secrets) failed: logged with what failed, answered 503 without
    /// internals so the sender retries.
    pub fn unavailable(what: &str, e: impl std::fmt::Display) -> Self {
        tracing::error!(what, error = %e, "dependency failed");
        ApiError::Unavailable
    }

    pub fn status(&self) -> u16 {
        match self {
            ApiError::BodyTooLarge { .. } => 413,
            ApiError::BodyMalformed => 400,
            ApiError::SignatureMissing => 401,
            ApiError::SignatureInvalid => 403,
            ApiError::DeliveryStale => 422,
            ApiError::IdInvalid => 400,
            ApiError::TokenReused => 409,
            ApiError::TenantUnknown | ApiError::OrderUnknown | ApiError::NotFound => 404,
            ApiError::MethodNotAllowed => 405,
            ApiError::Unavailable => 503,
            ApiError::ApiKeyInvalid => 401,
            ApiError::Refused { status, .. } => *status,
        }
    }

    /// Stable machine-readable code: part of the API contract.
    pub fn code(&self) -> &'static str {
        match self {
            ApiError::BodyTooLarge { .. } => "body-too-large",
            ApiError::BodyMalformed => "body-malformed",
            ApiError::SignatureMissing => "signature-missing",
            ApiError::SignatureInvalid => "signature-invalid",
            ApiError::DeliveryStale => "delivery-stale",
            ApiError::IdInvalid => "id-invalid",
            ApiError::TokenReused => "token-reused",
            ApiError::TenantUnknown => "tenant-unknown",
            ApiError::OrderUnknown => "order-unknown",
            ApiError::NotFound => "not-found",
            ApiError::MethodNotAllowed => "method-not-allowed",
            ApiError::Unavailable => "unavailable",
            ApiError::ApiKeyInvalid => "api-key-invalid",
            ApiError::Refused { code, .. } => code,
        }
    }
}

/// A response: JSON body, or problem+json for errors.
#[derive(Clone, Debug, PartialEq)]
pub struct Reply {
    pub status: u16,
    pub body: serde_json::Value,
    pub problem: bool,
    /// A page for a person's browser instead of the JSON body (the Lever connect callback).
    pub html: Option<String>,
    /// Where a redirect points.
    pub location: Option<String>,
}

impl Reply {
    pub fn ok(body: serde_json::Value) -> Self {
        Self {
            status: 200,
            body,
            problem: false,
            html: None,
            location: None,
        }
    }

    /// `302 Found` to `location`, with `body` for a caller that does not follow it.
    pub fn redirect(location: String, body: serde_json::Value) -> Self {
        Self {
            status: 302,
            location: Some(location),
            ..Self::ok(body)
        }
    }

    /// This reply shown to a person as `html` (same status).
    pub fn as_page(mut self, html: String) -> Self {
        self.html = Some(html);
        self
    }

    pub fn content_type(&self) -> &'static str {
        if self.html.is_some() {
            "text/html; charset=utf-8"
        } else if self.problem {
            "application/problem+json"
        } else {
            "application/json"
        }
    }

    pub fn body_bytes(&self) -> Vec<u8> {
        match &self.html {
            Some(page) => page.clone().into_bytes(),
            None => serde_json::to_vec(&self.body).unwrap_or_default(),
        }
    }

    /// As an HTTP response (status, content type, JSON body), for any transport.
    pub fn into_http(self) -> http::Response<Vec<u8>> {
        let mut resp = http::Response::new(self.body_bytes());
        *resp.status_mut() = http::StatusCode::from_u16(self.status)
            .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
        resp.headers_mut().insert(
            http::header::CONTENT_TYPE,
            http::HeaderValue::from_static(self.content_type()),
        );
        if let Some(location) = self
            .location
            .as_deref()
            .and_then(|l| http::HeaderValue::from_str(l).ok())
        {
            resp.headers_mut().insert(http::header::LOCATION, location);
        }
        if self.html.is_some() || self.location.is_some() {
            // Pages and redirects of the connect flow carry one-time links.
            resp.headers_mut().insert(
                http::header::CACHE_CONTROL,
                http::HeaderValue::from_static("no-store"),
            );
        }
        resp
    }

    /// The problem code, when this is an error reply.
    pub fn code(&self) -> Option<&str> {
        self.problem.then(|| self.body["code"].as_str()).flatten()
    }
}

impl From<ApiError> for Reply {
    fn from(e: ApiError) -> Self {
        let status = e.status();
        let mut body = json!({
            "type": format!("https://screenhub.dev/problems/{}", e.code()),
            "title": e.to_string(),
            "status": status,
            "code": e.code(),
        });
        if let ApiError::Refused { message, code, .. } = &e {
            debug_assert!(REFUSAL_CODES.contains(code), "undocumented code {code}");
            body["detail"] = json!(message);
            body["message"] = json!(message);
        }
        Reply {
            status,
            body,
            problem: true,
            html: None,
            location: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_has_a_distinct_code_and_a_problem_body() {
        let all = [
            ApiError::BodyTooLarge { limit: 1 },
            ApiError::BodyMalformed,
            ApiError::SignatureMissing,
            ApiError::SignatureInvalid,
            ApiError::DeliveryStale,
            ApiError::IdInvalid,
            ApiError::TokenReused,
            ApiError::TenantUnknown,
            ApiError::OrderUnknown,
            ApiError::NotFound,
            ApiError::MethodNotAllowed,
            ApiError::Unavailable,
            ApiError::ApiKeyInvalid,
        ];
        let mut codes: Vec<&str> = all.iter().map(ApiError::code).collect();
        codes.extend(REFUSAL_CODES.iter().map(|code| {
            ApiError::Refused {
                status: 422,
                code,
                message: "m".into(),
            }
            .code()
        }));
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), all.len() + REFUSAL_CODES.len());
        codes.extend(CONNECT_CODES);
        codes.sort();
        let mut listed: Vec<&str> = problem_codes().collect();
        listed.sort();
        listed.dedup();
        assert_eq!(codes, listed, "problem_codes() lists every code");
        let r: Reply = ApiError::SignatureInvalid.into();
        assert_eq!(
            (r.status, r.content_type(), r.code()),
            (403, "application/problem+json", Some("signature-invalid"))
        );
        assert_eq!(r.body["status"], 403);
    }
}
