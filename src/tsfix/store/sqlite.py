"""The embedded store: one SQLite file, by default `<project>/.tsfix/tsfix.db`.

Writes are single transactions started with BEGIN IMMEDIATE: two scans at once on one store
serialise (the second waits for the lock, up to `busy_timeout`), and an interrupted scan rolls back
and leaves the previous state as it was. Every open applies the pending migrations of
sqlite_migrations/ (SQLITE_MIGRATIONS, with this store as the MigrationTarget). Recording a scan
lives in sqlite_scan.py. Besides `Store`, this backend is the upload journal of team scans.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import zlib
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from pathlib import Path
from typing import Any

from tsfix.errors import StoreBusy, StoreError, StoreFull, StoreReadOnly, StoreTooNew, UsageError
from tsfix.ids import MAX_SQLITE_INT, local_id
from tsfix.records import (
    SUGGESTABLE_STATUSES,
    ErrorEvent,
    ErrorInput,
    ErrorRow,
    ErrorStatus,
    ScanInput,
    ScanOutcome,
    SuggestionInput,
    SuggestionRow,
)
from tsfix.redact import scrub
from tsfix.store import STORE_DIR, STORE_FILE
from tsfix.store.columns import (
    ERROR_COLUMNS,
    JSON_COLUMNS,
    SUGGESTION_COLUMNS,
    as_json_text,
    error_input,
    now_iso,
)
from tsfix.store.interface import MigratedOnOpen, PendingUpload, UploadJournal
from tsfix.store.migrations import SQLITE_MIGRATIONS
from tsfix.store.sqlite_scan import record_scan_rows

BUSY_TIMEOUT_MS = 60_000
_GITIGNORE = "# tsfix's local store and caches; not for version control\n*\n"
READ_ONLY_HINT = (
    "tsfix records every scan, suggestion and apply: point --store (or TSFIX_STORE) at a writable place, "
    "e.g. --store sqlite:///tmp/tsfix.db"
)


def _is_locked(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _nearly_full(folder: Path) -> bool:
    """Whether the file system holding `folder` has (almost) no space left: SQLite reports a full disk
    as an I/O error when it cannot grow its shared-memory file."""
    try:
        info = os.statvfs(folder)
    except OSError:
        return False
    return info.f_bavail * info.f_frsize < 256 * 1024


class SQLiteStore(UploadJournal, MigratedOnOpen):
    """The embedded store; also the upload journal of team scans, and migrated whenever it opens."""

    def __init__(self, path: Path, *, create: bool = True, busy_timeout_ms: int = BUSY_TIMEOUT_MS) -> None:
        self.path = path
        self.busy_timeout_ms = busy_timeout_ms
        self.display_url = f"sqlite://{path}"
        if not create and not path.exists():
            raise StoreError(f"no tsfix store at {path}", hint="run `tsfix scan` first (or pass --store)")
        if create:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(
                    f"cannot create {path.parent}: {exc.strerror}",
                    hint="point --store at a writable place, e.g. --store sqlite:///tmp/tsfix.db",
                ) from None
        try:
            self.conn = sqlite3.connect(path, timeout=busy_timeout_ms / 1000, isolation_level=None)
            self.conn.row_factory = sqlite3.Row
            self.conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            self.conn.execute("PRAGMA foreign_keys = ON")
            self._set_journal_mode()
            self.migrated = self.migrate()  # what this open applied
            if create:  # opened to record: say now, before any work, when it cannot be written
                self.check_writable()
        except (StoreTooNew, StoreReadOnly):
            self.close()
            raise
        except sqlite3.OperationalError as exc:
            raise self._failure(
                exc,
                "open",
                "is the folder writable? --store sqlite:///elsewhere/tsfix.db puts the store elsewhere",
            ) from None
        except sqlite3.DatabaseError as exc:
            raise StoreError(
                f"{path} is not a tsfix store: {exc}",
                hint="move the file aside, or pass --store with another path",
            ) from None

    @classmethod
    def open_journal(cls, root: Path) -> SQLiteStore:
        """The local store that scans for a team store go through first.

        Normally the project's own store; when the project folder is read-only, one in the user's
        cache (~/.cache/tsfix/projects/<hash of the root>/) so the scan is still kept.
        """
        try:
            return cls.open_default(root)
        except StoreTooNew:
            raise  # the project's store is readable, just not by this tsfix: no silent second journal
        except StoreError:
            cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
            folder = (
                cache / "tsfix" / "projects" / hashlib.sha256(str(root.resolve()).encode()).hexdigest()[:16]
            )
            return cls(folder / STORE_FILE)

    @classmethod
    def open_default(cls, root: Path, *, create: bool = True) -> SQLiteStore:
        """The project's own store, `<root>/.tsfix/tsfix.db`, with a .gitignore beside it."""
        folder = root / STORE_DIR
        if create and not folder.exists():
            try:
                folder.mkdir(parents=True)
                (folder / ".gitignore").write_text(_GITIGNORE, encoding="utf-8")
            except OSError as exc:
                raise StoreError(
                    f"cannot create {folder}: {exc.strerror}",
                    hint="the project folder is not writable: point --store elsewhere, "
                    "e.g. --store sqlite:///tmp/tsfix.db",
                ) from None
        return cls(folder / STORE_FILE, create=create)

    def _set_journal_mode(self) -> None:
        # WAL lets `list`/`show` read while a scan writes. It needs shared memory beside the file; on
        # file systems without it SQLite keeps its rollback journal, which is still transactional.
        try:
            mode = self.conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        except sqlite3.OperationalError as exc:
            if _is_locked(exc):
                raise
            return
        if str(mode).lower() == "wal":
            # SQLite's recommended setting with WAL: commits stay atomic and the file consistent; a
            # power cut may lose the last commit, never corrupt or half-write one.
            self.conn.execute("PRAGMA synchronous = NORMAL")

    def _failure(self, exc: sqlite3.OperationalError, doing: str, hint: str) -> StoreError:
        """The error to raise for a failed SQLite operation: busy when another process holds the lock."""
        if _is_locked(exc):
            return StoreBusy(
                f"the store {self.display_url} stayed locked by another tsfix process for "
                f"{self.busy_timeout_ms / 1000:g} s",
                hint="wait for the other scan to finish, then run again",
            )
        name = getattr(exc, "sqlite_errorname", "")
        if name == "SQLITE_FULL" or (name.startswith("SQLITE_IOERR") and _nearly_full(self.path.parent)):
            return StoreFull(
                f"the disk holding {self.path.parent} is full: cannot {doing} the store "
                f"{self.display_url} ({exc}); nothing of this run was recorded, what it held is kept",
                hint="free some space there and run again, or point --store at another disk",
            )
        if name.startswith("SQLITE_READONLY") or (
            name.startswith(("SQLITE_CANTOPEN", "SQLITE_IOERR")) and not self._writable()
        ):
            return StoreReadOnly(f"the store {self.display_url} is read-only ({exc})", hint=READ_ONLY_HINT)
        return StoreError(f"cannot {doing} the store {self.display_url}: {exc}", hint=hint)

    def _writable(self) -> bool:
        """Whether the file and its folder (where SQLite keeps its journal) can be written; os.access
        also says no for a read-only file system when tsfix runs as root."""
        folder_ok = os.access(self.path.parent, os.W_OK | os.X_OK)
        return folder_ok and (not self.path.exists() or os.access(self.path, os.W_OK))

    def check_writable(self) -> None:
        """Fail now, not after the work, when a write would fail: a write transaction that changes
        nothing still makes SQLite open the file for writing. It does not wait for the lock: a store
        another run is writing is writable, and this run waits when it writes."""
        self.conn.execute("PRAGMA busy_timeout = 0")
        try:
            with self._write() as conn:
                conn.execute("UPDATE tsfix_migrations SET name = name WHERE 0")
        except StoreBusy:
            pass
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout_ms)}")

    def close(self) -> None:
        conn = getattr(self, "conn", None)
        if conn is not None:
            conn.close()
            self.conn = None  # type: ignore[assignment]

    # ------------------------------------------------------------------ transactions and migrations

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: BEGIN IMMEDIATE ... COMMIT, rolled back on any exception."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise self._failure(exc, "write", "is it writable?") from None
        try:
            yield self.conn
            self.conn.execute("COMMIT")
        except BaseException as exc:
            # SQLite itself rolls back after some failures (a full disk): a second ROLLBACK would fail
            # with "no transaction is active" and hide the real error
            if self.conn.in_transaction:
                with suppress(sqlite3.Error):
                    self.conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.OperationalError):
                raise self._failure(exc, "write", "is it writable?") from exc
            raise

    def applied_migrations(self) -> list[str]:
        return self.recorded()

    def migrate(self) -> list[str]:
        """Apply pending migrations, each in its own transaction; return the names applied.

        Every open comes through here, so this is where a store written by a newer tsfix (one with a
        migration this version does not ship) is refused, before anything is read or written.
        """
        return SQLITE_MIGRATIONS.apply(self)

    # the MigrationTarget the migrations runner applies SQLITE_MIGRATIONS with

    def recorded(self) -> list[str]:
        self.conn.execute(
            "CREATE TABLE IF NOT EXISTS tsfix_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)"
        )
        return [row[0] for row in self.conn.execute("SELECT name FROM tsfix_migrations ORDER BY name")]

    def step(self, name: str) -> AbstractContextManager[object]:
        return self._write()

    def run(self, name: str, sql: str) -> None:
        for statement in _statements(sql):
            self.conn.execute(statement)
        self.conn.execute("INSERT INTO tsfix_migrations (name, applied_at) VALUES (?, ?)", (name, now_iso()))

    # ------------------------------------------------------------------ scans

    def record_scan(
        self, scan: ScanInput, errors: Sequence[ErrorInput], *, upload_to: str | None = None
    ) -> ScanOutcome:
        """Record a scan; with `upload_to` (a remote store's key) also keep it for upload, atomically."""
        try:
            with self._write() as conn:
                return record_scan_rows(conn, scan, errors, now_iso(), upload_to)
        except sqlite3.IntegrityError as exc:
            raise StoreError(
                f"the store rejected this scan: {exc}", hint="TSFIX_DEBUG=1 shows details"
            ) from None
        except sqlite3.OperationalError as exc:
            raise self._failure(exc, "write", "is it writable?") from None

    # ------------------------------------------------------------------ uploads to a team store

    def pending_uploads(self, remote: str) -> list[PendingUpload]:
        """Scans waiting for `remote`, oldest first."""
        return [
            PendingUpload(
                r["scan_uuid"],
                json.loads(zlib.decompress(r["payload"])),
                r["created_at"],
                r["attempts"],
                r["last_error"],
            )
            for r in self.conn.execute(
                "SELECT * FROM pending_uploads WHERE remote = ? ORDER BY created_at, rowid", (remote,)
            )
        ]

    def pending_remotes(self) -> list[tuple[str, int]]:
        """(remote, scans waiting) for every remote that has scans waiting."""
        return [
            (r[0], r[1])
            for r in self.conn.execute(
                "SELECT remote, count(*) FROM pending_uploads GROUP BY remote ORDER BY remote"
            )
        ]

    def mark_uploaded(self, scan_uuid: str, remote: str) -> None:
        with self._write() as conn:
            conn.execute(
                "DELETE FROM pending_uploads WHERE scan_uuid = ? AND remote = ?", (scan_uuid, remote)
            )

    def note_upload_failure(self, scan_uuid: str, remote: str, message: str) -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE pending_uploads SET attempts = attempts + 1, last_error = ? WHERE scan_uuid = ? AND remote = ?",
                (scrub(message), scan_uuid, remote),
            )

    # ------------------------------------------------------------------ suggestions

    def record_suggestions(
        self,
        error_id: int | str,
        suggestions: Sequence[SuggestionInput],
        note: str | None = None,
        tier: int = 1,
    ) -> list[int | str]:
        now = now_iso()
        key = int(error_id)
        ids: list[int | str] = []
        with self._write() as conn:
            row = conn.execute("SELECT status FROM typescript_errors WHERE id = ?", (key,)).fetchone()
            if row is None:
                raise UsageError(f"no error with id {key}", hint="`tsfix list` shows the ids")
            status = row["status"]
            conn.execute("DELETE FROM ai_suggestions WHERE error_id = ? AND applied_at IS NULL", (key,))
            for s in suggestions:
                cursor = conn.execute(_INSERT_SUGGESTION, (key, *_suggestion_values(s), now))
                assert cursor.lastrowid is not None
                ids.append(cursor.lastrowid)
            suggested = suggestions and status in SUGGESTABLE_STATUSES
            new_status = ErrorStatus.AI_SUGGESTED.value if suggested else status
            conn.execute(
                "UPDATE typescript_errors SET suggest_tier = max(suggest_tier, ?) WHERE id = ?", (tier, key)
            )
            if new_status != status:
                conn.execute(
                    "UPDATE typescript_errors SET status = ?, updated_at = ? WHERE id = ?",
                    (new_status, now, key),
                )
            if new_status != status or note:
                conn.execute(
                    """INSERT INTO error_events (error_id, scan_id, event, from_status, to_status, detail, created_at)
                       VALUES (?, NULL, 'status', ?, ?, ?, ?)""",
                    (key, status, new_status, note, now),
                )
        return ids

    def suggestions(self, error_id: int | str) -> list[SuggestionRow]:
        return [
            SuggestionRow.from_mapping(r)
            for r in self.conn.execute(
                "SELECT * FROM ai_suggestions WHERE error_id = ? ORDER BY confidence DESC, id",
                (int(error_id),),
            )
        ]

    def suggestions_for(self, error_ids: Sequence[int | str]) -> dict[int | str, list[SuggestionRow]]:
        found: dict[int | str, list[SuggestionRow]] = {int(i): [] for i in error_ids}
        keys = list(found)
        for n in range(0, len(keys), 500):
            chunk = keys[n : n + 500]
            for r in self.conn.execute(
                f"SELECT * FROM ai_suggestions WHERE error_id IN ({','.join('?' * len(chunk))})"
                " ORDER BY confidence DESC, id",
                chunk,
            ):
                found[r["error_id"]].append(SuggestionRow.from_mapping(r))
        return found

    def get_suggestion(self, suggestion_id: str) -> SuggestionRow:
        text = str(suggestion_id).strip()
        key = local_id(text[1:] if text[:1] in ("s", "S") else text)
        if key is None:
            raise UsageError(
                f"{suggestion_id!r} is not a suggestion id",
                hint="suggestion ids are s + a number (s12); `tsfix show ERROR_ID` lists them",
            )
        row = self._by_id("ai_suggestions", key)
        if row is None:
            raise UsageError(
                f"no suggestion s{key} in {self.display_url}",
                hint="`tsfix show ERROR_ID` lists an error's suggestions",
            )
        return SuggestionRow.from_mapping(row)

    def mark_applied(self, suggestion_ids: Sequence[int | str], applied: bool = True) -> int:
        now = now_iso()
        count = 0
        with self._write() as conn:
            for sid in suggestion_ids:
                row = conn.execute(
                    """SELECT s.id, s.error_id, e.status FROM ai_suggestions s
                       JOIN typescript_errors e ON e.id = s.error_id WHERE s.id = ?""",
                    (int(sid),),
                ).fetchone()
                if row is None:
                    continue
                conn.execute(
                    "UPDATE ai_suggestions SET applied_at = ? WHERE id = ?",
                    (now if applied else None, row["id"]),
                )
                status = row["status"]
                if applied and status in SUGGESTABLE_STATUSES:
                    new_status = ErrorStatus.APPLIED.value
                elif not applied and status == ErrorStatus.APPLIED:
                    new_status = ErrorStatus.AI_SUGGESTED.value
                else:
                    new_status = status
                if new_status != status:
                    conn.execute(
                        "UPDATE typescript_errors SET status = ?, updated_at = ? WHERE id = ?",
                        (new_status, now, row["error_id"]),
                    )
                detail = (
                    f"suggestion s{row['id']} applied"
                    if applied
                    else f"apply of suggestion s{row['id']} undone"
                )
                conn.execute(
                    """INSERT INTO error_events (error_id, scan_id, event, from_status, to_status, detail, created_at)
                       VALUES (?, NULL, 'status', ?, ?, ?, ?)""",
                    (row["error_id"], status, new_status, detail, now),
                )
                count += 1
        return count

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
        where: list[str] = []
        params: list[Any] = []
        if project is not None:
            where.append("project = ?")
            params.append(project)
        if statuses:
            where.append(f"status IN ({', '.join('?' * len(statuses))})")
            params.extend(statuses)
        if codes:
            where.append(f"code IN ({', '.join('?' * len(codes))})")
            params.extend(codes)
        if files:
            clauses = []
            for f in files:
                clauses.append("(file_path = ? OR substr(file_path, 1, ?) = ?)")
                prefix = f.rstrip("/") + "/"
                params.extend([f, len(prefix), prefix])
            where.append("(" + " OR ".join(clauses) + ")")
        sql = "SELECT * FROM typescript_errors"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY file_path IS NULL, file_path, line, col, id"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [_error_row(row) for row in self.conn.execute(sql, params)]

    def get_error(self, error_id: str) -> ErrorRow:
        key = local_id(str(error_id))
        if key is None:
            raise UsageError(
                f"{error_id!r} is not an error id", hint="ids are numbers; `tsfix list` shows them"
            )
        row = self._by_id("typescript_errors", key)
        if row is None:
            raise UsageError(
                f"no error with id {key} in {self.display_url}",
                hint="`tsfix list --status all` shows every id",
            )
        return _error_row(row)

    def _by_id(self, table: str, key: int) -> Any:
        """The row (sqlite3.Row) of `table` with id `key`, or None; a key too large to bind has no row."""
        if key > MAX_SQLITE_INT:
            return None
        return self.conn.execute(f"SELECT * FROM {table} WHERE id = ?", (key,)).fetchone()

    def error_history(self, error_id: int | str) -> list[ErrorEvent]:
        return [
            ErrorEvent(
                r["scan_id"], r["event"], r["from_status"], r["to_status"], r["created_at"], r["detail"]
            )
            for r in self.conn.execute(
                "SELECT * FROM error_events WHERE error_id = ? ORDER BY id", (int(error_id),)
            )
        ]

    def previous_errors(self, project: str) -> list[ErrorInput]:
        rows = self.conn.execute(
            f"""SELECT {", ".join(ERROR_COLUMNS)} FROM typescript_errors
               WHERE project = ? AND status <> ? AND file_path IS NOT NULL""",
            (project, ErrorStatus.FIXED.value),
        )
        return [error_input(_decoded(r)) for r in rows]

    def latest_scan(self, project: str | None = None) -> dict[str, Any] | None:
        if project is None:
            row = self.conn.execute("SELECT * FROM scans ORDER BY id DESC LIMIT 1").fetchone()
        else:
            row = self.conn.execute(
                "SELECT * FROM scans WHERE project = ? ORDER BY id DESC LIMIT 1", (project,)
            ).fetchone()
        return dict(row) if row is not None else None

    def schema(self) -> dict[str, list[str]]:
        """Table -> column names, for tests that compare the logical schema across backends."""
        tables = [
            r[0]
            for r in self.conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        return {t: [c[1] for c in self.conn.execute(f"PRAGMA table_info({t})")] for t in tables}


_INSERT_SUGGESTION = (
    f"INSERT INTO ai_suggestions (error_id, {', '.join(SUGGESTION_COLUMNS)}, generated_at)"
    f" VALUES ({', '.join('?' * (len(SUGGESTION_COLUMNS) + 2))})"
)


def _suggestion_values(s: SuggestionInput) -> tuple[Any, ...]:
    """A suggestion's columns as SQLite keeps them: JSON as text, booleans as 0/1."""
    return tuple(
        as_json_text(getattr(s, name)) if name in JSON_COLUMNS else getattr(s, name)
        for name in SUGGESTION_COLUMNS
    )


def _decoded(row: sqlite3.Row) -> dict[str, Any]:
    """A row with its JSON columns decoded (empty text reads as none)."""
    found = dict(row)
    for name in JSON_COLUMNS & found.keys():
        found[name] = json.loads(found[name]) if found[name] else None
    return found


def _error_row(row: sqlite3.Row) -> ErrorRow:
    return ErrorRow.from_mapping(_decoded(row))


def _statements(sql: str) -> list[str]:
    """Split a migration script into statements, with SQLite's own notion of a complete statement."""
    statements: list[str] = []
    buffer = ""
    for line in sql.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if any(line.strip() and not line.strip().startswith("--") for line in buffer.splitlines()):
        statements.append(buffer.strip())
    return statements
