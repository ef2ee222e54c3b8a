"""A stable identity for an error, so a rescan updates the row it already has.

The fingerprint must survive edits elsewhere in the file (lines shift) and checkouts in other folders
(CI runners, teammates), and must change when the error itself changes. It hashes:

- the file path relative to the project root,
- the code (TS2322),
- the message's first line, whitespace collapsed and the absolute project root replaced by `<root>`
  (TypeScript prints absolute paths inside some messages, e.g. `import("/home/me/app/src/a").User`),
- the enclosing symbol path from tree-sitter (`UserService.getUser`),
- the error line's text, whitespace collapsed,
- an ordinal that tells apart otherwise identical errors in one scan (same line text, same symbol).

Line and column are deliberately left out.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

_SPACES = re.compile(r"\s+")
_SEPARATOR_ESCAPES = re.compile("[\x1e\x1f]")


def _escape_separator(match: re.Match[str]) -> str:
    return "\x1e\x1e" if match.group() == "\x1e" else "\x1e\x1d"


def normalise_message(message: str, root: str | None = None) -> str:
    headline = message.split("\n", 1)[0]
    if root:
        headline = headline.replace(root.rstrip("/\\"), "<root>")
    return _SPACES.sub(" ", headline).strip()


def normalise_code_line(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def fingerprint(
    file_path: str | None,
    code: str,
    message: str,
    symbol_path: str,
    line_text: str,
    ordinal: int = 0,
    root: str | None = None,
) -> str:
    """32 hex characters identifying one error (see the module docstring for what goes in)."""
    parts = [
        file_path or "",
        code,
        normalise_message(message, root),
        symbol_path,
        normalise_code_line(line_text),
        str(ordinal) if ordinal else "",
    ]
    # parts are joined with U+001F, which a file name, a message or a string key can hold too: escaped
    # inside a part, two different keys could join to the same text. Parts without U+001E/U+001F
    # (all ordinary ones) are unchanged, so existing fingerprints stay what they were.
    joined = "\x1f".join(_SEPARATOR_ESCAPES.sub(_escape_separator, part) for part in parts)
    return hashlib.sha256(joined.encode("utf-8", errors="surrogatepass")).hexdigest()[:32]


def fingerprints(keys: Sequence[tuple[str | None, str, str, str, str]], root: str | None = None) -> list[str]:
    """Fingerprints for one scan's errors, given in position order; duplicates get ordinals 1, 2, …"""
    seen: dict[str, int] = {}
    out = []
    for key in keys:
        base = fingerprint(*key, root=root)
        count = seen.get(base, 0)
        seen[base] = count + 1
        out.append(base if count == 0 else fingerprint(*key, ordinal=count, root=root))
    return out
