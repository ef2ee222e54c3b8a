"""Undo records and `tsfix undo`.

Before `tsfix apply` replaces a file, it keeps the original under .tsfix/undo/<id>/files/ (a hard
link where possible, so no space is needed) and lists it in the record's manifest with the SHA-256
of the bytes before and after. `tsfix undo` restores the files of the last record that still have
the bytes the apply wrote, keeps any changed since, and marks the suggestions as not applied.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tsfix.errors import StoreReadOnly, TsfixError, UsageError
from tsfix.files import DiskFile, atomic_write, confined, describe_states, hard_link, list_names, restore_copy
from tsfix.project import find_project_root
from tsfix.store import default_store_path, now_iso, open_store

UNDO_DIR = "undo"


@dataclass(slots=True)
class UndoRecord:
    id: str
    folder: Path
    created_at: str
    files: list[dict[str, Any]] = field(default_factory=list)  # path, before, after (sha256), mode
    suggestions: list[dict[str, Any]] = field(default_factory=list)  # id, files

    def save(self) -> None:
        data = {
            "id": self.id,
            "created_at": self.created_at,
            "files": self.files,
            "suggestions": self.suggestions,
        }
        atomic_write(self.folder / "manifest.json", json.dumps(data, indent=1).encode(), 0o644)


def check_undo_writable(root: Path) -> None:
    """StoreReadOnly unless .tsfix/undo/ (or the folder it would be made in) can be written;
    os.access also says no for a read-only mount when tsfix runs as root."""
    folder = root / ".tsfix" / UNDO_DIR
    existing = next(p for p in (folder, folder.parent, root) if p.exists() or p == root)
    if not os.access(existing, os.W_OK | os.X_OK):
        raise StoreReadOnly(
            f"{existing} is read-only: `tsfix apply` keeps the files it replaces there, for `tsfix undo`",
            hint="make .tsfix writable (`tsfix apply --dry-run` and `--patch FILE` write nothing there)",
        )


def start_undo(root: Path) -> UndoRecord:
    stamp = now_iso().replace(":", "").replace("-", "").replace(".", "")
    folder = root / ".tsfix" / UNDO_DIR / stamp
    n = 1
    while folder.exists():
        n += 1
        folder = root / ".tsfix" / UNDO_DIR / f"{stamp}-{n}"
    (folder / "files").mkdir(parents=True)
    return UndoRecord(folder.name, folder, now_iso())


def keep_original(
    record: UndoRecord, file: DiskFile, new_bytes: bytes, source: Path | None = None, *, save: bool = True
) -> None:
    """Keep `file`'s original bytes in the undo record: a hard link to `source` (the file on disk,
    which must still hold those bytes) where one can be made, since that needs no space, else a
    synced copy."""
    backup = record.folder / "files" / file.path
    backup.parent.mkdir(parents=True, exist_ok=True)
    if source is None or not hard_link(source, backup):
        with open(backup, "wb") as handle:
            handle.write(file.raw)
            handle.flush()
            os.fsync(handle.fileno())
    record.files.append(
        {
            "path": file.path,
            "before": file.sha256,
            "after": hashlib.sha256(new_bytes).hexdigest(),
            "mode": file.mode,
        }
    )
    if save:
        record.save()


MANIFEST, UNDONE_MANIFEST = "manifest.json", "manifest.undone.json"


def last_undo(root: Path) -> UndoRecord | None:
    folder = root / ".tsfix" / UNDO_DIR
    if not folder.is_dir():
        return None
    for candidate in sorted((p for p in folder.iterdir() if (p / MANIFEST).is_file()), reverse=True):
        data = json.loads((candidate / MANIFEST).read_text())
        if not data.get("undone"):
            return UndoRecord(
                data["id"], candidate, data["created_at"], data["files"], data.get("suggestions", [])
            )
    return None


@dataclass(slots=True)
class UndoResult:
    record: UndoRecord | None
    restored: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


class UndoFailed(TsfixError):
    """`tsfix undo` could not put every file back; the message says which files are in which state."""


def undo_last(root: Path, mark: Callable[[Sequence[Any]], None] | None = None) -> UndoResult:
    """Restore the files of the last apply, except any changed since (those are reported and kept).

    Restoring is a rename of a hard link to the kept copy, so it works on a full disk. The record is
    marked undone last, after the store: whatever fails, running `tsfix undo` again finishes the job
    (a file already as it was before the apply counts as restored)."""
    record = last_undo(root)
    if record is None:
        raise UsageError("nothing to undo: " + _why_nothing_to_undo(root), hint=UNDO_HINT)
    result = UndoResult(record)
    for entry in record.files:
        _undo_file(root, record, entry, result)
    restored = set(result.restored)
    taken_back = [s["id"] for s in record.suggestions if set(s["files"]) <= restored]
    if mark is not None and taken_back:
        try:
            mark(taken_back)
        except TsfixError as exc:
            raise UndoFailed(
                f"the files are restored ({list_names(result.restored)}) but the store was not updated: {exc.message}",
                hint="run `tsfix undo` again once the store can be written"
                + (f" ({exc.hint})" if exc.hint else ""),
            ) from None
    _mark_undone(record, result)
    return result


UNDO_HINT = "`tsfix apply` keeps what it replaces in .tsfix/undo/"


def _why_nothing_to_undo(root: Path) -> str:
    folder = root / ".tsfix" / UNDO_DIR
    undone = folder.is_dir() and any(
        (p / MANIFEST).is_file() or (p / UNDONE_MANIFEST).is_file() for p in folder.iterdir()
    )
    return "every recorded apply is undone already" if undone else "no apply is recorded"


def _undo_file(root: Path, record: UndoRecord, entry: dict[str, Any], result: UndoResult) -> None:
    path = entry["path"]
    target = confined(root, path)
    try:
        current = target.read_bytes() if target.exists() else None
        digest = hashlib.sha256(current).hexdigest() if current is not None else None
        if digest == entry["before"]:  # already as before (an apply that failed part-way put it back)
            result.restored.append(path)
            return
        if digest != entry["after"]:
            result.refused.append((path, "changed since the apply: kept as it is"))
            return
        restore_copy(record.folder / "files" / path, target, entry["mode"])
    except OSError as exc:
        left = [e["path"] for e in record.files if e["path"] not in result.restored]
        raise UndoFailed(
            f"could not restore {path}: {exc.strerror}; "
            + describe_states({"restored": result.restored, "not restored": left}),
            hint=f"fix that and run `tsfix undo` again: the originals stay in .tsfix/undo/{record.id}",
        ) from None
    result.restored.append(path)


def _mark_undone(record: UndoRecord, result: UndoResult) -> None:
    """Mark the record undone; where the manifest cannot be rewritten (a full disk), rename it."""
    manifest = record.folder / MANIFEST
    data = json.loads(manifest.read_text())
    data["undone"] = now_iso()
    data["refused"] = [p for p, _ in result.refused]
    try:
        atomic_write(manifest, json.dumps(data, indent=1).encode(), 0o644)
    except OSError:
        try:
            os.replace(manifest, record.folder / UNDONE_MANIFEST)
        except OSError as exc:
            raise UndoFailed(
                f"the files are restored ({list_names(result.restored)}) but .tsfix/undo/{record.id} "
                f"could not be marked undone: {exc.strerror}",
                hint=f"delete .tsfix/undo/{record.id} by hand, or a later `tsfix undo` tries it again",
            ) from None


def undo_apply(path: Path, store_url: str | None = None) -> UndoResult:
    """`tsfix undo`: restore the last apply's files and mark its suggestions as not applied."""
    root = find_project_root(path)
    check_undo_writable(root)  # before restoring anything: the record must be marked undone
    if store_url is not None or default_store_path(root).is_file():
        with open_store(store_url, root, create=False) as store:
            store.check_writable()

    def mark(ids: Sequence[Any]) -> None:
        with open_store(store_url, root, create=False) as store:
            store.mark_applied(ids, applied=False)

    return undo_last(root, mark)
