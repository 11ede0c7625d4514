//! The employee portal's stores (portal.md P1.3–P1.8, P6–P10) on both backends. Users are
//! inserted as plain rows (the accounts stores are tested in `accounts`).

mod admin;
mod applications;
mod connection_model;
mod connections;
mod jobs;
mod messages;
mod stats;

use crate::harness::TestDb;
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use domain::ports::{Job, JobStore, JobSyncBatch, SyncedJob};

/// The tables the tests read or seed directly.
mod tables {
    diesel::table! {
        users (id) {
            id -> BigInt,
            username -> Text,
            username_key -> Text,
            email -> Text,
            password_hash -> Text,
            role -> Text,
            created_at -> Text,
            updated_at -> Text,
        }
    }

    diesel::table! {
        applications (id) {
            id -> BigInt,
            user_id -> BigInt,
            job_id -> BigInt,
        }
    }

    diesel::table! {
        connection_requests (id) {
            id -> BigInt,
            sender_id -> BigInt,
            receiver_id -> BigInt,
        }
    }

    diesel::table! {
        connections (id) {
            id -> BigInt,
            user_low_id -> BigInt,
            user_high_id -> BigInt,
        }
    }

    diesel::table! {
        messages (id) {
            id -> BigInt,
        }
    }
}

pub const T0: &str = "2025-11-20T00:00:00.000Z";

pub fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// A user row called `name` (an employee), as registration would store it; its id.
pub async fn user(db: &TestDb, name: &str) -> i64 {
    use tables::users;
    let name = name.to_owned();
    db.store
        .db()
        .run(move |conn| {
            let key = name.to_ascii_lowercase();
            diesel::insert_into(users::table)
                .values((
                    users::username.eq(&name),
                    users::username_key.eq(&key),
                    users::email.eq(format!("{key}@example.com")),
                    users::password_hash.eq("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$test"),
                    users::role.eq("employee"),
                    users::created_at.eq(T0),
                    users::updated_at.eq(T0),
                ))
                .execute(conn)?;
            users::table
                .select(users::id)
                .filter(users::username_key.eq(&key))
                .first::<i64>(conn)
        })
        .await
        .unwrap()
}

/// How many rows `table` holds.
pub async fn rows(db: &TestDb, table: &'static str) -> i64 {
    use tables::*;
    db.store
        .db()
        .run(move |conn| match table {
            "applications" => applications::table.count().get_result(conn),
            "connection_requests" => connection_requests::table.count().get_result(conn),
            "connections" => connections::table.count().get_result(conn),
            "messages" => messages::table.count().get_result(conn),
            other => panic!("no table {other} in the test schema"),
        })
        .await
        .unwrap()
}

/// A job as a sync delivers it, posted at `posted` (RFC 3339).
pub fn synced(external_id: &str, role: &str, posted: &str) -> SyncedJob {
    SyncedJob {
        external_id: external_id.into(),
        title: format!("{role} {external_id}"),
        role: role.into(),
        company: "Acme".into(),
        location: "Sydney".into(),
        description: String::new(),
        required_skills: vec!["Cooking".into(), "Food Safety".into()],
        required_certifications: vec!["Food Handler Certification".into()],
        posted_at: Some(at(posted)),
    }
}

/// A batch listing exactly `jobs`.
pub fn batch(jobs: Vec<SyncedJob>) -> JobSyncBatch {
    JobSyncBatch {
        listed_external_ids: jobs.iter().map(|j| j.external_id.clone()).collect(),
        fetched_count: u32::try_from(jobs.len()).unwrap(),
        jobs,
    }
}

/// Syncs one job per external id (posted at T0) and returns them in the same order.
pub async fn seed_jobs(db: &TestDb, external_ids: &[&str]) -> Vec<Job> {
    let jobs = external_ids
        .iter()
        .map(|id| synced(id, "Chef", T0))
        .collect();
    db.store
        .apply_job_sync(batch(jobs), at(T0), at(T0))
        .await
        .unwrap();
    let mut found = Vec::new();
    for id in external_ids {
        found.push(db.store.get_job_by_external_id(id).await.unwrap().unwrap());
    }
    found
}
