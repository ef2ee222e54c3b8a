"""What `tsfix apply` and `tsfix undo` print: one row per selected fix and what changed on disk
(rich) or JSON, and the question `--interactive` asks before each fix."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tsfix.redact import scrub
from tsfix.safe_text import terminal_safe
from tsfix.ui.common import diff_view, location, plural, safe, stdout_console, suggestion_ref

if TYPE_CHECKING:
    from tsfix.apply import ApplyReport
    from tsfix.plan import Fix
    from tsfix.undo import UndoResult


APPLY_MARKS = {
    "applied": ("✓ applied", "green"),
    "planned": ("• would apply", "cyan"),
    "pending": ("– pending", "yellow"),
    "failed": ("✗ not applied", "red"),
}


def _fix_outcome(fix: Fix) -> Text:
    if fix.state == "applied":
        if fix.error_gone is True:
            return Text("error gone", style="green")
        if fix.error_gone is False:
            return Text("error still reported", style="yellow")
        return Text("applied", style="green")
    if fix.state == "planned" and fix.suggestion is not None:
        return safe(fix.suggestion.explanation or "", style="dim")
    return safe(fix.reason or "", style="dim" if fix.state == "pending" else "red")


def apply_summary(console: Console, report: ApplyReport) -> None:
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
            safe(suggestion_ref(s.id)) if s is not None else "",
            safe(e.code),
            safe(location(e.file_path, e.line, None)),
            f"{s.confidence:.2f}" if s is not None else "",
            Text(label, style=style),
            _fix_outcome(fix),
        )
    console.print(table)
    for fix in fixes:
        for note in fix.notes:
            console.print(safe(f"note: error {fix.error.id}: {note}", style="dim"), highlight=False)
    counts = Counter(f.state for f in fixes)
    parts = [
        f"{counts[state]} {APPLY_MARKS[state][0].split(' ', 1)[1]}" for state in APPLY_MARKS if counts[state]
    ]
    line = " · ".join(parts)
    if report.mode == "apply" and report.written:
        line += f" · {plural(len(report.written), 'file')} written"
        if report.problems_before is not None:
            line += (
                f" · errors in the re-checked files: {report.problems_before} → {report.problems_after}"
                f" ({report.checked_with})"
            )
    if report.rolled_back:
        line += f" · rolled back: {', '.join(report.rolled_back)}"
    console.print(safe(line, style="dim"), highlight=False)
    if report.mode == "apply":  # every file written, by name: a fix cannot change a file unseen
        for path in report.written:
            console.print(Text.assemble(("wrote", "green"), " ", terminal_safe(path)), highlight=False)
    for warning in report.warnings:
        console.print(
            Text.assemble(("warning:", "yellow"), " ", terminal_safe(scrub(warning))), highlight=False
        )
    if report.mode == "patch":
        console.print(
            safe(f"Patch written to {report.patch_path} (`git apply {report.patch_path}` applies it).")
        )
    elif report.mode == "dry-run":
        console.print("Dry run: nothing was written.", style="dim")
    elif report.undo_id:
        console.print("`tsfix undo` restores the files; `tsfix scan` records what is fixed.", style="dim")


def apply_json(report: ApplyReport) -> dict[str, Any]:
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


def undo_summary(console: Console, result: UndoResult) -> None:
    assert result.record is not None  # undo_apply raises when there is nothing to undo
    for path in result.restored:
        console.print(Text.assemble(("restored", "green"), " ", terminal_safe(path)), highlight=False)
    for path, why in result.refused:
        console.print(
            Text.assemble(("kept", "yellow"), " ", terminal_safe(f"{path}: {why}")), highlight=False
        )
    console.print(
        f"Undid the apply of {result.record.created_at}: {plural(len(result.restored), 'file')} restored"
        + (f", {len(result.refused)} kept" if result.refused else "")
        + ".",
        style="dim",
        highlight=False,
    )


def undo_json(result: UndoResult) -> dict[str, Any]:
    return {
        "undone": result.record.id if result.record else None,
        "restored": result.restored,
        "kept": [{"file": p, "reason": why} for p, why in result.refused],
    }


def ask_each_fix(pause: Callable[[], None]) -> Callable[[Fix, str], str]:
    """`--interactive`: show each fix's diff and ask y(es) n(o) a(ll) q(uit); `pause` stops the spinner."""

    def ask(fix: Fix, counter: str) -> str:
        pause()
        s = fix.suggestion
        assert s is not None  # only fixes with a suggestion are offered
        title = (
            f"{counter} · error {fix.error.id} {fix.error.code} · {suggestion_ref(s.id)} {s.fixer} "
            f"· confidence {s.confidence:.2f}"
        )
        diff_view(stdout_console(), fix.diff, title)
        while True:
            try:
                answer = input("Apply this fix? [y]es [n]o [a]ll [q]uit: ").strip().lower()[:1]
            except EOFError:
                return "q"
            if answer in ("y", "n", "a", "q"):
                return answer

    return ask
