//! The allocation pipeline's tables (migrations/*/2026-11-21-000004_pipeline).
//!
//! `allocation_decisions` has more columns than diesel's default 16-column tuples allow, so it is
//! declared twice over the same SQL table: `allocation_decisions` with what the history lists and
//! filters on, and `allocation_decision_records` with every NOT NULL column (inserts go through
//! it), the explanation and the HubSpot write.

diesel::table! {
    allocation_claims (deal_id) {
        deal_id -> Text,
        state -> Text,
        decision_id -> Text,
        claimed_at -> Text,
        decided_at -> Nullable<Text>,
    }
}

diesel::table! {
    allocation_decisions (id) {
        id -> Text,
        deal_id -> Text,
        decided_at -> Text,
        outcome -> Text,
        service_package -> Text,
        household_type -> Nullable<Text>,
        agreement_start_date -> Nullable<Text>,
        chosen_email -> Nullable<Text>,
        chosen_name -> Nullable<Text>,
        chosen_owner_id -> Nullable<Text>,
        chosen_search -> Nullable<Text>,
        earliest_week -> Nullable<Text>,
        fallback -> Bool,
        hubspot_write_status -> Text,
        replay_count -> Integer,
    }
}

diesel::table! {
    #[sql_name = "allocation_decisions"]
    allocation_decision_records (id) {
        id -> Text,
        deal_id -> Text,
        decided_at -> Text,
        outcome -> Text,
        service_package -> Text,
        chosen_owner_id -> Nullable<Text>,
        fallback -> Bool,
        explanation -> Text,
        request_sha256 -> Text,
        hubspot_write_status -> Text,
        hubspot_write_attempts -> Integer,
        hubspot_next_attempt_at -> Nullable<Text>,
        hubspot_last_error -> Nullable<Text>,
        hubspot_written_at -> Nullable<Text>,
        replay_count -> Integer,
    }
}

diesel::table! {
    webhook_receipts (id) {
        id -> BigInt,
        endpoint -> Text,
        deal_id -> Nullable<Text>,
        body_sha256 -> Text,
        signature_version -> Text,
        received_at -> Text,
        status_code -> Integer,
        outcome -> Text,
        decision_id -> Nullable<Text>,
        replayed -> Bool,
    }
}

diesel::table! {
    box_folders (deal_id) {
        deal_id -> Text,
        state -> Text,
        claim_id -> Text,
        folder_id -> Nullable<Text>,
        folder_name -> Nullable<Text>,
        metadata_status -> Text,
        claimed_at -> Text,
        created_at -> Nullable<Text>,
    }
}

diesel::table! {
    worker_leases (name) {
        name -> Text,
        holder -> Text,
        expires_at -> Text,
    }
}
