"""Repairs of values of the wrong type: literals converted losslessly, possibly undefined values
accessed with `?.`, promises awaited, a missing property supplied, a return type declared as what
is returned."""

from __future__ import annotations

import re
from typing import Any

from tsfix.fixers import FixContext
from tsfix.fixers.candidate import Candidate
from tsfix.fixers.syntax import FUNCTIONS, Doc, ancestors, candidate, headline, names_in_scope, walk
from tsfix.langserver import LanguageServiceError

_ASSIGNABILITY = re.compile(
    r"^(?:Type|Argument of type) '(?P<source>.+?)' is not assignable to (?:parameter of )?type '(?P<target>.+?)'\."
)
_MISSING_PROPERTIES = re.compile(
    r"^Type '(?P<source>.+?)' is missing the following properties from type '(?P<target>.+?)':"
)


def _types_of(text: str) -> re.Match[str] | None:
    """(source, target) of an assignability message, whichever form TypeScript used."""
    return _ASSIGNABILITY.match(text) or _MISSING_PROPERTIES.match(text)


def _value_node(doc: Doc, ctx: FixContext) -> Any | None:
    """The expression an assignability error is about (TypeScript often reports the name beside it)."""
    node = doc.node_spanning(ctx.target.start, ctx.target.end)
    for current in ancestors(node):
        kind = current.type
        if kind in (
            "variable_declarator",
            "public_field_definition",
            "pair",
            "jsx_attribute",
            "assignment_expression",
        ):
            for field in ("value", "right"):
                value = current.child_by_field_name(field)
                if value is not None:
                    return value
            if kind == "jsx_attribute" and current.named_child_count >= 2:
                value = current.named_children[-1]
                return (
                    value.named_children[0]
                    if value.type == "jsx_expression" and value.named_children
                    else value
                )
            return None
        if kind == "return_statement":
            return current.named_children[0] if current.named_children else None
        if kind in ("arguments", "program", "statement_block"):
            break
    return node


def _quote(doc: Doc) -> str:
    return "'" if doc.text.count("'") > doc.text.count('"') else '"'


def literal_type(ctx: FixContext, doc: Doc) -> list[Candidate]:
    """A literal of the wrong primitive type, converted losslessly: "3" → 3, 3 → "3", "true" → true."""
    m = _ASSIGNABILITY.match(headline(ctx))
    if not m:
        return []
    wanted = {t.strip() for t in m.group("target").split("|")}
    value = _value_node(doc, ctx)
    if value is None:
        return []
    text = doc.src(value)
    replacement = None
    if value.type == "string":
        inner = text[1:-1]
        if ("number" in wanted and re.fullmatch(r"-?\d+(\.\d+)?", inner)) or (
            "boolean" in wanted and inner in ("true", "false")
        ):
            replacement = inner
    elif value.type == "number":
        if "string" in wanted:
            replacement = f"{_quote(doc)}{text}{_quote(doc)}"
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
    return [candidate("literal-type", f"Write {text} as {replacement} ({' | '.join(sorted(wanted))} expected)",
                      doc.replace(value, replacement))]  # fmt: skip


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
        return [candidate("optional-chaining", f"Access {doc.src(node)} with ?. (it may be undefined)", edit)]
    if parent.type == "call_expression" and parent.child_by_field_name("function") == node:
        return [
            candidate(
                "optional-chaining",
                f"Call {doc.src(node)} with ?.() (it may be undefined)",
                doc.insert(node.end_byte, "?."),
            )
        ]
    return []


def _async_function(node: Any, doc: Doc) -> bool:
    for current in ancestors(node):
        if current.type in FUNCTIONS:
            return doc.src(current).lstrip().startswith("async") or any(
                c.type == "async" for c in current.children
            )
    return False


def await_promise(ctx: FixContext, doc: Doc) -> list[Candidate]:
    """A Promise used as the value it resolves to, in an async function: await it."""
    text = headline(ctx)
    if not re.search(r"'\w*Promise\w*<", text):  # Promise<T>, PromiseLike<T>, MaybePromise<T>, …
        return []
    node = doc.node_spanning(ctx.target.start, ctx.target.end)
    out: list[Candidate] = []
    member = re.match(r"^Property '([^']+)' does not exist on type '\w*Promise\w*<", text)
    if member and node.parent is not None and node.parent.type == "member_expression":
        obj = node.parent.child_by_field_name("object")
        if obj is not None and _async_function(node, doc):
            out.append(
                candidate("await", f"Await {doc.src(obj)}", doc.replace(obj, f"(await {doc.src(obj)})"))
            )
            if obj.type == "identifier":
                out.extend(_await_initializer(ctx, doc, obj))
        return out
    m = _types_of(text)
    if m and re.match(r"\w*Promise\w*<", m.group("source")):
        value = _value_node(doc, ctx)
        if value is not None and value.type != "await_expression" and _async_function(value, doc):
            out.append(candidate("await", f"Await {doc.src(value)}", doc.insert(value.start_byte, "await ")))
    return out


def _await_initializer(ctx: FixContext, doc: Doc, identifier: Any) -> list[Candidate]:
    try:
        places = ctx.service.definition(ctx.target.file, doc.pos(identifier.start_byte))
    except LanguageServiceError:
        return []
    for path, start, _ in places:
        if path != doc.path:
            continue
        declarator = next((a for a in ancestors(doc.node_at(start)) if a.type == "variable_declarator"), None)
        value = declarator.child_by_field_name("value") if declarator is not None else None
        if value is not None and value.type == "call_expression" and _async_function(value, doc):
            return [
                candidate(
                    "await",
                    f"Await the initializer of {doc.src(identifier)}",
                    doc.insert(value.start_byte, "await "),
                )
            ]
    return []


def missing_property(ctx: FixContext, doc: Doc) -> list[Candidate]:
    """An object literal lacking a required property that a same-named variable in scope can supply."""
    m = re.match(r"^Property '([^']+)' is missing in type '.*' but required in type", headline(ctx))
    if not m:
        return []
    wanted = m.group(1)
    value = _value_node(doc, ctx)
    if value is None or value.type != "object":
        value = next(
            (n for n in walk(doc.node_spanning(ctx.target.start, ctx.target.end)) if n.type == "object"),
            None,
        )
    if value is None or wanted not in dict(names_in_scope(doc, value)):
        return []
    members = [c for c in value.named_children if c.type != "comment"]
    if members:
        edit = doc.insert(members[-1].end_byte, f", {wanted}")
    else:
        edit = doc.replace(value, f"{{ {wanted} }}")
    return [candidate("missing-property", f"Add {wanted} (a variable of that name is in scope)", edit)]


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
