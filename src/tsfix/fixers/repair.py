"""Type-directed repair templates for errors TypeScript offers no quick fix for.

Each template reads the diagnostic (its code, message and span), the syntax around it (tree-sitter)
and what the language service says about types and names, and proposes small edits. They encode
general TypeScript knowledge — a message's own "Did you mean …?", lossless literal conversions,
argument lists, optional chaining, `await` — and nothing about any particular codebase. Every
candidate is then verified by the compiler like any other.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Iterator
from typing import Any

from tsfix.context import _parser, language_for
from tsfix.edits import Position, TextEdit, index_of, line_starts, position_of
from tsfix.fixers import FixContext, Fixer
from tsfix.langserver import LanguageServiceError
from tsfix.verify import Candidate

_FUNCTIONS = {
    "function_declaration",
    "generator_function_declaration",
    "function_expression",
    "function",
    "arrow_function",
    "method_definition",
    "generator_function",
}
_BLOCKS = {"statement_block", "program", "class_body", "switch_body"}
_DECLARATION_NODES = {
    "interface_declaration",
    "type_alias_declaration",
    "class_declaration",
    "abstract_class_declaration",
}


class Doc:
    """A file's text with its syntax tree, and conversions between tree-sitter bytes and positions."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.data = text.encode("utf-8", errors="surrogatepass")
        self.starts = line_starts(text)
        self.tree = _parser(language_for(path)).parse(self.data)

    def byte(self, pos: Position) -> int:
        return len(self.text[: index_of(self.text, pos, self.starts)].encode("utf-8", errors="surrogatepass"))

    def pos(self, byte: int) -> Position:
        index = len(self.data[:byte].decode("utf-8", errors="surrogatepass"))
        return position_of(self.text, index, self.starts)

    def node_at(self, pos: Position) -> Any:
        b = self.byte(pos)
        return self.tree.root_node.named_descendant_for_byte_range(b, b)

    def node_spanning(self, start: Position, end: Position) -> Any:
        return self.tree.root_node.named_descendant_for_byte_range(
            self.byte(start), max(self.byte(start), self.byte(end) - 1)
        )

    def src(self, node: Any) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", errors="replace")

    def span(self, start: Position, end: Position) -> str:
        return self.text[index_of(self.text, start, self.starts) : index_of(self.text, end, self.starts)]

    def replace(self, node: Any, new_text: str) -> TextEdit:
        return TextEdit(self.path, self.pos(node.start_byte), self.pos(node.end_byte), new_text)

    def replace_bytes(self, start: int, end: int, new_text: str) -> TextEdit:
        return TextEdit(self.path, self.pos(start), self.pos(end), new_text)

    def insert(self, byte: int, new_text: str) -> TextEdit:
        p = self.pos(byte)
        return TextEdit(self.path, p, p, new_text)


def ancestors(node: Any) -> Iterator[Any]:
    while node is not None:
        yield node
        node = node.parent


def headline(ctx: FixContext) -> str:
    return ctx.target.message.split("\n", 1)[0]


def candidate(name: str, description: str, *edits: TextEdit) -> Candidate:
    return Candidate("repair", tuple(edits), description, fix_name=name)


# ----------------------------------------------------------------------------- templates


def did_you_mean(ctx: FixContext, doc: Doc) -> list[Candidate]:
    """Apply the suggestion in TypeScript's own message ("Did you mean 'email'?") to the error's span."""
    m = re.search(r"Did you mean (?:to write |the (?:instance|static) member )?'(.+)'\?$", headline(ctx))
    if not m:
        return []
    suggestion = m.group(1)
    current = doc.span(ctx.target.start, ctx.target.end)
    if not current or current == suggestion or "\n" in current:
        return []
    edit = TextEdit(ctx.target.file, ctx.target.start, ctx.target.end, suggestion)
    return [candidate("did-you-mean", f"Change '{current}' to '{suggestion}', as TypeScript suggests", edit)]


_MISSING_MEMBER = re.compile(r"^Property '([^']+)' does not exist on type '(.+)'\.")


def nearest_member(ctx: FixContext, doc: Doc) -> list[Candidate]:
    """A member name that does not exist: the closest existing member of the type, by spelling."""
    m = _MISSING_MEMBER.match(headline(ctx))
    if not m or "Did you mean" in headline(ctx):
        return []
    wrong = m.group(1)
    try:
        names = {n.rstrip("?") for n in ctx.service.completions(ctx.target.file, ctx.target.start)}
    except LanguageServiceError:
        return []
    names.discard(wrong)
    close = difflib.get_close_matches(wrong, sorted(n for n in names if n.isidentifier()), n=2, cutoff=0.7)
    return [
        candidate(
            "nearest-member",
            f"Use the member '{name}' (closest to '{wrong}')",
            TextEdit(ctx.target.file, ctx.target.start, ctx.target.end, name),
        )
        for name in close
    ]


def declaration_rename(ctx: FixContext, doc: Doc) -> list[Candidate]:
    """Uses of `T.a` where T declares a similar `b`: rename the declaration, when the uses agree.

    When at least two errors in the project say "Property 'a' does not exist on type 'T'. Did you
    mean 'b'?", the code consistently uses `a`, so the declaration is the likelier mistake.
    """
    triple = _misnamed_member(headline(ctx))
    if triple is None:
        return []
    used, type_name, declared = triple
    places: set[tuple[str | None, int | None]] = {
        (d.file, d.start.line)
        for d in ctx.file_diagnostics
        if _misnamed_member(d.message.split("\n", 1)[0]) == triple
    }
    places |= {
        (e.file_path, e.line)
        for e in ctx.project_errors
        if e.file_path != ctx.target.file and _misnamed_member(e.message.split("\n", 1)[0]) == triple
    }
    if len(places) < 2:
        return []
    edits = []
    for path in _declaration_files(ctx, type_name):
        try:
            other = Doc(path, ctx.service.disk_text(path))
        except OSError:
            continue
        for node in _walk(other.tree.root_node):
            if node.type in _DECLARATION_NODES and _name(other, node) == type_name:
                for member in _walk(node):
                    if member.type in ("property_signature", "public_field_definition", "method_signature"):
                        name = member.child_by_field_name("name")
                        if name is not None and other.src(name) == declared:
                            edits.append(other.replace(name, used))
    if len(edits) != 1:
        return []
    return [
        candidate(
            "rename-declaration", f"Rename {type_name}.{declared} to '{used}', as its uses spell it", edits[0]
        )
    ]


_MISNAMED = [
    re.compile(
        r"^Property '([^']+)' does not exist on type '([A-Za-z_$][\w$]*)(?:<.*>)?'\. Did you mean '([^']+)'\?$"
    ),
    re.compile(
        r"^Object literal may only specify known properties, but '([^']+)' does not exist in type "
        r"'([A-Za-z_$][\w$]*)(?:<.*>)?'\. Did you mean to write '([^']+)'\?$"
    ),
]


def _misnamed_member(text: str) -> tuple[str, str, str] | None:
    """(name used, type, name declared) from "does not exist on type 'T'. Did you mean 'b'?" messages."""
    for pattern in _MISNAMED:
        m = pattern.match(text)
        if m:
            return m.group(1), m.group(2), m.group(3)
    return None


def _declaration_files(ctx: FixContext, type_name: str) -> list[str]:
    pattern = re.compile(rf"\b(?:interface|type|class)\s+{re.escape(type_name)}\b")
    files = []
    from tsfix.verify import ImportGraph

    for path in ImportGraph(ctx.root)._files():
        try:
            if pattern.search((ctx.root / path).read_text(encoding="utf-8", errors="replace")):
                files.append(path)
        except OSError:
            continue
    return files


def _walk(node: Any) -> Iterator[Any]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.named_children))


def _name(doc: Doc, node: Any) -> str | None:
    name = node.child_by_field_name("name")
    return doc.src(name) if name is not None else None


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


_ARITY = re.compile(r"^Expected (?:at least )?(\d+)(?:-(\d+))? arguments?, but got (\d+)")


def argument_count(ctx: FixContext, doc: Doc) -> list[Candidate]:
    """Too many arguments: drop the extras. Too few: pass the one in-scope value that fits."""
    m = _ARITY.match(headline(ctx))
    if not m:
        return []
    fewest, most, got = int(m.group(1)), int(m.group(2) or m.group(1)), int(m.group(3))
    expected = most if got > most else fewest
    call = next(
        (
            a
            for a in ancestors(doc.node_at(ctx.target.start))
            if a.type in ("call_expression", "new_expression")
        ),
        None,
    )
    if call is None:
        return []
    args = call.child_by_field_name("arguments")
    if args is None:
        return []
    given = [a for a in args.named_children if a.type != "comment"]
    if got > expected and len(given) == got:
        keep_end = given[expected - 1].end_byte if expected > 0 else args.start_byte + 1
        edit = doc.replace_bytes(keep_end, given[-1].end_byte, "")
        return [candidate("argument-count", f"Remove the {got - expected} extra argument(s)", edit)]
    if got >= expected:
        return []
    callee = call.child_by_field_name("function") or call.child_by_field_name("constructor")
    if callee is None:
        return []
    target = callee.child_by_field_name("property") if callee.type == "member_expression" else callee
    try:
        info = ctx.service.quick_info(ctx.target.file, doc.pos(target.start_byte)) or ""
    except LanguageServiceError:
        return []
    params = _parameters(info)
    if len(params) < expected:
        return []
    missing = params[got:expected]
    scope = _names_in_scope(doc, call)
    chosen = []
    for name, type_text in missing:
        pick = _value_for(ctx, doc, scope, name, type_text)
        if pick is None:
            return []
        chosen.append(pick)
    separator = ", " if given else ""
    edit = doc.insert(args.end_byte - 1, separator + ", ".join(chosen))
    return [candidate("argument-count", f"Pass {', '.join(chosen)} for the missing parameter(s)", edit)]


def _split_top_level(text: str) -> list[str]:
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in text:
        if ch in "(<[{":
            depth += 1
        elif ch in ")>]}":
            depth -= 1
        if ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    if "".join(current).strip():
        parts.append("".join(current).strip())
    return parts


def _parameters(info: str) -> list[tuple[str, str]]:
    """(name, type) of the parameters in a quick-info signature like `function f(a: number, b?: T): R`."""
    start = info.find("(")
    if start < 0:
        return []
    depth = 0
    for i in range(start, len(info)):
        depth += info[i] == "("
        depth -= info[i] == ")"
        if depth == 0:
            inner = info[start + 1 : i]
            break
    else:
        return []
    out = []
    for part in _split_top_level(inner):
        m = re.match(r"^(?:\.\.\.)?([A-Za-z_$][\w$]*)\??\s*:\s*(.+)$", part, re.S)
        if m:
            out.append((m.group(1), " ".join(m.group(2).split())))
    return out


def _names_in_scope(doc: Doc, at: Any) -> list[tuple[str, Any]]:
    """Names declared where `at` can see them: enclosing functions' parameters, earlier declarations."""
    names: list[tuple[str, Any]] = []
    for node in ancestors(at.parent):
        if node.type in _FUNCTIONS:
            params = node.child_by_field_name("parameters")
            for p in params.named_children if params is not None else []:
                pattern = p.child_by_field_name("pattern") or p
                if pattern.type == "identifier":
                    names.append((doc.src(pattern), pattern))
        if node.type in _BLOCKS:
            for statement in node.named_children:
                if statement.start_byte >= at.start_byte and statement.type not in ("function_declaration",):
                    continue
                if (
                    statement.start_byte <= at.start_byte < statement.end_byte
                    and statement.type != "function_declaration"
                ):
                    continue  # `const x = f(…)`: x is not usable inside its own initializer
                target = (
                    statement.child_by_field_name("declaration")
                    if statement.type == "export_statement"
                    else statement
                )
                if target is None:
                    continue
                if target.type in ("lexical_declaration", "variable_declaration"):
                    for d in target.named_children:
                        name = d.child_by_field_name("name")
                        if d.type == "variable_declarator" and name is not None and name.type == "identifier":
                            names.append((doc.src(name), name))
                elif target.type == "function_declaration" and target.child_by_field_name("name") is not None:
                    name = target.child_by_field_name("name")
                    names.append((doc.src(name), name))
    return names


def _value_for(
    ctx: FixContext, doc: Doc, scope: list[tuple[str, Any]], name: str, type_text: str
) -> str | None:
    """The in-scope name for a parameter: one with its name, else the only one of its type."""
    seen = dict(scope)
    if name in seen:
        return name
    matches = []
    for candidate_name, node in list(seen.items())[:20]:
        try:
            info = ctx.service.quick_info(ctx.target.file, doc.pos(node.start_byte)) or ""
        except LanguageServiceError:
            continue
        m = re.match(r"^(?:\([^)]*\)\s*|(?:const|let|var)\s+)?[A-Za-z_$][\w$]*\??\s*:\s*(.+)$", info, re.S)
        if m and " ".join(m.group(1).split()) == type_text:
            matches.append(candidate_name)
    return matches[0] if len(matches) == 1 else None


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
        if current.type in _FUNCTIONS:
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
            (n for n in _walk(doc.node_spanning(ctx.target.start, ctx.target.end)) if n.type == "object"),
            None,
        )
    if value is None or wanted not in dict(_names_in_scope(doc, value)):
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
    function = next((a for a in ancestors(node) if a.type in _FUNCTIONS), None)
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


TEMPLATES: list[Callable[[FixContext, Doc], list[Candidate]]] = [
    did_you_mean,
    declaration_rename,
    nearest_member,
    literal_type,
    argument_count,
    optional_chaining,
    await_promise,
    missing_property,
    return_annotation,
]


class RepairFixer(Fixer):
    name = "repair"

    def candidates(self, ctx: FixContext) -> list[Candidate]:
        doc = Doc(ctx.target.file, ctx.text)
        out: list[Candidate] = []
        for template in TEMPLATES:
            out.extend(template(ctx, doc))
        return out
