"""Project identity: git facts, the project key, and no credentials anywhere."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tsfix.project import GitFacts, git_facts, normalise_remote, project_key


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("git@github.com:acme/web.git", "github.com/acme/web"),
        ("https://github.com/acme/web", "github.com/acme/web"),
        ("https://x-access-token:ghs_SECRET123@github.com/acme/web.git", "github.com/acme/web"),
        (
            "https://oauth2:glpat-SECRET@gitlab.example.com:8443/group/sub/web.git",
            "gitlab.example.com/group/sub/web",
        ),
        ("ssh://git@GitHub.com:22/acme/web.git/", "github.com/acme/web"),
        ("", None),
    ],
)
def test_remotes_are_normalised_without_credentials(url: str, key: str | None) -> None:
    assert normalise_remote(url) == key
    if key:
        assert "SECRET" not in key


def test_project_key_rules(tmp_path: Path) -> None:
    root = tmp_path / "web"
    root.mkdir()
    default = root / "tsconfig.json"
    git = GitFacts(toplevel=tmp_path, remote="github.com/acme/mono")
    assert project_key(root, default, git) == "github.com/acme/mono/web"
    assert (
        project_key(
            tmp_path, tmp_path / "tsconfig.json", GitFacts(toplevel=tmp_path, remote="github.com/acme/mono")
        )
        == "github.com/acme/mono"
    )
    assert project_key(root, root / "tsconfig.app.json", git) == "github.com/acme/mono/web#tsconfig.app.json"
    assert project_key(root, default, GitFacts()) == "web"
    (root / "package.json").write_text(json.dumps({"name": "@acme/web"}))
    assert project_key(root, default, GitFacts()) == "@acme/web"
    assert project_key(root, default, git, override="team/web") == "team/web"


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True)


def test_scans_record_git_facts_and_never_a_token(make_project, cli) -> None:
    root = make_project({"src/a.ts": "export const a: number = 'x';\n"})
    _git(root, "init", "-q", "-b", "main")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "add", "src", "tsconfig.json")
    _git(root, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "init")
    _git(root, "remote", "add", "origin", "https://deploy:ghp_TOPSECRET@github.com/acme/web.git")
    head = subprocess.run(
        ["git", "-C", str(root), "rev-parse", "HEAD"], capture_output=True, text=True
    ).stdout.strip()
    assert git_facts(root).commit == head

    result = cli("scan", str(root), "-f", "json")
    scan = json.loads(result.stdout)["scan"]
    assert (scan["git_commit"], scan["git_branch"], scan["project"]) == (head, "main", "github.com/acme/web")
    assert "TOPSECRET" not in result.output
    assert b"TOPSECRET" not in (root / ".tsfix" / "tsfix.db").read_bytes()
    assert "TOPSECRET" not in cli("scan", str(root)).output


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run([sys.executable, "-m", "tsfix", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and result.stdout.startswith("tsfix ")
