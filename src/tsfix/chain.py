"""Chains: a candidate that removes its error but causes new ones is continued with those errors.

A misspelt import renamed while its uses keep the misspelling, `await` added in a function that then
has to be `async`: the first step is right, and what it breaks is the next error to fix. The
Suggester hands the best few such candidates to `continue_chains`, which

1. puts the step's files in the language service's copy (nothing is written to disk),
2. asks the same fixers about the first error the step introduced — where that error occurs several
   times (each use of a renamed binding), an answer that replaces the error's text is made at every
   occurrence,
3. composes each answer with the step into one candidate made against the original files (one
   suggestion, one diff), and
4. lets the verifier judge the composition from scratch.

Up to three steps. Only a chain whose final candidate verifies (the target gone, no new error)
counts; every composition is verified within the error's budget like any other candidate, and
ranked lower for each step it takes (×0.8).
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

from tsfix.confidence import TIER
from tsfix.edits import TextEdit, apply_edits, edits_between, edits_by_file, index_of
from tsfix.fixers import FixContext
from tsfix.fixers.candidate import Candidate
from tsfix.langserver import LanguageService, LanguageServiceError, LsDiagnostic
from tsfix.verify import Verification, Verifier

if TYPE_CHECKING:
    from tsfix.budget import Budget

STEPS = 3  # the first candidate and at most two continuations
SEEDS = 3  # candidates continued at each step
ANSWERS = 6  # continuations tried per candidate
MAX_NEW = 3  # a step that introduces more kinds of error than this is not continued
CONTINUED = 0.8  # each step more is a step more that can be wrong: its rank is discounted

Propose = Callable[[FixContext], list[Candidate]]


def continuable(v: Verification) -> bool:
    """A step worth continuing: its own error is gone, and it introduced a few new ones."""
    return (
        v.target_gone
        and not v.verified
        and not v.invalid
        and not v.suppression
        and 0 < len(v.new_errors) <= MAX_NEW
    )


def continue_chains(
    verifier: Verifier,
    ctx: FixContext,
    results: Sequence[tuple[Candidate, Verification]],
    propose: Propose,
    budget: Budget,
    finish: Callable[[Candidate], Candidate] = lambda c: c,
) -> list[tuple[Candidate, Verification]]:
    """Verified-or-not compositions of the continuable results with what `propose` answers for the
    errors they introduce, each made final by `finish` (the file's style), deepest last; stops at
    the first step where one verifies."""
    out: list[tuple[Candidate, Verification]] = []
    seen: set[tuple[tuple[str, str], ...]] = set()
    frontier = [(c, v) for c, v in results if continuable(v)][:SEEDS]
    for _ in range(STEPS - 1):
        following: list[tuple[Candidate, Verification]] = []
        for step, checked in frontier:
            if not budget.allows():
                break
            where = {e["file"] for e in checked.new_errors}
            for composed in map(finish, next_steps(verifier, ctx, step, propose, where)[:ANSWERS]):
                key = tuple(sorted(verifier.result_texts(composed.edits)[1].items()))
                if key in seen:
                    continue
                seen.add(key)
                if not budget.allows():
                    budget.untried += 1
                    continue
                budget.used += 1
                v = verifier.verify(composed, ctx.target)
                out.append((composed, v))
                if continuable(v):
                    following.append((composed, v))
        if any(v.verified for _, v in out):
            break
        frontier = following[:SEEDS]
        if not frontier:
            break
    return out


def next_steps(
    verifier: Verifier, ctx: FixContext, step: Candidate, propose: Propose, where: Iterable[str] = ()
) -> list[Candidate]:
    """`step` composed with each candidate `propose` makes for the first error it introduces: in
    the files it edits, its target's, and `where` (the files its verification found new errors in:
    an importer, when the step changes what a file exports)."""
    service = verifier.service
    _, after = verifier.result_texts(step.edits)
    files = sorted(set(after) | {ctx.target.file} | set(where))
    old = Counter(d.key for path in files for d in verifier.baseline(path) if d.is_problem)
    try:
        for path, text in after.items():
            service.set_text(path, text)
        current = {path: [d for d in service.diagnostics(path) if d.is_problem] for path in files}
        added = Counter(d.key for ds in current.values() for d in ds) - old
        fresh = [d for path in files for d in current[path] if d.key in added]
        if not fresh:
            return []
        first = fresh[0]
        same = [d for d in fresh if d.key == first.key]
        sub = FixContext(
            ctx.error,
            first,
            service,
            ctx.root,
            current[first.file],
            None,
            ctx.project_errors,
            ctx.compiler_options,
            ctx.vocabulary,
        )
        answers = sorted(
            _proposed(propose, sub, ctx.helper, after), key=lambda c: -TIER.get(c.fixer, 0.6) * c.rank
        )
        texts = {path: service.text(path) for path in files}
        for answer in answers:  # the texts the answers were made against
            for path in edits_by_file(answer.edits):
                texts.setdefault(path, service.text(path))
    finally:
        for path in after:
            with contextlib.suppress(LanguageServiceError):
                service.reset(path)
    composed = []
    for answer in answers:
        result = dict(after)
        try:
            made = _at_every_occurrence(answer.edits, first, same, texts)
            for path, file_edits in edits_by_file(made).items():
                result[path] = apply_edits(texts[path], file_edits)
        except ValueError:  # overlapping edits
            continue
        whole = tuple(
            edit
            for path, text in sorted(result.items())
            for edit in edits_between(path, service.disk_text(path), text)
        )
        if not whole:
            continue
        weaker = min((step.fixer, answer.fixer), key=lambda name: TIER.get(name, 0.6))
        composed.append(
            Candidate(
                weaker,
                whole,
                _described(step, answer, len(made)),
                fix_name=f"{step.fix_name or step.fixer}+{answer.fix_name or answer.fixer}",
                also_from=[],
                rank=step.rank * answer.rank * CONTINUED,
                guess=step.guess or answer.guess,
            )
        )
    return composed


def _proposed(
    propose: Propose, sub: FixContext, helper: LanguageService | None, after: dict[str, str]
) -> list[Candidate]:
    """What the fixers answer for a step's error: from the project's service first, and only when
    that has nothing, from the TypeScript 6 helper too (ctx.helper) with the step in its copy — the
    helper checks its whole program again for the step and again once it is put back, a second
    each on a large project."""
    answers = propose(sub)
    if answers or helper is None:
        return answers
    try:
        for path, text in after.items():
            helper.set_text(path, text)
        return propose(replace(sub, helper=helper))
    except LanguageServiceError:
        return []  # the helper is best effort
    finally:
        for path in after:
            with contextlib.suppress(LanguageServiceError):
                helper.reset(path)


def _described(step: Candidate, answer: Candidate, places: int) -> str:
    if answer.description == step.description:
        return f"{step.description}, and the same at {places} more place(s) it leaves broken"
    return f"{step.description}; then {answer.description}"


def _at_every_occurrence(
    edits: tuple[TextEdit, ...], first: LsDiagnostic, same: list[LsDiagnostic], texts: dict[str, str]
) -> tuple[TextEdit, ...]:
    """An answer that replaces exactly the error's text, made at each occurrence of the same error."""
    if len(same) < 2 or len(edits) != 1:
        return edits
    (edit,) = edits
    if (edit.file, edit.start, edit.end) != (first.file, first.start, first.end):
        return edits
    text = texts[first.file]
    replaced = text[index_of(text, first.start) : index_of(text, first.end)]
    out = [edit]
    for d in same[1:]:
        other = texts.get(d.file)
        if other is not None and other[index_of(other, d.start) : index_of(other, d.end)] == replaced:
            out.append(TextEdit(d.file, d.start, d.end, edit.new_text))
    return tuple(out)
