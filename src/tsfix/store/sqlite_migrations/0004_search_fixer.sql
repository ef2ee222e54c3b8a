-- Schema 4: suggestions from the compiler-guided search (fixer 'search'). SQLite cannot alter a
-- CHECK constraint, so the table is rebuilt (nothing references ai_suggestions; the runner holds
-- this in one transaction).
CREATE TABLE ai_suggestions_v4 (
  id           INTEGER PRIMARY KEY,
  error_id     INTEGER NOT NULL REFERENCES typescript_errors (id) ON DELETE CASCADE,
  fixer        TEXT    NOT NULL CHECK (fixer IN ('quickfix', 'repair', 'search', 'llama', 'openai')),
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
INSERT INTO ai_suggestions_v4 SELECT * FROM ai_suggestions;
DROP TABLE ai_suggestions;
ALTER TABLE ai_suggestions_v4 RENAME TO ai_suggestions;
CREATE INDEX ai_suggestions_error ON ai_suggestions (error_id, confidence DESC);
