"""An implicit `any`: declare a type that is in scope, never `any`.

    Parameter 'x' implicitly has an 'any' type.                       (TS7006)
    Rest parameter 'xs' implicitly has an 'any[]' type.               (TS7019)

The candidates are the types TypeScript completes at the parameter's annotation (interfaces, type
aliases, classes, enums — declared or imported in the file), ranked by how alike their names are to
the parameter's (`middlewares` → `Middlewares`, a type parameter of the function too), each as `T`
and, for a rest parameter, as `T[]` a little lower (a type named like the whole list is the list). Which one the body's use of the parameter accepts is for the compiler to say. TypeScript's own
"Infer parameter types from usage" quick fix runs beside this; the two together cover a structural
type written out and a named one.
"""

from __future__ import annotations

import re
from typing import Any

from tsfix.fixers import FixContext
from tsfix.fixers.candidate import Candidate
from tsfix.fixers.search.names import search_candidate
from tsfix.fixers.search.rank import best
from tsfix.fixers.syntax import Doc

_IMPLICIT = re.compile(r"^(Rest parameter|Parameter) '([^']+)' implicitly has an 'any(\[\])?' type")
KEEP = 4


def implicit_any(ctx: FixContext, doc: Doc) -> list[Candidate]:
    m = _IMPLICIT.match(ctx.target.message.split("\n", 1)[0])
    if not m:
        return []
    rest, name = m.group(1) == "Rest parameter", m.group(2)
    node = doc.node_at(ctx.target.start)
    if node is not None and node.type == "rest_pattern":  # the error spans `...xs`
        node = next((c for c in node.named_children if c.type == "identifier"), None)
    if node is None or doc.src(node) != name:
        return []
    parameter = (
        node.parent.parent if node.parent is not None and node.parent.type == "rest_pattern" else node.parent
    )
    if parameter is None:
        return []
    if parameter.type not in ("required_parameter", "optional_parameter"):
        return []  # `x => …` without parentheses, a destructuring pattern: left to the quick fixes
    if parameter.child_by_field_name("type") is not None:
        return []
    at = _annotation_byte(doc, node, parameter)
    types = _types_in_scope(ctx, doc, at)
    out = []
    for type_name, score in best(name, types, KEEP, 0.0):
        forms = [type_name, f"{type_name}[]"] if rest else [type_name]
        for n, form in enumerate(forms):
            edits = (doc.insert(at, f": {form}"),)
            out.append(
                search_candidate(
                    "declare-parameter-type",
                    f"Declare {name} as {form} (a type in scope)",
                    edits,
                    score * 0.9 * (1.0 if n == 0 else 0.9),
                )
            )
    return out


def _annotation_byte(doc: Doc, name: Any, parameter: Any) -> int:
    """Where `: T` goes: after the name, or after its `?`; before a default value."""
    end = (
        name.parent.end_byte
        if name.parent is not None and name.parent.type == "rest_pattern"
        else name.end_byte
    )
    if parameter.type == "optional_parameter":
        question = doc.data.find(b"?", end, parameter.end_byte)
        if question >= 0:
            end = question + 1
    return end


def _types_in_scope(ctx: FixContext, doc: Doc, at: int) -> list[str]:
    """Ask for completions at a type annotation inserted there, in memory only."""
    probe = ": "
    index = len(doc.data[:at].decode("utf-8", errors="surrogatepass"))
    path = ctx.target.file
    original = ctx.service.text(path)
    ctx.service.set_text(path, original[:index] + probe + original[index:])
    try:
        probe_at = doc.pos(at)
        position = type(probe_at)(probe_at.line, probe_at.col + len(probe))
        found = ctx.service.completions(path, position)
    finally:
        ctx.service.set_text(path, original)
    # at a type position everything completed is a type (TypeScript 7 calls imported ones variables)
    return [c.name for c in found if c.local and c.kind != "keyword" and c.name.isidentifier()]
