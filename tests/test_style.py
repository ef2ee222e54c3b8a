"""Fixes in the project's own style (tsfix.style): the style detected from the file and from the
project's configuration (pure logic and real config files), candidates normalised into it, and the
whole loop on three house styles with real TypeScript on both versions."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from conftest import suggestions
from tsfix.style import Style, configured, detect, normalise

TWO = "import { one } from './one'\n\nexport const x = {\n  one: 1,\n  two: 'b'\n}\nfoo(x)\n"
TABS = 'import { one } from "./one";\n\nfunction f() {\n\tconst y = [\n\t\t1,\n\t\t2\n\t];\n\treturn y;\n}\n'
FOUR = 'const z = {\n    a: "x",\n    b: [\n        1,\n        2,\n    ],\n};\ncall(\n    z,\n    "y",\n);\n'


# ----------------------------------------------------------------------------- detection (pure logic)


def test_the_style_is_read_from_the_file() -> None:
    assert detect(TWO) == Style("  ", "'", False, False, "\n")
    assert detect(TABS) == Style("\t", '"', True, False, "\n")
    assert detect(FOUR) == Style("    ", '"', True, True, "\n")
    assert detect(TWO.replace("\n", "\r\n")).eol == "\r\n"
    assert detect("").sources == {}  # nothing to go by: TypeScript's defaults, marked as not found


def test_the_automatic_semicolon_is_not_a_semicolon() -> None:
    # tree-sitter gives a statement without ';' a zero-width automatic one: it is not counted
    assert detect("let a = 1\nlet b = 2\nf(a, b)\n").semicolons is False


def test_the_project_configuration_overrides_the_file(tmp_path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / ".editorconfig").write_text("root = true\n[*.ts]\nindent_style = space\nindent_size = 3\n")
    found = detect(TABS)
    style = configured(tmp_path, "src/a.ts", found)
    assert style.indent == "   " and style.sources["indent"] == ".editorconfig"
    assert style.quote == '"' and style.sources["quote"] == "file"
    # Prettier's explicit settings win; its defaults apply where neither says (2 spaces < editorconfig)
    (tmp_path / ".prettierrc").write_text("semi: false\nsingleQuote: true\n")
    style = configured(tmp_path, "src/a.ts", found)
    assert (style.indent, style.quote, style.semicolons) == ("   ", "'", False)
    assert style.sources["semicolons"] == "prettier"
    # an unreadable .editorconfig is as good as none
    (tmp_path / ".editorconfig").write_bytes(b"root = true\n[*.ts]\nindent_size = \xff\xfe\n[")
    assert configured(tmp_path, "src/a.ts", found).quote == "'"


def test_biome_and_package_json_configurations_are_read(tmp_path) -> None:
    (tmp_path / "biome.jsonc").write_text(
        '{\n  // the house style\n  "formatter": {"indentStyle": "space", "indentWidth": 4},\n'
        '  "javascript": {"formatter": {"quoteStyle": "single", "semicolons": "asNeeded"}},\n}\n'
    )
    style = configured(tmp_path, "a.ts", detect(TABS))
    assert (style.indent, style.quote, style.semicolons, style.sources["quote"]) == (
        "    ",
        "'",
        False,
        "biome",
    )
    other = tmp_path / "other"
    other.mkdir()
    (other / "package.json").write_text(
        json.dumps({"name": "x", "prettier": {"useTabs": True, "semi": False}})
    )
    style = configured(other, "a.ts", detect(FOUR))
    assert (style.indent, style.semicolons, style.quote) == ("\t", False, '"')  # Prettier's default quote
    (other / ".prettierrc.json").write_text("{not json")  # unreadable: as if the formatter had none
    assert configured(other, "a.ts", detect(FOUR)).quote == '"'


# ----------------------------------------------------------------------------- normalising (pure logic)


def test_lines_re_emitted_only_re_indented_are_restored() -> None:
    before = "const x: T = {\n  one: 1,\n  two: 'b',\n}\n"
    # what "Add missing properties" prints: the whole object again, 4 spaces, its own quotes
    after = 'const x: T = {\n    one: 1,\n    two: "b",\n    done: "no"\n}\n'
    style = Style("  ", "'", False, True)
    # "two" was re-quoted too, so it is a changed line: its original is kept as the fix does not need it
    assert normalise(before, after.replace('two: "b"', "two: 'b'"), style) == (
        "const x: T = {\n  one: 1,\n  two: 'b',\n  done: 'no',\n}\n"
    )


def test_a_new_line_is_indented_like_its_sibling_or_one_unit_inside_its_parent() -> None:
    tabs = Style("\t", '"', True, False)
    before = 'import {\n\tDraft,\n\tImmutable\n} from "./internal";\n'
    after = 'import {\n\tDraft,\n\tImmutable,\n    Immer\n} from "./internal";\n'
    assert (
        normalise(before, after, tabs) == 'import {\n\tDraft,\n\tImmutable,\n\tImmer\n} from "./internal";\n'
    )
    two = Style("  ", "'", False, True)
    before = "import type {\n  B,\n  C,\n} from './x'\nfunction f() {\n  if (a) {\n    g()\n  }\n}\n"
    after = before.replace("import type {\n", "import type {\n    A,\n")  # deeper lines below are no sibling
    assert normalise(before, after, two) == before.replace("import type {\n", "import type {\n  A,\n")
    nested = "function f() {\n  return 1\n}\n"
    printed = "function f() {\n  if (!a) {\n      throw e\n  }\n  return 1\n}\n"  # 4 printed columns a level
    assert normalise(nested, printed, two) == "function f() {\n  if (!a) {\n    throw e\n  }\n  return 1\n}\n"


def test_imports_take_the_file_quotes_and_semicolons() -> None:
    before = "import b from './b'\nconst a = 1\n"
    after = "import { A } from \"../types/a\";\nimport b from './b'\nconst a = 1\n"
    assert normalise(before, after, Style("  ", "'", False)) == "import { A } from '../types/a'\n" + before
    before = 'import b from "./b";\n'
    assert normalise(before, "import { A } from './a'\n" + before, Style("\t", '"', True)) == (
        'import { A } from "./a";\n' + before
    )


def test_what_normalising_never_touches() -> None:
    style = Style("  ", "'", False, True)
    # a literal the line had before keeps its quotes; one with a quote inside is not rewritten
    before = 'f("a")\n'
    assert normalise(before, 'f("a", "b")\n', style) == "f(\"a\", 'b')\n"
    assert normalise(before, 'f("a")\ng("it\'s")\n', style) == 'f("a")\ng("it\'s")\n'
    # leading whitespace inside a multi-line template literal is content
    before = "const t = `\n    kept\n`\n"
    after = "const t = `\n    kept\n        new\n`\n"
    assert normalise(before, after, style) == after
    # CRLF files get CRLF lines
    assert normalise("a()\r\nb()\r\n", "a()\r\nc()\nb()\r\n", style) == "a()\r\nc()\r\nb()\r\n"


@given(
    st.lists(st.sampled_from(["  a,", "  b: 1,", "}", "  {", "", "x()", "\tq"]), min_size=1, max_size=12),
    st.integers(0, 12),
    st.sampled_from(["    z: 2,", "\tw", "  y"]),
)
def test_normalising_only_changes_the_lines_the_fix_changed(lines, at, inserted) -> None:
    before = "".join(f"{line}\n" for line in lines)
    at = min(at, len(lines))
    after = "".join(f"{line}\n" for line in [*lines[:at], inserted, *lines[at:]])
    out = normalise(before, after, Style("  ", "'", False, None))
    # the original lines, and one more: the inserted one (a line diff may align repeated lines oddly)
    old, new = before.splitlines(), out.splitlines()
    assert len(new) == len(old) + 1
    assert any(new[:k] + new[k + 1 :] == old and new[k].strip() == inserted.strip() for k in range(len(new)))


# ----------------------------------------------------------------------------- the loop, three house styles

MODEL = {
    "two": "export interface Task {\n  id: number\n  title: string\n  done: boolean\n}\n\n"
    "export function formatTitle(title: string): string {\n  return title.trim()\n}\n",
    "tabs": "export interface Task {\n\tid: number;\n\ttitle: string;\n\tdone: boolean;\n}\n\n"
    "export function formatTitle(title: string): string {\n\treturn title.trim();\n}\n",
    "four": "export interface Task {\n    id: number;\n    title: string;\n    done: boolean;\n}\n\n"
    "export function formatTitle(title: string): string {\n    return title.trim();\n}\n",
}
BROKEN = {  # a missing property (done), a missing import (formatTitle), a misspelling (tilte)
    "two": "import type { Task } from './model'\n\n"
    "export function make(id: number, title: string): Task {\n  const task: Task = {\n    id,\n    title\n  }\n"
    "  return task\n}\n\nexport function show(task: Task): string {\n  const name = task.tilte\n"
    "  return formatTitle(name)\n}\n",
    "tabs": 'import type { Task } from "./model";\n\n'
    "export function make(id: number, title: string): Task {\n\tconst task: Task = {\n\t\tid,\n\t\ttitle\n\t};\n"
    "\treturn task;\n}\n\nexport function show(task: Task): string {\n\tconst name = task.tilte;\n"
    "\treturn formatTitle(name);\n}\n",
    "four": 'import type { Task } from "./model";\n\n'
    "export function make(id: number, title: string): Task {\n    const task: Task = {\n        id,\n"
    "        title,\n    };\n    return task;\n}\n\nexport function show(task: Task): string {\n"
    "    const name = task.tilte;\n    return formatTitle(name);\n}\n",
}
FIXED = {
    "two": BROKEN["two"]
    .replace("import type { Task } from './model'", "import { formatTitle, type Task } from './model'")
    .replace("    title\n", "    title,\n    done: false\n")
    .replace("tilte", "title"),
    "tabs": BROKEN["tabs"]
    .replace('import type { Task } from "./model";', 'import { formatTitle, type Task } from "./model";')
    .replace("\t\ttitle\n", "\t\ttitle,\n\t\tdone: false\n")
    .replace("tilte", "title"),
    "four": BROKEN["four"]
    .replace('import type { Task } from "./model";', 'import { formatTitle, type Task } from "./model";')
    .replace("        title,\n", "        title,\n        done: false,\n")
    .replace("tilte", "title"),
}


@pytest.mark.parametrize("house", ["two", "tabs", "four"])
def test_fixes_in_each_house_style_change_only_what_they_need(
    make_project, cli, ts_version, ts6_env, house
) -> None:
    root = make_project({"src/model.ts": MODEL[house], "src/a.ts": BROKEN[house]}, ts=ts_version)
    errors = suggestions(cli, root, ts6_env)
    assert sorted(e["code"] for e in errors) == ["TS2304", "TS2551", "TS2741"]
    assert all(e["suggestions"] and e["suggestions"][0]["verified"] for e in errors)
    applied = cli("apply", "--min-confidence", "0", "--all", "--path", str(root), env=ts6_env)
    assert applied.exit_code == 0, applied.output
    assert (root / "src/a.ts").read_text() == FIXED[house]


def test_a_one_line_construct_the_fix_extends_stays_on_one_line() -> None:
    from tsfix.style import detect, normalise

    def fix(before: str, printed: str) -> str:
        return normalise(before, printed, detect(before))

    one = "export const todo: Todo = { id: 1, title: 'write it' }\n"
    spread = "export const todo: Todo = {\n  id: 1, title: 'write it',\n  done: false,\n}\n"
    assert fix(one, spread) == "export const todo: Todo = { id: 1, title: 'write it', done: false }\n"
    tight = "const p = {x: 1}\n"
    assert fix(tight, "const p = {\n  x: 1,\n  y: 2,\n}\n") == "const p = {x: 1, y: 2}\n"
    assert fix("call(a)\n", "call(a,\n  b)\n") == "call(a, b)\n"
    # not an insertion inside the original: a block around a statement stays a block
    assert fix("  run();\n", "  if (ready) {\n    run();\n  }\n").count("\n") == 3
    # a comment would swallow the rest; a line wider than the file allows stays spread
    commented = "f(a) // note\n"
    assert fix(commented, "f(a, // note\n  b)\n").count("\n") == 2
    wide = "const row = { " + ", ".join(f"k{i}: {i}" for i in range(14)) + " }\n"
    printed = wide.replace(" }\n", ",\n  extra_property_with_a_long_name: 1,\n}\n").replace("{ ", "{\n  ")
    assert fix(wide, printed).count("\n") > 1


def test_a_comment_the_printer_copies_from_a_neighbour_is_dropped() -> None:
    from tsfix.code_text import without_copied_comments
    from tsfix.edits import Position, TextEdit, apply_edits

    # TypeScript 6's "Add 'undefined' to optional property type" on `forced?: boolean` re-prints the
    # next member's JSDoc inside the new type (seen on @reduxjs/toolkit's BaseQueryApi)
    before = "interface Api {\n  forced?: boolean\n  /**\n   * The cache key\n   */\n  key?: string\n}\n"
    printed = "boolean\n    /**\n     * The cache key\n     */\n    | undefined"
    edit = TextEdit("a.ts", Position(2, 12), Position(2, 19), printed)
    cleaned = without_copied_comments(before, edit)
    assert cleaned.new_text == "boolean | undefined"
    assert apply_edits(before, [cleaned]).splitlines()[1] == "  forced?: boolean | undefined"
    # a comment the fix writes itself, or one the replaced text already had, stays
    own = TextEdit("a.ts", Position(2, 12), Position(2, 19), "boolean // new note")
    assert without_copied_comments(before, own) == own
    url = TextEdit("a.ts", Position(6, 8), Position(6, 14), "'https://x' // The cache key")
    assert without_copied_comments(before, url) == url  # not on a line of its own: kept
