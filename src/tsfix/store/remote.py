"""Team stores: Postgres (psycopg 3) and Supabase (supabase-py over PostgREST), one implementation.

Every operation is a SQL function from sql/0003_functions.sql that takes and returns JSON, so
`RemoteStore` only needs a transport that can call a function: `PsycopgTransport` runs
`select public.tsfix_…(…)`, `SupabaseTransport` calls `rpc(…)`. Recording a scan is one call: one
round trip and one transaction through either.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tsfix.errors import StoreSchemaMissing, UsageError
from tsfix.records import (
    ErrorEvent,
    ErrorInput,
    ErrorRow,
    FixedError,
    RecordedError,
    ScanInput,
    ScanOutcome,
    SuggestionInput,
    SuggestionRow,
)
from tsfix.store.columns import error_input, scan_payload, suggestion_rows
from tsfix.store.interface import UploadTarget, WorkQueue
from tsfix.store.migrations import POSTGRES_MIGRATIONS, refuse_unknown_migrations, store_too_new

#: the schema version these functions implement (tsfix_schema_version() in the newest migration)
SCHEMA_VERSION = 7


@dataclass(frozen=True, slots=True)
class Json:
    """Marks a function argument that is a JSON document (jsonb), not a SQL array or scalar."""

    value: Any


class Transport(ABC):
    """A way to call tsfix's SQL functions."""

    #: where the store is, for messages: never holds a secret
    display_url: str
    #: a stable name for this store without secrets, under which local scans wait to be uploaded
    remote_key: str

    @abstractmethod
    def call(self, function: str, args: dict[str, Any]) -> Any:
        """Call public.<function>(args by name) and return its JSON result as Python objects."""

    def schema_version(self) -> int | None:
        """tsfix_schema_version(), or None when the function (so the schema) is missing."""
        try:
            return int(self.call("tsfix_schema_version", {}))
        except StoreSchemaMissing:
            return None

    def applied_migrations(self) -> list[str] | None:
        """The names in public.tsfix_migrations; None when this transport cannot read them."""
        return None

    def close(self) -> None:  # noqa: B027 - optional
        """Release the connection."""


class RemoteStore(UploadTarget, WorkQueue):
    """A Postgres or Supabase store, through whichever transport it was opened with: a team store
    that takes uploaded scans and serves as `tsfix worker`'s queue."""

    def __init__(self, transport: Transport, *, check_schema: bool = True) -> None:
        self.transport = transport
        self.display_url = transport.display_url
        self.remote_key = transport.remote_key
        if check_schema:
            self.require_schema()

    def require_schema(self) -> None:
        """Refuse a store without the schema, with an older one, or with one a newer tsfix wrote."""
        version = self.transport.schema_version()
        if version is None:
            raise StoreSchemaMissing(
                f"{self.display_url} has no tsfix schema", hint=migrate_hint(self.display_url)
            )
        refuse_newer_schema(self.transport, version)
        if version < SCHEMA_VERSION:
            raise StoreSchemaMissing(
                f"{self.display_url} has tsfix schema version {version}; this tsfix needs {SCHEMA_VERSION}",
                hint=migrate_hint(self.display_url),
            )

    def close(self) -> None:
        self.transport.close()

    # ------------------------------------------------------------------ writes

    def record_scan(self, scan: ScanInput, errors: Sequence[ErrorInput]) -> ScanOutcome:
        return self.upload(scan_payload(scan, errors))

    def upload(self, payload: dict[str, Any]) -> ScanOutcome:
        data = self.transport.call(
            "tsfix_record_scan", {"scan": Json(payload["scan"]), "errors": Json(payload["errors"])}
        )
        return ScanOutcome(
            scan_id=data["scan_id"],
            errors=[
                RecordedError(error_id, fp, status, change) for fp, error_id, status, change in data["errors"]
            ],
            fixed=[
                FixedError(f["id"], f["fingerprint"], f["file_path"], f["line"], f["code"], f["message"])
                for f in data["fixed"]
            ],
            counts=data["counts"],
        )

    # ------------------------------------------------------------------ suggestions

    def record_suggestions(
        self,
        error_id: int | str,
        suggestions: Sequence[SuggestionInput],
        note: str | None = None,
        tier: int = 1,
    ) -> list[int | str]:
        return list(
            self.transport.call(
                "tsfix_record_suggestions_at",
                {
                    "p_error": str(error_id),
                    "p_suggestions": Json(suggestion_rows(suggestions)),
                    "p_note": note,
                    "p_tier": tier,
                },
            )
        )

    # ------------------------------------------------------------------ the worker queue

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
        rows = self.transport.call(
            "tsfix_claim_errors",
            {
                "p_worker": worker,
                "p_limit": limit,
                "p_lease_seconds": lease_seconds,
                "p_project": project,
                "p_commit": commit,
                "p_tier": tier,
            },
        )
        return [ErrorRow.from_mapping(r) for r in rows]

    def finish_claim(
        self,
        worker: str,
        error_id: int | str,
        suggestions: Sequence[SuggestionInput],
        note: str | None = None,
        tier: int = 1,
    ) -> list[int | str] | None:
        result = self.transport.call(
            "tsfix_finish_claim",
            {
                "p_worker": worker,
                "p_error": str(error_id),
                "p_suggestions": Json(suggestion_rows(suggestions)),
                "p_note": note,
                "p_tier": tier,
            },
        )
        return list(result["ids"]) if result["recorded"] else None

    def release_claims(self, worker: str, error_ids: Sequence[int | str]) -> int:
        return int(
            self.transport.call(
                "tsfix_release_claims", {"p_worker": worker, "p_errors": Json([str(i) for i in error_ids])}
            )
        )

    def extend_claims(self, worker: str, error_ids: Sequence[int | str], lease_seconds: int) -> int:
        return int(
            self.transport.call(
                "tsfix_extend_claims",
                {
                    "p_worker": worker,
                    "p_errors": Json([str(i) for i in error_ids]),
                    "p_lease_seconds": lease_seconds,
                },
            )
        )

    def queue_status(self, project: str | None = None, tier: int = 1) -> dict[str, int]:
        return dict(self.transport.call("tsfix_queue_status", {"p_project": project, "p_tier": tier}))

    def suggestions(self, error_id: int | str) -> list[SuggestionRow]:
        rows = self.transport.call("tsfix_suggestions", {"p_error": str(error_id)})
        return [SuggestionRow.from_mapping(r) for r in rows]

    def suggestions_for(self, error_ids: Sequence[int | str]) -> dict[int | str, list[SuggestionRow]]:
        found: dict[int | str, list[SuggestionRow]] = {str(i): [] for i in error_ids}
        rows = self.transport.call("tsfix_suggestions_for", {"p_errors": Json([str(i) for i in error_ids])})
        for r in rows:
            found[str(r["error_id"])].append(SuggestionRow.from_mapping(r))
        return found

    def get_suggestion(self, suggestion_id: str) -> SuggestionRow:
        wanted = str(suggestion_id).strip().lstrip("#").lower()
        wanted = wanted[1:] if wanted.startswith("s") else wanted
        hint = "suggestion ids here are s + a uuid (a unique prefix of 4+ characters will do); `tsfix show ERROR_ID` lists them"
        if not re.fullmatch(r"[0-9a-f-]{4,36}", wanted):
            raise UsageError(f"{suggestion_id!r} is not a suggestion id", hint=hint)
        row = self.transport.call("tsfix_get_suggestion", {"p_id": wanted})
        if row is None:
            raise UsageError(f"no suggestion s{wanted} in {self.display_url}", hint=hint)
        if "matches" in row:
            raise UsageError(
                f"{row['matches']} suggestions have ids starting with {wanted!r}",
                hint="give more characters of the id",
            )
        return SuggestionRow.from_mapping(row)

    def mark_applied(self, suggestion_ids: Sequence[int | str], applied: bool = True) -> int:
        return int(
            self.transport.call(
                "tsfix_mark_applied",
                {"p_suggestions": Json([str(i) for i in suggestion_ids]), "p_applied": applied},
            )
        )

    # ------------------------------------------------------------------ reads

    def list_errors(
        self,
        *,
        project: str | None = None,
        statuses: Sequence[str] | None = None,
        codes: Sequence[str] | None = None,
        files: Sequence[str] | None = None,
        limit: int | None = None,
    ) -> list[ErrorRow]:
        rows = self.transport.call(
            "tsfix_list_errors",
            {
                "p_project": project,
                "p_statuses": list(statuses) if statuses else None,
                "p_codes": list(codes) if codes else None,
                "p_files": list(files) if files else None,
                "p_limit": limit,
            },
        )
        return [ErrorRow.from_mapping(row) for row in rows]

    def get_error(self, error_id: str) -> ErrorRow:
        wanted = str(error_id).strip().lstrip("#").lower()
        if not re.fullmatch(r"[0-9a-f-]{4,36}", wanted):
            raise UsageError(
                f"{error_id!r} is not an error id",
                hint="ids in this store are uuids (a unique prefix of 4+ characters will do); `tsfix list` shows them",
            )
        row = self.transport.call("tsfix_get_error", {"p_id": wanted})
        if row is None:
            raise UsageError(
                f"no error with id {wanted!r} in {self.display_url}",
                hint="ids are uuids (a unique prefix of 4+ characters will do); `tsfix list` shows them",
            )
        if "matches" in row:
            raise UsageError(
                f"{row['matches']} errors have ids starting with {wanted!r}",
                hint="give more characters of the id",
            )
        return ErrorRow.from_mapping(row)

    def error_history(self, error_id: int | str) -> list[ErrorEvent]:
        events = self.transport.call("tsfix_error_history", {"p_error": str(error_id)})
        return [
            ErrorEvent(
                e["scan_id"], e["event"], e["from_status"], e["to_status"], e["created_at"], e["detail"]
            )
            for e in events
        ]

    def latest_scan(self, project: str | None = None) -> dict[str, Any] | None:
        found = self.transport.call("tsfix_latest_scan", {"p_project": project})
        return dict(found) if found else None

    def previous_errors(self, project: str) -> list[ErrorInput]:
        return [error_input(e) for e in self.transport.call("tsfix_previous_errors", {"p_project": project})]


def refuse_newer_schema(transport: Transport, version: int) -> None:
    """StoreTooNew when a newer tsfix migrated the store: a higher tsfix_schema_version(), or a row in
    tsfix_migrations that sql/ does not have (a migration need not change the version)."""
    if version > SCHEMA_VERSION:
        raise store_too_new(transport.display_url, f"schema version {version} is")
    applied = transport.applied_migrations()
    if applied is not None:
        refuse_unknown_migrations(transport.display_url, applied, POSTGRES_MIGRATIONS.names())


def migrate_hint(display_url: str) -> str:
    if display_url.startswith("supabase"):
        return (
            "apply sql/ to the project: `tsfix db migrate --store postgresql://…` with its database URL, "
            "or `tsfix db migrations supabase/migrations && supabase db push`"
        )
    return f"run `tsfix db migrate --store {display_url}`"
