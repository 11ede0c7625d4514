//! Employment Hero tables (http-api.md H7.1, H7.2, H7.8, H7.9); DDL in the `hr` migrations.

diesel::table! {
    employees (employee_id) {
        employee_id -> Text,
        name -> Text,
        company_email -> Nullable<Text>,
        account_email -> Nullable<Text>,
        company_email_lower -> Nullable<Text>,
        account_email_lower -> Nullable<Text>,
        synced_at -> Text,
    }
}

diesel::table! {
    leave_requests (leave_request_id) {
        leave_request_id -> Text,
        employee_id -> Text,
        start_date -> Text,
        end_date -> Text,
        status -> Text,
        leave_category -> Nullable<Text>,
        synced_at -> Text,
    }
}

diesel::table! {
    eh_credentials (id) {
        id -> Integer,
        access_token_enc -> Text,
        refresh_token_enc -> Text,
        code_verifier_enc -> Text,
        expires_at -> Text,
        refreshing_since -> Nullable<Text>,
        organisation_id -> Nullable<Text>,
        organisation_name -> Nullable<Text>,
        status -> Text,
        updated_at -> Text,
    }
}

diesel::table! {
    oauth_states (state_hash) {
        state_hash -> Text,
        session_id_hash -> Text,
        code_verifier_enc -> Text,
        created_at -> Text,
        expires_at -> Text,
        used_at -> Nullable<Text>,
    }
}

diesel::joinable!(leave_requests -> employees (employee_id));
diesel::allow_tables_to_appear_in_same_query!(employees, leave_requests);
