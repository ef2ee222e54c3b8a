"""What callers see of a store: `Store`, and the capabilities only some backends declare.

    Store          every backend: scans, errors, suggestions, history
    UploadJournal  the embedded store: keeps scans meant for a team store until they are uploaded
    UploadTarget   a team store: accepts a scan a journal kept (`tsfix sync`)
    WorkQueue      a team store: errors claimed by `tsfix worker` under leases
    MigratedOnOpen the embedded store: applies its migrations whenever it opens

A backend declares a capability by subclassing it; callers ask `store.require(WorkQueue)` (or
`store.capability(...)`, which answers None), never which class is behind the store.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TypeVar, cast

from tsfix.errors import UsageError
from tsfix.records import (
    ErrorEvent,
    ErrorInput,
    ErrorRow,
    ScanInput,
    ScanOutcome,
    SuggestionInput,
    SuggestionRow,
)

C = TypeVar("C", bound="Store")


class Store(ABC):
    """A place that records scans and errors. Every write is one transaction."""

    #: where the store is, for messages; never holds a secret
    display_url: str
    #: what a capability is called in messages ("a work queue"), and which stores have it
    described: ClassVar[str] = "a tsfix store"
    hint: ClassVar[str] = "pass --store with a tsfix store"

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

    # `kind` is typed as a Callable, not type[C]: mypy accepts no abstract class for type[C]
    def capability(self, kind: Callable[..., C]) -> C | None:
        """This store as `kind` (UploadJournal, WorkQueue, ...) when its backend declares it, else None."""
        return cast(C, self) if isinstance(self, cast(type, kind)) else None

    def require(self, kind: Callable[..., C]) -> C:
        """This store as `kind`; UsageError naming what is missing when its backend lacks it."""
        found = self.capability(kind)
        if found is None:
            wanted = cast("type[Store]", kind)
            raise UsageError(f"the store {self.display_url} is not {wanted.described}", hint=wanted.hint)
        return found

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass(frozen=True, slots=True)
class PendingUpload:
    """A scan an upload journal keeps for a team store."""

    scan_uuid: str
    payload: dict[str, Any]
    created_at: str
    attempts: int
    last_error: str | None


class UploadJournal(Store):
    """A local store that scans for a team store go through first, so none is lost while it is away."""

    described = "an upload journal"
    hint = "scans for a team store are kept in the project's own store, --store sqlite:///…"

    @abstractmethod
    def record_scan(
        self, scan: ScanInput, errors: Sequence[ErrorInput], *, upload_to: str | None = None
    ) -> ScanOutcome:
        """Record a scan; with `upload_to` (a team store's key) also keep it for upload, atomically."""

    @abstractmethod
    def pending_uploads(self, remote: str) -> list[PendingUpload]:
        """Scans waiting for `remote`, oldest first."""

    @abstractmethod
    def pending_remotes(self) -> list[tuple[str, int]]:
        """(remote, scans waiting) for every remote that has scans waiting."""

    @abstractmethod
    def mark_uploaded(self, scan_uuid: str, remote: str) -> None:
        """The scan reached `remote`: it waits no longer."""

    @abstractmethod
    def note_upload_failure(self, scan_uuid: str, remote: str, message: str) -> None:
        """An upload failed: count the attempt and keep the (scrubbed) reason."""


class UploadTarget(Store):
    """A team store that accepts the scans an upload journal kept."""

    described = "a team store"
    hint = "pass --store postgresql://… or --store supabase"
    #: a stable name for this store without secrets, under which local scans wait to be uploaded
    remote_key: str

    @abstractmethod
    def upload(self, payload: dict[str, Any]) -> ScanOutcome:
        """Record a scan from its payload; uploading the same scan again changes nothing."""


class WorkQueue(Store):
    """A store whose open errors are a queue: workers claim them under leases (sql/0006_queue.sql)."""

    described = "a work queue (a team store)"
    hint = "pass --store postgresql://… or --store supabase"

    @abstractmethod
    def claim_errors(
        self,
        worker: str,
        limit: int,
        lease_seconds: int,
        *,
        project: str | None = None,
        commit: str | None = None,
        tier: int = 1,
    ) -> list[ErrorRow]:
        """Claim up to `limit` errors waiting for suggestions at `tier`."""

    @abstractmethod
    def finish_claim(
        self,
        worker: str,
        error_id: int | str,
        suggestions: Sequence[SuggestionInput],
        note: str | None = None,
        tier: int = 1,
    ) -> list[int | str] | None:
        """Record a claimed error's suggestions; None when the claim was lost (its lease expired and
        another worker took the error over), and nothing is recorded then."""

    @abstractmethod
    def release_claims(self, worker: str, error_ids: Sequence[int | str]) -> int:
        """Give claimed errors back to the queue; the number released."""

    @abstractmethod
    def extend_claims(self, worker: str, error_ids: Sequence[int | str], lease_seconds: int) -> int:
        """Renew the leases of claimed errors; the number renewed."""

    @abstractmethod
    def queue_status(self, project: str | None = None, tier: int = 1) -> dict[str, int]:
        """Counts of queued, claimed and expired errors."""


class MigratedOnOpen(Store):
    """A store that applies its pending migrations whenever it opens."""

    described = "a store migrated on open"
    hint = "pass --store sqlite:///path/to/tsfix.db"
    #: the migrations this open applied
    migrated: list[str]

    @abstractmethod
    def applied_migrations(self) -> list[str]:
        """The migrations the store records, in order."""
