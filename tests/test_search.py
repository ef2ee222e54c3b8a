"""The compiler-guided search with real TypeScript (5.9.3 over tsserver, 7.0.2 over its LSP): each kind
of candidate, proposed from the language service's answers and proven by the verifier."""

from __future__ import annotations

import json

import pytest

from conftest import DEFAULT_TSCONFIG, MISSPELT_IMPORT, suggestions
from tsfix.fixers import FixContext
from tsfix.fixers.search import SearchFixer
from tsfix.fixers.search.objects import undefined_properties
from tsfix.fixers.search.rank import best, similarity
from tsfix.langserver.factory import open_language_service
from tsfix.records import ErrorRow
from tsfix.tsc import find_tsc
from tsfix.verify import Verifier, merge_identical


def error_row(path: str, code: str) -> ErrorRow:
    return ErrorRow(
        1, "p", "f", path, 1, 1, code, "error", "", None, None, None, "new", 1, 1, 1, None, "", ""
    )


def searched(
    make_project, ts_version: str, files: dict[str, str], code: str, path: str = "src/a.ts", tsconfig=None
):
    """The search's candidates for the first `code` error of `path`: [(fix name, text after, verified)]."""
    root = make_project(files, ts=ts_version, tsconfig=tsconfig)
    with open_language_service(root, find_tsc(root), timeout=60) as service:
        verifier = Verifier(service)
        diagnostics = [d for d in verifier.baseline(path) if d.is_problem]
        target = next(d for d in diagnostics if d.code == code)
        ctx = FixContext(error_row(path, code), target, service, root, diagnostics)
        out = []
        for candidate in SearchFixer().candidates(ctx):
            _, after = verifier.result_texts(candidate.edits)
            out.append((candidate.fix_name, after.get(path, ""), verifier.verify(candidate, target).verified))
        return out


def first_fix(make_project, ts_version: str, source: str, code: str, name: str | None = None) -> str:
    """src/a.ts after the best-ranked verified search candidate (of fix `name`, if given)."""
    results = searched(make_project, ts_version, {"src/a.ts": source}, code)
    return next(text for fix, text, ok in results if ok and name in (None, fix))


def verified(results) -> list[str]:
    return [text for _, text, ok in results if ok]


# ----------------------------------------------------------------------------- ranking (pure logic)


def test_similarity_sees_spelling_and_shared_words() -> None:
    assert similarity("userNam", "userName") > similarity("userNam", "total")
    assert similarity("api", "baseQueryApi") >= 0.6  # a word of the name
    assert best("lenght", ["length", "at", "concat", "lastIndexOf"], 2)[0][0] == "length"
    assert best("x", ["x"], 3) == []  # the wrong name itself is never a candidate
    # a difference of case only is closer than any difference of spelling
    assert similarity("middlewares", "Middlewares") > similarity("middlewares", "Middleware")


def test_an_import_is_preferred_from_where_the_project_imports_the_name(tmp_path) -> None:
    from tsfix.vocabulary import Vocabulary

    files = {
        "src/types/actions.ts": "export interface Action { type: string }\n",
        "src/index.ts": "export type { Action } from './types/actions'\n",
        "src/a.ts": "import type { Action } from './types/actions'\n",
        "src/b/c.ts": "import { type Action, other } from '../types/actions.js'\n",
        "src/d.ts": "import React from 'react'\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    vocabulary = Vocabulary(tmp_path)
    before = {"src/utils/e.ts": "import React from 'react'\nlet a: Action\n"}
    declaring = {"src/utils/e.ts": "import { Action } from '../types/actions'\n" + before["src/utils/e.ts"]}
    barrel = {"src/utils/e.ts": "import { Action } from '..'\n" + before["src/utils/e.ts"]}
    package = {"src/utils/e.ts": "import { Action } from 'redux'\n" + before["src/utils/e.ts"]}
    # three files import Action from the declaring module (one re-exports it), none from elsewhere
    assert vocabulary.share(before, declaring) == 4 / 5
    assert vocabulary.share(before, barrel) == vocabulary.share(before, package) == 1 / 5
    unknown = {"src/utils/e.ts": "import { Other } from 'x'\n" + before["src/utils/e.ts"]}
    assert vocabulary.share(before, unknown) == 1 / 2  # a name the project never imports: no say
    # renaming away from a name other files import: that name is real, its import is what is missing
    uses = {"src/a.ts": "export const t: Action = { type: 'x' };\n"}
    assert vocabulary.share(uses, {"src/a.ts": uses["src/a.ts"].replace("Action", "Actions")}) == 0.0
    own = {"src/b/c.ts": files["src/b/c.ts"]}  # only the edited file imports `other`: it may be misspelt
    assert vocabulary.share(own, {"src/b/c.ts": own["src/b/c.ts"].replace("other", "others")}) > 0.0


# ----------------------------------------------------------------------------- names


def test_an_unknown_name_becomes_the_in_scope_value_that_type_checks(make_project, ts_version) -> None:
    source = (
        "export function greet(userName: string, times: number): string {\n"
        "  return userNam.repeat(times);\n"
        "}\n"
    )
    out = searched(make_project, ts_version, {"src/a.ts": source}, "TS2552")
    assert verified(out) == [source.replace("userNam.", "userName.")]


def test_a_name_with_no_candidate_gets_none(make_project, ts_version) -> None:
    source = "export function f(count: number): number {\n  return count + qqqqqqqq;\n}\n"
    assert verified(searched(make_project, ts_version, {"src/a.ts": source}, "TS2304")) == []


def test_an_unknown_member_becomes_a_member_of_the_receiver(make_project, ts_version) -> None:
    source = "interface Box { capacity: number; label: string }\nexport const f = (b: Box): number => b.capasity;\n"
    out = searched(make_project, ts_version, {"src/a.ts": source}, "TS2551")
    # label is a string: refused; the declaration renamed to the use's spelling also compiles
    assert verified(out) == [
        source.replace("b.capasity", "b.capacity"),
        source.replace("{ capacity", "{ capasity"),
    ]


def test_the_declaration_is_renamed_when_the_project_spells_the_member_like_the_use(
    make_project, cli, ts_version
) -> None:
    files = {
        "src/types.ts": "export interface Order { totl: number; items: string[] }\n",
        "src/a.ts": (
            'import type { Order } from "./types";\n'
            "export const total = (o: Order): number => o.total;\n"
            "export function sum(total: number, more: number): number { return total + more; }\n"
        ),
    }
    root = make_project(files, ts=ts_version)
    assert cli("scan", str(root)).exit_code == 1
    result = cli("suggest", "--path", str(root), "--no-ts6", "-f", "json")
    (error,) = json.loads(result.stdout)["errors"]
    best, *others = [s for s in error["suggestions"] if s["verified"]]
    assert "+export interface Order { total: number; items: string[] }" in best["suggestion"]
    assert any("o.totl" in s["suggestion"] for s in others)  # the use renamed: it compiles too


def test_a_misspelt_import_is_renamed_with_its_uses(make_project, ts_version) -> None:
    files = dict(MISSPELT_IMPORT)
    out = searched(make_project, ts_version, files, "TS2724")
    assert verified(out)[0] == files["src/a.ts"].replace("formatDat", "formatDate")
    renamed = [text for name, text, _ in out if name == "closest-export"]
    assert renamed == [files["src/a.ts"].replace("formatDat", "formatDate")]


# ----------------------------------------------------------------------------- promises


LOADER = (
    "export interface Todo { title: string; tags: string[] }\n"
    "export async function load(id: number): Promise<Todo> { return { title: String(id), tags: [] }; }\n"
)


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("  const todo = load(id);\n  return todo.title;\n", "TS2339"),  # a member of the promise
        ("  const todo = load(id);\n  const t: Todo = todo;\n  return t.title;\n", "TS2739"),  # assigned
        ("  const todo = load(id);\n  return [...todo.tags].join();\n", "TS2339"),
        # reported at the assignment's target, not at the promise assigned to it
        ("  let todo: Todo;\n  todo = load(id);\n  return todo.title;\n", "TS2739"),
    ],
)
def test_a_missing_await_is_found_whatever_the_error_code(make_project, ts_version, body, code) -> None:
    source = LOADER + f"export async function title(id: number): Promise<string> {{\n{body}}}\n"
    out = searched(make_project, ts_version, {"src/a.ts": source}, code)
    assert source.replace("= load(id)", "= await load(id)") in verified(out)


def test_await_in_a_function_that_is_not_async_makes_it_async(make_project, ts_version) -> None:
    source = (
        LOADER
        + "export function title(id: number): string {\n  const todo = load(id);\n  return todo.title;\n}\n"
    )
    out = searched(make_project, ts_version, {"src/a.ts": source}, "TS2339")
    expected = source.replace(
        "export function title(id: number): string",
        "export async function title(id: number): Promise<string>",
    )
    assert expected.replace("= load(id)", "= await load(id)") in verified(out)


# ----------------------------------------------------------------------------- calls


def test_an_extra_argument_is_dropped_wherever_it_is(make_project, ts_version) -> None:
    source = (
        "function area(w: number, h: number): number { return w * h; }\nexport const a = area(2, 'x', 3);\n"
    )
    out = searched(make_project, ts_version, {"src/a.ts": source}, "TS2554")
    assert verified(out) == [source.replace("area(2, 'x', 3)", "area(2, 3)")]


def test_a_missing_argument_is_passed_from_an_in_scope_value_of_its_type(make_project, ts_version) -> None:
    source = (
        "function label(name: string, width: number): string { return name.padEnd(width); }\n"
        "export function row(title: string, columns: number): string {\n"
        "  return label(title);\n"
        "}\n"
    )
    out = searched(make_project, ts_version, {"src/a.ts": source}, "TS2554")
    texts = verified(out)
    assert texts[0] == source.replace("label(title)", "label(title, columns)")  # a number, not `title`


def test_a_missing_argument_prefers_the_value_its_statement_already_uses(make_project, ts_version) -> None:
    source = (
        "class Greeter {\n  name = 'x'\n  greet() { return this.name }\n}\n"
        "const answer = 42\nconst greeter = new Greeter()\n"
        "export const greet = greeter.greet.bind()\nexport const n = answer\n"
        "export const nothing = undefined\n"  # read once, declared nowhere here: not an unread value
        # module declarations no line here reads: their importers may, so they are not "unread"
        "export const a1 = 1, a2 = 2, a3 = 3, a4 = 4, a5 = 5, a6 = 6\n"
    )
    out = searched(make_project, ts_version, {"src/a.ts": source}, "TS2555")  # at least 1, got 0
    assert verified(out)[0] == source.replace(".bind()", ".bind(greeter)")  # not `answer`, which fits too


# ----------------------------------------------------------------------------- objects


def test_only_the_missing_property_is_inserted_in_the_objects_own_layout(make_project, ts_version) -> None:
    source = (
        "interface Todo { title: string; done: boolean; owner: string }\n"
        "export function make(title: string, owner: string): Todo {\n"
        "\tconst todo: Todo = {\n"
        "\t\ttitle,\n"
        "\t\tdone: false,\n"
        "\t};\n"
        "\treturn todo;\n"
        "}\n"
    )
    out = searched(make_project, ts_version, {"src/a.ts": source}, "TS2741")
    found = source.replace("\t\tdone: false,\n", "\t\tdone: false,\n\t\towner,\n")
    assert verified(out)[0] == found  # tabs and the trailing comma, as its siblings have
    assert any(name == "add-missing-properties" and "owner: ''" in text for name, text, _ in out)  # a guess


def test_a_missing_property_goes_where_its_type_declares_it(make_project, ts_version) -> None:
    files = {
        "src/todo.ts": "export interface Todo {\n  id: number\n  title: string\n  due: string\n  done: boolean\n}\n",
        "src/a.ts": (
            "import type { Todo } from './todo'\n"
            "export function make(id: number, title: string, done: boolean, due: string): Todo {\n"
            "  return {\n    title: title,\n    done: done,\n  }\n}\n"
        ),
    }
    out = searched(make_project, ts_version, files, "TS2739")
    # id before the first existing property, due between them (title and done are declared around it)
    assert verified(out)[0] == files["src/a.ts"].replace(
        "    title: title,\n    done: done,\n", "    id,\n    title: title,\n    due,\n    done: done,\n"
    )


def test_a_missing_literal_property_is_the_constant_that_names_one_of_its_literals(
    make_project, ts_version
) -> None:
    files = {
        "src/patch.ts": 'export interface Patch {\n  op: "replace" | "remove"\n  path: string[]\n}\n',
        "src/a.ts": (
            'import type { Patch } from "./patch"\n'
            'const REPLACE = "replace"\n'
            "export function replace(path: string[]): Patch {\n"
            "  const patch: Patch = {\n    path\n  }\n  return patch\n}\n"
        ),
    }
    out = searched(make_project, ts_version, files, "TS2741")
    texts = verified(out)
    assert texts[0] == files["src/a.ts"].replace("{\n    path\n", "{\n    op: REPLACE,\n    path\n")
    assert files["src/a.ts"].replace("{\n    path\n", '{\n    op: "replace",\n    path\n') in texts  # a guess


def test_a_missing_property_in_an_argument_is_found_in_the_error_s_elaboration(
    make_project, ts_version
) -> None:
    """TypeScript 5.x reports an argument missing a property as TS2345, the missing property in the
    message's second line; 7.x as TS2741. The cause is the same, and so is the fix."""
    files = {
        "src/patch.ts": 'export interface Patch {\n  op: "replace" | "remove"\n  path: string[]\n}\n',
        "src/a.ts": (
            'import type { Patch } from "./patch"\n'
            'const REPLACE = "replace"\n'
            "export function record(patches: Patch[], path: string[]): void {\n"
            "  patches.push({\n    path\n  })\n}\n"
        ),
    }
    code = "TS2345" if ts_version.startswith("5") else "TS2741"
    texts = verified(searched(make_project, ts_version, files, code))
    assert texts and texts[0] == files["src/a.ts"].replace("{\n    path\n", "{\n    op: REPLACE,\n    path\n")


def test_several_missing_properties_on_one_line(make_project, ts_version) -> None:
    source = (
        "interface Point { x: number; y: number; z: number }\n"
        "export function at(y: number, z: number): Point {\n  return { x: 0 };\n}\n"
    )
    out = searched(make_project, ts_version, {"src/a.ts": source}, "TS2739")
    assert verified(out)[0] == source.replace("{ x: 0 }", "{ x: 0, y, z }")


# ----------------------------------------------------------------------------- through tsfix suggest


AMBIGUOUS = {
    "src/a.ts": (
        "function label(name: string, width: number): string { return name.padEnd(width); }\n"
        "export function row(title: string, columns: number, rows: number): string {\n"
        "  return label(title) + rows;\n"
        "}\n"
    )
}


def test_two_verified_candidates_lower_confidence_and_both_are_shown(make_project, cli, ts_version) -> None:
    root = make_project(AMBIGUOUS, ts=ts_version)
    assert cli("scan", str(root)).exit_code == 1
    result = cli("suggest", "--path", str(root), "--no-ts6", "-f", "json")
    assert result.exit_code == 0, result.output
    (error,) = json.loads(result.stdout)["errors"]
    good = [s for s in error["suggestions"] if s["verified"] and not s["explanation"].startswith("Pass 0")]
    assert {s["explanation"] for s in good} >= {"Pass columns as argument 2", "Pass rows as argument 2"}
    assert all(s["confidence"] < 0.8 for s in good)  # two different values compile: neither is sure
    shown = cli("show", str(error["id"]), "--path", str(root))
    assert "label(title, columns)" in shown.output and "label(title, rows)" in shown.output


def test_a_budget_that_runs_out_is_reported(make_project, cli, ts_version) -> None:
    root = make_project(AMBIGUOUS, ts=ts_version)
    assert cli("scan", str(root)).exit_code == 1
    result = cli("suggest", "--path", str(root), "--no-ts6", "--max-candidates", "1", "-f", "json")
    (error,) = json.loads(result.stdout)["errors"]
    assert error["candidates_checked"] == 1 and error["candidates_untried"] > 0
    assert "budget exhausted (--max-candidates 1)" in error["note"]
    table = cli("suggest", "--path", str(root), "--no-ts6", "--status", "open", "--max-candidates", "1")
    assert "ran out of budget" in table.output and "--max-candidates" in table.output


def test_a_long_shot_is_begun_only_where_it_fits_the_errors_budget() -> None:
    """Pure logic (Suggester._verify with a scripted verifier): a first candidate is always
    checked while the budget allows; one asked for later (a long shot), like an alternative to a
    verified fix, only when a check as long as the recent ones ends inside the error's budget."""
    from types import SimpleNamespace

    from tsfix.budget import Budget
    from tsfix.fixers.candidate import Candidate
    from tsfix.suggest import Suggester
    from tsfix.verify import Verification

    checked: list[str] = []

    def verify(candidate, target):
        checked.append(candidate.description)
        return Verification(False, False, [], 1, 1, [], elapsed_ms=4000)

    scripted = SimpleNamespace(
        verifier=SimpleNamespace(verify=verify),
        options=SimpleNamespace(allow_suppressions=False),
        verify_ms=[],
        _seconds=4.0,  # recent checks took 4 s
        _ranked=lambda cs: cs,
    )
    shot = [Candidate("search", (), "await x", long_shot=True)]
    budget = Budget(24, 3.0)
    assert Suggester._verify(scripted, shot, None, budget, later=True) == []  # type: ignore[arg-type]
    assert checked == [] and budget.untried == 1
    first = Suggester._verify(scripted, shot, None, Budget(24, 3.0))  # type: ignore[arg-type]
    assert checked == ["await x"] and len(first) == 1
    roomy = Suggester._verify(scripted, shot, None, Budget(24, 30.0), later=True)  # type: ignore[arg-type]
    assert checked == ["await x", "await x"] and len(roomy) == 1


def test_a_wrong_argument_becomes_the_literal_the_file_passes_there_elsewhere(
    make_project, cli, ts_version
) -> None:
    source = (
        "export const path = (parts: string[]): string => parts.join('/')\n"
        "export const shown = (parts: string[]): string => `at ${parts.join(1)}`\n"
    )
    root = make_project({"src/a.ts": source}, ts=ts_version)
    assert cli("scan", str(root)).exit_code == 1
    result = cli("suggest", "--path", str(root), "--no-ts6", "-f", "json")
    (error,) = json.loads(result.stdout)["errors"]
    ranked = sorted((s for s in error["suggestions"] if s["verified"]), key=lambda s: -s["confidence"])
    # the file's own separator beats the digit written as a string; both compile, so both are shown
    assert "parts.join('/')}" in ranked[0]["suggestion"] and "parts.join('1')" in ranked[1]["suggestion"]


def test_a_run_budget_that_runs_out_leaves_the_rest_open(make_project, cli, ts_version) -> None:
    from tsfix.project import resolve_project
    from tsfix.suggest import SuggestOptions, suggest_errors

    files = {"src/a.ts": AMBIGUOUS["src/a.ts"] + "export const n: number = 'x'.lenght;\n"}
    root = make_project(files, ts=ts_version)
    assert cli("scan", str(root)).exit_code == 1
    project = resolve_project(root)
    spent = suggest_errors(project, SuggestOptions(ts6=False, max_seconds=0.0))
    assert [o.note for o in spent.outcomes] == ["not reached: the run's budget (--max-seconds 0) ran out"] * 2
    with project.open_store() as store:
        assert {e.status for e in store.list_errors(project=project.key)} == {"new"}  # nothing recorded
    # the first error is always reached; what is not reached is tried by the next run
    result = cli("suggest", "--path", str(root), "--no-ts6", "--max-seconds", "1", "-f", "json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["errors"][0]["candidates_checked"] > 0


def test_fixes_verified_in_lockstep_are_recorded_after_the_runs_time_is_spent(
    make_project, cli, ts_version
) -> None:
    """Two files' errors verified in lockstep (Suggester.prepare_files): once the run's time is
    spent (`late`), each error still gets the fix verified for it, without another check."""
    from tsfix.fixers import build_fixers
    from tsfix.progress import quiet
    from tsfix.project import ProgramSources, resolve_project
    from tsfix.suggest import SuggestOptions, suggestion_session

    files = {"src/a.ts": "export const a: number = '1';\n", "src/b.ts": "export const b: number = '2';\n"}
    root = make_project(files, ts=ts_version)
    assert cli("scan", str(root)).exit_code == 1
    project = resolve_project(root)
    with project.open_store() as store:
        errors = store.list_errors(project=project.key)
    options = SuggestOptions(ts6=False, no_llm=True)
    deterministic, models, _ = build_fixers(options, quiet)
    with suggestion_session(root, project.tsc, options, deterministic, models) as suggester:
        suggester.verifier.sources = ProgramSources(root, project.tsc, project.tsconfig)
        suggester.prepare_files({e.file_path: [e] for e in errors})
        calls: list[str] = []
        real = suggester.service.diagnostics
        suggester.service.diagnostics = lambda p: calls.append(p) or real(p)  # type: ignore[method-assign]
        outcomes = [suggester.suggest(e, late=True) for e in errors]
    assert [o.verified for o in outcomes] == [True, True] and calls == []
    diffs = sorted(o.kept[0].suggestion.suggestion for o in outcomes)
    assert "+export const a: number = 1;" in diffs[0] and "+export const b: number = 2;" in diffs[1]


def test_every_error_is_asked_about_before_the_search_types_into_a_file(
    make_project, cli, ts_version
) -> None:
    """Candidates for many files' errors (Suggester.prepare_files, tsfix.gathering): the questions
    that only ask come first, for every error — even of a later file —, and the search's probes
    that type into a file's copy (`order.` for its members) come after all of them, so that
    TypeScript answers the questions from one program. Each error gets the candidates its fixers
    propose when asked alone, in the same order, and no question about the program as on disk is
    sent to the server twice."""
    from tsfix.fixers import build_fixers
    from tsfix.progress import quiet
    from tsfix.project import ProgramSources, resolve_project
    from tsfix.suggest import SuggestOptions, suggestion_session

    files = {
        "src/a.ts": (
            "export function f(label: string): number {\n"
            "  const order = { total: 3, label };\n"
            "  const total: number = label;\n"
            "  return total + order.total;\n"
            "}\n"
        ),
        "src/b.ts": "export const m = Mathh.max(1, 2);\n",
    }
    root = make_project(files, ts=ts_version)
    assert cli("scan", str(root)).exit_code == 1
    project = resolve_project(root)
    with project.open_store() as store:
        errors = sorted(store.list_errors(project=project.key), key=lambda e: e.file_path or "")
    options = SuggestOptions(ts6=False, no_llm=True)
    deterministic, models, _ = build_fixers(options, quiet)
    with suggestion_session(root, project.tsc, options, deterministic, models) as suggester:
        service = suggester.verifier.service
        suggester.verifier.sources = ProgramSources(root, project.tsc, project.tsconfig)
        for e in errors:
            suggester.verifier.baseline(e.file_path or "")
        events: list[tuple[str, str]] = []
        sent: list[tuple] = []
        for name in ("code_fixes", "quick_info", "definition", "completions"):
            public, protocol = getattr(service, name), getattr(service, f"_{name}")
            setattr(service, name, lambda *a, _f=public, _n=name: events.append((_n, "")) or _f(*a))
            setattr(
                service,
                f"_{name}",
                lambda *a, _f=protocol, _n=name: sent.append((_n, a, bool(service._edited))) or _f(*a),
            )
        set_text = service.set_text
        typed = lambda path, text: events.append(("type", path)) if text != service.disk_text(path) else None  # noqa: E731
        service.set_text = lambda path, text: typed(path, text) or set_text(path, text)  # type: ignore[method-assign]
        suggester.prepare_files({e.file_path or "": [e] for e in errors})  # a.ts first
        during, sent_during = list(events), list(sent)  # what preparing asked (not what follows)
        gathered = {e.id: suggester._prepared[e.id][2] for e in errors}
        alone = {
            e.id: merge_identical(
                [suggester.normaliser.candidate(c) for f in deterministic for c in f.candidates(ctx)],
                suggester.verifier,
            )
            for e in errors
            for ctx in [suggester._prepared[e.id][1]]
        }
    first_typed = next(n for n, (kind, _) in enumerate(during) if kind == "type")
    assert [kind for kind, _ in during[first_typed:] if kind == "code_fixes"] == []
    assert during[first_typed] == ("type", "src/a.ts")  # the search's `order.`, before any check
    asked_on_disk = [(name, args) for name, args, edited in sent_during if not edited]
    assert len(asked_on_disk) == len(set(asked_on_disk))
    for e in errors:
        mine = [(c.description, c.edits) for c in gathered[e.id]]
        assert mine == [(c.description, c.edits) for c in alone[e.id]]
        assert mine  # each error has candidates: the comparison is not of two empty lists


# ----------------------------------------------------------------------------- implicit any


def test_an_implicit_any_gets_a_type_in_scope_named_like_it(make_project, ts_version) -> None:
    files = {
        "src/types.ts": "export interface Middleware { id: string }\nexport type Middlewares = Middleware[];\n",
        "src/a.ts": (
            'import type { Middleware, Middlewares } from "./types";\n'
            "export function ids(...middlewares) {\n"
            "  return middlewares.map((m: Middleware) => m.id);\n"
            "}\n"
            "export const first = (middleware, fallback?) => middleware.id ?? fallback;\n"
        ),
    }
    out = searched(make_project, ts_version, files, "TS7019")
    texts = verified(out)
    assert files["src/a.ts"].replace("(...middlewares)", "(...middlewares: Middlewares)") in texts
    assert all(": any" not in t for _, t, _ in out)  # never any
    optional = searched(make_project, ts_version, files, "TS7006")
    assert any("(middleware: Middleware, fallback?)" in t for t in verified(optional))


def test_an_implicit_rest_parameter_gets_the_type_parameter_named_like_it(make_project, ts_version) -> None:
    source = (
        "export interface Middleware { id: string }\n"
        "export function ids<Middlewares extends Middleware[]>(...middlewares) {\n"
        "  return middlewares.map((m: Middleware) => m.id);\n"
        "}\n"
    )
    out = searched(make_project, ts_version, {"src/a.ts": source}, "TS7019")
    # both compile; the list's own type ranks before a list of its element type
    assert verified(out)[:2] == [
        source.replace("(...middlewares)", "(...middlewares: Middlewares)"),
        source.replace("(...middlewares)", "(...middlewares: Middleware[])"),
    ]


def test_an_implicit_any_in_an_overloaded_implementation_takes_its_overloads_type(
    make_project, ts_version
) -> None:
    source = (
        "export interface Options { debug: boolean }\n"
        "export type Callback = (value: number) => void\n"
        "export function run(name: string, options?: Options): string\n"
        "export function run(name: string, options?: Options, done?: Callback): string\n"
        "export function run(name: string, options?, done?: Callback): string {\n"
        "  done?.(1)\n"
        "  return options?.debug ? name : ''\n"
        "}\n"
    )
    first = first_fix(make_project, ts_version, source, "TS7006")
    assert first == source.replace("options?, done?", "options?: Options, done?")  # ranked first
    method = (
        "export class Runner {\n"
        "  start(delay: number): void\n"
        "  start(delay: string): void\n"
        "  start(delay) {\n"
        "    console.log(delay)\n"
        "  }\n"
        "}\n"
    )
    out = searched(make_project, ts_version, {"src/a.ts": method}, "TS7006")
    # each overload's type, in their order, as one union; ranked first
    assert next(t for _, t, ok in out if ok) == method.replace(
        "start(delay) {", "start(delay: number | string) {"
    )


# ----------------------------------------------------------------------------- noUncheckedIndexedAccess

UNCHECKED_TSCONFIG = {
    **DEFAULT_TSCONFIG,
    "compilerOptions": {**DEFAULT_TSCONFIG["compilerOptions"], "noUncheckedIndexedAccess": True},
}
INDEXED = """export interface Patch { path: string[]; op: string }

export function lastReplace(patches: readonly Patch[]): Patch | null {
  for (let i = patches.length - 1; i >= 0; i--) {
    const patch = patches[i]
    if (patch.path.length === 0 && patch.op === 'replace') return patch
  }
  return null
}

export function lookup(table: Record<string, Patch>, key: string): number {
  const found = table[key]
  return found.path.length
}
"""


def test_an_unchecked_index_is_asserted_where_it_is_read(make_project, cli, ts_version: str) -> None:
    """With noUncheckedIndexedAccess, `const patch = patches[i]` in a loop bounded by the array
    becomes `patches[i]!` at the declaration (one edit for every use; proven, so not a guess, and
    preferred to `patch?.`); a record's key is asserted only as a guess, below apply's threshold."""
    root = make_project({"src/a.ts": INDEXED}, ts=ts_version, tsconfig=UNCHECKED_TSCONFIG)
    errors = suggestions(cli, root, {}, "--fixer", "repair,search")
    by_line = {e["line"]: e for e in errors}
    proven = by_line[6]["suggestions"][0]
    assert proven["verified"] and "+    const patch = patches[i]!\n" in proven["suggestion"]
    assert proven["fixer"] == "search" and proven["confidence"] >= 0.775
    assert "the same fix as error" in (by_line[6].get("note") or "") or len(errors) == 3
    guessed = [s for s in by_line[13]["suggestions"] if "table[key]!" in s["suggestion"]]
    assert guessed and guessed[0]["verified"] and guessed[0]["confidence"] < 0.775


def test_without_the_flag_an_assertion_stays_a_silencing(make_project, cli, ts_version: str) -> None:
    files = {
        "src/a.ts": "export function f(xs: (string | undefined)[]) {\n  const x = xs[0]\n  return x.length\n}\n"
    }
    root = make_project(files, ts=ts_version)
    errors = suggestions(cli, root, {}, "--fixer", "repair,search")
    assert not any("xs[0]!" in s["suggestion"] for e in errors for s in e["suggestions"])


def test_an_element_assertion_is_a_silencing_unless_the_flag_asks_for_it() -> None:
    from tsfix.verify import suppression_in

    before = {"a.ts": "const k = keys[i]\nconst n = user.name\n"}
    element = {"a.ts": "const k = keys[i]!\nconst n = user.name\n"}
    other = {"a.ts": "const k = keys[i]!\nconst n = user!.name\n"}
    assert suppression_in(before, element) == "adds a non-null assertion (!)"
    assert suppression_in(before, element, lambda: True) is None
    assert suppression_in(before, other, lambda: True) == "adds a non-null assertion (!)"


def test_a_loop_bound_proves_an_index_only_when_the_body_keeps_it(make_project) -> None:
    from tsfix.fixers.search.indexes import _in_bounds
    from tsfix.fixers.syntax import Doc, walk

    text = """function f(xs: number[], ys: number[]) {
  let i: number
  for (i = xs.length - 1; i >= 0; i--) { xs[i] }
  for (let j = 0; j < xs.length - 1; j++) { xs[j] }
  for (let j = 0; j < xs.length; j++) { xs[j]; j++ }
  for (let j = 0; j < xs.length; j++) { ys[j] }
  for (let j = 0; j <= xs.length; j++) { xs[j] }
  xs[0]
}
"""
    doc = Doc("a.ts", text)
    reads = [n for n in walk(doc.tree.root_node) if n.type == "subscript_expression"]
    assert [_in_bounds(doc, n) for n in reads] == [True, True, False, False, False, False]


def test_an_unchecked_read_assigned_or_parenthesised_is_asserted(make_project, cli, ts_version: str) -> None:
    """`out[k] = table[k]` (reported at the target) and `f((table[k]))`: the read is found on the
    assignment's right and inside parentheses, and asserted there (a guess: a key is not proven)."""
    source = (
        "export interface Patch { path: string[] }\n"
        "export function copy(table: Record<string, Patch>, out: Record<string, Patch>, k: string) {\n"
        "  out[k] = table[k]\n"
        "}\n"
        "export function wrapped(table: Record<string, Patch>, k: string): string[] {\n"
        "  return paths((table[k]))\n"
        "}\n"
        "function paths(p: Patch): string[] {\n"
        "  return p.path\n"
        "}\n"
    )
    root = make_project({"src/a.ts": source}, ts=ts_version, tsconfig=UNCHECKED_TSCONFIG)
    errors = suggestions(cli, root, {}, "--fixer", "search")
    fixes = {e["line"]: [s for s in e["suggestions"] if s["verified"]] for e in errors}
    assert any("+  out[k] = table[k]!\n" in s["suggestion"] for s in fixes[3])
    assert any("+  return paths((table[k]!))\n" in s["suggestion"] for s in fixes[6])


def exact_optional_fix(make_project, cli, ts_version: str, files: dict[str, str]) -> tuple[dict, dict]:
    """The one error of `files` under exactOptionalPropertyTypes, and its best (verified) suggestion."""
    config = {
        **DEFAULT_TSCONFIG,
        "compilerOptions": {**DEFAULT_TSCONFIG["compilerOptions"], "exactOptionalPropertyTypes": True},
    }
    root = make_project(files, ts=ts_version, tsconfig=config)
    (error,) = suggestions(cli, root, {}, "--fixer", "search")
    best = error["suggestions"][0]
    assert best["verified"], error
    return error, best


def test_an_optional_property_given_undefined_declares_it(make_project, cli, ts_version: str) -> None:
    """exactOptionalPropertyTypes: an object literal returned for a type whose optional property it
    gives a possibly undefined value — the declaration gains `| undefined` (a function type in
    parentheses), found from where the literal's properties are declared, in another file."""
    files = {
        "src/types.ts": "export interface Scope {\n  name: string\n  plugin?: () => void\n}\n",
        "src/a.ts": (
            "import type { Scope } from './types'\n\n"
            "export const make = (name: string, plugin: (() => void) | undefined): Scope => ({\n"
            "  name,\n"
            "  plugin,\n"
            "})\n"
        ),
    }
    _, best = exact_optional_fix(make_project, cli, ts_version, files)
    assert "+  plugin?: (() => void) | undefined\n" in best["suggestion"]
    assert "src/a.ts" not in best["suggestion"]  # the literal stays as the person wrote it


def test_every_optional_property_given_undefined_gets_it_at_once(make_project, cli, ts_version: str) -> None:
    """exactOptionalPropertyTypes, two properties given possibly undefined values: TypeScript
    elaborates only the first, and `| undefined` on it alone leaves the error (now about the
    second). The source type in the message names both: one fix declares both."""
    files = {
        "src/types.ts": (
            "export interface Options {\n  retry?: boolean\n  focus?: boolean\n  interval?: number\n}\n"
        ),
        "src/a.ts": (
            "import type { Options } from './types'\n\n"
            "export function options(retry: boolean | undefined, focus: boolean | undefined): Options {\n"
            "  const made: Options = { retry, focus, interval: 1 }\n"
            "  return made\n"
            "}\n"
        ),
    }
    error, best = exact_optional_fix(make_project, cli, ts_version, files)
    assert "+  retry?: boolean | undefined\n+  focus?: boolean | undefined\n" in best["suggestion"]
    assert "interval?: number\n" in best["suggestion"] and "src/a.ts" not in best["suggestion"]
    # one step, not a chain of one property after the other (each step a check of the importers)
    assert best["explanation"] == "Add undefined to the types of the optional properties retry, focus"
    alone = [s for s in error["suggestions"] if "-  focus?: boolean\n" not in s["suggestion"]]
    assert alone and not any(s["verified"] for s in alone)  # one property alone is not enough


def test_undefined_properties_reads_the_source_object_type() -> None:
    """Pure logic: the members of the message's source type whose type includes undefined."""
    message = (
        "Argument of type '{ a: boolean | undefined; b: Map<string, number | undefined>; "
        'c?: "x|y" | undefined; f: (n: number) => void | undefined; g: ((s: string) => void) | undefined; }\''
        " is not assignable to parameter of type 'T' with 'exactOptionalPropertyTypes: true'."
    )
    assert undefined_properties(message) == ["a", "c", "g"]
    assert undefined_properties("Type 'undefined' is not assignable to type 'number'.") == []


@pytest.mark.parametrize(
    ("files", "where"),
    [
        (  # a spread: no literal names the property
            {
                "src/types.ts": "export interface Copied {\n  parent?: string\n}\n",
                "src/a.ts": (
                    "import type { Copied } from './types'\n\n"
                    "export const copy = (b: { parent?: string | undefined }): Copied => ({ ...b })\n"
                ),
            },
            "src/types.ts",
        ),
        (  # a class implementing an interface (TS2420 names neither the flag nor a literal)
            {
                "src/types.ts": "export interface Failure {\n  message: string\n  code?: string\n}\n",
                "src/a.ts": (
                    "import type { Failure } from './types'\n\n"
                    "export class Aborted implements Failure {\n"
                    "  message = 'aborted'\n"
                    "  constructor(public code: string | undefined) {}\n"
                    "}\n"
                ),
            },
            "src/types.ts",
        ),
    ],
    ids=["spread", "implements"],
)
def test_an_optional_property_is_found_from_the_type_the_message_names(
    make_project, cli, ts_version: str, files: dict[str, str], where: str
) -> None:
    """exactOptionalPropertyTypes where no object literal names the property: its declaration is
    found from the type named on the line above "Types of property 'x' are incompatible", through
    a place in the file that names that type."""
    _, best = exact_optional_fix(make_project, cli, ts_version, files)
    assert f"+++ b/{where}" in best["suggestion"] and "src/a.ts" not in best["suggestion"]
    assert "?: string | undefined\n" in best["suggestion"]


# ----------------------------------------------------------------------------- imports as the project writes them

ALIASED_TSCONFIG = {
    **DEFAULT_TSCONFIG,
    "compilerOptions": {**DEFAULT_TSCONFIG["compilerOptions"], "paths": {"@lib/*": ["./src/lib/*"]}},
}
ERRORS = "export interface Failure {\n  message: string\n}\nexport const fail = (message: string): Failure => ({ message })\n"


def test_a_name_the_project_imports_through_an_alias_is_imported_through_it(
    make_project, ts_version: str
) -> None:
    files = {
        "src/lib/errors.ts": ERRORS,
        "src/b.ts": "import type { Failure } from '@lib/errors'\nexport const none: Failure[] = []\n",
        "src/c.ts": "import type { Failure } from '@lib/errors'\nexport const one: Failure = { message: '' }\n",
        "src/a.ts": "import { fail } from './lib/errors'\n\nexport const describe = (f: Failure): string => f.message\n",
    }
    results = searched(make_project, ts_version, files, "TS2304", tsconfig=ALIASED_TSCONFIG)
    ours = [(text, ok) for name, text, ok in results if name == "import-as-elsewhere"]
    assert ours == [
        (
            "import { fail } from './lib/errors'\nimport type { Failure } from '@lib/errors'\n\n"
            "export const describe = (f: Failure): string => f.message\n",
            True,
        )
    ]
    # used as a value here, and the file already imports from there: added to that import
    files["src/a.ts"] = "import { fail } from '@lib/errors'\n\nexport const g = [fail('x')] as Failure[]\n"
    results = searched(make_project, ts_version, files, "TS2304", tsconfig=ALIASED_TSCONFIG)
    ours = [(text, ok) for name, text, ok in results if name == "import-as-elsewhere"]
    assert ours == [
        ("import { fail, Failure } from '@lib/errors'\n\nexport const g = [fail('x')] as Failure[]\n", True)
    ]


def test_a_name_imported_only_from_project_files_is_left_to_typescripts_fix(
    make_project, ts_version: str
) -> None:
    files = {
        "src/lib/errors.ts": ERRORS,
        "src/b.ts": "import type { Failure } from './lib/errors'\nexport const none: Failure[] = []\n",
        "src/a.ts": "export const describe = (f: Failure): string => f.message\n",
    }
    results = searched(make_project, ts_version, files, "TS2304", tsconfig=ALIASED_TSCONFIG)
    assert not [name for name, _, _ in results if name == "import-as-elsewhere"]


def test_a_missing_property_takes_the_value_the_nearest_literal_gives_that_key(
    make_project, ts_version: str
) -> None:
    source = (
        "const ADD = 'add'\n"
        "const REMOVE = 'remove'\n"
        "interface Op {\n  op: 'add' | 'remove'\n  path: string\n}\n"
        "export function ops(path: string): Op[] {\n"
        "  const out: Op[] = [{ op: ADD, path: '' }]\n"
        "  out.push({ op: REMOVE, path })\n"
        "  const next: Op = { path }\n"
        "  return [...out, next]\n"
        "}\n"
    )
    first = first_fix(make_project, ts_version, source, "TS2741", "add-missing-properties")
    assert "  const next: Op = { op: REMOVE, path }\n" in first


def test_a_missing_argument_prefers_a_value_declared_and_never_read(make_project, ts_version: str) -> None:
    source = (
        "export function check(action: { type: string }, name: string | undefined, path: string): boolean {\n"
        "  const typePrefix = `${path}/`\n"
        "  return typeof name === 'string' && action.type.startsWith()\n"
        "}\n"
    )
    assert "action.type.startsWith(typePrefix)\n" in first_fix(make_project, ts_version, source, "TS2554")
