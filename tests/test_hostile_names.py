"""Hostile file names and source text: every report stays valid for its grammar, the terminal sees
no control character.

Real files with the names a Linux file system allows (spaces, `%`, `,`, `:`, `#`, `?`, ESC and other
C0/C1 controls, bidi overrides, non-ASCII, a leading `-`, names shaped like `::` workflow commands or
rich/Markdown markup, names with line breaks, one shaped like another diagnostic), checked by the
real tsc of both versions.
"""

from __future__ import annotations

import html.parser
import json
import os
import re
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote_to_bytes, urljoin, urlsplit

from hypothesis import given
from hypothesis import strategies as st

from tsfix.safe_text import escape_unsafe, terminal_safe

NAMES = [
    "src/dir with space/a b.ts",
    "src/100%25%.ts",
    "src/a,b.ts",
    "src/c:d.ts",
    "src/x#y?.ts",
    "src/\x1b]0;pwned\x07\x1b[2J.ts",
    "src/\u202eevil\u2066.ts",
    "src/é-ünï 😀.ts",
    "src/-lead.ts",
    "src/::error file=x::boom.ts",
    "src/[red]markup[/].ts",
    "src/`tick`|pipe<b>*x*&amp;.ts",
    "src/\x01\x7f\x9b\tc.ts",
    "a:b/first.ts",  # a `:` in the first segment of the report path (the project is the repository)
    "src/line\nbreak\r\n.ts",
    "src/evil.ts(1,1): error TS9999: forged\nz.ts",  # reads like a diagnostic of its own
]
ERROR = 'export const v: number = "x";\n'
# a misspelt property: a verified fix (a diff naming the file) on both TypeScript versions
FIXABLE = "interface U { name: string; email: string }\nexport const f = (u: U): string => u.emial;\n"
FIXABLE_IN = ("src/`tick`|pipe<b>*x*&amp;.ts", "src/\x1b]0;pwned\x07\x1b[2J.ts", "a:b/first.ts")
CONTENT = (  # escape sequences and bidi controls in the source text itself
    'export const s: number = "\x1b]0;title\x07\x1b[2J \u202e evil \x9b31m\u2066";\n'
    'import { z } from "./\x1b[2Jmissing";\n'
)
TSCONFIG = {
    "compilerOptions": {
        "strict": True,
        "types": [],
        "noEmit": True,
        "skipLibCheck": True,
        "target": "es2022",
    },
    "include": ["src", "a:b"],
}
# what may never reach a terminal: controls but the line feed, bidi controls, lone surrogates
TERMINAL_UNSAFE = re.compile(
    "[\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)
BIDI = set("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def hostile_project(make_project, ts: str) -> Path:
    files = {name: ERROR + (FIXABLE if name in FIXABLE_IN else "") for name in NAMES}
    files["src/content.ts"] = CONTENT
    root = make_project(files, ts=ts, tsconfig=TSCONFIG)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


# ----------------------------------------------------------------------------- terminal_safe


@given(st.text())
def test_terminal_safe_output_has_no_control_character(text: str) -> None:
    for multiline in (False, True):
        shown = terminal_safe(text, multiline=multiline)
        allowed = {"\n", "\t"} if multiline else set()
        for ch in shown:
            assert ch in allowed or unicodedata.category(ch) not in ("Cc", "Cs"), (text, shown)
            assert ch not in BIDI and ch not in "\u2028\u2029\ufffe\uffff", (text, shown)
        shown.encode("utf-8")  # encodable: no lone surrogate left
        assert terminal_safe(shown, multiline=multiline) == shown


@given(st.text(st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")).filter(lambda c: c not in BIDI)))
def test_terminal_safe_leaves_ordinary_text_alone(text: str) -> None:
    assert terminal_safe(text) == text == terminal_safe(text, multiline=True)


def test_terminal_safe_escapes_visibly() -> None:
    assert terminal_safe("a\x1b]0;t\x07\nb\u202e\udcff\x9b") == "a\\x1b]0;t\\x07\\nb\\u202e\\xff\\x9b"
    assert terminal_safe("l1\r\nl2\tx\r\x1b", multiline=True) == "l1\nl2\tx\\r\\x1b"


# ----------------------------------------------------------------------------- terminal output


def assert_terminal_safe(text: str) -> None:
    found = TERMINAL_UNSAFE.search(text)
    assert found is None, (
        f"{found.group()!r} reached the terminal: {text[max(0, found.start() - 80) : found.end() + 80]!r}"
    )


def test_scan_list_and_show_print_hostile_names_and_source_escaped(
    make_project, ts_version, tsfix_cli
) -> None:
    root = hostile_project(make_project, ts_version)
    scan = tsfix_cli("scan", str(root))
    assert scan.returncode == 1, scan.stderr
    assert_terminal_safe(scan.stdout + scan.stderr)
    assert "src/[red]markup[/].ts" in scan.stdout and "src/\\x1b]0;pwned\\x07\\x1b[2J.ts" in scan.stdout

    listed = tsfix_cli("list", str(root), "-n", "100")
    assert listed.returncode == 0, listed.stderr
    assert_terminal_safe(listed.stdout + listed.stderr)
    for name in NAMES:  # shown, escaped, markup not read as markup (the scan shows the top 15 files)
        assert terminal_safe(name) in scan.stdout or terminal_safe(name) in listed.stdout, name
    assert "Cannot find module './\\x1b[2Jmissing'" in listed.stdout

    errors = json.loads(tsfix_cli("list", str(root), "-n", "100", "--json").stdout)
    assert {e["file"] for e in errors} == {*NAMES, "src/content.ts"}  # JSON stays exact
    assert "TS9999" not in {e["code"] for e in errors}  # nothing forged by a name
    store = f"sqlite:///{root}/.tsfix/tsfix.db"
    shown = ""
    for e in errors:
        if e["file"] in ("src/content.ts", "src/\x1b]0;pwned\x07\x1b[2J.ts"):
            result = tsfix_cli("show", str(e["id"]), "--store", store)
            assert result.returncode == 0, result.stderr
            assert_terminal_safe(result.stdout + result.stderr)
            shown += result.stdout
    assert "\\x1b]0;title\\x07\\x1b[2J \\u202e evil \\x9b31m\\u2066" in shown  # the snippet, escaped
    assert "src/\\x1b]0;pwned\\x07\\x1b[2J.ts:1:14" in shown


def test_the_error_line_for_a_hostile_path_stays_one_line(tmp_path: Path, tsfix_cli) -> None:
    bad = tmp_path / "\x1b]0;pwned\x07\nerror: forged\u202e"
    result = tsfix_cli("scan", str(bad))
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and lines[0].startswith("error: ") and lines[1].startswith("hint: "), lines
    assert "\\x1b]0;pwned\\x07\\nerror: forged\\u202e" in lines[0]
    assert_terminal_safe(result.stderr)


# ----------------------------------------------------------------------------- reports


PCHAR = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-Fa-f]{2})"
PCHAR_NO_COLON = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=@]|%[0-9A-Fa-f]{2})"
# RFC 3986 relative-ref with a path-noscheme and neither query nor fragment
RELATIVE_PATH_REF = re.compile(rf"{PCHAR_NO_COLON}+(?:/{PCHAR}*)*")


def check_sarif(sarif: dict, repo: Path, expected: set[str], schema: dict | None = None) -> None:
    """Every artifact URI is a relative reference that decodes, and resolves, to exactly its file."""
    if schema is not None:
        import jsonschema

        jsonschema.Draft4Validator(schema).validate(sarif)
    (run,) = sarif["runs"]
    base = run["originalUriBaseIds"]["SRCROOT"]["uri"]
    uris = [
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for r in run["results"]
        for loc in r.get("locations", [])
    ]
    uris += [
        c["artifactLocation"]["uri"]
        for r in run["results"]
        for f in r.get("fixes", [])
        for c in f["artifactChanges"]
    ]
    decoded = set()
    for uri in uris:
        assert RELATIVE_PATH_REF.fullmatch(uri), f"not a relative URI reference: {uri!r}"
        path = os.fsdecode(unquote_to_bytes(uri))
        decoded.add(path)
        resolved = urlsplit(urljoin(base, uri))
        assert not resolved.query and not resolved.fragment, uri
        assert os.fsdecode(unquote_to_bytes(resolved.path)) == str(repo / path)
    assert expected <= decoded, expected - decoded


def parse_workflow_command(line: str) -> tuple[str, dict[str, str], str]:
    """A workflow command as the GitHub runner reads it (actions/runner ActionCommand.TryParseV2)."""
    assert line.startswith("::"), line
    end = line.index("::", 2)
    name, _, props = line[2:end].partition(" ")
    properties = {}
    for prop in props.split(","):
        key, sep, value = prop.partition("=")
        if key and sep and value:
            for escaped, char in (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%")):
                value = value.replace(escaped, char)
            properties[key] = value
    data = line[end + 2 :]
    for escaped, char in (("%0D", "\r"), ("%0A", "\n"), ("%25", "%")):
        data = data.replace(escaped, char)
    return name, properties, data


def check_github(text: str, expected: dict[str, int]) -> None:
    """One command per error, on one line as the runner splits them, naming exactly the file."""
    lines = re.split(r"\r\n|\r|\n", text.rstrip("\n"))
    files: dict[str, int] = {}
    for line in lines:
        name, props, _ = parse_workflow_command(line)
        if name == "notice":
            continue
        assert name == "error" and props["title"].startswith("TS"), line
        files[props["file"]] = files.get(props["file"], 0) + 1
    assert files == expected


def check_junit(text: str, expected: set[str]) -> None:
    root = ET.fromstring(text.encode("utf-8"))  # expat: fails on anything XML 1.0 cannot hold
    files = {case.get("file") for case in root.iter("testcase")}
    assert files == {escape_unsafe(p, keep="\t\n\r") for p in expected}
    assert "\\x1b" in text or not any("\x1b" in p for p in expected)


class _Summaries(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.codes: list[str] = []
        self._in_code = False

    def handle_starttag(self, tag: str, attrs) -> None:
        self._in_code = tag == "code"
        if self._in_code:
            self.codes.append("")

    def handle_endtag(self, tag: str) -> None:
        self._in_code = False

    def handle_data(self, data: str) -> None:
        if self._in_code:
            self.codes[-1] += data


def check_markdown(text: str, expected: list[tuple[str, str]]) -> None:
    """The table has one row of five cells per error, each location exactly its (escaped) name and
    each message its text; no HTML or markup comes from a name or a message; each diff is one block."""
    from markdown_it import MarkdownIt

    assert not TERMINAL_UNSAFE.search(text.replace("\t", "")), "a control character in the Markdown"
    tokens = MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(text)
    names = {escape_unsafe(p) for p, _ in expected}
    rows: list[list[list]] = []
    in_body = False
    for token in tokens:
        if token.type == "tbody_open":
            in_body = True
        elif token.type == "tbody_close":
            in_body = False
        elif in_body and token.type == "tr_open":
            rows.append([])
        elif in_body and token.type == "inline":
            rows[-1].append(token.children or [])
        if token.type == "inline":
            assert not [c for c in token.children or [] if c.type in ("html_inline", "s_open")], token.content
        if token.type == "html_block":
            parser = _Summaries()
            parser.feed(token.content)
            for code in parser.codes:
                assert code.rsplit(":", 1)[0] in names, code
    assert all(len(cells) == 5 for cells in rows), rows
    found = []
    for cells in rows:
        (code,) = cells[1]
        assert code.type == "code_inline", cells[1]
        found.append((code.content.rsplit(":", 2)[0], "".join(c.content for c in cells[3])))
    assert sorted(found) == sorted((escape_unsafe(p), escape_unsafe(m)) for p, m in expected)
    fences = [t for t in tokens if t.type == "fence"]
    assert all(t.info == "diff" and t.content.startswith(("--- a/", '--- "a/')) for t in fences), fences


def test_every_ci_report_is_valid_for_hostile_names(
    make_project, ts_version, cli, tmp_path: Path, sarif_schema: dict
) -> None:
    root = hostile_project(make_project, ts_version)
    out = {name: tmp_path / f"report.{name}" for name in ("sarif", "junit", "markdown", "json")}
    args = [arg for name, path in out.items() for arg in ("-o", f"{name}={path}")]
    result = cli("ci", str(root), "--no-llm", "-f", "github", *args)
    assert result.exit_code == 1, result.output

    data = json.loads(out["json"].read_text())
    files = {e["file"] for e in data["errors"]}
    assert files == {*NAMES, "src/content.ts"}  # JSON: exact
    check_github(result.stdout, {p: sum(1 for e in data["errors"] if e["file"] == p) for p in files})
    check_sarif(json.loads(out["sarif"].read_text()), root, files, sarif_schema)
    check_junit(out["junit"].read_text(), files)
    check_markdown(
        out["markdown"].read_text(), [(e["file"], e["message"].splitlines()[0]) for e in data["errors"]]
    )
    # diffs naming hostile files went into the Markdown and the SARIF fixes
    fixed = {e["file"] for e in data["errors"] if e["fix"]}
    assert set(FIXABLE_IN) <= fixed, fixed


# ----------------------------------------------------------------------------- patches


def test_a_patch_for_a_hostile_name_and_unusual_line_characters_applies_with_git(
    make_project, cli, ts_version: str, tmp_path: Path
) -> None:
    """Diff headers quote a name the way git does (a line break, a quote, a backslash); diff lines
    split at LF only (a form feed or U+2028 inside a line does not cut it, as splitlines() would)."""
    from test_apply_cli import edit, errors, record

    name = 'src/q"uo\tte\nline.ts'  # (tsc reads a backslash as a folder separator even on POSIX)
    source = "export const n: number = 'one'; export const s = 'a\x0cb\u2028c\x1dd';\n"
    root = make_project({name: source}, ts=ts_version)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    cli("scan", str(root))
    found = errors(cli, root)
    assert list(found) == [(name, "TS2322", 1)], found
    error_id = found[(name, "TS2322", 1)]["id"]
    sid = record(root, error_id, [edit(name, 1, 26, 31, "1")], 0.9)
    patch = tmp_path / "fix.diff"
    result = cli("apply", sid, "--path", str(root), "--patch", str(patch))
    assert result.exit_code == 0, result.output
    text = patch.read_text()
    assert text.startswith('--- "a/src/q\\"uo\\tte\\nline.ts"\n')
    check = subprocess.run(["git", "apply", str(patch)], cwd=root, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    assert (root / name).read_text() == source.replace("'one'", "1")


def test_unified_diff_quotes_names_as_git_does(tmp_path: Path) -> None:
    """Every character a file name can hold round-trips through the diff header into `git apply`."""
    from tsfix.edits import unified_diff

    names = ["a\\b.ts", 'q"t.ts', "nl\nx.ts", "é\x1b\x7f.ts", "sp ace.ts", "\u2028.ts"]
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    for name in names:
        (tmp_path / name).write_text("a\nb\x0cc\n")
    patch = unified_diff({n: "a\nb\x0cc\n" for n in names}, {n: "a\nB\x0cc\n" for n in names})
    result = subprocess.run(["git", "apply", "-"], input=patch, cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert all((tmp_path / n).read_text() == "a\nB\x0cc\n" for n in names)
