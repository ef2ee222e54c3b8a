"""How the search orders what it finds before anything is verified: by closeness of spelling.

Ranks are in (0, 1]; the suggester verifies a fixer's candidates best first and stops at the
per-error budget, so the order decides what gets checked when there are many.
"""

from __future__ import annotations

import difflib
import functools
import re


def _words(name: str) -> list[str]:
    """camelCase, PascalCase, snake_case and kebab-case split into lower-case words."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", name.replace("_", " ").replace("-", " "))
    return [w.lower() for w in spaced.split()]


@functools.lru_cache(maxsize=1 << 16)  # a search compares the same names for each error of a file
def similarity(wanted: str, found: str) -> float:
    """How alike two identifiers are, in [0, 1]: spelling, ignoring case, plus shared words (so that
    `api` is close to `baseQueryApi`, and `userNam` to `userName`)."""
    if wanted == found:
        return 1.0
    a, b = wanted.lower(), found.lower()
    if a == b:
        return 0.95
    spelling = min(0.94, difflib.SequenceMatcher(None, a, b).ratio())  # below a case-only difference
    words_a, words_b = set(_words(wanted)), set(_words(found))
    shared = len(words_a & words_b) / max(1, min(len(words_a), len(words_b))) if words_a and words_b else 0.0
    return max(spelling, 0.4 + 0.4 * shared if shared else 0.0)


def best(wanted: str, names: list[str], keep: int, floor: float = 0.0) -> list[tuple[str, float]]:
    """The `keep` names most like `wanted` (at least `floor` alike), best first, ties by name."""
    scored = sorted(
        ((similarity(wanted, n), n) for n in set(names) if n != wanted), key=lambda t: (-t[0], t[1])
    )
    return [(n, s) for s, n in scored if s >= floor][:keep]
