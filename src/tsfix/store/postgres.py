"""Postgres through psycopg 3: the transport behind `--store postgresql://…`, and `tsfix db migrate`.

Works with any Postgres 13+ and with Supabase's direct and pooled connection strings: server-side
prepared statements are off (`prepare_threshold=None`), which the transaction-mode pooler requires,
and `sslmode` and the other URL parameters are passed to libpq as given.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from tsfix.errors import StoreDenied, StoreError, StoreSchemaMissing, StoreUnreachable
from tsfix.redact import redact_url, register_secret, scrub
from tsfix.store import refuse_unknown_migrations
from tsfix.store.remote import Json, Transport

CONNECT_TIMEOUT_S = 10


def sql_migrations() -> list[tuple[str, str]]:
    """(name, sql) of the Postgres migrations in order: packaged in the wheel as tsfix/sql, or sql/ in a checkout."""
    packaged = resources.files("tsfix").joinpath("sql")
    if packaged.is_dir():
        entries = [
            (e.name, e.read_text(encoding="utf-8")) for e in packaged.iterdir() if e.name.endswith(".sql")
        ]
    else:
        folder = Path(__file__).resolve().parents[3] / "sql"
        entries = [(p.name, p.read_text(encoding="utf-8")) for p in folder.glob("*.sql")]
    return [(name.removesuffix(".sql"), sql) for name, sql in sorted(entries)]


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
    migrations = sql_migrations()
    refuse_unknown_migrations(display, applied, (name for name, _ in migrations))
    return [MigrationState(name, name in applied, applied.get(name)) for name, _ in migrations]


def _applied(conn: Any, display: str) -> dict[str, str]:
    try:
        if not conn.execute("select to_regclass('public.tsfix_migrations') is not null").fetchone()[0]:
            return {}
        rows = conn.execute("select name, applied_at from public.tsfix_migrations").fetchall()
    except Exception as exc:
        raise translate(exc, display) from None
    return {name: applied_at.isoformat() for name, applied_at in rows}


def migrate(url: str) -> list[str]:
    """Apply the pending migrations, each in its own transaction; return the names applied.

    Migrators serialise on an advisory lock, and each re-checks what is applied once it holds it, so
    two `tsfix db migrate` at once apply everything exactly once. A second run applies nothing.
    """
    register_secret(url)
    conn = _connect(url)
    display = redact_url(url)
    done: list[str] = []
    migrations = sql_migrations()
    known = [name for name, _ in migrations]
    try:
        for name, sql in migrations:
            try:
                with conn.transaction():
                    conn.execute("select pg_advisory_xact_lock(hashtextextended('tsfix:migrate', 0))")
                    applied = _applied(conn, display)
                    # checked under the lock, so a newer tsfix migrating meanwhile is seen too
                    refuse_unknown_migrations(display, applied, known)
                    if name in applied:
                        continue
                    conn.execute(sql)
                    conn.execute(
                        "insert into public.tsfix_migrations (name) values (%s) on conflict (name) do nothing",
                        [name],
                    )
            except StoreError:
                raise
            except Exception as exc:
                error = translate(exc, display)
                error.message = f"migration {name} failed and was rolled back: {error.message}"
                raise error from None
            done.append(name)
    finally:
        conn.close()
    return done
