"""`tsfix scan`, `tsfix list` and `tsfix show`: record a project's errors, then browse them."""

from __future__ import annotations

import dataclasses
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from tsfix.cli.common import exit_codes
from tsfix.cli.options import (
    ErrorFilter,
    FolderArgument,
    JsonOption,
    LimitOption,
    ListStatusOption,
    PathOption,
    ProjectArgument,
    StoreOption,
    StoreOptions,
    TscOptions,
    TscTimeoutAlias,
    examples,
    statuses,
    takes_bundles,
)
from tsfix.errors import ExitCode, StoreError

if TYPE_CHECKING:
    from tsfix.store import Store

commands = typer.Typer()


class ScanFormat(StrEnum):
    text = "text"
    json = "json"
    github = "github"


@commands.command(
    epilog=examples(
        "tsfix scan                        # the project around the current folder",
        "tsfix scan examples/webapp --format json",
        "tsfix scan --project tsconfig.app.json --tsc-timeout 300",
        "tsfix scan --format github        # annotations in a GitHub Actions job",
        note="Exit status: 0 no errors, 1 errors found, 2 usage or environment problem. "
        "`--timeout` (now `--tsc-timeout`) still works until the next release.",
    )
)
@takes_bundles
def scan(
    *,
    path: ProjectArgument = Path("."),
    compiler: TscOptions,
    timeout: TscTimeoutAlias = None,
    where: StoreOptions,
    output_format: Annotated[
        ScanFormat, typer.Option("--format", "-f", help="text for people, json or github for machines.")
    ] = ScanFormat.text,
) -> None:
    """Type-check a project with its own tsc and record every error with its code context."""
    from tsfix.scan import ScanOptions, scan_project
    from tsfix.ui.common import print_json, stderr_console, stdout_console
    from tsfix.ui.progress import ScanProgress

    if timeout is not None:
        compiler = dataclasses.replace(compiler, tsc_timeout=timeout)
    options = ScanOptions(build=compiler.build, timeout=compiler.tsc_timeout)
    with exit_codes():
        project = where.project(path, compiler)
        with ScanProgress() as progress:
            report = scan_project(project, options, progress.update)
        from tsfix.ui.scan import github_annotations, scan_json, scan_summary  # after tsc has started

        if output_format is ScanFormat.json:
            print_json(scan_json(report))
        elif output_format is ScanFormat.github:
            sys.stdout.writelines(line + "\n" for line in github_annotations(report))
            sys.stdout.flush()
            scan_summary(stderr_console(), report)
        else:
            scan_summary(stdout_console(), report)
    raise typer.Exit(int(ExitCode.ERRORS_FOUND if report.error_count else ExitCode.OK))


def locate_store(path: Path, store_url: str | None, project_name: str | None) -> tuple[Store, str | None]:
    """Open an existing store for reading: --store, else the project's `.tsfix/tsfix.db` at or above PATH.

    With the project's own store every project in it is listed; with an explicit --store (often
    shared by a team) only this project's errors, unless --project-name says otherwise.
    """
    from tsfix.project import project_for_listing
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


@commands.command(
    name="list",
    epilog=examples(
        "tsfix list                        # open errors: new, ai_suggested, applied",
        "tsfix list --status all --code TS2322,TS2345",
        "tsfix list --file src/components/ --json",
    ),
)
@takes_bundles
def list_errors(
    *,
    path: FolderArgument = Path("."),
    status: ListStatusOption = None,
    select: ErrorFilter,
    limit: LimitOption = None,
    as_json: JsonOption = False,
    where: StoreOptions,
) -> None:
    """List recorded errors."""
    from tsfix.ui.common import print_json, stdout_console
    from tsfix.ui.errors import error_table

    with exit_codes():
        chosen = statuses(status)
        opened, project = locate_store(path, where.store, where.project_name)
        with opened as st:
            rows = st.list_errors(
                project=project, statuses=chosen, codes=select.codes, files=select.files, limit=limit
            )
        if as_json:
            print_json([row.as_json() | {"context": None} for row in rows])
        else:
            error_table(
                stdout_console(),
                rows,
                f"{len(rows):,} shown" + (f" (limit {limit})" if limit and len(rows) == limit else ""),
            )


@commands.command(epilog=examples("tsfix show 12", "tsfix show 12 --json"))
def show(
    error_id: Annotated[str, typer.Argument(metavar="ID", help="An error id from `tsfix list`.")],
    path: PathOption = Path("."),
    as_json: JsonOption = False,
    store: StoreOption = None,
) -> None:
    """Show one error: its message, code context, history and suggested fixes."""
    from tsfix.ui.common import print_json, stdout_console
    from tsfix.ui.errors import error_detail, error_detail_json

    with exit_codes():
        opened, _ = locate_store(path, store, None)
        with opened as st:
            row = st.get_error(error_id)
            history = st.error_history(row.id)
            suggestions = st.suggestions(row.id)
        if as_json:
            print_json(error_detail_json(row, history) | {"suggestions": [s.as_json() for s in suggestions]})
        else:
            error_detail(stdout_console(), row, history, suggestions)
