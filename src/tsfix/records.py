"""The data records passed between the stages (tsc -> context -> store -> render): errors, scans,
suggestions, and the status values Python and the SQL schema share. (LLMs live in tsfix.fixers.)"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal

Category = Literal["error", "warning", "suggestion", "message"]
Change = Literal["new", "open", "reopened"]


class ErrorStatus(StrEnum):
    """Where an error stands; the SQL of every store checks for exactly these (tests/test_store_interface.py)."""

    NEW = "new"  # seen by a scan, no suggestion yet
    AI_SUGGESTED = "ai_suggested"  # has suggestions
    APPLIED = "applied"  # a suggestion was applied; the next scan says whether it is gone
    FIXED = "fixed"  # a complete scan no longer sees it
    DISMISSED = "dismissed"  # set aside by hand; no scan or suggestion changes it


ERROR_STATUSES: tuple[str, ...] = tuple(s.value for s in ErrorStatus)
OPEN_STATUSES: tuple[str, ...] = (
    ErrorStatus.NEW.value,
    ErrorStatus.AI_SUGGESTED.value,
    ErrorStatus.APPLIED.value,
)
#: statuses a suggestion can still change: suggesting makes them ai_suggested, applying applied
SUGGESTABLE_STATUSES: tuple[str, ...] = (ErrorStatus.NEW.value, ErrorStatus.AI_SUGGESTED.value)
#: statuses of errors that a scan seeing them again reopens
CLOSED_STATUSES: tuple[str, ...] = (ErrorStatus.FIXED.value, ErrorStatus.APPLIED.value)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One diagnostic as tsc printed it. Line and column are 1-based; the column counts UTF-16 units."""

    file: str | None
    line: int | None
    col: int | None
    code: str
    category: str
    message: str

    @property
    def headline(self) -> str:
        """The first line of the message (the elaboration chain follows on indented lines)."""
        return self.message.split("\n", 1)[0]


@dataclass(frozen=True, slots=True)
class CodeContext:
    """The smallest meaningful syntax node around a diagnostic, found with tree-sitter."""

    kind: str  # function, method, arrow_function, class, interface, type, enum, property, namespace, statement, file
    name: str | None
    symbol_path: str  # e.g. "UserService.getUser"; "" at top level
    node_type: str  # the tree-sitter node type
    start_line: int  # 1-based, inclusive: the enclosing node
    end_line: int
    snippet: str
    snippet_start_line: int
    snippet_end_line: int
    truncated: bool
    error_line_text: str
    language: str  # "typescript" or "tsx"

    def as_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "name": self.name,
            "symbol_path": self.symbol_path,
            "node_type": self.node_type,
            "start_line": self.start_line,
            "end_line": self.end_line,
            "snippet_start_line": self.snippet_start_line,
            "snippet_end_line": self.snippet_end_line,
            "truncated": self.truncated,
            "error_line": self.error_line_text,
            "language": self.language,
        }


@dataclass(slots=True)
class ErrorInput:
    """One error ready to be recorded: a diagnostic plus its identity and context."""

    fingerprint: str
    file_path: str | None
    line: int | None
    col: int | None
    code: str
    category: str
    message: str
    code_snippet: str | None
    context: dict[str, Any] | None
    file_hash: str | None
    # True when this is the previous scan's record, reused because the file and its diagnostics are
    # unchanged: a store then only needs to record that it was seen again.
    unchanged: bool = False


def new_scan_id() -> str:
    """A scan's identity, fixed when it is taken: uploads of the same scan are recognised by it."""
    return str(uuid.uuid4())


@dataclass(slots=True)
class ScanInput:
    """Facts about one run of tsc, recorded in the `scans` table."""

    project: str
    project_root: str
    tsconfig: str
    typescript_version: str | None
    started_at: str  # ISO-8601 UTC
    duration_ms: int
    tsc_ms: int
    tsc_exit_code: int | None
    git_commit: str | None = None
    git_branch: str | None = None
    tsfix_version: str | None = None
    # False when tsc may have stopped before type-checking (only syntax errors): errors this scan does
    # not mention are then left open rather than marked fixed.
    complete: bool = True
    id: str = field(default_factory=new_scan_id)


@dataclass(frozen=True, slots=True)
class RecordedError:
    """What the store says about one error of this scan."""

    id: int | str
    fingerprint: str
    status: str
    change: Change


@dataclass(frozen=True, slots=True)
class FixedError:
    id: int | str
    fingerprint: str
    file_path: str | None
    line: int | None
    code: str
    message: str


@dataclass(slots=True)
class ScanOutcome:
    """The store's answer to record_scan: ids, statuses and what changed since the previous scan."""

    scan_id: int | str
    errors: list[RecordedError]
    fixed: list[FixedError]
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class ErrorRow:
    """A row of `typescript_errors` as list/show read it."""

    id: int | str
    project: str
    fingerprint: str
    file_path: str | None
    line: int | None
    col: int | None
    code: str
    category: str
    message: str
    code_snippet: str | None
    context: dict[str, Any] | None
    file_hash: str | None
    status: str
    occurrences: int
    first_seen_scan: int | str
    last_seen_scan: int | str
    fixed_in_scan: int | str | None
    created_at: str
    updated_at: str

    @classmethod
    def from_mapping(cls, row: Mapping[str, Any]) -> ErrorRow:
        """From a store's row (a sqlite3.Row, or the JSON a SQL function returned), context decoded."""
        return cls(**{name: row[name] for name in cls.__dataclass_fields__})

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "fingerprint": self.fingerprint,
            "file": self.file_path,
            "line": self.line,
            "col": self.col,
            "code": self.code,
            "category": self.category,
            "message": self.message,
            "status": self.status,
            "occurrences": self.occurrences,
            "first_seen_scan": self.first_seen_scan,
            "last_seen_scan": self.last_seen_scan,
            "fixed_in_scan": self.fixed_in_scan,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
            "context": self.context,
            "code_snippet": self.code_snippet,
        }


@dataclass(frozen=True, slots=True)
class ErrorEvent:
    """One entry of an error's history: first seen, fixed, reopened, or a status change."""

    scan_id: int | str | None
    event: str
    from_status: str | None
    to_status: str | None
    created_at: str
    detail: str | None = None


@dataclass(slots=True)
class SuggestionInput:
    """One kept candidate fix for an error, as `tsfix suggest` records it in ai_suggestions."""

    fixer: str  # quickfix | repair | llama | openai
    model_name: str | None
    suggestion: str  # unified diff
    edits: list[dict[str, Any]]
    explanation: str | None
    confidence: float
    verified: bool
    verification: dict[str, Any]
    base_hashes: dict[str, str]  # file -> sha256 of the bytes the edits were made against
    tokens_in: int | None = None
    tokens_out: int | None = None
    latency_ms: int | None = None


@dataclass(slots=True)
class SuggestionRow(SuggestionInput):
    id: int | str = 0
    error_id: int | str = 0
    generated_at: str = ""
    applied_at: str | None = None

    @classmethod
    def from_mapping(cls, row: Mapping[str, Any]) -> SuggestionRow:
        """From a store's row: JSON columns are text in SQLite and decoded already from Postgres."""

        def decoded(value: Any, empty: Any) -> Any:
            if value is None:
                return empty
            return json.loads(value) if isinstance(value, str) else value

        return cls(
            fixer=row["fixer"],
            model_name=row["model_name"],
            suggestion=row["suggestion"],
            edits=decoded(row["edits"], []),
            explanation=row["explanation"],
            confidence=row["confidence"],
            verified=bool(row["verified"]),
            verification=decoded(row["verification"], {}),
            base_hashes=decoded(row["base_hashes"], {}),
            tokens_in=row["tokens_in"],
            tokens_out=row["tokens_out"],
            latency_ms=row["latency_ms"],
            id=row["id"],
            error_id=row["error_id"],
            generated_at=row["generated_at"],
            applied_at=row["applied_at"],
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "error_id": self.error_id,
            "fixer": self.fixer,
            "model_name": self.model_name,
            "confidence": self.confidence,
            "verified": self.verified,
            "explanation": self.explanation,
            "suggestion": self.suggestion,
            "edits": self.edits,
            "verification": self.verification,
            "base_hashes": self.base_hashes,
            "tokens_in": self.tokens_in,
            "tokens_out": self.tokens_out,
            "latency_ms": self.latency_ms,
            "generated_at": self.generated_at,
            "applied_at": self.applied_at,
        }
