"""What every command shares: turning failures into one line, a hint and an exit code."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from tsfix.errors import ExitCode, TsfixError


def _debug() -> bool:
    return os.environ.get("TSFIX_DEBUG", "") not in ("", "0", "false", "no")


@contextmanager
def exit_codes(interrupted: str = "interrupted; nothing was recorded") -> Iterator[None]:
    """Turn every failure into one clear line, a hint and an exit code (a traceback only with TSFIX_DEBUG=1)."""
    from tsfix.ui.common import problem, stderr_console

    try:
        yield
    except TsfixError as exc:
        if _debug():
            stderr_console().print_exception()
        problem(stderr_console(), exc.message, exc.hint)
        raise typer.Exit(int(exc.exit_code)) from None
    except KeyboardInterrupt:
        problem(stderr_console(), interrupted, None)
        raise typer.Exit(int(ExitCode.INTERRUPTED)) from None
    except (typer.Exit, typer.Abort):
        raise
    except Exception as exc:
        if _debug():
            raise
        problem(
            stderr_console(),
            f"internal error: {type(exc).__name__}: {exc}",
            "TSFIX_DEBUG=1 shows the traceback; please report it with that output",
        )
        raise typer.Exit(int(ExitCode.ENVIRONMENT)) from None
