//! The portal admin's operations (portal.md P10): the application list and resend are the admin
//! store's; the summary (P10.3) joins the user counts with the portal counts.

use crate::portal::jobs::CachePolicy;
use crate::ports::{PortalStatsStore, PortalSummary, StoreError, UserCounts, UserStore};
use chrono::{DateTime, TimeDelta, Utc};

/// P10.3: users by role, jobs by status, applications by status and remote status,
/// connections, messages of the last 24 h, the job sync state.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AdminSummary {
    pub users: UserCounts,
    pub portal: PortalSummary,
}

pub async fn summary<U, S>(
    users: &U,
    stats: &S,
    policy: &CachePolicy,
    now: DateTime<Utc>,
) -> Result<AdminSummary, StoreError>
where
    U: UserStore + ?Sized,
    S: PortalStatsStore + ?Sized,
{
    Ok(AdminSummary {
        users: users.count_users_by_role().await?,
        portal: stats
            .portal_summary(policy.archived_before(now), now - TimeDelta::hours(24))
            .await?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ports::{MockPortalStatsStore, MockUserStore};

    #[test]
    fn p10_3_the_summary_uses_the_archive_cutoff_and_the_last_24_hours() {
        futures::executor::block_on(async {
            let now: DateTime<Utc> = "2025-11-20T00:00:00Z".parse().unwrap();
            let mut users = MockUserStore::new();
            users.expect_count_users_by_role().returning(|| {
                Ok(UserCounts {
                    employees: 4,
                    admins: 1,
                })
            });
            let mut stats = MockPortalStatsStore::new();
            stats
                .expect_portal_summary()
                .withf(move |cutoff, since| {
                    *cutoff == now - TimeDelta::days(30) && *since == now - TimeDelta::hours(24)
                })
                .returning(|_, _| Ok(PortalSummary::default()));
            let s = summary(&users, &stats, &CachePolicy::default(), now)
                .await
                .unwrap();
            assert_eq!(s.users.employees, 4);
        })
    }
}
