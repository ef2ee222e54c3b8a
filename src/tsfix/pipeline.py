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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tsfix import __version__
from tsfix.context import FileContexts, FileIndex, extract_contexts, index_file, warm_up
from tsfix.fingerprint import fingerprints
from tsfix.models import Diagnostic, ErrorInput, ScanInput, ScanOutcome
from tsfix.project import GitFacts, git_facts, project_key
from tsfix.store import Store, open_store
from tsfix.store.sqlite import now_iso
from tsfix.tsc import (
    TscInfo,
    TscProcess,
    TscRun,
    check_run,
    find_tsc,
    find_tsconfig,
    is_solution_config,
    may_be_syntax_only,
    mentions_references,
    parse_tsc_output,
    prepare_build,
    raise_for_config_errors,
    relative_posix,
    show_config,
    tsc_arguments,
    unshadow,
)

Progress = Callable[[str, dict[str, Any]], None]


def _no_progress(event: str, data: dict[str, Any]) -> None:
    return None


@dataclass(slots=True)
class ScanOptions:
    """What `tsfix scan` was asked to do."""

    path: Path = field(default_factory=lambda: Path("."))
    project: str | None = None  # --project: a tsconfig relative to PATH
    tsc: str | None = None  # --tsc override
    build: bool = False
    timeout: float | None = None
    store: str | None = None
    project_name: str | None = None


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

    @property
    def error_count(self) -> int:
        return self.outcome.counts.get("errors", 0)


class Prefetcher:
    """Index, while tsc runs, the files that had errors last time: they will most likely have them again.

    tsc prints nothing until it has checked everything, so work done now is free where a core is
    idle (TypeScript 5.x checks on one thread). The thread stops as soon as tsc is done; whatever it
    has not reached is indexed afterwards as usual.
    """

    def __init__(self, root: Path, paths: Sequence[str]) -> None:
        self._root = root
        self._paths = list(paths)
        self._stop = threading.Event()
        self.indexes: dict[str, FileIndex] = {}
        self._thread = threading.Thread(target=self._run, name="tsfix-prefetch", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        warm_up()
        for path in self._paths:
            if self._stop.is_set():
                return
            found = index_file(path, self._root / path)
            if isinstance(found, FileIndex):
                self.indexes[path] = found

    def stop(self) -> dict[str, FileIndex]:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        return self.indexes


def errors_from_diagnostics(
    root: Path, diagnostics: Sequence[Diagnostic], indexes: dict[str, FileIndex] | None = None
) -> tuple[list[ErrorInput], dict[str, FileContexts]]:
    """Turn parsed diagnostics into recordable errors: relative paths, context, fingerprints.

    Exact duplicates (a file checked by two projects in build mode) are dropped; the rest are
    ordered by file and position so fingerprint ordinals are deterministic.
    """
    seen: set[tuple] = set()
    unique: list[Diagnostic] = []
    relative: dict[str, str] = {}
    for d in diagnostics:
        rel = None
        if d.file is not None:
            rel = relative.get(d.file)
            if rel is None:
                rel = relative[d.file] = relative_posix(d.file, root)
        item = Diagnostic(rel, d.line, d.col, d.code, d.category, d.message)
        key = (rel, d.line, d.col, d.code, d.message)
        if key not in seen:
            seen.add(key)
            unique.append(item)
    unique.sort(key=lambda d: (d.file is None, d.file or "", d.line or 0, d.col or 0, d.code))

    located = [(i, d.file, d.line or 1, d.col or 1) for i, d in enumerate(unique) if d.file]
    files = extract_contexts(root, located, indexes)

    keys = []
    contexts = []
    for i, d in enumerate(unique):
        file_contexts = files.get(d.file) if d.file else None
        ctx = file_contexts.contexts.get(i) if file_contexts else None
        contexts.append((ctx, file_contexts))
        keys.append(
            (d.file, d.code, d.message, ctx.symbol_path if ctx else "", ctx.error_line_text if ctx else "")
        )
    prints = fingerprints(keys, root=str(root))

    errors = []
    for d, fp, (ctx, file_contexts) in zip(unique, prints, contexts, strict=True):
        context: dict[str, Any] | None = ctx.as_json() if ctx else None
        if ctx is None and file_contexts is not None and file_contexts.problem:
            context = {"problem": file_contexts.problem}
        errors.append(
            ErrorInput(
                fingerprint=fp,
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
        )
    return errors, files


def record_tsc_output(
    store: Store,
    scan: ScanInput,
    root: Path,
    run: TscRun,
    *,
    scratch: Path | None = None,
    started: float | None = None,
    indexes: dict[str, FileIndex] | None = None,
    progress: Progress = _no_progress,
) -> tuple[ScanOutcome, list[ErrorInput], dict[str, FileContexts], dict[str, float]]:
    """Parse one tsc run, check it can be trusted, extract context and record it as one scan."""
    # Thousands of small objects are made and kept here; the cyclic GC would walk them again and
    # again (about 5% of this phase) while finding no cycles to free.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _record(store, scan, root, run, scratch, started, indexes, progress)
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
    indexes: dict[str, FileIndex] | None,
    progress: Progress,
) -> tuple[ScanOutcome, list[ErrorInput], dict[str, FileContexts], dict[str, float]]:
    timings: dict[str, float] = {}
    t = time.perf_counter()
    diagnostics = parse_tsc_output(run.stdout)
    if scratch is not None:
        diagnostics = unshadow(diagnostics, scratch)
    timings["parse"] = (time.perf_counter() - t) * 1000
    check_run(run, diagnostics)
    raise_for_config_errors(diagnostics, scan.tsconfig)
    scan.complete = not may_be_syntax_only(diagnostics)

    progress("context", {"diagnostics": len(diagnostics)})
    t = time.perf_counter()
    errors, files = errors_from_diagnostics(root, diagnostics, indexes)
    timings["context"] = (time.perf_counter() - t) * 1000

    if started is not None:
        scan.duration_ms = int((time.perf_counter() - started) * 1000)
    progress("store", {"errors": len(errors), "store": store.display_url})
    t = time.perf_counter()
    outcome = store.record_scan(scan, errors)
    timings["store"] = (time.perf_counter() - t) * 1000
    return outcome, errors, files, timings


def scan_project(options: ScanOptions, progress: Progress = _no_progress) -> ScanReport:
    """Type-check a project with its own tsc and record every error in the store."""
    started_at = now_iso()
    t0 = time.perf_counter()
    root, tsconfig = find_tsconfig(options.path, options.project)
    tsc = find_tsc(tsconfig.parent, options.tsc)
    tsconfig_rel = relative_posix(str(tsconfig), root)

    with tempfile.TemporaryDirectory(prefix="tsfix-scan-") as scratch_name:
        scratch = Path(scratch_name)
        build = options.build
        if not build and mentions_references(tsconfig):
            shown = show_config(tsc, tsconfig, timeout=options.timeout)
            if shown is not None and is_solution_config(shown):
                build = True
                progress("solution", {"tsconfig": tsconfig_rel})
        target = prepare_build(tsc, tsconfig, scratch) if build else tsconfig

        progress("tsc", {"version": tsc.version, "tsconfig": tsconfig_rel, "build": build})
        process = TscProcess(
            tsc_arguments(tsc, target, scratch, build), cwd=root, timeout=options.timeout, scratch=scratch
        )
        try:
            # work that does not need tsc's output happens while it type-checks
            git = git_facts(root) if options.project_name is None else GitFacts()
            key = project_key(root, tsconfig, git, options.project_name)
            store = open_store(options.store, root)
        except BaseException:
            process.kill()
            raise
        with store:
            prefetch = Prefetcher(root, store.open_error_files(key))
            try:
                run = process.wait()
            finally:
                indexes = prefetch.stop()
            progress("tsc_done", {"elapsed_ms": run.elapsed_ms, "prefetched": len(indexes)})
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
            outcome, errors, files, timings = record_tsc_output(
                store,
                scan,
                root,
                run,
                scratch=scratch if build else None,
                started=t0,
                indexes=indexes,
                progress=progress,
            )
            timings["tsc"] = run.elapsed_ms
            timings["total"] = (time.perf_counter() - t0) * 1000
            problems = {path: fc.problem for path, fc in files.items() if fc.problem}
            return ScanReport(scan, outcome, errors, store.display_url, tsc, build, problems, timings)


def project_for_listing(path: Path) -> str | None:
    """The project key of the project around `path` (for filtering a shared store), or None."""
    from tsfix.errors import ProjectNotFound

    try:
        root, tsconfig = find_tsconfig(path)
    except ProjectNotFound:
        return None
    return project_key(root, tsconfig, git_facts(root))
