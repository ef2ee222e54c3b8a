"""Postgres through psycopg 3: the transport behind `--store postgresql://…`, and `tsfix db migrate`.

Works with any Postgres 13+ and with Supabase's direct and pooled connection strings: server-side
prepared statements are off (`prepare_threshold=None`), which the transaction-mode pooler requires,
and `sslmode` and the other URL parameters are passed to libpq as given.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from tsfix.errors import StoreDenied, StoreError, StoreSchemaMissing, StoreUnreachable
from tsfix.redact import redact_url, register_secret, scrub
from tsfix.store.migrations import POSTGRES_MIGRATIONS, refuse_unknown_migrations
from tsfix.store.remote import Json, Transport

CONNECT_TIMEOUT_S = 10


def _first_line(text: str) -> str:
    return scrub(text.strip().splitlines()[0] if text.strip() else text)


def _connect(url: str) -> Any:
    import psycopg

    display = redact_url(url)
    try:
        return psycopg.connect(
            url,
            autocommit=True,
            prepare_threshold=None,
            connect_timeout=CONNECT_TIMEOUT_S,
            application_name="tsfix",
        )
    except psycopg.OperationalError as exc:
        detail = _first_line(str(exc))
        if "authentication failed" in detail or "password" in detail.lower():
            raise StoreDenied(
                f"{display} refused the credentials: {detail}",
                hint="check the user and password in the URL (Supabase: Settings → Database)",
            ) from None
        raise StoreUnreachable(
            f"cannot connect to {display}: {detail}",
            hint="is the database running and reachable from here, and the URL right?",
        ) from None
    except psycopg.ProgrammingError as exc:
        raise StoreError(
            f"invalid Postgres URL {display}: {_first_line(str(exc))}",
            hint="postgresql://user:password@host:5432/db",
        ) from None


def translate(exc: Exception, display: str) -> StoreError:
    """The tsfix error for a psycopg error: unreachable, denied, schema missing, or refused."""
    import psycopg
    from psycopg import errors as pg

    detail = _first_line(str(exc))
    if isinstance(exc, pg.UndefinedFunction | pg.UndefinedTable | pg.UndefinedObject):
        from tsfix.store.remote import migrate_hint

        return StoreSchemaMissing(f"{display} lacks the tsfix schema: {detail}", hint=migrate_hint(display))
    if isinstance(exc, pg.InsufficientPrivilege):
        return StoreDenied(
            f"{display} denied this: {detail}",
            hint="connect as the owner of the tsfix tables (or Supabase's postgres role)",
        )
    if isinstance(exc, psycopg.OperationalError):
        return StoreUnreachable(
            f"lost the connection to {display}: {detail}", hint="is the database still up? try again"
        )
    return StoreError(f"{display} refused the operation: {detail}", hint="TSFIX_DEBUG=1 shows the details")


class PsycopgTransport(Transport):
    """Calls tsfix's SQL functions over a direct (or pooled) Postgres connection."""

    def __init__(self, url: str) -> None:
        self.display_url = redact_url(url)
        self.remote_key = self.display_url
        self.conn = _connect(url)

    def call(self, function: str, args: dict[str, Any]) -> Any:
        from psycopg.types.json import Jsonb

        named = ", ".join(f"{name} => %s" for name in args)
        params = [Jsonb(v.value) if isinstance(v, Json) else v for v in args.values()]
        try:
            row = self.conn.execute(f"select public.{function}({named})", params).fetchone()
        except Exception as exc:  # psycopg.Error, translated for the user
            raise translate(exc, self.display_url) from None
        return row[0] if row else None

    def applied_migrations(self) -> list[str]:
        # one round trip: only called once tsfix_schema_version() answered, so the table exists
        try:
            rows = self.conn.execute("select name from public.tsfix_migrations").fetchall()
        except Exception as exc:  # psycopg.Error, translated for the user
            raise translate(exc, self.display_url) from None
        return [name for (name,) in rows]

    def close(self) -> None:
        conn = getattr(self, "conn", None)
        if conn is not None and not conn.closed:
            conn.close()


@dataclass(frozen=True, slots=True)
class MigrationState:
    name: str
    applied: bool
    applied_at: str | None


def migration_status(url: str) -> list[MigrationState]:
    """Which of sql/'s migrations the database has; StoreTooNew when it has one sql/ lacks."""
    conn = _connect(url)
    display = redact_url(url)
    try:
        applied = _applied(conn, display)
    finally:
        conn.close()
    refuse_unknown_migrations(display, applied, POSTGRES_MIGRATIONS.names())
    return [MigrationState(name, name in applied, applied.get(name)) for name in POSTGRES_MIGRATIONS.names()]


def _applied(conn: Any, display: str) -> dict[str, str]:
    # pg_tables, not to_regclass(): to_regclass consults the backend's catalog cache, which keeps
    # "no such table" from a read before this transaction waited for the migration lock
    exists = "select exists (select from pg_catalog.pg_tables where schemaname = 'public' and tablename = 'tsfix_migrations')"
    try:
        if not conn.execute(exists).fetchone()[0]:
            return {}
        rows = conn.execute("select name, applied_at from public.tsfix_migrations").fetchall()
    except Exception as exc:
        raise translate(exc, display) from None
    return {name: applied_at.isoformat() for name, applied_at in rows}


class _Migrator:
    """The MigrationTarget for sql/ over a psycopg connection. Migrators serialise on an advisory
    lock held by each step's transaction."""

    def __init__(self, conn: Any, display_url: str) -> None:
        self.conn = conn
        self.display_url = display_url

    def recorded(self) -> list[str]:
        return list(_applied(self.conn, self.display_url))

    @contextmanager
    def step(self, name: str) -> Iterator[None]:
        try:
            with self.conn.transaction():
                self.conn.execute("select pg_advisory_xact_lock(hashtextextended('tsfix:migrate', 0))")
                yield
        except StoreError:
            raise
        except Exception as exc:
            error = translate(exc, self.display_url)
            error.message = f"migration {name} failed and was rolled back: {error.message}"
            raise error from None

    def run(self, name: str, sql: str) -> None:
        self.conn.execute(sql)
        self.conn.execute(
            "insert into public.tsfix_migrations (name) values (%s) on conflict (name) do nothing", [name]
        )


def migrate(url: str) -> list[str]:
    """Apply the pending migrations, each in its own transaction; return the names applied.

    Two `tsfix db migrate` at once apply everything exactly once (see Migrations.apply); a second
    run applies nothing.
    """
    register_secret(url)
    conn = _connect(url)
    try:
        return POSTGRES_MIGRATIONS.apply(_Migrator(conn, redact_url(url)))
    finally:
        conn.close()
