"""The embedded SQLite schema and the Postgres/Supabase schema in sql/ stay logically the same."""

from __future__ import annotations

import re
from pathlib import Path

from tsfix.store.sqlite import SQLiteStore

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"
TABLES = ("scans", "typescript_errors", "error_events", "ai_suggestions")


def postgres_columns() -> dict[str, list[str]]:
    """Column names of each `create table` in sql/*.sql, in order (constraints skipped)."""
    text = "\n".join(p.read_text() for p in sorted(SQL_DIR.glob("*.sql")))
    text = re.sub(r"--[^\n]*", "", text)
    tables: dict[str, list[str]] = {}
    for m in re.finditer(r"create table if not exists public\.(\w+) \((.*?)\n\);", text, re.S):
        columns = []
        for line in m.group(2).splitlines():
            word = line.strip().split(" ", 1)[0]
            if word and word not in ("unique", "primary", "check", "constraint", "foreign"):
                columns.append(word)
        tables[m.group(1)] = columns
    for m in re.finditer(r"alter table public\.(\w+) add column if not exists (\w+)", text):
        tables[m.group(1)].append(m.group(2))
    return tables


def test_sql_dir_has_ordered_named_migrations() -> None:
    names = [p.name for p in sorted(SQL_DIR.glob("*.sql"))]
    assert names and names[0] == "0001_init.sql"
    assert all(re.fullmatch(r"\d{4}_[a-z0-9_]+\.sql", n) for n in names)


# Where the embedded store differs, on purpose: it keys scans by integer and keeps the uuid a scan has
# in Postgres (there it is scans.id) beside it; and it alone queues scans for upload.
SQLITE_ONLY = {"scans": ["uuid"]}


def test_postgres_and_sqlite_have_the_same_columns(tmp_path: Path) -> None:
    pg = postgres_columns()
    with SQLiteStore(tmp_path / "s.db") as store:
        lite = store.schema()
    for table in TABLES:
        assert pg[table] == [c for c in lite[table] if c not in SQLITE_ONLY.get(table, [])], table
    assert "pending_uploads" in lite and "pending_uploads" not in pg
    assert pg["tsfix_migrations"][:2] == lite["tsfix_migrations"]


def test_statuses_and_categories_match() -> None:
    from tsfix.records import ERROR_STATUSES

    text = (SQL_DIR / "0001_init.sql").read_text()
    statuses = re.search(r"check \(status in \(([^)]*)\)\)", text)
    assert statuses is not None
    assert tuple(s.strip(" '") for s in statuses.group(1).split(",")) == ERROR_STATUSES
