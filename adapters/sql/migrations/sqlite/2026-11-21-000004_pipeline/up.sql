-- The allocation pipeline (http-api.md H7.5-H7.7, security.md S9). Timestamps are RFC 3339 UTC
-- text with milliseconds, dates "YYYY-MM-DD", ids UUID text.

-- One row per deal: who computes it now, and how its last round ended (H2.1.3).
CREATE TABLE allocation_claims (
    deal_id TEXT PRIMARY KEY NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('in_progress', 'allocated', 'no_eligible_adviser', 'upstream_unavailable')),
    decision_id TEXT NOT NULL,
    claimed_at TEXT NOT NULL,
    decided_at TEXT NULL
);

-- Every decision, kept forever as history (H7.6). `chosen_search` is the lowercased chosen email
-- and name, so the history's adviser filter is case-insensitive beyond ASCII on both backends.
CREATE TABLE allocation_decisions (
    id TEXT PRIMARY KEY NOT NULL,
    deal_id TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('allocated', 'no_eligible_adviser', 'upstream_unavailable')),
    service_package TEXT NOT NULL,
    household_type TEXT NULL,
    agreement_start_date TEXT NULL,
    chosen_email TEXT NULL,
    chosen_name TEXT NULL,
    chosen_owner_id TEXT NULL,
    chosen_search TEXT NULL,
    earliest_week TEXT NULL,
    fallback BOOLEAN NOT NULL,
    explanation TEXT NOT NULL,
    request_sha256 TEXT NOT NULL,
    hubspot_write_status TEXT NOT NULL CHECK (hubspot_write_status IN ('not_applicable', 'pending', 'done', 'failed')),
    hubspot_write_attempts INTEGER NOT NULL DEFAULT 0,
    hubspot_next_attempt_at TEXT NULL,
    hubspot_last_error TEXT NULL,
    hubspot_written_at TEXT NULL,
    replay_count INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX allocation_decisions_deal ON allocation_decisions (deal_id);
CREATE INDEX allocation_decisions_decided ON allocation_decisions (decided_at, id);
-- The owner write outbox (U1.6.3): only pending rows are indexed.
CREATE INDEX allocation_decisions_outbox ON allocation_decisions (hubspot_next_attempt_at)
    WHERE hubspot_write_status = 'pending';

-- One row per signature-valid delivery, purged after 30 days (S9.1). `replayed` marks the
-- deliveries answered with an earlier decision (H3.1 `replays`). No foreign key: the log of
-- deliveries must never fail to record.
CREATE TABLE webhook_receipts (
    id INTEGER PRIMARY KEY NOT NULL,
    endpoint TEXT NOT NULL CHECK (endpoint IN ('allocate', 'box_folder')),
    deal_id TEXT NULL,
    body_sha256 TEXT NOT NULL,
    signature_version TEXT NOT NULL,
    received_at TEXT NOT NULL,
    status_code INTEGER NOT NULL,
    outcome TEXT NOT NULL,
    decision_id TEXT NULL,
    replayed BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX webhook_receipts_decision ON webhook_receipts (decision_id);
CREATE INDEX webhook_receipts_received ON webhook_receipts (received_at);

-- One Box client folder per deal, kept forever (H7.7). `claim_id` identifies the delivery that
-- holds an in_progress claim, so a taken-over delivery cannot overwrite its successor.
CREATE TABLE box_folders (
    deal_id TEXT PRIMARY KEY NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('in_progress', 'created', 'failed')),
    claim_id TEXT NOT NULL,
    folder_id TEXT NULL,
    folder_name TEXT NULL,
    metadata_status TEXT NOT NULL DEFAULT '',
    claimed_at TEXT NOT NULL,
    created_at TEXT NULL
);

-- Leases of the background workers, so one process runs each (S9.5).
CREATE TABLE worker_leases (
    name TEXT PRIMARY KEY NOT NULL,
    holder TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
