-- tsfix embedded store, schema 1. Logically the same as sql/0001_init.sql (Postgres/Supabase):
-- integer keys instead of uuids, ISO-8601 UTC text instead of timestamptz, JSON text instead of jsonb.

CREATE TABLE scans (
  id                 INTEGER PRIMARY KEY,
  project            TEXT    NOT NULL,
  project_root       TEXT    NOT NULL,
  tsconfig           TEXT    NOT NULL,
  git_commit         TEXT,
  git_branch         TEXT,
  typescript_version TEXT,
  tsfix_version      TEXT,
  tsc_exit_code      INTEGER,
  complete           INTEGER NOT NULL DEFAULT 1 CHECK (complete IN (0, 1)),
  started_at         TEXT    NOT NULL,
  duration_ms        INTEGER NOT NULL DEFAULT 0,
  tsc_ms             INTEGER NOT NULL DEFAULT 0,
  error_count        INTEGER NOT NULL DEFAULT 0,
  warning_count      INTEGER NOT NULL DEFAULT 0,
  file_count         INTEGER NOT NULL DEFAULT 0,
  new_count          INTEGER NOT NULL DEFAULT 0,
  open_count         INTEGER NOT NULL DEFAULT 0,
  reopened_count     INTEGER NOT NULL DEFAULT 0,
  fixed_count        INTEGER NOT NULL DEFAULT 0,
  created_at         TEXT    NOT NULL
);
CREATE INDEX scans_project_id ON scans (project, id);

CREATE TABLE typescript_errors (
  id              INTEGER PRIMARY KEY,
  project         TEXT    NOT NULL,
  fingerprint     TEXT    NOT NULL,
  file_path       TEXT,
  line            INTEGER,
  col             INTEGER,
  code            TEXT    NOT NULL,
  category        TEXT    NOT NULL CHECK (category IN ('error', 'warning', 'suggestion', 'message')),
  message         TEXT    NOT NULL,
  code_snippet    TEXT,
  context         TEXT    CHECK (context IS NULL OR json_valid(context)),
  file_hash       TEXT,
  status          TEXT    NOT NULL DEFAULT 'new'
                  CHECK (status IN ('new', 'ai_suggested', 'applied', 'fixed', 'dismissed')),
  occurrences     INTEGER NOT NULL DEFAULT 1,
  first_seen_scan INTEGER NOT NULL REFERENCES scans (id),
  last_seen_scan  INTEGER NOT NULL REFERENCES scans (id),
  fixed_in_scan   INTEGER REFERENCES scans (id),
  created_at      TEXT    NOT NULL,
  updated_at      TEXT    NOT NULL,
  UNIQUE (project, fingerprint)
);
CREATE INDEX typescript_errors_project_status ON typescript_errors (project, status);
CREATE INDEX typescript_errors_project_file ON typescript_errors (project, file_path);
CREATE INDEX typescript_errors_project_code ON typescript_errors (project, code);
CREATE INDEX typescript_errors_last_seen ON typescript_errors (project, last_seen_scan);

-- Transitions only (first seen, fixed, reopened, status changes): small however many scans run.
CREATE TABLE error_events (
  id          INTEGER PRIMARY KEY,
  error_id    INTEGER NOT NULL REFERENCES typescript_errors (id) ON DELETE CASCADE,
  scan_id     INTEGER REFERENCES scans (id),
  event       TEXT    NOT NULL CHECK (event IN ('new', 'reopened', 'fixed', 'status')),
  from_status TEXT,
  to_status   TEXT,
  detail      TEXT,
  created_at  TEXT    NOT NULL
);
CREATE INDEX error_events_error ON error_events (error_id, id);

-- Filled by `tsfix suggest`.
CREATE TABLE ai_suggestions (
  id           INTEGER PRIMARY KEY,
  error_id     INTEGER NOT NULL REFERENCES typescript_errors (id) ON DELETE CASCADE,
  fixer        TEXT    NOT NULL CHECK (fixer IN ('quickfix', 'repair', 'llama', 'openai')),
  model_name   TEXT,
  suggestion   TEXT    NOT NULL,
  edits        TEXT    NOT NULL CHECK (json_valid(edits)),
  explanation  TEXT,
  confidence   REAL    NOT NULL CHECK (confidence >= 0 AND confidence <= 1),
  verified     INTEGER NOT NULL DEFAULT 0 CHECK (verified IN (0, 1)),
  verification TEXT    CHECK (verification IS NULL OR json_valid(verification)),
  base_hashes  TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(base_hashes)),
  tokens_in    INTEGER,
  tokens_out   INTEGER,
  latency_ms   INTEGER,
  generated_at TEXT    NOT NULL,
  applied_at   TEXT
);
CREATE INDEX ai_suggestions_error ON ai_suggestions (error_id, confidence DESC);
