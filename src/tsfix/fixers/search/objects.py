"""Missing properties: insert only the missing ones, in the object literal's own layout.

    Property 'x' is missing in type '…' but required in type 'T'.          (TS2741)
    Type '…' is missing the following properties from type 'T': x, y       (TS2739, TS2740)

Each missing property is valued from an in-scope value — the same name first (written as a
shorthand), then names alike it, then a member of a nearby value (`getState: store.getState`) — or, marked as a guess, an empty value of some type ('', 0, false,
[], {}, null, undefined), of which the compiler keeps those that fit. The existing properties are
never re-emitted: a new line gets the indentation of its siblings and the trailing comma they use.
"""

from __future__ import annotations

import itertools
import re
from typing import Any

from tsfix.fixers import FixContext
from tsfix.fixers.candidate import Candidate
from tsfix.fixers.search.calls import quote
from tsfix.fixers.search.names import search_candidate
from tsfix.fixers.search.rank import similarity
from tsfix.fixers.search.values import member_paths
from tsfix.fixers.syntax import Doc, value_node, walk

_ONE = re.compile(r"^Property '([^']+)' is missing in type '.*' but required in type '")
_SEVERAL = re.compile(r"^Type '.*' is missing the following properties from type '.*': (.+)$")
EMPTY_VALUES = ("''", "0", "false", "[]", "{}", "null", "undefined")
MAX_COMBINATIONS = 12
LIKE = 0.5  # how alike a differently named value must be to be tried


def missing_properties(ctx: FixContext, doc: Doc) -> list[Candidate]:
    headline = ctx.target.message.split("\n", 1)[0]
    if m := _ONE.match(headline):
        wanted = [m.group(1)]
    elif (m := _SEVERAL.match(headline)) and not re.search(r"and \d+ more\.$", headline):
        wanted = [name.strip() for name in m.group(1).rstrip(".").split(",")]
    else:
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
    choices = [_values_for(name, values, q, member_paths(ctx, doc, obj, name)) for name in wanted]
    out = []
    for combination in itertools.islice(itertools.product(*choices), MAX_COMBINATIONS):
        members = [member for member, _, _ in combination]
        rank = min(score for _, score, _ in combination)
        guess = any(g for _, _, g in combination)
        c = search_candidate(
            "add-missing-properties",
            f"Add {', '.join(members)}",
            (_insert_members(doc, obj, members),),
            rank,
        )
        c.guess = guess
        out.append(c)
    return out


def _values_for(
    name: str, values: list[str], quote: str, paths: list[tuple[str, float]]
) -> list[tuple[str, float, bool]]:
    """(member text, rank, guessed) for one missing property, best first."""
    found: list[tuple[str, float, bool]] = []
    if name in values:
        found.append((name, 1.0, False))
    alike = sorted(
        (v for v in set(values) if v != name and similarity(name, v) >= LIKE),
        key=lambda v: -similarity(name, v),
    )
    found += [(f"{name}: {v}", 0.8 * similarity(name, v), False) for v in alike[:3]]
    found += [(f"{name}: {path}", 0.85 * score, False) for path, score in paths[:3]]
    found.sort(key=lambda f: -f[1])
    found += [(f"{name}: {e.replace(chr(39), quote)}", 0.3, True) for e in EMPTY_VALUES]
    return found


def _insert_members(doc: Doc, obj: Any, members: list[str]):
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
