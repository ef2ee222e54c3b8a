"""Everything tsfix prints: rich tables and panels for people, JSON and annotations for machines.

Functions that build machine output (`scan_json`, `github_annotations`) return plain data or strings;
the rich ones write to a Console they are given.

This is the terminal boundary: every file name, message, model text or source line that a rich
function prints goes through `_safe` / `terminal_safe` (no control or bidi character reaches the
terminal, a line break in a file name cannot forge another line) and is passed as `Text`, so rich
never reads markup such as `[red]` out of a file name. JSON output stays exact.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from tsfix.models import ErrorEvent, ErrorRow, SuggestionRow
from tsfix.pipeline import ScanReport
from tsfix.redact import scrub
from tsfix.safe_text import terminal_safe

TOP_FILES = 15
TOP_CODES = 10
STATUS_STYLES = {
    "new": "bold red",
    "ai_suggested": "yellow",
    "applied": "cyan",
    "fixed": "green",
    "dismissed": "dim",
}


def _seconds(ms: float) -> str:
    return f"{ms / 1000:.1f} s" if ms >= 1000 else f"{ms:.0f} ms"


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _safe(text: object, style: str = "", multiline: bool = False) -> Text:
    """Text as shown on a terminal: control characters escaped, no rich markup read from it."""
    return Text(terminal_safe(str(text), multiline=multiline), style=style)


def _location(path: str | None, line: int | None, col: int | None) -> str:
    if path is None:
        return "(project)"
    if not line:
        return path
    return f"{path}:{line}:{col}" if col else f"{path}:{line}"


# ----------------------------------------------------------------------------- scan


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
                f"{scan.tsconfig}{mode} · {_seconds(report.timings_ms.get('total', scan.duration_ms))} "
                f"(tsc {_seconds(scan.tsc_ms)})"
            ),
        )
    )
    errors = [e for e in report.errors if e.category == "error"]
    if not report.errors:
        console.print("[bold green]✓ No errors.[/]")
    else:
        by_file = Counter(e.file_path or "(project)" for e in report.errors)
        codes_by_file: dict[str, Counter[str]] = {}
        for e in report.errors:
            codes_by_file.setdefault(e.file_path or "(project)", Counter())[e.code] += 1
        table = Table(title="Errors by file", title_justify="left", show_edge=False, pad_edge=False)
        table.add_column("file", overflow="fold")
        table.add_column("errors", justify="right", no_wrap=True)
        table.add_column("codes", overflow="ellipsis", no_wrap=True, max_width=40)
        for path, n in by_file.most_common(TOP_FILES):
            codes = ", ".join(f"{c}×{k}" if k > 1 else c for c, k in codes_by_file[path].most_common(4))
            table.add_row(_safe(path), f"{n:,}", _safe(codes))
        if len(by_file) > TOP_FILES:
            rest = sum(n for _, n in by_file.most_common()[TOP_FILES:])
            table.add_row(f"… {len(by_file) - TOP_FILES:,} more files", f"{rest:,}", "", style="dim")
        console.print(table)

        by_code = Counter(e.code for e in report.errors)
        example: dict[str, str] = {}
        for e in report.errors:
            example.setdefault(e.code, e.message.split("\n", 1)[0])
        table = Table(title="Errors by code", title_justify="left", show_edge=False, pad_edge=False)
        table.add_column("code", no_wrap=True)
        table.add_column("count", justify="right", no_wrap=True)
        table.add_column("example", overflow="ellipsis", no_wrap=True, max_width=max(24, console.width - 24))
        for code, n in by_code.most_common(TOP_CODES):
            table.add_row(_safe(code), f"{n:,}", _safe(example[code]))
        if len(by_code) > TOP_CODES:
            rest = sum(n for _, n in by_code.most_common()[TOP_CODES:])
            table.add_row(f"… {len(by_code) - TOP_CODES} more", f"{rest:,}", "", style="dim")
        console.print(table)

    changes = Text()
    changes.append(f"{counts.get('new', 0):,} new", style="bold red" if counts.get("new") else "")
    changes.append(f" · {counts.get('open', 0):,} still open")
    if counts.get("reopened"):
        changes.append(f" · {counts['reopened']:,} reopened", style="yellow")
    changes.append(f" · {counts.get('fixed', 0):,} fixed", style="green" if counts.get("fixed") else "")
    changes.append(" since the last scan")
    console.print(changes)
    if not scan.complete:
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
    console.print(
        _safe(
            f"{_plural(len(errors), 'error')} in {_plural(counts.get('files', 0), 'file')}, recorded as scan "
            f"{report.outcome.scan_id} in {report.store_url}"
            + (" — `tsfix list` to browse, `tsfix show ID` for one" if errors else ""),
            style="dim",
        ),
        highlight=False,
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


# ----------------------------------------------------------------------------- list and show


def error_table(console: Console, rows: Sequence[ErrorRow], total_note: str | None = None) -> None:
    if not rows:
        console.print("No errors match.", style="dim")
        return
    locations = [_location(row.file_path, row.line, row.col) for row in rows]
    fixed = (
        max(len(str(row.id)) for row in rows)
        + max(len(row.status) for row in rows)
        + max(len(row.code) for row in rows)
        + min(max(len(loc) for loc in locations), 60)
        + 4 * 3  # separators and padding
    )
    table = Table(show_edge=False, pad_edge=False)
    table.add_column("id", justify="right", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("code", no_wrap=True)
    table.add_column("location", overflow="fold", max_width=60)
    table.add_column("message", overflow="ellipsis", no_wrap=True, max_width=max(24, console.width - fixed))
    for row, location in zip(rows, locations, strict=True):
        table.add_row(
            str(row.id),
            _safe(row.status, style=STATUS_STYLES.get(row.status, "")),
            _safe(row.code),
            _safe(location),
            _safe(row.message.split("\n", 1)[0]),
        )
    console.print(table)
    if total_note:
        console.print(_safe(total_note, style="dim"))


def _lexer(language: str | None) -> str:
    if language == "tsx":
        from pygments.lexers import find_lexer_class_by_name
        from pygments.util import ClassNotFound

        try:
            find_lexer_class_by_name("tsx")
            return "tsx"
        except ClassNotFound:
            return "typescript"
    return "typescript"


def error_detail(
    console: Console, row: ErrorRow, history: Sequence[ErrorEvent], suggestions: Sequence[SuggestionRow] = ()
) -> None:
    """One error: message, context with syntax highlighting, history, suggested fixes."""
    title = Text.assemble(
        (f"#{row.id} ", "bold"),
        (terminal_safe(row.code), "bold magenta"),
        " · ",
        (terminal_safe(row.status), STATUS_STYLES.get(row.status, "")),
    )
    console.print(title)
    console.print(_safe(_location(row.file_path, row.line, row.col), style="cyan"))
    console.print(_safe(row.message, multiline=True))
    ctx = row.context or {}
    if row.code_snippet:
        where = ctx.get("kind", "code")
        if ctx.get("symbol_path"):
            where += f" {ctx['symbol_path']}"
        syntax = Syntax(
            terminal_safe(row.code_snippet, multiline=True),
            _lexer(ctx.get("language")),
            line_numbers=True,
            start_line=ctx.get("snippet_start_line", 1),
            highlight_lines={row.line} if row.line else None,
            word_wrap=False,
        )
        console.print(Panel(syntax, title=_safe(where), title_align="left", subtitle=_context_subtitle(ctx)))
    elif ctx.get("problem"):
        console.print(Text.assemble(("no code context:", "yellow"), " ", terminal_safe(str(ctx["problem"]))))
    if history:
        table = Table(title="History", title_justify="left", show_edge=False, pad_edge=False)
        table.add_column("when")
        table.add_column("scan", justify="right")
        table.add_column("event")
        table.add_column("status")
        for ev in history:
            status = f"{ev.from_status} → {ev.to_status}" if ev.from_status else (ev.to_status or "")
            table.add_row(_safe(ev.created_at), str(ev.scan_id or ""), _safe(ev.event), _safe(status))
        console.print(table)
    for suggestion in suggestions:
        suggestion_panel(console, suggestion)
    console.print(
        _safe(
            f"seen in {_plural(row.occurrences, 'scan')} (first {row.first_seen_scan}, last {row.last_seen_scan})"
            f" · fingerprint {row.fingerprint}",
            style="dim",
        )
    )


def suggestion_ref(suggestion_id: int | str) -> str:
    """How a suggestion is named on the command line: `s12`, or `s` + the first 8 characters of a uuid."""
    text = str(suggestion_id)
    return f"s{text[:8]}" if len(text) == 36 else f"s{text}"


def suggestion_panel(console: Console, s: SuggestionRow) -> None:
    """One suggested fix: its confidence, whether the compiler verified it, and the diff."""
    mark = Text("✓ verified", style="green") if s.verified else Text("✗ not verified", style="yellow")
    source = s.fixer + (f" ({s.model_name})" if s.model_name else "")
    title = Text.assemble(
        (terminal_safe(f"suggestion {suggestion_ref(s.id)} "), "bold"),
        terminal_safe(f"· {source} · confidence {s.confidence:.2f} · "),
        mark,
    )
    details = s.verification or {}
    subtitle = str(details.get("description") or s.explanation or "")
    body: Any = Syntax(
        terminal_safe(s.suggestion.rstrip("\n"), multiline=True) or "(no change)", "diff", word_wrap=False
    )
    if s.applied_at:
        subtitle = f"applied {s.applied_at}"
    console.print(
        Panel(
            body,
            title=title,
            title_align="left",
            subtitle=_safe(subtitle[:100]) if subtitle else None,
            subtitle_align="left",
        )
    )


def suggest_summary(console: Console, report: Any) -> None:
    """The human summary of `tsfix suggest`: per error, the best candidate; totals; a hint."""
    outcomes = report.outcomes
    if not outcomes:
        console.print(
            "No errors to suggest fixes for (none match, or `tsfix scan` has not run).", style="dim"
        )
        if report.hint:
            console.print(_safe(f"hint: {report.hint}", style="dim"))
        return
    locations = [_location(o.error.file_path, o.error.line, None) for o in outcomes]
    used = max(len(str(o.error.id)) for o in outcomes) + max(len(o.error.code) for o in outcomes)
    used += min(max(len(loc) for loc in locations), 48) + 5 + 1 + 5 * 3
    table = Table(show_edge=False, pad_edge=False)
    table.add_column("id", justify="right", no_wrap=True)
    table.add_column("code", no_wrap=True)
    table.add_column("location", overflow="fold", max_width=48)
    table.add_column("conf.", justify="right", no_wrap=True)
    table.add_column("", no_wrap=True)
    table.add_column("best fix", overflow="ellipsis", no_wrap=True, max_width=max(20, console.width - used))
    for o, location in zip(outcomes, locations, strict=True):
        e = o.error
        best = o.best
        if best is None:
            table.add_row(
                str(e.id), _safe(e.code), _safe(location), "", "", _safe((o.note or "")[:160], style="dim")
            )
            continue
        mark = Text("✓", style="green") if best.verification.verified else Text("✗", style="yellow")
        what = Text.assemble(
            terminal_safe(best.candidate.description), (terminal_safe(f"  {best.candidate.fixer}"), "dim")
        )
        table.add_row(str(e.id), _safe(e.code), _safe(location), f"{best.confidence:.2f}", mark, what)
    console.print(table)
    fixed = sum(1 for o in outcomes if o.verified)
    tried = sum(o.tried for o in outcomes)
    line = f"{fixed:,} of {_plural(len(outcomes), 'error')} have a verified fix ({tried:,} candidates checked"
    if report.verify_ms:
        ordered = sorted(report.verify_ms)
        line += f", {ordered[len(ordered) // 2]:.0f} ms median verification"
    line += f") · {report.service}" + (f" + {report.helper}" if report.helper else "")
    if report.model:
        rate = (
            f", {report.tokens_out / report.generation_seconds:.1f} tok/s"
            if report.generation_seconds
            else ""
        )
        line += f" · {report.model}{rate}"
    console.print(_safe(line, style="dim"), highlight=False)
    console.print("`tsfix show ID` shows an error's candidates as diffs.", style="dim")
    if report.hint:
        console.print(_safe(f"hint: {report.hint}", style="dim"))


def suggest_json(report: Any) -> dict[str, Any]:
    ordered = sorted(report.verify_ms)
    return {
        "store": report.store_url,
        "language_service": report.service,
        "helper": report.helper,
        "model": report.model,
        "tokens_out": report.tokens_out,
        "verify_ms_median": ordered[len(ordered) // 2] if ordered else None,
        "errors": [
            {
                "id": o.error.id,
                "file": o.error.file_path,
                "line": o.error.line,
                "col": o.error.col,
                "code": o.error.code,
                "message": o.error.message,
                "note": o.note,
                "candidates_checked": o.tried,
                "suggestions": [
                    {
                        "id": sid,
                        "fixer": s.suggestion.fixer,
                        "model_name": s.suggestion.model_name,
                        "confidence": s.confidence,
                        "verified": s.verification.verified,
                        "explanation": s.suggestion.explanation,
                        "verification": s.verification.summary,
                        "suggestion": s.suggestion.suggestion,
                        "edits": s.suggestion.edits,
                    }
                    for sid, s in zip(o.ids, o.kept, strict=False)
                ],
            }
            for o in report.outcomes
        ],
        "hint": report.hint,
    }


def _context_subtitle(ctx: dict[str, Any]) -> str | None:
    if not ctx:
        return None
    span = f"lines {ctx.get('start_line')}–{ctx.get('end_line')}"
    return span + (" (excerpt)" if ctx.get("truncated") else "")


def error_detail_json(row: ErrorRow, history: Sequence[ErrorEvent]) -> dict[str, Any]:
    data = row.as_json()
    data["history"] = [
        {
            "scan_id": ev.scan_id,
            "event": ev.event,
            "from_status": ev.from_status,
            "to_status": ev.to_status,
            "created_at": ev.created_at,
        }
        for ev in history
    ]
    return data


def problem(console: Console, message: str, hint: str | None) -> None:
    """The one-line error (and hint) every failure prints."""
    # a file name in the message may hold a line break: escaped, so the error stays one line
    console.print(
        Text.assemble(("error: ", "bold red"), terminal_safe(scrub(message))), highlight=False, soft_wrap=True
    )
    if hint:
        console.print(
            Text.assemble(("hint: ", "bold"), terminal_safe(scrub(hint))), highlight=False, soft_wrap=True
        )


# ----------------------------------------------------------------------------- apply

APPLY_MARKS = {
    "applied": ("✓ applied", "green"),
    "planned": ("• would apply", "cyan"),
    "pending": ("– pending", "yellow"),
    "failed": ("✗ not applied", "red"),
}


def diff_view(console: Console, diff: str, title: str | None = None) -> None:
    """A unified diff, highlighted."""
    body = Syntax(terminal_safe(diff.rstrip("\n"), multiline=True) or "(no change)", "diff", word_wrap=False)
    console.print(Panel(body, title=_safe(title), title_align="left") if title else body)


def _fix_outcome(fix: Any) -> Text:
    if fix.state == "applied":
        if fix.error_gone is True:
            return Text("error gone", style="green")
        if fix.error_gone is False:
            return Text("error still reported", style="yellow")
        return Text("applied", style="green")
    if fix.state == "planned" and fix.suggestion is not None:
        return _safe(fix.suggestion.explanation or "", style="dim")
    return _safe(fix.reason or "", style="dim" if fix.state == "pending" else "red")


def apply_summary(console: Console, report: Any) -> None:
    """The human summary of `tsfix apply`: one row per selected fix, then what changed on disk."""
    fixes = report.fixes
    if not fixes:
        console.print("Nothing to apply: no verified suggestion matches.", style="dim")
        console.print(
            "[dim]hint: `tsfix suggest` proposes fixes; `tsfix list --status ai_suggested` shows errors that have them[/]"
        )
        return
    table = Table(show_edge=False, pad_edge=False)
    table.add_column("error", justify="right", no_wrap=True)
    table.add_column("fix", no_wrap=True)
    table.add_column("code", no_wrap=True)
    table.add_column("location", overflow="fold", max_width=40)
    table.add_column("conf.", justify="right", no_wrap=True)
    table.add_column("", no_wrap=True)
    table.add_column("outcome", overflow="fold")
    for fix in fixes:
        e, s = fix.error, fix.suggestion
        label, style = APPLY_MARKS[fix.state]
        table.add_row(
            str(e.id),
            _safe(suggestion_ref(s.id)) if s is not None else "",
            _safe(e.code),
            _safe(_location(e.file_path, e.line, None)),
            f"{s.confidence:.2f}" if s is not None else "",
            Text(label, style=style),
            _fix_outcome(fix),
        )
    console.print(table)
    for fix in fixes:
        for note in fix.notes:
            console.print(_safe(f"note: error {fix.error.id}: {note}", style="dim"), highlight=False)
    counts = Counter(f.state for f in fixes)
    parts = [
        f"{counts[state]} {APPLY_MARKS[state][0].split(' ', 1)[1]}" for state in APPLY_MARKS if counts[state]
    ]
    line = " · ".join(parts)
    if report.mode == "apply" and report.written:
        line += f" · {_plural(len(report.written), 'file')} written"
        if report.problems_before is not None:
            line += (
                f" · errors in the re-checked files: {report.problems_before} → {report.problems_after}"
                f" ({report.checked_with})"
            )
    if report.rolled_back:
        line += f" · rolled back: {', '.join(report.rolled_back)}"
    console.print(_safe(line, style="dim"), highlight=False)
    if report.mode == "apply":  # every file written, by name: a fix cannot change a file unseen
        for path in report.written:
            console.print(Text.assemble(("wrote", "green"), " ", terminal_safe(path)), highlight=False)
    for warning in report.warnings:
        console.print(
            Text.assemble(("warning:", "yellow"), " ", terminal_safe(scrub(warning))), highlight=False
        )
    if report.mode == "patch":
        console.print(
            _safe(f"Patch written to {report.patch_path} (`git apply {report.patch_path}` applies it).")
        )
    elif report.mode == "dry-run":
        console.print("Dry run: nothing was written.", style="dim")
    elif report.undo_id:
        console.print("`tsfix undo` restores the files; `tsfix scan` records what is fixed.", style="dim")


def apply_json(report: Any) -> dict[str, Any]:
    return {
        "mode": report.mode,
        "store": report.store_url,
        "fixes": [
            {
                "error_id": f.error.id,
                "suggestion_id": f.suggestion.id if f.suggestion is not None else None,
                "code": f.error.code,
                "file": f.error.file_path,
                "line": f.error.line,
                "fixer": f.suggestion.fixer if f.suggestion is not None else None,
                "confidence": f.suggestion.confidence if f.suggestion is not None else None,
                "verified": f.suggestion.verified if f.suggestion is not None else None,
                "state": f.state,
                "reason": f.reason,
                "notes": f.notes,
                "error_gone": f.error_gone,
                "new_errors": f.new_errors,
                "files": f.files,
            }
            for f in report.fixes
        ],
        "counts": {state: report.count(state) for state in APPLY_MARKS},
        "written": report.written,
        "rolled_back": report.rolled_back,
        "patch": str(report.patch_path) if report.patch_path else None,
        "undo_id": report.undo_id,
        "checked_with": report.checked_with,
        "problems_before": report.problems_before,
        "problems_after": report.problems_after,
        "diff": report.diff,
        "warnings": [scrub(w) for w in report.warnings],
    }


def undo_summary(console: Console, result: Any) -> None:
    for path in result.restored:
        console.print(Text.assemble(("restored", "green"), " ", terminal_safe(path)), highlight=False)
    for path, why in result.refused:
        console.print(
            Text.assemble(("kept", "yellow"), " ", terminal_safe(f"{path}: {why}")), highlight=False
        )
    console.print(
        f"Undid the apply of {result.record.created_at}: {_plural(len(result.restored), 'file')} restored"
        + (f", {len(result.refused)} kept" if result.refused else "")
        + ".",
        style="dim",
        highlight=False,
    )


# ----------------------------------------------------------------------------- worker


def worker_summary(console: Console, report: Any) -> None:
    why = {"drained": "nothing left to claim", "max-errors": "--max-errors reached", "signal": "stopped"}
    rate = (
        f", {report.done / report.seconds * 60:.1f} errors/minute" if report.seconds and report.done else ""
    )
    console.print(
        _safe(
            f"worker {report.worker}: {report.done} errors suggested ({report.with_fix} with a verified fix) "
            f"in {report.batches} batches, {report.seconds:.1f} s{rate}; {why.get(report.stopped, report.stopped)}"
        )
    )
    if report.lost:
        console.print(
            f"[yellow]note:[/] {report.lost} claims ran out and were taken over by another worker "
            "(nothing recorded for them here); a longer --lease avoids that"
        )
    if report.released:
        console.print(f"{report.released} claimed errors given back to the queue")


# ----------------------------------------------------------------------------- ci


def ci_summary(console: Console, report: Any, brief: bool = False) -> None:
    """The gate's verdict, and (unless brief) each error with its fix."""
    if not brief:
        for e in report.errors:
            err = e.error
            where = _location(report.repo_path(err.file_path) if err.file_path else None, err.line, err.col)
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
            where = _location(
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
