"""Repair templates and the search with real TypeScript: each proposes a small edit that the compiler
then verifies (the search has its own file too: test_search.py)."""

from __future__ import annotations

import pytest

from tsfix.fixers import FixContext
from tsfix.fixers.repair import RepairFixer
from tsfix.fixers.search import SearchFixer
from tsfix.langserver.factory import open_language_service
from tsfix.records import ErrorRow
from tsfix.tsc import find_tsc
from tsfix.verify import Verifier


def error_row(path: str, code: str) -> ErrorRow:
    return ErrorRow(
        1, "p", "f", path, 1, 1, code, "error", "", None, None, None, "new", 1, 1, 1, None, "", ""
    )


def repaired(
    make_project,
    ts_version: str,
    source: str,
    code: str,
    extra: dict[str, str] | None = None,
    tsconfig: dict | None = None,
):
    """Run the repair and search fixers on the first `code` error of src/a.ts; return
    {template: [(result text, verified)]}."""
    root = make_project({"src/a.ts": source, **(extra or {})}, ts=ts_version, tsconfig=tsconfig)
    service = open_language_service(root, find_tsc(root), timeout=60)
    try:
        verifier = Verifier(service)
        diagnostics = [d for d in verifier.baseline("src/a.ts") if d.is_problem]
        target = next(d for d in diagnostics if d.code == code)
        ctx = FixContext(error_row("src/a.ts", code), target, service, root, diagnostics)
        out: dict[str, list[tuple[str, bool]]] = {}
        for candidate in [*RepairFixer().candidates(ctx), *SearchFixer().candidates(ctx)]:
            _, after = verifier.result_texts(candidate.edits)
            verified = verifier.verify(candidate, target).verified
            out.setdefault(candidate.fix_name or "", []).append((after.get("src/a.ts", ""), verified))
        return out
    finally:
        service.close()


def test_did_you_mean(make_project, ts_version: str) -> None:
    source = "interface User { email: string }\nexport const f = (u: User) => u.emial;\n"
    out = repaired(make_project, ts_version, source, "TS2551")
    assert ("interface User { email: string }\nexport const f = (u: User) => u.email;\n", True) in out[
        "did-you-mean"
    ]


def test_did_you_mean_for_async_return_types(make_project, ts_version: str) -> None:
    source = "export async function load(): number {\n  return 1;\n}\n"
    out = repaired(make_project, ts_version, source, "TS1064")
    assert ("export async function load(): Promise<number> {\n  return 1;\n}\n", True) in out["did-you-mean"]


def test_nearest_member_when_typescript_does_not_suggest(make_project, ts_version: str) -> None:
    source = "interface Box { capacity: number }\nexport const f = (b: Box) => b.capacty + b.zzzzz;\n"
    out = repaired(make_project, ts_version, source, "TS2339") | repaired(
        make_project, ts_version, source, "TS2551"
    )
    texts = [t for results in out.values() for t, _ in results]
    assert any("b.capacity + b.zzzzz" in t for t in texts)


@pytest.mark.parametrize(
    ("source", "fixed"),
    [
        ('export const port: number = "8080";\n', "export const port: number = 8080;\n"),
        ("export const label: string = 42;\n", 'export const label: string = "42";\n'),
        ("export const on: boolean = 1;\n", "export const on: boolean = true;\n"),
        ("export const count: number = true;\n", "export const count: number = 1;\n"),
        ("const n = 3;\nexport const c: number = `${n}`;\n", "const n = 3;\nexport const c: number = n;\n"),
    ],
)
def test_literal_type(make_project, ts_version: str, source: str, fixed: str) -> None:
    out = repaired(make_project, ts_version, source, "TS2322")
    assert (fixed, True) in out["literal-type"]


def test_literal_argument(make_project, ts_version: str) -> None:
    source = 'function wait(ms: number) {}\nwait("250");\n'
    out = repaired(make_project, ts_version, source, "TS2345")
    assert ("function wait(ms: number) {}\nwait(250);\n", True) in out["literal-type"]


def test_extra_arguments_are_dropped(make_project, ts_version: str) -> None:
    source = "function add(a: number, b: number) { return a + b; }\nexport const s = add(1, 2, 3, 4);\n"
    out = repaired(make_project, ts_version, source, "TS2554")
    assert (
        "function add(a: number, b: number) { return a + b; }\nexport const s = add(1, 2);\n",
        True,
    ) in out["drop-argument"]


def test_missing_argument_by_name_and_by_unique_type(make_project, ts_version: str) -> None:
    by_name = (
        "function post(url: string, body: string, retries: number) {}\n"
        "export function send(url: string, body: string, retries: number) {\n  post(url, body);\n}\n"
    )
    out = repaired(make_project, ts_version, by_name, "TS2554")
    assert any("post(url, body, retries);" in t and ok for t, ok in out["pass-argument"])
    by_type = (
        "function post(url: string, attempts: number) {}\n"
        "export function send(target: string, tries: number) {\n  post(target);\n}\n"
    )
    out = repaired(make_project, ts_version, by_type, "TS2554")
    assert any("post(target, tries);" in t and ok for t, ok in out["pass-argument"])
    ambiguous = (
        "function post(url: string, attempts: number) {}\n"
        "export function send(target: string, a: number, b: number) {\n  post(target);\n}\n"
    )
    both = {t for t, ok in repaired(make_project, ts_version, ambiguous, "TS2554")["pass-argument"] if ok}
    assert any("post(target, a);" in t for t in both) and any("post(target, b);" in t for t in both)


def test_optional_chaining(make_project, ts_version: str) -> None:
    source = (
        "export function size(list?: { length: number }): number | undefined {\n  return list.length;\n}\n"
    )
    out = repaired(make_project, ts_version, source, "TS18048")
    assert (
        "export function size(list?: { length: number }): number | undefined {\n  return list?.length;\n}\n",
        True,
    ) in out["optional-chaining"]
    assert "non-null-as-elsewhere" not in out  # the file asserts nothing: `!` is not offered


def test_a_non_null_assertion_the_file_already_makes_is_its_idiom(make_project, ts_version: str) -> None:
    source = (
        "interface Node { parent?: Node; copy?: string; base: string; key?: string }\n"
        "export function pick(state: Node): string {\n"
        "  return state.parent.copy ?? state.parent!.base ?? state.parent!.key\n"
        "}\n"
    )
    out = repaired(make_project, ts_version, source, "TS18048")
    assert out["non-null-as-elsewhere"] == [(source.replace("state.parent.copy", "state.parent!.copy"), True)]
    assert any(ok for _, ok in out["optional-chaining"])  # `?.` verifies too, and is ranked after it
    # once, or no more often than `state.parent?.`: not yet the file's idiom, `!` is not offered
    for other in ("state.parent!.base ?? state.parent?.key", "state.parent!.base ?? state.parent.base"):
        mixed = source.replace("state.parent!.base ?? state.parent!.key", other)
        assert "non-null-as-elsewhere" not in repaired(make_project, ts_version, mixed, "TS18048")


def test_only_an_expression_the_file_already_asserts_may_gain_a_non_null_assertion() -> None:
    from tsfix.verify import suppression_in

    before = {"a.ts": "const a = state.parent_.copy_ ?? state.parent_!.base_ // user!\n"}
    same = {"a.ts": before["a.ts"].replace("state.parent_.copy_", "state.parent_!.copy_")}
    assert suppression_in(before, same) is None
    other = {"a.ts": before["a.ts"].replace("state.parent_.copy_", "state.other_!.copy_")}
    assert suppression_in(before, other) == "adds a non-null assertion (!)"
    # an assertion in a comment does not count as the file's idiom
    commented = {"a.ts": "const n = user.name // user!\n"}
    assert suppression_in(commented, {"a.ts": "const n = user!.name // user!\n"}) is not None
    assert suppression_in({"a.ts": "f(x)!\n"}, {"a.ts": "f(x)! + g(y)!\n"}) is not None


def test_await_promise(make_project, ts_version: str) -> None:
    source = (
        "async function fetchName(): Promise<{ name: string }> { return { name: 'x' }; }\n"
        "export async function greet(): Promise<string> {\n"
        "  const user = fetchName();\n"
        "  return user.name;\n"
        "}\n"
    )
    out = repaired(make_project, ts_version, source, "TS2339")
    texts = {t for t, ok in out["await"] if ok}
    assert any("const user = await fetchName();" in t for t in texts)
    assert any("return (await user).name;" in t for t in texts)


def test_missing_property_from_scope(make_project, ts_version: str) -> None:
    source = (
        "interface Todo { id: number; title: string; done: boolean }\n"
        "export function make(id: number, title: string, done: boolean): Todo {\n"
        "  const todo: Todo = { id, title };\n  return todo;\n}\n"
    )
    out = repaired(make_project, ts_version, source, "TS2741")
    assert any("{ id, title, done }" in t and ok for t, ok in out["add-missing-properties"])


def test_return_annotation(make_project, ts_version: str) -> None:
    source = (
        "export function first(items: string[]): string {\n  return items.length ? items[0] : undefined;\n}\n"
    )
    out = repaired(make_project, ts_version, source, "TS2322")
    assert any("): string | undefined {" in t and ok for t, ok in out["return-type"])


def test_declaration_rename_when_uses_agree(make_project, ts_version: str) -> None:
    source = (
        "interface Size { width: number; heigth: number }\n"
        "export const area = (s: Size) => s.width * s.height;\n"
        "export const tall = (s: Size) => s.height > s.width;\n"
    )
    out = repaired(make_project, ts_version, source, "TS2551")
    renamed = [(t, ok) for t, ok in out["rename-declaration"]]
    assert renamed == [(source.replace("heigth", "height"), True)]
    # with a single use, the use is as likely to be wrong as the declaration: no rename proposed
    single = "interface Size { width: number; heigth: number }\nexport const area = (s: Size) => s.width * s.height;\n"
    assert "rename-declaration" not in repaired(make_project, ts_version, single, "TS2551")


def test_argument_ranges(make_project, ts_version: str) -> None:
    source = "function log(message?: string) {}\nlog('a', 'b');\n"
    out = repaired(make_project, ts_version, source, "TS2554")  # "Expected 0-1 arguments, but got 2."
    assert ("function log(message?: string) {}\nlog('a');\n", True) in out["drop-argument"]


def test_suggestions_with_quotes(make_project, ts_version: str) -> None:
    source = "export async function mode(): Record<'a', number> {\n  return { a: 1 };\n}\n"
    out = repaired(make_project, ts_version, source, "TS1064")
    assert any('): Promise<Record<"a", number>> {' in t and ok for t, ok in out["did-you-mean"])


def test_an_async_functions_return_type_is_wrapped_as_written(make_project, ts_version: str) -> None:
    source = (
        "namespace Schema { export type Out<T> = { value: T } }\n"
        "export async function load(): Schema.Out<number> {\n  return { value: await Promise.resolve(1) };\n}\n"
    )
    out = repaired(make_project, ts_version, source, "TS1064")
    assert (source.replace("(): Schema.Out<number>", "(): Promise<Schema.Out<number>>"), True) in out[
        "async-return-type"
    ]


def test_return_annotation_of_an_arrow_expression(make_project, ts_version: str) -> None:
    source = "export const isBig = (n: number): string => n > 10;\n"
    out = repaired(make_project, ts_version, source, "TS2322")
    assert ("export const isBig = (n: number): boolean => n > 10;\n", True) in out["return-type"]


def test_await_promise_like_aliases(make_project, ts_version: str) -> None:
    source = (
        "type MaybePromise<T> = T | Promise<T>;\n"
        "declare function load(): MaybePromise<{ name: string }>;\n"
        "export async function name(): Promise<string> {\n  return load().name;\n}\n"
    )
    out = repaired(make_project, ts_version, source, "TS2339")
    assert any("return (await load()).name;" in t and ok for t, ok in out["await"])


def test_declaration_rename_counts_uses_in_other_files(make_project, ts_version: str) -> None:
    from tsfix.fixers import FixContext

    shape = "export interface Size { width: number; heigth: number }\n"
    use = 'import type { Size } from "./shape";\nexport const area = (s: Size) => s.width * s.height;\n'
    root = make_project(
        {"src/shape.ts": shape, "src/a.ts": use, "src/b.ts": use.replace("area", "twice")}, ts=ts_version
    )
    service = open_language_service(root, find_tsc(root), timeout=60)
    try:
        verifier = Verifier(service)
        others = [d for d in verifier.baseline("src/b.ts") if d.is_problem]
        diagnostics = [d for d in verifier.baseline("src/a.ts") if d.is_problem]
        target = next(d for d in diagnostics if d.code == "TS2551")
        recorded = [
            ErrorRow(
                2,
                "p",
                "g",
                "src/b.ts",
                d.start.line,
                d.start.col,
                d.code,
                "error",
                d.message,
                None,
                None,
                None,
                "new",
                1,
                1,
                1,
                None,
                "",
                "",
            )
            for d in others
        ]
        ctx = FixContext(error_row("src/a.ts", "TS2551"), target, service, root, diagnostics, None, recorded)
        renames = [c for c in RepairFixer().candidates(ctx) if c.fix_name == "rename-declaration"]
        assert len(renames) == 1 and renames[0].edits[0].file == "src/shape.ts"
        result = verifier.verify(renames[0], target)
        assert result.verified and "src/b.ts" in result.files_checked  # an importer was re-checked
    finally:
        service.close()


def test_a_path_that_falls_off_the_end_returns_undefined_explicitly(make_project, ts_version: str) -> None:
    from conftest import DEFAULT_TSCONFIG

    config = {
        **DEFAULT_TSCONFIG,
        "compilerOptions": {**DEFAULT_TSCONFIG["compilerOptions"], "noImplicitReturns": True},
    }
    source = "export function warn(n: number) {\n  if (n > 1) {\n    return 'many'\n  }\n}\n"
    out = repaired(make_project, ts_version, source, "TS7030", tsconfig=config)
    fixed = (
        "export function warn(n: number) {\n  if (n > 1) {\n    return 'many'\n  }\n  return undefined\n}\n"
    )
    assert (fixed, True) in out["explicit-return"]
