"""Checkers: the problems of the project's files as they are on disk, before and after `tsfix apply` writes.

`ServiceChecker` asks the project's language service (files re-read after a write, the importers of
a written file checked too); `TscChecker` runs `tsc --noEmit` over the whole project, for when no
language service can run or `--check-with tsc` asks for it.
"""

from __future__ import annotations

import tempfile
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from tsfix.edits import Position
from tsfix.importgraph import ImportGraph
from tsfix.langserver import LanguageService, LsDiagnostic
from tsfix.tsc import TscInfo, TscProcess, check_run, tsc_arguments
from tsfix.tsc_output import ProjectFiles, parse_tsc_output


class Checker(ABC):
    """Diagnostics of the project's files as they are on disk, before and after the write."""

    name = ""

    @abstractmethod
    def diagnostics(self, paths: set[str]) -> dict[str, list[LsDiagnostic]]:
        """The problems of each of `paths` (and, where checking costs the same, of other files too)."""

    def written(self, paths: Sequence[str]) -> None:  # noqa: B027 - nothing to do for most checkers
        """These files changed on disk."""

    def scope(self, written: set[str]) -> set[str]:
        """The files whose errors a change to `written` may change."""
        return set(written)


class ServiceChecker(Checker):
    def __init__(self, service: LanguageService, graph: ImportGraph) -> None:
        self.service = service
        self.graph = graph
        self.name = service.name

    def diagnostics(self, paths: set[str]) -> dict[str, list[LsDiagnostic]]:
        out = {}
        for path in sorted(paths):
            self.service.reset(path)
            out[path] = self.service.diagnostics(path)
        return out

    def written(self, paths: Sequence[str]) -> None:
        for path in paths:
            self.service.reload(path)

    def scope(self, written: set[str]) -> set[str]:
        files = set(written)
        for path in written:
            files |= self.graph.importers(path)
        return files


class TscChecker(Checker):
    """The whole project with `tsc --noEmit` (when no language service can run)."""

    def __init__(self, root: Path, tsc: TscInfo, tsconfig: Path, timeout: float | None) -> None:
        self.root, self.tsc, self.tsconfig, self.timeout = root, tsc, tsconfig, timeout
        self.name = f"tsc {tsc.version or ''}".strip()
        self._last: dict[str, list[LsDiagnostic]] | None = None

    def diagnostics(self, paths: set[str]) -> dict[str, list[LsDiagnostic]]:
        if self._last is None:
            with tempfile.TemporaryDirectory(prefix="tsfix-apply-") as scratch:
                process = TscProcess(
                    tsc_arguments(self.tsc, self.tsconfig, Path(scratch), False),
                    cwd=self.root,
                    timeout=self.timeout,
                    scratch=Path(scratch),
                )
                run = process.wait()
            found = parse_tsc_output(run.stdout, ProjectFiles(self.root))
            check_run(run, found)
            grouped: dict[str, list[LsDiagnostic]] = {}
            for d in found:
                if d.file is None:
                    continue
                rel = _relative(self.root, d.file)
                at = Position(d.line or 1, d.col or 1)
                grouped.setdefault(rel, []).append(LsDiagnostic(rel, at, at, d.code, d.category, d.message))
            self._last = grouped
        return {p: self._last.get(p, []) for p in paths} | dict(self._last)

    def written(self, paths: Sequence[str]) -> None:
        self._last = None


def _relative(root: Path, file: str) -> str:
    p = Path(file)
    if not p.is_absolute():
        p = root / p
    try:
        return p.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return p.as_posix()


def problems(diags: dict[str, list[LsDiagnostic]]) -> Counter[tuple[str, str, str]]:
    """How many times each (file, code, message) problem is reported."""
    return Counter(d.key for found in diags.values() for d in found if d.is_problem)
