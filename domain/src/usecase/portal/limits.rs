//! Per-subject action limits of security.md S3.3 kept in the throttle store, so they hold
//! across processes: registrations per client IP, photo uploads per user. Only accepted actions
//! count; the action after the limit is refused until the window that started with the first
//! one ends.

use crate::ports::{LoginThrottle, StoreError, ThrottleKeys, ThrottlePolicy, ThrottleStatus};
use chrono::{DateTime, TimeDelta, Utc};
use std::time::Duration;

/// `limit` accepted actions per subject per `window`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActionLimit {
    /// The key prefix in the throttle store.
    pub name: &'static str,
    pub limit: u32,
    pub window: TimeDelta,
}

/// S3.3: 10 registrations per client IP per hour.
pub const REGISTRATIONS_PER_IP: ActionLimit = ActionLimit {
    name: "register",
    limit: 10,
    window: TimeDelta::hours(1),
};

/// S3.3: 20 photo uploads per user per hour.
pub const PHOTO_UPLOADS_PER_USER: ActionLimit = ActionLimit {
    name: "photo",
    limit: 20,
    window: TimeDelta::hours(1),
};

impl ActionLimit {
    /// The store counts two keys per event; both name this subject, so both carry the limit.
    pub fn keys(&self, subject: &str) -> ThrottleKeys {
        ThrottleKeys {
            account: format!("{}:{subject}", self.name),
            ip: format!("{}-ip:{subject}", self.name),
        }
    }

    fn policy(&self) -> ThrottlePolicy {
        ThrottlePolicy {
            account_limit: self.limit,
            ip_limit: self.limit,
            window: self.window,
            retention: TimeDelta::hours(1),
        }
    }

    /// `Err(retry_after)` when the subject used up its actions.
    pub async fn check<T: LoginThrottle>(
        &self,
        throttle: &T,
        subject: &str,
        now: DateTime<Utc>,
    ) -> Result<Result<(), Duration>, StoreError> {
        Ok(
            match throttle.check_login(&self.keys(subject), now).await? {
                ThrottleStatus::Allowed => Ok(()),
                ThrottleStatus::Locked { retry_after } => Err(retry_after),
            },
        )
    }

    /// Counts one accepted action.
    pub async fn record<T: LoginThrottle>(
        &self,
        throttle: &T,
        subject: &str,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        throttle
            .record_login_failure(&self.keys(subject), now, &self.policy())
            .await
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::MockLoginThrottle;
    use futures::executor::block_on;

    #[test]
    fn recording_uses_the_limit_and_window_of_the_action() {
        let mut throttle = MockLoginThrottle::new();
        throttle
            .expect_record_login_failure()
            .withf(|keys, _, policy| {
                keys.account == "photo:7"
                    && policy.account_limit == 20
                    && policy.ip_limit == 20
                    && policy.window == TimeDelta::hours(1)
            })
            .times(1)
            .returning(|_, _, _| Ok(ThrottleStatus::Allowed));
        let now = "2025-11-20T00:00:00Z".parse().unwrap();
        block_on(PHOTO_UPLOADS_PER_USER.record(&throttle, "7", now)).unwrap();
    }

    #[test]
    fn a_locked_subject_is_refused_with_the_wait() {
        let mut throttle = MockLoginThrottle::new();
        throttle.expect_check_login().returning(|_, _| {
            Ok(ThrottleStatus::Locked {
                retry_after: Duration::from_secs(30),
            })
        });
        let now = "2025-11-20T00:00:00Z".parse().unwrap();
        let outcome = block_on(REGISTRATIONS_PER_IP.check(&throttle, "ip", now)).unwrap();
        assert_eq!(outcome, Err(Duration::from_secs(30)));
    }
}
