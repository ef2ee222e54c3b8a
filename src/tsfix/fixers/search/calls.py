"""Argument-count mismatches: drop an extra argument, or pass an in-scope value for a missing one.

Which argument is extra, or where the missing one goes, is not in the message, so every position is
a candidate: dropping the last (or inserting at the end) ranks first. Values for a missing
parameter are the names TypeScript completes inside the argument list, ranked by how alike they
are to the parameter's name (from the signature's quick info), whether the file declares them but
never reads them (`const typePrefix = …` whose only use was the missing argument), and whether the
call's own statement uses them (`immer.f.bind()` → `bind(immer)`: the nearest value in scope is the
one already at hand), then `undefined` as a guess; the compiler keeps those whose type fits.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from tsfix.fixers import FixContext
from tsfix.fixers.candidate import Candidate
from tsfix.fixers.search.names import search_candidate
from tsfix.fixers.search.rank import similarity
from tsfix.fixers.syntax import Doc, ancestors, headline, walk

_ARITY = re.compile(r"^Expected (?:at least )?(\d+)(?:-(\d+))? (?:type )?arguments?, but got (\d+)")
VALUES_AT_THE_END = 5  # in-scope values tried for a missing last argument
VALUES_ELSEWHERE = 2
_NAMES = ("identifier", "shorthand_property_identifier", "shorthand_property_identifier_pattern")


def quote(doc: Doc) -> str:
    """The file's string quote: the one it uses more."""
    return "'" if doc.text.count("'") >= doc.text.count('"') else '"'


def empty_values(type_text: str, q: str) -> list[str]:
    """Values of a type that carry no information (guesses): from the declared type when the
    signature shows one, else `undefined`."""
    parts = {p.strip() for p in type_text.split("|")} if type_text else set()
    out = []
    for part, value in (("string", f"{q}{q}"), ("number", "0"), ("boolean", "false"), ("null", "null")):
        if part in parts:
            out.append(value)
    if any(p.endswith("[]") or p.startswith(("Array<", "ReadonlyArray<")) for p in parts):
        out.append("[]")
    if not out or "undefined" in parts:
        out.append("undefined")
    return out


def argument_count(ctx: FixContext, doc: Doc) -> list[Candidate]:
    m = _ARITY.match(headline(ctx))
    if not m or "type argument" in headline(ctx):
        return []
    fewest, most, got = int(m.group(1)), int(m.group(2) or m.group(1)), int(m.group(3))
    node = doc.node_spanning(ctx.target.start, ctx.target.end)
    call = next((a for a in ancestors(node) if a.type in ("call_expression", "new_expression")), None)
    args = call.child_by_field_name("arguments") if call is not None else None
    if call is None or args is None or args.type != "arguments":
        return []
    given = [a for a in args.named_children if a.type != "comment"]
    if len(given) != got:
        return []  # spread arguments: the count is not what the list shows
    if got > most:
        return _drop(doc, args, given, got - most)
    if got < fewest:
        return _fill(ctx, doc, call, args, given)
    return []


def _drop(doc: Doc, args: Any, given: list[Any], extra: int) -> list[Candidate]:
    out = []
    for first in range(len(given) - extra, -1, -1):  # the last ones first
        last = first + extra - 1
        if first > 0:
            start, end = given[first - 1].end_byte, given[last].end_byte
        elif last + 1 < len(given):
            start, end = given[0].start_byte, given[last + 1].start_byte
        else:
            start, end = args.start_byte + 1, args.end_byte - 1
        dropped = ", ".join(doc.src(a) for a in given[first : last + 1])
        rank = 0.9 if last == len(given) - 1 else 0.6
        out.append(
            search_candidate(
                "drop-argument", f"Remove the argument {dropped}", (doc.replace_bytes(start, end, ""),), rank
            )
        )
    return out


def _fill(ctx: FixContext, doc: Doc, call: Any, args: Any, given: list[Any]) -> list[Candidate]:
    callee = call.child_by_field_name("function") or call.child_by_field_name("constructor")
    if callee is None:
        return []
    named = callee.child_by_field_name("property") if callee.type == "member_expression" else callee
    info = ctx.service.quick_info(ctx.target.file, doc.pos((named or callee).start_byte)) or ""
    params = parameters(re.sub(r"^\((?:alias|method|property|function|local function)\)\s*", "", info))
    inside = doc.pos(args.end_byte - 1)
    values = [
        c.name
        for c in ctx.service.completions(ctx.target.file, inside)
        if c.local and c.is_value and c.kind not in ("class", "module", "function", "method", "alias")
    ]
    statement = next((a for a in ancestors(call) if a.parent is not None and a.parent.type in (
        "statement_block", "program", "class_body")), call)  # fmt: skip
    at_hand = {doc.src(n) for n in walk(statement) if n.type == "identifier"}
    # a value declared and never read (`const typePrefix = …` whose one use is what is missing)
    names = [n for n in walk(doc.tree.root_node) if n.type in _NAMES]
    named_in_file = Counter(doc.src(n) for n in names)
    declared = {  # locals: a module's declarations may be read by its importers
        doc.src(n)
        for n in names
        if n.parent is not None
        and n.parent.type == "variable_declarator"
        and any(a.type == "statement_block" for a in ancestors(n))
    }
    unread = {v for v in values if named_in_file[v] == 1 and v in declared}
    out = []
    for index in range(len(given), -1, -1):  # at the end first
        param, type_text = params[index] if index < len(params) else ("value", "")
        keep = VALUES_AT_THE_END if index == len(given) else VALUES_ELSEWHERE

        def score(value: str, param: str = param) -> float:
            return max(
                0.3,
                similarity(param, value),
                0.5 if value in at_hand else 0.0,
                0.6 if value in unread else 0.0,
            )

        ranked = sorted(set(values), key=lambda v: (-score(v), v))[:keep]
        for value in ranked:
            out.append(_insert(doc, args, given, index, value, 0.85 * score(value), False))
        for empty in empty_values(type_text, quote(doc)):
            out.append(_insert(doc, args, given, index, empty, 0.25, True))
    return out


def _insert(
    doc: Doc, args: Any, given: list[Any], index: int, value: str, rank: float, guess: bool
) -> Candidate:
    if not given:
        edit = doc.insert(args.end_byte - 1, value)
    elif index >= len(given):
        edit = doc.insert(given[-1].end_byte, f", {value}")
    else:
        edit = doc.insert(given[index].start_byte, f"{value}, ")
    c = search_candidate(
        "pass-argument",
        f"Pass {value} as argument {index + 1}",
        (edit,),
        rank * (1.0 if index >= len(given) else 0.7),
    )
    c.guess = guess
    return c


def top_level(text: str, separator: str) -> list[str]:
    """`text` split at `separator` where it is outside brackets and quotes (`=>` closes nothing)."""
    parts, depth, quote, start = [], 0, "", 0
    for i, ch in enumerate(text):
        if quote:
            if ch == quote and text[i - 1] != "\\":
                quote = ""
        elif ch in "\"'`":
            quote = ch
        elif ch in "({[<":
            depth += 1
        elif ch in ")}]" or (ch == ">" and text[i - 1 : i] != "="):
            depth -= 1
        elif ch == separator and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p for p in parts if p.strip()]


def parameters(info: str) -> list[tuple[str, str]]:
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
    for part in (p.strip() for p in top_level(inner, ",")):
        m = re.match(r"^(?:\.\.\.)?([A-Za-z_$][\w$]*)\??\s*:\s*(.+)$", part, re.S)
        if m:
            out.append((m.group(1), " ".join(m.group(2).split())))
    return out
