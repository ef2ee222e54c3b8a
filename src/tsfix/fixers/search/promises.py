"""A promise used where its value is meant: `await`, wherever the mismatch surfaces.

A dropped `await` shows up as whatever the promise meets next — a missing member (TS2339), an
assignment or argument of the wrong type (TS2322, TS2345, TS2740), a value that is not iterable
(TS2488, TS2504), an operator on an object … — so this probe does not look at the error code. It
looks at the expressions the error is about: the node at the error and the ones around it up to
the statement, each identifier followed to its declaration. Each is offered awaited — at the use,
or where the variable is initialised — and the enclosing function made `async` when it is not.
When nothing in the message or the types says "Promise", the candidates rank low; an `await` on
a value that is not a promise changes no type, so it cannot verify by accident.
"""

from __future__ import annotations

import re
from typing import Any

from tsfix.edits import TextEdit
from tsfix.fixers import FixContext
from tsfix.fixers.candidate import Candidate
from tsfix.fixers.search.names import search_candidate
from tsfix.fixers.syntax import FUNCTIONS, Doc, ancestors, value_node

_PROMISE = re.compile(r"\b\w*Promise\w*<|\bPromiseLike\b|\bThenable\b")
_AWAITABLE = {"identifier", "call_expression", "member_expression", "shorthand_property_identifier"}
_STOP = {"expression_statement", "return_statement", "lexical_declaration", "variable_declaration",
         "if_statement", "for_in_statement", "for_statement", "statement_block", "program"}  # fmt: skip
MAX_EXPRESSIONS = 4
_UNKNOWN_NAME = {"TS2304", "TS2552", "TS18004", "TS2305", "TS2724"}


def unawaited_promise(ctx: FixContext, doc: Doc) -> list[Candidate]:
    if ctx.target.code in _UNKNOWN_NAME:
        return []  # a name that does not exist is not a promise
    node = doc.node_spanning(ctx.target.start, ctx.target.end)
    if node.parent is not None and node.parent.child_by_field_name("name") == node:
        node = value_node(doc, ctx) or node  # `const t: T = value` is reported at `t`
    elif (
        node.parent is not None
        and node.parent.type == "assignment_expression"
        and (node.parent.child_by_field_name("left") == node)
    ):
        node = node.parent.child_by_field_name("right") or node  # `t = value` too
    function = next((a for a in ancestors(node) if a.type in FUNCTIONS), None)
    if function is None:
        return []  # top-level await is a module format question, not a fix
    said = bool(_PROMISE.search(ctx.target.message))
    out: list[Candidate] = []
    seen: set[tuple[int, int]] = set()
    for expression in _expressions(node):
        if (expression.start_byte, expression.end_byte) in seen:
            continue
        seen.add((expression.start_byte, expression.end_byte))
        evidence = said or _is_promise(ctx, doc, expression)
        rank = 0.9 if evidence else 0.4
        if expression.type in ("identifier", "shorthand_property_identifier"):
            initializer = _initializer(ctx, doc, expression)
            if initializer is not None:
                owner = next((a for a in ancestors(initializer) if a.type in FUNCTIONS), None)
                if owner is not None:
                    out.append(
                        _awaited(doc, initializer, owner, f"the initializer of {doc.src(expression)}", rank)
                    )
        if expression.type != "shorthand_property_identifier":
            out.append(_awaited(doc, expression, function, doc.src(expression), rank * 0.9))
    for c in out:
        c.long_shot = not said and c.rank < 0.5  # nothing says Promise (an alias might hide one)
    return out


def _expressions(node: Any) -> list[Any]:
    """The error's node and its enclosing expressions up to the statement; never a call's callee."""
    found: list[Any] = []
    for current in ancestors(node):
        if current.type in _STOP or current.type in FUNCTIONS or len(found) >= MAX_EXPRESSIONS:
            break
        parent = current.parent
        if parent is not None and parent.type == "await_expression":
            return []  # already awaited
        callee = (
            parent is not None
            and parent.type == "call_expression"
            and parent.child_by_field_name("function") == current
        )
        named = parent is not None and parent.child_by_field_name("name") == current
        if current.type == "member_expression":
            obj = current.child_by_field_name("object")
            if obj is not None and obj.type in _AWAITABLE:
                found.append(obj)  # `x.member`: x is what would be awaited
        if current.type in _AWAITABLE and not callee and not named:
            found.append(current)
    return found


def _is_promise(ctx: FixContext, doc: Doc, expression: Any) -> bool:
    at = expression
    if expression.type == "call_expression":
        at = expression.child_by_field_name("function") or expression
        if at.type == "member_expression":
            at = at.child_by_field_name("property") or at
    elif expression.type == "member_expression":
        at = expression.child_by_field_name("property") or expression
    info = ctx.service.quick_info(ctx.target.file, doc.pos(at.start_byte)) or ""
    return bool(_PROMISE.search(info))


def _initializer(ctx: FixContext, doc: Doc, identifier: Any) -> Any | None:
    """The value a `const`/`let` in this file was declared with, unless it is already awaited."""
    for path, start, _ in ctx.service.definition(ctx.target.file, doc.pos(identifier.start_byte)):
        if path != doc.path:
            continue
        declarator = next((a for a in ancestors(doc.node_at(start)) if a.type == "variable_declarator"), None)
        value = declarator.child_by_field_name("value") if declarator is not None else None
        if value is not None and value.type != "await_expression":
            return value
    return None


def _awaited(doc: Doc, expression: Any, function: Any, what: str, rank: float) -> Candidate:
    parent = expression.parent
    bare = parent is not None and (
        parent.type in ("variable_declarator", "arguments", "return_statement", "pair", "array",
                        "expression_statement", "spread_element")
        or (parent.type == "assignment_expression" and parent.child_by_field_name("right") == expression)
    )  # fmt: skip
    edits = [
        doc.insert(expression.start_byte, "await ")
        if bare
        else doc.replace(expression, f"(await {doc.src(expression)})")
    ]
    made_async = not _is_async(doc, function)
    if made_async:
        edits.extend(_make_async(doc, function))
    description = f"Await {what}" + (" (and make the function async)" if made_async else "")
    return search_candidate("await", description, tuple(edits), rank * (0.8 if made_async else 1.0))


def _is_async(doc: Doc, function: Any) -> bool:
    return any(c.type == "async" for c in function.children) or doc.src(function).lstrip().startswith("async")


def _make_async(doc: Doc, function: Any) -> list[TextEdit]:
    if function.type == "method_definition":
        name = function.child_by_field_name("name")
        at = name.start_byte if name is not None else function.start_byte
    else:
        at = function.start_byte
    edits = [doc.insert(at, "async ")]
    annotation = function.child_by_field_name("return_type")
    declared = annotation.named_children[0] if annotation is not None and annotation.named_children else None
    if declared is not None and not doc.src(declared).startswith("Promise<"):
        edits.append(doc.replace(declared, f"Promise<{doc.src(declared)}>"))
    return edits
