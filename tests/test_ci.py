"""`tsfix ci`: SARIF validated against the official SARIF 2.1.0 schema, annotations and exit codes for
each --fail-on rule, baselines, Markdown/JUnit golden files, --patch/--write, one language service.

Goldens: TSFIX_UPDATE_GOLDEN=1 rewrites tests/golden/ci-* from the real run."""

from __future__ import annotations

import json
import os
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"

FILES = {
    "src/models.ts": "export interface User { name: string; email: string }\n",
    "src/format.ts": (
        'import type { User } from "./models";\n\n'
        "export function formatName(user: User): string {\n"
        "  return `${user.name} <${user.emial}>`;\n"
        "}\n"
    ),
    "src/page.ts": (
        'import type { User } from "./models";\n\n'
        'export const pageSize: number = "20";\n'
        "export function title(user: User, owner: User): string {\n"
        "  return user.name + owner.name;\n"
        "}\n"
        'export const heading = title({ name: "a", email: "b" });\n'
    ),
}


def in_git(root: Path) -> Path:
    """Make the folder above the project a git repository (report paths are relative to its top)."""
    subprocess.run(["git", "init", "-q", str(root.parent)], check=True)
    return root.parent


def run_json(cli, *args: str) -> tuple[int, dict]:
    result = cli("ci", *args, "-f", "json")
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def test_sarif_is_valid_2_1_0_with_rules_results_and_fixes(
    make_project, cli, ts_version, sarif_schema
) -> None:
    import jsonschema

    root = make_project(FILES, ts=ts_version)
    in_git(root)
    result = cli("ci", str(root), "-f", "sarif")
    assert result.exit_code == 1, result.output
    sarif = json.loads(result.stdout)
    jsonschema.Draft4Validator(sarif_schema).validate(sarif)
    assert sarif["version"] == "2.1.0"
    (run,) = sarif["runs"]
    driver = run["tool"]["driver"]
    assert driver["name"] == "tsfix"
    results = run["results"]
    assert sorted(r["id"] for r in driver["rules"]) == sorted({r["ruleId"] for r in results})
    assert all(driver["rules"][r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    by_code = {r["ruleId"]: r for r in results}
    assert set(by_code) == {"TS2551", "TS2322", "TS2554"}
    location = by_code["TS2551"]["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": f"{root.name}/src/format.ts", "uriBaseId": "SRCROOT"}
    assert location["region"]["startLine"] == 4
    assert run["originalUriBaseIds"]["SRCROOT"]["uri"] == root.parent.resolve().as_uri() + "/"
    (fix,) = by_code["TS2551"]["fixes"]
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"]["uri"] == f"{root.name}/src/format.ts"
    (replacement,) = change["replacements"]
    assert replacement["insertedContent"]["text"] == "email"
    assert replacement["deletedRegion"]["startLine"] == 4
    assert "fixes" not in by_code["TS2554"]  # no verified fix for a missing argument
    assert all(r["partialFingerprints"]["tsfix/v1"] for r in results)


def test_fail_on_rules_exit_codes_and_annotations(make_project, cli) -> None:
    root = make_project(FILES)
    result = cli("ci", str(root), "-f", "github")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 3 and all(line.startswith("::error file=src/") for line in lines)
    assert any(
        line.startswith("::error file=src/format.ts,line=4,col=32,title=TS2551::")
        and "%0Atsfix: verified fix" in line
        for line in lines
    )
    assert "tsfix ci failed: 3 errors" in result.stderr

    assert cli("ci", str(root), "--fail-on", "none", "--no-suggest").exit_code == 0
    # the store's previous scan is the baseline without a file: nothing new the second time
    code, data = run_json(cli, str(root), "--fail-on", "new", "--no-suggest")
    assert code == 0 and data["counts"] == {**data["counts"], "errors": 3, "new": 0}
    clean = make_project({"src/a.ts": "export const a: number = 1;\n"})
    assert cli("ci", str(clean)).exit_code == 0
    for args, message in [
        (["--fail-on", "sometimes"], "error: --fail-on 'sometimes': use any, new or none"),
        (["--patch", "x.diff", "--write"], "error: --patch and --write do not go together"),
        (["-f", "json", "-f", "sarif"], "error: json and sarif would both go to standard output"),
        (["--output", "sarif"], "error: --output 'sarif': expected FORMAT=FILE"),
        (["--baseline", str(root / "missing.json")], "error: no baseline file"),
    ]:
        bad = cli("ci", str(root), *args)
        assert bad.exit_code == 2 and bad.output.startswith(message), bad.output


def test_a_baseline_round_trip(make_project, cli, tmp_path: Path) -> None:
    root = make_project(FILES)
    baseline = tmp_path / "baseline.json"
    assert (
        cli("ci", str(root), "--write-baseline", str(baseline), "--fail-on", "none", "--no-suggest").exit_code
        == 0
    )
    data = json.loads(baseline.read_text())
    assert data["tsfix_baseline"] == 1 and len(data["errors"]) == 3
    assert (
        cli("ci", str(root), "--fail-on", "new", "--baseline", str(baseline), "--no-suggest").exit_code == 0
    )

    # a new error fails; an old one fixed is reported
    page = root / "src/page.ts"
    page.write_text(page.read_text().replace('"20"', "20") + "export const broken: string = 1;\n")
    code, report = run_json(cli, str(root), "--fail-on", "new", "--baseline", str(baseline), "--no-suggest")
    assert code == 1
    assert [(e["code"], e["line"]) for e in report["errors"] if e["new"]] == [("TS2322", 8)]
    assert [(f["code"], f["file"], f["line"]) for f in report["fixed_since"]] == [
        ("TS2322", "src/page.ts", 3)
    ]
    assert report["reason"] == "1 new error (not in the baseline)"
    annotations = cli(
        "ci", str(root), "--fail-on", "new", "--baseline", str(baseline), "-f", "github", "--no-suggest"
    )
    assert annotations.stdout.count("(new)") == 1
    assert "::notice title=TS2322 fixed::fixed since the baseline: src/page.ts:3" in annotations.stdout
    # the new error fixed again: passes, still reporting what was fixed since the baseline
    page.write_text(page.read_text().replace("export const broken: string = 1;\n", ""))
    code, report = run_json(cli, str(root), "--fail-on", "new", "--baseline", str(baseline), "--no-suggest")
    assert code == 0 and len(report["fixed_since"]) == 1 and report["counts"]["errors"] == 2


def test_markdown_and_junit_match_the_golden_files(make_project, cli, tmp_path: Path) -> None:
    root = make_project(FILES, name="web")
    baseline = tmp_path / "baseline.json"
    (root / "src/extra.ts").write_text("export const later: string = 2;\n")
    assert (
        cli("ci", str(root), "--write-baseline", str(baseline), "--fail-on", "none", "--no-suggest").exit_code
        == 0
    )
    (root / "src/extra.ts").unlink()
    (root / "src/new.ts").write_text("export const n: number = 'x';\n")
    md, xml = tmp_path / "summary.md", tmp_path / "junit.xml"
    result = cli(
        "ci",
        str(root),
        "--fail-on",
        "new",
        "--baseline",
        str(baseline),
        "--output",
        f"markdown={md}",
        "-o",
        f"junit={xml}",
    )
    assert result.exit_code == 1, result.output
    ET.fromstring(xml.read_text().encode())  # well-formed
    for produced, golden in [(md, GOLDEN / "ci-summary.md"), (xml, GOLDEN / "ci-junit.xml")]:
        text = produced.read_text()
        if os.environ.get("TSFIX_UPDATE_GOLDEN"):
            golden.write_text(text)
        assert text == golden.read_text(), f"{golden.name} differs (TSFIX_UPDATE_GOLDEN=1 rewrites it)"


def test_patch_and_write(make_project, cli, tmp_path: Path) -> None:
    root = make_project(FILES)
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    before = {p: (root / p).read_text() for p in FILES}
    patch = tmp_path / "fixes.patch"
    code, report = run_json(cli, str(root), "--patch", str(patch), "--min-confidence", "0")
    assert code == 1 and report["patch"] == str(patch) and report["counts"]["fixable"] == 2
    assert {p: (root / p).read_text() for p in FILES} == before
    check = subprocess.run(["git", "apply", "--check", str(patch)], cwd=root, capture_output=True, text=True)
    assert check.returncode == 0, check.stderr

    code, report = run_json(cli, str(root), "--write", "--min-confidence", "0")
    assert code == 1  # the gate looks at the code as checked out
    assert report["counts"]["applied"] == 2 and sorted(report["written"]) == ["src/format.ts", "src/page.ts"]
    assert "user.email" in (root / "src/format.ts").read_text()
    code, report = run_json(cli, str(root), "--no-suggest")
    assert report["counts"]["errors"] == 1 and report["errors"][0]["code"] == "TS2554"


def test_one_language_service_serves_suggest_and_the_recheck(make_project) -> None:
    from tsfix.ci import CiOptions, run_ci
    from tsfix.progress import Event, ServiceStarting, TypeChecking
    from tsfix.project import resolve_project
    from tsfix.suggest import SuggestOptions

    root = make_project(FILES)
    events: list[str] = []
    names: dict[type[Event], str] = {ServiceStarting: "service", TypeChecking: "tsc"}
    project = resolve_project(root)
    report = run_ci(
        project,
        CiOptions(suggest=SuggestOptions(no_llm=True, statuses=None), write=True, min_confidence=0.0),
        lambda event: events.append(names.get(type(event), type(event).__name__)),
    )
    assert events.count("service") == 1 and events.count("tsc") == 1
    assert report.scan.tsc is project.tsc  # every stage used the one Project's TypeScript
    assert report.failed and sum(e.applied for e in report.errors) == 2
