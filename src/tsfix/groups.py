"""Verifying the fixes of many errors in one file together: one check of the file for many errors.

A strictness migration leaves dozens of errors in a file, and on a large project each check of a
file after an edit takes up to a second (TypeScript 5.9 checks the whole file again). Verified one at
a time, every candidate costs a check. Candidates for different errors of one file whose edits do not
touch each other are checked together instead: when, with all of them in, exactly their errors are
gone and nothing new appears, each of them is verified (`Verification.together` says with how many
others). A group that fails is split — by where the file's errors are now (a member whose own error
is still reported where it was is not verified; members nearest to a new error are checked apart
from the rest), else in halves — until each part passes or is a single candidate, whose check is then
exactly its own verification: delta debugging, as `git bisect` narrows a range of commits. Errors
whose candidates are the same edits (one cause) make one member with several targets.

One fix for several errors (a member with several targets) is checked alone first: it may remove
more errors than its own (a return type that also clears a use of the function), and those errors are
then its too, not the group's — checked together, another candidate for them would seem to verify.

`verify_in_groups` runs passes over a file's errors: the first checks every error's best candidate,
the next the second of each error that has no verified one yet, and so on; a last one checks the
next candidate of each error that has a verified fix (its alternative) in one more check, split no
further than once. What the passes do not reach (an alternative that check leaves open, candidates
that edit other files) is verified one at a time by the Suggester, within the error's budget.
`verify_across_files` runs many files' passes in lockstep: each step's checks, one per file, in one
program (a fresh type checker for all of them instead of one each). Checked together, one candidate could hide
a problem of another only where the two edits interact; `tsfix apply` checks the fixes it applies
together again (tsfix.plan), so nothing unverified is written.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from tsfix.edits import apply_edits, index_of, line_starts
from tsfix.exports import exports_changed
from tsfix.fixers.candidate import Candidate
from tsfix.langserver import LsDiagnostic
from tsfix.verify import Verification, Verifier, problems, reelaborated, verdict

T = TypeVar("T")

#: passes over a file's errors (each error's best candidate, then its second, ...)
PASSES = 3


@dataclass(slots=True, eq=False)
class Member:
    """One candidate in a group, the errors it is for, and where in the file it edits."""

    candidate: Candidate
    after: str  # the file with this candidate alone
    spans: list[tuple[int, int]]
    targets: list[LsDiagnostic]
    same: list[Candidate] = field(default_factory=list)  # other errors' candidates with these edits


@dataclass(slots=True)
class Check:
    """A check a step of the passes asks for: the file as `text` has it, for the `targets`
    (the edited file's diagnostics are put in `seen` when given)."""

    path: str
    text: str
    targets: list[LsDiagnostic]
    seen: dict[str, list[LsDiagnostic]] | None = None


#: a file's passes, as a generator: it yields the checks it needs and is sent their verifications
Steps = Generator[Check, Verification, T]


def verify_group(verifier: Verifier, path: str, members: Sequence[Member]) -> list[Verification]:
    """Each member's verification, from as few checks of `path` as the members allow."""
    return _run(verifier, {path: _group(verifier, path, members)})[path]


def _group(verifier: Verifier, path: str, members: Sequence[Member]) -> Steps[list[Verification]]:
    if len(members) == 1:
        return [(yield Check(path, members[0].after, members[0].targets))]
    text = verifier.service.disk_text(path)
    combined = _combined(text, members)
    targets = [t for m in members for t in m.targets]
    seen: dict[str, list[LsDiagnostic]] = {}
    together = yield Check(path, combined, targets, seen)
    if together.verified:
        return [_shared(together, m, len(members)) for m in members]
    remains, near = _blame(text, combined, members, seen.get(path), verifier.baseline(path))
    results: dict[int, Verification] = {n: _remains(together, members[n], len(members)) for n in remains}
    parts = [[n for n in range(len(members)) if n not in remains and n not in near], sorted(near - remains)]
    if not remains and not (parts[0] and parts[1]):  # nothing told apart: halves
        parts = [list(range(len(members) // 2)), list(range(len(members) // 2, len(members)))]
    for part in parts:
        if part:
            found = yield from _group(verifier, path, [members[n] for n in part])
            for n, v in zip(part, found, strict=True):
                results[n] = v
    return [results[n] for n in range(len(members))]


def _blame(
    text: str,
    combined: str,
    members: Sequence[Member],
    now: list[LsDiagnostic] | None,
    before: list[LsDiagnostic],
) -> tuple[set[int], set[int]]:
    """Which members a failed group's check points at, by where the file's errors are: those whose
    own error is still reported where it was, and those whose edit is nearest to an error that is
    new. Positions in the combined text are mapped back through the members' edits."""
    if now is None:
        return set(), set()
    shifts = sorted(
        (start, end, len(e.new_text))
        for m in members
        for (start, end), e in zip(m.spans, m.candidate.edits, strict=True)
    )

    def original(offset: int) -> int:
        delta = 0
        for start, end, size in shifts:
            if offset < start + delta:
                break
            if offset < start + delta + size:
                return start  # inside an edit's new text
            delta += size - (end - start)
        return offset - delta

    starts, combined_starts = line_starts(text), line_starts(combined)
    was = Counter((d.code, d.message, index_of(text, d.start, starts)) for d in before if d.is_problem)
    is_ = Counter(
        (d.code, d.message, original(index_of(combined, d.start, combined_starts)))
        for d in now
        if d.is_problem
    )
    remains = {
        n
        for n, m in enumerate(members)
        if any(is_[(t.code, t.message, index_of(text, t.start, starts))] for t in m.targets)
    }
    near = set()
    for _, _, offset in is_ - was:
        near.add(
            min(
                range(len(members)),
                key=lambda n: min(abs(offset - a) for span in members[n].spans for a in span),
            )
        )
    return remains, near


def _remains(together: Verification, member: Member, size: int) -> Verification:
    """A member whose error is still reported where it was with the group's edits in: not verified
    (without a check of its own — its error is there, whatever the others do)."""
    return Verification(
        False,
        False,
        [],
        together.errors_before,
        together.errors_after,
        together.files_checked,
        elapsed_ms=together.elapsed_ms / size,
        together=size,
    )


Work = Sequence[tuple[LsDiagnostic, Sequence[Candidate]]]  # a file's errors, each with its candidates


def verify_in_groups(
    verifier: Verifier,
    path: str,
    work: Work,
    until: float | None = None,
) -> dict[int, Verification]:
    """Verifications by id(candidate) for the errors of one file: each error's target with its
    candidates best first. A pass with fewer than two members ends the passes (nothing to share)."""
    return _run(verifier, {path: _passes(verifier, path, work, until, 2)})[path]


def _passes(
    verifier: Verifier, path: str, work: Work, until: float | None, least: int
) -> Steps[dict[int, Verification]]:
    """verify_in_groups' passes; `least`: the fewest members a pass is worth checking."""
    known: dict[int, Verification] = {}
    found: set[int] = set()  # the targets (by id) with a verified candidate: no further pass
    queues = [list(candidates) for _, candidates in work]
    text = verifier.service.disk_text(path)
    starts = line_starts(text)
    for _ in range(PASSES):
        if until is not None and time.monotonic() > until:
            break
        members: list[Member] = []
        for (target, _), queue in zip(work, queues, strict=True):
            if id(target) not in found:
                _join(verifier, path, text, starts, target, queue, members, known)
        for member in [m for m in members if len(m.targets) > 1]:  # one cause: alone first
            if member not in members:
                continue  # another cause's fix removes its errors too
            members.remove(member)
            alone = yield Check(path, member.after, member.targets)
            _record(member, alone, known, found)
            if alone.verified:  # errors it removes besides its own are its too: none of the group's
                others = alone.removed - Counter(t.key for t in member.targets)
                for m in [m for m in members if any(others[t.key] for t in m.targets)]:
                    members.remove(m)
                    found.update(id(t) for t in m.targets)  # left to the Suggester (the same fix)
        if len(members) < least:
            break
        verifications = yield from _group(verifier, path, members)
        for member, verification in zip(members, verifications, strict=True):
            _record(member, verification, known, found)
    if until is None or time.monotonic() <= until:
        yield from _alternatives(verifier, path, text, starts, work, queues, known, found, least)
    return known


def verify_across_files(
    verifier: Verifier, work: Mapping[str, Work], until: float | None = None
) -> dict[int, Verification]:
    """verify_in_groups for many files in lockstep: each step checks every file's next group in one
    program (_run). A single candidate is worth a step here too: the checker is shared."""
    found: dict[int, Verification] = {}
    steps = {path: _passes(verifier, path, errors, until, 1) for path, errors in work.items() if errors}
    for known in _run(verifier, steps).values():
        found.update(known)
    return found


def _run(verifier: Verifier, steps: Mapping[str, Steps[T]]) -> dict[str, T]:
    """Drive the files' passes in lockstep: each one's next check, all in one program."""
    done: dict[str, T] = {}
    pending: dict[str, Check] = {}
    for path, step in steps.items():
        try:
            pending[path] = next(step)
        except StopIteration as stop:
            done[path] = stop.value
    while pending:
        for path, answer in zip(list(pending), _check_all(verifier, list(pending.values())), strict=True):
            try:
                pending[path] = steps[path].send(answer)
            except StopIteration as stop:
                done[path] = stop.value
                del pending[path]
    return done


def _check_all(verifier: Verifier, checks: Sequence[Check]) -> list[Verification]:
    """Each check's verification, from one program with all their edits in. After any edit
    TypeScript's checker starts afresh, and on a large project most of a file's check is the types
    it imports, which the files share: one checker for all of them costs a fraction of one each.
    A file's answer is its own edits' alone where no edited file's exported types changed
    (tsfix.exports: then no file sees another's edits, as Verifier.check skips the importers).
    A file whose exports change, or whose errors read differently below their first line
    (Verifier.check asks again in order), is checked alone, as Verifier.check does."""
    if len(checks) == 1:
        c = checks[0]
        return [verifier.check({c.path: c.text}, c.targets, seen=c.seen)]
    started = time.perf_counter()
    service = verifier.service
    old = {c.path: problems(verifier.baseline(c.path)) for c in checks}  # on disk: one program
    exports = {c.path: verifier.baseline_exports(c.path) for c in checks if verifier.graph.importers(c.path)}
    batch = {c.path for c in checks}
    seen: dict[str, list[LsDiagnostic]] = {}
    try:
        for c in checks:
            service.set_text(c.path, c.text)
        while changed := [p for p in exports if p in batch and exports_changed(service, p, exports[p])]:
            for path in changed:  # what it exports differs: other files may see its edits
                service.reset(path)
                batch.discard(path)
        seen = {c.path: service.diagnostics(c.path) for c in checks if c.path in batch}
    finally:
        for c in checks:
            service.reset(c.path)
    share = (time.perf_counter() - started) * 1000 / max(1, len(seen))
    answers = []
    for c in checks:
        new = problems(seen.get(c.path, []))
        if c.path not in seen or reelaborated(new - old[c.path], old[c.path] - new):
            answers.append(verifier.check({c.path: c.text}, c.targets, seen=c.seen))
            continue
        if c.seen is not None:
            c.seen[c.path] = seen[c.path]
        wanted = Counter(t.key for t in c.targets)
        skipped = len(verifier.graph.importers(c.path))
        answers.append(verdict(old[c.path], new, wanted, [c.path], share, {"files": share}, skipped))
    return answers


def _alternatives(
    verifier: Verifier,
    path: str,
    text: str,
    starts: Sequence[int],
    work: Sequence[tuple[LsDiagnostic, Sequence[Candidate]]],
    queues: list[list[Candidate]],
    known: dict[int, Verification],
    found: set[int],
    least: int = 2,
) -> Steps[None]:
    """The next candidate of each error that has a verified one, all in one check: whether a fix is
    the only one is what its confidence rests on, and the Suggester would otherwise check each
    alternative alone. A group that fails is not split down: members whose error is still reported
    where it was are known not to verify, those nearest to a new error are left out, and the rest
    are checked once more; what that does not verify is left to the Suggester."""
    members: list[Member] = []
    for (target, _), queue in zip(work, queues, strict=True):
        if id(target) in found:
            _join(verifier, path, text, starts, target, queue, members, known)
    for _ in range(2):
        if len(members) < least:
            return
        combined = _combined(text, members)
        seen: dict[str, list[LsDiagnostic]] = {}
        together = yield Check(path, combined, [t for m in members for t in m.targets], seen)
        if len(members) == 1:  # its own verification
            _record(members[0], together, known, found)
            return
        if together.verified:
            for member in members:
                _record(member, _shared(together, member, len(members)), known, found)
            return
        remains, near = _blame(text, combined, members, seen.get(path), verifier.baseline(path))
        for n in remains:
            _record(members[n], _remains(together, members[n], len(members)), known, found)
        members = [m for n, m in enumerate(members) if n not in remains and n not in near]


def _record(
    member: Member, verification: Verification, known: dict[int, Verification], found: set[int]
) -> None:
    for candidate in (member.candidate, *member.same):
        known[id(candidate)] = verification
    if verification.verified:
        found.update(id(t) for t in member.targets)


def _join(
    verifier: Verifier,
    path: str,
    text: str,
    starts: Sequence[int],
    target: LsDiagnostic,
    queue: list[Candidate],
    members: list[Member],
    known: dict[int, Verification],
) -> None:
    """Add the error's next candidate to this pass's group: as a member of its own, to the member
    with the same edits, or not at all this pass when it touches another member's edits. A candidate
    that is refused before compiling is known at once; one that edits another file is left to the
    Suggester's one-at-a-time verification."""
    while queue:
        candidate = queue[0]
        if id(candidate) in known:
            queue.pop(0)
            continue
        prepared = verifier.prepare(candidate, target.file)
        if isinstance(prepared, Verification):
            known[id(candidate)] = prepared
            queue.pop(0)
            continue
        after, suppression = prepared
        if set(after) != {path} or suppression:
            queue.pop(0)
            continue
        same = next((m for m in members if m.after == after[path]), None)
        if same is not None:
            queue.pop(0)
            same.targets.append(target)
            same.same.append(candidate)
            return
        spans = [(index_of(text, e.start, starts), index_of(text, e.end, starts)) for e in candidate.edits]
        if any(_touch(a, b) for m in members for a in m.spans for b in spans):
            return  # the next pass, or one at a time
        queue.pop(0)
        members.append(Member(candidate, after[path], spans, [target]))
        return


def _touch(a: tuple[int, int], b: tuple[int, int]) -> bool:
    """Two edits that overlap or meet: their order, or their meaning, would depend on each other."""
    return a[0] <= b[1] and b[0] <= a[1]


def _combined(text: str, members: Sequence[Member]) -> str:
    """The file with every member's edits (they do not touch: _join)."""
    return apply_edits(text, [e for m in members for e in m.candidate.edits])


def _shared(together: Verification, member: Member, size: int) -> Verification:
    """A member's part of a group's verification: what it removes is its own errors."""
    return Verification(
        True,
        True,
        [],
        together.errors_before,
        together.errors_before - len(member.targets),
        together.files_checked,
        elapsed_ms=together.elapsed_ms / size,
        stage_ms={stage: ms / size for stage, ms in together.stage_ms.items()},
        importers_skipped=together.importers_skipped,
        removed=Counter(t.key for t in member.targets),
        together=size,
    )
