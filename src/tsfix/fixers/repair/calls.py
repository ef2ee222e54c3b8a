"""Repairs of calls: too many arguments dropped, a missing one supplied from the names in scope."""

from __future__ import annotations

import re
from typing import Any

from tsfix.fixers import FixContext
from tsfix.fixers.candidate import Candidate
from tsfix.fixers.syntax import Doc, ancestors, candidate, headline, names_in_scope
from tsfix.langserver import LanguageServiceError

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
    scope = names_in_scope(doc, call)
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
