//! The clock port: the only way the domain learns the time (allocation.md T2).

use chrono::{DateTime, Utc};
use std::sync::Arc;

/// The current instant.
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;
}

impl<T: Clock + ?Sized> Clock for Arc<T> {
    fn now(&self) -> DateTime<Utc> {
        (**self).now()
    }
}

/// Waiting: the only way the domain lets time pass (polling a duplicate's claim, deadlines).
#[cfg_attr(any(test, feature = "mocks"), mockall::automock)]
#[async_trait::async_trait]
pub trait Sleeper: Send + Sync {
    async fn sleep(&self, duration: std::time::Duration);
}

#[async_trait::async_trait]
impl<T: Sleeper + ?Sized> Sleeper for Arc<T> {
    async fn sleep(&self, duration: std::time::Duration) {
        (**self).sleep(duration).await
    }
}
