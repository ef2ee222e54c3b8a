"""parse_tsc_output: golden outputs of the real compilers, edge cases, and properties (hypothesis)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from golden_regen import GOLDEN, golden_cases, run_fixture
from tsfix.errors import TsconfigInvalid
from tsfix.records import Diagnostic
from tsfix.tsc_output import (
    ProjectFiles,
    is_config_diagnostic,
    may_be_syntax_only,
    parse_tsc_output,
    raise_for_config_errors,
    relative_posix,
)


def golden(case: str, version: str) -> str:
    return (GOLDEN / f"{case}-{version}.txt").read_bytes().decode("utf-8")


@pytest.mark.parametrize("fixture", golden_cases(), ids=lambda p: p.name)
def test_goldens_are_what_the_real_compilers_print(fixture: Path, ts_version: str, typescript) -> None:
    text, status = run_fixture(fixture, typescript(ts_version))
    assert text == golden(fixture.name, ts_version)
    # with errors, 5.x exits 2 (outputs skipped) and 7.x exits 1
    assert status == (2 if ts_version.startswith("5.") else 1)


def test_golden_main_parses_every_diagnostic(ts_version: str) -> None:
    diags = parse_tsc_output(golden("golden", ts_version))
    assert [(d.file, d.line, d.col) for d in diags] == [
        ("src/chain.ts", 2, 10),
        ("src/chain.ts", 5, 11),
        ("src/chain.ts", 8, 36),
        ("src/dir (copy)/crlf file.ts", 1, 5),
        ("src/dir (copy)/crlf file.ts", 2, 5),
        ("src/view.tsx", 2, 9),
        ("src/ünïcode.ts", 1, 14),
        ("src/ünïcode.ts", 2, 27),
    ]
    chain = diags[0]
    assert chain.code == "TS2345" and chain.category == "error"
    assert chain.message.splitlines() == [
        "Argument of type '(event: { id: string; }) => void' is not assignable to parameter of type "
        "'(event: { id: number; }) => void'.",
        "  Types of parameters 'event' and 'event' are incompatible.",
        "    Type '{ id: number; }' is not assignable to type '{ id: string; }'.",
        "      Types of property 'id' are incompatible.",
        "        Type 'number' is not assignable to type 'string'.",
    ]
    assert chain.headline.startswith("Argument of type")
    # TypeScript 7 elaborates the missing property directly; 5.9 wraps it in TS2345
    expected = "TS2345" if ts_version.startswith("5.") else "TS2741"
    assert diags[1].code == expected
    assert not any(is_config_diagnostic(d) for d in diags)
    assert not may_be_syntax_only(diags)


def test_golden_global_diagnostic_has_no_file_and_keeps_its_explanation(ts_version: str) -> None:
    (diag,) = parse_tsc_output(golden("golden-global", ts_version))
    assert (diag.file, diag.line, diag.col, diag.code) == (None, None, None, "TS2688")
    assert diag.message.splitlines()[1:] == [
        "  The file is in the program because:",
        "    Entry point of type library 'tsfix-no-such-types' specified in compilerOptions",
    ]
    with pytest.raises(TsconfigInvalid, match="stopped before type-checking: TS2688") as info:
        raise_for_config_errors([diag], "tsconfig.json")
    assert "npm install" in (info.value.hint or "")
    assert info.value.exit_code == 2


def test_golden_bad_config_is_reported_as_invalid(ts_version: str) -> None:
    diags = parse_tsc_output(golden("golden-badconfig", ts_version))
    config = [d for d in diags if is_config_diagnostic(d)]
    assert [(d.file, d.line) for d in config] == [("tsconfig.json", 3), ("tsconfig.json", 6)]
    with pytest.raises(
        TsconfigInvalid,
        match=r"tsconfig.json is invalid: TS502[35] Unknown compiler option 'strictt'.* \(\+1 more\)",
    ):
        raise_for_config_errors(diags, "tsconfig.json")


def test_crlf_output_parses_like_lf() -> None:
    text = golden("golden", "5.9.3")
    assert parse_tsc_output(text.replace("\n", "\r\n")) == parse_tsc_output(text)


def test_windows_drive_letters_and_backslashes() -> None:
    text = (
        "C:\\Users\\me\\app (2)\\src\\a.ts(3,7): error TS2322: Type 'string' is not assignable to type 'number'.\r\n"
        "D:/work/app/src/b.tsx(10,1): warning TS6133: 'x' is declared but its value is never read.\r\n"
    )
    a, b = parse_tsc_output(text)
    assert (a.file, a.line, a.col, a.code) == ("C:\\Users\\me\\app (2)\\src\\a.ts", 3, 7, "TS2322")
    assert (b.file, b.category, b.code) == ("D:/work/app/src/b.tsx", "warning", "TS6133")
    assert relative_posix(a.file, Path("C:\\Users\\me\\app (2)")) == "src/a.ts"
    assert relative_posix("src\\nested\\c.ts", Path("C:\\anywhere")) == "src/nested/c.ts"
    # on POSIX a backslash is part of a file name, not a separator
    assert relative_posix("src\\..\\c.ts", Path("/anywhere")) == "src\\..\\c.ts"
    assert relative_posix("D:\\other\\x.ts", Path("C:\\Users\\me")) == "D:/other/x.ts"


def test_paths_with_parentheses_commas_and_spaces() -> None:
    text = "src/odd (1,2) name/f(3).ts(4,5): error TS2304: Cannot find name 'x'.\n"
    (d,) = parse_tsc_output(text)
    assert (d.file, d.line, d.col) == ("src/odd (1,2) name/f(3).ts", 4, 5)


def test_absolute_paths_become_relative_to_the_root(tmp_path: Path) -> None:
    assert relative_posix(str(tmp_path / "src" / "a.ts"), tmp_path) == "src/a.ts"
    assert relative_posix("/elsewhere/b.ts", tmp_path) == "/elsewhere/b.ts"
    assert relative_posix("../shared/c.ts", tmp_path) == "../shared/c.ts"


def test_noise_lines_are_ignored_and_end_a_message() -> None:
    text = (
        "src/a.ts(1,1): error TS1005: ';' expected.\n"
        "\n"
        "Found 2 errors in 1 file.\n"
        "  an indented line after a footer is not a continuation\n"
        "error TS18003: No inputs were found in config file 'tsconfig.json'.\n"
    )
    a, b = parse_tsc_output(text)
    assert a.message == "';' expected."
    assert (b.file, b.code) == (None, "TS18003")
    with pytest.raises(TsconfigInvalid, match="matches no files"):
        raise_for_config_errors([a, b], "tsconfig.json")


def test_syntax_only_runs_are_recognised() -> None:
    syntax = Diagnostic("a.ts", 1, 1, "TS1109", "error", "Expression expected.")
    jsx = Diagnostic("a.tsx", 1, 1, "TS17002", "error", "Expected corresponding JSX closing tag for 'p'.")
    semantic = Diagnostic(
        "a.ts", 2, 1, "TS2322", "error", "Type 'string' is not assignable to type 'number'."
    )
    assert may_be_syntax_only([syntax, jsx])
    assert not may_be_syntax_only([syntax, semantic])
    assert not may_be_syntax_only([])


def test_empty_output_means_no_diagnostics() -> None:
    assert parse_tsc_output("") == []
    assert parse_tsc_output("\n\r\n") == []


# ----------------------------------------------------------------------------- properties


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_parser_never_crashes_on_arbitrary_text(text: str) -> None:
    for d in parse_tsc_output(text):
        assert d.code.startswith("TS") and d.message


_path_chars = st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\r\n\u2028\u2029\x85")
_paths = st.text(_path_chars, min_size=1, max_size=40).filter(
    lambda p: (
        p.strip() == p
        and "): " not in p
        and not p.startswith(("error ", "warning ", "message ", "suggestion "))
    )
)
_headline = st.text(_path_chars, min_size=1, max_size=80).map(str.strip).filter(bool)
_continuation = st.text(_path_chars, min_size=1, max_size=40).map(str.strip).filter(bool)


@st.composite
def diagnostics(draw: st.DrawFn) -> Diagnostic:
    located = draw(st.booleans())
    depth = draw(st.integers(0, 3))
    lines = [draw(_headline)] + [("  " * (i + 1)) + draw(_continuation) for i in range(depth)]
    return Diagnostic(
        draw(_paths) if located else None,
        draw(st.integers(1, 10**6)) if located else None,
        draw(st.integers(1, 10**4)) if located else None,
        f"TS{draw(st.integers(1000, 99999))}",
        draw(st.sampled_from(["error", "warning", "message", "suggestion"])),
        "\n".join(lines),
    )


def format_like_tsc(d: Diagnostic, newline: str) -> str:
    prefix = f"{d.file}({d.line},{d.col}): " if d.file is not None else ""
    head, *rest = d.message.split("\n")
    return newline.join([f"{prefix}{d.category} {d.code}: {head}", *rest]) + newline


@settings(max_examples=300, deadline=None)
@given(st.lists(diagnostics(), max_size=8), st.sampled_from(["\n", "\r\n"]))
def test_formatted_diagnostics_round_trip(items: list[Diagnostic], newline: str) -> None:
    text = "".join(format_like_tsc(d, newline) for d in items)
    assert parse_tsc_output(text) == items


# ----------------------------------------------------------------------------- names checked against files


def write(root: Path, *names: str) -> ProjectFiles:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("export {};\n")
    return ProjectFiles(root)


@pytest.mark.parametrize("fixture", golden_cases(), ids=lambda p: p.name)
def test_checked_parsing_of_real_output_equals_the_plain_parse(fixture: Path, ts_version: str) -> None:
    text = golden(fixture.name, ts_version)
    assert parse_tsc_output(text, ProjectFiles(fixture)) == parse_tsc_output(text)


def test_a_file_name_cannot_inject_a_diagnostic(tmp_path: Path) -> None:
    hostile = "src/evil.ts(1,1): error TS9999: x\nz.ts"
    files = write(tmp_path, hostile)
    text = f"{hostile}(3,7): error TS2322: Type 'string' is not assignable to type 'number'.\n"
    ambiguous: list[str] = []
    diags = parse_tsc_output(text, files, ambiguous)
    assert diags == [
        Diagnostic(hostile, 3, 7, "TS2322", "error", "Type 'string' is not assignable to type 'number'.")
    ]
    assert ambiguous == []
    # the plain parse is what tsfix recorded before: an invented TS9999
    assert [(d.file, d.code) for d in parse_tsc_output(text)] == [
        ("src/evil.ts", "TS9999"),
        ("z.ts", "TS2322"),
    ]


def test_a_truly_ambiguous_name_keeps_the_longest_reading_and_says_so(tmp_path: Path) -> None:
    hostile = "src/evil.ts(1,1): error TS9999: x\nz.ts"
    files = write(tmp_path, hostile, "src/evil.ts", "z.ts")
    text = f"{hostile}(3,7): error TS2322: real\nz.ts(2,1): error TS1005: also real\n"
    ambiguous: list[str] = []
    diags = parse_tsc_output(text, files, ambiguous)
    assert [(d.file, d.code) for d in diags] == [(hostile, "TS2322"), ("z.ts", "TS1005")]
    assert ambiguous == [hostile]


def test_an_anchor_inside_a_name_on_one_line(tmp_path: Path) -> None:
    name = "src/a.ts(1,1): error TS1: b.ts"
    files = write(tmp_path, name, "src/a.ts")
    ambiguous: list[str] = []
    diags = parse_tsc_output(f"{name}(2,3): error TS2304: Cannot find name 'q'.\n", files, ambiguous)
    assert [(d.file, d.line, d.code) for d in diags] == [(name, 2, "TS2304")]
    assert ambiguous == [name]


def test_names_with_leading_spaces_crlf_and_continuations(tmp_path: Path) -> None:
    files = write(tmp_path, " lead.ts", "src/ok.ts")
    text = (
        " lead.ts(1,2): error TS2322: head\r\n"
        "  Type 'a' is not assignable to type 'b'.\r\n"
        "src/ok.ts(4,5): warning TS6133: 'x' is declared but its value is never read.\r\n"
        "error TS5083: Cannot read file '/x/tsconfig.json'.\r\n"
        "\r\n"
        "Found 2 errors.\r\n"
    )
    diags = parse_tsc_output(text, files)
    assert diags == [
        Diagnostic(" lead.ts", 1, 2, "TS2322", "error", "head\n  Type 'a' is not assignable to type 'b'."),
        Diagnostic("src/ok.ts", 4, 5, "TS6133", "warning", "'x' is declared but its value is never read."),
        Diagnostic(None, None, None, "TS5083", "error", "Cannot read file '/x/tsconfig.json'."),
    ]


def test_a_file_deleted_since_tsc_ran_keeps_its_diagnostics(tmp_path: Path) -> None:
    files = write(tmp_path, "src/real.ts")
    text = "src/gone.ts(1,1): error TS2322: was real\n  more\nsrc/real.ts(1,1): error TS2322: real\n"
    assert parse_tsc_output(text, files) == parse_tsc_output(text)
    assert [d.file for d in parse_tsc_output(text, files)] == ["src/gone.ts", "src/real.ts"]


@settings(max_examples=200, deadline=None)
@given(st.lists(diagnostics(), max_size=8), st.sampled_from(["\n", "\r\n"]))
def test_checked_parsing_without_the_files_reads_like_the_plain_parse(
    items: list[Diagnostic], newline: str
) -> None:
    """Names of files that do not exist (deleted since tsc ran) are read as the plain parser reads them."""
    text = "".join(format_like_tsc(d, newline) for d in items)
    assert parse_tsc_output(text, ProjectFiles(Path("/nonexistent-tsfix-root"))) == items
