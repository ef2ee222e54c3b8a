"""Helpers for store tests: build scans and errors, and snapshot a store's visible state."""

from __future__ import annotations

from tsfix.records import ErrorInput, ScanInput
from tsfix.store import Store


def scan_input(project: str = "acme/web", complete: bool = True, **overrides: object) -> ScanInput:
    fields: dict[str, object] = {
        "project": project,
        "project_root": "/work/web",
        "tsconfig": "tsconfig.json",
        "typescript_version": "5.9.3",
        "started_at": "2026-11-21T10:00:00.000Z",
        "duration_ms": 1200,
        "tsc_ms": 1100,
        "tsc_exit_code": 2,
        "git_commit": "0123456789abcdef0123456789abcdef01234567",
        "git_branch": "main",
        "tsfix_version": "test",
        "complete": complete,
    }
    fields.update(overrides)
    return ScanInput(**fields)  # type: ignore[arg-type]


def error_input(
    fingerprint: str,
    file_path: str | None = "src/a.ts",
    line: int | None = 1,
    code: str = "TS2322",
    message: str = "Type 'string' is not assignable to type 'number'.",
    category: str = "error",
) -> ErrorInput:
    return ErrorInput(
        fingerprint=fingerprint,
        file_path=file_path,
        line=line,
        col=5 if line else None,
        code=code,
        category=category,
        message=message,
        code_snippet="const n: number = 'x';" if file_path else None,
        context={"kind": "variable", "name": "n", "symbol_path": "n"} if file_path else None,
        file_hash="ab" * 32 if file_path else None,
    )


def snapshot(store: Store, project: str | None = None) -> list[tuple]:
    """Everything `list` can see, as comparable tuples."""
    return [
        (
            r.fingerprint,
            r.status,
            r.file_path,
            r.line,
            r.code,
            r.occurrences,
            r.last_seen_scan,
            r.fixed_in_scan,
        )
        for r in store.list_errors(project=project)
    ]
