-- Schema 2: team stores. Every scan gets the uuid it is known by in a Postgres/Supabase store
-- (there it is scans.id), and a scan meant for such a store waits in pending_uploads until the store
-- has accepted it, so nothing is lost while the store is unreachable; `tsfix sync` uploads it later.

ALTER TABLE scans ADD COLUMN uuid TEXT;
CREATE UNIQUE INDEX scans_uuid ON scans (uuid);

CREATE TABLE pending_uploads (
  scan_uuid  TEXT    NOT NULL,
  remote     TEXT    NOT NULL,  -- the store's name without secrets
  payload    BLOB    NOT NULL,  -- zlib-compressed JSON: the arguments of tsfix_record_scan
  created_at TEXT    NOT NULL,
  attempts   INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  PRIMARY KEY (scan_uuid, remote)
);
