"""Repairs of values of the wrong type: literals converted losslessly, possibly undefined values
accessed with `?.`, a return type declared as what is returned, an async function's return type
wrapped in `Promise<…>`."""

from __future__ import annotations

import re
from typing import Any

from tsfix.code_text import idiom_counts
from tsfix.fixers import FixContext
from tsfix.fixers.candidate import Candidate
from tsfix.fixers.search.indexes import proven_read
from tsfix.fixers.syntax import FUNCTIONS, Doc, ancestors, candidate, headline, value_node
from tsfix.style import detect

_ASSIGNABILITY = re.compile(
    r"^(?:Type|Argument of type) '(?P<source>.+?)' is not assignable to (?:parameter of )?type '(?P<target>.+?)'\."
)
_MISSING_PROPERTIES = re.compile(
    r"^Type '(?P<source>.+?)' is missing the following properties from type '(?P<target>.+?)':"
)


def _types_of(text: str) -> re.Match[str] | None:
    """(source, target) of an assignability message, whichever form TypeScript used."""
    return _ASSIGNABILITY.match(text) or _MISSING_PROPERTIES.match(text)


def _quote(doc: Doc) -> str:
    return "'" if doc.text.count("'") > doc.text.count('"') else '"'


def literal_type(ctx: FixContext, doc: Doc) -> list[Candidate]:
    """A literal of the wrong primitive type, converted losslessly: "3" → 3, 3 → "3", "true" → true.

    A number where a string is wanted ranks lower (0.6) than the others: `"3"` → 3 and 1 → true keep
    the value, but a string parameter rarely wants digits (a separator, a key, a message), so the
    literals the code passes there elsewhere (the search's `passed_elsewhere`) come first."""
    m = _ASSIGNABILITY.match(headline(ctx))
    if not m:
        return []
    wanted = {t.strip() for t in m.group("target").split("|")}
    value = value_node(doc, ctx)
    if value is None:
        return []
    text = doc.src(value)
    replacement = None
    rank = 1.0
    if value.type == "string":
        inner = text[1:-1]
        if ("number" in wanted and re.fullmatch(r"-?\d+(\.\d+)?", inner)) or (
            "boolean" in wanted and inner in ("true", "false")
        ):
            replacement = inner
    elif value.type == "number":
        if "string" in wanted:
            replacement, rank = f"{_quote(doc)}{text}{_quote(doc)}", 0.6
        elif "boolean" in wanted and text in ("0", "1"):
            replacement = "true" if text == "1" else "false"
    elif value.type in ("true", "false"):
        if "string" in wanted:
            replacement = f"{_quote(doc)}{text}{_quote(doc)}"
        elif "number" in wanted:
            replacement = "1" if text == "true" else "0"
    elif value.type == "template_string":
        parts = [c for c in value.named_children if c.type == "template_substitution"]
        if len(parts) == 1 and doc.src(value) == f"`{doc.src(parts[0])}`" and parts[0].named_children:
            replacement = doc.src(parts[0].named_children[0])  # `${x}` where a non-string is wanted
    if replacement is None or replacement == text:
        return []
    found = candidate("literal-type", f"Write {text} as {replacement} ({' | '.join(sorted(wanted))} expected)",
                      doc.replace(value, replacement))  # fmt: skip
    found.rank = rank
    return [found]


_POSSIBLY = {"TS18048", "TS18047", "TS18049", "TS2532", "TS2531", "TS2533", "TS2722", "TS2721", "TS2723"}


def optional_chaining(ctx: FixContext, doc: Doc) -> list[Candidate]:
    """A possibly undefined (or null) value used: access it with `?.`."""
    if ctx.target.code not in _POSSIBLY:
        return []
    node = doc.node_spanning(ctx.target.start, ctx.target.end)
    parent = node.parent
    if parent is None:
        return []
    if (
        parent.type in ("member_expression", "subscript_expression")
        and parent.child_by_field_name("object") == node
    ):
        if doc.src(parent)[len(doc.src(node)) :].startswith("?."):
            return []
        joint = "?." if parent.type == "subscript_expression" else "?"
        edit = doc.insert(node.end_byte, joint)
        found = [
            candidate("optional-chaining", f"Access {doc.src(node)} with ?. (it may be undefined)", edit)
        ]
        if proven_read(ctx, doc, node):
            found[0].rank = 0.9  # the element exists: the search's `list[i]!` says so without a dead branch
        return _before(_as_the_file_asserts(doc, node), found)
    if parent.type == "call_expression" and parent.child_by_field_name("function") == node:
        found = [
            candidate(
                "optional-chaining",
                f"Call {doc.src(node)} with ?.() (it may be undefined)",
                doc.insert(node.end_byte, "?."),
            )
        ]
        if proven_read(ctx, doc, node):
            found[0].rank = 0.9
        return _before(_as_the_file_asserts(doc, node), found)
    return []


def _before(first: list[Candidate], then: list[Candidate]) -> list[Candidate]:
    """`first`, then `then` ranked below it when there is a `first`."""
    if first:
        for c in then:
            c.rank = min(c.rank, first[0].rank) * 0.9
    return first + then


def _as_the_file_asserts(doc: Doc, node: Any) -> list[Candidate]:
    """`x!` where asserting this very expression non-null is the file's idiom for it (`x!.base` twice
    or more, and more often than `x?.`): not a new silencing (verify.suppression_in agrees), and ranked
    before `?.`, which would change what the code does when it is undefined."""
    text = doc.src(node)
    asserted, optional = idiom_counts(doc.text, text)
    if asserted < 2 or asserted <= optional:
        return []
    found = candidate(
        "non-null-as-elsewhere",
        f"Assert {text} non-null, as the file already does",
        doc.insert(node.end_byte, "!"),
    )
    found.rank = 1.0
    return [found]


def _async_function(node: Any, doc: Doc) -> bool:
    for current in ancestors(node):
        if current.type in FUNCTIONS:
            return doc.src(current).lstrip().startswith("async") or any(
                c.type == "async" for c in current.children
            )
    return False


def return_annotation(ctx: FixContext, doc: Doc) -> list[Candidate]:
    """A returned value that does not match the declared return type: declare what is returned."""
    m = _types_of(headline(ctx))
    if not m or m.group("source").startswith("Promise<"):
        return []
    node = doc.node_spanning(ctx.target.start, ctx.target.end)
    function = next((a for a in ancestors(node) if a.type in FUNCTIONS), None)
    returned = any(a.type == "return_statement" for a in ancestors(node))
    if function is not None and function.type == "arrow_function":
        body = function.child_by_field_name("body")
        returned = returned or (body is not None and body.type != "statement_block")  # `(): T => value`
    if not returned:
        return []
    annotation = function.child_by_field_name("return_type") if function is not None else None
    if annotation is None or not annotation.named_children:
        return []
    declared = annotation.named_children[0]
    source, target = m.group("source"), m.group("target")
    if "import(" in source or len(source) > 80 or "..." in source:
        return []
    declared_text = doc.src(declared)
    is_async = _async_function(declared, doc) and declared_text.startswith("Promise<")
    if source.startswith("undefined") or source.endswith("| undefined") or source == "null":
        new_type = f"{target} | {source}" if source in ("undefined", "null") else source
    else:
        new_type = source
    replacement = f"Promise<{new_type}>" if is_async else new_type
    if replacement == declared_text:
        return []
    return [
        candidate(
            "return-type",
            f"Declare the return type {replacement} (what is returned)",
            doc.replace(declared, replacement),
        )
    ]


def async_return_type(ctx: FixContext, doc: Doc) -> list[Candidate]:
    """An async function declared to return `T` (TS1064): declare `Promise<T>`, with `T` as written
    (TypeScript 5's quick fix does this; TypeScript 7 has none, and its message prints `T` without
    the qualifier the code uses)."""
    if ctx.target.code != "TS1064":
        return []
    node = doc.node_spanning(ctx.target.start, ctx.target.end)
    function = next((a for a in ancestors(node) if a.type in FUNCTIONS), None)
    annotation = function.child_by_field_name("return_type") if function is not None else None
    if annotation is None or not annotation.named_children:
        return []
    declared = annotation.named_children[0]
    wrapped = f"Promise<{doc.src(declared)}>"
    return [candidate("async-return-type", f"Declare the return type {wrapped} (the function is async)",
                      doc.replace(declared, wrapped))]  # fmt: skip


def implicit_return(ctx: FixContext, doc: Doc) -> list[Candidate]:
    """Not all code paths return a value (TS7030, noImplicitReturns, reported at the function's name):
    the path that falls off the end returns `undefined` explicitly — what it already returns, now said."""
    if ctx.target.code != "TS7030":
        return []
    node = doc.node_spanning(ctx.target.start, ctx.target.end)
    semicolon = ";" if detect(doc.text, doc.path).semicolons else ""
    function = next((a for a in ancestors(node) if a.type in FUNCTIONS), None)
    body = function.child_by_field_name("body") if function is not None else None
    if body is None or body.type != "statement_block" or not body.named_children:
        return []
    last = body.named_children[-1]
    line_start = doc.data.rfind(b"\n", 0, last.start_byte) + 1
    indent = doc.data[line_start : last.start_byte].decode("utf-8", "replace")
    if indent.strip():
        return []  # the last statement shares its line with something else: no place for a new line
    return [candidate("explicit-return", "Return undefined explicitly at the end",
                      doc.insert(last.end_byte, f"\n{indent}return undefined{semicolon}"))]  # fmt: skip
