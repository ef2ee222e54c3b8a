"""`tsfix apply` and `tsfix undo` end to end: real TypeScript, real files, a real SQLite store.

Suggestions come from `tsfix suggest` where TypeScript can make them; where a test needs a fix that
TypeScript would not offer (two overlapping fixes, an edit outside the project, a fix that breaks
something), the test records it in the store itself, as a model's answer would be recorded.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tsfix.edits import Position, TextEdit, apply_edits, unified_diff
from tsfix.records import SuggestionInput
from tsfix.store import open_store


def run_json(cli, *args: str, code: int = 0) -> dict:
    result = cli(*args, "--format", "json")
    assert result.exit_code == code, result.output
    return json.loads(result.stdout)


def errors(cli, root: Path) -> dict[tuple[str, str, int], dict]:
    rows = json.loads(cli("list", str(root), "--json", "--status", "all").stdout)
    return {(r["file"], r["code"], r["line"]): r for r in rows}


def snapshot(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in root.rglob("*")
        if p.is_file() and "node_modules" not in p.parts and ".tsfix" not in p.parts
    }


def record(root: Path, error_id, edits: list[TextEdit], confidence: float, verified: bool = True) -> str:
    """Record a suggestion made of `edits` (against the files as they are) for an error."""
    before = {
        e.file: (root / e.file).read_bytes().decode("utf-8-sig") for e in edits if (root / e.file).is_file()
    }
    after = {path: apply_edits(text, [e for e in edits if e.file == path]) for path, text in before.items()}
    suggestion = SuggestionInput(
        fixer="llama",
        model_name="test-answer",
        suggestion=unified_diff(before, after),
        edits=[e.as_json() for e in edits],
        explanation="a recorded answer",
        confidence=confidence,
        verified=verified,
        verification={"verified": verified},
        base_hashes={
            e.file: hashlib.sha256((root / e.file).read_bytes()).hexdigest()
            for e in edits
            if (root / e.file).is_file()
        },
    )
    with open_store(None, root, create=False) as store:
        previous = store.suggestions(error_id)
        ids = store.record_suggestions(error_id, [*previous, suggestion])
    return f"s{ids[-1]}"


def edit(file: str, line: int, col: int, end_col: int, text: str) -> TextEdit:
    return TextEdit(file, Position(line, col), Position(line, end_col), text)


# ----------------------------------------------------------------------------- the loop on the example


def test_scan_suggest_apply_leaves_fewer_errors_and_undo_restores(app: Path, cli) -> None:
    original = snapshot(app)
    assert cli("scan", str(app)).exit_code == 1
    suggested = run_json(cli, "suggest", "--path", str(app))
    verified = {s["id"] for e in suggested["errors"] for s in e["suggestions"] if s["verified"]}

    data = run_json(cli, "apply", "--all", "--min-confidence", "0", "--path", str(app))
    applied = [f for f in data["fixes"] if f["state"] == "applied"]
    assert len(applied) >= 7
    assert all(f["verified"] and f["suggestion_id"] in verified for f in applied)  # only verified edits
    assert all(f["error_gone"] for f in applied)
    assert data["problems_after"] < data["problems_before"] and data["written"]
    assert data["undo_id"] and not data["rolled_back"]
    assert "-  return `${user.name} <${user.emial}>`;" in data["diff"]
    rows = errors(cli, app)
    assert rows[("src/format.ts", "TS2551", 4)]["status"] == "applied"

    after = json.loads(cli("scan", str(app), "--format", "json").stdout)
    assert len(after["errors"]) <= 10 - len(applied)
    assert errors(cli, app)[("src/format.ts", "TS2551", 4)]["status"] == "fixed"
    leftover = run_json(cli, "apply", "--all", "--min-confidence", "0", "--path", str(app))["fixes"]
    assert leftover == []  # nothing left to apply

    undone = run_json(cli, "undo", "--path", str(app))
    assert sorted(undone["restored"]) == sorted(data["written"]) and undone["kept"] == []
    assert snapshot(app) == original
    assert cli("undo", "--path", str(app)).exit_code == 2  # nothing left to undo


def test_dry_run_and_patch_write_nothing_and_git_applies_the_patch(app: Path, cli, tmp_path: Path) -> None:
    git = shutil.which("git")
    if git is None:
        pytest.skip("git is not installed")
    cli("scan", str(app))
    run_json(cli, "suggest", "--path", str(app))
    original = snapshot(app)
    dry = cli("apply", "--min-confidence", "0", "--all", "--dry-run", "--path", str(app))
    assert dry.exit_code == 0, dry.output
    assert "+  return `${user.name} <${user.email}>`;" in dry.output and "nothing was written" in dry.output
    assert snapshot(app) == original

    patch = tmp_path / "fixes.diff"
    data = run_json(cli, "apply", "--min-confidence", "0", "--all", "--patch", str(patch), "--path", str(app))
    assert snapshot(app) == original and data["mode"] == "patch"
    planned = [f for f in data["fixes"] if f["state"] == "planned"]
    assert planned and all(
        "below the default threshold" in f["reason"] for f in data["fixes"] if f["state"] != "planned"
    )
    text = patch.read_text()
    assert text.startswith("--- a/src/") and "+++ b/src/format.ts" in text
    subprocess.run([git, "init", "-q", str(app)], check=True)
    check = subprocess.run([git, "apply", "--check", str(patch)], cwd=app, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    subprocess.run([git, "apply", str(patch)], cwd=app, check=True)
    assert "user.email" in (app / "src/format.ts").read_text()
    left = json.loads(cli("scan", str(app), "--format", "json").stdout)["errors"]
    assert len(left) <= 10 - len(planned)  # what the patch held is fixed


def test_apply_all_applies_only_fixes_above_the_calibrated_threshold(app: Path, cli) -> None:
    from tsfix.plan import APPLY_THRESHOLD

    cli("scan", str(app))
    suggested = run_json(cli, "suggest", "--path", str(app))
    best = {e["id"]: e["suggestions"][0] for e in suggested["errors"] if e["suggestions"]}
    verified = {i: s for i, s in best.items() if s["verified"]}
    above = {i for i, s in verified.items() if s["confidence"] >= APPLY_THRESHOLD}
    assert len(above) < len(verified)  # the example has fixes below it
    data = run_json(cli, "apply", "--all", "--dry-run", "--path", str(app))
    planned = {f["error_id"] for f in data["fixes"] if f["state"] == "planned"}
    assert planned <= above and len(planned) >= len(above) - 1  # one may overlap a better fix
    below = [f for f in data["fixes"] if f["error_id"] in set(verified) - above]
    assert below and all("below the default threshold" in f["reason"] for f in below)
    # --min-confidence lowers it; an id names a fix whatever its confidence
    lowered = run_json(cli, "apply", "--all", "--dry-run", "--min-confidence", "0", "--path", str(app))
    assert {f["error_id"] for f in lowered["fixes"] if f["state"] == "planned"} > planned
    one = next(iter(set(verified) - above))
    named = run_json(cli, "apply", str(one), "--dry-run", "--path", str(app))
    assert [f["state"] for f in named["fixes"]] == ["planned"]


# ----------------------------------------------------------------------------- never clobber


def test_a_file_edited_after_suggest_keeps_the_users_change(app: Path, cli) -> None:
    cli("scan", str(app))
    run_json(cli, "suggest", "--path", str(app), "--code", "TS2551", "--code", "TS7006")
    source = app / "src/format.ts"
    # the user adds a comment at the top: the fix is re-located two lines down
    source.write_text("// edited by hand\n// after tsfix suggest\n" + source.read_text())
    data = run_json(cli, "apply", "--min-confidence", "0", "--code", "TS2551", "--path", str(app))
    (fix,) = data["fixes"]
    assert fix["state"] == "applied" and "+2 lines" in " ".join(fix["notes"])
    text = source.read_text()
    assert text.startswith("// edited by hand\n") and "user.email" in text

    cli("undo", "--path", str(app))
    # now the user rewrites the very line the fix changes: the fix no longer fits, and is skipped
    source.write_text(source.read_text().replace("${user.emial}", "${user.emial.trim()}"))
    edited = source.read_bytes()
    result = cli("apply", "--min-confidence", "0", "--code", "TS2551", "--path", str(app), "--format", "json")
    assert result.exit_code == 1
    (fix,) = json.loads(result.stdout)["fixes"]
    assert fix["state"] == "failed" and "your change is kept" in fix["reason"]
    assert source.read_bytes() == edited


def test_crlf_and_bom_files_keep_their_bytes(make_project, cli) -> None:
    text = "\ufeffexport interface User {\r\n  email: string;\r\n}\r\n\r\nexport function mail(user: User) {\r\n  return user.emial;\r\n}\r\n"
    root = make_project({"src/user.ts": text.encode("utf-8")})
    (root / "src/user.ts").chmod(0o640)
    assert cli("scan", str(root)).exit_code == 1
    run_json(cli, "suggest", "--path", str(root))
    data = run_json(cli, "apply", "--min-confidence", "0", "--all", "--path", str(root))
    assert [f["state"] for f in data["fixes"]] == ["applied"]
    raw = (root / "src/user.ts").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"user.email;\r\n" in raw
    assert raw.count(b"\n") == raw.count(b"\r\n")  # no bare LF crept in
    assert oct((root / "src/user.ts").stat().st_mode & 0o777) == "0o640"
    assert cli("scan", str(root)).exit_code == 0


def test_read_only_and_deleted_files_are_left_alone(make_project, cli) -> None:
    root = make_project(
        {
            "src/a.ts": "export const a: number = 'one';\n",
            "src/b.ts": "export const b: number = 'two';\n",
        }
    )
    cli("scan", str(root))
    rows = errors(cli, root)
    record(root, rows[("src/a.ts", "TS2322", 1)]["id"], [edit("src/a.ts", 1, 26, 31, "1")], 0.9)
    record(root, rows[("src/b.ts", "TS2322", 1)]["id"], [edit("src/b.ts", 1, 26, 31, "2")], 0.9)
    (root / "src/a.ts").chmod(0o444)
    (root / "src/b.ts").unlink()
    result = cli("apply", "--min-confidence", "0", "--all", "--path", str(root), "--format", "json")
    assert result.exit_code == 1
    reasons = {f["file"]: f["reason"] for f in json.loads(result.stdout)["fixes"]}
    assert "read-only" in reasons["src/a.ts"] and "no longer exists" in reasons["src/b.ts"]
    assert (root / "src/a.ts").read_text() == "export const a: number = 'one';\n"
    assert not (root / "src/b.ts").exists()


def test_edits_outside_the_project_are_refused(make_project, cli, tmp_path: Path) -> None:
    root = make_project({"src/a.ts": "export const a: number = 'one';\n"})
    outside = tmp_path / "outside.ts"
    outside.write_text("export const a: number = 'one';\n")
    (root / "src/link.ts").symlink_to(outside)
    cli("scan", str(root))
    error_id = next(iter(errors(cli, root).values()))["id"]
    for target in ("../outside.ts", str(outside), "src/link.ts"):
        sid = record(root, error_id, [edit(target, 1, 26, 31, "1")], 0.95)
        result = cli("apply", sid, "--path", str(root), "--format", "json")
        assert result.exit_code == 1, result.output
        (fix,) = json.loads(result.stdout)["fixes"]
        assert fix["state"] == "failed" and "outside the project" in fix["reason"]
    assert outside.read_text() == "export const a: number = 'one';\n"


def test_unknown_ids_and_no_selection_are_usage_errors(app: Path, cli) -> None:
    cli("scan", str(app))
    original = snapshot(app)
    for args, message in (
        (["999"], "no error with id 999"),
        (["s999"], "no suggestion s999"),
        (["abc"], "not an error id"),
        ([], "say which fixes to apply"),
    ):
        result = cli("apply", *args, "--path", str(app))
        assert result.exit_code == 2 and message in result.output, result.output
        assert "Traceback" not in result.output
    assert snapshot(app) == original


# ----------------------------------------------------------------------------- combining fixes


def test_overlapping_fixes_the_more_confident_wins(make_project, cli) -> None:
    root = make_project({"src/pair.ts": 'export const a: number = "1";\nexport const b: number = "2";\n'})
    cli("scan", str(root))
    rows = errors(cli, root)
    # one fix rewrites both lines, another only the second: they overlap
    both = TextEdit("src/pair.ts", Position(1, 26), Position(2, 29), "1;\nexport const b: number = 2")
    whole = record(root, rows[("src/pair.ts", "TS2322", 1)]["id"], [both], 0.9)
    part = record(root, rows[("src/pair.ts", "TS2322", 2)]["id"], [edit("src/pair.ts", 2, 26, 29, "2")], 0.8)
    data = run_json(cli, "apply", "--min-confidence", "0", "--all", "--path", str(root))
    states = {f"s{f['suggestion_id']}": (f["state"], f["reason"]) for f in data["fixes"]}
    assert states[whole][0] == "applied"
    assert states[part][0] == "pending" and "overlaps a more confident fix" in states[part][1]
    assert (root / "src/pair.ts").read_text() == "export const a: number = 1;\nexport const b: number = 2;\n"


def test_a_fix_spanning_files_is_all_or_nothing(make_project, cli) -> None:
    files = {
        "src/lib.ts": "export function total(xs: number[]) {\n  return xs.length;\n}\n",
        "src/main.ts": 'import { totl } from "./lib";\nexport const n: number = totl([1]);\n',
    }
    root = make_project(files)
    cli("scan", str(root))
    error_id = errors(cli, root)[("src/main.ts", "TS2724", 1)]["id"]
    # rename the function and its uses together (as a model might); one of the files is read-only
    rename = [
        edit("src/lib.ts", 1, 17, 22, "sum"),
        edit("src/main.ts", 1, 10, 14, "sum"),
        edit("src/main.ts", 2, 26, 30, "sum"),
    ]
    sid = record(root, error_id, rename, 0.9)
    original = snapshot(root)
    (root / "src/main.ts").chmod(0o444)
    result = cli("apply", sid, "--path", str(root))
    assert result.exit_code == 1 and "read-only" in result.output
    assert snapshot(root) == original  # lib.ts, which could be written, was not
    (root / "src/main.ts").chmod(0o644)
    data = run_json(cli, "apply", sid, "--path", str(root))
    assert [f["state"] for f in data["fixes"]] == ["applied"]
    assert data["written"] == ["src/lib.ts", "src/main.ts"]
    assert "export function sum(" in (root / "src/lib.ts").read_text()
    assert cli("scan", str(root)).exit_code == 0


def test_a_fix_that_breaks_something_is_rolled_back(make_project, cli) -> None:
    root = make_project({"src/a.ts": "export const n: number = 'one';\n"})
    cli("scan", str(root))
    error_id = next(iter(errors(cli, root).values()))["id"]
    sid = record(root, error_id, [edit("src/a.ts", 1, 26, 31, "missingName")], 0.3, verified=False)
    assert "not verified" in cli("apply", sid, "--path", str(root)).output  # needs --include-unverified
    result = cli("apply", sid, "--include-unverified", "--path", str(root), "--format", "json")
    assert result.exit_code == 1
    data = json.loads(result.stdout)
    (fix,) = data["fixes"]
    assert fix["state"] == "failed" and fix["reason"].startswith("rolled back") and "TS2304" in fix["reason"]
    assert data["rolled_back"] == ["src/a.ts"] and data["undo_id"] is None
    assert (root / "src/a.ts").read_text() == "export const n: number = 'one';\n"
    assert errors(cli, root)[("src/a.ts", "TS2322", 1)]["status"] == "ai_suggested"  # not applied


def test_an_interrupted_apply_writes_no_file_half_and_restores_the_others(
    app: Path, cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The second rename into place fails (as on a file system gone read-only): the first file is
    renamed back and nothing is recorded. (A real full disk is tests/test_apply_disk.py.)"""
    cli("scan", str(app))
    run_json(cli, "suggest", "--path", str(app))
    original = snapshot(app)
    import tsfix.writes as writes_module

    real = os.replace
    calls: list[str] = []

    def second_rename_fails(src, dst) -> None:
        if str(src).endswith(".tsfix-tmp") and str(dst).endswith((".ts", ".tsx")):
            calls.append(str(dst))
            if len(calls) == 2:
                raise OSError(30, "Read-only file system", str(dst))
        real(src, dst)

    monkeypatch.setattr(writes_module.os, "replace", second_rename_fails)
    result = cli("apply", "--min-confidence", "0", "--all", "--path", str(app))
    monkeypatch.setattr(writes_module.os, "replace", real)
    assert result.exit_code == 2, result.output
    first, second = (Path(c).relative_to(app).as_posix() for c in calls)
    assert f"could not write {second}: Read-only file system" in result.output
    assert "nothing was changed" in result.output and f"restored: {first}" in result.output
    assert "internal error" not in result.output
    assert snapshot(app) == original
    assert not list(app.rglob(".*.tsfix-*"))  # no temporary file or link left behind
    assert not (app / ".tsfix/undo").exists() or not list((app / ".tsfix/undo").iterdir())
    assert all(r["status"] != "applied" for r in errors(cli, app).values())


def test_interactive_asks_per_fix(app: Path, cli) -> None:
    from typer.testing import CliRunner

    from tsfix.cli import app as typer_app

    cli("scan", str(app))
    run_json(cli, "suggest", "--path", str(app), "--code", "TS2551", "--code", "TS2322")
    result = CliRunner().invoke(
        typer_app,
        ["apply", "--min-confidence", "0", "--all", "--interactive", "--path", str(app)],
        input="n\ny\nq\n",
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("Apply this fix?") == 3
    assert "declined" in result.output and "not asked (quit)" in result.output
    assert "✓ applied" in result.output


def test_recheck_with_tsc(make_project, cli) -> None:
    root = make_project({"src/a.ts": "export const n: number = 'one';\nexport const m = n;\n"}, ts="7.0.2")
    cli("scan", str(root))
    error_id = next(iter(errors(cli, root).values()))["id"]
    sid = record(root, error_id, [edit("src/a.ts", 1, 26, 31, "1")], 0.9)
    data = run_json(cli, "apply", sid, "--check-with", "tsc", "--path", str(root))
    assert data["checked_with"].startswith("tsc 7.0")
    (fix,) = data["fixes"]
    assert fix["state"] == "applied" and fix["error_gone"] is True
    assert (data["problems_before"], data["problems_after"]) == (1, 0)


def test_fixes_are_combined_in_confidence_order_each_checked_with_those_chosen_before(
    make_project, cli, ts_version: str
) -> None:
    """Three recorded fixes, each right alone: the most confident renames an import's uses, the next
    (for another importer's error) renames the declaration instead, which breaks the first's import;
    the last fixes another error in the first's file and is checked with the first's edits in it.
    The second is left out with the reason, the others are applied."""
    files = {
        "src/lib.ts": "export function total(xs: number[]) {\n  return xs.length;\n}\n",
        "src/main.ts": 'import { totl } from "./lib";\nexport const n: number = totl([1]);\nexport const k: string = 3;\n',
        "src/side.ts": 'import { totl } from "./lib";\nexport const m: number = totl([2]);\n',
    }
    root = make_project(files, ts=ts_version)
    cli("scan", str(root))
    found = errors(cli, root)
    uses = [edit("src/main.ts", 1, 10, 14, "total"), edit("src/main.ts", 2, 26, 30, "total")]
    first = record(root, found[("src/main.ts", "TS2724", 1)]["id"], uses, 0.95)
    second = record(
        root, found[("src/side.ts", "TS2724", 1)]["id"], [edit("src/lib.ts", 1, 17, 22, "totl")], 0.9
    )
    third = record(
        root, found[("src/main.ts", "TS2322", 3)]["id"], [edit("src/main.ts", 3, 26, 27, '"3"')], 0.8
    )

    data = run_json(cli, "apply", first, second, third, "--path", str(root))
    states = {f"s{f['suggestion_id']}": (f["state"], f["reason"]) for f in data["fixes"]}
    assert states[first][0] == "applied" and states[third][0] == "applied"
    assert states[second][0] == "pending"
    assert states[second][1].startswith("together with more confident fixes it adds TS2724 in src/main.ts")
    assert (root / "src/lib.ts").read_text() == files["src/lib.ts"]
    assert (root / "src/main.ts").read_text().endswith('total([1]);\nexport const k: string = "3";\n')
    assert cli("scan", str(root)).exit_code == 1
    left = [where for where, row in errors(cli, root).items() if row["status"] in ("new", "ai_suggested")]
    assert left == [("src/side.ts", "TS2724", 1)]
