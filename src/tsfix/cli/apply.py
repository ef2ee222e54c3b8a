"""`tsfix apply` and `tsfix undo`: write verified fixes to the files safely, and take them back."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from tsfix.cli.common import exit_codes
from tsfix.cli.options import (
    ErrorFilter,
    FormatOption,
    LsTimeoutOption,
    MinConfidenceOption,
    OutputFormat,
    PatchOption,
    PathOption,
    StoreOption,
    StoreOptions,
    TscOption,
    TscTimeoutOption,
    examples,
    split,
    takes_bundles,
)
from tsfix.errors import ExitCode, UsageError

commands = typer.Typer()


class CheckWith(StrEnum):
    service = "service"
    tsc = "tsc"


@dataclass(slots=True)
class WriteMode:
    """How apply writes (in place, a dry run, a patch, asking first) and how it re-checks."""

    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Show the diffs and a summary; write nothing (`-n` still works until the next release).",
        ),
    ] = False
    dry_run_short: Annotated[bool, typer.Option("-n", hidden=True, help="Old short form of --dry-run.")] = (
        False
    )
    interactive: Annotated[
        bool, typer.Option("--interactive", "-i", help="Show each fix and ask: y(es) n(o) a(ll) q(uit).")
    ] = False
    patch: PatchOption = None
    check_with: Annotated[
        CheckWith,
        typer.Option(
            "--check-with",
            help="Re-check with the language service, or a full tsc run (the fallback when the service "
            "cannot start).",
        ),
    ] = CheckWith.service

    @property
    def dry(self) -> bool:
        return self.dry_run or self.dry_run_short

    def check(self, output_format: OutputFormat) -> None:
        """Refuse the combinations that make no sense."""
        if self.dry and self.patch is not None:
            raise UsageError(
                "--dry-run and --patch do not go together", hint="--patch already writes nothing"
            )
        if self.interactive and output_format is OutputFormat.json:
            raise UsageError("--interactive needs --format text", hint="drop one of them")


@commands.command(
    epilog=examples(
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
@takes_bundles
def apply(
    *,
    ids: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[ID]...", help="Error ids (their best fix) or suggestion ids (s12).", show_default=False
        ),
    ] = None,
    all_errors: Annotated[
        bool, typer.Option("--all", "-a", help="Every open error with a verified fix.")
    ] = False,
    min_confidence: MinConfidenceOption = None,
    fixer: Annotated[
        list[str] | None,
        typer.Option(
            "--fixer", help="Only fixes from quickfix, repair, search, llama, openai.", show_default=False
        ),
    ] = None,
    select: ErrorFilter,
    include_unverified: Annotated[
        bool,
        typer.Option(
            "--include-unverified", help="Also fixes the compiler did not verify (still re-checked after)."
        ),
    ] = False,
    mode: WriteMode,
    ls_timeout: LsTimeoutOption = 120.0,
    path: PathOption = Path("."),
    tsc: TscOption = None,
    tsc_timeout: TscTimeoutOption = None,
    where: StoreOptions,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Apply verified fixes to the files, safely, then re-check them."""
    from tsfix.apply import ApplyOptions, apply_fixes
    from tsfix.fixers import resolve_fixers
    from tsfix.plan import FAILED
    from tsfix.project import resolve_project
    from tsfix.ui.apply import apply_json, apply_summary, ask_each_fix
    from tsfix.ui.common import diff_view, print_json, stdout_console
    from tsfix.ui.progress import ApplyProgress

    with exit_codes():
        mode.check(output_format)
        options = ApplyOptions(
            ids=list(ids or []),
            all=all_errors,
            min_confidence=min_confidence,
            fixers=resolve_fixers(split(fixer)) or None,
            codes=select.codes or None,
            files=select.files or None,
            include_unverified=include_unverified,
            dry_run=mode.dry,
            patch=mode.patch,
            check_with=mode.check_with.value,
            ls_timeout=ls_timeout,
            tsc_timeout=tsc_timeout,
        )
        project = resolve_project(path, tsc=tsc, store=where.store, name=where.project_name)
        with ApplyProgress() as progress:
            report = apply_fixes(
                project, options, progress.update, ask_each_fix(progress.pause) if mode.interactive else None
            )
        if output_format is OutputFormat.json:
            print_json(apply_json(report))
        else:
            console = stdout_console()
            if mode.dry and report.diff:
                diff_view(console, report.diff)
            apply_summary(console, report)
    raise typer.Exit(int(ExitCode.ERRORS_FOUND if report.count(FAILED) else ExitCode.OK))


@commands.command(
    epilog=examples(
        "tsfix undo",
        "tsfix undo --path examples/webapp --format json",
        note="Restores the files the last `tsfix apply` changed from the copies it kept under .tsfix/undo/. "
        "A file changed since the apply is kept as it is, and said so.",
    )
)
def undo(
    path: PathOption = Path("."),
    store: StoreOption = None,
    output_format: FormatOption = OutputFormat.text,
) -> None:
    """Restore the files of the last apply."""
    from tsfix.ui.apply import undo_json, undo_summary
    from tsfix.ui.common import print_json, stdout_console
    from tsfix.undo import undo_apply

    with exit_codes():
        result = undo_apply(path, store)
        if output_format is OutputFormat.json:
            print_json(undo_json(result))
        else:
            undo_summary(stdout_console(), result)
    raise typer.Exit(int(ExitCode.ERRORS_FOUND if result.refused else ExitCode.OK))
