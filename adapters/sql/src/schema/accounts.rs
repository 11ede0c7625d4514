//! Accounts (portal.md P1.1; security.md S2, S3).

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
    sessions (id_hash) {
        id_hash -> Text,
        user_id -> BigInt,
        csrf_token -> Text,
        created_at -> Text,
        last_seen_at -> Text,
        absolute_expires_at -> Text,
        ip -> Nullable<Text>,
        user_agent -> Nullable<Text>,
    }
}

diesel::table! {
    auth_throttle (key) {
        key -> Text,
        failures -> Integer,
        window_start -> Text,
        locked_until -> Nullable<Text>,
    }
}

diesel::table! {
    profiles (user_id) {
        user_id -> BigInt,
        headline -> Nullable<Text>,
        summary -> Nullable<Text>,
        skills -> Text,
        certifications -> Text,
        resume_link -> Nullable<Text>,
        experience -> Nullable<Text>,
        photo_filename -> Nullable<Text>,
        photo_content_type -> Nullable<Text>,
        created_at -> Text,
        updated_at -> Text,
    }
}

diesel::joinable!(sessions -> users (user_id));
diesel::joinable!(profiles -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(users, sessions, profiles);
