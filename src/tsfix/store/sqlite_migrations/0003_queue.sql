-- Schema 3: the columns that make typescript_errors a work queue in team stores (sql/0006_queue.sql).
-- The embedded store has one user, so it never claims; it keeps suggest_tier (how far suggestion has
-- gone: 1 quick fixes and repairs, 2 also a model) so both schemas stay the same.

ALTER TABLE typescript_errors ADD COLUMN suggest_tier INTEGER NOT NULL DEFAULT 0;
ALTER TABLE typescript_errors ADD COLUMN claimed_by TEXT;
ALTER TABLE typescript_errors ADD COLUMN claimed_until TEXT;
ALTER TABLE typescript_errors ADD COLUMN claim_count INTEGER NOT NULL DEFAULT 0;
