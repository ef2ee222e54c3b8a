"""Values from the code around an error: members of nearby values, and in-scope values for an
expression of the wrong type.

`member_paths` finds `store.getState` for a missing `getState`: the members of the values declared
nearest the error (the enclosing functions' parameters, earlier declarations), as TypeScript
completes them after a `v.` typed into its copy of the file in front of the statement (nothing is
written to disk).

`wrong_value` answers an expression of the wrong type:

    Type 'X' is not assignable to type 'Y'.                                        (TS2322)
    Argument of type 'X' is not assignable to parameter of type 'Y'.               (TS2345)
    The left-hand / right-hand side of an arithmetic operation must be of type …   (TS2362, TS2363)
    Operator '+' cannot be applied to types 'X' and 'Y'.                           (TS2365)
    This comparison appears to be unintentional because the types … have no overlap (TS2367)

Its candidates are the in-scope values and member paths named like what receives the value (the
declared name, the property key) or like the expression itself, and, for an operand, the lossless
conversions of a literal (`'42'` ↔ `42`, `'true'` → `true`; the repair fixer converts assigned
literals by their expected type), and, for an argument, the literals the same file passes at the same
position of a call to the same name (`path.join("/")` elsewhere for `path.join(1)`): the code's own
habit is better evidence than a conversion of the wrong value. Which of them has the expected type is
the compiler's answer, not a guess made here.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from tsfix.edits import Position
from tsfix.fixers import FixContext
from tsfix.fixers.candidate import Candidate
from tsfix.fixers.search.calls import quote
from tsfix.fixers.search.names import search_candidate
from tsfix.fixers.search.rank import best, similarity
from tsfix.fixers.syntax import Doc, ancestors, headline, names_in_scope, value_node, walk

NEAREST = 4  # nearby values whose members are asked for
KEEP = 5  # in-scope values tried for an expression of the wrong type
LIKE = 0.5  # how alike a member's name must be to the wanted one
_NOT_VALUES = ("class", "module", "alias", "function", "method", "interface", "type", "enum", "keyword")
_CODES = ("TS2322", "TS2345", "TS2362", "TS2363", "TS2365", "TS2367")
_OPERANDS = ("TS2362", "TS2363", "TS2365", "TS2367")
_NUMBER = re.compile(r"^-?(?:0|[1-9]\d*)(?:\.\d+)?$")
_LITERALS = ("string", "number", "true", "false", "null", "template_string")
PASSED = 3  # literals passed elsewhere tried for a wrong argument


# ----------------------------------------------------------------------------- member paths


def member_paths(ctx: FixContext, doc: Doc, at: Any, wanted: str) -> list[tuple[str, float]]:
    """(`v.member`, rank) for the values declared nearest `at` that have a member named like
    `wanted`, best first."""
    statement = _statement(at)
    if statement is None or not wanted.isidentifier() or not ctx.may_type():
        return []
    seen: set[str] = set()
    nearest = []
    declared = sorted(names_in_scope(doc, at), key=lambda n: abs(at.start_byte - n[1].start_byte))
    for name, node in declared:
        function = node.parent is None or node.parent.type in ("function_declaration", "class_declaration")
        if name not in seen and name != wanted and not function:
            seen.add(name)
            nearest.append(name)
    out: list[tuple[str, float]] = []
    members = _members(ctx, doc, statement.start_byte, nearest[:NEAREST])
    for distance, name in enumerate(nearest[:NEAREST]):
        near = 1.0 - 0.05 * distance
        for member in members[name]:
            score = 1.0 if member == wanted else similarity(wanted, member)
            if score >= LIKE:
                out.append((f"{name}.{member}", round(0.9 * score * near, 4)))
    return sorted(out, key=lambda m: -m[1])


def _statement(node: Any) -> Any | None:
    """The statement that holds `node`, directly in a block or the program."""
    return next(
        (
            a
            for a in ancestors(node)
            if a.parent is not None and a.parent.type in ("statement_block", "program")
        ),
        None,
    )


def _members(ctx: FixContext, doc: Doc, before: int, names: list[str]) -> dict[str, list[str]]:
    """The members TypeScript completes after each `name.`, typed into memory at byte `before`, one
    line each: one edit of the file for all of them (each edit costs a new check on a large project)."""
    path = ctx.target.file
    original = ctx.service.text(path)
    index = len(doc.data[:before].decode("utf-8", errors="surrogatepass"))
    probe = "".join(f"{name}.;\n" for name in names)
    if not names:
        return {}
    ctx.service.set_text(path, original[:index] + probe + original[index:])
    at = doc.pos(before)
    out = {}
    try:
        for n, name in enumerate(names):
            column = (at.col if n == 0 else 0) + len(name) + 1
            found = ctx.service.completions(path, Position(at.line + n, column))
            out[name] = [
                c.name for c in found if c.kind not in ("keyword", "module") and c.name.isidentifier()
            ]
    finally:
        ctx.service.set_text(path, original)
    return out


# ----------------------------------------------------------------------------- wrong values


def wrong_value(ctx: FixContext, doc: Doc) -> list[Candidate]:
    if ctx.target.code not in _CODES:
        return []
    node = doc.node_spanning(ctx.target.start, ctx.target.end)
    if node is None:
        return []
    if node.type == "binary_expression" and ctx.target.code in ("TS2365", "TS2367"):
        expressions = [node.child_by_field_name("right"), node.child_by_field_name("left")]
    else:
        expressions = [value_node(doc, ctx)]
    out: list[Candidate] = []
    # `T | undefined` where `T` is wanted: the value is the right one, its absence is the problem
    # (narrow or assert it); another value in its place is a last resort
    absent = 0.5 if _only_nullish(headline(ctx)) else 1.0
    if absent < 1.0 and not ctx.long_shots:
        return []  # asked again when nothing else verifies (each probe below costs checks)
    # an expression over several lines (an object of methods, a callback) is code, not a value
    # that was swapped: replacing it by a name deletes what a person wrote
    short = [e for e in expressions if e is not None and e.end_point[0] - e.start_point[0] < 3]
    for n, expression in enumerate(short):
        order = (1.0 - 0.1 * n) * absent  # the right operand is more often the one replaced
        out += [_replace(doc, expression, text, rank * order) for text, rank in _values(ctx, doc, expression)]
        out += [
            _replace(doc, expression, text, rank * order) for text, rank in passed_elsewhere(doc, expression)
        ]
        if ctx.target.code in _OPERANDS:
            out += [
                _replace(doc, expression, text, rank * order) for text, rank in _conversions(doc, expression)
            ]
    for c in out:
        c.long_shot = absent < 1.0
    return out


_MISMATCH = re.compile(
    r"^(?:Type|Argument of type) '(?P<source>.+?)' is not assignable to (?:parameter of )?type '(?P<target>.+?)'"
)


def _only_nullish(message: str) -> bool:
    """Does the message say a `T | undefined` (or `| null`) was given where `T` is wanted?"""
    m = _MISMATCH.match(message)
    if not m:
        return False
    parts = [p.strip() for p in m.group("source").split(" | ")]
    kept = [p for p in parts if p not in ("undefined", "null")]
    return len(kept) < len(parts) and " | ".join(kept) == m.group("target").strip()


def _replace(doc: Doc, expression: Any, text: str, rank: float) -> Candidate:
    return search_candidate(
        "replace-value",
        f"Use {text} instead of {doc.src(expression)[:40]}",
        (doc.replace(expression, text),),
        rank,
    )


def _receiver_name(doc: Doc, expression: Any) -> str | None:
    """The name that receives the value: the declared variable, the property key, the assignment target."""
    parent = expression.parent
    if parent is None:
        return None
    field = {"variable_declarator": "name", "pair": "key", "assignment_expression": "left"}.get(parent.type)
    target = parent.child_by_field_name(field) if field else None
    if target is None:
        return None
    if target.type == "member_expression":
        target = target.child_by_field_name("property")
    text = doc.src(target).strip("'\"")
    return text if text.isidentifier() else None


def _values(ctx: FixContext, doc: Doc, expression: Any) -> list[tuple[str, float]]:
    """In-scope values and member paths named like the receiver or like the expression."""
    own = doc.src(expression)
    names = [n for n in (_receiver_name(doc, expression), _last_name(own)) if n]
    if not names:
        return []
    found = ctx.service.completions(ctx.target.file, doc.pos(expression.start_byte))
    values = [c.name for c in found if c.local and c.is_value and c.kind not in _NOT_VALUES]
    ranked: dict[str, float] = {}
    for name in names:
        for value, score in best(name, values, KEEP, 0.3):
            ranked[value] = max(ranked.get(value, 0.0), 0.8 * score)
    for name in names[:1]:  # members of nearby values, named like the first
        for path, score in member_paths(ctx, doc, expression, name)[:KEEP]:
            ranked[path] = max(ranked.get(path, 0.0), 0.75 * score)
    taken = _other_arguments(doc, expression)  # `cmp(item, item)` passes one value twice: never the fix
    return sorted(((v, r) for v, r in ranked.items() if v != own and v not in taken), key=lambda v: -v[1])[
        :KEEP
    ]


def _other_arguments(doc: Doc, expression: Any) -> set[str]:
    found = _argument_of(expression)
    if found is None:
        return set()
    args = found[0].child_by_field_name("arguments")
    return {doc.src(a) for a in args.named_children if a.id != expression.id} if args is not None else set()


def _callee_name(call: Any) -> str | None:
    """`join` of `path.join(…)` and of `join(…)`."""
    callee = call.child_by_field_name("function")
    if callee is not None and callee.type == "member_expression":
        callee = callee.child_by_field_name("property")
    return callee.text.decode("utf-8", "replace") if callee is not None and callee.type in (
        "identifier", "property_identifier") else None  # fmt: skip


def _argument_of(node: Any) -> tuple[Any, int] | None:
    """(the call, the index) when `node` is an argument of a call."""
    args = node.parent
    if (
        args is None
        or args.type != "arguments"
        or args.parent is None
        or args.parent.type != "call_expression"
    ):
        return None
    index = [a.id for a in args.named_children if a.type != "comment"].index(node.id)
    return args.parent, index


def passed_elsewhere(doc: Doc, expression: Any) -> list[tuple[str, float]]:
    """(literal, rank) for the literals the file passes at the same argument position of other calls
    to the same name, the most frequent first: for `keys.join(4)`, the `', '` of `names.join(', ')`."""
    found = _argument_of(expression)
    name = _callee_name(found[0]) if found else None
    if found is None or name is None:
        return []
    call, index = found
    own = doc.src(expression)
    counts: Counter[str] = Counter()
    for other in walk(doc.tree.root_node):
        if other.type != "call_expression" or other.id == call.id or _callee_name(other) != name:
            continue
        args = other.child_by_field_name("arguments")
        given = [a for a in args.named_children if a.type != "comment"] if args is not None else []
        literal = given[index] if index < len(given) else None
        if literal is None or literal.type not in _LITERALS or doc.src(literal) == own:
            continue
        if literal.type != "template_string" or not literal.named_children:  # no `${…}` in it
            counts[doc.src(literal)] += 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:PASSED]
    return [(text, round(0.9 - 0.05 * n, 4)) for n, (text, _) in enumerate(ranked)]


def _last_name(text: str) -> str | None:
    """`total` of `order.total` or of `total`; None for anything that is not a name or a member."""
    m = re.fullmatch(r"(?:[A-Za-z_$][\w$]*\??\.)*([A-Za-z_$][\w$]*)", text.strip())
    return m.group(1) if m else None


def _conversions(doc: Doc, expression: Any) -> list[tuple[str, float]]:
    """Lossless literal conversions: the same value written as the other primitive type."""
    text = doc.src(expression)
    if expression.type == "string" and len(text) >= 2:
        inner = text[1:-1]
        if _NUMBER.match(inner):
            return [(inner, 0.7)]
        if inner in ("true", "false"):
            return [(inner, 0.7)]
        return []
    q = quote(doc)
    if expression.type == "number" and _NUMBER.match(text):
        return [(f"{q}{text}{q}", 0.6)]
    if expression.type in ("true", "false"):
        return [(f"{q}{text}{q}", 0.6)]
    return []
