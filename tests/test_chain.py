"""Chains and shared causes with real TypeScript: a fix whose first step breaks something is continued
with what it broke (tsfix.chain), and one fix that removes several recorded errors is recorded for each
of them and applied once (tsfix.suggest, tsfix.plan). On TypeScript 7 the quick fixes come from
TypeScript 6's tsserver, as they do for users (the LSP of 7.0 has no spelling fix)."""

from __future__ import annotations

import json
import random

from conftest import MISSPELT_IMPORT, suggestions
from tsfix.edits import apply_edits, edits_between

UNUSED = {"compilerOptions": {"strict": True, "noUnusedLocals": True, "noEmit": True, "target": "es2022",
          "module": "esnext", "moduleResolution": "bundler"}, "include": ["src"]}  # fmt: skip


def test_a_misspelt_import_with_misspelt_uses_is_fixed_in_two_steps(
    make_project, cli, ts_version, ts6_env
) -> None:
    files = dict(MISSPELT_IMPORT)
    root = make_project(files, ts=ts_version)
    # the spelling quick fix alone renames only the import, and its uses then fail
    (error,) = suggestions(cli, root, ts6_env, "--fixer", "quickfix")
    assert error["code"] == "TS2724"
    best = error["suggestions"][0]
    assert best["verified"] and best["fixer"] == "quickfix"
    assert "and the same at 2 more place(s)" in best["explanation"]
    assert cli("apply", "--min-confidence", "0", "--all", "--path", str(root), env=ts6_env).exit_code == 0
    assert (root / "src/a.ts").read_text() == files["src/a.ts"].replace("formatDat", "formatDate")


def test_a_dropped_argument_continues_into_the_import_it_leaves_unused(
    make_project, cli, ts_version, ts6_env
) -> None:
    files = {
        "src/lib.ts": 'export function label(title: string): string { return title.trim(); }\nexport const suffix = "!";\n',
        "src/a.ts": 'import { label, suffix } from "./lib";\nexport const heading = label("Orders", suffix);\n',
    }
    root = make_project(files, ts=ts_version, tsconfig=UNUSED)
    (error,) = suggestions(cli, root, ts6_env, "--fixer", "quickfix,search")
    by_text = {s["explanation"]: s for s in error["suggestions"]}
    single = by_text["Remove the argument suffix"]
    assert not single["verified"] and "introduces 1 new error" in single["verification"]  # TS6133
    (chained,) = [
        s for s in error["suggestions"] if s["explanation"].startswith("Remove the argument suffix; then")
    ]
    assert chained["verified"]
    assert '+import { label } from "./lib";' in chained["suggestion"]
    assert '+export const heading = label("Orders");' in chained["suggestion"]
    # other verified alternatives (dropping "Orders" instead) keep every one of them below certain
    assert all(s["confidence"] < 0.9 for s in error["suggestions"])


def test_one_missing_import_used_three_times_is_one_fix(make_project, cli, ts_version) -> None:
    files = {
        "src/money.ts": "export function cents(amount: number): number { return Math.round(amount * 100); }\n",
        "src/a.ts": (
            "export const price = cents(1.5);\n"
            "export const tax = cents(0.3);\n"
            "export const total = cents(1.8);\n"
        ),
    }
    root = make_project(files, ts=ts_version)
    errors = suggestions(cli, root, {}, "--no-ts6")
    assert [e["code"] for e in errors] == ["TS2304"] * 3
    first, *rest = errors
    assert first["suggestions"][0]["verified"]
    diff = first["suggestions"][0]["suggestion"]
    for other in rest:  # the same fix, checked against each error, not searched again
        assert other["note"] == f"the same fix as error {first['id']} (one cause)"
        assert other["candidates_checked"] == 1
        assert other["suggestions"][0]["verified"] and other["suggestions"][0]["suggestion"] == diff
    applied = cli("apply", "--min-confidence", "0", "--all", "--path", str(root), "-f", "json")
    assert applied.exit_code == 0, applied.output
    states = [f["state"] for f in json.loads(applied.stdout)["fixes"]]
    assert states == ["applied"] * 3
    text = (root / "src/a.ts").read_text()
    assert text.count("import") == 1 and text.endswith(files["src/a.ts"])


def test_edits_between_two_texts_rebuild_the_second_from_the_first() -> None:
    """Pure logic: the composed edits of a chain, over line breaks of every kind and astral characters."""
    rng = random.Random(7)
    for _ in range(3000):
        before = "".join(rng.choice("ab\n\r😀") for _ in range(rng.randint(0, 14)))
        after = "".join(rng.choice("ab\n\r😀") for _ in range(rng.randint(0, 14)))
        assert apply_edits(before, edits_between("f.ts", before, after)) == after
    renamed = edits_between("f.ts", "import {a} from 'x';\nf(a);\n", "import {b} from 'x';\nf(b);\n")
    assert [(e.start.line, e.start.col, e.end.col, e.new_text) for e in renamed] == [
        (1, 9, 10, "b"),
        (2, 3, 4, "b"),
    ]


EXACT = {"compilerOptions": {**UNUSED["compilerOptions"], "noUnusedLocals": False,
         "exactOptionalPropertyTypes": True}, "include": ["src"]}  # fmt: skip


def test_a_step_that_breaks_an_importer_continues_there(make_project, cli, ts_version) -> None:
    """The step edits a third file (where the property is declared), and what it breaks is in a
    file that imports that one — neither the target's file nor an edited one: the chain looks
    where the step's verification found the new error."""
    files = {
        "src/types.ts": "export interface Base {\n  parent?: string\n}\n",
        "src/copy.ts": (
            "import type { Base } from './types'\n\n"
            "interface Copied {\n  parent?: string\n}\n\n"
            "export const copy = (b: Required<Base>): Copied => ({ parent: b.parent })\n"
        ),
        "src/make.ts": (
            "import type { Base } from './types'\n\n"
            "export const make = (parent: string | undefined): Base => ({ parent })\n"
        ),
    }
    root = make_project(files, ts=ts_version, tsconfig=EXACT)
    (error,) = suggestions(cli, root, {}, "--fixer", "search", "--no-ts6")
    assert error["file"] == "src/make.ts"
    step, chained = sorted(error["suggestions"], key=lambda s: s["verified"])
    assert not step["verified"] and "introduces 1 new error" in step["verification"]
    assert "src/copy.ts" not in step["suggestion"]
    assert chained["verified"]
    assert chained["suggestion"].count("+  parent?: string | undefined\n") == 2  # Base and Copied
    assert "make.ts" not in chained["suggestion"]  # the literal stays as the person wrote it
