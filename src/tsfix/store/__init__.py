"""Where tsfix keeps scans, errors and suggestions: the store registry, backends chosen by URL.

    open_store(None, root)                     -> <root>/.tsfix/tsfix.db (embedded SQLite)
    open_store("sqlite:///var/tsfix.db", root) -> that SQLite file
    open_store("postgresql://…") / ("supabase") -> a team store
    open_journal(root)                         -> the local store team scans go through first

The CLI and the stages talk to `Store` and the capability interfaces (store/interface.py) only; this
module alone knows which backend classes are behind them. Modules here:
interface (Store, capabilities), columns (record columns from the dataclasses), migrations (one
runner, two dialect folders), sqlite + sqlite_scan (embedded), remote + postgres + supabase (team
stores over two transports), admin (`db migrate`, `db status`, `sync`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tsfix.errors import UsageError
from tsfix.store.columns import now_iso
from tsfix.store.interface import (
    MigratedOnOpen,
    PendingUpload,
    Store,
    UploadJournal,
    UploadTarget,
    WorkQueue,
)

__all__ = [
    "MigratedOnOpen",
    "PendingUpload",
    "Store",
    "UploadJournal",
    "UploadTarget",
    "WorkQueue",
    "default_store_path",
    "is_remote",
    "now_iso",
    "open_journal",
    "open_store",
    "remote_key",
    "store_scheme",
]

STORE_DIR = ".tsfix"
STORE_FILE = "tsfix.db"


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


def open_journal(root: Path) -> UploadJournal:
    """The local store that scans for a team store are recorded in first (see `tsfix sync`)."""
    from tsfix.store.sqlite import SQLiteStore

    return SQLiteStore.open_journal(root)


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
