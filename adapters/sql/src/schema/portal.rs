//! The employee portal (portal.md P1.3–P1.8); see migrations/*/2026-11-21-000006_portal.
//!
//! `applications` has 17 columns, one more than diesel's default tuples allow, so it is declared
//! twice over the same SQL table: `applications` with every column but `remote_sent_at` (reads
//! select that one as a literal, inserts leave it NULL), and `application_sends` with the remote
//! outbox columns (updates that record a send go through it).

use super::accounts::users;

diesel::table! {
    jobs (id) {
        id -> BigInt,
        external_id -> Text,
        title -> Text,
        role -> Text,
        company -> Text,
        location -> Text,
        description -> Text,
        required_skills -> Text,
        required_certifications -> Text,
        posted_at -> Text,
        first_seen_at -> Text,
        updated_at -> Text,
        last_seen_at -> Text,
        removed_at -> Nullable<Text>,
    }
}

diesel::table! {
    job_sync_state (id) {
        id -> BigInt,
        last_success_at -> Nullable<Text>,
        last_attempt_at -> Nullable<Text>,
        last_error_code -> Nullable<Text>,
        last_error_at -> Nullable<Text>,
        last_fetched_count -> Nullable<Integer>,
    }
}

diesel::table! {
    applications (id) {
        id -> BigInt,
        user_id -> BigInt,
        job_id -> BigInt,
        resume_link -> Text,
        cover_letter -> Text,
        skills -> Text,
        certifications -> Text,
        status -> Text,
        submitted_at -> Text,
        withdrawn_at -> Nullable<Text>,
        remote_status -> Text,
        remote_application_id -> Nullable<Text>,
        remote_attempts -> Integer,
        remote_next_attempt_at -> Nullable<Text>,
        remote_last_error -> Nullable<Text>,
        updated_at -> Text,
    }
}

diesel::table! {
    #[sql_name = "applications"]
    application_sends (id) {
        id -> BigInt,
        status -> Text,
        remote_status -> Text,
        remote_application_id -> Nullable<Text>,
        remote_attempts -> Integer,
        remote_next_attempt_at -> Nullable<Text>,
        remote_last_error -> Nullable<Text>,
        remote_sent_at -> Nullable<Text>,
        updated_at -> Text,
    }
}

diesel::table! {
    connection_requests (id) {
        id -> BigInt,
        sender_id -> BigInt,
        receiver_id -> BigInt,
        created_at -> Text,
    }
}

diesel::table! {
    connections (id) {
        id -> BigInt,
        user_low_id -> BigInt,
        user_high_id -> BigInt,
        created_at -> Text,
    }
}

diesel::table! {
    messages (id) {
        id -> BigInt,
        sender_id -> BigInt,
        receiver_id -> BigInt,
        body -> Text,
        created_at -> Text,
        read_at -> Nullable<Text>,
        client_msg_id -> Nullable<Text>,
    }
}

diesel::joinable!(applications -> jobs (job_id));
diesel::joinable!(applications -> users (user_id));

diesel::allow_tables_to_appear_in_same_query!(
    users,
    jobs,
    applications,
    connection_requests,
    connections,
    messages,
);
