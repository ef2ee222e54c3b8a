"""The project's own vocabulary: how often each identifier occurs in its sources.

A fix that renames should move the code toward the spelling it uses, not away from it. Renaming the
uses of `dispatch` to a declaration's misspelt `disspatch` compiles as well as renaming the
declaration back, but `disspatch` occurs once in the project and `dispatch` forty times. So each
candidate is scored by the words it removes and the words it adds (tsfix.confidence, `vocabulary`):

    share = (occurrences of the added words + 1) / (occurrences of added + removed words + 2)

counted in the project's sources before the edit. A candidate that only adds (an import, `await`) or
only removes has no say here (share ½). Nothing about particular names is known: the counts are the
project's.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from tsfix.importgraph import source_files

_WORD = re.compile(r"[A-Za-z_$][\w$]*")
MAX_FILES = 5000
MAX_BYTES = 1_000_000  # a generated bundle says nothing about how the code is written


class Vocabulary:
    """Identifier counts over the project's sources, read once, lazily."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._counts: Counter[str] | None = None

    @property
    def counts(self) -> Counter[str]:
        if self._counts is None:
            counts: Counter[str] = Counter()
            for n, rel in enumerate(source_files(self.root)):
                if n >= MAX_FILES:
                    break
                path = self.root / rel
                try:
                    if path.stat().st_size > MAX_BYTES:
                        continue
                    counts.update(_WORD.findall(path.read_text(encoding="utf-8", errors="replace")))
                except OSError:
                    continue
            self._counts = counts
        return self._counts

    def share(self, before: dict[str, str], after: dict[str, str]) -> float:
        """How much of the vocabulary the edit moves toward, in (0, 1): ½ when it renames nothing."""
        old = Counter(w for text in before.values() for w in _WORD.findall(text))
        new = Counter(w for text in after.values() for w in _WORD.findall(text))
        added, removed = set(new - old), set(old - new)
        if not added or not removed:
            return 0.5
        a = sum(self.counts[w] for w in added)
        r = sum(self.counts[w] for w in removed)
        return (a + 1) / (a + r + 2)
