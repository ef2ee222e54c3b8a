"""Proving a candidate fix with the compiler, in memory.

A candidate is *verified* when, with its edits applied to the language service's copy of the files,
the diagnostic it targets is gone and no new diagnostic appears in the edited files or in the files
that import them. Diagnostics are compared as multisets of (file, code, message) — line numbers move
when code is edited, so they cannot be compared. Nothing is written to disk.

Verification is staged, so that trying many candidates stays cheap on large projects:

    files      the edited files alone; a candidate that fails here is done
    importers  the files that import them — skipped when the edit leaves every edited file's
               exported types as they were (tsfix.exports), since then no importer can change

Silencing is not fixing: an edit that adds `any`, `as any`, `as unknown as`, `@ts-ignore`,
`@ts-expect-error`, `@ts-nocheck` or a non-null assertion `!` is rejected before it is compiled,
unless suppressions are explicitly allowed.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tsfix.code_text import ASSERTED, code_only
from tsfix.edits import TextEdit, apply_edits, edits_by_file
from tsfix.exports import exported_types, exports_changed
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
    stage_ms: dict[str, float] = field(default_factory=dict)  # "files", "exports", "importers"
    #: the importers were not re-checked because the exported types did not change
    importers_skipped: int = 0
    #: the errors (file, code, message) it removes, its target's among them
    removed: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    #: verified in one check with the fixes of this many errors (its own included; tsfix.groups)
    together: int = 1

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
            "stage_ms": {stage: round(ms, 1) for stage, ms in self.stage_ms.items()},
            "importers_skipped": self.importers_skipped,
        } | ({"verified_together_with": self.together - 1} if self.together > 1 else {})

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

_NON_NULL = re.compile(r"[\w)\]]!(?![=])")
_ELEMENT_ASSERTED = re.compile(r"\]!(?![=])")
_SUPPRESSIONS = [
    ("@ts-ignore", re.compile(r"@ts-ignore\b")),
    ("@ts-expect-error", re.compile(r"@ts-expect-error\b")),
    ("@ts-nocheck", re.compile(r"@ts-nocheck\b")),
    ("as unknown as", re.compile(r"\bas\s+unknown\s+as\b")),
    ("as any", re.compile(r"\bas\s+any\b|<any>")),
    ("the any type", re.compile(r"\bany\b")),
    ("a non-null assertion (!)", _NON_NULL),
]


def _new_assertions(old: str, new: str, pattern: re.Pattern[str]) -> bool:
    """More non-null assertions than before, other than on expressions the file already asserts
    (`state.parent_!.copy_` beside `state.parent_!.base_`: the file's own idiom, not a new silencing)."""
    if len(pattern.findall(new)) <= len(pattern.findall(old)):
        return False
    was = Counter(m.group(1) for m in ASSERTED.finditer(old))
    now = Counter(m.group(1) for m in ASSERTED.finditer(new))
    others_was = len(pattern.findall(old)) - was.total()
    others_now = len(pattern.findall(new)) - now.total()
    return others_now > others_was or any(was[e] == 0 for e in now - was)


def suppression_in(
    before: dict[str, str], after: dict[str, str], unchecked_index: Callable[[], bool] = lambda: False
) -> str | None:
    """The kind of suppression an edit adds, or None. Counted over whole files, so moving code is fine.

    `unchecked_index()` says whether the program has noUncheckedIndexedAccess on: then `list[i]!`,
    an assertion on an element access, is the statement that flag asks for, not a silencing
    (tsfix.fixers.search.indexes); an assertion on anything else still is."""
    for name, pattern in _SUPPRESSIONS:
        for path, new in after.items():
            old_code, new_code = code_only(before.get(path, "")), code_only(new)
            if pattern is _NON_NULL:
                if _ELEMENT_ASSERTED.search(new_code) and unchecked_index():
                    old_code, new_code = (
                        _ELEMENT_ASSERTED.sub("]", old_code),
                        _ELEMENT_ASSERTED.sub("]", new_code),
                    )
                if _new_assertions(old_code, new_code, pattern):
                    return f"adds {name}"
                continue
            if len(pattern.findall(new_code)) > len(pattern.findall(old_code)):
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
        self._exports: dict[str, tuple[str, ...] | None] = {}
        #: edits that add errors, by (files after, files edited or with a target): the same edits
        #: proposed for another error of those files add them again (one check per run)
        self._breaking: dict[tuple, tuple[Counter, Counter, list[str]]] = {}
        # Set by the caller: files other than the error's own must be sources of the program (a model
        # may propose edits to vite.config.ts or package.json; such a candidate is invalid).
        self.sources: ProgramSources | None = None

    def _unchecked_index(self) -> bool:
        return bool(
            self.sources is not None and self.sources.compiler_options().get("noUncheckedIndexedAccess")
        )

    def baseline(self, path: str) -> list[LsDiagnostic]:
        if path not in self._baseline:
            self.service.reset(path)
            self._baseline[path] = self.service.diagnostics(path)
        return self._baseline[path]

    def baseline_exports(self, path: str) -> tuple[str, ...] | None:
        """The file's exported types as it is on disk (cached like the diagnostics)."""
        if path not in self._exports:
            self.service.reset(path)
            self._exports[path] = exported_types(self.service, path)
        return self._exports[path]

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
        prepared = self.prepare(candidate, target.file)
        if isinstance(prepared, Verification):
            prepared.elapsed_ms = _ms(started)
            return prepared
        after, suppression = prepared
        verification = self.check(after, [target], started)
        verification.suppression = suppression  # allowed, but it counts against the fix (confidence)
        return verification

    def prepare(self, candidate: Candidate, own: str) -> tuple[dict[str, str], str | None] | Verification:
        """The files as the candidate leaves them and the suppression it adds (when allowed), or why
        it is not compiled at all (edits that cannot be applied, that change nothing, touch a file
        outside the program, or silence)."""
        try:
            before, after = self.result_texts(candidate.edits)
        except ValueError as exc:
            return Verification(False, False, [], 0, 0, [], invalid=str(exc))
        if after == before:
            return Verification(False, False, [], 0, 0, [], invalid="changes nothing")
        refused = self._outside_program(after, own)
        if refused:
            return Verification(False, False, [], 0, 0, [], invalid=refused)
        suppression = suppression_in(before, after, self._unchecked_index)
        if suppression and not self.allow_suppressions:
            return Verification(False, False, [], 0, 0, [], suppression=suppression)
        return after, suppression

    def check(
        self,
        after: dict[str, str],
        targets: Sequence[LsDiagnostic],
        started: float | None = None,
        seen: dict[str, list[LsDiagnostic]] | None = None,
    ) -> Verification:
        """Compile the files as `after` has them (staged: the edited files, then their importers
        where an exported type changed) and compare with the files on disk: verified when every
        target is gone and nothing new appears. Several targets: one check of edits for several
        errors (tsfix.groups), which may ask for the edited files' diagnostics (`seen`)."""
        started = time.perf_counter() if started is None else started
        edited = sorted(set(after) | {t.file for t in targets})
        wanted = Counter(t.key for t in targets)
        stage_ms: dict[str, float] = {}
        key = (tuple(sorted(after.items())), tuple(edited))
        if seen is None and key in self._breaking:
            old, new, files = self._breaking[key]
            return verdict(old, new, wanted, files, _ms(started), stage_ms, 0)
        exports_before = {path: self.baseline_exports(path) for path in after if self.graph.importers(path)}
        old = self._problems(edited)
        try:
            for path, text in after.items():
                self.service.set_text(path, text)
            staged = time.perf_counter()
            new = self._problems(edited, baseline=False, seen=seen)
            if reelaborated(new - old, old - new):  # perhaps only the order the service checked in
                old = self._problems_in_order(after, edited, [])
                for path, text in after.items():  # back in, checked in the same order again
                    self.service.set_text(path, text)
                new = self._problems(edited, baseline=False, seen=seen)
            stage_ms["files"] = _ms(staged)
            files = edited
            skipped = 0
            if _gone(old, new, wanted) and not (new - old):
                importers = sorted(set().union(*(self.graph.importers(p) for p in after)) - set(edited))
                if importers:
                    staged = time.perf_counter()
                    changed = any(exports_changed(self.service, p, exports_before[p]) for p in exports_before)
                    stage_ms["exports"] = _ms(staged)
                    if changed:
                        staged = time.perf_counter()
                        unknown = [path for path in importers if path not in self._baseline]
                        if unknown:  # their errors before the edit, once per run
                            for path in after:
                                self.service.reset(path)
                            self._problems(unknown)
                            for path, text in after.items():
                                self.service.set_text(path, text)
                        before_importers = self._problems(importers)
                        after_importers = self._problems(importers, baseline=False)
                        if reelaborated(
                            after_importers - before_importers, before_importers - after_importers
                        ):
                            old = self._problems_in_order(after, edited, importers)
                        else:
                            old += before_importers
                        new += after_importers
                        stage_ms["importers"] = _ms(staged)
                        files = sorted([*edited, *importers])
                    else:
                        skipped = len(importers)
        finally:
            for path in after:
                self.service.reset(path)
        if new - old:
            self._breaking[key] = (old, new, files)
        return verdict(old, new, wanted, files, _ms(started), stage_ms, skipped)

    def _problems(
        self, files: Sequence[str], baseline: bool = True, seen: dict[str, list[LsDiagnostic]] | None = None
    ) -> Counter[tuple[str, str, str]]:
        """The errors of the files: as on disk (cached), or as the service has them now (kept in
        `seen` when given)."""
        found: Counter[tuple[str, str, str]] = Counter()
        for path in files:
            diagnostics = self.baseline(path) if baseline else self.service.diagnostics(path)
            found.update(d.key for d in diagnostics if d.is_problem)
            if seen is not None:
                seen[path] = diagnostics
        return found

    def _problems_in_order(
        self, after: dict[str, str], edited: Sequence[str], importers: Sequence[str]
    ) -> Counter[tuple[str, str, str]]:
        """The files' errors on disk, asked for in the order check() asked for them with the edits
        in: what TypeScript elaborates below an error's first line (which member of a union, which
        property) depends on what its checker compared before, so an error whose elaboration
        changed may only have been checked after other files this time. A fresh program (the edits
        put back) and the same order tell that apart from a change the edit made — which the
        compiler's own run reports, and the benchmark counts as a new error."""
        for path in after:
            self.service.reset(path)
        self.service.forget()
        found = Counter(d.key for path in edited for d in self.service.diagnostics(path) if d.is_problem)
        if importers:
            for path in after:
                if self.graph.importers(path):
                    exported_types(self.service, path)
            found.update(d.key for path in importers for d in self.service.diagnostics(path) if d.is_problem)
        return found

    def _outside_program(self, after: dict[str, str], own: str) -> str | None:
        """Why an edited file is not one a fix may touch (the error's own file is one by definition)."""
        if self.sources is None:
            return None
        return next((why for path in after if path != own and (why := self.sources.refusal(path))), None)


def verdict(
    old: Counter,
    new: Counter,
    wanted: Counter,
    files: list[str],
    elapsed_ms: float,
    stage_ms: dict[str, float],
    importers_skipped: int,
) -> Verification:
    """The verification of a check that found the files' errors `old` on disk and `new` edited:
    verified when every wanted error is gone and nothing new appears."""
    target_gone = _gone(old, new, wanted)
    added = new - old
    new_errors = [
        {"file": f, "code": c, "message": m.split("\n", 1)[0], "count": n} for (f, c, m), n in added.items()
    ]
    return Verification(
        target_gone and not added,
        target_gone,
        new_errors,
        sum(old.values()),
        sum(new.values()),
        files,
        elapsed_ms=elapsed_ms,
        stage_ms=stage_ms,
        importers_skipped=importers_skipped,
        removed=old - new,
    )


def problems(diagnostics: Iterable[LsDiagnostic]) -> Counter:
    """The errors (file, code, whole message) among the diagnostics, counted."""
    return Counter(d.key for d in diagnostics if d.is_problem)


def reelaborated(added: Counter, removed: Counter) -> bool:
    """Is some added error one that was there before with other lines below its first line?"""
    return bool(_heads(added) & _heads(removed))


def unlike(added: Counter, removed: Counter) -> bool:
    """Is some added error unlike every removed one (another first line): new whatever the order?"""
    return bool(_heads(added) - _heads(removed))


def _heads(errors: Counter) -> set[tuple[str, str, str]]:
    """The errors as (file, code, first line of the message)."""
    return {(file, code, message.split("\n", 1)[0]) for file, code, message in errors}


def _gone(old: Counter, new: Counter, wanted: Counter) -> bool:
    """Every wanted error is gone: as many fewer of each (file, code, message) as are wanted."""
    return all(old[key] - new[key] >= n for key, n in wanted.items())


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def layout_free(texts: dict[str, str]) -> tuple[tuple[str, str], ...]:
    """Files without whitespace and trailing commas: two candidates that differ only in layout are
    one alternative, not two (a quick fix that re-prints an object and a minimal insertion)."""
    return tuple(sorted((path, re.sub(r"\s+|,(?=[}\])])", "", text)) for path, text in texts.items()))


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
            existing.long_shot = existing.long_shot and candidate.long_shot
            if candidate.fixer == existing.fixer and candidate.model_name == existing.model_name:
                existing.samples += candidate.samples
            elif candidate.fixer not in existing.also_from:
                existing.also_from.append(candidate.fixer)
    return list(merged.values())
