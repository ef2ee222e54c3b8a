"""Unknown names: the closest name TypeScript itself completes at the same place.

    Cannot find name 'x'                      the values (or types) in scope
    Property 'x' does not exist on type 'T'   the members of the receiver's type
    … 'x' does not exist in type 'T'          the properties an object literal of T may have
    Module '…' has no exported member 'x'     the module's exports; the import's uses renamed too

TypeScript's own "Did you mean …?" picks one spelling by edit distance; here every completion is a
candidate, ranked by similarity (rank.py), and the compiler decides.
"""

from __future__ import annotations

import re

from tsfix.edits import TextEdit
from tsfix.fixers import FixContext
from tsfix.fixers.candidate import Candidate
from tsfix.fixers.search.rank import best
from tsfix.fixers.syntax import Doc, headline
from tsfix.langserver import Completion

KEEP = 5  # candidates per unknown name
FLOOR = 0.35  # below this a completion is not a plausible respelling

_NAME = re.compile(r"^(?:Cannot find name|No value exists in scope for the shorthand property) '([^']+)'")
_MEMBER = re.compile(r"^Property '([^']+)' does not exist on type '")
_KEY = re.compile(r"^Object literal may only specify known properties, (?:and|but) '([^']+)' does not exist")
_EXPORT = re.compile(r"^(?:Module '.+' has no exported member|'.+' has no exported member named) '([^']+)'")


def search_candidate(name: str, description: str, edits: tuple[TextEdit, ...], rank: float) -> Candidate:
    return Candidate("search", edits, description, fix_name=name, rank=round(rank, 4))


def _choices(found: list[Completion], wrong: str) -> list[tuple[str, float]]:
    names = [c.name for c in found if c.kind != "keyword" and c.name.isidentifier()]
    return best(wrong, names, KEEP, FLOOR)


def unknown_name(ctx: FixContext, doc: Doc) -> list[Candidate]:
    text = headline(ctx)
    start, end = ctx.target.start, ctx.target.end
    wrong = doc.span(start, end)
    if m := _EXPORT.match(text):
        return _imported(ctx, doc, m.group(1))
    kinds = ((_NAME, "name"), (_MEMBER, "member"), (_KEY, "property"))
    what = next((w for pattern, w in kinds if (m := pattern.match(text)) and m.group(1) == wrong), None)
    if what is None:
        return []
    node = doc.node_at(start)
    shorthand = node is not None and node.type == "shorthand_property_identifier"
    found = ctx.service.completions(ctx.target.file, start)
    local = {c.name for c in found if c.local}
    out = []
    for name, score in _choices(found, wrong):
        if what == "name" and name not in local and score < 0.8:
            continue  # a library global: only as a near-certain respelling
        new_text = f"{wrong}: {name}" if shorthand else name
        out.append(
            search_candidate(
                f"closest-{what}",
                f"Use the {what} '{name}' for '{wrong}' (the closest TypeScript completes here)",
                (TextEdit(ctx.target.file, start, end, new_text),),
                score,
            )
        )
    return out


def _imported(ctx: FixContext, doc: Doc, wrong: str) -> list[Candidate]:
    """A name a module does not export: import the closest export, and rename the uses with it."""
    start, end = ctx.target.start, ctx.target.end
    node = doc.node_at(start)
    specifier = node.parent if node is not None else None
    if specifier is None or specifier.type != "import_specifier" or doc.src(node) != wrong:
        return []
    aliased = specifier.child_by_field_name("alias") is not None
    uses = (
        []
        if aliased
        else [
            ref
            for ref in ctx.service.references(ctx.target.file, start)
            if ref.file == ctx.target.file and ref.start != start and doc.span(ref.start, ref.end) == wrong
        ]
    )
    out = []
    for name, score in _choices(ctx.service.completions(ctx.target.file, start), wrong):
        own = TextEdit(ctx.target.file, start, end, name)
        renamed = tuple(TextEdit(u.file, u.start, u.end, name) for u in uses)
        out.append(
            search_candidate(
                "closest-export",
                f"Import '{name}' instead of '{wrong}'"
                + (f" and rename its {len(uses)} use(s)" if uses else ""),
                (own, *renamed),
                score,
            )
        )
        if uses:  # keeping the local name is a one-edit fix, but not what a person writes
            out.append(
                search_candidate(
                    "closest-export-alias",
                    f"Import '{name}' as '{wrong}'",
                    (TextEdit(ctx.target.file, start, end, f"{name} as {wrong}"),),
                    score * 0.6,
                )
            )
    return out
