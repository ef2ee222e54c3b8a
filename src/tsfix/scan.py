"""Orchestration of `tsfix scan`: tsc -> diagnostics -> context -> fingerprints -> store.

`scan_project` is what the CLI calls; `errors_from_diagnostics` and `record_tsc_output` are the
pure-ish halves that tests and benchmarks drive directly. Progress is reported through a callback
so the CLI can show a spinner while tsc runs, and nothing here imports rich.
"""

from __future__ import annotations

import gc
import tempfile
import threading
import time
from collections.abc import Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tsfix import __version__
from tsfix.context import (
    FileContexts,
    FileIndex,
    SourceFile,
    extract_contexts,
    file_hash,
    language_for,
    warm_up,
)
from tsfix.errors import StoreError
from tsfix.fingerprint import fingerprints
from tsfix.progress import (
    ExtractingContext,
    Progress,
    Recording,
    SolutionConfig,
    TypeChecked,
    TypeChecking,
    Uploading,
    quiet,
)
from tsfix.project import GitFacts, Project
from tsfix.records import CodeContext, Diagnostic, ErrorInput, ScanInput, ScanOutcome
from tsfix.store import Store, UploadJournal, is_remote, now_iso, open_journal, remote_key
from tsfix.tsc import (
    TscInfo,
    TscProcess,
    TscRun,
    check_run,
    is_solution_config,
    mentions_references,
    prepare_build,
    show_config,
    tsc_arguments,
    unshadow,
)
from tsfix.tsc_output import (
    ProjectFiles,
    may_be_syntax_only,
    parse_tsc_output,
    raise_for_config_errors,
    relative_posix,
)


@dataclass(slots=True)
class ScanOptions:
    """What `tsfix scan` was asked to do."""

    build: bool = False
    timeout: float | None = None


@dataclass(slots=True)
class ScanReport:
    """Everything a renderer needs about one recorded scan."""

    scan: ScanInput
    outcome: ScanOutcome
    errors: list[ErrorInput]  # in the same order as outcome.errors
    store_url: str
    tsc: TscInfo
    build: bool
    context_problems: dict[str, str]  # file -> why it has no context
    timings_ms: dict[str, float]
    warnings: list[str] = field(default_factory=list)

    @property
    def error_count(self) -> int:
        return self.outcome.counts.get("errors", 0)


class Prefetcher:
    """Work done while tsc runs on the files that had errors last time (they most likely still do).

    tsc prints nothing until it has checked everything, so this is free where a core is idle
    (TypeScript 5.x checks on one thread). Each file is read and hashed: one whose bytes are what the
    last scan recorded may reuse that scan's contexts (see `errors_from_diagnostics`); any other is
    indexed with tree-sitter now. The thread stops as soon as tsc is done; what it has not reached is
    handled afterwards as usual.
    """

    def __init__(self, root: Path, previous: Sequence[ErrorInput]) -> None:
        self._root = root
        self.previous: dict[str, list[ErrorInput]] = {}
        for error in previous:
            if error.file_path is not None:
                self.previous.setdefault(error.file_path, []).append(error)
        self._stop = threading.Event()
        self.indexes: dict[str, FileIndex] = {}
        self.unchanged: set[str] = set()
        self._thread = threading.Thread(target=self._run, name="tsfix-prefetch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        warm_up()
        for path in sorted(self.previous, key=lambda p: -len(self.previous[p])):
            if self._stop.is_set():
                return
            try:
                raw = (self._root / path).read_bytes()
            except OSError:
                continue
            digest = file_hash(raw)
            if all(e.file_hash == digest for e in self.previous[path]):
                self.unchanged.add(path)
            else:
                self.indexes[path] = FileIndex(SourceFile.from_bytes(path, raw), language_for(path))

    def stop(self) -> Prefetched:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        reusable = {path: self.previous[path] for path in self.unchanged}
        return Prefetched(self.indexes, reusable)


@dataclass(slots=True)
class Prefetched:
    """What the prefetcher has ready: indexed files, and last scan's errors of files that did not change."""

    indexes: dict[str, FileIndex] = field(default_factory=dict)
    reusable: dict[str, list[ErrorInput]] = field(default_factory=dict)


def _diagnostic_key(d: Diagnostic | ErrorInput) -> tuple:
    return (d.line, d.col, d.code, d.category, d.message)


def errors_from_diagnostics(
    root: Path, diagnostics: Sequence[Diagnostic], prefetched: Prefetched | None = None
) -> tuple[list[ErrorInput], dict[str, FileContexts]]:
    """Turn parsed diagnostics into recordable errors: relative paths, context, fingerprints.

    Exact duplicates (a file checked by two projects in build mode) are dropped; the rest are
    ordered by file and position so fingerprint ordinals are deterministic. A file whose content is
    unchanged since the last scan and whose diagnostics are exactly the same keeps last scan's
    records: context and fingerprint are functions of precisely those inputs.
    """
    ready = prefetched or Prefetched()
    unique = _unique_relative(root, diagnostics)
    reused, files = _reusable_records(unique, ready)
    located = [
        (i, d.file, d.line or 1, d.col or 1) for i, d in enumerate(unique) if d.file and i not in reused
    ]
    files.update(extract_contexts(root, located, ready.indexes))

    fresh = [i for i in range(len(unique)) if i not in reused]
    found: dict[int, tuple[CodeContext | None, FileContexts | None]] = {}
    keys = []
    for i in fresh:
        d = unique[i]
        file_contexts = files.get(d.file) if d.file else None
        ctx = file_contexts.contexts.get(i) if file_contexts else None
        found[i] = (ctx, file_contexts)
        keys.append(
            (d.file, d.code, d.message, ctx.symbol_path if ctx else "", ctx.error_line_text if ctx else "")
        )
    prints = dict(zip(fresh, fingerprints(keys, root=str(root)), strict=True))
    errors = [
        reused[i] if i in reused else _error_input(d, prints[i], *found[i]) for i, d in enumerate(unique)
    ]
    return errors, files


def _unique_relative(root: Path, diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    """The diagnostics with project-relative paths, exact duplicates dropped, in file order."""
    seen: set[tuple] = set()
    unique: list[Diagnostic] = []
    relative: dict[str, str] = {}
    for d in diagnostics:
        rel = None
        if d.file is not None:
            rel = relative.get(d.file)
            if rel is None:
                rel = relative[d.file] = relative_posix(d.file, root)
        key = (rel, d.line, d.col, d.code, d.message)
        if key not in seen:
            seen.add(key)
            unique.append(Diagnostic(rel, d.line, d.col, d.code, d.category, d.message))
    unique.sort(key=lambda d: (d.file is None, d.file or "", d.line or 0, d.col or 0, d.code))
    return unique


def _reusable_records(
    unique: Sequence[Diagnostic], ready: Prefetched
) -> tuple[dict[int, ErrorInput], dict[str, FileContexts]]:
    """Last scan's records of the files whose content and diagnostics are exactly as they were."""
    by_file: dict[str, list[int]] = {}
    for i, d in enumerate(unique):
        if d.file is not None:
            by_file.setdefault(d.file, []).append(i)
    reused: dict[int, ErrorInput] = {}
    files: dict[str, FileContexts] = {}
    for path, indices in by_file.items():
        previous = ready.reusable.get(path)
        if previous is None or len(previous) != len(indices):
            continue
        by_key = {_diagnostic_key(e): e for e in previous}
        matches = [by_key.get(_diagnostic_key(unique[i])) for i in indices]
        if all(m is not None for m in matches):
            for i, match in zip(indices, matches, strict=True):
                assert match is not None
                match.unchanged = True
                reused[i] = match
            files[path] = FileContexts(path, previous[0].file_hash, {})
    return reused, files


def _error_input(
    d: Diagnostic, fingerprint: str, ctx: CodeContext | None, file_contexts: FileContexts | None
) -> ErrorInput:
    context: dict[str, Any] | None = ctx.as_json() if ctx else None
    if ctx is None and file_contexts is not None and file_contexts.problem:
        context = {"problem": file_contexts.problem}
    return ErrorInput(
        fingerprint=fingerprint,
        file_path=d.file,
        line=d.line,
        col=d.col,
        code=d.code,
        category=d.category,
        message=d.message,
        code_snippet=ctx.snippet if ctx else None,
        context=context,
        file_hash=file_contexts.hash if file_contexts else None,
    )


def record_tsc_output(
    store: Store,
    scan: ScanInput,
    root: Path,
    run: TscRun,
    *,
    scratch: Path | None = None,
    started: float | None = None,
    prefetched: Prefetched | None = None,
    upload_to: str | None = None,
    progress: Progress = quiet,
    warnings: list[str] | None = None,
) -> tuple[ScanOutcome, list[ErrorInput], dict[str, FileContexts], dict[str, float]]:
    """Parse one tsc run, check it can be trusted, extract context and record it as one scan.
    `warnings` receives what the user should know about the recorded data."""
    # Thousands of small objects are made and kept here; the cyclic GC would walk them again and
    # again (about 5% of this phase) while finding no cycles to free.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _record(store, scan, root, run, scratch, started, prefetched, upload_to, progress, warnings)
    finally:
        if collecting:
            gc.enable()


def _record(
    store: Store,
    scan: ScanInput,
    root: Path,
    run: TscRun,
    scratch: Path | None,
    started: float | None,
    prefetched: Prefetched | None,
    upload_to: str | None,
    progress: Progress,
    warnings: list[str] | None,
) -> tuple[ScanOutcome, list[ErrorInput], dict[str, FileContexts], dict[str, float]]:
    timings: dict[str, float] = {}
    t = time.perf_counter()
    ambiguous: list[str] = []
    # names are checked against the files tsc read: a file name cannot forge another diagnostic
    diagnostics = parse_tsc_output(run.stdout, ProjectFiles(root), ambiguous)
    if scratch is not None:
        diagnostics = unshadow(diagnostics, scratch)
    timings["parse"] = (time.perf_counter() - t) * 1000
    if warnings is not None:
        warnings.extend(
            f"the name of {name!r} has a line break, so tsc's output can be read two ways: "
            "its diagnostics were recorded under the longest name that is a file; rename it"
            for name in dict.fromkeys(ambiguous)
        )
    check_run(run, diagnostics)
    raise_for_config_errors(diagnostics, scan.tsconfig)
    scan.complete = not may_be_syntax_only(diagnostics)

    progress(ExtractingContext(diagnostics=len(diagnostics)))
    t = time.perf_counter()
    errors, files = errors_from_diagnostics(root, diagnostics, prefetched)
    timings["context"] = (time.perf_counter() - t) * 1000

    if started is not None:
        scan.duration_ms = int((time.perf_counter() - started) * 1000)
    progress(Recording(errors=len(errors), store=store.display_url))
    t = time.perf_counter()
    if upload_to is not None:
        outcome = store.require(UploadJournal).record_scan(scan, errors, upload_to=upload_to)
    else:
        outcome = store.record_scan(scan, errors)
    timings["store"] = (time.perf_counter() - t) * 1000
    return outcome, errors, files, timings


def scan_project(
    project: Project, options: ScanOptions | None = None, progress: Progress = quiet
) -> ScanReport:
    """Type-check a project with its own tsc and record every error in the store."""
    options = options or ScanOptions()
    started_at = now_iso()
    t0 = time.perf_counter()
    root, tsconfig, tsc = project.root, project.tsconfig, project.tsc
    tsconfig_rel = relative_posix(str(tsconfig), root)

    with tempfile.TemporaryDirectory(prefix="tsfix-scan-") as scratch_name:
        scratch = Path(scratch_name)
        build = options.build
        if not build and mentions_references(tsconfig):
            shown = show_config(tsc, tsconfig, timeout=options.timeout)
            if shown is not None and is_solution_config(shown):
                build = True
                progress(SolutionConfig(tsconfig=tsconfig_rel))
        target = prepare_build(tsc, tsconfig, scratch) if build else tsconfig

        progress(TypeChecking(version=tsc.version, tsconfig=tsconfig_rel, build=build))
        process = TscProcess(
            tsc_arguments(tsc, target, scratch, build), cwd=root, timeout=options.timeout, scratch=scratch
        )
        try:
            # work that does not need tsc's output happens while it type-checks
            git = project.git if project.name is None else GitFacts()
            key = project.key
            remote_url = project.store_url if is_remote(project.store_url) else None
            local = open_journal(root) if remote_url else project.open_store()
        except BaseException:
            process.kill()
            raise
        with local, ExitStack() as stack:
            remote, remote_problem = _open_remote(project, remote_url is not None, process, stack)
            prefetch = Prefetcher(root, local.previous_errors(key))
            try:
                run = process.wait()
            finally:
                prefetched = prefetch.stop()
            progress(TypeChecked(elapsed_ms=run.elapsed_ms))
            scan = ScanInput(
                project=key,
                project_root=str(root),
                tsconfig=tsconfig_rel,
                typescript_version=tsc.version,
                started_at=started_at,
                duration_ms=0,
                tsc_ms=run.elapsed_ms,
                tsc_exit_code=run.returncode,
                git_commit=git.commit,
                git_branch=git.branch,
                tsfix_version=__version__,
            )
            warnings: list[str] = []
            outcome, errors, files, timings = record_tsc_output(
                local,
                scan,
                root,
                run,
                scratch=scratch if build else None,
                started=t0,
                prefetched=prefetched,
                upload_to=remote_key(remote_url) if remote_url else None,
                progress=progress,
                warnings=warnings,
            )
            store_url = local.display_url
            if remote_url:
                journal = local.require(UploadJournal)
                progress(Uploading(store=remote.display_url if remote else remote_key(remote_url)))
                outcome, store_url = _upload(
                    journal, remote, remote_problem, remote_url, scan, errors, outcome
                )
            timings["tsc"] = run.elapsed_ms
            timings["total"] = (time.perf_counter() - t0) * 1000
            problems = {path: fc.problem for path, fc in files.items() if fc.problem}
            return ScanReport(scan, outcome, errors, store_url, tsc, build, problems, timings, warnings)


def _open_remote(
    project: Project, remote: bool, process: TscProcess, stack: ExitStack
) -> tuple[Store | None, StoreError | None]:
    """Connect to the team store while tsc runs. A usage error stops the scan; a store that cannot be
    reached, refuses the key or lacks the schema is reported after the scan is kept locally."""
    if not remote:
        return None, None
    try:
        return stack.enter_context(project.open_store()), None
    except StoreError as exc:
        return None, exc
    except BaseException:
        process.kill()
        raise


def _upload(
    local: UploadJournal,
    remote: Store | None,
    problem: StoreError | None,
    url: str,
    scan: ScanInput,
    errors: Sequence[ErrorInput],
    local_outcome: ScanOutcome,
) -> tuple[ScanOutcome, str]:
    """Send a locally recorded scan to the team store; on failure keep it queued and say so."""
    name = remote_key(url)
    if remote is not None and problem is None:
        try:
            outcome = remote.record_scan(scan, errors)
        except StoreError as exc:
            problem = exc
        else:
            local.mark_uploaded(scan.id, name)
            return outcome, remote.display_url
    assert problem is not None
    local.note_upload_failure(scan.id, name, problem.message)
    kept = type(problem)(
        f"{problem.message} — the scan is kept locally ({local_outcome.counts.get('errors', 0)} errors, "
        f"scan {local_outcome.scan_id} in {local.display_url})",
        hint=f"{problem.hint}; then `tsfix sync --store {name}` uploads it",
    )
    raise kept
