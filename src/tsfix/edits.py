"""Text edits: positions as tsc reports them, applying edits to text, and unified diffs.

Positions are 1-based lines and 1-based columns counted in UTF-16 code units, with lines split the way
tsc splits them (CR, LF, CRLF, U+2028, U+2029) — the coordinates of tsc's output, of tsserver
(line/offset) and, shifted by one, of LSP (line/character).
"""

from __future__ import annotations

import codecs
import difflib
import functools
import itertools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

_BREAKS = re.compile(r"\r\n|[\r\n\u2028\u2029]")


@dataclass(frozen=True, slots=True, order=True)
class Position:
    line: int  # 1-based
    col: int  # 1-based, UTF-16 code units


@dataclass(frozen=True, slots=True)
class TextEdit:
    """Replace [start, end) of `file` (a POSIX path relative to the project root) with `new_text`."""

    file: str
    start: Position
    end: Position
    new_text: str

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "start": {"line": self.start.line, "col": self.start.col},
            "end": {"line": self.end.line, "col": self.end.col},
            "new_text": self.new_text,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TextEdit:
        return cls(
            data["file"],
            Position(data["start"]["line"], data["start"]["col"]),
            Position(data["end"]["line"], data["end"]["col"]),
            data["new_text"],
        )


@functools.lru_cache(maxsize=64)
def line_starts(text: str) -> tuple[int, ...]:
    """Index of the first character of each line. Kept for the last texts asked about: the same
    large file is asked about by every edit, probe and diagnostic of a search."""
    return (0, *(m.end() for m in _BREAKS.finditer(text)))


def _utf16_len(s: str) -> int:
    return len(s) + sum(1 for ch in s if ord(ch) > 0xFFFF)


def index_of(text: str, pos: Position, starts: Sequence[int] | None = None) -> int:
    """The str index of a position, clamped to the text and to the line."""
    starts = starts if starts is not None else line_starts(text)
    if pos.line < 1:
        return 0
    if pos.line > len(starts):
        return len(text)
    i = starts[pos.line - 1]
    end = starts[pos.line] if pos.line < len(starts) else len(text)
    units = pos.col - 1
    while units > 0 and i < end and text[i] not in "\r\n\u2028\u2029":
        units -= 2 if ord(text[i]) > 0xFFFF else 1
        i += 1
    return i


def position_of(text: str, index: int, starts: Sequence[int] | None = None) -> Position:
    """The position of a str index."""
    from bisect import bisect_right

    starts = starts if starts is not None else line_starts(text)
    line = bisect_right(starts, index)
    return Position(line, _utf16_len(text[starts[line - 1] : index]) + 1)


def end_position(text: str) -> Position:
    return position_of(text, len(text))


def apply_edits(text: str, edits: Iterable[TextEdit]) -> str:
    """Apply edits of one file, given against the same original text. Overlapping edits are an error."""
    starts = line_starts(text)
    spans = sorted(
        (
            (index_of(text, e.start, starts), index_of(text, e.end, starts), n, e.new_text)
            for n, e in enumerate(edits)
        ),
        key=lambda s: (s[0], s[1], s[2]),
    )
    for (_, end_a, _, _), (start_b, _, _, _) in itertools.pairwise(spans):
        if start_b < end_a:
            raise ValueError("overlapping edits")
    # from the end, so earlier offsets stay valid; inserts at one position keep their order
    for start, end, _, new in reversed(spans):
        text = text[:start] + new + text[end:]
    return text


def shared_ends(old: Sequence, new: Sequence) -> tuple[int, int]:
    """How many items two sequences share at the start, and then at the end."""
    head = 0
    while head < min(len(old), len(new)) and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < min(len(old), len(new)) - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    return head, tail


def line_opcodes(old: Sequence[str], new: Sequence[str]) -> list[tuple[str, int, int, int, int]]:
    """difflib's opcodes for two lists of lines, with the lines they share at both ends matched
    first: a fix changes a few lines of a file, and difflib alone takes time quadratic in the
    length of the file where many lines are alike (`}`)."""
    head, tail = shared_ends(old, new)
    middle = difflib.SequenceMatcher(
        None, old[head : len(old) - tail], new[head : len(new) - tail], autojunk=False
    )
    ops: list[tuple[str, int, int, int, int]] = [
        (tag, i1 + head, i2 + head, j1 + head, j2 + head) for tag, i1, i2, j1, j2 in middle.get_opcodes()
    ]
    ops = [
        op for op in ops if op[1] < op[2] or op[3] < op[4]
    ]  # difflib's one empty `equal` for two empty lists
    if head:
        ops.insert(0, ("equal", 0, head, 0, head))
    if tail:
        ops.append(("equal", len(old) - tail, len(old), len(new) - tail, len(new)))
    return ops


def edits_between(path: str, before: str, after: str) -> list[TextEdit]:
    """Edits of `path` that turn `before` into `after`: one per changed block of lines, trimmed to
    the characters that differ (so that a fix made of several steps is stored as small edits)."""
    starts = line_starts(before)
    old = [before[a:b] for a, b in itertools.pairwise([*starts, len(before)])]
    new_starts = line_starts(after)
    new = [after[a:b] for a, b in itertools.pairwise([*new_starts, len(after)])]
    blocks = []
    for tag, i1, i2, j1, j2 in line_opcodes(old, new):
        if tag == "replace" and i2 - i1 == j2 - j1:  # line for line: an edit per line
            blocks += [(i, i + 1, j, j + 1) for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]
        elif tag != "equal":
            blocks.append((i1, i2, j1, j2))
    edits = []
    for i1, i2, j1, j2 in blocks:
        start = starts[i1] if i1 < len(starts) else len(before)
        end = starts[i2] if i2 < len(starts) else len(before)
        new_start = new_starts[j1] if j1 < len(new_starts) else len(after)
        new_end = new_starts[j2] if j2 < len(new_starts) else len(after)
        a, b = before[start:end], after[new_start:new_end]
        head = _common_prefix(a, b)
        tail = min(_common_prefix(a[::-1], b[::-1]), len(a) - head, len(b) - head)
        while head and _word(a[head - 1]) and (_word(a[head : head + 1]) or _word(b[head : head + 1])):
            head -= 1  # whole words: `emial` -> `email` is one word replaced, not `ia` -> `ai`
        while (
            tail
            and _word(a[len(a) - tail])
            and (_word(a[len(a) - tail - 1 : len(a) - tail]) or _word(b[len(b) - tail - 1 : len(b) - tail]))
        ):
            tail -= 1
        if head and a[head - 1] == "\r" and a[head : head + 1] == "\n":
            head -= 1  # a position cannot fall inside a CRLF
        if tail and a[len(a) - tail - 1 : len(a) - tail] == "\r" and a[len(a) - tail] == "\n":
            tail -= 1
        edits.append(
            TextEdit(
                path,
                position_of(before, start + head, starts),
                position_of(before, end - tail, starts),
                b[head : len(b) - tail],
            )
        )
    return edits


def _word(char: str) -> bool:
    return bool(char) and (char.isalnum() or char in "_$")


def _common_prefix(a: str, b: str) -> int:
    return next((n for n, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))


def edits_by_file(edits: Iterable[TextEdit]) -> dict[str, list[TextEdit]]:
    grouped: dict[str, list[TextEdit]] = {}
    for edit in edits:
        grouped.setdefault(edit.file, []).append(edit)
    return grouped


_LINES = re.compile(r"[^\n]*\n|[^\n]+")


def diff_lines(text: str) -> list[str]:
    """`text` as a diff's lines, with their endings: split at LF only, as git and patch split.

    str.splitlines() also splits at form feeds, U+2028 and six other characters a source line can
    hold (in a string or a comment); a diff cut there does not apply with `git apply`.
    """
    return _LINES.findall(text)


# Characters git writes escaped inside a quoted file name (quote_c_style); other controls as octal.
_QUOTED = {7: "\\a", 8: "\\b", 9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f", 13: "\\r", 34: '\\"', 92: "\\\\"}


def diff_path(prefix: str, path: str) -> str:
    """`prefix + path` as a diff header names it: C-quoted the way git quotes it when the name holds
    a quote, a backslash or a control character (a line break would otherwise end the header)."""
    name = prefix + path
    if not any(ch in '"\\' or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in name):
        return name
    out = []
    for byte in name.encode("utf-8", errors="surrogateescape"):
        if byte in _QUOTED:
            out.append(_QUOTED[byte])
        elif byte < 0x20 or byte >= 0x7F:
            out.append(f"\\{byte:03o}")
        else:
            out.append(chr(byte))
    return '"' + "".join(out) + '"'


def unified_diff(before: dict[str, str], after: dict[str, str]) -> str:
    """One unified diff over several files, with a/ and b/ prefixes, as `git apply` takes it."""
    chunks = []
    for path in sorted(set(before) | set(after)):
        old = before.get(path, "")
        new = after.get(path, "")
        if old == new:
            continue
        lines = difflib.unified_diff(
            diff_lines(old),
            diff_lines(new),
            fromfile=diff_path("a/", path),
            tofile=diff_path("b/", path),
            n=3,
        )
        text = "".join(
            line if line.endswith("\n") else line + "\n\\ No newline at end of file\n" for line in lines
        )
        chunks.append(text)
    return "".join(chunks)


def changed_size(texts: dict[str, str], edits: Iterable[TextEdit]) -> int:
    """Characters removed plus characters inserted by `edits` (given against `texts`): how big an edit
    is. Each edit counts only what differs once the text it replaces and its new text are trimmed of
    a shared beginning and end, so replacing `emial` with `email` counts 4, not 10."""
    total = 0
    starts = {path: line_starts(text) for path, text in texts.items()}
    for e in edits:
        text = texts.get(e.file, "")
        old = text[index_of(text, e.start, starts.get(e.file)) : index_of(text, e.end, starts.get(e.file))]
        new = e.new_text
        head, tail = shared_ends(old, new)
        total += (len(old) - head - tail) + (len(new) - head - tail)
    return total


# ----------------------------------------------------------------------------- source file encodings

#: the byte-order marks TypeScript honours when it reads a source file; without one it reads UTF-8
BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def source_encoding(raw: bytes) -> tuple[bytes, str]:
    """(byte-order mark, encoding) of a source file's bytes, as tsc decides them."""
    return next((pair for pair in BOMS if raw.startswith(pair[0])), (b"", "utf-8"))


def source_text(raw: bytes) -> str:
    """A source file's text as tsc reads it (UTF-16 with a BOM, else UTF-8), without the BOM.

    For reading only (the language service, import scanning): undecodable bytes become U+FFFD, where
    tsfix apply refuses to rewrite such a file.
    """
    bom, encoding = source_encoding(raw)
    return raw[len(bom) :].decode(encoding, errors="replace")
