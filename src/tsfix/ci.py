"""`tsfix ci`: scan → suggest → (optionally) apply in one process, reports, and a gate.

One language service serves suggestion and the re-check of applied fixes. The gate (`--fail-on`)
looks at the errors of the code as it was checked out: `any` fails on any error, `new` on errors
absent from the baseline (a file written by --write-baseline, or else the store's previous scan of
the project), `none` never. Reports (SARIF, GitHub annotations, JSON, Markdown, JUnit) are built by
tsfix.reports from the CiReport made here.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tsfix import __version__
from tsfix.apply import ApplyOptions, ApplyReport, apply_fixes
from tsfix.context import file_hash
from tsfix.errors import UsageError
from tsfix.files import atomic_write
from tsfix.langserver.factory import open_language_service
from tsfix.progress import Progress, ServiceStarting, quiet
from tsfix.project import Project
from tsfix.records import OPEN_STATUSES, ErrorInput, FixedError, SuggestionRow
from tsfix.scan import ScanOptions, ScanReport, scan_project
from tsfix.suggest import SuggestOptions, SuggestReport, suggest_errors

FORMATS = ("text", "sarif", "github", "json", "markdown", "junit")
FAIL_ON = ("any", "new", "none")
BASELINE_VERSION = 1


@dataclass(slots=True)
class CiOptions:
    build: bool = False
    timeout: float | None = None
    suggest: SuggestOptions | None = None  # None: --no-suggest
    fail_on: str = "any"
    baseline: Path | None = None
    write_baseline: Path | None = None
    patch: Path | None = None
    write: bool = False
    min_confidence: float | None = None  # None: tsfix.plan.APPLY_THRESHOLD


@dataclass(slots=True)
class CiError:
    """One error of this run, as the reports show it."""

    error: ErrorInput
    id: int | str
    status: str
    new: bool  # absent from the baseline
    fix: SuggestionRow | None  # the best verified suggestion, valid for the files as checked out
    applied: bool = False  # --write applied it


@dataclass(slots=True)
class CiReport:
    root: Path  # the project root (where tsconfig.json is)
    repo_root: Path  # the git top level (report paths are relative to it), else the project root
    scan: ScanReport
    errors: list[CiError]
    fixed_since: list[dict[str, Any]]  # in the baseline, gone now
    baseline_source: str  # the baseline file, "store", or "none"
    fail_on: str
    failed: bool
    reason: str
    suggest: SuggestReport | None = None
    apply: ApplyReport | None = None
    timings_ms: dict[str, float] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    @property
    def prefix(self) -> str:
        """The project root relative to the repository root, as a path prefix ('' or 'web/')."""
        rel = self.root.relative_to(self.repo_root).as_posix() if self.root != self.repo_root else ""
        return f"{rel}/" if rel and rel != "." else ""

    def repo_path(self, path: str) -> str:
        return self.prefix + path

    @property
    def new_count(self) -> int:
        return sum(1 for e in self.errors if e.new and e.error.category == "error")

    @property
    def error_count(self) -> int:
        return sum(1 for e in self.errors if e.error.category == "error")

    @property
    def fixable(self) -> list[CiError]:
        return [e for e in self.errors if e.fix is not None]


# ----------------------------------------------------------------------------- baselines


def baseline_data(report: ScanReport) -> dict[str, Any]:
    return {
        "tsfix_baseline": BASELINE_VERSION,
        "tsfix_version": __version__,
        "project": report.scan.project,
        "git_commit": report.scan.git_commit,
        "created_at": report.scan.started_at,
        "errors": sorted(
            (
                {
                    "fingerprint": e.fingerprint,
                    "code": e.code,
                    "file": e.file_path,
                    "line": e.line,
                    "message": e.message.splitlines()[0] if e.message else "",
                }
                for e in report.errors
                if e.category == "error"
            ),
            key=lambda d: (d["file"] or "", d["line"] or 0, d["code"], d["fingerprint"]),
        ),
    }


def write_baseline(path: Path, report: ScanReport) -> None:
    text = json.dumps(baseline_data(report), indent=2, ensure_ascii=False) + "\n"
    try:
        atomic_write(path, text.encode(), 0o644)
    except OSError as exc:  # the file that was there (if any) is left whole
        raise UsageError(
            f"could not write the baseline {path}: {exc.strerror}",
            hint="free some space there, or choose another --write-baseline path",
        ) from None


def read_baseline(path: Path) -> dict[str, dict[str, Any]]:
    """fingerprint -> entry of a baseline file; a clear error for anything else."""
    hint = "write one with `tsfix ci --write-baseline FILE` on the main branch"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"no baseline file {path}", hint=hint) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"cannot read the baseline {path}: {exc}", hint=hint) from None
    if not isinstance(data, dict) or data.get("tsfix_baseline") != BASELINE_VERSION:
        raise UsageError(f"{path} is not a tsfix baseline (version {BASELINE_VERSION})", hint=hint)
    try:
        return {e["fingerprint"]: e for e in data["errors"]}
    except (KeyError, TypeError):
        raise UsageError(
            f"{path} is not a tsfix baseline: its errors have no fingerprints", hint=hint
        ) from None


# ----------------------------------------------------------------------------- the run


def check_options(options: CiOptions) -> None:
    if options.fail_on not in FAIL_ON:
        raise UsageError(f"--fail-on {options.fail_on!r}: use any, new or none", hint="see tsfix ci --help")
    if options.patch is not None and options.write:
        raise UsageError(
            "--patch and --write do not go together",
            hint="--patch leaves the files alone; after --write, `git diff` is the patch",
        )


def run_ci(project: Project, options: CiOptions, progress: Progress = quiet) -> CiReport:
    """Scan, suggest and apply one project (the same Project value for every stage), then gate."""
    check_options(options)
    baseline = read_baseline(options.baseline) if options.baseline is not None else None
    t0 = time.perf_counter()
    scan = scan_project(project, ScanOptions(build=options.build, timeout=options.timeout), progress)
    timings = {"scan": (time.perf_counter() - t0) * 1000}
    root = project.root
    repo_root = project.git.toplevel if project.git.toplevel is not None else root
    if options.write_baseline is not None:
        write_baseline(options.write_baseline, scan)

    ids = {e.fingerprint: r.id for e, r in zip(scan.errors, scan.outcome.errors, strict=True)}
    statuses = {e.fingerprint: r.status for e, r in zip(scan.errors, scan.outcome.errors, strict=True)}
    if baseline is not None:
        known = set(baseline)
        new = {e.fingerprint for e in scan.errors if e.fingerprint not in known}
        current = {e.fingerprint for e in scan.errors}
        fixed_since = [entry for fp, entry in baseline.items() if fp not in current]
        source = str(options.baseline)
    else:
        new = {
            e.fingerprint
            for e, r in zip(scan.errors, scan.outcome.errors, strict=True)
            if r.change in ("new", "reopened")
        }
        fixed_since = [_fixed_entry(f) for f in scan.outcome.fixed]
        source = "store"

    suggest_report: SuggestReport | None = None
    apply_report: ApplyReport | None = None
    fixes: dict[str, SuggestionRow] = {}
    warnings: list[str] = []
    open_ids = [ids[e.fingerprint] for e in scan.errors if statuses[e.fingerprint] in OPEN_STATUSES]
    if options.suggest is not None and open_ids:
        t1 = time.perf_counter()
        suggest_report, apply_report, fixes = _suggest_and_apply(project, options, open_ids, progress)
        timings["suggest_apply"] = (time.perf_counter() - t1) * 1000
        if suggest_report.hint and not suggest_report.model:
            warnings.append(suggest_report.hint)
        if apply_report is not None:
            warnings.extend(apply_report.warnings)

    applied = set()
    if apply_report is not None and apply_report.mode == "apply":
        applied = {str(f.error.id) for f in apply_report.fixes if f.state == "applied"}
    errors = [
        CiError(
            e,
            ids[e.fingerprint],
            statuses[e.fingerprint],
            e.fingerprint in new,
            fixes.get(str(ids[e.fingerprint])),
            str(ids[e.fingerprint]) in applied,
        )
        for e in scan.errors
    ]
    report = CiReport(root, repo_root, scan, errors, fixed_since, source, options.fail_on, False, "")
    report.suggest, report.apply, report.warnings = suggest_report, apply_report, warnings
    report.failed, report.reason = gate(report)
    timings["total"] = (time.perf_counter() - t0) * 1000
    report.timings_ms = timings
    return report


def gate(report: CiReport) -> tuple[bool, str]:
    errors, new = report.error_count, report.new_count
    if report.fail_on == "none":
        return False, "--fail-on none"
    if report.fail_on == "new":
        against = "the baseline" if report.baseline_source != "store" else "the previous scan"
        if new:
            return True, f"{new} new {'error' if new == 1 else 'errors'} (not in {against})"
        return False, f"no new errors ({errors} known)"
    if errors:
        return True, f"{errors} {'error' if errors == 1 else 'errors'}"
    return False, "no errors"


def _fixed_entry(f: FixedError) -> dict[str, Any]:
    return {
        "fingerprint": f.fingerprint,
        "code": f.code,
        "file": f.file_path,
        "line": f.line,
        "message": f.message,
    }


def _suggest_and_apply(
    project: Project, options: CiOptions, open_ids: list[int | str], progress: Progress
) -> tuple[SuggestReport, ApplyReport | None, dict[str, SuggestionRow]]:
    """Suggest for the errors without a fix that is still valid, then patch or write; one service."""
    assert options.suggest is not None
    root, tsc, so = project.root, project.tsc, options.suggest
    valid = _ValidFixes(root, options.min_confidence or 0.0)  # shown even when not applied
    with project.open_store(create=False) as store:
        rows = {str(r.id): r for r in store.list_errors(project=project.key, statuses=list(OPEN_STATUSES))}
        wanted = [rows[str(i)] for i in open_ids if str(i) in rows]
        found = store.suggestions_for([r.id for r in wanted])
    fixes = {str(r.id): fix for r in wanted if (fix := valid.best(found.get(r.id, []))) is not None}
    todo = [r for r in wanted if str(r.id) not in fixes]
    progress(ServiceStarting(version=tsc.version))
    with open_language_service(root, tsc, so.ls_timeout) as service:
        report = SuggestReport([], "", service.name, None, None, None)
        if todo:
            report = suggest_errors(project, so, progress, service=service, errors=todo)
            with project.open_store(create=False) as store:
                found = store.suggestions_for([r.id for r in todo])
            fixes |= {str(r.id): fix for r in todo if (fix := valid.best(found.get(r.id, []))) is not None}
        applied = None
        if options.patch is not None or options.write:
            applied = apply_fixes(
                project,
                ApplyOptions(all=True, min_confidence=options.min_confidence, patch=options.patch),
                progress,
                service=service,
            )
    return report, applied, fixes


class _ValidFixes:
    """Picks an error's most confident verified suggestion that was made against the files as they are
    now (each file is read and hashed once)."""

    def __init__(self, root: Path, min_confidence: float) -> None:
        self.root, self.min_confidence = root, min_confidence
        self._hashes: dict[str, str | None] = {}

    def _hash(self, path: str) -> str | None:
        if path not in self._hashes:
            try:
                self._hashes[path] = file_hash((self.root / path).read_bytes())
            except OSError:
                self._hashes[path] = None
        return self._hashes[path]

    def best(self, suggestions: list[SuggestionRow]) -> SuggestionRow | None:
        for s in suggestions:  # most confident first
            if not s.verified or s.confidence < self.min_confidence or s.applied_at is not None:
                continue
            if all(self._hash(p) == h for p, h in s.base_hashes.items()):
                return s
        return None
