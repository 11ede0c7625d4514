//! Inbound webhook signatures, exactly as upstreams.md U1.12 computes them: v3 (HMAC-SHA256 with
//! a 5-minute replay window) and, behind a switch, v2 (SHA-256, no window). Pure functions: the
//! caller passes the clock reading and the secrets. Comparisons are constant-time.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// The replay window of v3, both directions (U1.12 step 4).
pub const V3_MAX_SKEW_MS: i64 = 300_000;

/// The signature headers of a request, as received.
#[derive(Clone, Copy, Debug, Default)]
pub struct SignatureHeaders<'a> {
    /// `X-HubSpot-Signature-v3`
    pub v3: Option<&'a str>,
    /// `X-HubSpot-Request-Timestamp`
    pub timestamp: Option<&'a str>,
    /// `X-HubSpot-Signature`
    pub v2: Option<&'a str>,
    /// `X-HubSpot-Signature-Version`
    pub version: Option<&'a str>,
}

/// The request as signed: method, `PUBLIC_BASE_URL`, the raw path and query, the raw body.
#[derive(Clone, Copy, Debug)]
pub struct SignedRequest<'a> {
    pub method: &'a str,
    pub public_base_url: &'a str,
    /// The raw path, with `?` and the raw query when the request had one.
    pub path_and_query: &'a str,
    pub body: &'a [u8],
}

/// What verification needs besides the request.
#[derive(Clone, Copy, Debug)]
pub struct VerifyOptions<'a> {
    /// The client secret, then the previous one during rotation.
    pub secrets: &'a [&'a str],
    pub accept_v2: bool,
    pub now_ms: i64,
}

/// Which scheme a valid signature used.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureVersion {
    V3,
    V2,
}

/// Why a request is refused (401).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    #[error("the request is not signed")]
    Missing,
    #[error("v1 signatures are not accepted")]
    V1Refused,
    #[error("v2 signatures are not accepted")]
    V2NotAccepted,
    #[error("the signature timestamp is not a number")]
    BadTimestamp,
    #[error("the signature timestamp is outside the 5-minute window")]
    Stale,
    #[error("the signature does not match")]
    Mismatch,
}

impl SignatureError {
    /// A stable code for logs and receipts.
    pub fn code(self) -> &'static str {
        match self {
            SignatureError::Missing => "signature_missing",
            SignatureError::V1Refused => "signature_v1_refused",
            SignatureError::V2NotAccepted => "signature_v2_not_accepted",
            SignatureError::BadTimestamp => "signature_bad_timestamp",
            SignatureError::Stale => "signature_stale",
            SignatureError::Mismatch => "signature_mismatch",
        }
    }
}

/// U1.12: v3 when its headers are present (never rescued by v2), else v2 when accepted.
pub fn verify(
    request: &SignedRequest<'_>,
    headers: &SignatureHeaders<'_>,
    options: &VerifyOptions<'_>,
) -> Result<SignatureVersion, SignatureError> {
    if let Some(signature) = headers.v3 {
        let timestamp = headers.timestamp.ok_or(SignatureError::Missing)?;
        return verify_v3(request, signature, timestamp, options).map(|()| SignatureVersion::V3);
    }
    match (headers.version, headers.v2) {
        (Some(v), _) if v.eq_ignore_ascii_case("v1") => Err(SignatureError::V1Refused),
        (_, Some(_)) if !options.accept_v2 => Err(SignatureError::V2NotAccepted),
        (_, Some(signature)) => {
            verify_v2(request, signature, options.secrets).map(|()| SignatureVersion::V2)
        }
        (_, None) => Err(SignatureError::Missing),
    }
}

fn verify_v3(
    request: &SignedRequest<'_>,
    signature: &str,
    timestamp: &str,
    options: &VerifyOptions<'_>,
) -> Result<(), SignatureError> {
    let sent: i64 = timestamp
        .parse()
        .map_err(|_| SignatureError::BadTimestamp)?;
    if options.now_ms.abs_diff(sent) > V3_MAX_SKEW_MS.unsigned_abs() {
        return Err(SignatureError::Stale);
    }
    let given = STANDARD
        .decode(signature.trim())
        .map_err(|_| SignatureError::Mismatch)?;
    let matches = options.secrets.iter().any(|secret| {
        let expected = v3_digest(secret, request, timestamp);
        bool::from(expected.as_slice().ct_eq(given.as_slice()))
    });
    if matches {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

fn verify_v2(
    request: &SignedRequest<'_>,
    signature: &str,
    secrets: &[&str],
) -> Result<(), SignatureError> {
    let given = signature.trim().to_ascii_lowercase();
    let matches = secrets.iter().any(|secret| {
        let expected = sign_v2(secret, request);
        bool::from(expected.as_bytes().ct_eq(given.as_bytes()))
    });
    if matches {
        Ok(())
    } else {
        Err(SignatureError::Mismatch)
    }
}

/// The v3 `X-HubSpot-Signature-v3` value for a request (tests, and `allot webhook sign`).
pub fn sign_v3(secret: &str, request: &SignedRequest<'_>, timestamp: &str) -> String {
    STANDARD.encode(v3_digest(secret, request, timestamp))
}

/// The v2 `X-HubSpot-Signature` value: lowercase hex of SHA-256(secret ‖ method ‖ uri ‖ body),
/// with the uri not decoded.
pub fn sign_v2(secret: &str, request: &SignedRequest<'_>) -> String {
    let mut hasher = Sha256::new();
    hasher.update(secret.as_bytes());
    hasher.update(request.method.to_ascii_uppercase().as_bytes());
    hasher.update(request.public_base_url.as_bytes());
    hasher.update(request.path_and_query.as_bytes());
    hasher.update(request.body);
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn v3_digest(secret: &str, request: &SignedRequest<'_>, timestamp: &str) -> Vec<u8> {
    // Any key length is valid for HMAC, so `new_from_slice` cannot fail here; an empty MAC
    // would simply never match.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return Vec::new();
    };
    mac.update(request.method.to_ascii_uppercase().as_bytes());
    mac.update(v3_uri(request.public_base_url, request.path_and_query).as_bytes());
    mac.update(request.body);
    mac.update(timestamp.as_bytes());
    mac.finalize().into_bytes().to_vec()
}

/// U1.12 step 1: base URL + raw path and query, with exactly twelve percent-encodings decoded.
fn v3_uri(base: &str, path_and_query: &str) -> String {
    const DECODED: [(u8, char); 12] = [
        (0x3A, ':'),
        (0x2F, '/'),
        (0x3F, '?'),
        (0x40, '@'),
        (0x21, '!'),
        (0x24, '$'),
        (0x27, '\''),
        (0x28, '('),
        (0x29, ')'),
        (0x2A, '*'),
        (0x2C, ','),
        (0x3B, ';'),
    ];
    let mut out = String::with_capacity(base.len() + path_and_query.len());
    out.push_str(base);
    let mut rest = path_and_query;
    while let Some(at) = rest.find('%') {
        out.push_str(&rest[..at]);
        let code = rest
            .get(at + 1..at + 3)
            .and_then(|hex| u8::from_str_radix(hex, 16).ok());
        match code.and_then(|c| DECODED.iter().find(|(b, _)| *b == c)) {
            Some((_, ch)) => {
                out.push(*ch);
                rest = &rest[at + 3..];
            }
            None => {
                out.push('%');
                rest = &rest[at + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "test-secret";
    const BODY: &[u8] = br#"{"a":1}"#;
    const TIMESTAMP: &str = "1742785200000";
    const V3: &str = "7g6qr2RHn+hOJYPZYj8VdsIYkHecVYjTm/VME3BDJYQ=";
    const V2: &str = "70cafdeedd2f354f994ff10c9f21eb5d3a283ba08fc884c4237d69e3307f4676";

    fn request() -> SignedRequest<'static> {
        SignedRequest {
            method: "POST",
            public_base_url: "https://alloc.example.com",
            path_and_query: "/post/allocate?x=%3A1",
            body: BODY,
        }
    }

    fn options(now_ms: i64, accept_v2: bool) -> VerifyOptions<'static> {
        VerifyOptions {
            secrets: &[SECRET],
            accept_v2,
            now_ms,
        }
    }

    fn v3_headers(signature: &'static str) -> SignatureHeaders<'static> {
        SignatureHeaders {
            v3: Some(signature),
            timestamp: Some(TIMESTAMP),
            ..SignatureHeaders::default()
        }
    }

    #[test]
    fn u1_12_worked_v3_example() {
        assert_eq!(
            v3_uri("https://alloc.example.com", "/post/allocate?x=%3A1"),
            "https://alloc.example.com/post/allocate?x=:1"
        );
        assert_eq!(sign_v3(SECRET, &request(), TIMESTAMP), V3);
        let now = 1_742_785_200_000;
        for skew in [0, 300_000, -300_000] {
            assert_eq!(
                verify(&request(), &v3_headers(V3), &options(now + skew, false)),
                Ok(SignatureVersion::V3)
            );
        }
        assert_eq!(
            verify(&request(), &v3_headers(V3), &options(now + 300_001, false)),
            Err(SignatureError::Stale)
        );
    }

    #[test]
    fn u1_12_worked_v2_example() {
        assert_eq!(sign_v2(SECRET, &request()), V2);
        let headers = SignatureHeaders {
            v2: Some(V2),
            version: Some("v2"),
            ..SignatureHeaders::default()
        };
        assert_eq!(
            verify(&request(), &headers, &options(0, true)),
            Ok(SignatureVersion::V2)
        );
        assert_eq!(
            verify(&request(), &headers, &options(0, false)),
            Err(SignatureError::V2NotAccepted)
        );
    }

    #[test]
    fn v3_refuses_changed_bodies_and_is_not_rescued_by_v2() {
        let now = 1_742_785_200_000;
        let mut tampered = request();
        tampered.body = br#"{"a":2}"#;
        assert_eq!(
            verify(&tampered, &v3_headers(V3), &options(now, true)),
            Err(SignatureError::Mismatch)
        );
        let both = SignatureHeaders {
            v3: Some("AAAA"),
            timestamp: Some(TIMESTAMP),
            v2: Some(V2),
            version: Some("v2"),
        };
        assert_eq!(
            verify(&request(), &both, &options(now, true)),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn previous_secret_is_accepted_during_rotation() {
        let now = 1_742_785_200_000;
        let rotated = VerifyOptions {
            secrets: &["new-secret", SECRET],
            accept_v2: false,
            now_ms: now,
        };
        assert_eq!(
            verify(&request(), &v3_headers(V3), &rotated),
            Ok(SignatureVersion::V3)
        );
    }

    #[test]
    fn missing_bad_and_v1_signatures_are_refused() {
        let now = 1_742_785_200_000;
        assert_eq!(
            verify(
                &request(),
                &SignatureHeaders::default(),
                &options(now, true)
            ),
            Err(SignatureError::Missing)
        );
        let v1 = SignatureHeaders {
            v2: Some(V2),
            version: Some("v1"),
            ..SignatureHeaders::default()
        };
        assert_eq!(
            verify(&request(), &v1, &options(now, true)),
            Err(SignatureError::V1Refused)
        );
        let bad_time = SignatureHeaders {
            v3: Some(V3),
            timestamp: Some("soon"),
            ..SignatureHeaders::default()
        };
        assert_eq!(
            verify(&request(), &bad_time, &options(now, false)),
            Err(SignatureError::BadTimestamp)
        );
        assert_eq!(
            verify(&request(), &v3_headers("not base64!"), &options(now, false)),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn only_the_twelve_encodings_are_decoded() {
        assert_eq!(
            v3_uri("https://h", "/p?a=%2f%3a%20%25%zz%"),
            "https://h/p?a=/:%20%25%zz%"
        );
    }
}
