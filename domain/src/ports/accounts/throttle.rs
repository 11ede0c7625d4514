//! Login throttling (security.md S3.1, S3.2): failure counters per account and per client IP,
//! kept in the database so the limits hold across processes.

use super::users::LoginKey;
use crate::ports::StoreError;
use async_trait::async_trait;
use chrono::{DateTime, TimeDelta, Utc};
use std::sync::Arc;
use std::time::Duration;

/// The two keys a login attempt counts against (S3.1).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThrottleKeys {
    /// `acct:<login as normalised by P3.3>`, whether or not the account exists.
    pub account: String,
    /// `ip:<client ip>`.
    pub ip: String,
}

impl ThrottleKeys {
    pub fn new(login: &LoginKey, client_ip: &str) -> ThrottleKeys {
        ThrottleKeys {
            account: format!("acct:{}", login.as_str()),
            ip: format!("ip:{client_ip}"),
        }
    }
}

/// Limits and windows of the rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ThrottlePolicy {
    /// Failures within a window that lock an account key.
    pub account_limit: u32,
    /// Failures within a window that lock an IP key.
    pub ip_limit: u32,
    /// A key's window length, and how long after its start a lock lasts.
    pub window: TimeDelta,
    /// How long after its window ended a row is kept before the purge.
    pub retention: TimeDelta,
}

impl ThrottlePolicy {
    /// S3.2: 10 (account) or 50 (IP) failures in 15 minutes; rows purged 1 hour after.
    pub const SPEC: ThrottlePolicy = ThrottlePolicy {
        account_limit: 10,
        ip_limit: 50,
        window: TimeDelta::minutes(15),
        retention: TimeDelta::hours(1),
    };
}

impl Default for ThrottlePolicy {
    fn default() -> Self {
        ThrottlePolicy::SPEC
    }
}

/// One key's stored counter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ThrottleRecord {
    pub key: String,
    pub failures: u32,
    pub window_start: DateTime<Utc>,
    pub locked_until: Option<DateTime<Utc>>,
}

impl ThrottleRecord {
    pub fn is_locked(&self, now: DateTime<Utc>) -> bool {
        self.locked_until.is_some_and(|until| until > now)
    }

    /// S3.2, one failed login on one key: a locked key is left as it is (refused attempts do
    /// not count); a window starts at the first failure and restarts once `window` has passed
    /// since its start; reaching `limit` locks the key until `window_start + window`.
    pub fn after_failure(
        current: Option<&ThrottleRecord>,
        key: &str,
        now: DateTime<Utc>,
        limit: u32,
        window: TimeDelta,
    ) -> ThrottleRecord {
        if let Some(record) = current.filter(|r| r.is_locked(now)) {
            return record.clone();
        }
        let mut next = match current {
            Some(r) if r.failures > 0 && now < r.window_start + window => ThrottleRecord {
                failures: r.failures.saturating_add(1),
                ..r.clone()
            },
            _ => ThrottleRecord {
                key: key.to_owned(),
                failures: 1,
                window_start: now,
                locked_until: None,
            },
        };
        if next.failures >= limit {
            next.locked_until = Some(next.window_start + window);
        }
        next
    }
}

/// Whether a login attempt may go ahead (S3.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThrottleStatus {
    Allowed,
    /// 429 `rate_limited`; `retry_after` is the time until the last of the locked keys unlocks.
    Locked {
        retry_after: Duration,
    },
}

impl ThrottleStatus {
    /// The status of a set of keys at `now`.
    pub fn of<'a>(
        records: impl IntoIterator<Item = &'a ThrottleRecord>,
        now: DateTime<Utc>,
    ) -> ThrottleStatus {
        records
            .into_iter()
            .filter_map(|r| r.locked_until.filter(|until| *until > now))
            .max()
            .map_or(ThrottleStatus::Allowed, |until| ThrottleStatus::Locked {
                retry_after: (until - now).to_std().unwrap_or_default(),
            })
    }
}

/// The login throttle store. Each operation is atomic per key across processes.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait]
pub trait LoginThrottle: Send + Sync {
    /// Locked when either key is locked at `now`. Reads only.
    async fn check_login(
        &self,
        keys: &ThrottleKeys,
        now: DateTime<Utc>,
    ) -> Result<ThrottleStatus, StoreError>;

    /// Applies [`ThrottleRecord::after_failure`] to both keys (account limit to the account
    /// key, IP limit to the IP key), each as one atomic read-modify-write; returns the status
    /// after the failure.
    async fn record_login_failure(
        &self,
        keys: &ThrottleKeys,
        now: DateTime<Utc>,
        policy: &ThrottlePolicy,
    ) -> Result<ThrottleStatus, StoreError>;

    /// A successful login resets the account key only (S3.2). A lock that another attempt set
    /// meanwhile is kept.
    async fn record_login_success(
        &self,
        keys: &ThrottleKeys,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError>;

    /// Deletes rows whose window ended more than `policy.retention` before `now`; returns how
    /// many.
    async fn purge_login_throttle(
        &self,
        now: DateTime<Utc>,
        policy: &ThrottlePolicy,
    ) -> Result<u64, StoreError>;

    /// One key's counter, for diagnostics and tests.
    async fn throttle_record(&self, key: &str) -> Result<Option<ThrottleRecord>, StoreError>;
}

#[async_trait]
impl<T: LoginThrottle + ?Sized> LoginThrottle for Arc<T> {
    async fn check_login(
        &self,
        keys: &ThrottleKeys,
        now: DateTime<Utc>,
    ) -> Result<ThrottleStatus, StoreError> {
        (**self).check_login(keys, now).await
    }
    async fn record_login_failure(
        &self,
        keys: &ThrottleKeys,
        now: DateTime<Utc>,
        policy: &ThrottlePolicy,
    ) -> Result<ThrottleStatus, StoreError> {
        (**self).record_login_failure(keys, now, policy).await
    }
    async fn record_login_success(
        &self,
        keys: &ThrottleKeys,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        (**self).record_login_success(keys, now).await
    }
    async fn purge_login_throttle(
        &self,
        now: DateTime<Utc>,
        policy: &ThrottlePolicy,
    ) -> Result<u64, StoreError> {
        (**self).purge_login_throttle(now, policy).await
    }
    async fn throttle_record(&self, key: &str) -> Result<Option<ThrottleRecord>, StoreError> {
        (**self).throttle_record(key).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn the_tenth_failure_locks_until_the_window_ends() {
        let window = TimeDelta::minutes(15);
        let start = at("2025-11-20T10:00:00Z");
        let mut record = None;
        for i in 0..10 {
            let now = start + TimeDelta::seconds(i * 30);
            record = Some(ThrottleRecord::after_failure(
                record.as_ref(),
                "acct:a",
                now,
                10,
                window,
            ));
        }
        let record = record.unwrap();
        assert_eq!(record.failures, 10);
        assert_eq!(record.locked_until, Some(at("2025-11-20T10:15:00Z")));
        let now = at("2025-11-20T10:14:00Z");
        let again = ThrottleRecord::after_failure(Some(&record), "acct:a", now, 10, window);
        assert_eq!(again, record, "locked attempts do not count");
        assert_eq!(
            ThrottleStatus::of([&record], now),
            ThrottleStatus::Locked {
                retry_after: Duration::from_secs(60)
            }
        );
    }

    #[test]
    fn the_window_restarts_after_fifteen_minutes() {
        let window = TimeDelta::minutes(15);
        let first =
            ThrottleRecord::after_failure(None, "ip:x", at("2025-11-20T10:00:00Z"), 50, window);
        let later = at("2025-11-20T10:15:00Z");
        let next = ThrottleRecord::after_failure(Some(&first), "ip:x", later, 50, window);
        assert_eq!((next.failures, next.window_start), (1, later));
        assert_eq!(ThrottleStatus::of([&next], later), ThrottleStatus::Allowed);
    }

    #[test]
    fn account_keys_use_the_normalised_login() {
        let keys = ThrottleKeys::new(&LoginKey::parse(" Alex "), "203.0.113.9");
        assert_eq!(keys.account, "acct:alex");
        assert_eq!(keys.ip, "ip:203.0.113.9");
    }
}
