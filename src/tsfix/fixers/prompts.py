"""The prompt and the output contract shared by the model fixers (llama, openai).

The model answers with JSON constrained by `EDIT_SCHEMA`: search/replace pairs, where `search` is
copied from the code shown. tsfix finds each `search` in the file (the occurrence nearest the error)
and turns it into a structured edit. No free-form diffs: models get line numbers in raw diffs wrong.
The instructions come first and never change, so llama.cpp reuses their cached state from one error
to the next.
"""

from __future__ import annotations

import json
import re
from typing import Any

from tsfix.edits import Position, TextEdit, index_of, line_starts, position_of
from tsfix.fixers import FixContext
from tsfix.langserver import LanguageServiceError

MAX_EDITS = 3
EDIT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "explanation": {"type": "string"},
        "edits": {
            "type": "array",
            "minItems": 1,
            "maxItems": MAX_EDITS,
            "items": {
                "type": "object",
                "properties": {"search": {"type": "string"}, "replace": {"type": "string"}},
                "required": ["search", "replace"],
            },
        },
    },
    "required": ["explanation", "edits"],
}

# For llama.cpp's grammar: the same schema with the explanation's length bounded, so a model that
# rambles there cannot spend the whole token budget before the edits. (search/replace stay unbounded:
# llama.cpp 0.3.x's sampler crashes on `{0,1500}`-sized repetitions; max_tokens bounds them anyway.
# OpenAI-compatible servers get EDIT_SCHEMA: strict modes reject some keywords.)
BOUNDED_EDIT_SCHEMA: dict[str, Any] = {
    **EDIT_SCHEMA,
    "properties": {**EDIT_SCHEMA["properties"], "explanation": {"type": "string", "maxLength": 240}},
}

SYSTEM_PROMPT = """You fix TypeScript compile errors with the smallest correct change.
Reply with one JSON object: {"explanation": "<one sentence>", "edits": [{"search": "<code>", "replace": "<code>"}]}.
- "search" is copied exactly from the code shown (without the line numbers): a few lines at most, unique in the file.
- "replace" is what that code becomes. Keep the surrounding style and indentation.
- Fix the cause of the error; do not change unrelated code.
- Never silence the error: no `any`, no `as any`, no `as unknown as`, no `@ts-ignore` or `@ts-expect-error`, no non-null `!`."""

_IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*")
_KEYWORDS = frozenset(
    [
        "const",
        "let",
        "var",
        "function",
        "return",
        "if",
        "else",
        "for",
        "while",
        "do",
        "switch",
        "case",
        "break",
        "continue",
        "new",
        "this",
        "typeof",
        "instanceof",
        "in",
        "of",
        "as",
        "async",
        "await",
        "export",
        "import",
        "from",
        "default",
        "class",
        "extends",
        "implements",
        "interface",
        "type",
        "enum",
        "public",
        "private",
        "protected",
        "readonly",
        "static",
        "true",
        "false",
        "null",
        "undefined",
        "void",
        "yield",
        "try",
        "catch",
        "finally",
        "throw",
    ]
)


def numbered(text: str, first: int, last: int, mark: int) -> str:
    lines = text.splitlines()
    out = []
    for n in range(max(1, first), min(len(lines), last) + 1):
        arrow = "→" if n == mark else " "
        out.append(f"{arrow}{n:5} | {lines[n - 1]}")
    return "\n".join(out)


def symbol_facts(ctx: FixContext, limit: int = 6) -> list[str]:
    """What the language service says about the names on the error's line: types and declarations."""
    text = ctx.text
    starts = line_starts(text)
    line = ctx.target.start.line
    if line > len(starts):
        return []
    line_text = text[starts[line - 1] : starts[line] if line < len(starts) else len(text)]
    facts: list[str] = []
    seen: set[str] = set()
    for m in _IDENTIFIER.finditer(line_text):
        name = m.group(0)
        if name in _KEYWORDS or name in seen:
            continue
        seen.add(name)
        at = position_of(text, starts[line - 1] + m.start(), starts)
        try:
            info = ctx.service.quick_info(ctx.target.file, Position(at.line, at.col))
        except LanguageServiceError:
            continue
        if info:
            facts.append(" ".join(info.split())[:300])
        if len(facts) >= limit:
            break
    return facts


def imports_of(text: str, limit: int = 30) -> list[str]:
    lines = [line for line in text.splitlines() if re.match(r"^\s*(import\s|export\s.*\sfrom\s)", line)]
    return lines[:limit]


def build_messages(ctx: FixContext, version: str | None) -> list[dict[str, str]]:
    """The chat messages for one error: fixed instructions, then the error, its code, types, imports."""
    text = ctx.text
    context = ctx.error.context or {}
    first = int(context.get("start_line") or max(1, ctx.target.start.line - 15))
    last = int(context.get("end_line") or ctx.target.start.line + 15)
    if last - first > 60:
        first, last = max(first, ctx.target.start.line - 25), min(last, ctx.target.start.line + 25)
    facts = symbol_facts(ctx)
    imports = imports_of(text)
    parts = [
        f"File: {ctx.target.file} (TypeScript {version or '?'})",
        f"Error {ctx.target.code} at line {ctx.target.start.line}, column {ctx.target.start.col}:",
        ctx.target.message,
        "",
        f"Code ({context.get('kind', 'code')} {context.get('symbol_path') or ''}, line numbers are not part of the code):",
        numbered(text, first, last, ctx.target.start.line),
    ]
    if facts:
        parts += ["", "Types of the names on the error line:", *(f"- {f}" for f in facts)]
    if imports:
        parts += ["", "Imports of the file:", *imports]
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": "\n".join(parts)}]


def _find(text: str, needle: str, near: int) -> int | None:
    """Index of the occurrence of `needle` nearest the index `near`, or None."""
    hits = [m.start() for m in re.finditer(re.escape(needle), text)]
    if not hits:
        return None
    return min(hits, key=lambda i: abs(i - near))


def edits_from_answer(ctx: FixContext, content: str) -> tuple[tuple[TextEdit, ...], str] | None:
    """The model's JSON answer as structured edits and its explanation; None when it is unusable."""
    try:
        data = json.loads(content)
    except (ValueError, TypeError):
        return None
    if not isinstance(data, dict) or not isinstance(data.get("edits"), list):
        return None
    text = ctx.text
    starts = line_starts(text)
    near = index_of(text, ctx.target.start, starts)
    edits: list[TextEdit] = []
    taken: list[tuple[int, int]] = []
    for item in data["edits"][:MAX_EDITS]:
        if not isinstance(item, dict):
            return None
        search, replace = item.get("search"), item.get("replace")
        if not isinstance(search, str) or not isinstance(replace, str) or not search.strip():
            return None
        at = _find(text, search, near)
        if at is None:  # tolerate differences in indentation and trailing blanks
            stripped = search.strip()
            at = _find(text, stripped, near)
            if at is None:
                return None
            search, replace = stripped, replace.strip()
        end = at + len(search)
        if any(a < end and at < b for a, b in taken):
            return None
        taken.append((at, end))
        edits.append(
            TextEdit(ctx.target.file, position_of(text, at, starts), position_of(text, end, starts), replace)
        )
    explanation = data.get("explanation")
    return tuple(edits), explanation if isinstance(explanation, str) else ""
