"""How the core reports progress to whoever shows it (the CLI's spinners, benchmarks, tests):
a callback taking an event name and its data. Nothing in the core imports rich."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Progress = Callable[[str, dict[str, Any]], None]


def quiet(event: str, data: dict[str, Any]) -> None:
    """The default callback: report nothing."""
    return None
