"""A chosen fix against the files as they are now: confined to the program's sources, then rebased.

A file with the same SHA-256 as when the suggestion was made takes the suggestion's edits as they
are; a file changed since gets the suggestion's hunks re-located by their context (tsfix.hunks), or
the fix fails with the reason. The user's change always survives.
"""

from __future__ import annotations

import os
from dataclasses import replace

from tsfix.edits import TextEdit, apply_edits, edits_by_file, line_starts, position_of, unified_diff
from tsfix.files import ApplyRefused, DiskFile, Workspace
from tsfix.hunks import Hunk, parse_hunks, relocate
from tsfix.plan import FAILED, Fix
from tsfix.project import ProgramSources


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
