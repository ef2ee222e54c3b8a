"""`tsfix apply` and `tsfix undo`: suggestions become edits on disk, without ever clobbering a user's work.

- Every suggestion remembers the SHA-256 of each file it was made against. A file that still has
  those bytes gets the structured edits as they are; a file changed since gets each hunk of the
  suggestion's diff re-located by its context (as `patch` does, with an offset and fuzz, reported),
  or the fix is skipped with a message — the user's change always survives.
- Several fixes in a file go together; overlapping ones give way to the more confident (tsfix.patch),
  fixes that touch several files are all-or-nothing, and the combination is verified by the compiler
  before anything is written (tsfix.patch.verify_together).
- Fixes edit only source files of the program tsc checks (tsfix.project.ProgramSources): never
  configuration, lockfiles, node_modules, .git, .tsfix or anything outside the project root (`..`,
  absolute paths and symlinks leading out are refused). A file that is a symbolic link to another
  source file of the project is written where it points; the link stays a link.
- Writes are all or nothing, even on a full disk (write_all): every new file is written and synced
  beside its target and every original is kept under .tsfix/undo/ before the first rename; going
  back is a rename too, so it needs no free space. Files keep their mode, encoding, byte-order mark
  and line endings.
- Afterwards the touched files are re-checked; a file with a new error is rolled back and said so.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import os
import re
import secrets
import shutil
import stat
import tempfile
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from tsfix.edits import (
    Position,
    TextEdit,
    apply_edits,
    diff_lines,
    diff_path,
    edits_by_file,
    line_starts,
    position_of,
    source_encoding,
    unified_diff,
)
from tsfix.errors import ExitCode, StoreReadOnly, TsfixError, UsageError
from tsfix.langserver import LanguageService, LanguageServiceError, LsDiagnostic
from tsfix.models import ErrorRow, SuggestionRow
from tsfix.patch import Plan, plan, verify_together
from tsfix.progress import Progress, quiet
from tsfix.project import ProgramSources, git_facts, project_key
from tsfix.store import Store, default_store_path, open_store
from tsfix.store.sqlite import now_iso
from tsfix.tsc import TscInfo, TscProcess, check_run, find_tsc, find_tsconfig, tsc_arguments
from tsfix.tsc_output import ProjectFiles, parse_tsc_output
from tsfix.verify import ImportGraph, Verifier

UNDO_DIR = "undo"


class ApplyRefused(TsfixError):
    """A file tsfix will not write (outside the project, read-only, not text)."""


# ----------------------------------------------------------------------------- paths and files


def confined(root: Path, rel: str) -> Path:
    """The absolute path of `rel` inside `root`; refuses absolute paths, `..` and symlinks leading out."""
    posix = PurePosixPath(rel)
    if posix.is_absolute() or re.match(r"^[A-Za-z]:[\\/]", rel) or ".." in posix.parts:
        raise ApplyRefused(
            f"refused to write {rel}: it is outside the project",
            hint="edits may only touch files under the project root",
        )
    target = root / rel
    real_root = root.resolve()
    try:
        target.resolve().relative_to(real_root)
    except ValueError:
        raise ApplyRefused(
            f"refused to write {rel}: it leads outside the project (a symbolic link?)",
            hint="edits may only touch files under the project root",
        ) from None
    return target


@dataclass(slots=True)
class DiskFile:
    """A file's bytes and how to turn text back into the same kind of bytes."""

    path: str
    raw: bytes
    text: str  # without the byte-order mark
    bom: bytes
    encoding: str
    newline: str
    mode: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()

    @classmethod
    def read(cls, root: Path, path: str) -> DiskFile:
        target = confined(root, path)
        raw = target.read_bytes()
        mode = stat.S_IMODE(target.stat().st_mode)
        bom, encoding = source_encoding(raw)
        try:
            text = raw[len(bom) :].decode(encoding)
        except UnicodeDecodeError:
            raise ApplyRefused(
                f"{path} is not valid {encoding}: tsfix will not rewrite it", hint="fix it by hand"
            ) from None
        crlf = text.count("\r\n")
        newline = "\r\n" if crlf and crlf >= text.count("\n") - crlf else "\n"
        return cls(path, raw, text, bom, encoding, newline, mode)

    def encode(self, text: str) -> bytes:
        return self.bom + text.encode(self.encoding)

    def with_newlines(self, inserted: str) -> str:
        """Text a fix inserts, with the file's line endings (quick fixes insert LF in CRLF files)."""
        if self.newline == "\r\n":
            return inserted.replace("\r\n", "\n").replace("\n", "\r\n")
        return inserted


def atomic_write(target: Path, data: bytes, mode: int) -> None:
    """Replace `target` with `data` in one step: a temporary file beside it, then a rename."""
    tmp = write_temporary(target, data, mode)
    try:
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_temporary(target: Path, data: bytes, mode: int) -> Path:
    """`data` in a new, synced temporary file beside `target` (same folder, so the same file system:
    renaming it over `target` needs no further space). Nothing is left behind when it fails."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tsfix-tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return Path(tmp)


# Hard links are not supported here (or not allowed): the caller falls back to copying the bytes.
_NO_HARD_LINKS = {errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EACCES}


def hard_link(source: Path, link: Path) -> bool:
    """Make `link` another name of `source`'s bytes (no data is written, so no space is needed);
    False where the file system cannot (another file system, no hard links)."""
    try:
        os.link(source, link)
    except OSError as exc:
        if exc.errno in _NO_HARD_LINKS:
            return False
        raise
    return True


def link_beside(source: Path, beside: Path, suffix: str) -> Path | None:
    """A new hard link to `source`, hidden in `beside`'s folder under `beside`'s name; None where
    links cannot be made."""
    for _ in range(100):
        link = beside.with_name(f".{beside.name}.{secrets.token_hex(4)}{suffix}")
        try:
            return link if hard_link(source, link) else None
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(beside))


def restore_copy(copy: Path, target: Path, mode: int) -> None:
    """Put the bytes of `copy` back at `target` in one rename, without writing them again where a
    hard link can be made (so it works on a full disk); `copy` itself stays."""
    link = link_beside(copy, target, ".tsfix-tmp")
    if link is None:  # another file system: the bytes are written again
        atomic_write(target, copy.read_bytes(), mode)
        return
    try:
        os.chmod(link, mode)
        os.replace(link, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(link)
        raise


# ----------------------------------------------------------------------------- re-locating hunks


@dataclass(slots=True)
class Hunk:
    old_start: int  # 1-based
    old: list[str]  # context and removed lines, with their endings
    new: list[str]  # context and added lines


def parse_hunks(diff: str, path: str) -> list[Hunk]:
    """The hunks of one file in a unified diff tsfix wrote (a/PATH, b/PATH)."""
    hunks: list[Hunk] = []
    current: Hunk | None = None
    in_file = False
    header = diff_path("a/", path)
    for line in diff_lines(diff):
        if line.startswith("--- "):
            in_file = line[4:].rstrip("\r\n") == header
            current = None
            continue
        if not in_file or line.startswith("+++ "):
            continue
        m = re.match(r"^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@", line)
        if m:
            current = Hunk(int(m.group(1)), [], [])
            hunks.append(current)
        elif current is not None and line[:1] in (" ", "-", "+"):
            body = line[1:]
            if line[0] in (" ", "-"):
                current.old.append(body)
            if line[0] in (" ", "+"):
                current.new.append(body)
        elif current is not None and line.startswith("\\"):
            for side in (current.old, current.new):  # "\ No newline at end of file" applies to the last line
                if side and side[-1].endswith("\n"):
                    side[-1] = side[-1][:-1]
    return hunks


def _find(lines: list[str], wanted: list[str], near: int) -> int | None:
    """Start index of `wanted` in `lines`, nearest to `near`."""
    if not wanted:
        return None
    hits = [i for i in range(len(lines) - len(wanted) + 1) if lines[i : i + len(wanted)] == wanted]
    return min(hits, key=lambda i: abs(i - near)) if hits else None


def relocate(text: str, hunks: Sequence[Hunk], max_fuzz: int = 2) -> tuple[str, list[str]] | None:
    """Apply hunks to a text that changed since the diff was made; None when a hunk cannot be placed.

    Each hunk is looked for at its line, then anywhere (an offset); if it is not found, up to
    `max_fuzz` context lines at each end are ignored (fuzz). Notes say what was needed.
    """
    lines = diff_lines(text)
    notes: list[str] = []
    shift = 0
    for hunk in hunks:
        lead = _leading_context(hunk)
        trail = _trailing_context(hunk)
        placed = None
        for fuzz in range(max_fuzz + 1):
            cut_lead, cut_trail = min(fuzz, lead), min(fuzz, trail)
            old = hunk.old[cut_lead : len(hunk.old) - cut_trail]
            new = hunk.new[cut_lead : len(hunk.new) - cut_trail]
            at = _find(lines, old, hunk.old_start - 1 + cut_lead + shift)
            if at is not None:
                placed = (at, old, new, fuzz)
                break
        if placed is None:
            return None
        at, old, new, fuzz = placed
        offset = at - (hunk.old_start - 1 + min(fuzz, lead)) - shift
        if offset or fuzz:
            notes.append(
                f"hunk at line {hunk.old_start} placed"
                + (f" {offset:+d} lines away" if offset else "")
                + (f" with fuzz {fuzz}" if fuzz else "")
            )
        lines[at : at + len(old)] = new
        shift += len(new) - len(old) + offset
    return "".join(lines), notes


def _leading_context(h: Hunk) -> int:
    n = 0
    for a, b in zip(h.old, h.new, strict=False):
        if a != b:
            break
        n += 1
    return n


def _trailing_context(h: Hunk) -> int:
    n = 0
    for a, b in zip(reversed(h.old), reversed(h.new), strict=False):
        if a != b:
            break
        n += 1
    return n


# ----------------------------------------------------------------------------- undo records


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
                f"the files are restored ({_names(result.restored)}) but the store was not updated: {exc.message}",
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
            + _states({"restored": result.restored, "not restored": left}),
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
                f"the files are restored ({_names(result.restored)}) but .tsfix/undo/{record.id} "
                f"could not be marked undone: {exc.strerror}",
                hint=f"delete .tsfix/undo/{record.id} by hand, or a later `tsfix undo` tries it again",
            ) from None


def _names(paths: Sequence[str], limit: int = 20) -> str:
    shown = ", ".join(paths[:limit])
    return shown + (f" and {len(paths) - limit} more" if len(paths) > limit else "") if paths else "none"


def _states(groups: Mapping[str, Sequence[str]]) -> str:
    """`new: a.ts, b.ts; old: c.ts` — each file under the state it is in (empty states left out)."""
    return "; ".join(f"{state}: {_names(paths)}" for state, paths in groups.items() if paths)


# ----------------------------------------------------------------------------- the command


Answer = str  # y | n | a | q
Confirm = Callable[["Fix", str], Answer]


@dataclass(slots=True)
class ApplyOptions:
    path: Path = field(default_factory=lambda: Path("."))
    project: str | None = None
    tsc: str | None = None
    store: str | None = None
    project_name: str | None = None
    ids: list[str] = field(default_factory=list)
    all: bool = False
    min_confidence: float = 0.0
    fixers: list[str] | None = None
    codes: list[str] | None = None
    files: list[str] | None = None
    include_unverified: bool = False
    dry_run: bool = False
    patch: Path | None = None
    check_with: str = "service"  # service | tsc
    ls_timeout: float = 120.0
    tsc_timeout: float | None = None

    @property
    def writes(self) -> bool:
        return not self.dry_run and self.patch is None


# What happened to each selected fix. `failed` is a fix tsfix could not apply safely (its file changed
# under it, is read-only or gone, or it broke something and was rolled back); `pending` is one left for
# later (a more confident fix overlaps it, it adds nothing once the others are in, the user said no).
APPLIED, PLANNED, PENDING, FAILED = "applied", "planned", "pending", "failed"


@dataclass(slots=True)
class Fix:
    suggestion: SuggestionRow | None  # None: the error has none to apply
    error: ErrorRow
    state: str = PENDING
    reason: str | None = None
    notes: list[str] = field(default_factory=list)  # re-location of hunks
    error_gone: bool | None = None  # after the re-check
    new_errors: list[str] = field(default_factory=list)
    diff: str = ""  # on the files as they are now

    @property
    def files(self) -> list[str]:
        return sorted({e["file"] for e in self.suggestion.edits}) if self.suggestion else []


@dataclass(slots=True)
class ApplyReport:
    fixes: list[Fix]
    mode: str  # apply | dry-run | patch
    diff: str  # what was (or would be) applied, one unified diff
    written: list[str] = field(default_factory=list)
    rolled_back: list[str] = field(default_factory=list)
    patch_path: Path | None = None
    undo_id: str | None = None
    checked_with: str | None = None  # the language service or tsc that re-checked
    problems_before: int | None = None  # errors in the re-checked files
    problems_after: int | None = None
    store_url: str = ""
    warnings: list[str] = field(default_factory=list)

    def count(self, state: str) -> int:
        return sum(1 for f in self.fixes if f.state == state)


def parse_id(value: str) -> tuple[str, str]:
    """`12` is an error, `s34` a suggestion (as `tsfix show` prints them)."""
    v = value.strip()
    if v[:1] in ("s", "S") and len(v) > 1:
        return "suggestion", v[1:]
    return "error", v


def _eligible(s: SuggestionRow, options: ApplyOptions) -> str | None:
    """Why `s` may not be applied under these options, or None."""
    if s.applied_at:
        return "already applied"
    if not s.verified and not options.include_unverified:
        return "not verified by the compiler (--include-unverified to allow it)"
    if s.confidence < options.min_confidence:
        return f"confidence {s.confidence:.2f} is below --min-confidence {options.min_confidence:g}"
    if options.fixers and s.fixer not in options.fixers:
        return f"made by {s.fixer}, not by --fixer {', '.join(options.fixers)}"
    return None


def select_fixes(store: Store, options: ApplyOptions, project: str) -> tuple[list[Fix], list[Fix]]:
    """(the fixes to try, most confident first; the selected errors that have none, with the reason).

    Unknown ids are a usage error before anything happens.
    """
    chosen: list[Fix] = []
    without: list[Fix] = []
    if options.ids:
        errors: list[ErrorRow] = []
        picked: dict[int | str, SuggestionRow] = {}
        for value in options.ids:
            kind, key = parse_id(value)
            if kind == "suggestion":
                s = store.get_suggestion(key)
                error = store.get_error(str(s.error_id))
                picked[error.id] = s
            else:
                error = store.get_error(key)
            if all(e.id != error.id for e in errors):
                errors.append(error)
    else:
        if not (options.all or options.codes or options.files):
            raise UsageError(
                "say which fixes to apply: error or suggestion ids, --all, --code or --file",
                hint="`tsfix list --status ai_suggested` shows errors with suggestions; `tsfix apply --all` applies every verified one",
            )
        errors = store.list_errors(
            project=project, statuses=["new", "ai_suggested"], codes=options.codes, files=options.files
        )
        picked = {}
    by_error = store.suggestions_for([e.id for e in errors]) if errors else {}
    for error in errors:
        if error.id in picked:
            s = picked[error.id]
            why = _eligible(s, options)
            if why is None or (why.startswith("confidence") or why.startswith("made by")):
                chosen.append(Fix(s, error))  # named explicitly: confidence and fixer filters do not apply
            else:
                without.append(Fix(s, error, PENDING, why))
            continue
        candidates = by_error.get(error.id, [])
        eligible = [s for s in candidates if _eligible(s, options) is None]
        if eligible:
            chosen.append(Fix(max(eligible, key=lambda s: s.confidence), error))
        elif options.ids:
            reasons = sorted({r for s in candidates if (r := _eligible(s, options))})
            why = "; ".join(reasons) if reasons else "no suggestion recorded (run `tsfix suggest` first)"
            without.append(Fix(None, error, PENDING, why))
    chosen.sort(key=lambda f: -(f.suggestion.confidence if f.suggestion else 0.0))
    return chosen, without


# ----------------------------------------------------------------------------- fixes against the files as they are now


class Workspace:
    """The files the selected fixes touch, each read once, as they are now."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: dict[str, DiskFile] = {}

    def file(self, path: str) -> DiskFile:
        if path not in self.files:
            self.files[path] = DiskFile.read(self.root, path)
        return self.files[path]

    def text(self, path: str) -> str:
        return self.file(path).text

    def disk_path(self, path: str) -> str:
        """The file `path` names, relative to the root: where a symbolic link inside the project
        points (writing the link's name would replace the link with a regular file)."""
        real = confined(self.root, path).resolve().relative_to(self.root.resolve()).as_posix()
        return path if real == path else real

    def writable(self, path: str) -> bool:
        """Writable, and not marked read-only: tsfix respects a cleared write bit even when it runs as
        root, who could write anyway."""
        target = self.root / path
        marked = self.file(path).mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
        return bool(marked) and os.access(target, os.W_OK) and os.access(target.parent, os.W_OK | os.X_OK)


def _replacement(file: DiskFile, new: str) -> TextEdit | None:
    """One edit that turns the file's text into `new`: the span between their common ends."""
    old = file.text
    if old == new:
        return None
    head = 0
    limit = min(len(old), len(new))
    while head < limit and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < limit - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    starts = line_starts(old)
    return TextEdit(
        file.path,
        position_of(old, head, starts),
        position_of(old, len(old) - tail, starts),
        file.with_newlines(new[head : len(new) - tail]),
    )


def rebase(fix: Fix, ws: Workspace, *, writes: bool, patch: bool) -> None:
    """Point the fix's edits at the files as they are now, or fail it with the reason.

    Unchanged files (same SHA-256 as when the suggestion was made) take the edits as they are;
    changed ones get the suggestion's hunks re-located by their context.
    """
    s = fix.suggestion
    assert s is not None
    edits: list[TextEdit] = []
    for path, file_edits in edits_by_file(TextEdit.from_json(e) for e in s.edits).items():
        try:
            disk = ws.disk_path(path)
            f = ws.file(disk)
        except ApplyRefused as exc:
            fix.state, fix.reason = FAILED, exc.message
            return
        except FileNotFoundError:
            fix.state, fix.reason = FAILED, f"{path} no longer exists"
            return
        except OSError as exc:
            fix.state, fix.reason = FAILED, f"cannot read {path}: {exc.strerror}"
            return
        if writes and not ws.writable(disk):
            fix.state, fix.reason = FAILED, f"{path} is read-only: tsfix leaves it alone"
            return
        if patch and f.encoding != "utf-8":
            fix.state, fix.reason = FAILED, f"{path} is {f.encoding}: a patch cannot express it"
            return
        if s.base_hashes.get(path) == f.sha256:
            edits.extend(TextEdit(disk, e.start, e.end, f.with_newlines(e.new_text)) for e in file_edits)
            continue
        hunks = parse_hunks(s.suggestion, path)
        placed = relocate(f.text, hunks)
        if placed is None and relocate(f.text, [Hunk(h.old_start, h.new, h.old) for h in hunks], 0):
            fix.state, fix.reason = FAILED, f"{path} already has this change"
            return
        if placed is None:
            fix.state = FAILED
            fix.reason = (
                f"{path} changed since the suggestion was made and the fix no longer fits there; "
                "your change is kept (run `tsfix scan` and `tsfix suggest` again)"
            )
            return
        text, notes = placed
        fix.notes.extend(f"{path} changed since the suggestion: {n}" for n in notes)
        if not notes:
            fix.notes.append(f"{path} changed elsewhere since the suggestion; the fix still fits")
        edit = _replacement(f, text)
        if edit is not None:
            edits.append(edit)
    if not edits:
        fix.state, fix.reason = FAILED, "the files already contain this fix"
        return
    fix.suggestion = replace(s, edits=[e.as_json() for e in edits])
    texts = {p: ws.text(p) for p in edits_by_file(edits)}
    fix.diff = unified_diff(texts, {p: apply_edits(t, edits_by_file(edits)[p]) for p, t in texts.items()})


def confine_to_program(fix: Fix, sources: ProgramSources, ws: Workspace) -> None:
    """Fail (refuse) a fix that edits anything but source files of the program tsc checks."""
    for path in fix.files:
        why = _refusal(path, sources, ws)
        if why is not None:
            fix.state, fix.reason = FAILED, why
            return


def _refusal(path: str, sources: ProgramSources, ws: Workspace) -> str | None:
    """Why the fix may not edit `path`: checked on the name the suggestion gives and, for a symbolic
    link, on the file it leads to. A file that does not exist is left to `rebase`, which reports it
    gone (tsfix never creates files)."""
    why = sources.refusal(path, listed=False)
    if why is not None:
        return f"refused: {why}"
    if not os.path.lexists(ws.root / path):
        return None
    try:
        disk = ws.disk_path(path)
    except ApplyRefused as exc:
        return exc.message
    why = sources.refusal(path) or (sources.refusal(disk, listed=False) if disk != path else None)
    return None if why is None else f"refused: {why}"


# ----------------------------------------------------------------------------- checking the files on disk


class Checker(ABC):
    """Diagnostics of the project's files as they are on disk, before and after the write."""

    name = ""

    @abstractmethod
    def diagnostics(self, paths: set[str]) -> dict[str, list[LsDiagnostic]]:
        """The problems of each of `paths` (and, where checking costs the same, of other files too)."""

    def written(self, paths: Sequence[str]) -> None:  # noqa: B027 - nothing to do for most checkers
        """These files changed on disk."""

    def scope(self, written: set[str]) -> set[str]:
        """The files whose errors a change to `written` may change."""
        return set(written)


class ServiceChecker(Checker):
    def __init__(self, service: LanguageService, graph: ImportGraph) -> None:
        self.service = service
        self.graph = graph
        self.name = service.name

    def diagnostics(self, paths: set[str]) -> dict[str, list[LsDiagnostic]]:
        out = {}
        for path in sorted(paths):
            self.service.reset(path)
            out[path] = self.service.diagnostics(path)
        return out

    def written(self, paths: Sequence[str]) -> None:
        for path in paths:
            self.service.reload(path)

    def scope(self, written: set[str]) -> set[str]:
        files = set(written)
        for path in written:
            files |= self.graph.importers(path)
        return files


class TscChecker(Checker):
    """The whole project with `tsc --noEmit` (when no language service can run)."""

    def __init__(self, root: Path, tsc: TscInfo, tsconfig: Path, timeout: float | None) -> None:
        self.root, self.tsc, self.tsconfig, self.timeout = root, tsc, tsconfig, timeout
        self.name = f"tsc {tsc.version or ''}".strip()
        self._last: dict[str, list[LsDiagnostic]] | None = None

    def diagnostics(self, paths: set[str]) -> dict[str, list[LsDiagnostic]]:
        if self._last is None:
            with tempfile.TemporaryDirectory(prefix="tsfix-apply-") as scratch:
                process = TscProcess(
                    tsc_arguments(self.tsc, self.tsconfig, Path(scratch), False),
                    cwd=self.root,
                    timeout=self.timeout,
                    scratch=Path(scratch),
                )
                run = process.wait()
            found = parse_tsc_output(run.stdout, ProjectFiles(self.root))
            check_run(run, found)
            grouped: dict[str, list[LsDiagnostic]] = {}
            for d in found:
                if d.file is None:
                    continue
                rel = _relative(self.root, d.file)
                at = Position(d.line or 1, d.col or 1)
                grouped.setdefault(rel, []).append(LsDiagnostic(rel, at, at, d.code, d.category, d.message))
            self._last = grouped
        return {p: self._last.get(p, []) for p in paths} | dict(self._last)

    def written(self, paths: Sequence[str]) -> None:
        self._last = None


def _relative(root: Path, file: str) -> str:
    p = Path(file)
    if not p.is_absolute():
        p = root / p
    try:
        return p.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return p.as_posix()


def _problems(diags: dict[str, list[LsDiagnostic]]) -> Counter[tuple[str, str, str]]:
    return Counter(d.key for found in diags.values() for d in found if d.is_problem)


# ----------------------------------------------------------------------------- apply


def apply_fixes(
    options: ApplyOptions,
    progress: Progress = quiet,
    confirm: Confirm | None = None,
    *,
    service: LanguageService | None = None,
) -> ApplyReport:
    """Apply (or, with --dry-run / --patch, only show) the chosen suggestions of a project.
    `service`: a language service of the project the caller has open (tsfix ci), used to check."""
    root, tsconfig = find_tsconfig(options.path, options.project)
    if options.store is None and not default_store_path(root).is_file():
        raise UsageError(f"no tsfix store at {default_store_path(root)}", hint="run `tsfix scan` first")
    project = options.project_name or project_key(root, tsconfig, git_facts(root))
    mode = "dry-run" if options.dry_run else "patch" if options.patch is not None else "apply"
    with open_store(options.store, root, create=False) as store:
        if options.writes:  # a read-only store or undo folder fails now, not after the writes
            store.check_writable()
            check_undo_writable(root)
        fixes, without = select_fixes(store, options, project)
        progress("selected", {"fixes": len(fixes)})
        report = ApplyReport([*fixes, *without], mode, "", store_url=store.display_url)
        ws = Workspace(root)
        tsc = find_tsc(tsconfig.parent, options.tsc) if fixes else None
        sources = ProgramSources(root, tsc, tsconfig, options.tsc_timeout or 120.0) if tsc else None
        for fix in fixes:
            if sources is not None:
                confine_to_program(fix, sources, ws)
            if fix.state == PENDING:
                rebase(fix, ws, writes=options.writes, patch=options.patch is not None)
        ready = [f for f in fixes if f.state == PENDING and f.reason is None]
        if confirm is not None:
            ready = _ask(ready, confirm)
        if not ready:
            if options.patch is not None:
                _write_patch(options.patch, "")
                report.patch_path = options.patch
            return report

        assert tsc is not None
        with ExitStack() as stack:
            checker = _checker(options, root, tsconfig, tsc, stack, progress, service)
            progress("combining", {"fixes": len(ready)})
            combined = _combine(ready, ws, checker, options)
            for fix in ready:
                if fix.state == PENDING and fix.reason is None:
                    fix.state = PLANNED if not options.writes else APPLIED
            report.diff = unified_diff(combined.before, combined.after)
            if options.patch is not None:
                before = {p: _with_bom(ws.file(p), t) for p, t in combined.before.items()}
                after = {p: _with_bom(ws.file(p), t) for p, t in combined.after.items()}
                _write_patch(options.patch, unified_diff(before, after))
                report.patch_path = options.patch
            if not options.writes or not combined.after:
                return report
            report.checked_with = checker.name
            _write_and_check(report, combined, ws, checker, root, progress)
        applied = [f for f in report.fixes if f.state == APPLIED]
        if applied:
            try:
                store.mark_applied([f.suggestion.id for f in applied if f.suggestion is not None])
            except TsfixError as exc:  # the files are written; the next scan records what is fixed
                report.warnings.append(
                    f"the fixes are applied but {store.display_url} was not updated: {exc}"
                )
    return report


def _ask(ready: list[Fix], confirm: Confirm) -> list[Fix]:
    """y: take it; n: leave it; a: take it and all the rest; q: leave it and all the rest."""
    taken: list[Fix] = []
    answer = ""
    for n, fix in enumerate(ready):
        if answer != "a":
            answer = confirm(fix, f"{n + 1}/{len(ready)}")
        if answer in ("y", "a"):
            taken.append(fix)
        else:
            fix.reason = "declined" if answer == "n" else "not asked (quit)"
            if answer == "q":
                for rest in ready[n + 1 :]:
                    rest.reason = "not asked (quit)"
                break
    return taken


def _checker(
    options: ApplyOptions,
    root: Path,
    tsconfig: Path,
    tsc: TscInfo,
    stack: ExitStack,
    progress: Progress,
    service: LanguageService | None = None,
) -> Checker:
    """The project's language service, or tsc when asked for or when the service cannot start."""
    if options.check_with == "service" and service is not None:
        return ServiceChecker(service, ImportGraph(root))
    if options.check_with == "service":
        from tsfix.suggest import open_language_service

        progress("service", {"version": tsc.version})
        try:
            service = stack.enter_context(open_language_service(root, tsc, options.ls_timeout))
            return ServiceChecker(service, ImportGraph(root))
        except LanguageServiceError as exc:
            progress("fallback", {"reason": exc.message})
    return TscChecker(root, tsc, tsconfig, options.tsc_timeout)


def _combine(ready: list[Fix], ws: Workspace, checker: Checker, options: ApplyOptions) -> Plan:
    """The fixes that go together; the others stay pending with the reason."""
    by_suggestion = {id(f.suggestion): f for f in ready}
    suggestions = [f.suggestion for f in ready if f.suggestion is not None]
    if isinstance(checker, ServiceChecker) and not options.include_unverified:
        combined = verify_together(Verifier(checker.service), suggestions, ws.text)
    else:  # the re-check after writing still rolls back whatever breaks something
        combined = plan(suggestions, ws.text)
    for s, why in combined.skipped:
        by_suggestion[id(s)].reason = why
    return combined


def _with_bom(file: DiskFile, text: str) -> str:
    return ("\ufeff" + text) if file.bom else text


def _write_patch(target: Path, diff: str) -> None:
    target = target.expanduser()
    if not target.parent.is_dir():
        raise UsageError(
            f"--patch {target}: no folder {target.parent}", hint="create it or choose another path"
        )
    mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o644
    try:
        atomic_write(target, diff.encode("utf-8"), mode)
    except OSError as exc:
        raise ApplyWriteFailed(
            f"could not write the patch {target}: {exc.strerror}; the project's files were not changed",
            hint="free some space there, or choose another --patch path",
        ) from None


class ApplyConflict(TsfixError):
    """A file changed while tsfix was working, or could not be written: nothing was changed."""

    exit_code = ExitCode.ERRORS_FOUND  # a fix that could not be applied safely (README: exit 1)


class ApplyWriteFailed(TsfixError):
    """Writing the fixed files failed; the message says which files are new, old or restored."""


# What a file of an all-or-nothing write is now: its old bytes, its new ones, or its old ones again.
OLD, NEW, RESTORED = "old", "new", "restored"


@dataclass(slots=True)
class StagedWrite:
    """One file of an all-or-nothing write."""

    file: DiskFile
    target: Path
    data: bytes
    temp: Path | None = None  # the new bytes, written and synced in the target's folder
    kept: Path | None = None  # a hard link to the original in the same folder: going back is a rename
    state: str = OLD


def write_all(root: Path, record: UndoRecord, files: Sequence[tuple[DiskFile, bytes]]) -> list[str]:
    """Replace several files with new bytes, all of them or none, even when the disk fills up.

    Everything that needs space comes first: each file's new bytes are written and synced to a
    temporary file beside it (the same file system, so renaming it over the file needs nothing
    more), each original is kept in the undo record (a hard link where possible, else a synced copy)
    and the undo manifest is synced. Only then are the temporary files renamed into place. Each
    original also stays reachable through a hard link beside it, so a failure among the renames is
    undone by renaming back: nothing is rewritten and no space is needed. A failure raises
    ApplyWriteFailed naming every file's state (and `tsfix undo` when new files are left).
    """
    staged = [StagedWrite(f, confined(root, f.path), data) for f, data in files]
    doing = f"the undo record .tsfix/undo/{record.id}"
    try:
        for s in staged:
            doing = s.file.path
            s.temp = write_temporary(s.target, s.data, s.file.mode)
            s.kept = link_beside(s.target, s.target, ".tsfix-old")
            doing = f"the copy of {s.file.path} in .tsfix/undo/{record.id}"
            keep_original(record, s.file, s.data, s.target, save=False)
        doing = f"the undo record .tsfix/undo/{record.id}"
        record.save()
    except BaseException as exc:
        _discard(staged, record)
        if isinstance(exc, OSError):
            raise _write_failed(doing, exc, staged, record) from None
        raise
    for s in staged:  # a last look: a file edited while tsfix worked is not overwritten
        if _current_bytes(s.target) != s.file.raw:
            _discard(staged, record)
            raise ApplyConflict(
                f"{s.file.path} changed while tsfix was working: nothing was written",
                hint="run `tsfix apply` again",
            )
    try:
        for s in staged:
            doing = s.file.path
            assert s.temp is not None
            os.replace(s.temp, s.target)
            s.state, s.temp = NEW, None
    except BaseException as exc:
        _put_back(staged)
        if all(s.state != NEW for s in staged):
            _discard(staged, record)
        else:
            _discard(staged, None)
        if isinstance(exc, OSError):
            raise _write_failed(doing, exc, staged, record) from None
        raise
    _sync_folders({s.target.parent for s in staged})
    _discard(staged, None)
    return [s.file.path for s in staged]


def _current_bytes(target: Path) -> bytes | None:
    try:
        return target.read_bytes()
    except OSError:
        return None


def _put_back(staged: Sequence[StagedWrite]) -> None:
    """Undo the renames done so far: rename each kept original back (no space needed)."""
    for s in reversed(staged):
        if s.state != NEW:
            continue
        try:
            if s.kept is not None:
                os.replace(s.kept, s.target)
                s.kept = None
            else:  # no hard links on this file system: the original bytes are written again
                atomic_write(s.target, s.file.raw, s.file.mode)
            s.state = RESTORED
        except OSError:
            continue  # stays new; the message says so and `tsfix undo` restores it


def _discard(staged: Sequence[StagedWrite], record: UndoRecord | None) -> None:
    """Remove the temporary files and links (and the undo record, when nothing was changed)."""
    for s in staged:
        for leftover in (s.temp, s.kept):
            if leftover is not None:
                with contextlib.suppress(OSError):
                    os.unlink(leftover)
        s.temp = s.kept = None
    if record is not None:
        shutil.rmtree(record.folder, ignore_errors=True)


def _sync_folders(folders: set[Path]) -> None:
    """Make the renames durable (best effort: not every file system can sync a folder)."""
    for folder in folders:
        with contextlib.suppress(OSError):
            fd = os.open(folder, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)


def _write_failed(
    doing: str, exc: OSError, staged: Sequence[StagedWrite], record: UndoRecord
) -> ApplyWriteFailed:
    """One line naming every file's state, and how to get the old files back if any are new."""
    by_state = {state: [s.file.path for s in staged if s.state == state] for state in (NEW, RESTORED, OLD)}
    cause = f"could not write {doing}: {exc.strerror or exc}"
    if by_state[NEW]:
        return ApplyWriteFailed(
            f"{cause}; some files are fixed and some not: {_states(by_state)}",
            hint=f"`tsfix undo` restores the new files from .tsfix/undo/{record.id}",
        )
    full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
    return ApplyWriteFailed(
        f"{cause}; nothing was changed, every file is as it was ({_states(by_state)})",
        hint="free some space on that file system and run `tsfix apply` again"
        if full
        else "check the folder's permissions and run `tsfix apply` again",
    )


def _write_and_check(
    report: ApplyReport, combined: Plan, ws: Workspace, checker: Checker, root: Path, progress: Progress
) -> None:
    """Write the combined fixes (all files or none), re-check, and roll back files that got worse."""
    paths = sorted(combined.after)
    scope = checker.scope(set(paths))
    progress("checking", {"files": len(scope)})
    before = checker.diagnostics(scope)
    applied = [f for f in report.fixes if f.state == APPLIED]
    try:
        record = start_undo(root)
    except OSError as exc:
        raise ApplyWriteFailed(
            f"cannot keep the originals in .tsfix/undo: {exc.strerror}; nothing was changed",
            hint="tsfix needs a writable .tsfix folder in the project to apply fixes (`tsfix undo` uses it)",
        ) from None
    record.suggestions = [{"id": f.suggestion.id, "files": f.files} for f in applied if f.suggestion]
    progress("writing", {"files": len(paths)})
    done = write_all(root, record, [(ws.file(p), ws.file(p).encode(combined.after[p])) for p in paths])
    report.written = list(done)
    saved = (list(record.files), list(record.suggestions))  # as the manifest on disk has them
    report.undo_id = record.id
    checker.written(done)
    progress("rechecking", {"files": len(scope)})
    after = checker.diagnostics(scope)
    for _ in range(3):
        worse = _worse_files(before, after)
        if not worse:
            break
        rolled = _roll_back(report, record, ws, checker, worse)
        if not rolled:
            break
        after = checker.diagnostics(scope)
    old, new = _problems(before), _problems(after)
    report.problems_before, report.problems_after = sum(old.values()), sum(new.values())
    for fix in report.fixes:
        if fix.state != APPLIED or fix.error.file_path is None:
            continue
        target = _locate(fix.error, before.get(fix.error.file_path, []))
        fix.error_gone = None if target is None else new[target.key] < old[target.key]
    record.suggestions = [
        {"id": f.suggestion.id, "files": f.files} for f in report.fixes if f.state == APPLIED and f.suggestion
    ]
    report.diff = unified_diff(
        {p: combined.before[p] for p in report.written}, {p: combined.after[p] for p in report.written}
    )
    if not record.files:
        shutil.rmtree(record.folder, ignore_errors=True)
        report.undo_id = None
        return
    if (record.files, record.suggestions) == saved:
        return
    try:
        record.save()
    except OSError as exc:  # the manifest synced before the renames still lists every file
        report.warnings.append(
            f"the undo record .tsfix/undo/{record.id} could not be updated ({exc.strerror}); "
            "`tsfix undo` still restores every file"
        )


def _worse_files(
    before: dict[str, list[LsDiagnostic]], after: dict[str, list[LsDiagnostic]]
) -> dict[str, list[str]]:
    """Files with errors they did not have before, each with those errors described."""
    added = _problems(after) - _problems(before)
    worse: dict[str, list[str]] = {}
    for (file, code, message), n in sorted(added.items()):
        line = next((d.start.line for d in after.get(file, []) if d.key == (file, code, message)), None)
        where = f"{file}:{line}" if line else file
        worse.setdefault(file, []).append(
            f"{code} at {where}: {message.splitlines()[0][:100]}" + (f" (×{n})" if n > 1 else "")
        )
    return worse


def _roll_back(
    report: ApplyReport, record: UndoRecord, ws: Workspace, checker: Checker, worse: dict[str, list[str]]
) -> list[str]:
    """Restore the written files behind new errors, with every file of the fixes in them (a fix
    spanning several files goes back whole); those fixes fail with the errors they brought."""
    written = set(report.written)
    roll = {p for p in written if p in worse or checker.scope({p}) & set(worse)}
    if not roll:  # new errors in files no written file is known to reach (e.g. through a path alias)
        roll = set(written)
    while True:
        hit = [f for f in report.fixes if f.state == APPLIED and set(f.files) & roll]
        more = {p for f in hit for p in f.files if p in written} - roll
        if not more:
            break
        roll |= more
    if not roll:
        return []
    for path in sorted(roll):  # from the kept copy by a rename: no space needed
        restore_copy(record.folder / "files" / path, confined(ws.root, path), ws.file(path).mode)
    checker.written(sorted(roll))
    found = [e for errors in worse.values() for e in errors]
    for fix in hit:
        fix.state = FAILED
        fix.new_errors = found
        fix.reason = (
            "rolled back: with it the project had new errors ("
            + "; ".join(found[:2])
            + (f"; and {len(found) - 2} more" if len(found) > 2 else "")
            + ")"
        )
    report.written = [p for p in report.written if p not in roll]
    report.rolled_back = sorted(set(report.rolled_back) | roll)
    record.files = [e for e in record.files if e["path"] not in roll]
    return sorted(roll)


def _locate(error: ErrorRow, diagnostics: Sequence[LsDiagnostic]) -> LsDiagnostic | None:
    from tsfix.suggest import locate

    return locate(error, diagnostics)


def undo_apply(path: Path, store_url: str | None = None) -> UndoResult:
    """`tsfix undo`: restore the last apply's files and mark its suggestions as not applied."""
    from tsfix.pipeline import find_project_root

    root = find_project_root(path)
    check_undo_writable(root)  # before restoring anything: the record must be marked undone
    if store_url is not None or default_store_path(root).is_file():
        with open_store(store_url, root, create=False) as store:
            store.check_writable()

    def mark(ids: Sequence[Any]) -> None:
        with open_store(store_url, root, create=False) as store:
            store.mark_applied(ids, applied=False)

    return undo_last(root, mark)
