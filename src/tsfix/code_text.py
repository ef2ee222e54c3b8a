"""A source file's code as text: strings and comments blanked out, the non-null assertions it
makes, and the comments an edit copies. Shared by the verifier (what counts as a new suppression),
the fixers (the file's idioms) and the normaliser (tsfix.style)."""

from __future__ import annotations

import re
from dataclasses import replace

from tsfix.edits import TextEdit, index_of, line_starts

_STRINGS_AND_COMMENTS = re.compile(
    r"""//(?!\s*@ts-)[^\n]*|/\*.*?\*/|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`""", re.S
)


def code_only(text: str) -> str:
    """Strings and comments blanked out (comments that hold @ts- directives are kept)."""
    return _STRINGS_AND_COMMENTS.sub(lambda m: " " * len(m.group(0)), text)


#: an expression asserted non-null: `state.parent_!` (a name or a member chain)
ASSERTED = re.compile(r"(?<![\w$.])((?:[\w$]+\s*\??\.\s*)*[\w$]+)!(?![=])")


def idiom_counts(text: str, expression: str) -> tuple[int, int]:
    """How often the file's code (not its strings or comments) asserts `expression` non-null
    (`expression!`), and how often it reads it with optional chaining (`expression?.`)."""
    code = code_only(text)
    asserted = sum(1 for m in ASSERTED.finditer(code) if m.group(1) == expression)
    optional = len(re.findall(rf"(?<![\w$.]){re.escape(expression)}\s*\?\.", code))
    return asserted, optional


_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.S)


def without_copied_comments(text: str, edit: TextEdit) -> TextEdit:
    """The edit without the comments its new text copies from around it.

    TypeScript's printer sometimes attaches a neighbour's comment to the node it replaces (adding
    `| undefined` to `forced?: boolean` re-prints the next member's JSDoc inside the new type), so
    the comment would appear twice. A comment in the new text that the replaced text does not hold
    but the file already does is such a copy: it is dropped, and a replaced one-line text stays on
    one line."""
    starts = line_starts(text)
    start, end = index_of(text, edit.start, starts), index_of(text, edit.end, starts)
    replaced, new = text[start:end], edit.new_text
    squeeze = lambda t: " ".join(t.split())  # noqa: E731
    own = {squeeze(c) for c in _COMMENT.findall(replaced)}
    elsewhere = squeeze(text[:start] + " " + text[end:])
    copies = [
        m
        for m in _COMMENT.finditer(new)
        if not new[: m.start()].rpartition("\n")[2].strip()  # on a line of its own (not in a string)
        and squeeze(m.group(0)) not in own
        and squeeze(m.group(0)) in elsewhere
    ]
    if not copies:
        return edit
    for m in reversed(copies):
        new = new[: m.start()].rstrip(" \t") + new[m.end() :]
    if "\n" not in replaced:
        new = re.sub(r"\s*\n\s*", " ", new.strip("\n")) if "\n" in new.strip("\n") else new
    return replace(edit, new_text=new)
