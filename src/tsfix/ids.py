"""Numbers people type: error ids (`12`), suggestion ids (`s34`) and counts (`--limit 20`).

One parser for all of them, because Python's own is too lenient for ids: `int()` and `str.isdigit()`
also take full-width and other Unicode digits (`１２`), signs, underscores and spaces, and a number
beyond SQLite's 64-bit integers reaches the store only to fail there with an OverflowError.
"""

from __future__ import annotations

import re

#: the largest integer SQLite stores; no row id can be larger
MAX_SQLITE_INT = 2**63 - 1

_ASCII_DIGITS = re.compile(r"[0-9]+")


def ascii_number(text: str) -> int | None:
    """The number `text` spells in ASCII digits only, or None for anything else."""
    return int(text) if _ASCII_DIGITS.fullmatch(text) else None


def local_id(text: str) -> int | None:
    """A local store's row id from `12` or `#12`, or None when it is not one.

    An id beyond SQLite's range is returned as it is: no row has it, so the caller says "no error
    with id …" instead of handing SQLite a number it cannot bind.
    """
    return ascii_number(text.strip().removeprefix("#"))


def count(text: str) -> int:
    """A count option (`--limit`): ASCII digits, at least 1; beyond SQLite's range means "no limit"."""
    import typer

    value = ascii_number(text.strip())
    if value is None or value < 1:
        raise typer.BadParameter(f"{text!r} is not a whole number of at least 1 (e.g. 20)")
    return min(value, MAX_SQLITE_INT)
