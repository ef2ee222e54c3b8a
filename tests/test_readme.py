"""The README stays true: its opening commands, its help excerpts, and the example it scans."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
EXAMPLE = REPO / "examples" / "webapp"
LOOP = "{ tsfix scan; tsfix suggest && tsfix apply --all --min-confidence 0.7; }"


def test_readme_opens_with_exactly_two_commands() -> None:
    head = README.split("\n---\n", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", head, re.S)
    assert len(blocks) == 2
    setup_and_run, tests = (b.strip() for b in blocks)
    assert "\n" not in setup_and_run and "\n" not in tests
    assert setup_and_run.endswith(f"cd examples/webapp && {LOOP}")
    assert "npm ci --prefix examples/webapp" in setup_and_run
    assert tests == "./scripts/test"
    ci = (REPO / ".ci" / "run").read_text()
    assert "./scripts/test" in ci


def test_help_excerpts_are_current() -> None:
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "readme_help.py"), "--check"], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_example_pins_the_typescript_the_tests_use() -> None:
    package = json.loads((EXAMPLE / "package.json").read_text())
    assert package["devDependencies"]["typescript"] == "5.9.3"
    lock = json.loads((EXAMPLE / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/typescript"]["version"] == "5.9.3"


EXPECTED_EXAMPLE = {
    ("src/api.ts", "TS2339", "loadUserName"),
    ("src/api.ts", "TS2554", "defaultRetry"),
    ("src/components/UserCard.tsx", "TS2552", "UserCard"),
    ("src/components/UserCard.tsx", "TS2322", "UserCard"),
    ("src/components/UserCard.tsx", "TS18048", "UserCard"),
    ("src/format.ts", "TS2551", "formatName"),
    ("src/format.ts", "TS7006", "formatDate"),
    ("src/store.ts", "TS2741", "defaultTodo"),
    ("src/store.ts", "TS2554", "withFirstTodo"),
    ("src/store.ts", "TS2322", "pageSize"),
}


@pytest.mark.parametrize("ts", ["5.9.3", "7.0.2"])
def test_the_example_scan(tmp_path: Path, typescript, cli, ts: str) -> None:
    app = tmp_path / "webapp"
    shutil.copytree(EXAMPLE, app, ignore=shutil.ignore_patterns("node_modules", ".tsfix"))
    (app / "node_modules").symlink_to(typescript(ts))  # the same typescript + @types/react as its lockfile
    result = cli("scan", str(app), "-f", "json")
    assert result.exit_code == 1, result.output
    data = json.loads(result.stdout)
    got = {(e["file"], e["code"], e["context"]["symbol_path"]) for e in data["errors"]}
    assert got == EXPECTED_EXAMPLE
    text = cli("scan", str(app))
    assert "10 errors in 4 files" in text.output and "0 new · 10 still open" in text.output


def test_the_readme_loop_leaves_fewer_errors(tmp_path: Path, typescript) -> None:
    """The tsfix part of the README's first command, as a shell runs it, on a copy of the example."""
    app = tmp_path / "webapp"
    shutil.copytree(EXAMPLE, app, ignore=shutil.ignore_patterns("node_modules", ".tsfix"))
    (app / "node_modules").symlink_to(typescript("5.9.3"))
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "COLUMNS": "120"}
    loop = subprocess.run(["bash", "-c", LOOP], cwd=app, env=env, capture_output=True, text=True, timeout=600)
    assert loop.returncode == 0, loop.stdout + loop.stderr
    summary = re.search(r"(\d+) applied · .*errors in the re-checked files: \d+ → \d+", loop.stdout)
    assert summary and int(summary.group(1)) >= 1, loop.stdout
    rescan = subprocess.run(
        [str(bin_dir / "tsfix"), "scan", "--format", "json"], cwd=app, env=env, capture_output=True, text=True
    )
    # the fixes below the default threshold stay suggestions: what was applied is gone
    assert len(json.loads(rescan.stdout)["errors"]) <= 10 - int(summary.group(1))
    # what it wrote is the README's sample diff, line for line
    from tsfix.edits import unified_diff

    sources = sorted(p.relative_to(EXAMPLE).as_posix() for p in (EXAMPLE / "src").rglob("*.ts*"))
    before = {rel: (EXAMPLE / rel).read_text() for rel in sources}
    after = {rel: (app / rel).read_text() for rel in sources}
    changed = [rel for rel in sources if before[rel] != after[rel]]
    written = unified_diff({r: before[r] for r in changed}, {r: after[r] for r in changed})
    sample = re.search(r"--dry-run` shows what it would write.*?```diff\n(.*?)```", README, re.S)
    assert sample and written == sample.group(1), written
    undo = subprocess.run([str(bin_dir / "tsfix"), "undo"], cwd=app, env=env, capture_output=True, text=True)
    assert undo.returncode == 0
    assert (app / "src/format.ts").read_bytes() == (EXAMPLE / "src/format.ts").read_bytes()
