"""Writing several files all or nothing, even on a full disk (`write_all`).

Everything that needs space happens before the first file is replaced: the new bytes of each file in
a synced temporary file beside it, each original kept in the undo record and linked beside itself.
Replacing and going back are then renames, which need no space.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tsfix.errors import ExitCode, TsfixError
from tsfix.files import DiskFile, atomic_write, confined, describe_states, link_beside, write_temporary
from tsfix.undo import UndoRecord, keep_original


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
            f"{cause}; some files are fixed and some not: {describe_states(by_state)}",
            hint=f"`tsfix undo` restores the new files from .tsfix/undo/{record.id}",
        )
    full = exc.errno in (errno.ENOSPC, errno.EDQUOT)
    return ApplyWriteFailed(
        f"{cause}; nothing was changed, every file is as it was ({describe_states(by_state)})",
        hint="free some space on that file system and run `tsfix apply` again"
        if full
        else "check the folder's permissions and run `tsfix apply` again",
    )
