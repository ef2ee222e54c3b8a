"""Schema administration and uploads: what `tsfix db migrate`, `tsfix db status` and `tsfix sync` do."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tsfix.errors import StoreError, UsageError
from tsfix.store import (
    MigratedOnOpen,
    UploadTarget,
    is_remote,
    open_journal,
    open_store,
    remote_key,
    store_scheme,
)
from tsfix.store.migrations import SQLITE_MIGRATIONS


@dataclass(slots=True)
class SchemaStatus:
    """Where a store's schema stands."""

    store: str
    applied: list[str] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)
    version: int | None = None  # tsfix_schema_version(), for stores reached over REST
    expected: int | None = None
    note: str | None = None

    @property
    def up_to_date(self) -> bool:
        if self.expected is not None:
            return self.version is not None and self.version >= self.expected
        return not self.pending


def db_migrate(url: str | None, root: Path) -> tuple[str, list[str]]:
    """Apply pending migrations; return (store, names applied)."""
    scheme = store_scheme(url)
    if scheme == "supabase":
        raise UsageError(
            "Supabase's REST API cannot change the schema",
            hint="migrate over the database itself: `tsfix db migrate --store postgresql://…` with the "
            "project's connection string (Project Settings → Database), or `tsfix db migrations "
            "supabase/migrations && supabase db push` with the Supabase CLI",
        )
    if scheme in ("postgresql", "postgres"):
        from tsfix.redact import redact_url
        from tsfix.store.postgres import migrate

        assert url is not None
        return redact_url(url), migrate(url)
    with open_store(url, root) as store:
        return store.display_url, store.require(MigratedOnOpen).migrated


def db_status(url: str | None, root: Path) -> SchemaStatus:
    scheme = store_scheme(url)
    if scheme in ("postgresql", "postgres"):
        from tsfix.redact import redact_url
        from tsfix.store.postgres import migration_status

        assert url is not None
        states = migration_status(url)
        return SchemaStatus(
            redact_url(url),
            applied=[s.name for s in states if s.applied],
            pending=[s.name for s in states if not s.applied],
        )
    if scheme == "supabase":
        from tsfix.store.remote import SCHEMA_VERSION, migrate_hint, refuse_newer_schema
        from tsfix.store.supabase import SupabaseTransport

        transport = SupabaseTransport(url.split(":", 1)[1] if url and ":" in url else None)
        try:
            version = transport.schema_version()
            if version is not None:
                refuse_newer_schema(transport, version)
        finally:
            transport.close()
        status = SchemaStatus(transport.display_url, version=version, expected=SCHEMA_VERSION)
        if not status.up_to_date:
            status.note = migrate_hint(transport.display_url)
        return status
    with open_store(url, root, create=False) as store:
        applied = store.require(MigratedOnOpen).applied_migrations()
    return SchemaStatus(
        store.display_url, applied=applied, pending=[n for n in SQLITE_MIGRATIONS.names() if n not in applied]
    )


@dataclass(slots=True)
class SyncResult:
    store: str
    uploaded: list[str] = field(default_factory=list)  # scan uuids
    remaining: int = 0
    waiting_elsewhere: list[tuple[str, int]] = field(default_factory=list)


def sync_scans(url: str | None, root: Path) -> SyncResult:
    """Upload the scans of this project's local store that are waiting for the team store `url`.

    Oldest first; each upload is idempotent (the store recognises a scan it already has by its uuid),
    so an interrupted sync can simply run again.
    """
    local = open_journal(root)
    with local:
        if not url:
            waiting = local.pending_remotes()
            if not waiting:
                return SyncResult("(no team store)")
            names = ", ".join(f"{n} for {remote}" for remote, n in waiting)
            raise UsageError(
                f"which store? scans are waiting: {names}",
                hint="pass --store (or set TSFIX_STORE) to the store to upload to",
            )
        if not is_remote(url):
            raise UsageError(
                f"{store_scheme(url)} stores are local: nothing to sync",
                hint="--store postgresql://… or supabase",
            )
        name = remote_key(url)
        pending = local.pending_uploads(name)
        result = SyncResult(name, waiting_elsewhere=[(r, n) for r, n in local.pending_remotes() if r != name])
        if not pending:
            return result
        with open_store(url, root) as store:
            remote = store.require(UploadTarget)
            result.store = remote.display_url
            for item in pending:
                try:
                    remote.upload(item.payload)
                except StoreError as exc:
                    local.note_upload_failure(item.scan_uuid, name, exc.message)
                    result.remaining = len(pending) - len(result.uploaded)
                    exc.message = (
                        f"{exc.message} — uploaded {len(result.uploaded)} of {len(pending)} waiting scans; "
                        "the rest stay queued"
                    )
                    raise
                local.mark_uploaded(item.scan_uuid, name)
                result.uploaded.append(item.scan_uuid)
        return result
