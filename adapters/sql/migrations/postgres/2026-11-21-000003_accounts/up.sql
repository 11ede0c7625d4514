-- Server-side sessions (security.md S2.1): only the SHA-256 of the cookie token is stored.
CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    absolute_expires_at TEXT NOT NULL,
    ip TEXT,
    user_agent TEXT
);
-- The per-user cap deletes the oldest sessions of one user (S2.4).
CREATE INDEX sessions_user_created ON sessions (user_id, created_at);

-- Login throttling (security.md S3.1): one row per account or IP key.
CREATE TABLE auth_throttle (
    "key" TEXT PRIMARY KEY,
    failures INTEGER NOT NULL CHECK (failures >= 0),
    window_start TEXT NOT NULL,
    locked_until TEXT
);
CREATE INDEX auth_throttle_window_start ON auth_throttle (window_start);

-- Profiles (portal.md P1.2): zero or one per user; skills and certifications are JSON arrays.
CREATE TABLE profiles (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    headline TEXT,
    summary TEXT,
    skills TEXT NOT NULL DEFAULT '[]',
    certifications TEXT NOT NULL DEFAULT '[]',
    resume_link TEXT,
    experience TEXT,
    photo_filename TEXT,
    photo_content_type TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT profiles_photo_pair CHECK ((photo_filename IS NULL) = (photo_content_type IS NULL))
);
