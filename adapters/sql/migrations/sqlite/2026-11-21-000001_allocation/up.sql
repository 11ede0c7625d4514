-- Allocation-side tables (http-api.md H7, security.md S9). Timestamps are RFC 3339 UTC text with
-- milliseconds ("2025-11-20T00:00:00.000Z"), dates "YYYY-MM-DD", ids UUID text, lists JSON text.

CREATE TABLE office_closures (
    id TEXT PRIMARY KEY NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    tags TEXT NOT NULL DEFAULT '[]',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    created_by BIGINT NULL
);
CREATE INDEX office_closures_dates ON office_closures (start_date, end_date);

CREATE TABLE capacity_overrides (
    id TEXT PRIMARY KEY NOT NULL,
    adviser_email TEXT NOT NULL,
    effective_date TEXT NOT NULL,
    client_limit_monthly INTEGER NOT NULL CHECK (client_limit_monthly >= 1),
    pod_type TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CONSTRAINT capacity_overrides_adviser_effective UNIQUE (adviser_email, effective_date)
);
