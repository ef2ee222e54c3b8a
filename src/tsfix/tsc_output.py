"""What tsc printed, read: diagnostics parsed from `tsc --pretty false`, checked against the files tsc
read (a file name cannot forge a diagnostic), and what they say about the run (config errors,
syntax-only runs). Pure functions over text and the file system; running tsc is tsfix.tsc's job.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

from tsfix.errors import TsconfigInvalid
from tsfix.records import Diagnostic

# `path(line,col): error TS2322: message`. The path is matched lazily, so a path that itself
# contains "(1,2)" still parses: the regex only succeeds at the "(line,col): category TSnnnn: " that
# tsc appends.
_LOCATED = re.compile(
    r"^(?P<file>.+?)\((?P<line>\d+),(?P<col>\d+)\): "
    r"(?P<cat>error|warning|suggestion|message) TS(?P<code>\d+): (?P<msg>.*)$"
)
_GLOBAL = re.compile(r"^(?P<cat>error|warning|suggestion|message) TS(?P<code>\d+): (?P<msg>.*)$")
# tsc's own line breaks (CR, LF, CRLF, and the two Unicode separators), not Python's splitlines().
LINE_BREAK = re.compile(r"\r\n|[\r\n\u2028\u2029]")


# The "(line,col): category TSnnnn: " that tsc prints after a file name, found anywhere in a line.
_ANCHOR = re.compile(
    r"\((?P<line>\d+),(?P<col>\d+)\): (?P<cat>error|warning|suggestion|message) TS(?P<code>\d+): "
)
# How many printed lines one file name may span (a name with line breaks in it).
MAX_NAME_LINES = 16


def parse_tsc_output(
    text: str, files: ProjectFiles | None = None, ambiguous: list[str] | None = None
) -> list[Diagnostic]:
    """Parse `tsc --pretty false` output into diagnostics.

    Indented lines after a diagnostic continue its message (an elaboration chain); they are kept,
    dedented by the two spaces tsc adds per level beyond the first. Lines that are neither are ignored
    (e.g. a "Found 3 errors" footer).

    tsc prints file names raw, so a file named `a.ts(1,1): error TS1: x⏎b.ts` reads like two
    diagnostics. With `files` (the file system tsc read) a diagnostic is recognised only where its
    name is a real file: among the places a line could start a diagnostic, the longest name that is a
    file wins, across line breaks too. Where a shorter reading also names real files (tsc's text is
    then truly ambiguous), the longest reading is kept and the name is added to `ambiguous`. Without
    `files` (pure parsing of known-good output) the first match on each line wins.
    """
    if files is None:
        return _parse_lines(text)
    return _parse_checked(text, files, ambiguous if ambiguous is not None else [])


def _parse_lines(text: str) -> list[Diagnostic]:
    diagnostics: list[Diagnostic] = []
    file: str | None = None
    line_no: int | None = None
    col: int | None = None
    code = category = ""
    message: list[str] = []

    def flush() -> None:
        if message:
            diagnostics.append(Diagnostic(file, line_no, col, code, category, "\n".join(message)))

    for raw in re.split(r"\r\n|[\r\n]", text):
        if not raw.strip():
            continue
        if raw[0] in " \t":
            if message:
                message.append(raw.rstrip())
            continue
        raw = raw.rstrip()
        m = _LOCATED.match(raw)
        if m:
            flush()
            file, line_no, col = m["file"], int(m["line"]), int(m["col"])
            code, category, message = "TS" + m["code"], m["cat"], [m["msg"]]
            continue
        m = _GLOBAL.match(raw)
        if m:
            flush()
            file = line_no = col = None
            code, category, message = "TS" + m["code"], m["cat"], [m["msg"]]
            continue
        flush()
        message = []
    flush()
    return diagnostics


@dataclass(slots=True)
class _Header:
    first: int  # index of the first printed line the file name starts on
    line: int  # index of the line holding the "(l,c): error TSnnnn: " anchor
    file: str
    match: re.Match[str]
    real: bool = True  # False: no reading names a file that exists (deleted since tsc ran?)


def _parse_checked(text: str, files: ProjectFiles, ambiguous: list[str]) -> list[Diagnostic]:
    parts = re.split(r"(\r\n|[\r\n])", text)
    lines, breaks = parts[0::2], [*parts[1::2], ""]
    real = files.is_file

    def header_at(i: int, floor: int) -> _Header | None:
        """The longest real file name ending at an anchor of line i, starting at a line >= floor."""
        best: _Header | None = None
        for m in reversed(list(_ANCHOR.finditer(lines[i]))):
            for first in range(max(floor, i - MAX_NAME_LINES + 1), i + 1):
                if first < i and not files.may_hold_line_break(lines[first]):
                    continue
                name = "".join(lines[k] + breaks[k] for k in range(first, i)) + lines[i][: m.start()]
                if real(name) and (best is None or len(name) > len(best.file)):
                    best = _Header(first, i, name, m)
                    break
        if best is None and lines[i][:1] not in ("", " ", "\t"):
            # read as the plain parser does; a longer reading on a later line still replaces it
            plain = _ANCHOR.search(lines[i])
            if plain is not None and plain.start() > 0:
                best = _Header(i, i, lines[i][: plain.start()], plain, real=False)
        return best

    def shorter_reading(first: int, i: int, limit: int) -> bool:
        """Does a line in first..i (line i only before column `limit`) start a diagnostic on its own?"""
        return any(
            real(lines[k][: m.start()])
            for k in range(first, i + 1)
            for m in _ANCHOR.finditer(lines[k])
            if k < i or m.start() < limit
        )

    headers: list[_Header] = []
    for i in range(len(lines)):
        # a name may reach back into the lines of the previous diagnostic: then it is a longer
        # reading of the same text, which wins (and the text is ambiguous)
        found = header_at(i, headers[-1].first if headers else 0)
        if found is None:
            continue
        overlapped = False
        while headers and found.first <= headers[-1].line:
            overlapped |= headers.pop().real
        if overlapped or shorter_reading(found.first, i, found.match.start()):
            ambiguous.append(found.file)
        headers.append(found)

    diagnostics: list[Diagnostic] = []
    global_floor = 0
    for n, h in enumerate(headers):
        end = headers[n + 1].first if n + 1 < len(headers) else len(lines)
        # file-less diagnostics (TS5xxx, TS18003) before this header, after the previous one
        for k in range(global_floor, h.first):
            _add_global(diagnostics, lines, k, h.first)
        message = [lines[h.line][h.match.end() :].rstrip()]
        k = h.line + 1
        while k < end and lines[k][:1] in (" ", "\t"):
            if lines[k].strip():
                message.append(lines[k].rstrip())
            k += 1
        global_floor = k
        m = h.match
        diagnostics.append(
            Diagnostic(h.file, int(m["line"]), int(m["col"]), "TS" + m["code"], m["cat"], "\n".join(message))
        )
    for k in range(global_floor, len(lines)):
        _add_global(diagnostics, lines, k, len(lines))
    return diagnostics


def _add_global(diagnostics: list[Diagnostic], lines: list[str], k: int, end: int) -> None:
    """A file-less diagnostic starting at line k (its indented continuation lines before `end`)."""
    m = _GLOBAL.match(lines[k].rstrip())
    if m is None:
        return
    message = [m["msg"]]
    j = k + 1
    while j < end and lines[j][:1] in (" ", "\t"):
        if lines[j].strip():
            message.append(lines[j].rstrip())
        j += 1
    diagnostics.append(Diagnostic(None, None, None, "TS" + m["code"], m["cat"], "\n".join(message)))


class ProjectFiles:
    """What the parser may ask of the file system tsc read (names relative to `root`, its working
    folder, or absolute). Answers are cached: one stat per distinct name, one listing per folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._files: dict[str, bool] = {}
        self._folders: dict[str, bool] = {}

    def is_file(self, name: str) -> bool:
        known = self._files.get(name)
        if known is None:
            try:
                known = bool(name.strip()) and (self.root / name).is_file()
            except (OSError, ValueError):  # a name too long for the file system, or with a NUL
                known = False
            self._files[name] = known
        return known

    def may_hold_line_break(self, head: str) -> bool:
        """Could a file name start with `head` and go on past a line break? Only if the folder the
        break falls in has an entry with a line break in its name: one listing answers every line."""
        folder = head[: head.rfind("/") + 1] if "/" in head else ""
        known = self._folders.get(folder)
        if known is None:
            try:
                known = any(_BREAKS.search(entry) for entry in os.listdir(self.root / folder))
            except (OSError, ValueError):
                known = False
            self._folders[folder] = known
        return known


_BREAKS = re.compile(r"[\r\n]")
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


def relative_posix(raw_path: str, root: Path) -> str:
    """A tsc-printed path as a POSIX path relative to the project root (absolute if outside it).

    Backslashes separate folders only in Windows paths (a drive letter, or a Windows root): on POSIX a
    backslash is an ordinary character of a file name, and reading `src\\..\\x.ts` as a path there
    would point at another file."""
    windows = bool(_DRIVE.match(raw_path)) or bool(_DRIVE.match(str(root)))
    if not raw_path.startswith("/") and not windows:
        return raw_path  # tsc already printed it relative to the root (its working folder), POSIX-style
    if windows:
        win = PureWindowsPath(raw_path)
        if not win.is_absolute():
            return PurePosixPath(*win.parts).as_posix()
        try:
            return PurePosixPath(*win.relative_to(PureWindowsPath(root)).parts).as_posix()
        except ValueError:
            return win.as_posix()
    path = Path(raw_path)
    if not path.is_absolute():
        return PurePosixPath(raw_path).as_posix()
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


# ----------------------------------------------------------------------------- what tsc checked
#
# tsc reports in stages and stops at the first that has problems (emitFilesAndReportErrors):
# config-file parsing, then syntax, then options and global diagnostics, then semantics. So:
# - a diagnostic with no file (TS5023 unknown option, TS18003 no inputs, TS2688 missing type library)
#   means the code was never type-checked: the scan would be meaningless and is not recorded;
# - a run that reports only syntax errors never reached the type checker either: it is recorded, but
#   errors it does not mention are not marked fixed (they were not checked).

_CONFIG_CODES = frozenset({"TS18003", "TS18002"})


def is_config_diagnostic(diagnostic: Diagnostic) -> bool:
    """True for problems in a tsconfig (or any .json config tsc parsed), and for file-less diagnostics."""
    if diagnostic.file is None:
        return True
    return diagnostic.file.lower().endswith(".json")


def _code_number(code: str) -> int:
    return int(code[2:]) if code[2:].isdigit() else 0


def may_be_syntax_only(diagnostics: Sequence[Diagnostic]) -> bool:
    """True when every diagnostic is in the syntax ranges (TS1xxx, TS17xxx), so tsc may have skipped
    type-checking. Some TS1xxx codes are checker errors; erring this way only delays marking fixes."""
    return bool(diagnostics) and all(
        1000 <= _code_number(d.code) < 2000 or 17000 <= _code_number(d.code) < 18000 for d in diagnostics
    )


def raise_for_config_errors(diagnostics: Sequence[Diagnostic], tsconfig: str) -> None:
    """Raise TsconfigInvalid when tsc reported problems that stopped or undermine type-checking."""
    unbuilt = [d for d in diagnostics if d.code == "TS6305"]
    if unbuilt:
        raise TsconfigInvalid(
            f"{tsconfig} uses project references whose outputs are not built ({len(unbuilt)} × TS6305: "
            f"{unbuilt[0].headline})",
            hint="scan with --build: tsfix builds the references into a temporary folder first",
        )
    problems = [d for d in diagnostics if is_config_diagnostic(d)]
    if not problems:
        return
    first = problems[0]
    where = f" ({first.file}:{first.line}:{first.col})" if first.file and first.line else ""
    more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
    if first.code in _CONFIG_CODES:
        raise TsconfigInvalid(
            f"{tsconfig} matches no files: {first.code} {first.headline}",
            hint="check 'include'/'files' in the tsconfig, or choose another one with --project",
        )
    if first.file is None and not first.code.startswith(("TS5", "TS6")):
        hint = (
            "install the project's dependencies (`npm install`) or fix compilerOptions.types"
            if first.code == "TS2688"
            else f"fix the compiler options; `tsc --noEmit -p {tsconfig}` shows the same problem"
        )
        raise TsconfigInvalid(
            f"tsc stopped before type-checking: {first.code} {first.headline}{more}", hint=hint
        )
    raise TsconfigInvalid(
        f"{tsconfig} is invalid: {first.code} {first.headline}{where}{more}",
        hint=f"fix the configuration; `tsc --noEmit -p {tsconfig}` shows the same problems",
    )
