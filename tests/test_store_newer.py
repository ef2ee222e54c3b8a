"""A store written by a newer tsfix is refused, on every backend, before anything is read or written.

Each test records a scan, then adds a migration row this tsfix does not ship (as a newer tsfix's
`db migrate` would), then checks that opening the store, every command that reads or writes it, and
`db status`/`db migrate` stop with exit 2 and one error line naming the unknown migration, and that
no table gained or lost a row.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from storelib import error_input, scan_input
from tsfix import __version__
from tsfix.errors import StoreTooNew
from tsfix.store import open_store
from tsfix.store.sqlite import SQLiteStore

FUTURE = "0099_from_the_future"
REFUSAL = (
    f"was written by a newer tsfix (migration {FUTURE} is unknown to tsfix {__version__}); upgrade tsfix"
)
TABLES = ("tsfix_migrations", "scans", "typescript_errors", "error_events", "ai_suggestions")
COUNT_SQL = "select " + ", ".join(f"(select count(*) from {t})" for t in TABLES)


@dataclass
class NewerStore:
    backend: str
    url: str
    error_id: str
    counts: Callable[[], tuple[int, ...]]


def _seed(url: str) -> str:
    """Record one scan with one error, as this tsfix would; return the error's id."""
    with open_store(url) as store:
        outcome = store.record_scan(scan_input(), [error_input("seeded")])
    return str(outcome.errors[0].id)


def _sqlite_counts(path: Path) -> Callable[[], tuple[int, ...]]:
    def counts() -> tuple[int, ...]:
        with sqlite3.connect(path) as conn:
            return tuple(conn.execute(COUNT_SQL).fetchone())

    return counts


def _pg_counts(cluster, database: str) -> Callable[[], tuple[int, ...]]:
    return lambda: tuple(int(n) for n in cluster.psql(COUNT_SQL, database).strip().split("|"))


def mark_sqlite_newer(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO tsfix_migrations (name, applied_at) VALUES (?, '2030-01-01T00:00:00.000Z')",
            (FUTURE,),
        )


@pytest.fixture(params=("sqlite", "postgres", "supabase"))
def newer_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[NewerStore]:
    """A store of each backend holding one scan and a migration this tsfix does not know."""
    if request.param == "sqlite":
        path = tmp_path / "newer.db"
        url = f"sqlite://{path}"
        error_id = _seed(url)
        mark_sqlite_newer(path)
        yield NewerStore("sqlite", url, error_id, _sqlite_counts(path))
        return
    cluster = request.getfixturevalue("postgres_cluster")
    if request.param == "postgres":
        url, database = request.getfixturevalue("pg_url"), "tsfix_pg"
    else:
        request.getfixturevalue("supabase")
        url, database = "supabase", "tsfix_supabase"
    error_id = _seed(url)
    cluster.psql(f"insert into public.tsfix_migrations (name) values ('{FUTURE}')", database)
    try:
        yield NewerStore(request.param, url, error_id, _pg_counts(cluster, database))
    finally:  # the databases are shared by the session's other tests
        cluster.psql(f"delete from public.tsfix_migrations where name = '{FUTURE}'", database)


def assert_refused(result, store: NewerStore, before: tuple[int, ...]) -> None:
    lines = result.output.splitlines()
    assert result.exit_code == 2, result.output
    error = next(line for line in lines if line.startswith("error: "))
    assert REFUSAL in error, result.output
    assert lines[lines.index(error) + 1].startswith("hint: "), result.output
    assert "Traceback" not in result.output
    assert store.counts() == before


def test_opening_a_newer_store_is_refused(newer_store: NewerStore, tmp_path: Path) -> None:
    before = newer_store.counts()
    for create in (True, False):
        with pytest.raises(StoreTooNew) as refused:
            open_store(newer_store.url, tmp_path, create=create)
        assert refused.value.exit_code == 2
        assert REFUSAL in refused.value.message
        assert refused.value.hint and "upgrade" in refused.value.hint
    assert newer_store.counts() == before


def test_every_command_refuses_a_newer_store(
    newer_store: NewerStore, make_project, cli, tmp_path, monkeypatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    root = make_project({"src/a.ts": "export const n: number = 'x';\n"})
    before = newer_store.counts()
    where = ("--path", str(root), "--store", newer_store.url)
    commands = [
        ("scan", str(root), "--store", newer_store.url),
        ("list", str(root), "--store", newer_store.url, "--status", "all"),
        ("show", newer_store.error_id, *where),
        ("suggest", *where, "--no-llm"),
        ("apply", "--min-confidence", "0", "--all", *where),
        ("ci", str(root), "--store", newer_store.url, "--no-llm"),
        ("db", "status", *where),
    ]
    if newer_store.backend != "sqlite":
        commands += [("worker", *where, "--no-llm", "--once"), ("sync", *where)]
    if newer_store.backend != "supabase":  # Supabase's REST API refuses every migration anyway
        commands.append(("db", "migrate", *where))
    for args in commands:
        assert_refused(cli(*args), newer_store, before)


def test_db_migrate_applies_nothing_to_a_newer_postgres(postgres_cluster, cli, tmp_path: Path) -> None:
    """A database one migration behind, plus a newer tsfix's row: migrate must not apply the missing
    one (it might undo or clash with what the newer tsfix did)."""
    import psycopg

    from tsfix.store.migrations import POSTGRES_MIGRATIONS

    database = "tsfix_newer_migrate"
    postgres_cluster.psql(f"create database {database}")
    url = postgres_cluster.url(database)
    try:
        *older, (last, _) = POSTGRES_MIGRATIONS.steps()
        with psycopg.connect(url, autocommit=True) as conn:
            for _, sql in older:
                conn.execute(sql)
            conn.execute("insert into public.tsfix_migrations (name) values (%s)", [FUTURE])
        counts = _pg_counts(postgres_cluster, database)
        before = counts()
        store = NewerStore("postgres", url, "", counts)
        assert_refused(cli("db", "migrate", "--store", url, "--path", str(tmp_path)), store, before)
        assert_refused(cli("db", "status", "--store", url, "--path", str(tmp_path)), store, before)
        applied = postgres_cluster.psql("select name from public.tsfix_migrations", database).split()
        assert last not in applied and FUTURE in applied
    finally:
        postgres_cluster.psql(f"drop database {database} with (force)")


def test_newer_sqlite_store_is_not_migrated(tmp_path: Path) -> None:
    """A store one migration behind plus a newer tsfix's row: opening applies nothing."""
    from tsfix.store.migrations import SQLITE_MIGRATIONS

    path = tmp_path / "behind.db"
    with SQLiteStore(path):
        pass
    *_, (last, _) = SQLITE_MIGRATIONS.steps()
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM tsfix_migrations WHERE name = ?", (last,))
    mark_sqlite_newer(path)
    with pytest.raises(StoreTooNew):
        SQLiteStore(path)
    with sqlite3.connect(path) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM tsfix_migrations")]
    assert last not in names and FUTURE in names


def test_newer_project_store_is_not_bypassed_for_a_team_scan(
    make_project, cli, pg_url: str, postgres_cluster, tmp_path: Path, monkeypatch
) -> None:
    """A scan for a team store records in the project's own store first; when that one is newer, the
    scan stops there, rather than quietly keeping its journal in the user's cache instead."""
    cache = tmp_path / "cache"
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    root = make_project({"src/a.ts": "export const n: number = 'x';\n"})
    local = root / ".tsfix" / "tsfix.db"
    local.parent.mkdir()
    _seed(f"sqlite://{local}")
    mark_sqlite_newer(local)
    local_store = NewerStore("sqlite", f"sqlite://{local}", "", _sqlite_counts(local))
    team = _pg_counts(postgres_cluster, "tsfix_pg")
    before_local, before_team = local_store.counts(), team()
    assert_refused(cli("scan", str(root), "--store", pg_url), local_store, before_local)
    assert team() == before_team
    assert not cache.exists()


def test_a_newer_schema_version_is_refused(pg_url: str, postgres_cluster) -> None:
    """A newer tsfix may change the SQL functions without a row this one could name: the version
    they report is checked as well."""
    from tsfix.store.remote import SCHEMA_VERSION

    def set_version(version: int) -> None:
        postgres_cluster.psql(
            "create or replace function public.tsfix_schema_version() returns integer language plpgsql "
            f"stable as $$ begin return {version}; end $$",
            "tsfix_pg",
        )

    set_version(SCHEMA_VERSION + 1)
    try:
        with pytest.raises(StoreTooNew) as refused:
            open_store(pg_url)
        assert (
            f"schema version {SCHEMA_VERSION + 1} is unknown to tsfix {__version__}" in refused.value.message
        )
    finally:
        set_version(SCHEMA_VERSION)
    with open_store(pg_url) as store:
        assert store.list_errors() == []
