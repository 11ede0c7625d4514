-- Employment Hero: synced employees and leave, the OAuth credential and states (http-api.md
-- H7.1, H7.2, H7.8, H7.9). Timestamps are RFC 3339 UTC text with milliseconds, dates
-- "YYYY-MM-DD"; *_enc columns hold security.md S10.5 ciphertexts, *_hash SHA-256 hex.

CREATE TABLE employees (
    employee_id TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL,
    company_email TEXT NULL,
    account_email TEXT NULL,
    -- ekey (lowercase(trim)) of the email, NULL when it is missing or blank.
    company_email_lower TEXT NULL,
    account_email_lower TEXT NULL,
    synced_at TEXT NOT NULL
);
CREATE INDEX employees_company_email_lower ON employees (company_email_lower);
CREATE INDEX employees_account_email_lower ON employees (account_email_lower);

CREATE TABLE leave_requests (
    leave_request_id TEXT PRIMARY KEY NOT NULL,
    employee_id TEXT NOT NULL REFERENCES employees (employee_id) ON DELETE CASCADE,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    status TEXT NOT NULL,
    leave_category TEXT NULL,
    synced_at TEXT NOT NULL
);
CREATE INDEX leave_requests_employee_start ON leave_requests (employee_id, start_date);

CREATE TABLE eh_credentials (
    id INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    access_token_enc TEXT NOT NULL,
    refresh_token_enc TEXT NOT NULL,
    code_verifier_enc TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    refreshing_since TEXT NULL,
    organisation_id TEXT NULL,
    organisation_name TEXT NULL,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'reauth_required')),
    updated_at TEXT NOT NULL
);

CREATE TABLE oauth_states (
    state_hash TEXT PRIMARY KEY NOT NULL,
    session_id_hash TEXT NOT NULL,
    code_verifier_enc TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT NULL
);
CREATE INDEX oauth_states_expires_at ON oauth_states (expires_at);
