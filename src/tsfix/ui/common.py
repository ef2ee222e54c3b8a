"""What every part of the ui layer shares: the consoles, safe text, locations, counts, JSON output
and the one-line error every failure prints.

This is the terminal boundary: every file name, message, model text or source line that a rich
function prints goes through `safe` / `terminal_safe` (no control or bidi character reaches the
terminal, a line break in a file name cannot forge another line) and is passed as `Text`, so rich
never reads markup such as `[red]` out of a file name. JSON output stays exact.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.panel import Panel
from rich.syntax import Syntax
from rich.text import Text

from tsfix.redact import scrub
from tsfix.safe_text import terminal_safe


def stdout_console() -> Console:
    """A console on stdout, made per command so it sees the current terminal and environment."""
    return Console(highlight=False)


def stderr_console() -> Console:
    return Console(stderr=True, highlight=False)


def print_json(data: Any) -> None:
    """JSON on stdout: indented for a person at a terminal, compact (and much faster) for a pipe."""
    indent = 2 if sys.stdout.isatty() else None
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=indent))
    sys.stdout.write("\n")
    sys.stdout.flush()


STATUS_STYLES = {
    "new": "bold red",
    "ai_suggested": "yellow",
    "applied": "cyan",
    "fixed": "green",
    "dismissed": "dim",
}


def seconds(ms: float) -> str:
    return f"{ms / 1000:.1f} s" if ms >= 1000 else f"{ms:.0f} ms"


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def safe(text: object, style: str = "", multiline: bool = False) -> Text:
    """Text as shown on a terminal: control characters escaped, no rich markup read from it."""
    return Text(terminal_safe(str(text), multiline=multiline), style=style)


def location(path: str | None, line: int | None, col: int | None) -> str:
    if path is None:
        return "(project)"
    if not line:
        return path
    return f"{path}:{line}:{col}" if col else f"{path}:{line}"


def suggestion_ref(suggestion_id: int | str) -> str:
    """How a suggestion is named on the command line: `s12`, or `s` + the first 8 characters of a uuid."""
    text = str(suggestion_id)
    return f"s{text[:8]}" if len(text) == 36 else f"s{text}"


def diff_view(console: Console, diff: str, title: str | None = None) -> None:
    """A unified diff, highlighted."""
    body = Syntax(terminal_safe(diff.rstrip("\n"), multiline=True) or "(no change)", "diff", word_wrap=False)
    console.print(Panel(body, title=safe(title), title_align="left") if title else body)


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
