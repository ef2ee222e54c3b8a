"""Missing properties: insert only the missing ones, in the object literal's own layout.

    Property 'x' is missing in type '…' but required in type 'T'.          (TS2741)
    Type '…' is missing the following properties from type 'T': x, y       (TS2739, TS2740)

also as the elaboration of another error (TypeScript 5.x reports an argument missing a property as
TS2345, with the line above under it).

Each missing property is valued from an in-scope value — the same name first (written as a
shorthand), then names alike it, then a member of a nearby value (`getState: store.getState`), then
a constant in scope that names one of the literals its declared type allows (`op: REPLACE` for
`op: "replace" | "remove"` where the code has `const REPLACE = "replace"`) — or, marked as a guess,
one of those literals or an empty value of some type ('', 0, false, [], {}, null, undefined), of
which the compiler keeps those that fit. The existing properties are
never re-emitted: a new line gets the indentation of its siblings and the trailing comma they use,
and goes where the type declares it (after the existing property declared just before it, found
with the language service's go-to-definition), as a person writes an object of that type.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator, Sequence
from typing import Any

from tsfix.edits import TextEdit
from tsfix.fixers import FixContext
from tsfix.fixers.candidate import Candidate
from tsfix.fixers.search.calls import quote, top_level
from tsfix.fixers.search.names import search_candidate
from tsfix.fixers.search.rank import similarity
from tsfix.fixers.search.values import member_paths
from tsfix.fixers.syntax import Doc, names_in_scope, value_node, walk
from tsfix.langserver import LanguageServiceError

#: the members of a type, in declaration order, are the named children of these nodes
_MEMBER_LISTS = {"object_type", "interface_body", "class_body"}
_MEMBERS = {"property_signature", "method_signature", "public_field_definition", "method_definition"}

_ONE = re.compile(r"^Property '([^']+)' is missing in type '.*' but required in type '")
_SEVERAL = re.compile(r"^Type '.*' is missing the following properties from type '.*': (.+)$")
EMPTY_VALUES = ("''", "0", "false", "[]", "{}", "null", "undefined")
MAX_COMBINATIONS = 12
LIKE = 0.5  # how alike a differently named value must be to be tried


def _wanted(message: str) -> list[str] | None:
    """The missing properties a message names — in its headline (TS2741, TS2739) or in the
    elaboration of another error (TS2345's "Argument of type … is not assignable" on TypeScript 5.x,
    TS2322 in an assignment): the cause, whatever code it surfaces as."""
    for line in message.split("\n"):
        line = line.strip()
        if m := _ONE.match(line):
            return [m.group(1)]
        if (m := _SEVERAL.match(line)) and not re.search(r"and \d+ more\.$", line):
            return [name.strip() for name in m.group(1).rstrip(".").split(",")]
    return None


def missing_properties(ctx: FixContext, doc: Doc) -> list[Candidate]:
    wanted = _wanted(ctx.target.message)
    if not wanted:
        return []
    if not all(name.isidentifier() for name in wanted):
        return []
    obj = value_node(doc, ctx)
    if obj is None or obj.type != "object":
        obj = next(
            (n for n in walk(doc.node_spanning(ctx.target.start, ctx.target.end)) if n.type == "object"), None
        )
    if obj is None:
        return []
    q = quote(doc)
    values = [
        c.name
        for c in ctx.service.completions(ctx.target.file, doc.pos(obj.start_byte))
        if c.local and c.is_value and c.kind not in ("class", "module", "alias")
    ]
    order, declared = _declaration(ctx, doc, obj, wanted)
    constants = _constants(doc, obj)
    choices = [
        _neighbour_first(
            _values_for(
                name,
                values,
                q,
                member_paths(ctx, doc, obj, name),
                _literals(declared.get(name, "")),
                constants,
            ),
            name,
            _neighbour_value(doc, obj, name),
        )
        for name in wanted
    ]
    out = []
    for combination in itertools.islice(itertools.product(*choices), MAX_COMBINATIONS):
        members = [member for member, _, _ in combination]
        rank = min(score for _, score, _ in combination)
        guess = any(g for _, _, g in combination)
        c = search_candidate(
            "add-missing-properties",
            f"Add {', '.join(members)}",
            tuple(_insert_members(doc, obj, list(zip(wanted, members, strict=True)), order)),
            rank,
        )
        c.guess = guess
        out.append(c)
    return out


def _values_for(
    name: str,
    values: list[str],
    quote: str,
    paths: list[tuple[str, float]],
    literals: Sequence[str] = (),
    constants: dict[str, str] | None = None,
) -> list[tuple[str, float, bool]]:
    """(member text, rank, guessed) for one missing property, best first: `literals` are those its
    declared type allows, `constants` the in-scope constants by the literal they name."""
    found: list[tuple[str, float, bool]] = []
    if name in values:
        found.append((name, 1.0, False))
    alike = sorted(
        (v for v in set(values) if v != name and similarity(name, v) >= LIKE),
        key=lambda v: -similarity(name, v),
    )
    found += [(f"{name}: {v}", 0.8 * similarity(name, v), False) for v in alike[:3]]
    found += [(f"{name}: {path}", 0.85 * score, False) for path, score in paths[:3]]
    named = [(constants or {}).get(_unquoted(literal)) for literal in literals]
    found += [(f"{name}: {c}", 0.75, False) for c in dict.fromkeys(n for n in named if n and n in values)]
    found.sort(key=lambda f: -f[1])
    found += [(f"{name}: {_requoted(literal, quote)}", 0.35, True) for literal in literals[:3]]
    found += [(f"{name}: {e.replace(chr(39), quote)}", 0.3, True) for e in EMPTY_VALUES]
    return found


def _neighbour_value(doc: Doc, obj: Any, name: str) -> str | None:
    """What the nearest other object literal in the file gives the key `name` (the file's statements
    alike, `patches.push({ op: REPLACE, … })` above `inversePatches.push({ … })`), else None."""
    line = obj.start_point[0]
    found = []
    for node in walk(doc.tree.root_node):
        if (
            node.type == "pair"
            and node.parent is not None
            and node.parent.type == "object"
            and node.parent != obj
        ):
            key, value = node.child_by_field_name("key"), node.child_by_field_name("value")
            if key is not None and value is not None and doc.src(key) == name and "\n" not in doc.src(value):
                found.append((abs(node.start_point[0] - line), doc.src(value)))
        elif node.type == "shorthand_property_identifier" and doc.src(node) == name and node.parent != obj:
            found.append((abs(node.start_point[0] - line), name))
    return min(found)[1] if found else None


def _neighbour_first(
    found: list[tuple[str, float, bool]], name: str, near: str | None
) -> list[tuple[str, float, bool]]:
    """The value the nearest object literal gives the same key, ranked first among the others."""
    if near is None:
        return found
    same = {name, f"{name}: {near}"} if near == name else {f"{name}: {near}"}
    boosted = [(text, 1.0, guess) if text in same else (text, rank, guess) for text, rank, guess in found]
    return sorted(boosted, key=lambda f: -f[1])


_LITERAL = re.compile(r"""^(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|-?\d+(?:\.\d+)?|true|false)$""")


def _literals(type_text: str) -> list[str]:
    """The literal members of a declared type (`"a" | "b" | 3`), in order; [] when it has none."""
    parts = [p.strip() for p in type_text.split("|")] if "(" not in type_text else []
    return [p for p in parts if _LITERAL.match(p) and p not in ("true", "false")]


def _unquoted(literal: str) -> str:
    return literal[1:-1] if literal[:1] in ("'", '"') else literal


def _requoted(literal: str, quote: str) -> str:
    inner = _unquoted(literal)
    return f"{quote}{inner}{quote}" if literal[:1] in ("'", '"') and quote not in inner else literal


def _constants(doc: Doc, at: Any) -> dict[str, str]:
    """In-scope `const NAME = <literal>` declarations, by the literal's value (unquoted)."""
    out: dict[str, str] = {}
    for name, node in names_in_scope(doc, at):
        declarator, declaration = node.parent, node.parent.parent if node.parent is not None else None
        if declarator is None or declarator.type != "variable_declarator" or declaration is None:
            continue
        value = declarator.child_by_field_name("value")
        kind = declaration.children[0].type if declaration.children else ""
        if kind == "const" and value is not None and value.type in ("string", "number"):
            out.setdefault(_unquoted(doc.src(value)), name)
    return out


def _key(node: Any) -> Any:
    """The name node of an object literal's property (`a: 1`, `a`, `a() {}`), else None."""
    if node.type == "shorthand_property_identifier":
        return node
    key = node.child_by_field_name("name") or node.child_by_field_name("key")
    return key if key is not None and key.type in ("property_identifier", "identifier") else None


def _declaring_bodies(ctx: FixContext, doc: Doc, obj: Any) -> Iterator[tuple[Doc, Any]]:
    """(the declaring file, the member list) of the object's type, from where its existing
    properties are declared (go-to-definition of their keys; declarations outside the project's
    sources are not opened)."""
    for node in [c for c in obj.named_children if _key(c) is not None][:3]:
        for declaring, declaration in _definitions(ctx, doc, _key(node)):
            body = next((a for a in _ancestors(declaration) if a.type in _MEMBER_LISTS), None)
            if body is not None:
                yield declaring, body


def _definitions(ctx: FixContext, doc: Doc, node: Any) -> Iterator[tuple[Doc, Any]]:
    """(the declaring file, the node there) where the language service says `node` is declared,
    within the project's sources (nothing under node_modules or outside is opened)."""
    try:
        found = ctx.service.definition(ctx.target.file, doc.pos(node.start_byte))
    except LanguageServiceError:
        return
    for file, start, _ in found:
        if file.startswith(("/", "../")) or "node_modules/" in file:
            continue
        try:
            declaring = doc if file == doc.path else Doc(file, ctx.service.text(file))
        except (OSError, LanguageServiceError):
            continue
        yield declaring, declaring.node_at(start)


def _declaration(
    ctx: FixContext, doc: Doc, obj: Any, wanted: list[str]
) -> tuple[dict[str, int] | None, dict[str, str]]:
    """Each property's index in the declaration of the object's type, and the declared types of
    the wanted ones as written there, from where one of its existing properties is declared;
    (None, {}) when that cannot be found."""
    for declaring, body in _declaring_bodies(ctx, doc, obj):
        members = [
            (declaring.src(key), m)
            for m in body.named_children
            if m.type in _MEMBERS and (key := m.child_by_field_name("name")) is not None
        ]
        names = [name for name, _ in members]
        if all(name in names for name in wanted):
            types = {
                name: declaring.src(t).lstrip(":").strip()
                for name, m in members
                if name in wanted and (t := m.child_by_field_name("type")) is not None
            }
            return {name: i for i, name in reversed(list(enumerate(names)))}, types
    return None, {}


def _ancestors(node: Any) -> Any:
    while node is not None:
        yield node
        node = node.parent


def _insert_members(doc: Doc, obj: Any, members: list[tuple[str, str]], order: dict[str, int] | None = None):
    """The edits that insert (name, member text) pairs: each after the existing property declared
    just before it (by `order`), else at the end."""
    existing = [c for c in obj.named_children if c.type != "comment"]
    if order and existing and all(_key(c) is not None for c in existing):
        index = [order.get(doc.src(_key(c)), -1) for c in existing]
        if -1 not in index and index == sorted(index):  # the literal follows the declaration
            at: dict[int, list[str]] = {}
            for name, member in members:
                place = sum(1 for i in index if i < order[name])  # how many existing go before
                at.setdefault(place, []).append(member)
            last = at.pop(len(existing), [])
            return [
                *(_insert_between(doc, obj, existing, place, group) for place, group in sorted(at.items())),
                *([_insert_last(doc, obj, last)] if last else []),
            ]
    return [_insert_last(doc, obj, [member for _, member in members])]


def _insert_between(doc: Doc, obj: Any, existing: list[Any], place: int, members: list[str]):
    """Insert before existing[place] (which is not past the last), in the literal's layout."""
    following = existing[place]
    if "\n" not in doc.src(obj):
        return doc.insert(following.start_byte, "".join(f"{m}, " for m in members))
    line_start = doc.data.rfind(b"\n", 0, following.start_byte) + 1
    indent = doc.data[line_start : following.start_byte].decode("utf-8", errors="replace")
    if indent.strip():  # not alone on its line: inline within a multi-line literal
        return doc.insert(following.start_byte, "".join(f"{m}, " for m in members))
    return doc.insert(line_start, "".join(f"{indent}{m},\n" for m in members))


def _insert_last(doc: Doc, obj: Any, members: list[str]):
    existing = [c for c in obj.named_children if c.type != "comment"]
    if not existing:
        inner = doc.src(obj)[1:-1]
        return doc.replace(
            obj,
            f"{{ {', '.join(members)} }}" if not inner.strip() else "{" + inner + ", ".join(members) + "}",
        )
    last = existing[-1]
    after = doc.data[last.end_byte : obj.end_byte - 1].decode("utf-8", errors="replace")
    trailing = after.lstrip().startswith(",")
    multiline = "\n" in doc.src(obj)
    if not multiline:
        return doc.insert(last.end_byte, "".join(f", {m}" for m in members))
    line_start = doc.data.rfind(b"\n", 0, last.start_byte) + 1
    indent = doc.data[line_start : last.start_byte].decode("utf-8", errors="replace")
    indent = indent[: len(indent) - len(indent.lstrip())]  # the leading whitespace of the line
    if trailing:
        comma = last.end_byte + len(after) - len(after.lstrip()) + 1
        return doc.insert(comma, "".join(f"\n{indent}{m}," for m in members))
    return doc.insert(last.end_byte, "".join(f",\n{indent}{m}" for m in members))


# ----------------------------------------------------------------------------- exactOptionalPropertyTypes

_EXACT = re.compile(r"with 'exactOptionalPropertyTypes: true'")
_INCOMPATIBLE = re.compile(r"Types of property '([^']+)' are incompatible")
_FUNCTION_TYPES = {"function_type", "constructor_type", "conditional_type", "infer_type"}


def optional_undefined(ctx: FixContext, doc: Doc) -> list[Candidate]:
    """A value that may be undefined given to an optional property, under exactOptionalPropertyTypes
    (TS2375, TS2379, TS2412 …: "Consider adding 'undefined' to the types of the target's
    properties"; TS2420, a class implementing an interface, says only "Types of property 'x' are
    incompatible"): add `| undefined` to that property's declared type — what the property meant
    before the flag. The declaration is found from where an object literal's own properties are
    declared; where no literal names the property (a spread, a variable, a class), from the type the
    message names just above that line, at a place the file names that type. TypeScript 5.x/6.x has
    a quick fix for this that misses literals it does not find at the error (a returned object, a
    spread argument)."""
    message = ctx.target.message
    named = _INCOMPATIBLE.search(message)
    if named is None or "'undefined' is not assignable" not in message:
        return []
    if not _EXACT.search(message) and not ctx.compiler_options().get("exactOptionalPropertyTypes"):
        return []
    name = named.group(1)
    # the others the value gives possibly undefined values too (TypeScript elaborates only the
    # first): each one alone would leave the error, re-elaborated on the next property
    others = [n for n in undefined_properties(message) if n != name]
    node = doc.node_spanning(ctx.target.start, ctx.target.end)
    objects = [n for n in walk(node) if n.type == "object"][:4] or [
        n for n in [value_node(doc, ctx)] if n is not None and n.type == "object"
    ]
    bodies = (
        body
        for obj in objects
        if any(_key(c) is not None and doc.src(_key(c)) == name for c in obj.named_children)
        for body in _declaring_bodies(ctx, doc, obj)
    )
    for declaring, body in itertools.chain(bodies, _named_bodies(ctx, doc, message)):
        declared = _optional(declaring, body, name)
        if declared is None:
            continue
        also = [(n, d) for n in others if (d := _optional(declaring, body, n)) is not None]
        alone = search_candidate(
            "optional-undefined",
            f"Add undefined to the type of the optional property {name}",
            (_or_undefined(declaring, declared),),
            1.0 if not also else 0.9,
        )
        if not also:
            return [alone]
        every = [name, *(n for n, _ in also)]
        edits = (_or_undefined(declaring, declared), *(_or_undefined(declaring, d) for _, d in also))
        return [
            search_candidate(
                "optional-undefined",
                f"Add undefined to the types of the optional properties {', '.join(every)}",
                edits,
                1.0,
            ),
            alone,
        ]
    return []


def _or_undefined(declaring: Doc, declared: Any) -> TextEdit:
    text = declaring.src(declared)
    return declaring.replace(
        declared, f"({text}) | undefined" if declared.type in _FUNCTION_TYPES else f"{text} | undefined"
    )


_SOURCE_OBJECT = re.compile(r"^(?:Type|Argument of type) '(\{.*\})' is not assignable")
_MEMBER = re.compile(r"\s*(?:readonly\s+)?([A-Za-z_$][\w$]*)\??\s*:(.*)$", re.S)


def undefined_properties(message: str) -> list[str]:
    """The properties that the source object type on the message's first line gives a type
    including undefined (`{ a: boolean | undefined; b: number }` → ['a']), in order."""
    found = _SOURCE_OBJECT.match(message.split("\n", 1)[0])
    if found is None:
        return []
    out = []
    for member in top_level(found.group(1).strip()[1:-1], ";"):
        m = _MEMBER.match(member)
        if m is None:
            continue
        parts = top_level(m.group(2), "|")
        # a function type's `=>` takes the rest: `() => void | undefined` returns the union
        if any(p.strip() == "undefined" for p in parts) and len(top_level(parts[0], "=")) == 1:
            out.append(m.group(1))
    return out


_TARGET_TYPE = re.compile(
    r"(?:to type|interface|constraint|parameter of type) '([A-Za-z_$][\w$]*)(?:<[^']*>)?'"
)


def _named_bodies(ctx: FixContext, doc: Doc, message: str) -> Iterator[tuple[Doc, Any]]:
    """(the declaring file, the member list) of the type named on the line above "Types of property
    'x' are incompatible", from the places in this file that name it (nearest to the error first)."""
    lines = message.split("\n")
    at = next((i for i, line in enumerate(lines) if _INCOMPATIBLE.search(line)), 0)
    named = _TARGET_TYPE.findall(lines[at - 1]) if at else []
    if not named:
        return
    here = doc.byte(ctx.target.start)
    uses = sorted(
        (n for n in walk(doc.tree.root_node) if n.type == "type_identifier" and doc.src(n) == named[-1]),
        key=lambda n: abs(n.start_byte - here),
    )
    for use in uses[:2]:
        for declaring, declaration in _definitions(ctx, doc, use):
            body = next(
                (
                    b
                    for a in _ancestors(declaration)
                    if a.type in ("interface_declaration", "type_alias_declaration")
                    for b in [a.child_by_field_name("body") or a.child_by_field_name("value")]
                    if b is not None and b.type in _MEMBER_LISTS
                ),
                None,
            )
            if body is not None:
                yield declaring, body


def _optional(declaring: Doc, body: Any, name: str) -> Any | None:
    """The declared type of the optional property `name` among the members, unless it already says
    undefined (then something else is wrong)."""
    for m in body.named_children:
        key = m.child_by_field_name("name")
        annotation = m.child_by_field_name("type")
        if (
            key is None
            or declaring.src(key) != name
            or annotation is None
            or not annotation.named_children
            or b"?" not in declaring.data[m.start_byte : annotation.start_byte]
        ):
            continue
        declared = annotation.named_children[0]
        return None if "undefined" in declaring.src(declared).split("|")[-1] else declared
    return None
