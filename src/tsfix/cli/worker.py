"""`tsfix worker`: take errors from a team store's queue, suggest fixes, record them; repeat."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from tsfix.cli.common import exit_codes
from tsfix.cli.options import (
    FormatOption,
    ModelOptions,
    OutputFormat,
    PathOption,
    ProjectNameOption,
    TeamStoreOption,
    examples,
    takes_bundles,
)
from tsfix.ids import count

commands = typer.Typer()


@contextmanager
def stopped_by_sigterm() -> Iterator[threading.Event]:
    """An event set by SIGTERM (saying so once), with the previous handler restored afterwards."""
    from tsfix.ui.common import stderr_console

    stop = threading.Event()
    console = stderr_console()

    def on_term(signum: int, frame: Any) -> None:
        if not stop.is_set():
            console.print("[yellow]stopping:[/] finishing the error in hand, giving the rest back")
        stop.set()

    previous = signal.signal(signal.SIGTERM, on_term)
    try:
        yield stop
    finally:
        signal.signal(signal.SIGTERM, previous)


@commands.command(
    epilog=examples(
        'tsfix worker --store "$DATABASE_URL" --model ~/models/qwen2.5-coder-7b-instruct-q4_k_m.gguf',
        "tsfix worker --store supabase --engine openai --base-url http://localhost:8080/v1",
        'tsfix worker --store "$DATABASE_URL" --no-llm --once       # drain the queue, then exit',
        'tsfix worker --store "$DATABASE_URL" --max-errors 100 --format json',
        note="Run it in a checkout of the commit CI scanned (it takes only errors scanned at its HEAD unless "
        "--any-commit). Claims are leases: SIGTERM finishes the error in hand and gives the rest back; a "
        "worker that dies loses its claims when the lease runs out. Exit status: 0 done, 2 usage or "
        "environment problem, 130 interrupted.",
    )
)
@takes_bundles
def worker(
    *,
    store: TeamStoreOption,
    path: PathOption = Path("."),
    once: Annotated[bool, typer.Option("--once", help="Exit when nothing is left to claim.")] = False,
    max_errors: Annotated[
        int | None,
        typer.Option("--max-errors", parser=count, help="Exit after this many errors.", show_default=False),
    ] = None,
    batch: Annotated[int, typer.Option("--batch", min=1, max=1000, help="Errors claimed at a time.")] = 4,
    lease: Annotated[
        int, typer.Option("--lease", min=5, help="Seconds a claim lasts (renewed while working).")
    ] = 600,
    poll: Annotated[
        float, typer.Option("--poll", min=0.1, help="Seconds between claims while the queue is empty.")
    ] = 10.0,
    name: Annotated[
        str | None, typer.Option("--name", help="This worker's name in claims.", show_default="host:pid")
    ] = None,
    any_commit: Annotated[
        bool, typer.Option("--any-commit", help="Also take errors scanned at other commits than HEAD.")
    ] = False,
    fixers: ModelOptions,
    project_name: ProjectNameOption = None,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Take errors waiting for suggestions from a team store's queue, suggest, record; repeat."""
    from tsfix.project import resolve_project
    from tsfix.ui.common import print_json, stdout_console
    from tsfix.ui.progress import WorkerProgress
    from tsfix.worker import WorkerOptions, run_worker

    with exit_codes("interrupted; the claims in hand were given back, suggestions recorded so far are kept"):
        options = WorkerOptions(
            suggest=fixers.suggest_options(),
            name=name,
            batch=batch,
            lease=lease,
            once=once,
            max_errors=max_errors,
            poll=poll,
            any_commit=any_commit,
        )
        project = resolve_project(path, store=store, name=project_name)
        with stopped_by_sigterm() as stop, WorkerProgress() as progress:
            report = run_worker(project, options, progress.update, stop)
        from tsfix.ui.worker import worker_summary

        if output_format is OutputFormat.json:
            print_json(report.as_json())
        else:
            worker_summary(stdout_console(), report)
