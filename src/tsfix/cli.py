"""The `tsfix` command line: parse options, call one core function, render, map errors to exit codes.

Exit codes: 0 no errors, 1 errors found, 2 usage or environment problem, 130 interrupted.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from tsfix import __version__
from tsfix.errors import ExitCode, StoreError, TsfixError, UsageError
from tsfix.ids import count
from tsfix.models import ERROR_STATUSES, OPEN_STATUSES

app = typer.Typer(
    name="tsfix",
    help="Fix TypeScript compile errors: scan with the project's own tsc, record every error with its "
    "code context, and propose compiler-verified fixes.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="markdown",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _out() -> Console:
    """A console on stdout, made per command so it sees the current terminal and environment."""
    return Console(highlight=False)


def _err() -> Console:
    return Console(stderr=True, highlight=False)


class ScanFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"


def _debug() -> bool:
    return os.environ.get("TSFIX_DEBUG", "") not in ("", "0", "false", "no")


@contextmanager
def _exit_codes(interrupted: str = "interrupted; nothing was recorded") -> Iterator[None]:
    """Turn every failure into one clear line, a hint and an exit code (a traceback only with TSFIX_DEBUG=1)."""
    from tsfix.render import problem

    try:
        yield
    except TsfixError as exc:
        if _debug():
            _err().print_exception()
        problem(_err(), exc.message, exc.hint)
        raise typer.Exit(int(exc.exit_code)) from None
    except KeyboardInterrupt:
        problem(_err(), interrupted, None)
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as exc:
        if _debug():
            raise
        problem(
            _err(),
            f"internal error: {type(exc).__name__}: {exc}",
            "TSFIX_DEBUG=1 shows the traceback; please report it with that output",
        )
        raise typer.Exit(int(ExitCode.ENVIRONMENT)) from None


def _version(value: bool) -> None:
    if value:
        _out().print(f"tsfix {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    """Fix TypeScript compile errors with compiler-verified suggestions."""


# ----------------------------------------------------------------------------- shared options

StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store",
        envvar="TSFIX_STORE",
        help="Where to record: `sqlite:///path/tsfix.db`, `postgresql://…` or `supabase`. "
        "Default: `<project>/.tsfix/tsfix.db`.",
        show_default=False,
    ),
]
ProjectNameOption = Annotated[
    str | None,
    typer.Option(
        "--project-name",
        envvar="TSFIX_PROJECT_NAME",
        help="The key this project's errors are stored under. Default: git remote + folder, "
        "else package.json name.",
        show_default=False,
    ),
]


PathOption = Annotated[
    Path, typer.Option("--path", help="A folder inside the project.", show_default="current folder")
]


def _split(values: list[str] | None) -> list[str]:
    """`--code TS2322 --code TS2345` and `--code TS2322,TS2345` both work."""
    out: list[str] = []
    for value in values or []:
        out.extend(v.strip() for v in value.split(",") if v.strip())
    return out


def _examples(*commands: str, note: str | None = None) -> str:
    """A command's help epilog: its examples as a code block, then an optional note."""
    text = "**Examples**\n\n```\n" + "\n".join(commands) + "\n```"
    return text + (f"\n\n{note}" if note else "")


def _print_json(data: Any) -> None:
    """JSON on stdout: indented for a person at a terminal, compact (and much faster) for a pipe."""
    indent = 2 if sys.stdout.isatty() else None
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=indent))
    sys.stdout.write("\n")
    sys.stdout.flush()


# ----------------------------------------------------------------------------- scan


@app.command(
    epilog=_examples(
        "tsfix scan                        # the project around the current folder",
        "tsfix scan examples/webapp --format json",
        "tsfix scan --project tsconfig.app.json --timeout 300",
        "tsfix scan --format github        # annotations in a GitHub Actions job",
        note="Exit status: 0 no errors, 1 errors found, 2 usage or environment problem.",
    )
)
def scan(
    path: Annotated[
        Path, typer.Argument(help="A project folder or a tsconfig file.", show_default="current folder")
    ] = Path("."),
    project: Annotated[
        str | None,
        typer.Option("--project", "-p", help="The tsconfig to check, relative to PATH.", show_default=False),
    ] = None,
    tsc: Annotated[
        str | None,
        typer.Option(
            "--tsc",
            envvar="TSFIX_TSC",
            help="The tsc to run. Default: the nearest node_modules/.bin/tsc above the tsconfig.",
            show_default=False,
        ),
    ] = None,
    build: Annotated[
        bool,
        typer.Option(
            "--build",
            "-b",
            help="Check a solution-style config's project references (as `tsc --build`, "
            "but emitting only into a temporary folder).",
        ),
    ] = False,
    timeout: Annotated[
        float | None,
        typer.Option(
            "--timeout",
            envvar="TSFIX_TIMEOUT",
            min=0.1,
            help="Stop tsc after this many seconds.",
            show_default=False,
        ),
    ] = None,
    store: StoreOption = None,
    project_name: ProjectNameOption = None,
    output_format: Annotated[
        ScanFormat, typer.Option("--format", "-f", help="text for people, json or github for machines.")
    ] = ScanFormat.text,
) -> None:
    """Type-check a project with its own tsc and record every error with its code context."""
    from tsfix.pipeline import ScanOptions, scan_project

    options = ScanOptions(path, project, tsc, build, timeout, store, project_name)
    with _exit_codes():
        with _ScanProgress() as progress:
            report = scan_project(options, progress.update)
        from tsfix.render import github_annotations, scan_json, scan_summary  # after tsc has started

        if output_format is ScanFormat.json:
            _print_json(scan_json(report))
        elif output_format is ScanFormat.github:
            sys.stdout.writelines(line + "\n" for line in github_annotations(report))
            sys.stdout.flush()
            scan_summary(_err(), report)
        else:
            scan_summary(_out(), report)
    raise typer.Exit(int(ExitCode.ERRORS_FOUND if report.error_count else ExitCode.OK))


class _ScanProgress:
    """A spinner with elapsed time on stderr while tsc runs (shown only on a terminal)."""

    def __init__(self) -> None:
        self._console = _err()
        self._progress: Any = None
        if self._console.is_terminal:  # rich.progress is only imported when it will be shown
            from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=self._console,
                transient=True,
            )
            self._task = self._progress.add_task("Starting", total=None)

    def __enter__(self) -> _ScanProgress:
        if self._progress is not None:
            self._progress.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.stop()

    def update(self, event: str, data: dict[str, Any]) -> None:
        if event == "solution":
            text = f"{data['tsconfig']} only lists project references: checking them in build mode"
            self._console.print(f"[dim]{text}[/]")
            return
        if self._progress is None:
            return
        if event == "tsc":
            mode = " (build mode)" if data.get("build") else ""
            text = f"Type-checking {data['tsconfig']} with TypeScript {data.get('version') or '?'}{mode}"
        elif event == "context":
            text = f"Extracting code context for {data['diagnostics']:,} diagnostics"
        elif event == "store":
            text = f"Recording {data['errors']:,} errors"
        else:
            return
        self._progress.update(self._task, description=text)


# ----------------------------------------------------------------------------- list and show


def _locate_store(path: Path, store_url: str | None, project_name: str | None):  # -> (Store, project filter)
    """Open an existing store for reading: --store, else the project's `.tsfix/tsfix.db` at or above PATH.

    With the project's own store every project in it is listed; with an explicit --store (often
    shared by a team) only this project's errors, unless --project-name says otherwise.
    """
    from tsfix.pipeline import project_for_listing
    from tsfix.store import default_store_path, open_store

    if store_url:
        key = project_name or project_for_listing(path)
        return open_store(store_url, None, create=False), key
    start = path.resolve()
    for folder in (start, *start.parents):
        candidate = default_store_path(folder)
        if candidate.is_file():
            return open_store(None, folder, create=False), project_name
    raise StoreError(
        f"no tsfix store at or above {start}",
        hint="run `tsfix scan` in the project first, or pass --store",
    )


@app.command(
    name="list",
    epilog=_examples(
        "tsfix list                        # open errors: new, ai_suggested, applied",
        "tsfix list --status all --code TS2322,TS2345",
        "tsfix list --file src/components/ --json",
    ),
)
def list_errors(
    path: Annotated[
        Path, typer.Argument(help="A folder inside the project.", show_default="current folder")
    ] = Path("."),
    status: Annotated[
        list[str] | None,
        typer.Option(
            "--status",
            "-s",
            help=f"Filter by status: {', '.join(ERROR_STATUSES)}, open or all (repeatable, comma-separated).",
            show_default="open",
        ),
    ] = None,
    code: Annotated[
        list[str] | None,
        typer.Option("--code", "-c", help="Filter by code, e.g. TS2322.", show_default=False),
    ] = None,
    file: Annotated[
        list[str] | None,
        typer.Option(
            "--file", help="Filter by file or folder (relative to the project root).", show_default=False
        ),
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option("--limit", "-n", parser=count, help="Show at most this many.", show_default=False),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    store: StoreOption = None,
    project_name: ProjectNameOption = None,
) -> None:
    """List recorded errors."""
    from tsfix.render import error_table

    with _exit_codes():
        statuses = _statuses(_split(status))
        codes = [c.upper() if c.upper().startswith("TS") else f"TS{c}" for c in _split(code)]
        opened, project = _locate_store(path, store, project_name)
        with opened as st:
            rows = st.list_errors(
                project=project, statuses=statuses, codes=codes, files=_split(file), limit=limit
            )
        if as_json:
            _print_json([row.as_json() | {"context": None} for row in rows])
        else:
            error_table(
                _out(),
                rows,
                f"{len(rows):,} shown" + (f" (limit {limit})" if limit and len(rows) == limit else ""),
            )


def _statuses(values: list[str]) -> list[str] | None:
    if not values:
        return list(OPEN_STATUSES)
    if "all" in values:
        return None
    out: list[str] = []
    for value in values:
        if value == "open":
            out.extend(OPEN_STATUSES)
        elif value in ERROR_STATUSES:
            out.append(value)
        else:
            raise UsageError(
                f"unknown status {value!r}", hint=f"use {', '.join(ERROR_STATUSES)}, open or all"
            )
    return out


@app.command(
    epilog=_examples("tsfix show 12", "tsfix show 12 --json"),
)
def show(
    error_id: Annotated[str, typer.Argument(metavar="ID", help="An error id from `tsfix list`.")],
    path: Annotated[
        Path, typer.Option("--path", help="A folder inside the project.", show_default="current folder")
    ] = Path("."),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    store: StoreOption = None,
) -> None:
    """Show one error: its message, code context, history and suggested fixes."""
    from tsfix.render import error_detail, error_detail_json

    with _exit_codes():
        opened, _ = _locate_store(path, store, None)
        with opened as st:
            row = st.get_error(error_id)
            history = st.error_history(row.id)
            suggestions = st.suggestions(row.id)
        if as_json:
            _print_json(error_detail_json(row, history) | {"suggestions": [s.as_json() for s in suggestions]})
        else:
            error_detail(_out(), row, history, suggestions)


# ----------------------------------------------------------------------------- suggest


# suggest's options, shared by suggest, ci and worker
FixerOption = Annotated[
    list[str] | None,
    typer.Option(
        "--fixer",
        help="quickfix, repair, llama, openai (repeatable).",
        show_default="quickfix, repair, + the model",
    ),
]
ModelOption = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        envvar="TSFIX_MODEL",
        help="A GGUF file (llama), or the model name for --engine openai.",
        show_default=False,
    ),
]
EngineOption = Annotated[
    str | None, typer.Option("--engine", help="llama or openai.", show_default="llama with --model")
]
BaseUrlOption = Annotated[
    str | None,
    typer.Option(
        "--base-url",
        envvar="TSFIX_BASE_URL",
        help="An OpenAI-compatible server, e.g. http://host:8080/v1.",
        show_default=False,
    ),
]
ApiKeyEnvOption = Annotated[
    str, typer.Option("--api-key-env", help="The environment variable holding the server's API key.")
]
CandidatesOption = Annotated[
    int, typer.Option("--candidates", "-k", min=1, max=16, help="Model samples per error.")
]
NoLlmOption = Annotated[bool, typer.Option("--no-llm", help="Only quick fixes and repairs.")]
NGpuLayersOption = Annotated[
    int | None,
    typer.Option(
        "--n-gpu-layers", help="Layers on the GPU (-1 all).", show_default="all with CUDA/Metal, else 0"
    ),
]
CtxOption = Annotated[int, typer.Option("--ctx", min=512, help="The model's context size.")]
ThreadsOption = Annotated[
    int | None,
    typer.Option("--threads", min=1, help="CPU threads for the model.", show_default="llama.cpp's choice"),
]
TimeoutOption = Annotated[float, typer.Option("--timeout", min=1, help="Seconds per error for the model.")]
AllowSuppressionsOption = Annotated[
    bool,
    typer.Option(
        "--allow-suppressions",
        help="Keep candidates that add any, @ts-ignore, as unknown as, non-null ! (scored low).",
    ),
]
NoTs6Option = Annotated[
    bool,
    typer.Option(
        "--no-ts6",
        envvar="TSFIX_NO_TS6",
        help="For TypeScript 7 projects, do not also ask TypeScript 6's tsserver for quick fixes.",
    ),
]
KeepOption = Annotated[int, typer.Option("--keep", min=1, help="Candidates stored per error.")]


MODEL_OPTIONS = (
    "model", "engine", "base_url", "api_key_env", "candidates", "no_llm", "n_gpu_layers", "ctx", "threads",
    "timeout", "allow_suppressions", "keep",
)  # fmt: skip


def _model_options(values: dict[str, Any]) -> dict[str, Any]:
    """The fixer and model options (shared by suggest, ci and worker) from a command's arguments."""
    return {name: values[name] for name in ("fixer", "no_ts6", *MODEL_OPTIONS)}


def _suggest_options(*, fixer: list[str] | None, no_ts6: bool, **values: Any) -> Any:
    """SuggestOptions from suggest's options (also taken by ci and worker)."""
    from tsfix.suggest import SuggestOptions

    return SuggestOptions(fixers=_split(fixer) or None, ts6=not no_ts6, **values)


class SuggestFormat(StrEnum):
    text = "text"
    json = "json"


@app.command(
    epilog=_examples(
        "tsfix suggest                                 # quick fixes + repairs for every new error",
        "tsfix suggest --model ~/models/qwen2.5-coder-7b-instruct-q4_k_m.gguf",
        "tsfix suggest --engine openai --base-url http://gpu-box:8080/v1 --code TS2322",
        "tsfix suggest 12 17 --candidates 5 --format json",
        note="Every candidate is verified in memory with the project's own TypeScript: the error must go "
        "and no new error may appear in the edited files or the files importing them. Nothing on disk "
        "changes; `tsfix show ID` shows the candidates.",
    )
)
def suggest(
    ids: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[ID]...", help="Error ids (default: the selection below).", show_default=False
        ),
    ] = None,
    path: PathOption = Path("."),
    status: Annotated[
        list[str] | None,
        typer.Option("--status", "-s", help="Errors with these statuses.", show_default="new"),
    ] = None,
    code: Annotated[
        list[str] | None, typer.Option("--code", "-c", help="Only these codes.", show_default=False)
    ] = None,
    file: Annotated[
        list[str] | None, typer.Option("--file", help="Only these files or folders.", show_default=False)
    ] = None,
    limit: Annotated[
        int | None,
        typer.Option("--limit", "-n", parser=count, help="At most this many errors.", show_default=False),
    ] = None,
    fixer: FixerOption = None,
    model: ModelOption = None,
    engine: EngineOption = None,
    base_url: BaseUrlOption = None,
    api_key_env: ApiKeyEnvOption = "TSFIX_OPENAI_API_KEY",
    candidates: CandidatesOption = 3,
    no_llm: NoLlmOption = False,
    n_gpu_layers: NGpuLayersOption = None,
    ctx: CtxOption = 4096,
    threads: ThreadsOption = None,
    timeout: TimeoutOption = 60.0,
    allow_suppressions: AllowSuppressionsOption = False,
    no_ts6: NoTs6Option = False,
    keep: KeepOption = 5,
    store: StoreOption = None,
    project_name: ProjectNameOption = None,
    output_format: Annotated[
        SuggestFormat, typer.Option("--format", "-f", help="text or json.")
    ] = SuggestFormat.text,
) -> None:
    """Propose fixes for recorded errors, verify each with the compiler, and record them."""
    values = locals()  # the arguments, before anything else is defined
    from tsfix.suggest import suggest_errors

    with _exit_codes("interrupted; the suggestions recorded so far are kept"):
        options = _suggest_options(
            path=path,
            store=store,
            project_name=project_name,
            ids=list(ids or []),
            limit=limit,
            statuses=_statuses(_split(status)) if status else ["new"],
            codes=[c.upper() if c.upper().startswith("TS") else f"TS{c}" for c in _split(code)] or None,
            files=_split(file) or None,
            **_model_options(values),
        )
        with _SuggestProgress() as progress:
            report = suggest_errors(options, progress.update)
        from tsfix.render import suggest_json, suggest_summary

        if output_format is SuggestFormat.json:
            _print_json(suggest_json(report))
        else:
            suggest_summary(_out(), report)


class _SuggestProgress:
    """A progress bar on stderr: errors done, verified so far, tokens/s (only on a terminal)."""

    def __init__(self) -> None:
        self._console = _err()
        self._progress: Any = None
        self._task: Any = None
        self._verified = 0
        self._started = 0.0

    def __enter__(self) -> _SuggestProgress:
        if self._console.is_terminal:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeElapsedColumn,
            )

            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[detail]}"),
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

    def update(self, event: str, data: dict[str, Any]) -> None:
        import time as _time

        if event == "ts6_install":
            self._console.print(
                f"[dim]TypeScript 7 has few quick fixes: installing TypeScript {data['version']}'s tsserver into "
                f"{data['folder']} (once; --no-ts6 turns this off)[/]"
            )
        elif event == "ts6_failed":
            self._console.print(
                "[yellow]note:[/] could not install TypeScript 6; continuing with TypeScript 7's fixes only"
            )
        if self._progress is None:
            return
        if event == "model_loading":
            self._progress.update(self._task, description=f"Loading {data['model']}")
        elif event == "service":
            self._progress.update(self._task, description=f"Starting TypeScript {data.get('version') or '?'}")
        elif event == "selected":
            self._started = _time.perf_counter()
            self._progress.update(self._task, total=data["errors"], completed=0, description="Suggesting")
        elif event == "error_done":
            if data["outcome"].verified:
                self._verified += 1
            tokens, seconds = data["tokens"]
            rate = f" · {tokens / seconds:.1f} tok/s" if seconds > 0 else ""
            self._progress.update(self._task, completed=data["n"], detail=f"{self._verified} verified{rate}")


# ----------------------------------------------------------------------------- apply and undo


class ApplyFormat(StrEnum):
    text = "text"
    json = "json"


class CheckWith(StrEnum):
    service = "service"
    tsc = "tsc"


@app.command(
    epilog=_examples(
        "tsfix apply --all                          # the best verified fix of every error",
        "tsfix apply --all --dry-run                # show the diffs, write nothing",
        "tsfix apply 12 s40                         # error 12's best fix, and suggestion s40",
        "tsfix apply --code TS2551 --min-confidence 0.8 --interactive",
        "tsfix apply --all --patch fixes.diff       # for `git apply fixes.diff`; touches nothing",
        note="Only fixes the compiler verified are applied (unless --include-unverified). A file changed "
        "since `tsfix suggest` keeps your change: the fix is re-located by its context or skipped. After "
        "writing, the touched files are re-checked and any file with a new error is rolled back. "
        "Exit status: 0 done, 1 a selected fix could not be applied, 2 usage or environment problem.",
    )
)
def apply(
    ids: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[ID]...",
            help="Error ids (their best fix) or suggestion ids (s12).",
            show_default=False,
        ),
    ] = None,
    all_errors: Annotated[
        bool, typer.Option("--all", "-a", help="Every open error with a verified fix.")
    ] = False,
    min_confidence: Annotated[
        float,
        typer.Option("--min-confidence", min=0.0, max=1.0, help="Only fixes at least this confident."),
    ] = 0.0,
    fixer: Annotated[
        list[str] | None,
        typer.Option("--fixer", help="Only fixes from quickfix, repair, llama, openai.", show_default=False),
    ] = None,
    code: Annotated[
        list[str] | None, typer.Option("--code", "-c", help="Only these codes.", show_default=False)
    ] = None,
    file: Annotated[
        list[str] | None, typer.Option("--file", help="Only these files or folders.", show_default=False)
    ] = None,
    include_unverified: Annotated[
        bool,
        typer.Option(
            "--include-unverified", help="Also fixes the compiler did not verify (still re-checked after)."
        ),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", "-n", help="Show the diffs and a summary; write nothing.")
    ] = False,
    interactive: Annotated[
        bool, typer.Option("--interactive", "-i", help="Show each fix and ask: y(es) n(o) a(ll) q(uit).")
    ] = False,
    patch: Annotated[
        Path | None,
        typer.Option(
            "--patch", help="Write one unified diff for `git apply` instead of editing.", show_default=False
        ),
    ] = None,
    check_with: Annotated[
        CheckWith,
        typer.Option(
            "--check-with",
            help="Re-check with the language service, or a full tsc run (the fallback when the service "
            "cannot start).",
        ),
    ] = CheckWith.service,
    path: PathOption = Path("."),
    tsc: Annotated[
        str | None,
        typer.Option("--tsc", envvar="TSFIX_TSC", help="The tsc to use.", show_default="the project's"),
    ] = None,
    store: StoreOption = None,
    project_name: ProjectNameOption = None,
    output_format: Annotated[
        ApplyFormat, typer.Option("--format", "-f", help="text or json.")
    ] = ApplyFormat.text,
) -> None:
    """Apply verified fixes to the files, safely, then re-check them."""
    from tsfix.apply import FAILED, ApplyOptions, apply_fixes

    with _exit_codes():
        if dry_run and patch is not None:
            raise UsageError(
                "--dry-run and --patch do not go together", hint="--patch already writes nothing"
            )
        if interactive and output_format is ApplyFormat.json:
            raise UsageError("--interactive needs --format text", hint="drop one of them")
        options = ApplyOptions(
            path=path,
            tsc=tsc,
            store=store,
            project_name=project_name,
            ids=list(ids or []),
            all=all_errors,
            min_confidence=min_confidence,
            fixers=_split(fixer) or None,
            codes=[c.upper() if c.upper().startswith("TS") else f"TS{c}" for c in _split(code)] or None,
            files=_split(file) or None,
            include_unverified=include_unverified,
            dry_run=dry_run,
            patch=patch,
            check_with=check_with.value,
        )
        with _ApplyProgress() as progress:
            report = apply_fixes(options, progress.update, _ask_console(progress) if interactive else None)
        from tsfix.render import apply_json, apply_summary, diff_view

        if output_format is ApplyFormat.json:
            _print_json(apply_json(report))
        else:
            console = _out()
            if dry_run and report.diff:
                diff_view(console, report.diff)
            apply_summary(console, report)
    raise typer.Exit(int(ExitCode.ERRORS_FOUND if report.count(FAILED) else ExitCode.OK))


def _ask_console(progress: _ApplyProgress) -> Any:
    from tsfix.render import diff_view, suggestion_ref

    def ask(fix: Any, counter: str) -> str:
        progress.pause()
        console = _out()
        s = fix.suggestion
        title = (
            f"{counter} · error {fix.error.id} {fix.error.code} · {suggestion_ref(s.id)} {s.fixer} "
            f"· confidence {s.confidence:.2f}"
        )
        diff_view(console, fix.diff, title)
        while True:
            try:
                answer = input("Apply this fix? [y]es [n]o [a]ll [q]uit: ").strip().lower()[:1]
            except EOFError:
                return "q"
            if answer in ("y", "n", "a", "q"):
                return answer

    return ask


class _ApplyProgress:
    """A spinner on stderr while the language service checks the fixes (only on a terminal)."""

    def __init__(self) -> None:
        self._console = _err()
        self._status: Any = None

    def __enter__(self) -> _ApplyProgress:
        if self._console.is_terminal:
            self._status = self._console.status("Reading the suggestions")
            self._status.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.pause()

    def pause(self) -> None:
        if self._status is not None:
            self._status.stop()

    def update(self, event: str, data: dict[str, Any]) -> None:
        if event == "fallback":
            self._console.print(f"[yellow]note:[/] {data['reason']}; re-checking with tsc instead")
        if self._status is None:
            return
        messages = {
            "service": f"Starting TypeScript {data.get('version') or '?'}",
            "combining": f"Checking {data.get('fixes')} fixes together",
            "checking": f"Checking {data.get('files')} files before writing",
            "writing": f"Writing {data.get('files')} files",
            "rechecking": f"Re-checking {data.get('files')} files",
        }
        if event in messages:
            self._status.update(messages[event])
            self._status.start()


@app.command(
    epilog=_examples(
        "tsfix undo",
        "tsfix undo --path examples/webapp --format json",
        note="Restores the files the last `tsfix apply` changed from the copies it kept under .tsfix/undo/. "
        "A file changed since the apply is kept as it is, and said so.",
    )
)
def undo(
    path: PathOption = Path("."),
    store: StoreOption = None,
    output_format: Annotated[
        ApplyFormat, typer.Option("--format", "-f", help="text or json.")
    ] = ApplyFormat.text,
) -> None:
    """Restore the files of the last apply."""
    from tsfix.apply import undo_apply

    with _exit_codes():
        result = undo_apply(path, store)
        if output_format is ApplyFormat.json:
            _print_json(
                {
                    "undone": result.record.id if result.record else None,
                    "restored": result.restored,
                    "kept": [{"file": p, "reason": why} for p, why in result.refused],
                }
            )
        else:
            from tsfix.render import undo_summary

            undo_summary(_out(), result)
    raise typer.Exit(int(ExitCode.ERRORS_FOUND if result.refused else ExitCode.OK))


# ----------------------------------------------------------------------------- team stores

db_app = typer.Typer(
    help="Set up and inspect a store's schema (Postgres, Supabase, SQLite).",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)
app.add_typer(db_app, name="db")


@db_app.command(
    "migrate",
    epilog=_examples(
        "tsfix db migrate --store postgresql://postgres:secret@db.example.com:5432/postgres",
        'TSFIX_STORE="$DATABASE_URL" tsfix db migrate',
        note="Each migration runs in its own transaction and is recorded; a second run does nothing. "
        "Supabase: use the project's database connection string (REST cannot change the schema).",
    ),
)
def db_migrate_command(store: StoreOption = None, path: PathOption = Path(".")) -> None:
    """Apply the pending schema migrations to a store."""
    from tsfix.store.admin import db_migrate

    with _exit_codes():
        name, applied = db_migrate(store, path.resolve())
        console = _out()
        if applied:
            console.print(f"applied {', '.join(applied)} to {name}")
        else:
            console.print(f"{name} is up to date: nothing to apply")


@db_app.command(
    "status",
    epilog=_examples(
        "tsfix db status --store postgresql://…",
        "tsfix db status --store supabase --json",
        note="Exit status: 0 up to date, 1 migrations pending (or no schema), 2 the store cannot be reached.",
    ),
)
def db_status_command(
    store: StoreOption = None,
    path: PathOption = Path("."),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show which schema migrations a store has."""
    from tsfix.store.admin import db_status

    with _exit_codes():
        status = db_status(store, path.resolve())
        if as_json:
            _print_json(
                {
                    "store": status.store,
                    "up_to_date": status.up_to_date,
                    "applied": status.applied,
                    "pending": status.pending,
                    "version": status.version,
                    "expected_version": status.expected,
                }
            )
        else:
            console = _out()
            if status.expected is not None:
                state = "missing" if status.version is None else f"version {status.version}"
                console.print(f"{status.store}: tsfix schema {state} (this tsfix needs {status.expected})")
            for name in status.applied:
                console.print(f"  [green]applied[/]  {name}")
            for name in status.pending:
                console.print(f"  [yellow]pending[/]  {name}")
            if status.up_to_date:
                console.print("up to date")
            else:
                console.print(f"[yellow]not up to date[/]: {status.note or 'run `tsfix db migrate`'}")
    raise typer.Exit(0 if status.up_to_date else 1)


@app.command(
    epilog=_examples(
        "tsfix sync --store supabase        # after a scan could not reach the team store",
        "tsfix sync                         # lists what is waiting, and for which store",
        note="Uploads are idempotent: a scan the store already has is not recorded twice.",
    )
)
def sync(
    store: StoreOption = None,
    path: PathOption = Path("."),
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Upload scans that were kept locally because the team store could not be reached."""
    from tsfix.pipeline import find_project_root
    from tsfix.store.admin import sync_scans

    with _exit_codes():
        result = sync_scans(store, find_project_root(path))
        if as_json:
            _print_json(
                {
                    "store": result.store,
                    "uploaded": result.uploaded,
                    "waiting_elsewhere": result.waiting_elsewhere,
                }
            )
        else:
            console = _out()
            n = len(result.uploaded)
            console.print(
                f"uploaded {n} scan{'s' if n != 1 else ''} to {result.store}"
                if n
                else f"nothing to upload to {result.store}"
            )
            for remote, waiting in result.waiting_elsewhere:
                console.print(f"[yellow]{waiting} scan(s) still wait for {remote}[/]")


# ----------------------------------------------------------------------------- ci


def _ci_outputs(formats: list[str], outputs: list[str]) -> list[tuple[str, Path | None]]:
    """[(format, file or None for stdout)] from --format and --output FORMAT=FILE."""
    from tsfix.ci import FORMATS

    hint = f"formats: {', '.join(FORMATS)}; e.g. --format github --output sarif=tsfix.sarif"
    files: dict[str, Path] = {}
    for value in outputs:
        name, sep, target = value.partition("=")
        if not sep or not target or name not in FORMATS or name == "text":
            raise UsageError(f"--output {value!r}: expected FORMAT=FILE", hint=hint)
        files[name] = Path(target)
    chosen: list[str] = []
    for name in [*formats, *files]:
        if name not in FORMATS:
            raise UsageError(f"--format {name!r} is not a report format", hint=hint)
        if name not in chosen:
            chosen.append(name)
    chosen = chosen or ["text"]
    stdout = [n for n in chosen if n != "text" and n not in files]
    if len(stdout) > 1:
        raise UsageError(
            f"{' and '.join(stdout)} would both go to standard output",
            hint="send all but one to files: --output FORMAT=FILE",
        )
    return [(n, files.get(n)) for n in chosen]


@app.command(
    epilog=_examples(
        "tsfix ci                                            # scan + quick fixes; fail on any error",
        "tsfix ci --format github --output sarif=tsfix.sarif --output markdown=$GITHUB_STEP_SUMMARY",
        "tsfix ci --fail-on new --baseline .tsfix-baseline.json --patch tsfix.patch",
        "tsfix ci --write-baseline .tsfix-baseline.json --fail-on none   # on the main branch",
        "tsfix ci --store supabase --model ~/models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf --write",
        note="Formats: text, sarif (2.1.0, with the verified fixes), github (workflow annotations), json, "
        "markdown (for $GITHUB_STEP_SUMMARY or a merge-request comment, with diffs), junit. Each goes to "
        "standard output unless --output FORMAT=FILE. The gate looks at the code as checked out (not at "
        "--write's result). Exit status: 0 passed, 1 failed by --fail-on, 2 usage or environment problem.",
    )
)
def ci(
    path: Annotated[
        Path, typer.Argument(help="A project folder or a tsconfig file.", show_default="current folder")
    ] = Path("."),
    project: Annotated[
        str | None,
        typer.Option("--project", "-p", help="The tsconfig to check, relative to PATH.", show_default=False),
    ] = None,
    tsc: Annotated[
        str | None,
        typer.Option("--tsc", envvar="TSFIX_TSC", help="The tsc to run.", show_default="the project's"),
    ] = None,
    build: Annotated[bool, typer.Option("--build", "-b", help="Check project references.")] = False,
    tsc_timeout: Annotated[
        float | None,
        typer.Option("--tsc-timeout", min=0.1, help="Stop tsc after this many seconds.", show_default=False),
    ] = None,
    output_format: Annotated[
        list[str] | None,
        typer.Option("--format", "-f", help="Reports (repeatable, or comma-separated).", show_default="text"),
    ] = None,
    output: Annotated[
        list[str] | None,
        typer.Option("--output", "-o", help="FORMAT=FILE: write that report to FILE.", show_default=False),
    ] = None,
    fail_on: Annotated[
        str, typer.Option("--fail-on", help="any, new (not in the baseline) or none.")
    ] = "any",
    baseline: Annotated[
        Path | None,
        typer.Option(
            "--baseline", help="Known errors (a --write-baseline file).", show_default="the store's last scan"
        ),
    ] = None,
    write_baseline: Annotated[
        Path | None,
        typer.Option(
            "--write-baseline", help="Record this run's errors as the baseline.", show_default=False
        ),
    ] = None,
    patch: Annotated[
        Path | None,
        typer.Option(
            "--patch", help="Write the verified fixes as a patch (files untouched).", show_default=False
        ),
    ] = None,
    write: Annotated[bool, typer.Option("--write", help="Apply the verified fixes in place.")] = False,
    min_confidence: Annotated[
        float,
        typer.Option(
            "--min-confidence", min=0.0, max=1.0, help="Only report and apply fixes this confident."
        ),
    ] = 0.0,
    no_suggest: Annotated[bool, typer.Option("--no-suggest", help="Only scan and gate.")] = False,
    fixer: FixerOption = None,
    model: ModelOption = None,
    engine: EngineOption = None,
    base_url: BaseUrlOption = None,
    api_key_env: ApiKeyEnvOption = "TSFIX_OPENAI_API_KEY",
    candidates: CandidatesOption = 3,
    no_llm: NoLlmOption = False,
    n_gpu_layers: NGpuLayersOption = None,
    ctx: CtxOption = 4096,
    threads: ThreadsOption = None,
    timeout: TimeoutOption = 60.0,
    allow_suppressions: AllowSuppressionsOption = False,
    no_ts6: NoTs6Option = False,
    keep: KeepOption = 5,
    store: StoreOption = None,
    project_name: ProjectNameOption = None,
) -> None:
    """Scan, suggest and (optionally) apply in one step; write reports; fail the job by a rule."""
    values = locals()  # the arguments, before anything else is defined
    from tsfix.ci import CiOptions, run_ci

    with _exit_codes("interrupted; what was recorded so far is kept, and no file is left half-written"):
        outputs = _ci_outputs(_split(output_format), list(output or []))
        options = CiOptions(
            path=path,
            project=project,
            tsc=tsc,
            store=store,
            project_name=project_name,
            build=build,
            timeout=tsc_timeout,
            suggest=None if no_suggest else _suggest_options(**_model_options(values), statuses=None),
            fail_on=fail_on,
            baseline=baseline,
            write_baseline=write_baseline,
            patch=patch,
            write=write,
            min_confidence=min_confidence,
        )
        with _CiProgress() as progress:
            report = run_ci(options, progress.update)
        _write_ci_reports(report, outputs)
    raise typer.Exit(int(ExitCode.ERRORS_FOUND if report.failed else ExitCode.OK))


def _write_ci_reports(report: Any, outputs: list[tuple[str, Path | None]]) -> None:
    from tsfix.apply import atomic_write
    from tsfix.render import ci_summary
    from tsfix.reports import RENDERERS

    to_stdout = any(target is None and name != "text" for name, target in outputs)
    for name, target in outputs:
        if name == "text":
            ci_summary(_err() if to_stdout else _out(), report)
            continue
        data = RENDERERS[name](report)
        text = data if isinstance(data, str) else json.dumps(data, indent=2, ensure_ascii=False) + "\n"
        if target is None:
            sys.stdout.write(text)
            sys.stdout.flush()
        else:
            try:
                atomic_write(target, text.encode("utf-8"), 0o644)
            except OSError as exc:
                raise UsageError(
                    f"cannot write the {name} report to {target}: {exc.strerror}", hint="check the path"
                ) from None
    if all(name != "text" for name, _ in outputs):
        ci_summary(_err(), report, brief=True)


class _CiProgress:
    """A spinner on a terminal; in a CI log, one line per phase."""

    def __init__(self) -> None:
        self._console = _err()
        self._status: Any = None

    def __enter__(self) -> _CiProgress:
        if self._console.is_terminal:
            self._status = self._console.status("Starting")
            self._status.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._status is not None:
            self._status.stop()

    def _say(self, text: str) -> None:
        if self._status is not None:
            self._status.update(text)
        else:
            self._console.print(f"[dim]tsfix: {text}[/]")

    def update(self, event: str, data: dict[str, Any]) -> None:
        if event == "tsc":
            self._say(f"type-checking {data['tsconfig']} with TypeScript {data['version'] or '?'}")
        elif event == "service":
            self._say(f"starting TypeScript {data.get('version') or '?'}'s language service")
        elif event == "model_loading":
            self._say(f"loading {data['model']}")
        elif event == "selected" and "errors" in data:
            self._say(f"suggesting fixes for {data['errors']} errors")
        elif event == "error" and self._status is not None:
            self._status.update(f"suggesting {data['n']}/{data['of']}")
        elif event == "combining":
            self._say(f"checking {data['fixes']} fixes together")


# ----------------------------------------------------------------------------- worker


@app.command(
    epilog=_examples(
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
def worker(
    store: Annotated[
        str,
        typer.Option(
            "--store",
            envvar="TSFIX_STORE",
            help="The team store: `postgresql://…` or `supabase` (with SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY).",
            show_default=False,
        ),
    ],
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
        str | None,
        typer.Option("--name", help="This worker's name in claims.", show_default="host:pid"),
    ] = None,
    any_commit: Annotated[
        bool, typer.Option("--any-commit", help="Also take errors scanned at other commits than HEAD.")
    ] = False,
    fixer: FixerOption = None,
    model: ModelOption = None,
    engine: EngineOption = None,
    base_url: BaseUrlOption = None,
    api_key_env: ApiKeyEnvOption = "TSFIX_OPENAI_API_KEY",
    candidates: CandidatesOption = 3,
    no_llm: NoLlmOption = False,
    n_gpu_layers: NGpuLayersOption = None,
    ctx: CtxOption = 4096,
    threads: ThreadsOption = None,
    timeout: TimeoutOption = 60.0,
    allow_suppressions: AllowSuppressionsOption = False,
    no_ts6: NoTs6Option = False,
    keep: KeepOption = 5,
    project_name: ProjectNameOption = None,
    output_format: Annotated[
        SuggestFormat, typer.Option("--format", "-f", help="text or json (the summary at the end).")
    ] = SuggestFormat.text,
) -> None:
    """Take errors waiting for suggestions from a team store's queue, suggest, record; repeat."""
    values = locals()  # the arguments, before anything else is defined
    import signal
    import threading

    from tsfix.worker import WorkerOptions, run_worker

    with _exit_codes("interrupted; the claims in hand were given back, suggestions recorded so far are kept"):
        options = WorkerOptions(
            suggest=_suggest_options(
                path=path,
                store=store,
                project_name=project_name,
                **_model_options(values),
            ),
            name=name,
            batch=batch,
            lease=lease,
            once=once,
            max_errors=max_errors,
            poll=poll,
            any_commit=any_commit,
        )
        stop = threading.Event()
        console = _err()

        def on_term(signum: int, frame: Any) -> None:
            if not stop.is_set():
                console.print("[yellow]stopping:[/] finishing the error in hand, giving the rest back")
            stop.set()

        previous = signal.signal(signal.SIGTERM, on_term)
        try:
            with _WorkerProgress() as progress:
                report = run_worker(options, progress.update, stop)
        finally:
            signal.signal(signal.SIGTERM, previous)
        from tsfix.render import worker_summary

        if output_format is SuggestFormat.json:
            _print_json(report.as_json())
        else:
            worker_summary(_out(), report)


class _WorkerProgress:
    """A status line on stderr (on a terminal), and one line per batch otherwise, for logs."""

    def __init__(self) -> None:
        self._console = _err()
        self._status: Any = None

    def __enter__(self) -> _WorkerProgress:
        if self._console.is_terminal:
            self._status = self._console.status("Starting")
            self._status.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._status is not None:
            self._status.stop()

    def update(self, event: str, data: dict[str, Any]) -> None:
        report = data.get("report")
        done = f"{report.done} done, {report.with_fix} with a fix" if report is not None else ""
        if event == "ready" and report is not None:
            self._console.print(
                f"[dim]worker {report.worker}: {report.store_url}, project {report.project}, "
                f"commit {(report.commit or 'any')[:12]}, tier {report.tier}[/]"
            )
            for warning in report.warnings:
                self._console.print(f"[yellow]note:[/] {warning}")
        elif event == "claimed" and self._status is None:
            self._console.print(f"[dim]claimed {data['errors']} ({done})[/]")
        if self._status is None:
            return
        if event == "service":
            self._status.update(f"Starting TypeScript {data.get('version') or '?'}")
        elif event == "model_loading":
            self._status.update(f"Loading {data['model']}")
        elif event == "error":
            error = data["error"]
            self._status.update(f"{done} · {error.code} {error.file_path}:{error.line}")
        elif event == "idle":
            self._status.update(f"{done} · waiting for work")


def main() -> None:
    """Console-script entry point.

    After a command has finished (stores closed, temporary folders removed, output flushed) the
    process ends with os._exit: tearing down the interpreter would only free the objects of a large
    scan one by one, which takes a tenth of a second for 10,000 errors.
    """
    try:
        app()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        if not isinstance(exc.code, int) and exc.code is not None:
            print(exc.code, file=sys.stderr)
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (BrokenPipeError, ValueError):  # the reader went away (e.g. `tsfix list | head`)
        code = code or 1
    os._exit(code)
