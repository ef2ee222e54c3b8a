"""SQLite-specific behaviour: migrations, the default location, locking, and a killed writer."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storelib import error_input, scan_input, snapshot
from tsfix.errors import StoreBusy, StoreError
from tsfix.store import open_store
from tsfix.store.migrations import SQLITE_MIGRATIONS
from tsfix.store.sqlite import SQLiteStore

EXPECTED_SCHEMA = {
    "scans": [
        "id", "project", "project_root", "tsconfig", "git_commit", "git_branch", "typescript_version",
        "tsfix_version", "tsc_exit_code", "complete", "started_at", "duration_ms", "tsc_ms", "error_count",
        "warning_count", "file_count", "new_count", "open_count", "reopened_count", "fixed_count", "created_at", "uuid",
    ],
    "typescript_errors": [
        "id", "project", "fingerprint", "file_path", "line", "col", "code", "category", "message",
        "code_snippet", "context", "file_hash", "status", "occurrences", "first_seen_scan", "last_seen_scan",
        "fixed_in_scan", "created_at", "updated_at", "suggest_tier", "claimed_by", "claimed_until", "claim_count",
    ],
    "error_events": ["id", "error_id", "scan_id", "event", "from_status", "to_status", "detail", "created_at"],
    "ai_suggestions": [
        "id", "error_id", "fixer", "model_name", "suggestion", "edits", "explanation", "confidence", "verified",
        "verification", "base_hashes", "tokens_in", "tokens_out", "latency_ms", "generated_at", "applied_at",
    ],
    "tsfix_migrations": ["name", "applied_at"],
    "pending_uploads": ["scan_uuid", "remote", "payload", "created_at", "attempts", "last_error"],
}  # fmt: skip


def test_migrations_are_applied_on_open_and_recorded(tmp_path: Path) -> None:
    with SQLiteStore(tmp_path / "s.db") as store:
        assert store.schema() == EXPECTED_SCHEMA
        assert store.applied_migrations() == [name for name, _ in SQLITE_MIGRATIONS.steps()]
        assert store.migrate() == []  # a second run is a no-op
    with SQLiteStore(tmp_path / "s.db") as again:
        assert again.migrate() == []


def test_a_failing_migration_is_rolled_back_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = SQLITE_MIGRATIONS.steps()
    bad = ("9999_broken", "CREATE TABLE half_done (a INTEGER);\nINSERT INTO no_such_table VALUES (1);\n")
    monkeypatch.setattr(SQLITE_MIGRATIONS, "steps", lambda: [*good, bad])
    with pytest.raises(StoreError, match="no_such_table"):
        SQLiteStore(tmp_path / "s.db")
    conn = sqlite3.connect(tmp_path / "s.db")
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert "half_done" not in tables and "typescript_errors" in tables
    assert "9999_broken" not in {r[0] for r in conn.execute("SELECT name FROM tsfix_migrations")}


def test_default_store_lives_in_the_project_with_its_own_gitignore(tmp_path: Path) -> None:
    with open_store(None, tmp_path) as store:
        assert store.display_url == f"sqlite://{tmp_path}/.tsfix/tsfix.db"
    assert (tmp_path / ".tsfix" / "tsfix.db").is_file()
    assert (tmp_path / ".tsfix" / ".gitignore").read_text().splitlines()[-1] == "*"


def test_store_urls(tmp_path: Path) -> None:
    for url in (f"sqlite://{tmp_path}/a.db", str(tmp_path / "b.sqlite")):
        with open_store(url) as store:
            assert isinstance(store, SQLiteStore)
    with pytest.raises(StoreError, match="no tsfix store"):
        open_store(f"sqlite://{tmp_path}/missing.db", create=False)


def test_unknown_scheme_lists_the_valid_ones() -> None:
    from tsfix.errors import UsageError

    with pytest.raises(UsageError, match="unknown store 'mysql'") as info:
        open_store("mysql://user:hunter2@db/x")
    assert "hunter2" not in str(info.value) + (info.value.hint or "")
    assert "sqlite:///" in (info.value.hint or "")


def test_a_file_that_is_not_a_database(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.db"
    bogus.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(StoreError, match="not a tsfix store"):
        SQLiteStore(bogus)
    assert bogus.read_text().startswith("these are my notes")


def test_a_held_write_lock_times_out_as_busy(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    SQLiteStore(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with SQLiteStore(path, busy_timeout_ms=300) as store, pytest.raises(StoreBusy, match="locked"):
            store.record_scan(scan_input(), [error_input("a")])
    finally:
        holder.execute("ROLLBACK")
        holder.close()


_WRITER = r"""
import sys, time
sys.path.insert(0, sys.argv[2])
from storelib import error_input, scan_input
from tsfix.store.sqlite import SQLiteStore

class Slow(list):
    def __iter__(self):
        for i, item in enumerate(super().__iter__()):
            if i == 1000:
                print("in-transaction", flush=True)
                time.sleep(60)
            yield item

store = SQLiteStore(__import__("pathlib").Path(sys.argv[1]))
store.record_scan(scan_input(), Slow([error_input(f"n{i}", line=i + 1) for i in range(5000)]))
"""


def test_a_writer_killed_mid_transaction_leaves_the_previous_state(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with SQLiteStore(path) as store:
        store.record_scan(scan_input(), [error_input(f"e{i}") for i in range(20)])
        before = snapshot(store)
    tests_dir = str(Path(__file__).parent)
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path), tests_dir], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "in-transaction"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with SQLiteStore(path) as store:
        assert store.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert snapshot(store) == before
        outcome = store.record_scan(scan_input(), [error_input("after")])  # and it is writable again
        assert outcome.counts["fixed"] == 20


def test_readers_are_not_blocked_by_a_writer(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    with SQLiteStore(path) as store:
        store.record_scan(scan_input(), [error_input("a")])
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE typescript_errors SET status = 'dismissed'")
    try:
        start = time.monotonic()
        with SQLiteStore(path, create=False, busy_timeout_ms=5000) as reader:
            assert [r.status for r in reader.list_errors()] == ["new"]  # WAL: the last committed state
        assert time.monotonic() - start < 4
    finally:
        writer.execute("ROLLBACK")
        writer.close()
