"""`--format-with prettier|biome`: the project's own formatter (real Prettier and Biome from npm, found
in the project's node_modules) rewrites only the lines a verified fix changed; the rest of the file,
formatted or not, stays as it is; a missing formatter is a one-line error before any work."""

from __future__ import annotations

import json
import os

import pytest

from conftest import NPM_DIR, npm_install, suggestions

MODEL = "export interface Todo {\n  id: number\n  title: string\n  done: boolean\n}\n"
# the object is one line; with a 40-column width the formatter breaks it once `done` is added.
# `const  untouched=[1,2]` is not formatted and no fix touches it: it must stay so.
BROKEN = (
    "import type { Todo } from './model'\n"
    "\n"
    "export const  untouched=[1,2]\n"
    "export const todo: Todo = { id: 1, title: 'write it' }\n"
)
CONFIGS = {
    "prettier": {".prettierrc": json.dumps({"printWidth": 40, "semi": False, "singleQuote": True})},
    "biome": {
        "biome.json": json.dumps(
            {
                "formatter": {"indentStyle": "space", "indentWidth": 2, "lineWidth": 40},
                "javascript": {"formatter": {"quoteStyle": "single", "semicolons": "asNeeded"}},
            }
        )
    },
}


@pytest.fixture(scope="module")
def formatters():
    return npm_install(NPM_DIR / "formatters", "formatters")


def project_with_formatter(make_project, ts_version, tmp_path, formatters, name: str):
    root = make_project({"src/model.ts": MODEL, "src/a.ts": BROKEN, **CONFIGS[name]}, ts=ts_version)
    # the project's node_modules holds its TypeScript; the formatter is hoisted one folder up, as in a
    # workspace (tsfix looks in the project's node_modules and then the folders above)
    hoisted = root.parent / "node_modules"
    if not hoisted.exists():
        hoisted.symlink_to(formatters)
    return root


@pytest.mark.parametrize("name", ["prettier", "biome"])
def test_the_formatter_rewrites_only_the_lines_the_fix_changed(
    make_project, cli, ts_version, ts6_env, tmp_path, formatters, name
) -> None:
    root = project_with_formatter(make_project, ts_version, tmp_path, formatters, name)
    errors = suggestions(cli, root, ts6_env, "--format-with", name, "--no-llm")
    (error,) = errors
    assert error["code"] == "TS2741" and error["suggestions"][0]["verified"], error
    applied = cli("apply", "--min-confidence", "0", "--all", "--path", str(root), env=ts6_env)
    assert applied.exit_code == 0, applied.output
    text = (root / "src/a.ts").read_text()
    lines = text.splitlines()
    assert lines[2] == "export const  untouched=[1,2]"  # not the fix's line: left unformatted
    assert lines[:2] == BROKEN.splitlines()[:2]
    assert lines[3] == "export const todo: Todo = {", text  # the formatter broke the long line
    assert "  done: false," in lines and "  title: 'write it'," in lines, text
    assert cli("scan", str(root), env=ts6_env).exit_code == 0  # and it still compiles


def test_without_format_with_no_formatter_runs(make_project, cli, ts_version, ts6_env, tmp_path, formatters):
    root = project_with_formatter(make_project, ts_version, tmp_path, formatters, "prettier")
    suggestions(cli, root, ts6_env, "--no-llm")
    assert cli("apply", "--min-confidence", "0", "--all", "--path", str(root), env=ts6_env).exit_code == 0
    text = (root / "src/a.ts").read_text()
    # tsfix's own fix: the one-line object stays one line (not Prettier's layout, nor the printer's)
    assert "export const todo: Todo = { id: 1, title: 'write it', done: false }\n" in text, text


def test_a_missing_formatter_is_one_line_and_exit_2(make_project, cli, ts_version, tmp_path) -> None:
    root = make_project({"src/model.ts": MODEL, "src/a.ts": BROKEN}, ts=ts_version)
    assert cli("scan", str(root)).exit_code == 1
    if any((p / "node_modules" / "prettier").exists() for p in [root, *root.parents]):
        pytest.skip("a prettier is installed above the test folder")
    result = cli("suggest", "--path", str(root), "--format-with", "prettier", "--no-llm")
    assert result.exit_code == 2
    assert "the project has no prettier in its node_modules" in result.output
    assert "npm install --save-dev prettier" in result.output and "Traceback" not in result.output
    unknown = cli("suggest", "--path", str(root), "--format-with", "black", "--no-llm")
    assert unknown.exit_code == 2 and "use prettier or biome" in unknown.output
    assert os.environ.get("TSFIX_DEBUG") != "1"
