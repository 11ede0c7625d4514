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
