//! The counts of the employee dashboard (P6.11) and of the admin summary (P10.3).

use super::count;
use super::jobs::load_sync_state;
use super::messages::unread_from_connections;
use crate::schema::portal::{applications, connection_requests, connections, jobs, messages};
use crate::time::instant;
use crate::{AnyConnection, SqlStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use domain::ports::{
    ActivityCounts, ApplicationCounts, ApplicationStatus, JobStatusCounts, PortalStatsStore,
    PortalSummary, RemoteStatus, StoreError,
};

fn activity(conn: &mut AnyConnection, user: i64) -> Result<ActivityCounts, DieselError> {
    let by_status: Vec<(String, i64)> = applications::table
        .filter(applications::user_id.eq(user))
        .group_by(applications::status)
        .select((applications::status, count_star()))
        .load(conn)?;
    let status_count = |wanted: ApplicationStatus| {
        by_status
            .iter()
            .find(|(s, _)| s == wanted.as_str())
            .map_or(0, |(_, n)| count(*n))
    };
    Ok(ActivityCounts {
        applications_submitted: status_count(ApplicationStatus::Submitted),
        applications_withdrawn: status_count(ApplicationStatus::Withdrawn),
        connections: connections::table
            .filter(
                connections::user_low_id
                    .eq(user)
                    .or(connections::user_high_id.eq(user)),
            )
            .count()
            .get_result::<i64>(conn)
            .map(count)?,
        incoming_requests: connection_requests::table
            .filter(connection_requests::receiver_id.eq(user))
            .count()
            .get_result::<i64>(conn)
            .map(count)?,
        unread_messages: unread_from_connections(conn, user)?,
    })
}

fn summary(
    conn: &mut AnyConnection,
    archived_before: DateTime<Utc>,
    messages_since: DateTime<Utc>,
) -> Result<PortalSummary, DieselError> {
    let cutoff = instant(archived_before);
    let removed = jobs::table
        .filter(jobs::removed_at.is_not_null())
        .count()
        .get_result::<i64>(conn)?;
    let active = jobs::table
        .filter(jobs::removed_at.is_null())
        .filter(jobs::posted_at.ge(&cutoff))
        .count()
        .get_result::<i64>(conn)?;
    let archived = jobs::table
        .filter(jobs::removed_at.is_null())
        .filter(jobs::posted_at.lt(&cutoff))
        .count()
        .get_result::<i64>(conn)?;

    let by_status: Vec<(String, i64)> = applications::table
        .group_by(applications::status)
        .select((applications::status, count_star()))
        .load(conn)?;
    let by_remote: Vec<(String, i64)> = applications::table
        .group_by(applications::remote_status)
        .select((applications::remote_status, count_star()))
        .load(conn)?;
    let of = |rows: &[(String, i64)], wanted: &str| {
        rows.iter()
            .find(|(s, _)| s == wanted)
            .map_or(0, |(_, n)| count(*n))
    };
    let remote = |status: RemoteStatus| of(&by_remote, status.as_str());

    Ok(PortalSummary {
        jobs: JobStatusCounts {
            active: count(active),
            archived: count(archived),
            removed: count(removed),
        },
        applications: ApplicationCounts {
            submitted: of(&by_status, ApplicationStatus::Submitted.as_str()),
            withdrawn: of(&by_status, ApplicationStatus::Withdrawn.as_str()),
            remote_pending: remote(RemoteStatus::Pending),
            remote_sent: remote(RemoteStatus::Sent),
            remote_retrying: remote(RemoteStatus::Retrying),
            remote_rejected: remote(RemoteStatus::Rejected),
            remote_failed: remote(RemoteStatus::Failed),
            remote_cancelled: remote(RemoteStatus::Cancelled),
        },
        connections: connections::table
            .count()
            .get_result::<i64>(conn)
            .map(count)?,
        recent_messages: messages::table
            .filter(messages::created_at.ge(instant(messages_since)))
            .count()
            .get_result::<i64>(conn)
            .map(count)?,
        job_sync: load_sync_state(conn)?,
    })
}

#[async_trait]
impl PortalStatsStore for SqlStore {
    async fn activity_counts(&self, user_id: i64) -> Result<ActivityCounts, StoreError> {
        self.db.read(move |conn| activity(conn, user_id)).await
    }

    async fn portal_summary(
        &self,
        archived_before: DateTime<Utc>,
        messages_since: DateTime<Utc>,
    ) -> Result<PortalSummary, StoreError> {
        self.db
            .read(move |conn| summary(conn, archived_before, messages_since))
            .await
    }
}
