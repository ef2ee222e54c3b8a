"""`tsfix suggest` and `tsfix show` end to end on the example app, with real TypeScript 5.9.3 and 7.0.2."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import REPO


def suggest_json(cli, root: Path, *args: str) -> dict:
    result = cli("suggest", "--path", str(root), "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_suggest_verifies_and_records_fixes(app: Path, cli, ts_version: str) -> None:
    assert cli("scan", str(app)).exit_code == 1
    data = suggest_json(cli, app)
    assert data["language_service"] == f"typescript-{ts_version}"
    if ts_version.startswith("7."):
        assert data["helper"] == "typescript-6.0.3"  # TypeScript 6's quick fixes, verified with 7
    errors = {(e["file"], e["code"], e["line"]): e for e in data["errors"]}
    assert len(errors) == 10
    verified = {k for k, e in errors.items() if e["suggestions"] and e["suggestions"][0]["verified"]}
    assert len(verified) >= 7
    spelling = errors[("src/format.ts", "TS2551", 4)]["suggestions"][0]
    # the declaration renamed to `emial` compiles too, but one use against the declaration: weaker
    assert spelling["verified"] and spelling["confidence"] >= 0.85
    assert "-  return `${user.name} <${user.emial}>`;" in spelling["suggestion"]
    assert "+  return `${user.name} <${user.email}>`;" in spelling["suggestion"]
    for e in errors.values():
        confidences = [s["confidence"] for s in e["suggestions"]]
        assert confidences == sorted(confidences, reverse=True)
        assert all(s["confidence"] >= 0.5 for s in e["suggestions"] if s["verified"])
        assert all(s["confidence"] <= 0.25 for s in e["suggestions"] if not s["verified"])
        if not e["suggestions"]:
            assert e["note"].startswith("no fix")
    assert data["verify_ms_median"] is not None
    # nothing on disk changed
    assert (app / "src/format.ts").read_text() == (REPO / "examples/webapp/src/format.ts").read_text()

    statuses = {
        r["code"] + ":" + str(r["line"]): r["status"]
        for r in json.loads(cli("list", str(app), "--json", "--status", "all").stdout)
    }
    assert statuses["TS2551:4"] == "ai_suggested"


def test_show_displays_candidates_as_diffs(app: Path, cli) -> None:
    cli("scan", str(app))
    data = suggest_json(cli, app, "--code", "TS2551")
    error_id = data["errors"][0]["id"]
    shown = cli("show", str(error_id), "--path", str(app))
    assert shown.exit_code == 0
    assert "suggestion" in shown.output and "✓ verified" in shown.output and "confidence 0.8" in shown.output
    assert "+  return `${user.name} <${user.email}>`;" in shown.output
    detail = json.loads(cli("show", str(error_id), "--path", str(app), "--json").stdout)
    assert detail["status"] == "ai_suggested" and detail["suggestions"][0]["verified"] is True


def test_suggest_again_replaces_and_unfixable_errors_say_why(app: Path, cli) -> None:
    cli("scan", str(app))
    first = suggest_json(cli, app)
    again = suggest_json(cli, app, "--status", "all")
    assert [len(e["suggestions"]) for e in again["errors"]] == [
        len(e["suggestions"]) for e in first["errors"]
    ]
    unfixed = [e for e in again["errors"] if not e["suggestions"]]
    for e in unfixed:
        history = json.loads(cli("show", str(e["id"]), "--path", str(app), "--json").stdout)["history"]
        assert history[-1]["event"] == "status"


def test_an_edit_after_the_scan_is_followed(app: Path, cli) -> None:
    cli("scan", str(app))
    store = app / "src/store.ts"
    store.write_text("// a new comment\n// moves everything down\n" + store.read_text())
    data = suggest_json(cli, app, "--code", "TS2322", "--file", "src/store.ts")
    (error,) = data["errors"]
    fix = error["suggestions"][0]
    assert fix["verified"] and fix["edits"][0]["start"]["line"] == error["line"] + 2


def test_text_summary_and_hint(app: Path, cli) -> None:
    cli("scan", str(app))
    result = cli("suggest", "--path", str(app))
    assert result.exit_code == 0
    assert "have a verified fix" in result.output and "ms median verification" in result.output
    assert "hint: only TypeScript's quick fixes, repair templates and the search ran" in result.output
    assert "hint" not in cli("suggest", "--path", str(app), "--no-llm", "--status", "all").output


def test_bad_input(tmp_path: Path, app: Path, cli) -> None:
    for args, message in [
        (("suggest", "--path", str(app)), "no tsfix store at"),
        (("suggest", "--path", str(app), "--fixer", "magic"), "unknown fixer 'magic'"),
        (("suggest", "--path", str(app), "--fixer", "llama"), "the llama fixer needs a model"),
        (("suggest", "--path", str(app), "--model", str(tmp_path / "none.gguf")), "no model file at"),
        (("suggest", "--path", str(app), "--engine", "openai"), "--engine openai needs --base-url"),
    ]:
        if message != "no tsfix store at":
            cli("scan", str(app))
        result = cli(*args)
        assert result.exit_code == 2, result.output
        assert message in result.output.splitlines()[0]
        assert result.output.splitlines()[1].startswith("hint: ")
        assert "Traceback" not in result.output
