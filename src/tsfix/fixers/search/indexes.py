"""An element read under `noUncheckedIndexedAccess`: assert the element exists, where it is read.

With that flag TypeScript types `list[i]` and `record[key]` as `T | undefined`: the flag makes the
code say, at each indexed read, that the element is there. That statement is `list[i]!`, the remedy
TypeScript's own documentation of the flag gives; it restores exactly the type the read had before
the flag, and nothing else. So this probe offers `!` on an element access — never on any other
expression (that would be silencing) — and only when the program has the flag on.

Where: at the indexed read itself when the error is there (`existing[i].type`), and at the
initializer when the error is at a variable that was declared from one (`const key = keys[i]`, used
five times below): one assertion at the source fixes every use, as a person would write it.

How sure: an index bounded by the loop it is in (`for (let i = 0; i < list.length; i++)` reading
`list[i]`, or counting down from `list.length - 1` to 0) is proven to exist; that candidate ranks
1. Any other read (a record's key, `list[0]`) is an assertion about the data, not proven here: it
is offered as a guess, so that its confidence stays below what `apply --all` applies by default.
"""

from __future__ import annotations

import re
from typing import Any

from tsfix.fixers import FixContext
from tsfix.fixers.candidate import Candidate
from tsfix.fixers.search.names import search_candidate
from tsfix.fixers.syntax import FUNCTIONS, Doc, ancestors, names_in_scope

_NAMES = ("identifier", "shorthand_property_identifier")
_STOP = {"expression_statement", "return_statement", "lexical_declaration", "variable_declaration",
         "if_statement", "for_statement", "for_in_statement", "statement_block", "program"}  # fmt: skip
MAX_EXPRESSIONS = 6


def unchecked_index(ctx: FixContext, doc: Doc) -> list[Candidate]:
    if "undefined" not in ctx.target.message or not ctx.compiler_options().get("noUncheckedIndexedAccess"):
        return []
    node = doc.node_spanning(ctx.target.start, ctx.target.end)
    out: list[Candidate] = []
    seen: set[int] = set()
    for expression in _expressions(node):
        read = expression
        if expression.type in _NAMES:
            read = _initializer(ctx, doc, expression)
            if read is None:
                continue
        if read.type != "subscript_expression" or read.end_byte in seen or _asserted(read):
            continue
        seen.add(read.end_byte)
        out.append(_asserted_candidate(doc, read))
    return out


def _expressions(node: Any) -> list[Any]:
    """The error's node and the expressions around it up to the statement, each member access's
    object and a call's callee included (what may be undefined there)."""
    found: list[Any] = []
    for current in ancestors(node):
        if current.type in _STOP or current.type in FUNCTIONS or len(found) >= MAX_EXPRESSIONS:
            break
        if current.type in ("subscript_expression", *_NAMES):
            found.append(current)
        if current.type == "variable_declarator":  # `const { a, b } = value`, reported at `a`
            value = current.child_by_field_name("value")
            if value is not None and value.type in ("subscript_expression", "identifier"):
                found.append(value)
            break
        children = [current.child_by_field_name(f) for f in ("object", "function", "index", "right")]
        if current.type in ("as_expression", "satisfies_expression", "parenthesized_expression"):
            children.append(current.named_children[0] if current.named_children else None)  # `(x[k] as T)`
        found += [c for c in children if c is not None and c.type in ("subscript_expression", "identifier")]
    return found


def proven_read(ctx: FixContext, doc: Doc, node: Any) -> bool:
    """Is `node` an element read its loop keeps in bounds, or a variable declared from one? Then it
    is never undefined, and `?.` on it would add a branch that cannot run."""
    if not ctx.compiler_options().get("noUncheckedIndexedAccess"):
        return False
    read = _initializer(ctx, doc, node) if node.type in _NAMES else node
    return read is not None and read.type == "subscript_expression" and _in_bounds(doc, read)


def _asserted(read: Any) -> bool:
    parent = read.parent
    return parent is not None and parent.type == "non_null_expression"


def _initializer(ctx: FixContext, doc: Doc, identifier: Any) -> Any | None:
    """The element access a variable of this file was declared with (without a type of its own:
    a declared type would be what the assertion contradicts): the nearest declaration of that name
    in scope (read from the syntax tree; a shorthand property `{ name }` included), else where the
    language service says the name is declared."""
    name = doc.src(identifier)
    scoped = next((n for found, n in names_in_scope(doc, identifier) if found == name), None)
    declarations = (
        [scoped]
        if scoped is not None
        else [
            doc.node_at(start)
            for path, start, _ in ctx.service.definition(ctx.target.file, doc.pos(identifier.start_byte))
            if path == doc.path
        ]
    )
    for declared in declarations:
        declarator = next((a for a in ancestors(declared) if a.type == "variable_declarator"), None)
        if declarator is None or declarator.child_by_field_name("type") is not None:
            continue
        value = declarator.child_by_field_name("value")
        while value is not None and value.type == "parenthesized_expression" and value.named_children:
            value = value.named_children[0]
        if value is not None and value.type == "subscript_expression":
            return value
    return None


def _asserted_candidate(doc: Doc, read: Any) -> Candidate:
    text = " ".join(doc.src(read).split())
    text = text if len(text) <= 60 else f"{text[:28]}…{text[-28:]}"
    proven = _in_bounds(doc, read)
    why = "its loop keeps the index in bounds" if proven else "assumes the element exists"
    found = search_candidate(
        "index-exists",
        f"Assert that {text} exists ({why})",
        (doc.insert(read.end_byte, "!"),),
        1.0 if proven else 0.7,
    )
    found.guess = not proven
    return found


def _in_bounds(doc: Doc, read: Any) -> bool:
    """`list[i]` inside `for (…; i < list.length; …)` (or `i < list.length - 1`, `i <= list.length - 1`), or inside a loop
    counting `i` down from `list.length - 1` while `i >= 0`, with `i` not assigned in the body."""
    obj, index = read.child_by_field_name("object"), read.child_by_field_name("index")
    if obj is None or index is None or index.type != "identifier":
        return False
    i, listed = re.escape(doc.src(index)), re.escape(doc.src(obj))
    for loop in ancestors(read):
        if loop.type in FUNCTIONS:
            return False
        if loop.type != "for_statement":
            continue
        condition = loop.child_by_field_name("condition")
        init = loop.child_by_field_name("initializer")
        body = loop.child_by_field_name("body")
        cond = " ".join(doc.src(condition).split()).rstrip(";") if condition is not None else ""
        start = " ".join(doc.src(init).split()) if init is not None else ""
        up = re.fullmatch(
            rf"{i}\s*<\s*{listed}\.length(\s*-\s*\d+)?|{i}\s*<=\s*{listed}\.length\s*-\s*[1-9]\d*", cond
        )
        down = re.fullmatch(rf"{i}\s*>=\s*0", cond) and re.search(
            rf"\b{i}\s*=\s*{listed}\.length\s*-\s*1\b", start
        )
        if up and not re.search(r"=\s*-", start) and not _assigned(doc, body, i):
            return True
        if down and not _assigned(doc, body, i):
            return True
    return False


def _assigned(doc: Doc, body: Any, name: str) -> bool:
    """Does the loop body assign, increment or decrement `name`? Then the bound proves nothing."""
    if body is None:
        return True
    text = doc.src(body)
    return bool(re.search(rf"(?<![\w$.]){name}\s*([-+*/%]?=(?!=)|\+\+|--)|(\+\+|--)\s*{name}\b", text))
