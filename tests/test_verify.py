"""Verification with a real language service and scripted candidates; the confidence formula."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tsfix.confidence import Evidence, confidence, evidence
from tsfix.edits import Position, TextEdit
from tsfix.fixers.candidate import Candidate
from tsfix.importgraph import ImportGraph
from tsfix.langserver.factory import open_language_service
from tsfix.tsc import find_tsc
from tsfix.verify import Verification, Verifier, merge_identical, reelaborated, suppression_in

FILES = {
    "src/money.ts": "export function cents(amount: number): number {\n  return Math.round(amount * 100);\n}\n",
    "src/cart.ts": (
        'import { cents } from "./money";\n'
        "export function total(prices: number[]): number {\n"
        "  return prices.reduce((sum, p) => sum + cents(p), 0);\n"
        "}\n"
        'export const shipping: number = "5";\n'
        "export const maybe: { size: number } | undefined = undefined;\n"
        "export const size: number = maybe.size;\n"
    ),
}


def scripted(edits: list[TextEdit], fixer: str = "repair") -> Candidate:
    """A scripted candidate (not from any fixer): the logic under test is verification."""
    return Candidate(fixer, tuple(edits), "scripted candidate")


def edit(line: int, col: int, end_col: int, text: str, file: str = "src/cart.ts") -> TextEdit:
    return TextEdit(file, Position(line, col), Position(line, end_col), text)


@pytest.fixture
def verifier(make_project, ts_version: str):
    root = make_project(FILES, ts=ts_version)
    service = open_language_service(root, find_tsc(root), timeout=60)
    yield Verifier(service)
    service.close()


def target(verifier: Verifier, code: str):
    return next(d for d in verifier.baseline("src/cart.ts") if d.code == code)


def test_a_real_fix_is_verified(verifier: Verifier) -> None:
    literal = target(verifier, "TS2322")
    result = verifier.verify(scripted([edit(5, 33, 36, "5")]), literal)
    assert result.verified and result.target_gone and result.new_errors == []
    assert (result.errors_before, result.errors_after) == (2, 1)
    assert "src/cart.ts" in result.files_checked
    assert verifier.service.text("src/cart.ts") == verifier.service.disk_text("src/cart.ts")  # restored


def test_a_non_fix_is_not_verified(verifier: Verifier) -> None:
    literal = target(verifier, "TS2322")
    result = verifier.verify(scripted([edit(5, 33, 36, '"6"')]), literal)
    assert not result.verified and not result.target_gone


def test_breaking_an_importer_is_caught(verifier: Verifier) -> None:
    literal = target(verifier, "TS2322")
    # "fixes" nothing in cart.ts's target but changes money.ts so that cart.ts (its importer) breaks
    breaking = scripted(
        [
            edit(5, 33, 36, "5"),
            TextEdit("src/money.ts", Position(1, 32), Position(1, 38), "string"),
        ]
    )
    result = verifier.verify(breaking, literal)
    assert result.target_gone and not result.verified
    assert any(e["file"] == "src/cart.ts" for e in result.new_errors)
    assert set(result.files_checked) == {"src/cart.ts", "src/money.ts"}


def test_edits_that_break_are_checked_once_whatever_error_they_are_proposed_for(verifier: Verifier) -> None:
    """The same edits proposed for another error of the files they were checked with add the same
    errors: no second check (the service is spied on), the same new errors, not verified."""
    literal, optional = target(verifier, "TS2322"), target(verifier, "TS18048")
    breaking = scripted([TextEdit("src/money.ts", Position(1, 32), Position(1, 38), "string")])
    first = verifier.verify(breaking, literal)
    assert not first.verified and any(e["file"] == "src/cart.ts" for e in first.new_errors)
    asked: list[str] = []
    real = verifier.service.diagnostics
    verifier.service.diagnostics = lambda path: asked.append(path) or real(path)  # type: ignore[method-assign]
    again = verifier.verify(scripted(list(breaking.edits)), optional)
    assert asked == [] and not again.verified and again.new_errors == first.new_errors
    fixing = verifier.verify(scripted([edit(5, 33, 36, "5")]), literal)  # other edits: checked
    assert fixing.verified and asked


@pytest.mark.parametrize(
    ("replacement", "kind"),
    [
        ("(maybe as any).size", "as any"),
        ("(maybe as unknown as { size: number }).size", "as unknown as"),
        ("maybe!.size", "non-null assertion"),
    ],
)
def test_suppressions_are_rejected(verifier: Verifier, replacement: str, kind: str) -> None:
    undefined = next(d for d in verifier.baseline("src/cart.ts") if d.code in ("TS18048", "TS2532"))
    result = verifier.verify(scripted([edit(7, 29, 39, replacement)]), undefined)
    assert not result.verified and result.suppression and kind in result.suppression


def test_ts_ignore_and_any_are_rejected() -> None:
    before = {"a.ts": "const n: number = 'x';\n"}
    assert suppression_in(before, {"a.ts": "// @ts-ignore\nconst n: number = 'x';\n"}) == "adds @ts-ignore"
    assert (
        suppression_in(before, {"a.ts": "// @ts-expect-error\nconst n: number = 'x';\n"})
        == "adds @ts-expect-error"
    )
    assert suppression_in(before, {"a.ts": "// @ts-nocheck\n" + before["a.ts"]}) == "adds @ts-nocheck"
    assert suppression_in(before, {"a.ts": "const n: any = 'x';\n"}) == "adds the any type"
    # words inside strings and comments are not code; != is not a non-null assertion
    assert (
        suppression_in(before, {"a.ts": "const n: number = 1; // any old value\nconst s = 'any!';\n"}) is None
    )
    assert suppression_in({"a.ts": "if (a != b) {}"}, {"a.ts": "if (a !== b) {}"}) is None


def test_suppressions_can_be_allowed(verifier: Verifier) -> None:
    verifier.allow_suppressions = True
    undefined = next(d for d in verifier.baseline("src/cart.ts") if d.code in ("TS18048", "TS2532"))
    result = verifier.verify(scripted([edit(7, 29, 39, "maybe!.size")]), undefined)
    assert result.verified and result.suppression
    ev = evidence(scripted([]), result, changed_chars=1, verified_alternatives=1)
    assert confidence(True, ev) < confidence(True, Evidence(0.8, ev.size, 1, 1, 1, 1))


def test_invalid_edits(verifier: Verifier) -> None:
    literal = target(verifier, "TS2322")
    overlapping = scripted([edit(5, 33, 36, "5"), edit(5, 34, 35, "6")])
    assert verifier.verify(overlapping, literal).invalid == "overlapping edits"
    outside = scripted([TextEdit("../elsewhere.ts", Position(1, 1), Position(1, 1), "x")])
    assert "outside the project" in (verifier.verify(outside, literal).invalid or "")
    assert verifier.verify(scripted([edit(5, 33, 36, '"5"')]), literal).invalid == "changes nothing"


def test_identical_candidates_are_merged(verifier: Verifier) -> None:
    a = scripted([edit(5, 33, 36, "5")], fixer="quickfix")
    b = scripted([edit(5, 33, 34, ""), edit(5, 35, 36, "")], fixer="repair")  # same result, other edits
    c = scripted([edit(5, 33, 36, "6")])
    merged = merge_identical([a, b, c], verifier)
    assert len(merged) == 2 and merged[0] is a and merged[0].also_from == ["repair"]


# ----------------------------------------------------------------------------- confidence


def _verification(verified: bool, before: int = 2, after: int = 1) -> Verification:
    return Verification(verified, verified, [], before, after, ["a.ts"])


@given(
    st.sampled_from(["quickfix", "repair", "llama", "openai"]),
    st.integers(0, 5000),
    st.integers(1, 10),
    st.floats(-20, 0) | st.none(),
    st.integers(1, 8),
    st.sampled_from(["quickfix", "repair", "llama", "openai"]),
    st.integers(0, 5000),
    st.floats(-20, 0) | st.none(),
)
def test_verified_always_outranks_unverified(
    fixer_a, size_a, alternatives, lp_a, k, fixer_b, size_b, lp_b
) -> None:
    good = Candidate(fixer_a, (), "x", mean_logprob=lp_a, samples=1, of_samples=k)
    bad = Candidate(fixer_b, (), "y", mean_logprob=lp_b, samples=k, of_samples=k)
    high = confidence(True, evidence(good, _verification(True), size_a, alternatives))
    low = confidence(False, evidence(bad, _verification(False), size_b, alternatives))
    assert 0.5 <= high <= 1.0 and 0.0 <= low <= 0.25 and high > low


def test_evidence_moves_confidence_the_right_way() -> None:
    ok = _verification(True)
    quick = Candidate("quickfix", (), "x")
    assert confidence(True, evidence(quick, ok, 5, 1)) > confidence(True, evidence(quick, ok, 500, 1))  # size
    assert confidence(True, evidence(quick, ok, 5, 1)) > confidence(
        True, evidence(quick, ok, 5, 3)
    )  # ambiguity
    model = Candidate("llama", (), "x", mean_logprob=-0.1, samples=3, of_samples=3)
    unsure = Candidate("llama", (), "x", mean_logprob=-3.0, samples=1, of_samples=3)
    assert confidence(True, evidence(model, ok, 5, 1)) > confidence(True, evidence(unsure, ok, 5, 1))
    assert confidence(True, evidence(quick, ok, 5, 1)) > confidence(True, evidence(model, ok, 5, 1))  # tier
    many = _verification(True, before=5, after=1)
    assert confidence(True, evidence(quick, many, 5, 1)) >= confidence(True, evidence(quick, ok, 5, 1))


def test_errors_the_language_server_calls_warnings_still_count(make_project, ts_version: str) -> None:
    """TypeScript 7's language server reports TS6133 under noUnusedParameters as a warning; tsc fails on it."""
    config = {
        "compilerOptions": {"strict": True, "noUnusedParameters": True, "types": [], "lib": ["es2022"]},
        "include": ["src"],
    }
    root = make_project(
        {"src/a.ts": "export function f(a: number) { return a; }\nf(1, 2);\n"}, ts=ts_version, tsconfig=config
    )
    service = open_language_service(root, find_tsc(root), timeout=60)
    try:
        verifier = Verifier(service)
        arity = next(d for d in verifier.baseline("src/a.ts") if d.code == "TS2554")
        add_unused = scripted([TextEdit("src/a.ts", Position(1, 28), Position(1, 28), ", b?: number")])
        result = verifier.verify(add_unused, arity)
        assert result.target_gone and not result.verified
        assert [e["code"] for e in result.new_errors] == ["TS6133"]
    finally:
        service.close()


STAGED = {
    "src/lib.ts": (
        "export interface Row { id: number }\nexport function label(n: number): string {\n  return n;\n}\n"
    ),
    "src/a.ts": 'import { label } from "./lib";\nexport const a: string = label(1);\n',
    "src/b.ts": 'import { label, type Row } from "./lib";\nexport const b = (r: Row): string => label(r.id);\n',
}


def test_importers_are_checked_only_when_exported_types_change(make_project, ts_version: str) -> None:
    root = make_project(STAGED, ts=ts_version)
    with open_language_service(root, find_tsc(root), timeout=60) as service:
        verifier = Verifier(service)
        wrong = next(d for d in verifier.baseline("src/lib.ts") if d.code == "TS2322")
        # the body changes, the signature does not: importers cannot be affected and are not checked
        body = verifier.verify(scripted([edit(3, 10, 11, "String(n)", "src/lib.ts")]), wrong)
        assert body.verified and body.files_checked == ["src/lib.ts"]
        assert body.importers_skipped == 2 and set(body.stage_ms) == {"files", "exports"}
        # the declared return type changes: it removes the error in lib.ts, so the importers are
        # checked next, and a.ts now assigns a number to a string
        signature = verifier.verify(scripted([edit(2, 35, 41, "number", "src/lib.ts")]), wrong)
        assert signature.target_gone and not signature.verified
        assert signature.files_checked == ["src/a.ts", "src/b.ts", "src/lib.ts"]
        assert [e["file"] for e in signature.new_errors] == ["src/a.ts", "src/b.ts"]
        assert set(signature.stage_ms) == {"files", "exports", "importers"}
        # an edit that fails in its own file never reaches the importers
        broken = verifier.verify(scripted([edit(3, 10, 11, "n + 1", "src/lib.ts")]), wrong)
        assert not broken.target_gone and set(broken.stage_ms) == {"files"}
        # and an interface edit is a change of exported types even though no quick info shows it
        row = verifier.verify(
            scripted([edit(3, 10, 11, "String(n)", "src/lib.ts"), edit(1, 28, 34, "string", "src/lib.ts")]),
            wrong,
        )
        assert "importers" in row.stage_ms and not row.verified
        assert service.text("src/lib.ts") == service.disk_text("src/lib.ts")


def test_importers_include_those_of_barrels_that_reexport_a_file(tmp_path: Path) -> None:
    files = {
        "src/lib.ts": "export const x = 1;\n",
        "src/internal.ts": 'export * from "./lib";\nexport { y } from "./other";\n',
        "src/index.ts": 'export type { Z } from "./internal";\nexport * from "./index";\n',  # a cycle
        "src/a.ts": 'import { x } from "./internal";\n',
        "src/b.ts": 'import { Z } from "./index";\n',
        "src/c.ts": 'import { y } from "./other";\n',
        "src/other.ts": 'export const y = 2;\nexport * from "./internal";\n',  # a cycle through two
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    graph = ImportGraph(tmp_path)
    # lib.ts reaches a.ts through internal.ts, b.ts through internal.ts then index.ts, c.ts via other.ts
    assert graph.importers("src/lib.ts") == {
        "src/internal.ts", "src/a.ts", "src/index.ts", "src/other.ts", "src/b.ts", "src/c.ts"
    }  # fmt: skip
    assert graph.importers("src/a.ts") == set()


def test_a_change_below_an_errors_first_line_is_a_new_error(make_project, ts_version: str) -> None:
    """The lines that elaborate an error are part of it (the benchmark and a reviewer both see the
    error change): a fix elsewhere that leaves the error's first line but changes what it says
    about the property is not verified. The check that rules out the order the service checked
    files in (re-asked in a fresh program, in the same order) finds the change again."""
    files = {
        "src/a.ts": (
            "export interface Opts {\n  a: number\n  b: number\n}\n"
            'const v = { a: "x", b: "y" }\n'
            "export const o: Opts = v\n"
            'export const first: Opts["a"] = "x"\n'
        )
    }
    root = make_project(files, ts=ts_version)
    with open_language_service(root, find_tsc(root), timeout=60) as service:
        verifier = Verifier(service)
        wanted = next(d for d in verifier.baseline("src/a.ts") if d.start.line == 7)
        result = verifier.verify(scripted([edit(2, 6, 12, "string", "src/a.ts")]), wanted)
        assert result.target_gone and not result.verified
        (added,) = result.new_errors
        assert added["message"].startswith(
            "Type '{ a: string; b: string; }' is not assignable to type 'Opts'"
        )
        assert service.text("src/a.ts") == service.disk_text("src/a.ts")


def test_reelaborated_pairs_an_added_error_with_a_removed_one_by_its_first_line() -> None:
    """Pure logic."""
    head = ("src/a.ts", "TS2375", "Type '{ base_: Objectish; }' is not assignable to type 'ProxyState'.")
    was = Counter({(head[0], head[1], head[2] + "\n  Type 'AnyObject' is missing …"): 1})
    now = Counter({(head[0], head[1], head[2] + "\n  Type 'Map<any, any>' is missing …"): 1})
    assert reelaborated(now, was)
    assert not reelaborated(Counter({("src/a.ts", "TS2375", "Type 'X' is not assignable."): 1}), was)
    assert not reelaborated(now, Counter())
