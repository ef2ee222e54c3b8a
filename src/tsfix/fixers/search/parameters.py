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
    out = []
    declared = _overloads_type(doc, parameter, name)
    if declared is not None:  # what the function's own overloads declare: the user's text
        out.append(
            search_candidate(
                "declare-parameter-type",
                f"Declare {name} as {declared} (as its overloads do)",
                (doc.insert(at, f": {declared}"),),
                0.97,
            )
        )
    types = _types_in_scope(ctx, doc, at)
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


_PARAMETERS = ("required_parameter", "optional_parameter")
_SIGNATURES = ("function_signature", "method_signature", "abstract_method_signature")


def _overloads_type(doc: Doc, parameter: Any, name: str) -> str | None:
    """The type the overload signatures just above an implementation declare for this parameter
    (the same name, else the same position), as one type: their distinct texts joined by `|`. None
    when the function has no overloads or they do not all declare it."""
    params = parameter.parent
    function = params.parent if params is not None else None
    if function is None or function.type not in ("function_declaration", "method_definition"):
        return None
    own_name = function.child_by_field_name("name")
    position = [c.id for c in params.named_children if c.type in _PARAMETERS].index(parameter.id)
    statement = (
        function.parent
        if function.parent is not None and function.parent.type == "export_statement"
        else function
    )
    texts: list[str] = []
    sibling = statement.prev_named_sibling
    while sibling is not None:
        signature = sibling
        if signature.type == "export_statement":
            signature = next((c for c in signature.named_children if c.type in _SIGNATURES), None)
        if signature is None or signature.type not in _SIGNATURES:
            break
        other = signature.child_by_field_name("name")
        if other is None or own_name is None or doc.src(other) != doc.src(own_name):
            break
        listed = signature.child_by_field_name("parameters")
        found = [c for c in (listed.named_children if listed is not None else []) if c.type in _PARAMETERS]
        named = [
            p
            for p in found
            if (
                p.child_by_field_name("pattern") is not None
                and doc.src(p.child_by_field_name("pattern")) == name
            )
        ]
        match = named[0] if named else (found[position] if position < len(found) else None)
        annotation = match.child_by_field_name("type") if match is not None else None
        if annotation is None:
            return None
        text = doc.src(annotation).lstrip(":").strip()
        if text not in texts:
            texts.insert(0, text)  # walking upwards: keep the declaration order
        sibling = sibling.prev_named_sibling
    if not texts:
        return None
    return " | ".join(f"({t})" if "=>" in t and len(texts) > 1 else t for t in texts)


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
    if not ctx.may_type():
        return []
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
