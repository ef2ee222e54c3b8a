"""The store's seams: capabilities a backend declares, record columns derived from the dataclasses,
status values named once and used by every dialect's SQL, and one migrations runner."""

from __future__ import annotations

import re
from contextlib import AbstractContextManager, nullcontext
from importlib import resources
from pathlib import Path

import pytest

from storelib import error_input, scan_input
from tsfix.errors import StoreError, UsageError
from tsfix.records import ERROR_STATUSES, ErrorStatus
from tsfix.store import MigratedOnOpen, UploadJournal, UploadTarget, WorkQueue, open_store
from tsfix.store.columns import ERROR_COLUMNS, SCAN_COLUMNS, SUGGESTION_COLUMNS, scan_payload
from tsfix.store.migrations import POSTGRES_MIGRATIONS, SQLITE_MIGRATIONS, Migrations

ROOT = Path(__file__).resolve().parent.parent
SQL_DIR = ROOT / "sql"
STORE_SRC = ROOT / "src" / "tsfix" / "store"


def dialect_sql() -> dict[str, str]:
    """Every migration of both dialects, comments removed, by file."""
    files = [*SQL_DIR.glob("*.sql"), *(STORE_SRC / "sqlite_migrations").glob("*.sql")]
    return {p.relative_to(ROOT).as_posix(): re.sub(r"--[^\n]*", "", p.read_text()) for p in sorted(files)}


def literals(text: str) -> list[str]:
    return re.findall(r"'([^']*)'", text)


def status_literals(sql: str) -> list[str]:
    """The string literals SQL compares a status with, assigns to one, or defaults one to."""
    found: list[str] = []
    for m in re.finditer(r"status\s+(?:not\s+)?in\s*\(([^)]*)\)", sql, re.I):
        found += literals(m.group(1))
    found += re.findall(r"status\s*(?:=|<>|!=)\s*'([^']*)'", sql, re.I)
    found += re.findall(r"\bstatus\b[^,\n]*\bdefault\s+'([^']*)'", sql, re.I)
    for m in re.finditer(r"\bcase\b(.*?)\bend\b", sql, re.I | re.S):
        if "status" in m.group(1).lower():
            found += re.findall(r"\b(?:then|else)\s+'([^']*)'", m.group(1), re.I)
    return found


# ----------------------------------------------------------------------------- status values


def test_every_dialect_checks_for_exactly_the_named_statuses() -> None:
    assert tuple(s.value for s in ErrorStatus) == ERROR_STATUSES
    checks = {
        name: [
            literals(m.group(1)) for m in re.finditer(r"check\s*\(\s*status\s+in\s*\(([^)]*)\)\)", sql, re.I)
        ]
        for name, sql in dialect_sql().items()
    }
    assert checks["sql/0001_init.sql"] == [list(ERROR_STATUSES)]
    assert checks["src/tsfix/store/sqlite_migrations/0001_init.sql"] == [list(ERROR_STATUSES)]


def test_the_sql_uses_no_status_but_the_named_ones() -> None:
    used = {name: status_literals(sql) for name, sql in dialect_sql().items()}
    unknown = {name: sorted(set(found) - set(ERROR_STATUSES)) for name, found in used.items()}
    assert not {name: bad for name, bad in unknown.items() if bad}
    # the patterns do find what the functions do with statuses, so the check above is not empty
    assert {"new", "ai_suggested", "applied", "fixed"} <= {s for found in used.values() for s in found}


def test_the_python_stores_bind_statuses_instead_of_spelling_them() -> None:
    for path in sorted(STORE_SRC.glob("*.py")):
        words = [s for s in status_literals(path.read_text()) if re.fullmatch(r"\w+", s)]
        assert not words, path.name


# ----------------------------------------------------------------------------- capabilities


def test_the_embedded_store_declares_its_capabilities(tmp_path: Path) -> None:
    with open_store(f"sqlite://{tmp_path}/s.db") as store:
        assert store.capability(UploadJournal) is store
        assert store.require(MigratedOnOpen).migrated == SQLITE_MIGRATIONS.names()
        assert store.capability(WorkQueue) is None and store.capability(UploadTarget) is None
        with pytest.raises(UsageError, match="is not a work queue") as info:
            store.require(WorkQueue)
        assert "--store postgresql://" in (info.value.hint or "")


def test_a_journal_keeps_a_scan_for_upload_in_the_same_transaction(tmp_path: Path) -> None:
    with open_store(f"sqlite://{tmp_path}/s.db") as store:
        journal = store.require(UploadJournal)
        scan = scan_input()
        outcome = journal.record_scan(scan, [error_input("a")], upload_to="postgresql://team")
        assert outcome.counts["errors"] == 1
        (pending,) = journal.pending_uploads("postgresql://team")
        assert pending.scan_uuid == scan.id
        assert pending.payload == scan_payload(scan, [error_input("a")])
        assert journal.pending_remotes() == [("postgresql://team", 1)]


def test_the_team_store_declares_the_queue_and_uploads() -> None:
    from tsfix.store.remote import RemoteStore

    assert issubclass(RemoteStore, WorkQueue) and issubclass(RemoteStore, UploadTarget)
    assert not issubclass(RemoteStore, UploadJournal)


# ----------------------------------------------------------------------------- columns


def test_record_columns_are_the_store_columns(tmp_path: Path) -> None:
    from tsfix.store.sqlite import SQLiteStore

    with SQLiteStore(tmp_path / "s.db") as store:
        schema = store.schema()
    assert set(ERROR_COLUMNS) <= set(schema["typescript_errors"])
    assert set(SUGGESTION_COLUMNS) <= set(schema["ai_suggestions"])
    assert {"uuid" if c == "id" else c for c in SCAN_COLUMNS} <= set(schema["scans"])
    functions = (SQL_DIR / "0003_functions.sql").read_text()
    error_type = re.search(r"create type public\.tsfix_error_input as \((.*?)\);", functions, re.S)
    assert error_type is not None
    assert [line.split()[0] for line in error_type.group(1).strip().splitlines()] == list(ERROR_COLUMNS)
    assert all(f"scan ->> '{c}'" in functions for c in SCAN_COLUMNS)
    suggestions = (SQL_DIR / "0004_suggestions.sql").read_text()
    assert all(f"'{c}'" in suggestions for c in SUGGESTION_COLUMNS)


# ----------------------------------------------------------------------------- migrations


def test_one_runner_serves_both_dialect_folders() -> None:
    assert SQLITE_MIGRATIONS.names() == sorted(
        e.name.removesuffix(".sql")
        for e in resources.files("tsfix.store.sqlite_migrations").iterdir()
        if e.name.endswith(".sql")
    )
    assert POSTGRES_MIGRATIONS.names() == [p.stem for p in sorted(SQL_DIR.glob("*.sql"))]


class ListTarget:
    """A scripted MigrationTarget (logic only): records what it runs in a list."""

    display_url = "memory://"

    def __init__(self, recorded: list[str]) -> None:
        self.names = list(recorded)
        self.ran: list[str] = []

    def recorded(self) -> list[str]:
        return list(self.names)

    def step(self, name: str) -> AbstractContextManager[None]:
        return nullcontext()

    def run(self, name: str, sql: str) -> None:
        self.ran.append(name)
        self.names.append(name)


def test_the_runner_applies_what_is_pending_in_order_and_refuses_a_newer_store(tmp_path: Path) -> None:
    folder = tmp_path / "m"
    folder.mkdir()
    for name in ("0002_b", "0001_a", "0003_c"):
        (folder / f"{name}.sql").write_text(f"-- {name}\n")
    migrations = Migrations("test", lambda: folder)
    target = ListTarget(["0001_a"])
    assert migrations.pending(target) == ["0002_b", "0003_c"]
    assert migrations.apply(target) == ["0002_b", "0003_c"] and target.ran == ["0002_b", "0003_c"]
    assert migrations.apply(target) == [] and migrations.pending(target) == []
    with pytest.raises(StoreError, match="0009_newer is unknown"):
        migrations.apply(ListTarget(["0001_a", "0009_newer"]))


def test_every_dialect_accepts_exactly_the_registered_fixers() -> None:
    """A fixer's suggestions must be recordable: the newest fixer check of each dialect lists the
    registry's names, no more and no fewer."""
    from tsfix.fixers import fixer_names

    newest: dict[str, list[str]] = {}
    for name, sql in dialect_sql().items():
        for m in re.finditer(r"check\s*\(\s*fixer\s+in\s*\(([^)]*)\)\)", sql, re.I):
            newest[name.rsplit("/", 1)[0]] = literals(m.group(1))
    assert set(newest) == {"sql", "src/tsfix/store/sqlite_migrations"}
    for found in newest.values():
        assert sorted(found) == sorted(fixer_names())
