"""What `tsfix ci` prints and writes: the gate's verdict with each error and its fix (rich), and the
reports (SARIF, GitHub annotations, JSON, Markdown, JUnit) to standard output or files."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.text import Text

from tsfix.errors import UsageError
from tsfix.redact import scrub
from tsfix.safe_text import terminal_safe
from tsfix.ui.common import location, stderr_console, stdout_console, suggestion_ref

if TYPE_CHECKING:
    from tsfix.ci import CiReport


def write_ci_reports(report: CiReport, outputs: list[tuple[str, Path | None]]) -> None:
    """Each (format, file) of --format/--output: the file written atomically, or standard output
    (then the text summary goes to stderr, and a brief one when no text report was asked for)."""
    from tsfix.files import atomic_write
    from tsfix.reports import RENDERERS

    to_stdout = any(target is None and name != "text" for name, target in outputs)
    for name, target in outputs:
        if name == "text":
            ci_summary(stderr_console() if to_stdout else stdout_console(), report)
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
        ci_summary(stderr_console(), report, brief=True)


def ci_summary(console: Console, report: CiReport, brief: bool = False) -> None:
    """The gate's verdict, and (unless brief) each error with its fix."""
    if not brief:
        for e in report.errors:
            err = e.error
            where = location(report.repo_path(err.file_path) if err.file_path else None, err.line, err.col)
            line = Text.assemble(
                (terminal_safe(where), "bold"),
                "  ",
                (terminal_safe(err.code), "red" if err.category == "error" else "yellow"),
                "  ",
                terminal_safe(scrub(err.message.splitlines()[0] if err.message else "")),
            )
            if e.new and report.fail_on == "new":
                line.append("  new", "magenta")
            if e.fix is not None:
                state = "applied" if e.applied else "fix"
                line.append(
                    terminal_safe(
                        f"  [{state} {e.fix.confidence:.2f} {e.fix.fixer} {suggestion_ref(e.fix.id)}]"
                    ),
                    "green",
                )
            console.print(line, soft_wrap=True)
        for entry in report.fixed_since:
            where = location(
                report.repo_path(entry["file"]) if entry.get("file") else None, entry.get("line"), None
            )
            console.print(
                Text.assemble(("fixed ", "green"), terminal_safe(f"{where}  {entry['code']}")), soft_wrap=True
            )
    apply = report.apply
    extra = []
    if report.fixable:
        extra.append(f"{len(report.fixable)} with a verified fix")
    if apply is not None and apply.mode == "apply":
        extra.append(f"{sum(1 for e in report.errors if e.applied)} applied")
    if apply is not None and apply.patch_path is not None:
        extra.append(f"patch {apply.patch_path}")
    if report.fixed_since:
        extra.append(f"{len(report.fixed_since)} fixed since the baseline")
    verdict = ("failed", "bold red") if report.failed else ("passed", "bold green")
    console.print(
        Text.assemble(
            "tsfix ci ",
            verdict,
            terminal_safe(f": {report.reason}" + (f" · {', '.join(extra)}" if extra else "")),
        ),
        soft_wrap=True,
    )
    for warning in report.warnings:
        console.print(Text.assemble(("note: ", "yellow"), terminal_safe(scrub(warning))), soft_wrap=True)
