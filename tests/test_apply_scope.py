"""Fixes edit only source files of the program tsc checks (issue 9, item 3), and a file that is a
symbolic link is written where it points (item 8).

The poisoned suggestions are recorded through the Store API, as a model's answer, a team store
someone else writes or a hand-edited local store would hold them.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from test_apply_cli import edit, errors, record, run_json, snapshot
from tsfix.edits import TextEdit
from tsfix.project import ProgramSources
from tsfix.tsc import find_tsc, find_tsconfig

SOURCE = "export const n: number = 'one';\n"
FIX = edit("src/x.ts", 1, 26, 31, "1")
OTHER = {
    "vite.config.ts": "export default {};\n",
    "package.json": '{"name": "demo"}\n',
}


def poisoned_project(make_project, ts: str, tmp_path: Path) -> Path:
    root = make_project({"src/x.ts": SOURCE, **OTHER}, ts=ts)
    (tmp_path / "outside.ts").write_text("export const o = 1;\n")
    return root


@pytest.mark.parametrize(
    ("target", "why"),
    [
        ("vite.config.ts", "vite.config.ts is not a source file of the program tsconfig.json describes"),
        ("package.json", "package.json is not a TypeScript or JavaScript source file"),
        ("../outside.ts", "../outside.ts is outside the project"),
        (
            "node_modules/x/index.d.ts",
            "node_modules/x/index.d.ts is inside node_modules/, which tsfix never edits",
        ),
        (".tsfix/evil.ts", ".tsfix/evil.ts is inside .tsfix/, which tsfix never edits"),
    ],
)
def test_a_fix_that_also_edits_a_file_outside_the_program_is_refused(
    make_project, cli, tmp_path: Path, ts_version: str, target: str, why: str
) -> None:
    root = poisoned_project(make_project, ts_version, tmp_path)
    cli("scan", str(root))
    error_id = errors(cli, root)[("src/x.ts", "TS2322", 1)]["id"]
    sid = record(root, error_id, [FIX, edit(target, 1, 1, 1, "import('child_process');\n")], 0.99)
    original = snapshot(root)
    outside = (tmp_path / "outside.ts").read_bytes()

    result = cli("apply", sid, "--path", str(root), "--format", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    (fix,) = data["fixes"]
    assert fix["state"] == "failed" and fix["reason"] == f"refused: {why}"
    assert data["written"] == [] and data["diff"] == ""
    assert snapshot(root) == original and (tmp_path / "outside.ts").read_bytes() == outside
    assert errors(cli, root)[("src/x.ts", "TS2322", 1)]["status"] == "ai_suggested"  # not applied

    text = cli("apply", sid, "--path", str(root))
    assert text.exit_code == 1 and "refused" in text.output and target.split("/")[-1] in text.output
    patch = tmp_path / "fix.diff"
    cli("apply", sid, "--path", str(root), "--patch", str(patch))
    assert target not in patch.read_text()


def test_fixes_inside_the_program_still_apply_and_every_written_file_is_listed(
    make_project, cli, ts_version: str
) -> None:
    files = {
        "src/lib.ts": "export function total(xs: number[]) {\n  return xs.length;\n}\n",
        "src/main.ts": 'import { totl } from "./lib";\nexport const n: number = totl([1]);\n',
        **OTHER,
    }
    root = make_project(files, ts=ts_version)
    cli("scan", str(root))
    error_id = errors(cli, root)[("src/main.ts", "TS2724", 1)]["id"]
    rename = [
        edit("src/lib.ts", 1, 17, 22, "sum"),
        edit("src/main.ts", 1, 10, 14, "sum"),
        edit("src/main.ts", 2, 26, 30, "sum"),
    ]
    sid = record(root, error_id, rename, 0.9)
    data = run_json(cli, "apply", sid, "--path", str(root))
    assert [f["state"] for f in data["fixes"]] == ["applied"]
    assert data["written"] == ["src/lib.ts", "src/main.ts"] == data["fixes"][0]["files"]
    assert cli("scan", str(root)).exit_code == 0
    # the terminal summary names every file written, too
    assert cli("undo", "--path", str(root)).exit_code == 0
    shown = cli("apply", sid, "--path", str(root))
    assert shown.exit_code == 0, shown.output
    assert "wrote src/lib.ts" in shown.output and "wrote src/main.ts" in shown.output


@pytest.mark.parametrize("checked", [True, False], ids=["allowJs", "no-allowJs"])
def test_javascript_files_only_where_the_project_compiles_them(make_project, cli, checked: bool) -> None:
    options = {"strict": True, "noEmit": True, "types": [], "skipLibCheck": True, "target": "es2022"}
    if checked:
        options |= {"allowJs": True, "checkJs": True}
    root = make_project(
        {"src/x.ts": SOURCE, "src/legacy.js": "export const legacy = 1;\n"},
        tsconfig={"compilerOptions": options, "include": ["src"]},
    )
    cli("scan", str(root))
    error_id = errors(cli, root)[("src/x.ts", "TS2322", 1)]["id"]
    sid = record(root, error_id, [FIX, edit("src/legacy.js", 1, 1, 1, "// checked\n")], 0.9, verified=True)
    result = cli("apply", sid, "--path", str(root), "--format", "json")
    (fix,) = json.loads(result.stdout)["fixes"]
    if checked:
        assert result.exit_code == 0 and fix["state"] == "applied", result.output
        assert (root / "src/legacy.js").read_text().startswith("// checked\n")
    else:
        assert result.exit_code == 1 and fix["reason"] == (
            "refused: src/legacy.js is not a source file of the program tsconfig.json describes"
        )


def test_a_fix_on_a_symlinked_file_writes_where_the_link_points(make_project, cli, ts_version: str) -> None:
    root = make_project({"src/real.ts": SOURCE, **OTHER}, ts=ts_version)
    (root / "src/link.ts").symlink_to("real.ts")
    cli("scan", str(root))
    rows = errors(cli, root)
    error_id = rows[("src/link.ts", "TS2322", 1)]["id"]
    sid = record(root, error_id, [edit("src/link.ts", 1, 26, 31, "1")], 0.9)
    data = run_json(cli, "apply", sid, "--path", str(root))
    (fix,) = data["fixes"]
    assert fix["state"] == "applied" and data["written"] == ["src/real.ts"] == fix["files"]
    assert (root / "src/link.ts").is_symlink() and (root / "src/real.ts").read_text() == SOURCE.replace(
        "'one'", "1"
    )
    assert cli("scan", str(root)).exit_code == 0

    (root / "src/pkg.ts").symlink_to("../package.json")  # a link in the program to a file that is not code
    package = (root / "package.json").read_bytes()
    sid = record(root, error_id, [TextEdit("src/pkg.ts", FIX.start, FIX.start, "x")], 0.9)
    result = cli("apply", sid, "--path", str(root), "--format", "json")
    assert result.exit_code == 1, result.output
    (fix,) = json.loads(result.stdout)["fixes"]
    assert fix["state"] == "failed"
    assert fix["reason"] == "refused: package.json is not a TypeScript or JavaScript source file"
    assert (root / "package.json").read_bytes() == package


def test_program_membership_is_an_exact_line_of_tscs_list(make_project, ts_version: str) -> None:
    root = make_project({"src/x.ts": SOURCE, "src/we\nird.ts": "export {};\n", **OTHER}, ts=ts_version)
    found_root, tsconfig = find_tsconfig(root)
    sources = ProgramSources(found_root, find_tsc(root), tsconfig)
    assert sources.refusal("src/x.ts") is None and sources.refusal("src/we\nird.ts") is None
    for part in ("src/we", "ird.ts", "vite.config.ts"):
        assert sources.lists(part) is False


def test_a_file_name_cannot_smuggle_another_file_into_the_program(make_project, ts_version: str) -> None:
    """tsc prints `<root>/src/x⏎<root>/vite.config.ts` for a file under a folder named `x⏎`: the
    second line is vite.config.ts's own absolute path, yet vite.config.ts is not in the program."""
    root = make_project({"src/x.ts": SOURCE, **OTHER}, ts=ts_version)
    hostile = Path(str(root / "src/x") + "\n", *root.relative_to("/").parts, "vite.config.ts")
    hostile.parent.mkdir(parents=True)
    hostile.write_text("export {};\n")
    found_root, tsconfig = find_tsconfig(root)
    sources = ProgramSources(found_root, find_tsc(root), tsconfig)
    assert f"\n{root / 'vite.config.ts'}\n" in sources.listing()  # what a plain substring test would take
    assert sources.lists("vite.config.ts") is False
    assert sources.lists(hostile.relative_to(root).as_posix()) is True
    assert sources.refusal("src/./x.ts") is None  # the same file under another spelling


def test_suggest_drops_a_candidate_that_edits_a_file_outside_the_program(
    make_project, ts_version: str
) -> None:
    from tsfix.fixers.candidate import Candidate
    from tsfix.langserver.factory import open_language_service
    from tsfix.verify import Verifier

    root = make_project({"src/x.ts": SOURCE, **OTHER}, ts=ts_version)
    found_root, tsconfig = find_tsconfig(root)
    tsc = find_tsc(root)
    poisoned = Candidate("llama", (FIX, edit("vite.config.ts", 1, 1, 1, "// x\n")), "a model's answer")
    with open_language_service(found_root, tsc, 120.0) as service:
        verifier = Verifier(service)
        (target,) = [d for d in verifier.baseline("src/x.ts") if d.is_problem]
        assert verifier.verify(poisoned, target).verified  # without the check it would be recorded
        verifier.sources = ProgramSources(found_root, tsc, tsconfig)
        v = verifier.verify(poisoned, target)
        assert not v.verified
        assert v.invalid == "vite.config.ts is not a source file of the program tsconfig.json describes"
        assert verifier.verify(Candidate("llama", (FIX,), "the fix alone"), target).verified
    assert (root / "vite.config.ts").read_text() == OTHER["vite.config.ts"]
