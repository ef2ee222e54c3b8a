"""One migrations runner for both dialects: `Migrations` over a folder of named SQL files.

    SQLITE_MIGRATIONS    src/tsfix/store/sqlite_migrations/*.sql (the embedded store)
    POSTGRES_MIGRATIONS  sql/*.sql, packaged as tsfix/sql (Postgres and Supabase)

A migration is named by its file (`0002_uploads`), applied in name order, each in its own
transaction, and recorded in `tsfix_migrations`. The runner knows the order and the rules; each backend
brings a `MigrationTarget` that runs SQL its own way (sqlite3 statements, psycopg with an advisory lock).
A store that records a migration this tsfix does not ship was written by a newer tsfix: it is refused.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Protocol

from tsfix.errors import StoreTooNew


class MigrationTarget(Protocol):
    """A store's schema as one dialect reaches it."""

    #: where the store is, for messages; never holds a secret
    display_url: str

    def recorded(self) -> list[str]:
        """The names in tsfix_migrations (none when there is no such table yet)."""

    def step(self, name: str) -> AbstractContextManager[object]:
        """One migration's transaction, holding whatever lock serialises migrators; a failure inside
        rolls it back and comes out as a StoreError."""

    def run(self, name: str, sql: str) -> None:
        """Execute one migration's script and record its name, inside `step`."""


class Migrations:
    """The named, ordered migrations of one dialect, and what is applied or pending on a target."""

    def __init__(self, dialect: str, folder: Callable[[], Traversable]) -> None:
        self.dialect = dialect
        self._folder = folder

    def steps(self) -> list[tuple[str, str]]:
        """(name, sql) of every migration, in order."""
        return sorted(
            (entry.name.removesuffix(".sql"), entry.read_text(encoding="utf-8"))
            for entry in self._folder().iterdir()
            if entry.name.endswith(".sql")
        )

    def names(self) -> list[str]:
        return [name for name, _ in self.steps()]

    def applied(self, target: MigrationTarget) -> list[str]:
        """What the target has applied, in order; StoreTooNew when it has one this tsfix lacks."""
        recorded = target.recorded()
        refuse_unknown_migrations(target.display_url, recorded, self.names())
        return sorted(recorded)

    def pending(self, target: MigrationTarget) -> list[str]:
        done = set(self.applied(target))
        return [name for name in self.names() if name not in done]

    def apply(self, target: MigrationTarget) -> list[str]:
        """Apply the pending migrations, each in its own transaction; return the names applied.

        Each step re-reads what is applied once it holds the target's lock, so migrators running at
        once apply everything exactly once, and a newer tsfix migrating meanwhile is refused too.
        """
        steps = self.steps()
        known = [name for name, _ in steps]
        done = set(target.recorded())
        refuse_unknown_migrations(target.display_url, done, known)
        applied = []
        for name, sql in steps:
            if name in done:
                continue
            with target.step(name):
                now = target.recorded()
                refuse_unknown_migrations(target.display_url, now, known)
                if name in now:
                    continue
                target.run(name, sql)
            applied.append(name)
        return applied


def _postgres_folder() -> Traversable:
    """sql/: packaged in the wheel as tsfix/sql, or the checkout's own folder."""
    packaged = resources.files("tsfix").joinpath("sql")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[3] / "sql"


SQLITE_MIGRATIONS = Migrations("sqlite", lambda: resources.files("tsfix.store.sqlite_migrations"))
POSTGRES_MIGRATIONS = Migrations("postgres", _postgres_folder)


def refuse_unknown_migrations(display_url: str, applied: Iterable[str], known: Iterable[str]) -> None:
    """Raise StoreTooNew when the store records a migration this tsfix does not ship.

    A newer tsfix may have changed what columns mean or added rows this one would mishandle, so
    every backend calls this where it opens (or migrates) its schema, before any read or write.
    """
    unknown = sorted(set(applied) - set(known))
    if unknown:
        label = "migration" if len(unknown) == 1 else "migrations"
        verb = "is" if len(unknown) == 1 else "are"
        raise store_too_new(display_url, f"{label} {', '.join(unknown)} {verb}")


def store_too_new(display_url: str, what: str) -> StoreTooNew:
    """The refusal for a store a newer tsfix wrote; `what` names what is unknown ("migration 0009_x is")."""
    from tsfix import __version__

    return StoreTooNew(
        f"the store {display_url} was written by a newer tsfix ({what} unknown to tsfix {__version__}); "
        "upgrade tsfix",
        hint="install the newer tsfix (`pip install --upgrade tsfix`) wherever this store is used, "
        "or pass --store to use another store",
    )
