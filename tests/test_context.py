"""Tree-sitter context: the enclosing node, its name and symbol path, snippets, and position mapping."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from golden_regen import FIXTURES, GOLDEN
from tsfix.context import (
    MAX_INDEX_BYTES,
    MAX_SNIPPET_CHARS,
    MAX_SNIPPET_LINES,
    SourceFile,
    extract_file_contexts,
    index_file,
    language_for,
)
from tsfix.scan import errors_from_diagnostics
from tsfix.tsc_output import parse_tsc_output


def ctx_at(tmp_path: Path, name: str, source: str | bytes, line: int, col: int = 1):
    path = tmp_path / name
    path.write_bytes(source.encode("utf-8") if isinstance(source, str) else source)
    result = extract_file_contexts(name, path, [(0, line, col)])
    assert result.problem is None
    return result.contexts[0]


TS_SOURCE = """\
import { helper } from "./helper";

export class UserService {
  private cache: Map<number, string> = "nope";
  async getUser(id: number): Promise<string> {
    const key: string = id;
    return key;
  }
  onChange = (value: string) => {
    const n: number = value;
  };
}

export const formatUser = (name: string): number => {
  return name;
};

const config = {
  retries: 3,
  build() {
    const w: number = "";
  },
};

export interface Options { verbose: strin }
export type Mode = "a" | nope;
enum Color { Red = "red", Green = 1 + "x" }
namespace Legacy { export const v: number = "s"; }

function outer() {
  [1, 2].map((x) => { const s: string = x; return s; });
}

module.exports.handler = function () { const z: number = "z"; };

export default function main(): void {
  helper(1);
}

helper("top level");
"""

TS_CASES = [
    # line, expected kind, name, symbol path
    (4, "property", "cache", "UserService.cache"),
    (6, "method", "getUser", "UserService.getUser"),
    (10, "arrow_function", "onChange", "UserService.onChange"),
    (15, "arrow_function", "formatUser", "formatUser"),
    (21, "method", "build", "config.build"),
    (25, "interface", "Options", "Options"),
    (26, "type", "Mode", "Mode"),
    (27, "enum", "Color", "Color"),
    (28, "namespace", "Legacy", "Legacy"),
    (31, "function", "outer", "outer"),  # an unnamed callback belongs to its named function
    (34, "function", "handler", "handler"),
    (37, "function", "main", "main"),
    (40, "statement", None, ""),
    (1, "import", None, ""),
]


@pytest.mark.parametrize(("line", "kind", "name", "symbol"), TS_CASES)
def test_typescript_constructs(tmp_path: Path, line: int, kind: str, name: str | None, symbol: str) -> None:
    text = TS_SOURCE.splitlines()[line - 1]
    col = text.index("const") + 1 if "const" in text else 5  # inside the body where there is one
    ctx = ctx_at(tmp_path, "service.ts", TS_SOURCE, line, col)
    assert (ctx.kind, ctx.name, ctx.symbol_path) == (kind, name, symbol)
    assert ctx.start_line <= line <= ctx.end_line
    assert ctx.snippet_start_line <= line <= ctx.snippet_end_line
    lines = TS_SOURCE.splitlines()
    assert ctx.snippet == "\n".join(lines[ctx.snippet_start_line - 1 : ctx.snippet_end_line])
    assert ctx.error_line_text == lines[line - 1]
    assert ctx.language == "typescript"


def test_exported_declarations_include_the_export_keyword(tmp_path: Path) -> None:
    ctx = ctx_at(tmp_path, "service.ts", TS_SOURCE, 15, 10)
    assert ctx.snippet.startswith("export const formatUser")
    assert (ctx.start_line, ctx.end_line) == (14, 16)


TSX_SOURCE = """\
import { useState } from "react";

export function Counter({ start }: { start: number }) {
  const [count, setCount] = useState<number>(start);
  const label: number = `${count}`;
  return <button onClick={() => setCount(count + 1)}>{label}</button>;
}

export const Badge = ({ count }: { count: number }) => (
  <span className="badge">{count.toFixed("2")}</span>
);

export default class Page {
  render() {
    return <div>{this.missing}</div>;
  }
}
"""


@pytest.mark.parametrize(
    ("line", "kind", "name", "symbol"),
    [
        (5, "function", "Counter", "Counter"),
        (6, "function", "Counter", "Counter"),
        (10, "arrow_function", "Badge", "Badge"),
        (15, "method", "render", "Page.render"),
    ],
)
def test_tsx_constructs(tmp_path: Path, line: int, kind: str, name: str, symbol: str) -> None:
    ctx = ctx_at(tmp_path, "view.tsx", TSX_SOURCE, line, 10)
    assert (ctx.kind, ctx.name, ctx.symbol_path, ctx.language) == (kind, name, symbol, "tsx")


def test_tsx_needs_the_tsx_grammar(tmp_path: Path) -> None:
    # the same text parsed as plain TypeScript misreads JSX as type assertions: the grammar matters
    assert language_for("a.tsx") == language_for("a.jsx") == "tsx"
    assert language_for("a.ts") == language_for("a.mts") == language_for("a.d.ts") == "typescript"
    ctx = ctx_at(tmp_path, "view.tsx", TSX_SOURCE, 10, 30)
    assert ctx.end_line == 11


def test_golden_positions_map_through_utf16_columns_and_crlf(ts_version: str, tmp_path: Path) -> None:
    root = tmp_path / "golden"
    shutil.copytree(FIXTURES / "golden", root)
    diags = parse_tsc_output((GOLDEN / f"golden-{ts_version}.txt").read_text(encoding="utf-8"))
    errors, files = errors_from_diagnostics(root, diags)
    by_place = {(e.file_path, e.line): e for e in errors}

    # line 2 of ünïcode.ts is `const emoji = "😀"; const n: number = emoji;`, column 27 in UTF-16
    unicode = by_place[("src/ünïcode.ts", 2)]
    source = SourceFile.from_bytes("u", (root / "src/ünïcode.ts").read_bytes())
    offset = source.byte_offset(2, unicode.col or 0)
    assert source.data[offset : offset + 1] == b"n"  # the emoji's two UTF-16 units were counted
    assert unicode.context and unicode.context["error_line"] == 'const emoji = "😀"; const n: number = emoji;'

    crlf = by_place[("src/dir (copy)/crlf file.ts", 2)]
    assert crlf.code_snippet == 'let b: number = "b";'
    assert "\r" not in (crlf.context or {})["error_line"]

    view = by_place[("src/view.tsx", 2)]
    assert view.context and (view.context["kind"], view.context["name"], view.context["language"]) == (
        "function",
        "Greeting",
        "tsx",
    )
    assert all(fc.problem is None and fc.hash for fc in files.values())


def test_tsc_line_breaks_include_unicode_separators() -> None:
    # tsc splits lines on U+2028/U+2029 as well as CR, LF and CRLF; Python's splitlines() splits more
    source = SourceFile.from_bytes("a.ts", 'const a = "x\u2028y";\rconst b = 1;\x0cconst c = 2;\n'.encode())
    assert source.line_count == 4
    assert source.line_text(2) == 'y";'
    assert source.line_text(3) == "const b = 1;\x0cconst c = 2;"


def test_bom_is_not_counted(tmp_path: Path) -> None:
    ctx = ctx_at(tmp_path, "bom.ts", b"\xef\xbb\xbfconst n: number = 'x';\n", 1, 7)
    assert ctx.error_line_text == "const n: number = 'x';"
    assert ctx.name == "n"


def test_utf16_file_with_bom(tmp_path: Path) -> None:
    ctx = ctx_at(
        tmp_path, "wide.ts", "\ufefffunction f() { const n: number = 'x'; }\n".encode("utf-16-le"), 1, 16
    )
    assert (ctx.kind, ctx.name) == ("function", "f")


def test_non_utf8_source_degrades_gracefully(tmp_path: Path) -> None:
    latin1 = "function caf\xe9() {\n  const n: number = 'cr\xe8me';\n}\n".encode("latin-1")
    ctx = ctx_at(tmp_path, "latin.ts", latin1, 2, 9)
    assert ctx.kind == "function"
    assert "\ufffd" in ctx.snippet  # undecodable bytes shown as replacement characters
    assert ctx.error_line_text.startswith("  const n: number")


def test_long_function_is_cut_around_the_error_line(tmp_path: Path) -> None:
    body = "\n".join(f"  const v{i}: number = {i};" for i in range(300))
    source = f"export function big() {{\n{body}\n}}\n"
    ctx = ctx_at(tmp_path, "big.ts", source, 200, 3)
    assert ctx.truncated
    assert (ctx.start_line, ctx.end_line) == (1, 302)
    assert ctx.snippet_start_line <= 200 <= ctx.snippet_end_line
    assert ctx.snippet_end_line - ctx.snippet_start_line + 1 <= MAX_SNIPPET_LINES
    assert "const v198: number = 198;" in ctx.snippet
    assert len(ctx.snippet) <= MAX_SNIPPET_CHARS


def test_wide_lines_are_cut_to_the_character_budget(tmp_path: Path) -> None:
    lines = "\n".join("  x" + "y" * 500 + ";" for _ in range(40))
    ctx = ctx_at(tmp_path, "wide.ts", f"function w() {{\n{lines}\n}}\n", 30, 3)
    assert ctx.truncated and len(ctx.snippet) <= MAX_SNIPPET_CHARS
    assert ctx.snippet_start_line <= 30 <= ctx.snippet_end_line


def test_minified_line_keeps_the_text_around_the_column(tmp_path: Path) -> None:
    minified = "var a=1;" * 20_000 + "var target: number = 'x';" + "var b=2;" * 20_000
    col = minified.index("target") + 1
    ctx = ctx_at(tmp_path, "bundle.ts", minified, 1, col)
    assert ctx.truncated
    assert "target" in ctx.snippet and len(ctx.snippet) <= MAX_SNIPPET_CHARS
    assert "target" in ctx.error_line_text and len(ctx.error_line_text) <= 400


def test_the_work_for_an_enormous_line_is_bounded_per_diagnostic(tmp_path: Path) -> None:
    """A 5 MB one-line table (non-ASCII, so columns need UTF-16 counting) with 100 diagnostics: no
    parse tree, and the bytes decoded to place them are one pass over the line plus one bounded
    chunk per diagnostic, not the line once per diagnostic (which took 84 s and 1 GB)."""
    row = '{id:1,name:"ünïcode ✓",n:[1,2,3]},'
    line = "export const table = [" + row * (5_000_000 // len(row.encode())) + "];"
    path = tmp_path / "table.ts"
    path.write_text(line + "\n")
    cols = list(range(1, len(line), len(line) // 100))[:100]
    index = index_file("table.ts", path)
    assert not isinstance(index, str)
    assert len(index.source.data) > MAX_INDEX_BYTES and index.root is None
    found = extract_file_contexts("table.ts", path, [(i, 1, c) for i, c in enumerate(cols)], index=index)
    size = len(index.source.data)
    assert index.source.decoded <= 2 * size + len(cols) * 4 * 4096 * 4, index.source.decoded
    for i, col in enumerate(cols):
        ctx = found.contexts[i]
        assert len(ctx.snippet) <= MAX_SNIPPET_CHARS and len(ctx.error_line_text) <= 400
        # the snippet is the text around the column: UTF-16 columns were mapped right
        assert line[col - 1 : col + 20] in ctx.snippet


def test_positions_past_the_end_are_clamped(tmp_path: Path) -> None:
    ctx = ctx_at(tmp_path, "short.ts", "const a = 1;\n", 99, 99)
    assert ctx.snippet_start_line >= 1


def test_deleted_file_yields_a_problem_not_an_exception(tmp_path: Path) -> None:
    result = extract_file_contexts("gone.ts", tmp_path / "gone.ts", [(0, 1, 1)])
    assert result.contexts == {} and result.hash is None
    assert result.problem and "not found" in result.problem
