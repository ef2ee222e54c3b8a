"""Which project a scan belongs to: its root, tsconfig, git facts and a key shared by every checkout.

The project key lets one store (a team's Postgres/Supabase, or one SQLite file) hold many projects.
It must be the same on every developer's machine and CI runner, so it is derived from the git remote
(credentials stripped) and the project's folder inside the repository, not from local paths.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class GitFacts:
    toplevel: Path | None = None
    commit: str | None = None
    branch: str | None = None
    remote: str | None = None  # normalised, without credentials


def _git(root: Path, *args: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            timeout=10,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def normalise_remote(url: str) -> str | None:
    """`git@github.com:acme/web.git` / `https://user:token@github.com/acme/web` -> `github.com/acme/web`.

    Credentials in the URL are dropped: the key is stored and printed.
    """
    url = url.strip()
    if not url:
        return None
    m = re.match(r"^[\w.+-]+://(?:[^@/]*@)?(?P<host>[^/:]+)(?::\d+)?/(?P<path>.+)$", url)
    if m is None:
        m = re.match(r"^(?:[^@/]+@)?(?P<host>[^/:]+):(?P<path>.+)$", url)  # scp-like syntax
    if m is None:
        return None
    path = m["path"].strip("/")
    path = path.removesuffix(".git")
    return f"{m['host'].lower()}/{path}"


def git_facts(root: Path) -> GitFacts:
    """Git top level, HEAD commit, branch and origin of `root`, or empty facts outside a repository."""
    toplevel = _git(root, "rev-parse", "--show-toplevel")
    if not toplevel:
        return GitFacts()
    commit = _git(root, "rev-parse", "--verify", "-q", "HEAD")
    branch = _git(root, "symbolic-ref", "--short", "-q", "HEAD")
    remote = _git(root, "config", "--get", "remote.origin.url")
    return GitFacts(Path(toplevel).resolve(), commit or None, branch or None, normalise_remote(remote or ""))


def _package_name(root: Path) -> str | None:
    try:
        data = json.loads((root / "package.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    name = data.get("name") if isinstance(data, dict) else None
    return name if isinstance(name, str) and name else None


def project_key(root: Path, tsconfig: Path, git: GitFacts, override: str | None = None) -> str:
    """The key under which a project's errors are stored.

    `override` (--project-name / TSFIX_PROJECT_NAME) wins. Otherwise: the git remote plus the
    project's folder inside the repository; else package.json's name; else the folder's name. A
    tsconfig other than `<root>/tsconfig.json` is appended after `#`, because scans of different
    configs see different files and must not mark each other's errors fixed.
    """
    if override:
        return override
    base: str | None = None
    if git.remote and git.toplevel is not None:
        try:
            inside = root.resolve().relative_to(git.toplevel).as_posix()
        except ValueError:
            inside = ""
        base = git.remote if inside in ("", ".") else f"{git.remote}/{inside}"
    if base is None:
        base = _package_name(root) or root.resolve().name or "project"
    default = (root / "tsconfig.json").resolve()
    if tsconfig.resolve() != default:
        try:
            rel = tsconfig.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            rel = tsconfig.name
        base = f"{base}#{rel}"
    return base
