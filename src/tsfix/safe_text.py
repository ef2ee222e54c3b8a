"""Text made safe to show: file names, messages and source text as visible characters only.

A file name or a source line can hold any character but `/` and NUL. Sent raw to a terminal, ESC
and the C1 controls run escape sequences (retitle the window, clear the screen, rewrite earlier
lines), a line break forges another output line (in a CI log: a `::error` workflow command), and
the Unicode bidi controls reorder what is shown ("Trojan Source"). Every such character is replaced
by a visible escape: `\\x1b`, `\\n`, `\\u202e`. A byte that is not UTF-8 (kept by Python's
surrogateescape as U+DC80-U+DCFF) is shown as the byte, `\\xff`, which also keeps the text encodable.

Machine output (JSON, SARIF) stays exact: its encoders escape by themselves.
"""

from __future__ import annotations

import re

# C0, DEL and C1 controls; the bidi embeddings, overrides, isolates and marks; the Unicode line and
# paragraph separators (some terminals break lines on them); lone surrogates; the two noncharacters
# U+FFFE/U+FFFF (not allowed in XML either).
UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff]"
)
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(match: re.Match[str]) -> str:
    ch = match.group()
    named = _NAMED.get(ch)
    if named is not None:
        return named
    code = ord(ch)
    if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape): show the byte
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def escape_unsafe(text: str, keep: str = "") -> str:
    """`text` with every unsafe character but those in `keep` written as a visible escape."""
    if not UNSAFE.search(text):
        return text
    if not keep:
        return UNSAFE.sub(_escape, text)
    return UNSAFE.sub(lambda m: m.group() if m.group() in keep else _escape(m), text)


def terminal_safe(text: str, multiline: bool = False) -> str:
    """`text` fit for a terminal: no control, bidi or unencodable character is left in it.

    `multiline` keeps the line breaks and tabs that are the structure of a diff, a snippet or a
    multi-line message (a CRLF becomes a plain line break); everything else, and every line break in
    single-line text such as a file name, is shown escaped.
    """
    if multiline:
        return escape_unsafe(text.replace("\r\n", "\n"), keep="\n\t")
    return escape_unsafe(text)
