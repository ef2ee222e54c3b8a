"""Finding a recorded error again among the diagnostics the language service reports now.

The file may have changed since the scan, so an error is matched by its code and the first line of
its message, and the nearest such diagnostic wins. `tsfix suggest` fixes the diagnostic found;
`tsfix apply` checks whether it is gone after writing.
"""

from __future__ import annotations

from collections.abc import Sequence

from tsfix.langserver import LsDiagnostic
from tsfix.records import ErrorRow


def locate(error: ErrorRow, diagnostics: Sequence[LsDiagnostic]) -> LsDiagnostic | None:
    """The error as the language service reports it now: same code, same first line, nearest line."""
    headline = error.message.split("\n", 1)[0]
    same_code = [d for d in diagnostics if d.code == error.code and d.is_problem]
    exact = [d for d in same_code if d.message.split("\n", 1)[0] == headline] or same_code
    if not exact:
        return None
    line = error.line or 1
    return min(exact, key=lambda d: (abs(d.start.line - line), abs(d.start.col - (error.col or 1))))
