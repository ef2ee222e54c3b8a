"""A source file's code as text: strings and comments blanked out, and the non-null assertions it
makes. Shared by the verifier (what counts as a new suppression) and the fixers (the file's idioms)."""

from __future__ import annotations

import re

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
