"""`tsfix ci`: scan, suggest and (optionally) apply in one step, write the reports, gate the job."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from tsfix.cli.common import exit_codes
from tsfix.cli.options import (
    MinConfidenceOption,
    ModelOptions,
    PatchOption,
    ProjectArgument,
    StoreOptions,
    TscOptions,
    examples,
    split,
    takes_bundles,
)
from tsfix.errors import ExitCode, UsageError

commands = typer.Typer()


def ci_outputs(formats: list[str], outputs: list[str]) -> list[tuple[str, Path | None]]:
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


@commands.command(
    epilog=examples(
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
@takes_bundles
def ci(
    *,
    path: ProjectArgument = Path("."),
    compiler: TscOptions,
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
    patch: PatchOption = None,
    write: Annotated[bool, typer.Option("--write", help="Apply the verified fixes in place.")] = False,
    min_confidence: MinConfidenceOption = None,
    no_suggest: Annotated[bool, typer.Option("--no-suggest", help="Only scan and gate.")] = False,
    fixers: ModelOptions,
    where: StoreOptions,
) -> None:
    """Scan, suggest and (optionally) apply in one step; write reports; fail the job by a rule."""
    from tsfix.ci import CiOptions, run_ci
    from tsfix.ui.ci import write_ci_reports
    from tsfix.ui.progress import CiProgress

    with exit_codes("interrupted; what was recorded so far is kept, and no file is left half-written"):
        outputs = ci_outputs(split(output_format), list(output or []))
        options = CiOptions(
            build=compiler.build,
            timeout=compiler.tsc_timeout,
            suggest=None if no_suggest else fixers.suggest_options(statuses=None),
            fail_on=fail_on,
            baseline=baseline,
            write_baseline=write_baseline,
            patch=patch,
            write=write,
            min_confidence=min_confidence,
        )
        project = where.project(path, compiler)
        with CiProgress() as progress:
            report = run_ci(project, options, progress.update)
        write_ci_reports(report, outputs)
    raise typer.Exit(int(ExitCode.ERRORS_FOUND if report.failed else ExitCode.OK))
