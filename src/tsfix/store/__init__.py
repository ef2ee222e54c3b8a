"""Where tsfix keeps scans, errors and suggestions: one `Store` interface, backends chosen by URL.

    open_store(None, root)                     -> <root>/.tsfix/tsfix.db (embedded SQLite)
    open_store("sqlite:///var/tsfix.db", root) -> that SQLite file

The CLI and the pipeline talk to `Store` only; they never know which backend is behind it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from tsfix.errors import StoreTooNew, UsageError
from tsfix.models import (
    ErrorEvent,
    ErrorInput,
    ErrorRow,
    ScanInput,
    ScanOutcome,
    SuggestionInput,
    SuggestionRow,
)

STORE_DIR = ".tsfix"
STORE_FILE = "tsfix.db"


class Store(ABC):
    """A place that records scans and errors. Every write is one transaction."""

    #: where the store is, for messages; never holds a secret
    display_url: str

    @abstractmethod
    def record_scan(self, scan: ScanInput, errors: Sequence[ErrorInput]) -> ScanOutcome:
        """Record one scan: upsert its errors by fingerprint, mark unseen ones fixed, reopen returns."""

    @abstractmethod
    def list_errors(
        self,
        *,
        project: str | None = None,
        statuses: Sequence[str] | None = None,
        codes: Sequence[str] | None = None,
        files: Sequence[str] | None = None,
        limit: int | None = None,
    ) -> list[ErrorRow]:
        """Errors matching every given filter, by file and position. `files` match as path prefixes."""

    @abstractmethod
    def get_error(self, error_id: str) -> ErrorRow:
        """One error by id; UsageError when there is none."""

    @abstractmethod
    def error_history(self, error_id: int | str) -> list[ErrorEvent]:
        """The error's transitions, oldest first."""

    @abstractmethod
    def previous_errors(self, project: str) -> list[ErrorInput]:
        """The open errors of `project` that have a file, as recorded (what the next scan likely sees)."""

    @abstractmethod
    def record_suggestions(
        self,
        error_id: int | str,
        suggestions: Sequence[SuggestionInput],
        note: str | None = None,
        tier: int = 1,
    ) -> list[int | str]:
        """Replace the error's unapplied suggestions with these; the error becomes ai_suggested when
        there are any, and its history records `note` (e.g. "no fix found") when there are none.
        `tier` says how far suggestion went (1: quick fixes and repairs, 2: also a model); a worker
        queue does not offer the error again below it."""

    @abstractmethod
    def suggestions(self, error_id: int | str) -> list[SuggestionRow]:
        """The error's suggestions, most confident first."""

    def suggestions_for(self, error_ids: Sequence[int | str]) -> dict[int | str, list[SuggestionRow]]:
        """The suggestions of several errors, each error's most confident first."""
        return {i: self.suggestions(i) for i in error_ids}

    @abstractmethod
    def get_suggestion(self, suggestion_id: str) -> SuggestionRow:
        """One suggestion by id; UsageError when there is none."""

    @abstractmethod
    def mark_applied(self, suggestion_ids: Sequence[int | str], applied: bool = True) -> int:
        """Mark suggestions applied (`tsfix apply`) or not (`tsfix undo`): their errors become
        `applied` (or go back to `ai_suggested`), with the change in each error's history."""

    @abstractmethod
    def latest_scan(self, project: str | None = None) -> dict[str, Any] | None:
        """The most recent scan (of `project`, when given), as a dict of its columns."""

    def check_writable(self) -> None:  # noqa: B027 - a remote store says so on the first write
        """Raise StoreError now when this store cannot be written, so a command fails before its work."""

    def close(self) -> None:  # noqa: B027 - optional for backends without resources
        """Release connections."""

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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


def default_store_path(root: Path) -> Path:
    return root / STORE_DIR / STORE_FILE


def _open_sqlite(url: str, root: Path | None, create: bool) -> Store:
    from tsfix.store.sqlite import SQLiteStore

    if url in ("", "sqlite"):
        if root is None:
            raise UsageError(
                "no project root for the default store", hint="pass --store sqlite:///path/to/tsfix.db"
            )
        return SQLiteStore.open_default(root, create=create)
    rest = url.removeprefix("sqlite://") if url.startswith("sqlite://") else url
    if not rest:
        raise UsageError(f"store URL {url!r} names no file", hint="use sqlite:///absolute/path/tsfix.db")
    return SQLiteStore(Path(rest).expanduser(), create=create)


def _open_postgres(url: str, root: Path | None, create: bool) -> Store:
    from tsfix.store.postgres import PsycopgTransport
    from tsfix.store.remote import RemoteStore

    return RemoteStore(PsycopgTransport(url))


def _open_supabase(url: str, root: Path | None, create: bool) -> Store:
    from tsfix.store.remote import RemoteStore
    from tsfix.store.supabase import SupabaseTransport

    return RemoteStore(SupabaseTransport(_supabase_project(url)))


def _supabase_project(url: str) -> str | None:
    """`supabase` -> None (SUPABASE_URL decides); `supabase:https://x.supabase.co` -> that URL."""
    rest = url.split(":", 1)[1] if ":" in url else ""
    return rest or None


# scheme -> opener(url, root, create)
STORE_BACKENDS: dict[str, Callable[[str, Path | None, bool], Store]] = {
    "sqlite": _open_sqlite,
    "postgresql": _open_postgres,
    "postgres": _open_postgres,
    "supabase": _open_supabase,
}
STORE_EXAMPLES = {
    "sqlite": "sqlite:///path/to/tsfix.db",
    "postgresql": "postgresql://user:password@host:5432/db",
    "supabase": "supabase (with SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY)",
}
REMOTE_SCHEMES = ("postgresql", "postgres", "supabase")


def store_scheme(url: str | None) -> str:
    if not url:
        return "sqlite"
    if url.lower() == "supabase" or url.lower().startswith("supabase:"):
        return "supabase"
    if "://" in url:
        return url.split("://", 1)[0].lower()
    if url.lower() in STORE_BACKENDS:
        return url.lower()
    if url.endswith((".db", ".sqlite", ".sqlite3")):
        return "sqlite"
    return url.split(":", 1)[0].lower()


def is_remote(url: str | None) -> bool:
    """True for the team stores (Postgres, Supabase), which scans reach through the local store."""
    return store_scheme(url) in REMOTE_SCHEMES


def remote_key(url: str) -> str:
    """A remote store's name without secrets, worked out without connecting."""
    from tsfix.redact import redact_url

    if store_scheme(url) == "supabase":
        from tsfix.store.supabase import supabase_key_name

        return supabase_key_name(_supabase_project(url))
    return redact_url(url)


def open_store(url: str | None, root: Path | None = None, *, create: bool = True) -> Store:
    """Open the store named by `url` (None: the project's embedded SQLite store under `root`).

    `create=False` refuses to create a new SQLite file (for read-only commands such as `list`).
    """
    scheme = store_scheme(url)
    opener = STORE_BACKENDS.get(scheme)
    if opener is None:
        valid = "; ".join(STORE_EXAMPLES.values())
        raise UsageError(f"unknown store {scheme!r}", hint=f"use one of: {valid}")
    return opener(url or "", root, create)
