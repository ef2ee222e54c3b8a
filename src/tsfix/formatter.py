"""`--format-with prettier|biome`: the project's own formatter on the lines a verified fix changed.

Off by default, because it runs code from the project's `node_modules` (the formatter and whatever
plugins its configuration names): never use it on a pull request you do not trust. tsfix's own
normalisation (style.py) already writes every fix in the file's style; this is for projects whose
formatter has opinions beyond indentation, quotes, semicolons and commas (line width, wrapping).

The formatter formats the fixed file (Prettier only the changed range, with its range options;
Biome's command line formats whole files), and only its changes to the lines the fix changed are kept:
a file that is not formatted elsewhere stays as it is elsewhere. The result is verified again before
it replaces the fix (Suggester); a formatter that fails leaves the fix as it was, with a note.
"""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from tsfix.edits import TextEdit, apply_edits, edits_between, edits_by_file
from tsfix.errors import UsageError
from tsfix.fixers.candidate import Candidate

FORMATTERS = ("prettier", "biome")
#: where each formatter's Node entry point lies inside node_modules
_ENTRY = {
    "prettier": ("prettier/bin/prettier.cjs", "prettier/bin-prettier.js", "prettier/bin/prettier.js"),
    "biome": ("@biomejs/biome/bin/biome",),
}
_TIMEOUT = 30.0


class FormatterFailed(Exception):
    """The formatter exited with an error (a syntax it does not know, a bad configuration)."""


def find_formatter(root: Path, name: str) -> Path:
    """The formatter's entry point in the project's node_modules (or a folder above: workspaces
    hoist). A clear error when the name is unknown or the formatter is not installed."""
    if name not in FORMATTERS:
        raise UsageError(f"--format-with {name!r}: use prettier or biome", hint="or leave it out")
    for folder in [root, *root.resolve().parents]:
        for entry in _ENTRY[name]:
            candidate = folder / "node_modules" / entry
            if candidate.is_file():
                return candidate
    package = "prettier" if name == "prettier" else "@biomejs/biome"
    raise UsageError(
        f"--format-with {name}: the project has no {name} in its node_modules",
        hint=f"install it (npm install --save-dev {package}) or leave out --format-with",
    )


@dataclass(slots=True)
class Formatter:
    """Runs one formatter of one project; `candidate` rewrites a candidate's changed lines."""

    root: Path
    name: str
    entry: Path
    disk_text: Callable[[str], str]  # a file's text as the language service has it
    failures: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, root: Path, name: str, disk_text: Callable[[str], str]) -> Formatter:
        return cls(root, name, find_formatter(root, name), disk_text)

    def _command(self, path: str, start: int, end: int) -> list[str]:
        target, node = str(self.root / path), shutil.which("node") or "node"
        if self.name == "prettier":  # its range is in UTF-16 code units, as JavaScript counts
            return [
                node,
                str(self.entry),
                "--stdin-filepath",
                target,
                f"--range-start={start}",
                f"--range-end={end}",
            ]
        # Biome's npm package ships a native binary; its bin/biome is a Node launcher for it
        return [node, str(self.entry), "format", f"--stdin-file-path={target}"]

    def format_text(self, path: str, text: str, start: int = 0, end: int | None = None) -> str:
        end = len(text) if end is None else end
        command = self._command(path, _utf16(text[:start]), _utf16(text[:end]))
        env = {k: v for k, v in os.environ.items() if k not in ("NODE_OPTIONS",)}
        try:
            result = subprocess.run(
                command,
                input=text.encode("utf-8"),
                capture_output=True,
                cwd=self.root,
                env=env,
                timeout=_TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise FormatterFailed(f"{self.name} did not run: {exc}") from None
        if result.returncode != 0:
            first = (result.stderr or result.stdout).decode("utf-8", "replace").strip().splitlines()
            raise FormatterFailed(
                f"{self.name} failed on {path}: {first[0][:200] if first else result.returncode}"
            )
        return result.stdout.decode("utf-8")

    def candidate(self, candidate: Candidate) -> Candidate:
        """The candidate with the formatter's changes to the lines it changed (itself when the
        formatter changes nothing there, or fails: the failure is kept in `failures`)."""
        edits: list[TextEdit] = []
        changed = False
        for path, file_edits in edits_by_file(candidate.edits).items():
            try:
                before = self.disk_text(path)
                after = apply_edits(before, file_edits)
            except (OSError, ValueError):
                return candidate
            lines = _changed_lines(before, after)
            if not lines:
                edits.extend(file_edits)
                continue
            starts = _line_offsets(after)
            first, last = min(lines), max(lines)
            start = starts[first]
            end = starts[last + 1] if last + 1 < len(starts) else len(after)
            try:
                formatted = self.format_text(path, after, start, end)
            except FormatterFailed as exc:
                self.failures.append(str(exc))
                return candidate
            kept = _keep_changes_on(after, formatted, lines)
            if kept == after:
                edits.extend(file_edits)
                continue
            changed = True
            edits.extend(edits_between(path, before, kept))
        return replace(candidate, edits=tuple(edits)) if changed and edits else candidate


def _utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _line_offsets(text: str) -> list[int]:
    offsets, total = [], 0
    for line in text.splitlines(keepends=True):
        offsets.append(total)
        total += len(line)
    return offsets or [0]


def _changed_lines(before: str, after: str) -> set[int]:
    """Line numbers (0-based, in `after`) that the fix inserted or changed."""
    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    out: set[int] = set()
    for tag, _, _, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag in ("replace", "insert"):
            out.update(range(j1, j2))
    return out


def _keep_changes_on(text: str, formatted: str, lines: set[int]) -> str:
    """`formatted`'s changes to `text` that lie wholly on `lines` (line numbers in `text`); an
    insertion counts when it is next to one of them. Everything else stays as in `text`."""
    a, b = text.splitlines(keepends=True), formatted.splitlines(keepends=True)
    # lines are matched by their text without whitespace, so that a line the formatter only
    # re-spaced pairs with its original (and is left alone when the fix did not change it)
    squeezed = difflib.SequenceMatcher(
        None, ["".join(x.split()) for x in a], ["".join(x.split()) for x in b], autojunk=False
    )
    out: list[str] = []
    for tag, i1, i2, j1, j2 in squeezed.get_opcodes():
        if tag == "equal":
            out.extend(
                b[j] if i in lines else a[i] for i, j in zip(range(i1, i2), range(j1, j2), strict=True)
            )
            continue
        touched = range(i1, i2) if i2 > i1 else range(max(i1 - 1, 0), i1 + 1)
        if all(i in lines for i in range(i1, i2)) and any(i in lines for i in touched):
            out.extend(b[j1:j2])
        else:
            out.extend(a[i1:i2])
    return "".join(out)
