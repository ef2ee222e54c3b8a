"""What `tsfix scan` prints: the human summary (rich), the JSON document, and GitHub workflow
annotations (one `::error file=…::message` line per error, also used by the ci reports)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tsfix.safe_text import terminal_safe
from tsfix.ui.common import plural, safe, seconds

if TYPE_CHECKING:
    from tsfix.records import ErrorInput
    from tsfix.scan import ScanReport

TOP_FILES = 15
TOP_CODES = 10


def scan_summary(console: Console, report: ScanReport) -> None:
    """The human summary of one scan: totals, errors by file and by code, changes since last scan."""
    scan = report.scan
    counts = report.outcome.counts
    mode = " · build mode" if report.build else ""
    console.print(
        Text.assemble(
            ("tsfix scan", "bold"),
            terminal_safe(
                f" · {scan.project} · TypeScript {scan.typescript_version or '?'} · "
                f"{scan.tsconfig}{mode} · {seconds(report.timings_ms.get('total', scan.duration_ms))} "
                f"(tsc {seconds(scan.tsc_ms)})"
            ),
        )
    )
    errors = [e for e in report.errors if e.category == "error"]
    if not report.errors:
        console.print("[bold green]✓ No errors.[/]")
    else:
        console.print(_by_file_table(report.errors))
        console.print(_by_code_table(report.errors, console.width))
    _scan_notes(console, report)
    console.print(
        safe(
            f"{plural(len(errors), 'error')} in {plural(counts.get('files', 0), 'file')}, recorded as scan "
            f"{report.outcome.scan_id} in {report.store_url}"
            + (" — `tsfix list` to browse, `tsfix show ID` for one" if errors else ""),
            style="dim",
        ),
        highlight=False,
    )


def _by_file_table(errors: Sequence[ErrorInput]) -> Table:
    by_file = Counter(e.file_path or "(project)" for e in errors)
    codes_by_file: dict[str, Counter[str]] = {}
    for e in errors:
        codes_by_file.setdefault(e.file_path or "(project)", Counter())[e.code] += 1
    table = Table(title="Errors by file", title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("file", overflow="fold")
    table.add_column("errors", justify="right", no_wrap=True)
    table.add_column("codes", overflow="ellipsis", no_wrap=True, max_width=40)
    for path, n in by_file.most_common(TOP_FILES):
        codes = ", ".join(f"{c}×{k}" if k > 1 else c for c, k in codes_by_file[path].most_common(4))
        table.add_row(safe(path), f"{n:,}", safe(codes))
    if len(by_file) > TOP_FILES:
        rest = sum(n for _, n in by_file.most_common()[TOP_FILES:])
        table.add_row(f"… {len(by_file) - TOP_FILES:,} more files", f"{rest:,}", "", style="dim")
    return table


def _by_code_table(errors: Sequence[ErrorInput], width: int) -> Table:
    by_code = Counter(e.code for e in errors)
    example: dict[str, str] = {}
    for e in errors:
        example.setdefault(e.code, e.message.split("\n", 1)[0])
    table = Table(title="Errors by code", title_justify="left", show_edge=False, pad_edge=False)
    table.add_column("code", no_wrap=True)
    table.add_column("count", justify="right", no_wrap=True)
    table.add_column("example", overflow="ellipsis", no_wrap=True, max_width=max(24, width - 24))
    for code, n in by_code.most_common(TOP_CODES):
        table.add_row(safe(code), f"{n:,}", safe(example[code]))
    if len(by_code) > TOP_CODES:
        rest = sum(n for _, n in by_code.most_common()[TOP_CODES:])
        table.add_row(f"… {len(by_code) - TOP_CODES} more", f"{rest:,}", "", style="dim")
    return table


def _scan_notes(console: Console, report: ScanReport) -> None:
    """What changed since the last scan, and the warnings and notes of this one."""
    counts = report.outcome.counts
    changes = Text()
    changes.append(f"{counts.get('new', 0):,} new", style="bold red" if counts.get("new") else "")
    changes.append(f" · {counts.get('open', 0):,} still open")
    if counts.get("reopened"):
        changes.append(f" · {counts['reopened']:,} reopened", style="yellow")
    changes.append(f" · {counts.get('fixed', 0):,} fixed", style="green" if counts.get("fixed") else "")
    changes.append(" since the last scan")
    console.print(changes)
    if not report.scan.complete:
        console.print(
            "[yellow]note:[/] tsc reported syntax errors only, so it did not type-check; "
            "errors recorded earlier stay open until a scan after these are fixed"
        )
    for warning in report.warnings:
        console.print(Text.assemble(("warning:", "yellow"), " ", terminal_safe(warning)), highlight=False)
    if report.context_problems:
        for path, problem in list(report.context_problems.items())[:5]:
            console.print(
                Text.assemble(("note:", "yellow"), terminal_safe(f" no code context for {path}: {problem}"))
            )


def scan_json(report: ScanReport) -> dict[str, Any]:
    """The machine-readable scan: the scan's facts, every error with its id and status, the fixed ones."""
    scan = report.scan
    return {
        "scan": {
            "id": report.outcome.scan_id,
            "project": scan.project,
            "project_root": scan.project_root,
            "tsconfig": scan.tsconfig,
            "typescript_version": scan.typescript_version,
            "git_commit": scan.git_commit,
            "git_branch": scan.git_branch,
            "started_at": scan.started_at,
            "duration_ms": scan.duration_ms,
            "tsc_ms": scan.tsc_ms,
            "build": report.build,
            "complete": scan.complete,
            "store": report.store_url,
            "counts": report.outcome.counts,
        },
        "warnings": report.warnings,
        "errors": [
            {
                "id": rec.id,
                "fingerprint": rec.fingerprint,
                "status": rec.status,
                "change": rec.change,
                "file": err.file_path,
                "line": err.line,
                "col": err.col,
                "code": err.code,
                "category": err.category,
                "message": err.message,
                "file_hash": err.file_hash,
                "context": err.context,
                "code_snippet": err.code_snippet,
            }
            for rec, err in zip(report.outcome.errors, report.errors, strict=True)
        ],
        "fixed": [
            {
                "id": f.id,
                "fingerprint": f.fingerprint,
                "file": f.file_path,
                "line": f.line,
                "code": f.code,
                "message": f.message,
            }
            for f in report.outcome.fixed
        ],
    }


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(
    category: str, path: str | None, line: int | None, col: int | None, title: str, message: str
) -> str:
    """One GitHub Actions workflow command: `::error file=…,line=…,col=…,title=TS2322::message`."""
    command = "error" if category == "error" else "warning" if category == "warning" else "notice"
    props = []
    if path:
        props.append(f"file={_escape_property(path)}")
        if line:
            props.append(f"line={line}")
        if col:
            props.append(f"col={col}")
    props.append(f"title={_escape_property(title)}")
    return f"::{command} {','.join(props)}::{_escape_data(message)}"


def github_annotations(report: ScanReport) -> Iterator[str]:
    for err in report.errors:
        yield annotation(err.category, err.file_path, err.line, err.col, err.code, err.message)
