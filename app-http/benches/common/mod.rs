//! What the benches share: settings from the environment, a signed webhook delivery, an
//! employee session, and percentiles. Each bench uses part of it.
#![allow(dead_code)]

use app_http::auth::cookies;
use chrono::{DateTime, Utc};
use domain::ports::{NewSession, Role, SessionLifetimes, SessionStore};
use std::time::{Duration, Instant};

/// A count from the environment, else `default`.
pub fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `body` POSTed to `base/post/allocate`, signed with v3 under `secret` now: the status and the
/// latency.
pub async fn signed_allocate(
    client: &reqwest::Client,
    base: &str,
    secret: &str,
    body: String,
) -> (u16, Duration) {
    let ts = Utc::now().timestamp_millis().to_string();
    let signed = hubspot::signature::SignedRequest {
        method: "POST",
        public_base_url: base,
        path_and_query: "/post/allocate",
        body: body.as_bytes(),
    };
    let sig = hubspot::signature::sign_v3(secret, &signed, &ts);
    let started = Instant::now();
    let r = client
        .post(format!("{base}/post/allocate"))
        .header("content-type", "application/json")
        .header("x-hubspot-signature-v3", sig)
        .header("x-hubspot-request-timestamp", ts)
        .body(body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), started.elapsed())
}

/// A live employee session for `user_id`: its `sid=<token>` cookie.
pub async fn employee_session<S: SessionStore>(
    store: &S,
    user_id: i64,
    now: DateTime<Utc>,
) -> String {
    let token = cookies::random_token().unwrap();
    let session = NewSession {
        id_hash: cookies::sha256_hex(&token),
        user_id,
        csrf_token: cookies::random_token().unwrap(),
        absolute_expires_at: now + SessionLifetimes::SPEC.for_role(Role::Employee).absolute,
        ip: None,
        user_agent: None,
    };
    store.create_session(&session, now).await.unwrap();
    format!("{}={token}", cookies::session_name(false))
}

/// The `p` quantile (0..=1) of sorted latencies; zero when there are none.
pub fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}
