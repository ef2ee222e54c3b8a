"""Proving a candidate fix with the compiler, in memory.

A candidate is *verified* when, with its edits applied to the language service's copy of the files,
the diagnostic it targets is gone and no new diagnostic appears in the edited files or in the files
that import them. Diagnostics are compared as multisets of (file, code, message) — line numbers move
when code is edited, so they cannot be compared. Nothing is written to disk.

Silencing is not fixing: an edit that adds `any`, `as any`, `as unknown as`, `@ts-ignore`,
`@ts-expect-error`, `@ts-nocheck` or a non-null assertion `!` is rejected before it is compiled,
unless suppressions are explicitly allowed.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tsfix.edits import TextEdit, apply_edits, edits_by_file
from tsfix.fixers.candidate import Candidate
from tsfix.importgraph import ImportGraph
from tsfix.langserver import LanguageService, LsDiagnostic
from tsfix.project import ProgramSources


@dataclass
class Verification:
    verified: bool
    target_gone: bool
    new_errors: list[dict[str, Any]]
    errors_before: int
    errors_after: int
    files_checked: list[str]
    suppression: str | None = None
    invalid: str | None = None  # edits that cannot be applied (overlap, outside the project)
    elapsed_ms: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {
            "verified": self.verified,
            "target_gone": self.target_gone,
            "new_errors": self.new_errors,
            "errors_before": self.errors_before,
            "errors_after": self.errors_after,
            "files_checked": self.files_checked,
            "suppression": self.suppression,
            "invalid": self.invalid,
            "elapsed_ms": round(self.elapsed_ms, 1),
        }

    @property
    def summary(self) -> str:
        if self.invalid:
            return f"invalid: {self.invalid}"
        if self.suppression:
            return f"rejected: {self.suppression}"
        if self.verified:
            return f"verified: errors {self.errors_before} → {self.errors_after} in {len(self.files_checked)} file(s)"
        if not self.target_gone:
            return "the error remains"
        return f"introduces {len(self.new_errors)} new error(s)"


# ----------------------------------------------------------------------------- suppressions

_STRINGS_AND_COMMENTS = re.compile(
    r"""//(?!\s*@ts-)[^\n]*|/\*.*?\*/|'(?:\\.|[^'\\\n])*'|"(?:\\.|[^"\\\n])*"|`(?:\\.|[^`\\])*`""", re.S
)
_SUPPRESSIONS = [
    ("@ts-ignore", re.compile(r"@ts-ignore\b")),
    ("@ts-expect-error", re.compile(r"@ts-expect-error\b")),
    ("@ts-nocheck", re.compile(r"@ts-nocheck\b")),
    ("as unknown as", re.compile(r"\bas\s+unknown\s+as\b")),
    ("as any", re.compile(r"\bas\s+any\b|<any>")),
    ("the any type", re.compile(r"\bany\b")),
    ("a non-null assertion (!)", re.compile(r"[\w)\]]!(?![=])")),
]


def _code_only(text: str) -> str:
    """Strings and comments blanked out (comments that hold @ts- directives are kept)."""
    return _STRINGS_AND_COMMENTS.sub(lambda m: " " * len(m.group(0)), text)


def suppression_in(before: dict[str, str], after: dict[str, str]) -> str | None:
    """The kind of suppression an edit adds, or None. Counted over whole files, so moving code is fine."""
    for name, pattern in _SUPPRESSIONS:
        for path, new in after.items():
            old_count = len(pattern.findall(_code_only(before.get(path, ""))))
            if len(pattern.findall(_code_only(new))) > old_count:
                return f"adds {name}"
    return None


# ----------------------------------------------------------------------------- verification


class Verifier:
    """Verifies candidates against one language service; baseline diagnostics are cached per file."""

    def __init__(self, service: LanguageService, allow_suppressions: bool = False) -> None:
        self.service = service
        self.allow_suppressions = allow_suppressions
        self.graph = ImportGraph(service.root)
        self._baseline: dict[str, list[LsDiagnostic]] = {}
        # Set by the caller: files other than the error's own must be sources of the program (a model
        # may propose edits to vite.config.ts or package.json; such a candidate is invalid).
        self.sources: ProgramSources | None = None

    def baseline(self, path: str) -> list[LsDiagnostic]:
        if path not in self._baseline:
            self.service.reset(path)
            self._baseline[path] = self.service.diagnostics(path)
        return self._baseline[path]

    def result_texts(self, edits: Sequence[TextEdit]) -> tuple[dict[str, str], dict[str, str]]:
        """(before, after) texts of the files the edits touch. Raises ValueError for unusable edits."""
        before: dict[str, str] = {}
        after: dict[str, str] = {}
        for path, file_edits in edits_by_file(edits).items():
            if Path(path).is_absolute() or path.startswith("../") or "/node_modules/" in f"/{path}":
                raise ValueError(f"edits {path}, outside the project")
            try:
                original = self.service.disk_text(path)
            except OSError as exc:
                raise ValueError(f"cannot read {path}: {exc.strerror}") from None
            before[path] = original
            after[path] = apply_edits(original, file_edits)
        return before, after

    def verify(self, candidate: Candidate, target: LsDiagnostic) -> Verification:
        started = time.perf_counter()
        try:
            before, after = self.result_texts(candidate.edits)
        except ValueError as exc:
            return Verification(False, False, [], 0, 0, [], invalid=str(exc))
        if after == before:
            return Verification(False, False, [], 0, 0, [], invalid="changes nothing")
        refused = self._outside_program(after, target.file)
        if refused:
            return Verification(False, False, [], 0, 0, [], invalid=refused)
        suppression = suppression_in(before, after)
        if suppression and not self.allow_suppressions:
            return Verification(False, False, [], 0, 0, [], suppression=suppression, elapsed_ms=_ms(started))

        checked = set(after) | {target.file}
        for path in after:
            checked |= self.graph.importers(path)
        files = sorted(checked)
        old = Counter(d.key for path in files for d in self.baseline(path) if d.is_problem)
        try:
            for path, text in after.items():
                self.service.set_text(path, text)
            new = Counter(d.key for path in files for d in self.service.diagnostics(path) if d.is_problem)
        finally:
            for path in after:
                self.service.reset(path)
        target_gone = new[target.key] < old[target.key]
        added = new - old
        new_errors = [
            {"file": f, "code": c, "message": m.split("\n", 1)[0], "count": n}
            for (f, c, m), n in added.items()
        ]
        verified = target_gone and not added
        return Verification(
            verified,
            target_gone,
            new_errors,
            sum(old.values()),
            sum(new.values()),
            files,
            suppression=suppression,
            elapsed_ms=_ms(started),
        )

    def _outside_program(self, after: dict[str, str], own: str) -> str | None:
        """Why an edited file is not one a fix may touch (the error's own file is one by definition)."""
        if self.sources is None:
            return None
        return next((why for path in after if path != own and (why := self.sources.refusal(path))), None)


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def merge_identical(candidates: Iterable[Candidate], verifier: Verifier) -> list[Candidate]:
    """Candidates with the same resulting files are one candidate (the first, from the best fixer)."""
    merged: dict[tuple, Candidate] = {}
    for candidate in candidates:
        try:
            _, after = verifier.result_texts(candidate.edits)
        except ValueError:
            merged[("invalid", id(candidate))] = candidate
            continue
        key = tuple(sorted(after.items()))
        existing = merged.get(key)
        if existing is None:
            merged[key] = candidate
        else:
            if candidate.fixer == existing.fixer and candidate.model_name == existing.model_name:
                existing.samples += candidate.samples
            elif candidate.fixer not in existing.also_from:
                existing.also_from.append(candidate.fixer)
    return list(merged.values())
