"""Verifying many errors of one file together (tsfix.groups) and combining fixes in batches
(tsfix.plan.verify_together), with a real language service on both compilers. The candidates are
scripted (the logic under test is how they are checked, not where they come from); the language
service is real and spied on only to count the checks of the file."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

import pytest

from tsfix.edits import Position, TextEdit
from tsfix.fixers.candidate import Candidate
from tsfix.groups import verify_across_files, verify_in_groups
from tsfix.langserver import LsDiagnostic
from tsfix.langserver.factory import open_language_service
from tsfix.plan import verify_together
from tsfix.records import SuggestionRow
from tsfix.tsc import find_tsc
from tsfix.verify import Verifier

SHOP = "src/shop.ts"
FILES = {
    SHOP: (
        "export function label(name: string): string {\n"
        '  const a: number = "1";\n'
        '  const b: number = "2";\n'
        "  const c: string = 3;\n"
        "  const d: boolean = 4;\n"
        "  return name + a + b + c + d;\n"
        "}\n"
    ),
    "src/kind.ts": (
        "export function kind(v: unknown): number {\n"
        "  if (v === null) return 'null';\n"
        "  return 'other';\n"
        "}\n"
        "export const k: string = kind(1);\n"
    ),
    "src/kinds.ts": (
        "export function kinds(v: unknown): number {\n"
        "  if (v === null) return 'null';\n"
        "  return 'other';\n"
        "}\n"
        "export const k: string = kinds(1);\n"
        "export const j: string = kinds(2);\n"
    ),
}


@pytest.fixture
def verifier(make_project, ts_version: str) -> Iterator[Verifier]:
    root = make_project(FILES, ts=ts_version)
    service = open_language_service(root, find_tsc(root), timeout=60)
    yield Verifier(service)
    service.close()


def checks(verifier: Verifier) -> list[str]:
    """Every diagnostics request from now on, by file (a spy on the real service)."""
    calls: list[str] = []
    real = verifier.service.diagnostics
    verifier.service.diagnostics = lambda path: calls.append(path) or real(path)  # type: ignore[method-assign]
    return calls


def scripted(line: int, col: int, end_col: int, text: str) -> Candidate:
    """A scripted candidate (not from any fixer): one edit of the shop's file."""
    return Candidate("search", (TextEdit(SHOP, Position(line, col), Position(line, end_col), text),), text)


def errors(verifier: Verifier) -> list[LsDiagnostic]:
    """The file's four errors, by line (a, b, c, d)."""
    return sorted((d for d in verifier.baseline(SHOP) if d.is_problem), key=lambda d: d.start.line)


def test_the_best_candidates_of_several_errors_are_verified_with_one_check(verifier: Verifier) -> None:
    a, b, c, _d = errors(verifier)
    fixes = [scripted(2, 21, 24, "1"), scripted(3, 21, 24, "2"), scripted(4, 21, 22, '"3"')]
    calls = checks(verifier)
    known = verify_in_groups(verifier, SHOP, [(a, [fixes[0]]), (b, [fixes[1]]), (c, [fixes[2]])])
    assert calls == [SHOP]  # one check for three errors
    for fix in fixes:
        v = known[id(fix)]
        assert v.verified and v.together == 3 and v.as_json()["verified_together_with"] == 2
        assert v.errors_before - v.errors_after == 1
    assert verifier.service.text(SHOP) == verifier.service.disk_text(SHOP)  # nothing left behind


def test_a_group_that_fails_gives_each_candidate_its_own_result(verifier: Verifier) -> None:
    """One candidate adds an error, one leaves its error where it was: the others are verified, and
    the one that adds an error gets exactly the verification it gets alone (a chain may continue it)."""
    a, b, c, d = errors(verifier)
    good_a, good_d = scripted(2, 21, 24, "1"), scripted(5, 22, 23, "true")
    breaks = scripted(4, 21, 22, "name.nope")  # c: no such member
    stays = scripted(3, 21, 24, '"22"')  # b: still a string for a number
    known = verify_in_groups(verifier, SHOP, [(a, [good_a]), (b, [stays]), (c, [breaks]), (d, [good_d])])
    assert known[id(good_a)].verified and known[id(good_d)].verified
    assert not known[id(stays)].verified and not known[id(stays)].target_gone
    alone = verifier.verify(breaks, c)
    together = known[id(breaks)]
    assert not together.verified and together.target_gone == alone.target_gone
    assert together.new_errors == alone.new_errors and together.new_errors


def test_errors_whose_best_candidates_fail_get_their_next_in_the_next_pass(verifier: Verifier) -> None:
    """A pass takes the next candidate of each error without a verified one; one error alone in a
    pass is left to the Suggester (nothing to share)."""
    a, b, c, d = errors(verifier)
    wrong_a, right_a = scripted(2, 21, 24, "true"), scripted(2, 21, 24, "1")
    wrong_c, right_c = scripted(4, 21, 22, "4"), scripted(4, 21, 22, '"3"')
    other = scripted(3, 21, 24, "2")
    wrong_d, right_d = scripted(5, 22, 23, "5"), scripted(5, 22, 23, "false")
    known = verify_in_groups(verifier, SHOP, [(a, [wrong_a, right_a]), (b, [other]), (c, [wrong_c, right_c])])
    assert known[id(other)].verified and known[id(right_a)].verified and known[id(right_c)].verified
    assert not known[id(wrong_a)].verified and not known[id(wrong_c)].verified
    alone = verify_in_groups(verifier, SHOP, [(b, [other]), (d, [wrong_d, right_d])])
    assert not alone[id(wrong_d)].verified and id(right_d) not in alone


def test_alternatives_to_verified_fixes_are_checked_together_once(verifier: Verifier) -> None:
    """Whether a fix is the only one is what its confidence rests on: the next candidate of every
    error with a verified fix goes into one more check. One that fails is not split: an
    alternative whose error stays where it was is known not to verify, the rest are left to the
    Suggester."""
    a, b, c, d = errors(verifier)
    best = [scripted(2, 21, 24, "1"), scripted(3, 21, 24, "2"), scripted(4, 21, 22, '"3"')]
    other = [scripted(2, 21, 24, "10"), scripted(3, 21, 24, "20"), scripted(4, 21, 22, "'3'")]
    calls = checks(verifier)
    known = verify_in_groups(
        verifier, SHOP, [(t, [x, y]) for t, x, y in zip([a, b, c], best, other, strict=True)]
    )
    assert calls == [SHOP, SHOP]  # the best of each, then the alternatives
    assert all(known[id(x)].verified and known[id(x)].together == 3 for x in [*best, *other])
    stays = scripted(3, 21, 24, '"20"')  # b: still a string for a number
    breaks = scripted(4, 21, 22, "name.nope")  # c: no such member
    right_d, other_d = scripted(5, 22, 23, "true"), scripted(5, 22, 23, "false")
    calls.clear()
    known = verify_in_groups(
        verifier,
        SHOP,
        [(a, [best[0], other[0]]), (b, [best[1], stays]), (c, [best[2], breaks]), (d, [right_d, other_d])],
    )
    assert all(known[id(x)].verified for x in [*best, right_d])
    assert not known[id(stays)].verified and not known[id(stays)].target_gone
    assert id(breaks) not in known  # nearest to the new error: one at a time, by the Suggester
    # the rest checked once more without those two
    assert known[id(other[0])].verified and known[id(other_d)].verified and known[id(other_d)].together == 2
    assert calls == [SHOP] * 3


def test_the_same_fix_for_two_errors_is_one_member(verifier: Verifier) -> None:
    a, b, c, _d = errors(verifier)
    both = (
        TextEdit(SHOP, Position(2, 21), Position(2, 24), "1"),
        TextEdit(SHOP, Position(3, 21), Position(3, 24), "2"),
    )
    for_a, for_b = Candidate("search", both, "both"), Candidate("search", both, "both")
    known = verify_in_groups(verifier, SHOP, [(a, [for_a]), (b, [for_b]), (c, [scripted(4, 21, 22, '"3"')])])
    assert known[id(for_a)] is known[id(for_b)] and known[id(for_a)].verified
    assert known[id(for_a)].removed.total() == 2


def test_one_fix_for_several_errors_is_checked_alone_and_takes_the_errors_it_also_removes(
    verifier: Verifier,
) -> None:
    """The return type fixes both returns and the use of the function: the use's own candidate (a
    literal in its place, which compiles too) is not credited with an error the return type removed."""
    kind = "src/kind.ts"
    returns = [d for d in verifier.baseline(kind) if d.is_problem and d.start.line in (2, 3)]
    use = next(d for d in verifier.baseline(kind) if d.is_problem and d.start.line == 5)
    annotation = TextEdit(kind, Position(1, 35), Position(1, 41), "string")
    for_returns = [Candidate("search", (annotation,), "string") for _ in returns]
    literal = Candidate("search", (TextEdit(kind, Position(5, 26), Position(5, 33), '"x"'),), "literal")
    known = verify_in_groups(
        verifier, kind, [*((t, [c]) for t, c in zip(returns, for_returns, strict=True)), (use, [literal])]
    )
    assert known[id(for_returns[0])].verified and known[id(for_returns[0])].removed.total() == 3
    assert id(literal) not in known  # left to the Suggester, where it is the same fix
    assert verifier.verify(literal, use).verified  # alone it compiles: the group must not say so


def test_a_fix_for_several_errors_whose_errors_another_such_fix_removes(verifier: Verifier) -> None:
    """Two fixes of several errors each, the first removing the second's errors too: the second is
    taken out of the group, not checked (and nothing fails on it)."""
    path = "src/kinds.ts"
    found = sorted((d for d in verifier.baseline(path) if d.is_problem), key=lambda d: d.start.line)
    annotation = (TextEdit(path, Position(1, 36), Position(1, 42), "string"),)
    literals = (
        TextEdit(path, Position(5, 26), Position(5, 34), '"x"'),
        TextEdit(path, Position(6, 26), Position(6, 34), '"y"'),
    )
    fixes = [Candidate("search", annotation if d.start.line < 5 else literals, "fix") for d in found]
    known = verify_in_groups(verifier, path, [(d, [c]) for d, c in zip(found, fixes, strict=True)])
    assert known[id(fixes[0])].verified and known[id(fixes[0])].removed.total() == 4
    assert id(fixes[2]) not in known and id(fixes[3]) not in known


def row(n: int, fix: Candidate, confidence: float) -> SuggestionRow:
    edits = [e.as_json() for e in fix.edits]
    verification = {"errors_before": 4, "errors_after": 3}
    return SuggestionRow(
        "search", None, "", edits, None, confidence, True, verification, {}, id=n, error_id=n
    )


def test_fixes_that_hold_together_are_combined_with_one_check_of_their_file(verifier: Verifier) -> None:
    rows = [
        row(1, scripted(2, 21, 24, "1"), 0.9),
        row(2, scripted(3, 21, 24, "2"), 0.8),
        row(3, scripted(4, 21, 22, '"3"'), 0.7),
    ]
    verifier.baseline(SHOP)
    calls = checks(verifier)
    result = verify_together(verifier, rows, verifier.service.disk_text)
    assert [s.id for s in result.chosen] == [1, 2, 3] and not result.skipped
    assert calls == [SHOP]
    assert result.after[SHOP].count('"') == 2  # only c's literal is a string now


def test_a_batch_that_fails_is_split_and_keeps_the_more_confident_fix(verifier: Verifier) -> None:
    """Two fixes of the same error (the second one's edit touches the first's) and one of another:
    split in halves, the first and the third are taken, the second is left out with the reason."""
    rows = [
        row(1, scripted(2, 21, 24, "1"), 0.9),
        row(2, scripted(2, 21, 24, "7"), 0.8),
        row(3, scripted(5, 22, 23, "true"), 0.7),
    ]
    result = verify_together(verifier, rows, verifier.service.disk_text)
    assert [s.id for s in result.chosen] == [1, 3]
    assert [(s.id, bool(why)) for s, why in result.skipped] == [(2, True)]


def test_a_batch_is_begun_only_when_a_check_as_long_as_the_longest_ends_in_time(verifier: Verifier) -> None:
    """`until` bounds every check, not only the start of one: with a check expected to take longer
    than the time left, nothing is combined (each is left out with the reason); once a check is
    made, its own length is what the next must fit."""
    import time

    rows = [
        row(1, scripted(2, 21, 24, "1"), 0.9),
        row(2, scripted(2, 21, 24, "7"), 0.8),
        row(3, scripted(5, 22, 23, "true"), 0.7),
    ]
    late = verify_together(
        verifier, rows, verifier.service.disk_text, until=time.monotonic() + 60, check_s=120
    )
    assert late.chosen == [] and {why for _, why in late.skipped} == {
        "not combined: the time for combining fixes ran out"
    }
    timely = verify_together(
        verifier, rows, verifier.service.disk_text, until=time.monotonic() + 60, check_s=1
    )
    assert [s.id for s in timely.chosen] == [1, 3]  # the failed batch's halves were checked in time


# ----------------------------------------------------------------------------- files in lockstep

LOCKSTEP = {
    "src/lib.ts": 'export function size(xs: string[]): number {\n  return xs.length;\n}\nexport const bad: number = "1";\n',
    "src/main.ts": 'import { size } from "./lib";\nexport const n: number = size(["a"]);\nexport const s: string = 3;\n',
    "src/other.ts": "export const o: boolean = 1;\n",
}


def edit_of(path: str, line: int, col: int, end_col: int, text: str) -> Candidate:
    """A scripted candidate (not from any fixer): one edit of `path`."""
    return Candidate("search", (TextEdit(path, Position(line, col), Position(line, end_col), text),), text)


def test_the_files_are_checked_in_lockstep_in_one_program(make_project, ts_version: str) -> None:
    """Three files' errors: each step asks every file's next check with all their edits in one
    program (after an edit TypeScript's checker starts afresh; one checker for all is cheaper), and
    each file's answer is what its own check gives. A fix that changes what its file exports is
    checked alone, with the file's importers, as Verifier.check does."""
    root = make_project(LOCKSTEP, ts=ts_version)
    service = open_language_service(root, find_tsc(root), timeout=60)
    try:
        verifier = Verifier(service)
        target = {p: next(d for d in verifier.baseline(p) if d.is_problem) for p in LOCKSTEP}
        fixes = {
            "src/lib.ts": edit_of("src/lib.ts", 4, 28, 31, "1"),
            "src/main.ts": edit_of("src/main.ts", 3, 26, 27, '"3"'),
            "src/other.ts": edit_of("src/other.ts", 1, 27, 28, "true"),
        }
        events: list[tuple[str, str]] = []
        real_set, real_diagnostics = service.set_text, service.diagnostics
        service.set_text = lambda p, t: events.append(("edit", p)) or real_set(p, t)  # type: ignore[method-assign]
        service.diagnostics = lambda p: events.append(("check", p)) or real_diagnostics(p)  # type: ignore[method-assign]
        known = verify_across_files(verifier, {p: [(target[p], [c])] for p, c in fixes.items()})
        asked = [p for kind, p in events if kind == "check"]
        assert sorted(asked) == sorted(LOCKSTEP)  # one check each
        at = [i for i, (kind, _) in enumerate(events) if kind == "check"]
        first, last = at[0], at[-1]
        assert all(kind == "check" for kind, _ in events[first : last + 1])  # no edit between: one program
        for path, fix in fixes.items():
            v = known[id(fix)]
            assert v.verified and v.files_checked == [path], (path, v)
            assert v.removed == Counter([target[path].key])
        assert all(service.text(p) == service.disk_text(p) for p in LOCKSTEP)  # nothing left behind

        # lib.ts's fix now changes what it exports: it is checked alone, its importer too
        events.clear()
        exported = edit_of("src/lib.ts", 4, 19, 25, "string")
        known = verify_across_files(
            verifier,
            {
                "src/lib.ts": [(target["src/lib.ts"], [exported])],
                "src/other.ts": [(target["src/other.ts"], [fixes["src/other.ts"]])],
            },
        )
        v = known[id(exported)]
        assert v.verified and v.files_checked == ["src/lib.ts", "src/main.ts"]
        assert known[id(fixes["src/other.ts"])].verified
    finally:
        service.close()


def test_a_failing_batch_takes_the_fixes_that_cannot_have_caused_the_new_error_first(
    verifier: Verifier,
) -> None:
    """The batch adds an error in the shop's file: the fix in kind.ts (which the shop does not
    import) cannot have caused it and is taken first — as the failed check found kind.ts, with no
    check of its own; the shop's fixes are then split in halves."""
    kind = Candidate("search", (TextEdit("src/kind.ts", Position(2, 26), Position(2, 32), "0"),), "0")
    rows = [
        row(1, scripted(2, 21, 24, "1"), 0.9),
        row(2, scripted(3, 21, 24, "name.nope"), 0.8),  # b: no such member
        row(3, kind, 0.7),
    ]
    verifier.baseline(SHOP), verifier.baseline("src/kind.ts")
    calls = checks(verifier)
    result = verify_together(verifier, rows, verifier.service.disk_text)
    assert [s.id for s in result.chosen] == [3, 1]
    assert calls.count("src/kind.ts") == 1  # in the batch that failed only
    assert [(s.id, why.split(" in ")[0]) for s, why in result.skipped] == [
        (2, "together with more confident fixes it adds TS2339")
    ]
