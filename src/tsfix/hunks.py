"""The hunks of a unified diff tsfix wrote, and putting them on a text that changed since.

`relocate` places each hunk as `patch` does: at its line, else at an offset, else with fuzz (context
lines at its ends ignored), and says which was needed. Pure functions over text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from tsfix.edits import diff_lines, diff_path


@dataclass(slots=True)
class Hunk:
    """One hunk of one file: where it starts and its lines before and after."""

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
