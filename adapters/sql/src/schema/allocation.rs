//! The tables, as diesel sees them on both backends (migrations/*/ hold the DDL).

diesel::table! {
    office_closures (id) {
        id -> Text,
        start_date -> Text,
        end_date -> Text,
        description -> Text,
        tags -> Text,
        created_at -> Text,
        updated_at -> Text,
        created_by -> Nullable<BigInt>,
    }
}

diesel::table! {
    capacity_overrides (id) {
        id -> Text,
        adviser_email -> Text,
        effective_date -> Text,
        client_limit_monthly -> Integer,
        pod_type -> Text,
        notes -> Text,
        created_at -> Text,
        updated_at -> Text,
    }
}
