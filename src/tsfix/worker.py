"""`tsfix worker`: take suggestion work from a team store's queue, on any number of machines.

CI runners scan (and try quick fixes); a worker — typically on a GPU box, with a model — claims the
errors that still wait for suggestions at its tier, suggests them in its own checkout of the same
commit, and records the results. The queue is `typescript_errors` itself (sql/0006_queue.sql):
claims use FOR UPDATE SKIP LOCKED and are leases, so workers never take the same error, and the
errors of a worker that died go back to the pool when its lease runs out. A worker that outlived
its lease records nothing (`tsfix_finish_claim` checks the claim), so each error is suggested once.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from tsfix.errors import UsageError
from tsfix.fixers import build_fixers
from tsfix.progress import (
    Claimed,
    Progress,
    WorkerIdle,
    WorkerReady,
    WorkerSuggested,
    WorkerSuggesting,
    quiet,
)
from tsfix.project import ProgramSources, Project
from tsfix.records import OPEN_STATUSES, ErrorRow
from tsfix.store import WorkQueue, is_remote
from tsfix.suggest import SuggestOptions, suggestion_session

#: seconds a worker reuses its list of the project's open errors (one read of them all) across batches
PROJECT_ERRORS_TTL = 60.0


def default_worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass(slots=True)
class WorkerOptions:
    suggest: SuggestOptions = field(default_factory=SuggestOptions)
    name: str | None = None
    batch: int = 4  # errors per claim
    lease: int = 600  # seconds a claim lasts unless extended
    once: bool = False  # stop when nothing is left to claim
    max_errors: int | None = None
    poll: float = 10.0  # seconds between claims when the queue is empty
    any_commit: bool = False  # also take errors scanned at other commits than the checkout's


@dataclass(slots=True)
class WorkerReport:
    worker: str
    store_url: str
    project: str
    commit: str | None
    tier: int
    done: int = 0  # errors whose suggestions this worker recorded
    with_fix: int = 0  # ... of which had a verified fix
    lost: int = 0  # claims another worker took over after the lease ran out (nothing recorded)
    released: int = 0  # claims given back unprocessed when stopping
    batches: int = 0
    stopped: str = ""  # drained | max-errors | signal
    seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "worker": self.worker,
            "store": self.store_url,
            "project": self.project,
            "commit": self.commit,
            "tier": self.tier,
            "done": self.done,
            "with_fix": self.with_fix,
            "lost": self.lost,
            "released": self.released,
            "batches": self.batches,
            "stopped": self.stopped,
            "seconds": round(self.seconds, 3),
            "errors_per_minute": round(self.done / self.seconds * 60, 1) if self.seconds else None,
            "warnings": self.warnings,
        }


def run_worker(
    project: Project, options: WorkerOptions, progress: Progress = quiet, stop: threading.Event | None = None
) -> WorkerReport:
    """Claim, suggest and record until the queue is drained (--once), --max-errors is reached, or
    `stop` is set (SIGTERM): the error in hand is finished, the rest of the batch given back."""
    started = time.perf_counter()
    stop = stop or threading.Event()
    so = options.suggest
    if not is_remote(project.store_url):
        raise UsageError(
            "tsfix worker takes its work from a team store",
            hint="pass --store postgresql://… or --store supabase (with SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY)",
        )
    if options.batch < 1 or options.lease < 5:
        raise UsageError(
            "--batch must be at least 1 and --lease at least 5 seconds", hint="see tsfix worker --help"
        )
    root, tsc, git = project.root, project.tsc, project.git
    name = options.name or default_worker_name()
    commit = None if options.any_commit else git.commit
    deterministic, models, hint = build_fixers(so, progress)
    try:
        with project.open_store(create=False) as opened:
            store = opened.require(WorkQueue)
            with suggestion_session(root, tsc, so, deterministic, models, progress) as suggester:
                suggester.verifier.sources = ProgramSources(root, tsc, project.tsconfig)
                report = WorkerReport(name, store.display_url, project.key, commit, suggester.tier)
                if git.commit is None and not options.any_commit:
                    report.warnings.append(
                        f"{root} is not a git checkout: taking errors scanned at any commit"
                    )
                if hint and not models:
                    report.warnings.append(hint)
                progress(WorkerReady(report=report))
                _work(store, suggester, options, report, progress, stop)
                report.seconds = time.perf_counter() - started
                return report
    finally:
        for fixer in [*deterministic, *models]:
            fixer.close()


def _work(
    store: WorkQueue,
    suggester: Any,
    options: WorkerOptions,
    report: WorkerReport,
    progress: Progress,
    stop: threading.Event,
) -> None:
    tier = suggester.tier
    listed = -PROJECT_ERRORS_TTL - 1.0
    while True:
        if stop.is_set():
            report.stopped = "signal"
            return
        limit = options.batch
        if options.max_errors is not None:
            limit = min(limit, options.max_errors - report.done - report.lost)
            if limit <= 0:
                report.stopped = "max-errors"
                return
        claimed = store.claim_errors(
            report.worker, limit, options.lease, project=report.project, commit=report.commit, tier=tier
        )
        if not claimed:
            if options.once:
                report.stopped = "drained"
                return
            progress(WorkerIdle(report=report))
            stop.wait(options.poll)
            continue
        report.batches += 1
        progress(Claimed(errors=len(claimed), report=report))
        if time.monotonic() - listed > PROJECT_ERRORS_TTL:  # for repairs that look across the project
            suggester.project_errors = store.list_errors(project=report.project, statuses=list(OPEN_STATUSES))
            listed = time.monotonic()
        _batch(store, suggester, claimed, options, report, progress, stop)


def _batch(
    store: WorkQueue,
    suggester: Any,
    claimed: list[ErrorRow],
    options: WorkerOptions,
    report: WorkerReport,
    progress: Progress,
    stop: threading.Event,
) -> None:
    """Suggest each claimed error; whatever is not finished (a signal, an exception) is given back."""
    pending = list(claimed)
    renewed = time.monotonic()
    try:
        while pending and not stop.is_set():
            error = pending[0]
            progress(WorkerSuggesting(error=error, report=report))
            outcome = suggester.suggest(error)
            ids = store.finish_claim(
                report.worker, error.id, [s.suggestion for s in outcome.kept], outcome.note, suggester.tier
            )
            pending.pop(0)
            if ids is None:
                report.lost += 1
            else:
                report.done += 1
                report.with_fix += int(outcome.verified)
            progress(WorkerSuggested(error=error, outcome=outcome, lost=ids is None, report=report))
            if pending and time.monotonic() - renewed > options.lease / 3:
                store.extend_claims(report.worker, [e.id for e in pending], options.lease)
                renewed = time.monotonic()
    finally:
        if pending:
            report.released += store.release_claims(report.worker, [e.id for e in pending])
