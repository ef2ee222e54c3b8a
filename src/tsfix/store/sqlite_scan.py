"""Recording one scan in the embedded store, inside the transaction `SQLiteStore.record_scan` opens.

The scan's errors go into a temporary table `incoming` first; set-based statements then upsert them
by fingerprint, write the history (new, reopened, fixed) and count what changed. An error the
previous scan recorded from an unchanged file arrives as its identity only (`unchanged`): its row is
just seen again.
"""

from __future__ import annotations

import json
import sqlite3
import zlib
from collections.abc import Sequence

from tsfix.records import (
    CLOSED_STATUSES,
    ErrorInput,
    ErrorStatus,
    FixedError,
    RecordedError,
    ScanInput,
    ScanOutcome,
)
from tsfix.store.columns import (
    ERROR_COLUMNS,
    ERROR_CONTENT_COLUMNS,
    JSON_COLUMNS,
    SCAN_COLUMNS,
    as_json_text,
    scan_payload,
)

NEW, FIXED = ErrorStatus.NEW.value, ErrorStatus.FIXED.value
#: `status IN (...)` of the statuses a scan that sees the error again reopens
_CLOSED_SQL = ", ".join(f"'{status}'" for status in CLOSED_STATUSES)
#: the columns of `scans` that a ScanInput fills (its id is the uuid the scan has in a team store)
_SCAN_COLUMNS = ["uuid" if name == "id" else name for name in SCAN_COLUMNS]
_CONTENT = ", ".join(ERROR_CONTENT_COLUMNS)
COUNT_COLUMNS = {
    "errors": "error_count",
    "warnings": "warning_count",
    "files": "file_count",
    "new": "new_count",
    "open": "open_count",
    "reopened": "reopened_count",
    "fixed": "fixed_count",
}


def record_scan_rows(
    conn: sqlite3.Connection, scan: ScanInput, errors: Sequence[ErrorInput], now: str, upload_to: str | None
) -> ScanOutcome:
    """Record a scan on `conn`, in its open transaction; with `upload_to` also keep it for upload."""
    project = scan.project
    scan_id = _insert_scan(conn, scan, now)
    if upload_to is not None:
        blob = zlib.compress(json.dumps(scan_payload(scan, errors), ensure_ascii=False).encode(), 1)
        conn.execute(
            """INSERT OR REPLACE INTO pending_uploads (scan_uuid, remote, payload, created_at)
               VALUES (?, ?, ?, ?)""",
            (scan.id, upload_to, blob, now),
        )
    _load_incoming(conn, errors)
    previous = {
        row[0]: row[1]
        for row in conn.execute(
            """SELECT i.fingerprint, t.status FROM incoming i
               JOIN typescript_errors t ON t.project = ? AND t.fingerprint = i.fingerprint""",
            (project,),
        )
    }
    _complete_vanished_rows(conn, errors, previous)
    _upsert_errors(conn, project, scan_id, now)
    _record_sightings(conn, project, scan_id, now, previous)
    fixed = _mark_fixed(conn, project, scan_id, now) if scan.complete else []
    recorded = _recorded(conn, project, scan_id, errors, previous)
    counts = _counts(errors, recorded, fixed)
    assignments = ", ".join(f"{column} = ?" for column in COUNT_COLUMNS.values())
    conn.execute(
        f"UPDATE scans SET {assignments} WHERE id = ?", (*(counts[k] for k in COUNT_COLUMNS), scan_id)
    )
    conn.execute("DELETE FROM incoming")
    assert scan_id is not None
    return ScanOutcome(scan_id, recorded, fixed, counts)


def _insert_scan(conn: sqlite3.Connection, scan: ScanInput, now: str) -> int | None:
    marks = ", ".join("?" * (len(_SCAN_COLUMNS) + 1))
    return conn.execute(
        f"INSERT INTO scans ({', '.join(_SCAN_COLUMNS)}, created_at) VALUES ({marks})",
        (*(getattr(scan, name) for name in SCAN_COLUMNS), now),
    ).lastrowid


def _content(e: ErrorInput, full: bool = False) -> tuple:
    """An error's columns for `incoming` after its fingerprint; without `full`, only the cheap ones
    (not the message, the snippet and the context JSON)."""
    if not full:
        skipped = ("message", "code_snippet", "context")
        return tuple(None if name in skipped else getattr(e, name) for name in ERROR_CONTENT_COLUMNS)
    return tuple(
        as_json_text(getattr(e, name)) if name in JSON_COLUMNS else getattr(e, name)
        for name in ERROR_CONTENT_COLUMNS
    )


def _load_incoming(conn: sqlite3.Connection, errors: Sequence[ErrorInput]) -> None:
    """This scan's errors into a temporary table. Unchanged ones carry only their identity."""
    types = {"fingerprint": "TEXT NOT NULL UNIQUE", "line": "INTEGER", "col": "INTEGER"}
    columns = ", ".join(f"{name} {types.get(name, 'TEXT')}" for name in ERROR_COLUMNS)
    conn.execute(
        f"CREATE TEMP TABLE IF NOT EXISTS incoming (ord INTEGER PRIMARY KEY, {columns}, unchanged INTEGER NOT NULL)"
    )
    conn.execute("DELETE FROM incoming")
    conn.executemany(
        f"INSERT INTO incoming VALUES ({', '.join('?' * (len(ERROR_COLUMNS) + 2))})",
        (
            (i, e.fingerprint, *_content(e), 1)
            if e.unchanged
            else (i, e.fingerprint, *_content(e, full=True), 0)
            for i, e in enumerate(errors)
        ),
    )


def _complete_vanished_rows(
    conn: sqlite3.Connection, errors: Sequence[ErrorInput], previous: dict[str, str]
) -> None:
    """An unchanged error whose row is gone (deleted meanwhile) is recorded in full after all."""
    gone = [(i, e) for i, e in enumerate(errors) if e.unchanged and e.fingerprint not in previous]
    assignments = ", ".join(f"{name} = ?" for name in ERROR_CONTENT_COLUMNS)
    conn.executemany(
        f"UPDATE incoming SET {assignments}, unchanged = 0 WHERE ord = ?",
        [(*_content(e, full=True), i) for i, e in gone],
    )


def _upsert_errors(conn: sqlite3.Connection, project: str, scan_id: int | None, now: str) -> None:
    updates = ", ".join(f"{name} = excluded.{name}" for name in ERROR_CONTENT_COLUMNS if name != "code")
    conn.execute(
        f"""INSERT INTO typescript_errors (project, fingerprint, {_CONTENT}, status, occurrences,
              first_seen_scan, last_seen_scan, created_at, updated_at)
            SELECT ?, fingerprint, {_CONTENT}, ?, 1, ?, ?, ?, ?
            FROM incoming WHERE unchanged = 0
            ON CONFLICT (project, fingerprint) DO UPDATE SET
              {updates},
              occurrences = typescript_errors.occurrences + 1,
              last_seen_scan = excluded.last_seen_scan, fixed_in_scan = NULL,
              status = CASE WHEN typescript_errors.status IN ({_CLOSED_SQL})
                            THEN ? ELSE typescript_errors.status END,
              updated_at = excluded.updated_at""",
        (project, NEW, scan_id, scan_id, now, now, NEW),
    )
    # unchanged errors: same content as stored, only the sighting is new
    conn.execute(
        f"""UPDATE typescript_errors SET occurrences = occurrences + 1, last_seen_scan = ?,
              fixed_in_scan = NULL, updated_at = ?,
              status = CASE WHEN status IN ({_CLOSED_SQL}) THEN ? ELSE status END
            WHERE project = ? AND fingerprint IN (SELECT fingerprint FROM incoming WHERE unchanged = 1)""",
        (scan_id, now, NEW, project),
    )


def _record_sightings(
    conn: sqlite3.Connection, project: str, scan_id: int | None, now: str, previous: dict[str, str]
) -> None:
    """History: `new` for errors first seen now, `reopened` for ones that were fixed or applied."""
    conn.execute(
        """INSERT INTO error_events (error_id, scan_id, event, from_status, to_status, created_at)
           SELECT t.id, ?, 'new', NULL, ?, ? FROM typescript_errors t
           WHERE t.project = ? AND t.first_seen_scan = ?""",
        (scan_id, NEW, now, project, scan_id),
    )
    conn.executemany(
        """INSERT INTO error_events (error_id, scan_id, event, from_status, to_status, created_at)
           SELECT id, ?, 'reopened', ?, status, ? FROM typescript_errors
           WHERE project = ? AND fingerprint = ?""",
        [
            (scan_id, status, now, project, fingerprint)
            for fingerprint, status in previous.items()
            if status in CLOSED_STATUSES
        ],
    )


def _mark_fixed(conn: sqlite3.Connection, project: str, scan_id: int | None, now: str) -> list[FixedError]:
    """Errors of the project this scan did not see are fixed."""
    conn.execute(
        """INSERT INTO error_events (error_id, scan_id, event, from_status, to_status, created_at)
           SELECT id, ?, 'fixed', status, ?, ? FROM typescript_errors
           WHERE project = ? AND status <> ? AND last_seen_scan <> ?""",
        (scan_id, FIXED, now, project, FIXED, scan_id),
    )
    return [
        FixedError(r["id"], r["fingerprint"], r["file_path"], r["line"], r["code"], r["message"])
        for r in conn.execute(
            """UPDATE typescript_errors SET status = ?, fixed_in_scan = ?, updated_at = ?
               WHERE project = ? AND status <> ? AND last_seen_scan <> ?
               RETURNING id, fingerprint, file_path, line, code, message""",
            (FIXED, scan_id, now, project, FIXED, scan_id),
        ).fetchall()
    ]


def _recorded(
    conn: sqlite3.Connection,
    project: str,
    scan_id: int | None,
    errors: Sequence[ErrorInput],
    previous: dict[str, str],
) -> list[RecordedError]:
    """Each error of the scan with its id, its status now, and how it changed since the previous scan."""
    current = {
        row[1]: (row[0], row[2])
        for row in conn.execute(
            "SELECT id, fingerprint, status FROM typescript_errors WHERE project = ? AND last_seen_scan = ?",
            (project, scan_id),
        )
    }
    recorded = []
    for e in errors:
        error_id, status = current[e.fingerprint]
        before = previous.get(e.fingerprint)
        change = "new" if before is None else "reopened" if before in CLOSED_STATUSES else "open"
        recorded.append(RecordedError(error_id, e.fingerprint, status, change))  # type: ignore[arg-type]
    return recorded


def _counts(
    errors: Sequence[ErrorInput], recorded: Sequence[RecordedError], fixed: Sequence[FixedError]
) -> dict[str, int]:
    return {
        "errors": sum(1 for e in errors if e.category == "error"),
        "warnings": sum(1 for e in errors if e.category != "error"),
        "files": len({e.file_path for e in errors if e.file_path}),
        "new": sum(1 for r in recorded if r.change == "new"),
        "open": sum(1 for r in recorded if r.change == "open"),
        "reopened": sum(1 for r in recorded if r.change == "reopened"),
        "fixed": len(fixed),
    }
