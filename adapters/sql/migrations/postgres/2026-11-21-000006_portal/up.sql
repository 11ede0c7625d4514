-- The employee portal (portal.md P1.3-P1.8): the job cache, applications with their Employer
-- API outbox, connection requests, connections and chat messages. Timestamps are RFC 3339 UTC
-- text with milliseconds (fixed width, so text order is time order); lists are JSON arrays of
-- strings in TEXT (P0.6); ids are assigned by the database (P0.3).

-- The local cache of the Employer API's jobs (P1.3).
CREATE TABLE jobs (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    external_id TEXT NOT NULL,
    title TEXT NOT NULL,
    role TEXT NOT NULL,
    company TEXT NOT NULL DEFAULT '',
    location TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    required_skills TEXT NOT NULL DEFAULT '[]',
    required_certifications TEXT NOT NULL DEFAULT '[]',
    posted_at TEXT NOT NULL,
    first_seen_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    removed_at TEXT NULL,
    CONSTRAINT jobs_external_id UNIQUE (external_id)
);
CREATE INDEX jobs_role ON jobs (role);
CREATE INDEX jobs_posted_at ON jobs (posted_at);

-- Exactly one row, shared by every process (P1.4).
CREATE TABLE job_sync_state (
    id BIGINT PRIMARY KEY NOT NULL CHECK (id = 1),
    last_success_at TEXT NULL,
    last_attempt_at TEXT NULL,
    last_error_code TEXT NULL,
    last_error_at TEXT NULL,
    last_fetched_count INTEGER NULL
);
INSERT INTO job_sync_state (id) VALUES (1);

-- One application per user and job, whatever its status (P1.5, P7.1). RESTRICT: a job with
-- applications can never be deleted, by a sync or anything else (P6.6).
CREATE TABLE applications (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    job_id BIGINT NOT NULL REFERENCES jobs (id) ON DELETE RESTRICT,
    resume_link TEXT NOT NULL,
    cover_letter TEXT NOT NULL DEFAULT '',
    skills TEXT NOT NULL,
    certifications TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('submitted', 'withdrawn')),
    submitted_at TEXT NOT NULL,
    withdrawn_at TEXT NULL,
    remote_status TEXT NOT NULL DEFAULT 'pending'
        CHECK (remote_status IN ('pending', 'sent', 'retrying', 'rejected', 'failed', 'cancelled')),
    remote_application_id TEXT NULL,
    remote_attempts INTEGER NOT NULL DEFAULT 0,
    remote_next_attempt_at TEXT NULL,
    remote_last_error TEXT NULL,
    remote_sent_at TEXT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT applications_user_job UNIQUE (user_id, job_id)
);
-- user_id lookups use the unique (user_id, job_id) index.
CREATE INDEX applications_job ON applications (job_id);
-- The outbox worker's scan (P7.8).
CREATE INDEX applications_outbox ON applications (remote_status, remote_next_attempt_at);

-- Pending requests only: answering one deletes it (P1.6).
CREATE TABLE connection_requests (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sender_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    receiver_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    CONSTRAINT connection_requests_pair UNIQUE (sender_id, receiver_id),
    CONSTRAINT connection_requests_not_self CHECK (sender_id <> receiver_id)
);
CREATE INDEX connection_requests_receiver ON connection_requests (receiver_id);

-- One row per connected pair, the smaller id first (P1.7).
CREATE TABLE connections (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_low_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    user_high_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    CONSTRAINT connections_pair UNIQUE (user_low_id, user_high_id),
    CONSTRAINT connections_sorted CHECK (user_low_id < user_high_id)
);
CREATE INDEX connections_high ON connections (user_high_id);

-- Chat messages, never edited or deleted (P1.8). NULL client_msg_ids never collide.
CREATE TABLE messages (
    id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sender_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    receiver_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    read_at TEXT NULL,
    client_msg_id TEXT NULL,
    CONSTRAINT messages_client_msg_id UNIQUE (sender_id, client_msg_id)
);
CREATE INDEX messages_pair ON messages (sender_id, receiver_id, id);
CREATE INDEX messages_unread ON messages (receiver_id, read_at);
CREATE INDEX messages_created ON messages (created_at);
