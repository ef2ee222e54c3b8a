"""`tsfix suggest`: propose fixes for recorded errors, verify each with the compiler, record them."""

from __future__ import annotations

from pathlib import Path

import typer

from tsfix.cli.common import exit_codes
from tsfix.cli.options import (
    ErrorFilter,
    FormatOption,
    IdsArgument,
    LimitOption,
    ModelOptions,
    OutputFormat,
    PathOption,
    StoreOptions,
    SuggestStatusOption,
    examples,
    statuses,
    takes_bundles,
)

commands = typer.Typer()


@commands.command(
    epilog=examples(
        "tsfix suggest                                 # quick fixes + repairs for every new error",
        "tsfix suggest --model ~/models/qwen2.5-coder-7b-instruct-q4_k_m.gguf",
        "tsfix suggest --engine openai --base-url http://gpu-box:8080/v1 --code TS2322",
        "tsfix suggest 12 17 --candidates 5 --format json",
        note="Every candidate is verified in memory with the project's own TypeScript: the error must go "
        "and no new error may appear in the edited files or the files importing them. Nothing on disk "
        "changes; `tsfix show ID` shows the candidates.",
    )
)
@takes_bundles
def suggest(
    *,
    ids: IdsArgument = None,
    path: PathOption = Path("."),
    status: SuggestStatusOption = None,
    select: ErrorFilter,
    limit: LimitOption = None,
    fixers: ModelOptions,
    where: StoreOptions,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Propose fixes for recorded errors, verify each with the compiler, and record them."""
    from tsfix.records import ErrorStatus
    from tsfix.suggest import suggest_errors
    from tsfix.ui.common import print_json, stdout_console
    from tsfix.ui.progress import SuggestProgress

    with exit_codes("interrupted; the suggestions recorded so far are kept"):
        options = fixers.suggest_options(
            ids=list(ids or []),
            limit=limit,
            statuses=statuses(status) if status else [ErrorStatus.NEW.value],
            codes=select.codes or None,
            files=select.files or None,
        )
        project = where.project(path)
        with SuggestProgress() as progress:
            report = suggest_errors(project, options, progress.update)
        from tsfix.ui.suggest import suggest_json, suggest_summary

        if output_format is OutputFormat.json:
            print_json(suggest_json(report))
        else:
            suggest_summary(stdout_console(), report)
