//! HubSpot request signatures at the edge (security.md S8): verified against `PUBLIC_BASE_URL`
//! and the raw body before anything is parsed; every failure is the same 401.

use crate::error::ApiError;
use crate::state::AppState;
use hubspot::signature::{
    SignatureHeaders, SignatureVersion, SignedRequest, VerifyOptions, verify,
};
use poem::Request;
use poem::http::StatusCode;

/// Checks the delivery's signature; the version used (`v3` / `v2`) for the receipt.
pub fn verify_hubspot(
    state: &AppState,
    request: &Request,
    body: &[u8],
) -> Result<&'static str, ApiError> {
    if state.signing_secrets.is_empty() {
        return Err(ApiError::not_configured("The HubSpot webhook secret"));
    }
    let header = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok());
    let headers = SignatureHeaders {
        v3: header("x-hubspot-signature-v3"),
        timestamp: header("x-hubspot-request-timestamp"),
        v2: header("x-hubspot-signature"),
        version: header("x-hubspot-signature-version"),
    };
    let path_and_query = request
        .uri()
        .path_and_query()
        .map(|pq| pq.as_str())
        .unwrap_or_else(|| request.uri().path());
    let base = state.settings.public_base_url();
    let signed = SignedRequest {
        method: request.method().as_str(),
        public_base_url: &base,
        path_and_query,
        body,
    };
    let secrets: Vec<&str> = state.signing_secrets.iter().map(String::as_str).collect();
    let options = VerifyOptions {
        secrets: &secrets,
        accept_v2: state.settings.hubspot_accept_v2_signatures,
        now_ms: state.clock.now().timestamp_millis(),
    };
    match verify(&signed, &headers, &options) {
        Ok(SignatureVersion::V3) => Ok("v3"),
        Ok(SignatureVersion::V2) => Ok("v2"),
        Err(e) => {
            tracing::info!(reason = e.code(), "webhook signature refused");
            Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_signature",
                "The request signature is missing, wrong or outside its time window.",
            ))
        }
    }
}
