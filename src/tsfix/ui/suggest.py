"""What `tsfix suggest` prints: per error the best candidate and whether the compiler verified it,
then totals (rich), or every kept suggestion as JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tsfix.safe_text import terminal_safe
from tsfix.ui.common import location, plural, safe

if TYPE_CHECKING:
    from tsfix.suggest import SuggestReport


def suggest_summary(console: Console, report: SuggestReport) -> None:
    """The human summary of `tsfix suggest`: per error, the best candidate; totals; a hint."""
    outcomes = report.outcomes
    if not outcomes:
        console.print(
            "No errors to suggest fixes for (none match, or `tsfix scan` has not run).", style="dim"
        )
        if report.hint:
            console.print(safe(f"hint: {report.hint}", style="dim"))
        return
    locations = [location(o.error.file_path, o.error.line, None) for o in outcomes]
    used = max(len(str(o.error.id)) for o in outcomes) + max(len(o.error.code) for o in outcomes)
    used += min(max(len(loc) for loc in locations), 48) + 5 + 1 + 5 * 3
    table = Table(show_edge=False, pad_edge=False)
    table.add_column("id", justify="right", no_wrap=True)
    table.add_column("code", no_wrap=True)
    table.add_column("location", overflow="fold", max_width=48)
    table.add_column("conf.", justify="right", no_wrap=True)
    table.add_column("", no_wrap=True)
    table.add_column("best fix", overflow="ellipsis", no_wrap=True, max_width=max(20, console.width - used))
    for o, where in zip(outcomes, locations, strict=True):
        e = o.error
        best = o.best
        if best is None:
            table.add_row(
                str(e.id), safe(e.code), safe(where), "", "", safe((o.note or "")[:160], style="dim")
            )
            continue
        mark = Text("✓", style="green") if best.verification.verified else Text("✗", style="yellow")
        what = Text.assemble(
            terminal_safe(best.candidate.description), (terminal_safe(f"  {best.candidate.fixer}"), "dim")
        )
        table.add_row(str(e.id), safe(e.code), safe(where), f"{best.confidence:.2f}", mark, what)
    console.print(table)
    fixed = sum(1 for o in outcomes if o.verified)
    tried = sum(o.tried for o in outcomes)
    line = f"{fixed:,} of {plural(len(outcomes), 'error')} have a verified fix ({tried:,} candidates checked"
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
    console.print(safe(line, style="dim"), highlight=False)
    short = [o for o in outcomes if o.untried]
    if short:
        console.print(
            safe(
                f"{plural(len(short), 'error')} ran out of budget before every candidate was verified "
                "(raise --max-candidates or --error-seconds)",
                style="yellow",
            ),
            highlight=False,
        )
    console.print("`tsfix show ID` shows an error's candidates as diffs.", style="dim")
    if report.hint:
        console.print(safe(f"hint: {report.hint}", style="dim"))


def suggest_json(report: SuggestReport) -> dict[str, Any]:
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
                "candidates_untried": o.untried,
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
