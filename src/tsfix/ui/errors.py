"""What `tsfix list` and `tsfix show` print: the table of errors, and one error with its code
context, history and suggested fixes (rich), or as JSON."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from tsfix.records import ErrorEvent, ErrorRow, SuggestionRow
from tsfix.safe_text import terminal_safe
from tsfix.ui.common import STATUS_STYLES, location, plural, safe, suggestion_ref


def error_table(console: Console, rows: Sequence[ErrorRow], total_note: str | None = None) -> None:
    if not rows:
        console.print("No errors match.", style="dim")
        return
    locations = [location(row.file_path, row.line, row.col) for row in rows]
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
    for row, where in zip(rows, locations, strict=True):
        table.add_row(
            str(row.id),
            safe(row.status, style=STATUS_STYLES.get(row.status, "")),
            safe(row.code),
            safe(where),
            safe(row.message.split("\n", 1)[0]),
        )
    console.print(table)
    if total_note:
        console.print(safe(total_note, style="dim"))


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
    console.print(safe(location(row.file_path, row.line, row.col), style="cyan"))
    console.print(safe(row.message, multiline=True))
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
        console.print(Panel(syntax, title=safe(where), title_align="left", subtitle=_context_subtitle(ctx)))
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
            table.add_row(safe(ev.created_at), str(ev.scan_id or ""), safe(ev.event), safe(status))
        console.print(table)
    for suggestion in suggestions:
        suggestion_panel(console, suggestion)
    console.print(
        safe(
            f"seen in {plural(row.occurrences, 'scan')} (first {row.first_seen_scan}, last {row.last_seen_scan})"
            f" · fingerprint {row.fingerprint}",
            style="dim",
        )
    )


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
            subtitle=safe(subtitle[:100]) if subtitle else None,
            subtitle_align="left",
        )
    )


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
