"""What `tsfix doctor` prints."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from tsfix.doctor import INFO, MISSING, OK, WARN, Check
from tsfix.redact import scrub
from tsfix.ui.common import safe

_MARK = {OK: ("✓", "green"), MISSING: ("✗", "red"), WARN: ("!", "yellow"), INFO: ("·", "dim")}


def doctor_table(console: Console, checks: list[Check], healthy: bool) -> None:
    table = Table(show_header=False, show_edge=False, pad_edge=False, box=None)
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True, style="bold")
    table.add_column()
    for c in checks:
        mark, style = _MARK.get(c.status, ("?", ""))
        if c.status == MISSING and not c.needed:
            style = "yellow"  # missing, but not for what was asked
        detail = safe(scrub(c.detail))
        if c.fix and c.status not in (OK, INFO):
            detail.append(Text("\n→ " + scrub(c.fix), style="cyan"))
        table.add_row(Text(mark, style=style), safe(c.name), detail)
    console.print(table)
    failed = [c.name for c in checks if c.failed]
    console.print(
        Text("ready: everything needed for these options is there", style="green")
        if healthy
        else Text(f"not ready: {', '.join(failed)} (the fixes are above)", style="red")
    )
