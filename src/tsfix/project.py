"""Which project a scan belongs to: its root, tsconfig, git facts and a key shared by every checkout.

The project key lets one store (a team's Postgres/Supabase, or one SQLite file) hold many projects.
It must be the same on every developer's machine and CI runner, so it is derived from the git remote
(credentials stripped) and the project's folder inside the repository, not from local paths.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from tsfix.errors import ProjectNotFound, TscFailed, UsageError
from tsfix.tsc import TscInfo, find_tsc, find_tsconfig, mentions_references, show_config

if TYPE_CHECKING:
    from tsfix.store.interface import Store


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


def find_project_root(path: Path) -> Path:
    """The project root around `path`: the folder of the nearest tsconfig, else of the nearest store."""
    from tsfix.store import default_store_path

    try:
        return find_tsconfig(path)[0]
    except ProjectNotFound:
        start = path.resolve()
        for folder in (start, *start.parents):
            if default_store_path(folder).is_file():
                return folder
        raise


# ----------------------------------------------------------------------------- the project value


@dataclass(eq=False)
class Project:
    """One TypeScript project as every stage sees it; `resolve_project` makes it, once per command.

    `root` and `tsconfig` are found up front (a wrong PATH fails before any work). The TypeScript,
    the git facts and the key are looked up on first use and then kept: scan starts tsc before it
    needs the key, apply needs no TypeScript when there is nothing to apply, and `tsfix ci` hands
    the same value to scan, suggest and apply, so nothing is discovered twice.
    """

    root: Path
    tsconfig: Path
    tsc_override: str | None = None  # --tsc
    store_url: str | None = None  # --store / TSFIX_STORE; None: the embedded store under root
    name: str | None = None  # --project-name / TSFIX_PROJECT_NAME

    @cached_property
    def tsc(self) -> TscInfo:
        """The project's own TypeScript: the nearest node_modules/.bin/tsc, or --tsc."""
        return find_tsc(self.tsconfig.parent, self.tsc_override)

    @cached_property
    def git(self) -> GitFacts:
        return git_facts(self.root)

    @cached_property
    def key(self) -> str:
        """The key the project's errors are stored under (see `project_key`)."""
        return self.name or project_key(self.root, self.tsconfig, self.git)

    def open_store(self, *, create: bool = True) -> Store:
        from tsfix.store import open_store

        return open_store(self.store_url, self.root, create=create)

    def require_store(self) -> None:
        """Fail unless there is a store to read errors from (the embedded one exists after a scan)."""
        from tsfix.store import default_store_path

        if self.store_url is None and not default_store_path(self.root).is_file():
            raise UsageError(
                f"no tsfix store at {default_store_path(self.root)}", hint="run `tsfix scan` first"
            )


def resolve_project(
    path: Path = Path("."),
    tsconfig: str | None = None,
    *,
    tsc: str | None = None,
    store: str | None = None,
    name: str | None = None,
) -> Project:
    """The project at PATH (a folder or a tsconfig) with --project, --tsc, --store, --project-name."""
    root, config = find_tsconfig(path, tsconfig)
    return Project(root, config, tsc or None, store, name or None)


def project_for_listing(path: Path) -> str | None:
    """The project key of the project around `path` (for filtering a shared store), or None."""
    try:
        return resolve_project(path).key
    except ProjectNotFound:
        return None


# ----------------------------------------------------------------------------- the program's sources

SOURCE_SUFFIXES = (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs")
NEVER_EDITED = frozenset({"node_modules", ".git", ".tsfix"})
_MAX_BREAKS = 8  # line breaks in one file name that membership checks look across


class ProgramSources:
    """Which files a fix may edit: the source files of the program tsc checks for one tsconfig.

    Suggestions come from models and from stores other people can write, so an edit may name any
    file. Only files the compiler itself checks are fair game: membership comes from
    `tsc --listFilesOnly -p <tsconfig>` (the project's own tsc, the same tsconfig; run at most once,
    and only when a file is first asked about). JavaScript files qualify only when tsc lists them,
    i.e. when the project compiles them (allowJs). tsc prints one absolute path per line, and a file
    name may itself hold a line break, so membership is an exact "\\n<path>\\n" match, never a split.
    """

    def __init__(self, root: Path, tsc: TscInfo, tsconfig: Path, timeout: float | None = 120.0) -> None:
        self.root = root
        self.tsc = tsc
        self.tsconfig = tsconfig
        self.timeout = timeout
        self._listing: str | None = None
        self._options: dict | None = None

    def refusal(self, rel: str, *, listed: bool = True) -> str | None:
        """Why `rel` (a POSIX path relative to the root) may not be edited, or None when it may.
        `listed=False` skips the compiler's list (for the real file behind a listed symbolic link)."""
        posix = PurePosixPath(rel)
        if posix.is_absolute() or ".." in posix.parts or re.match(r"^[A-Za-z]:[\\/]", rel):
            return f"{rel} is outside the project"
        kept_out = sorted(NEVER_EDITED & set(posix.parts))
        if kept_out:
            return f"{rel} is inside {kept_out[0]}/, which tsfix never edits"
        if not posix.name.lower().endswith(SOURCE_SUFFIXES):
            return f"{rel} is not a TypeScript or JavaScript source file"
        if listed and not self.lists(rel):
            return f"{rel} is not a source file of the program {self._config_name()} describes"
        return None

    def lists(self, rel: str) -> bool:
        """Does tsc's file list hold `rel` (under any of the names tsc may print for it)?"""
        target = self.root / rel
        names = {os.path.abspath(target), str(self.root.resolve() / rel), os.path.realpath(target)}
        return any(self._listed(name) for name in names)

    def _listed(self, name: str) -> bool:
        """`name` is a whole entry of the list: it occurs framed by line breaks, and that occurrence
        is not the end or the start of a longer name that holds line breaks (a file named
        `x⏎/abs/vite.config.ts` must not make vite.config.ts a member)."""
        listing = self.listing()
        wanted = f"\n{name}\n"
        at = listing.find(wanted)
        while at != -1:
            before = listing[1:at].split("\n")[-_MAX_BREAKS:]
            after = listing[at + len(wanted) : -1].split("\n")[:_MAX_BREAKS]
            longer = (
                *("\n".join([*before[k:], name]) for k in range(len(before))),
                *("\n".join([name, *after[: k + 1]]) for k in range(len(after))),
            )
            if not any(n and os.path.lexists(n) for n in longer):
                return True
            at = listing.find(wanted, at + 1)
        return False

    def listing(self) -> str:
        """tsc's file list for the tsconfig and the projects it references, framed by line breaks."""
        if self._listing is None:
            seen: set[Path] = set()
            self._listing = "\n" + "".join(self._list(self.tsconfig.resolve(), seen)) + "\n"
        return self._listing

    def _list(self, config: Path, seen: set[Path]) -> list[str]:
        if config in seen or len(seen) > 200:
            return []
        seen.add(config)
        out = [_ensure_newline(_list_files_only(self.tsc, config, self.timeout))]
        if mentions_references(config):  # a solution config lists nothing itself: follow its references
            for ref in (show_config(self.tsc, config, self.timeout) or {}).get("references") or []:
                if isinstance(ref, dict) and isinstance(ref.get("path"), str):
                    target = (config.parent / ref["path"]).resolve()
                    out += self._list(target / "tsconfig.json" if target.is_dir() else target, seen)
        return out

    def compiler_options(self) -> dict:
        """The tsconfig's effective compiler options (`tsc --showConfig`, its `extends` resolved; run
        at most once), {} when tsc cannot show them."""
        if self._options is None:
            shown = show_config(self.tsc, self.tsconfig, self.timeout) or {}
            options = shown.get("compilerOptions")
            self._options = options if isinstance(options, dict) else {}
        return self._options

    def _config_name(self) -> str:
        try:
            return self.tsconfig.resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return str(self.tsconfig)


def _ensure_newline(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"


def _list_files_only(tsc: TscInfo, tsconfig: Path, timeout: float | None) -> str:
    """`tsc --listFilesOnly -p tsconfig`: the program's files, one absolute path a line."""
    command = [*tsc.command, "--listFilesOnly", "-p", str(tsconfig)]
    try:
        run = subprocess.run(
            command, cwd=tsconfig.parent, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL
        )
    except subprocess.TimeoutExpired:
        raise TscFailed(
            f"`tsc --listFilesOnly` did not finish within {timeout:g} s",
            hint="tsfix asks tsc which files the program holds before it edits any; raise --tsc-timeout",
        ) from None
    except OSError as exc:
        raise TscFailed(f"cannot run {command[0]}: {exc.strerror}", hint="check --tsc") from None
    stdout = run.stdout.decode("utf-8", "surrogateescape")  # the bytes of the names, as os paths hold them
    if run.returncode not in (0, 1, 2) or (
        run.returncode and not stdout.strip()
    ):  # 1, 2: errors in the files
        detail = (
            stdout.strip().splitlines() or run.stderr.decode("utf-8", "replace").strip().splitlines() or [""]
        )[-1]
        raise TscFailed(
            f"`tsc --listFilesOnly -p {tsconfig}` failed (exit status {run.returncode})"
            + (f": {detail[:300]}" if detail else ""),
            hint="tsfix edits only files of the program tsc checks; run that command by hand to see why it fails",
        )
    return stdout
