"""The columns of a scan, an error and a suggestion, derived once from the record dataclasses, and
the format of every timestamp (`now_iso`).

Every backend writes these records; naming their columns here, from `tsfix.records`, keeps the SQLite
statements, the JSON the SQL functions take, and the records themselves from drifting apart.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import fields
from datetime import UTC, datetime
from typing import Any

from tsfix.records import ErrorInput, ScanInput, SuggestionInput

#: a scan's columns as ScanInput has them (`id` is the scan's uuid)
SCAN_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(ScanInput))
#: an error's recorded columns, in ErrorInput's order (`unchanged` says how to record, it is no column)
ERROR_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(ErrorInput) if f.name != "unchanged")
#: ... without its identity: what a scan may change about an error it sees again
ERROR_CONTENT_COLUMNS: tuple[str, ...] = tuple(c for c in ERROR_COLUMNS if c != "fingerprint")
#: a suggestion's columns as SuggestionInput has them (ids and times are the store's)
SUGGESTION_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(SuggestionInput))
#: columns holding JSON documents: text in SQLite, jsonb in Postgres
JSON_COLUMNS = frozenset({"context", "edits", "verification", "base_hashes"})


def now_iso() -> str:
    """UTC now as ISO-8601 with milliseconds and a Z, the format every tsfix timestamp uses."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def as_json_text(value: Any) -> str | None:
    """A JSON column's value as SQLite keeps it."""
    return None if value is None else json.dumps(value, ensure_ascii=False)


def scan_payload(scan: ScanInput, errors: Sequence[ErrorInput]) -> dict[str, Any]:
    """The arguments of tsfix_record_scan for one scan (also what a local scan keeps for `tsfix sync`)."""
    return {
        "scan": {name: getattr(scan, name) for name in SCAN_COLUMNS},
        "errors": [{name: getattr(e, name) for name in ERROR_COLUMNS} for e in errors],
    }


def suggestion_rows(suggestions: Sequence[SuggestionInput]) -> list[dict[str, Any]]:
    """ai_suggestions rows without ids, as tsfix_record_suggestions and tsfix_finish_claim take them."""
    return [{name: getattr(s, name) for name in SUGGESTION_COLUMNS} for s in suggestions]


def error_input(row: Mapping[str, Any]) -> ErrorInput:
    """An error as recorded, from a row with its columns (JSON columns decoded already)."""
    return ErrorInput(**{name: row[name] for name in ERROR_COLUMNS})
