"""Type-directed repair templates for errors TypeScript offers no quick fix for.

Each template reads the diagnostic (its code, message and span), the syntax around it (tree-sitter)
and what the language service says about types and names, and proposes small edits. They encode
general TypeScript knowledge — a message's own "Did you mean …?", lossless literal conversions,
argument lists, optional chaining, `await` — and nothing about any particular codebase. Every
candidate is then verified by the compiler like any other.

    names    TypeScript's "Did you mean …?", a declaration renamed to its uses
    calls    parsing a signature's parameters (shared with the search)
    values   literal conversions, optional chaining, the return type (an async one's `Promise<…>`),
             an explicit `return undefined` where a path falls off the end (noImplicitReturns)

The nearest member, argument counts, `await` and missing properties were templates here; the search
(tsfix.fixers.search) now proposes them for every error code they surface as.

What templates share with the search (the syntax tree, scopes) is in tsfix.fixers.syntax.
"""

from __future__ import annotations

from tsfix.fixers import FixContext, Fixer, register
from tsfix.fixers.candidate import Candidate
from tsfix.fixers.repair.names import declaration_rename, did_you_mean
from tsfix.fixers.repair.values import (
    async_return_type,
    implicit_return,
    literal_type,
    optional_chaining,
    return_annotation,
)
from tsfix.fixers.syntax import Probe, run_probes

TEMPLATES: list[Probe] = [
    did_you_mean,
    declaration_rename,
    literal_type,
    optional_chaining,
    return_annotation,
    async_return_type,
    implicit_return,
]


@register
class RepairFixer(Fixer):
    name = "repair"

    def candidates(self, ctx: FixContext) -> list[Candidate]:
        return run_probes(ctx, TEMPLATES)
