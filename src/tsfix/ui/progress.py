"""The progress displays of the commands, on stderr: each is a context manager whose `update` is the
`Progress` callback a stage is given, and matches the typed events of tsfix.progress.

On a terminal they show a spinner, status line or bar (rich.progress is imported only then); in a
log, the scan, suggest and apply displays stay quiet while ci and worker print one line per phase.
"""

from __future__ import annotations

from typing import Any, Self

from tsfix.progress import (
    CheckingFiles,
    Claimed,
    Combining,
    ErrorsSelected,
    Event,
    ExtractingContext,
    Fallback,
    InstallingTs6,
    ModelLoading,
    RecheckingFiles,
    Recording,
    ServiceStarting,
    SolutionConfig,
    Suggested,
    Suggesting,
    Ts6Failed,
    TypeChecking,
    WorkerIdle,
    WorkerReady,
    WorkerSuggested,
    WorkerSuggesting,
    WritingFiles,
)
from tsfix.ui.common import stderr_console


class _StatusLine:
    """A rich status line on stderr, shown only on a terminal."""

    initial = "Starting"

    def __init__(self) -> None:
        self._console = stderr_console()
        self._status: Any = None

    def __enter__(self) -> Self:
        if self._console.is_terminal:
            self._status = self._console.status(self.initial)
            self._status.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._status is not None:
            self._status.stop()


class _ProgressDisplay:
    """A rich progress display on stderr: a spinner with the phase, or (`bar`) also errors done of all
    and a detail field; shown only on a terminal (rich.progress is only imported then)."""

    bar = False

    def __init__(self) -> None:
        self._console = stderr_console()
        self._progress: Any = None
        self._task: Any = None

    def __enter__(self) -> Self:
        if self._console.is_terminal:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            counts = (
                (BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[detail]}")) if self.bar else ()
            )
            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                *counts,
                TimeElapsedColumn(),
                console=self._console,
                transient=True,
            )
            self._task = self._progress.add_task("Starting", total=None, detail="")
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()


class ScanProgress(_ProgressDisplay):
    """A spinner with elapsed time on stderr while tsc runs (shown only on a terminal)."""

    def update(self, event: Event) -> None:
        if isinstance(event, SolutionConfig):
            text = f"{event.tsconfig} only lists project references: checking them in build mode"
            self._console.print(f"[dim]{text}[/]")
            return
        if self._progress is None:
            return
        if isinstance(event, TypeChecking):
            mode = " (build mode)" if event.build else ""
            text = f"Type-checking {event.tsconfig} with TypeScript {event.version or '?'}{mode}"
        elif isinstance(event, ExtractingContext):
            text = f"Extracting code context for {event.diagnostics:,} diagnostics"
        elif isinstance(event, Recording):
            text = f"Recording {event.errors:,} errors"
        else:
            return
        self._progress.update(self._task, description=text)


class SuggestProgress(_ProgressDisplay):
    """A progress bar on stderr: errors done, verified so far, tokens/s (only on a terminal)."""

    bar = True

    def __init__(self) -> None:
        super().__init__()
        self._verified = 0

    def update(self, event: Event) -> None:
        if isinstance(event, InstallingTs6):
            self._console.print(
                f"[dim]TypeScript 7 has few quick fixes: installing TypeScript {event.version}'s tsserver into "
                f"{event.folder} (once; --no-ts6 turns this off)[/]"
            )
        elif isinstance(event, Ts6Failed):
            self._console.print(
                "[yellow]note:[/] could not install TypeScript 6; continuing with TypeScript 7's fixes only"
            )
        if self._progress is None:
            return
        if isinstance(event, ModelLoading):
            self._progress.update(self._task, description=f"Loading {event.model}")
        elif isinstance(event, ServiceStarting):
            self._progress.update(self._task, description=f"Starting TypeScript {event.version or '?'}")
        elif isinstance(event, ErrorsSelected):
            self._progress.update(self._task, total=event.errors, completed=0, description="Suggesting")
        elif isinstance(event, Suggested):
            if event.outcome.verified:
                self._verified += 1
            tokens, seconds = event.tokens
            rate = f" · {tokens / seconds:.1f} tok/s" if seconds > 0 else ""
            self._progress.update(self._task, completed=event.n, detail=f"{self._verified} verified{rate}")


class ApplyProgress(_StatusLine):
    """A spinner on stderr while the language service checks the fixes (only on a terminal)."""

    initial = "Reading the suggestions"

    def pause(self) -> None:
        if self._status is not None:
            self._status.stop()

    def update(self, event: Event) -> None:
        if isinstance(event, Fallback):
            self._console.print(f"[yellow]note:[/] {event.reason}; re-checking with tsc instead")
        if self._status is None:
            return
        if isinstance(event, ServiceStarting):
            text = f"Starting TypeScript {event.version or '?'}"
        elif isinstance(event, Combining):
            text = f"Checking {event.fixes} fixes together"
        elif isinstance(event, CheckingFiles):
            text = f"Checking {event.files} files before writing"
        elif isinstance(event, WritingFiles):
            text = f"Writing {event.files} files"
        elif isinstance(event, RecheckingFiles):
            text = f"Re-checking {event.files} files"
        else:
            return
        self._status.update(text)
        self._status.start()


class CiProgress(_StatusLine):
    """A spinner on a terminal; in a CI log, one line per phase."""

    def _say(self, text: str) -> None:
        if self._status is not None:
            self._status.update(text)
        else:
            self._console.print(f"[dim]tsfix: {text}[/]")

    def update(self, event: Event) -> None:
        if isinstance(event, TypeChecking):
            self._say(f"type-checking {event.tsconfig} with TypeScript {event.version or '?'}")
        elif isinstance(event, ServiceStarting):
            self._say(f"starting TypeScript {event.version or '?'}'s language service")
        elif isinstance(event, ModelLoading):
            self._say(f"loading {event.model}")
        elif isinstance(event, ErrorsSelected):
            self._say(f"suggesting fixes for {event.errors} errors")
        elif isinstance(event, Suggesting) and self._status is not None:
            self._status.update(f"suggesting {event.n}/{event.of}")
        elif isinstance(event, Combining):
            self._say(f"checking {event.fixes} fixes together")


_WORKER_EVENTS = (WorkerReady, WorkerIdle, Claimed, WorkerSuggesting, WorkerSuggested)


class WorkerProgress(_StatusLine):
    """A status line on stderr (on a terminal), and one line per batch otherwise, for logs."""

    def update(self, event: Event) -> None:
        report = event.report if isinstance(event, _WORKER_EVENTS) else None
        done = f"{report.done} done, {report.with_fix} with a fix" if report is not None else ""
        if isinstance(event, WorkerReady):
            self._console.print(
                f"[dim]worker {event.report.worker}: {event.report.store_url}, project {event.report.project}, "
                f"commit {(event.report.commit or 'any')[:12]}, tier {event.report.tier}[/]"
            )
            for warning in event.report.warnings:
                self._console.print(f"[yellow]note:[/] {warning}")
        elif isinstance(event, Claimed) and self._status is None:
            self._console.print(f"[dim]claimed {event.errors} ({done})[/]")
        if self._status is None:
            return
        if isinstance(event, ServiceStarting):
            self._status.update(f"Starting TypeScript {event.version or '?'}")
        elif isinstance(event, ModelLoading):
            self._status.update(f"Loading {event.model}")
        elif isinstance(event, WorkerSuggesting):
            error = event.error
            self._status.update(f"{done} · {error.code} {error.file_path}:{error.line}")
        elif isinstance(event, WorkerIdle):
            self._status.update(f"{done} · waiting for work")
