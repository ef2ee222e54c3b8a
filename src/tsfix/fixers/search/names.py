"""Unknown names: the closest name TypeScript itself completes at the same place.

    Cannot find name 'x'                      the values (or types) in scope
    Property 'x' does not exist on type 'T'   the members of the receiver's type
    … 'x' does not exist in type 'T'          the properties an object literal of T may have
    Module '…' has no exported member 'x'     the module's exports; the import's uses renamed too

For a member or key, the other direction is offered too: the declared member renamed, with all its
uses, to the spelling of this use (TypeScript's rename).

TypeScript's own "Did you mean …?" picks one spelling by edit distance; here every completion is a
candidate, ranked by similarity (rank.py), and the compiler decides.
"""

from __future__ import annotations

import re
from pathlib import Path

from tsfix.edits import TextEdit, apply_edits, edits_between, edits_by_file, index_of
from tsfix.fixers import FixContext
from tsfix.fixers.candidate import Candidate
from tsfix.fixers.search.rank import best
from tsfix.fixers.syntax import Doc, headline
from tsfix.langserver import Completion

KEEP = 5  # candidates per unknown name
DECLARED = 2  # of them, the closest whose declaration is also offered renamed
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
        if what in ("member", "property") and not shorthand and len(out) <= DECLARED:
            renamed = _declaration_renamed(ctx, wrong, name, score)
            if renamed is not None:
                out.append(renamed)
    return out


def _declaration_renamed(ctx: FixContext, wrong: str, declared: str, score: float) -> Candidate | None:
    """The other direction: the member `declared` renamed to `wrong` where it is declared and
    everywhere it is used, as this use spells it — TypeScript's rename, asked with `declared`
    typed at the error in memory. Which direction is right, the compiler (what else breaks) and the
    project's vocabulary (tsfix.vocabulary) tell."""
    if not ctx.may_type():
        return None
    path, start, end = ctx.target.file, ctx.target.start, ctx.target.end
    original = ctx.service.text(path)
    probe = original[: index_of(original, start)] + declared + original[index_of(original, end) :]
    ctx.service.set_text(path, probe)
    try:
        edits = ctx.service.rename(path, start, wrong)
        texts = {path: probe}
        for file, file_edits in edits_by_file(edits).items():
            if file.startswith("../") or "node_modules/" in file or Path(file).is_absolute():
                return None  # declared in a library: not the project's to rename
            texts[file] = apply_edits(texts.get(file) or ctx.service.text(file), file_edits)
    finally:
        ctx.service.set_text(path, original)
    if len({e.file for e in edits}) < 2 and len(edits) < 2:
        return None  # nothing but this use
    before = {file: original if file == path else ctx.service.text(file) for file in texts}
    whole = tuple(e for file in sorted(texts) for e in edits_between(file, before[file], texts[file]))
    if not whole:
        return None
    return search_candidate(
        "rename-declared",
        f"Rename '{declared}' to '{wrong}' where it is declared and used (as this use spells it)",
        whole,
        score * 0.7,  # one use against a declaration: the use is the likelier slip, unless more say otherwise
    )


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
