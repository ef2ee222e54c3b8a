"""Compiler-guided search: candidates from what the language service knows, for errors by cause.

TypeScript can enumerate most fixes itself: the names in scope at a position, the members of a
receiver's type, a function's parameters, the exports of a module. The search turns those answers
into candidates, ranks them (rank.py) and leaves the choice to verification — so it proposes
several where a template would guess one, and a wrong one never survives the compiler.

    names     an unknown name, member, object key or import: the closest that TypeScript completes
              there (a misspelt import renamed together with its uses)
    promises  a promise used where its value is meant, whatever the error code: `await` at the use
              or at the initializer, and `async` on the enclosing function when needed
    calls     too many arguments (drop one) or too few (pass an in-scope value)
    objects   missing properties: only the missing ones inserted, each from an in-scope value
              (same name first), a member of a nearby value, or, marked as a guess, an empty value;
              under exactOptionalPropertyTypes, `| undefined` on the optional property's declaration
    parameters an implicit `any` parameter: a type in scope, named like the parameter (never `any`)
    values    an expression of the wrong type: in-scope values and member paths named like what
              receives it, lossless conversions of a literal operand
    indexes   an element read under noUncheckedIndexedAccess: `list[i]!` where it is read or where
              the variable is declared from it (proven by the loop bound, else a guess)
    imports   an unknown name the project's files import from a package or a path alias: imported
              from there (TypeScript's own fix writes a relative path)

Nothing here knows any codebase: no rule names a package, a file or an identifier.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from tsfix.fixers import FixContext, Fixer, register
from tsfix.fixers.candidate import Candidate
from tsfix.fixers.search.calls import argument_count
from tsfix.fixers.search.imports import imported_elsewhere
from tsfix.fixers.search.indexes import unchecked_index
from tsfix.fixers.search.names import unknown_name
from tsfix.fixers.search.objects import missing_properties, optional_undefined
from tsfix.fixers.search.parameters import implicit_any
from tsfix.fixers.search.promises import unawaited_promise
from tsfix.fixers.search.values import wrong_value
from tsfix.fixers.syntax import Doc, Probe, run_probes

PROBES: list[Probe] = [
    unknown_name,
    unawaited_promise,
    argument_count,
    missing_properties,
    implicit_any,
    wrong_value,
    unchecked_index,
    optional_undefined,
    imported_elsewhere,
]


@register
class SearchFixer(Fixer):
    name = "search"
    defers_long_shots = True  # another value for one that is only possibly undefined (values.py)

    def candidates(self, ctx: FixContext) -> list[Candidate]:
        return sorted(run_probes(ctx, PROBES), key=lambda c: -c.rank)

    def steps(self, ctx: FixContext) -> Iterator[list[Candidate]]:
        """Every probe without typing into the file first (FixContext.may_edit: its questions are
        answered from the program as on disk, and kept by the service), then again those that
        would have typed (Fixer.steps); the candidates all come with the last step, best first, in
        the order of PROBES where they rank alike."""
        doc = Doc(ctx.target.file, ctx.text)
        found: dict[int, list[Candidate]] = {}
        again: list[int] = []
        for n, probe in enumerate(PROBES):
            asking = replace(ctx, may_edit=False, declined=False)
            found[n] = run_probes(asking, [probe], doc)
            if asking.declined:
                again.append(n)
        yield []
        found.update({n: run_probes(ctx, [PROBES[n]], doc) for n in again})
        yield sorted((c for n in sorted(found) for c in found[n]), key=lambda c: -c.rank)
