"""Many errors' candidates, asked of the fixers in steps (Fixer.steps), so that TypeScript answers
as many questions as it can from one program.

After any edit of a file in the language service — the search types a member access or a type
annotation into its copy to ask what TypeScript completes there — the next question is answered
by a new checker, which first checks again much of what the file imports: on redux-toolkit with
TypeScript 5.9, a quick fix asked after such an edit took 0.5 s, in the same program 5 ms. So every
fixer's first step (which only asks) is taken for all the errors first, even for errors of files
whose other steps come much later (`ask`), and the steps that edit come last (`finish`).

    gathering = Gathering(fixers, style)
    gathering.ask({error.id: ctx, …})               # every fixer's first step, for all of them
    found = gathering.finish({error.id: ctx, …})     # the rest: {error.id: (candidates, notes)}
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from tsfix.fixers import FixContext, Fixer
from tsfix.fixers.candidate import Candidate
from tsfix.langserver import LanguageServiceError


@dataclass(slots=True)
class _Asking:
    """One error's fixers part-way: the steps left (by fixer), and what they found so far."""

    runs: dict[int, Iterator[list[Candidate]]]
    found: dict[int, list[Candidate]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


class Gathering:
    """The fixers' candidates for many errors, one fixer's step for all the errors, then the next;
    each candidate passed through `style` (the file's style, tsfix.style) as it comes."""

    def __init__(self, fixers: Sequence[Fixer], style: Callable[[Candidate], Candidate]) -> None:
        self.fixers = list(fixers)
        self.style = style
        self._asking: dict[int | str, _Asking] = {}

    def ask(self, contexts: Mapping[int | str, FixContext], until: float | None = None) -> None:
        """Every fixer's first step for the errors not asked yet: a first step only asks the
        service, so they are all answered from one program. With `until` (a time.monotonic()
        deadline), what is not asked by then is asked by finish()."""
        fresh = [key for key in contexts if key not in self._asking]
        for key in fresh:
            self._asking[key] = _Asking({n: f.steps(contexts[key]) for n, f in enumerate(self.fixers)})
        for n in range(len(self.fixers)):
            for key in fresh:
                if until is not None and time.monotonic() > until:
                    return
                self._step(key, n)

    def finish(
        self, contexts: Mapping[int | str, FixContext]
    ) -> dict[int | str, tuple[list[Candidate], list[str]]]:
        """The errors' remaining steps, each fixer's next step for all of them in turn; their
        candidates (in the fixers' order, each fixer's as it ordered them) and notes."""
        self.ask(contexts)
        keys = list(contexts)
        for n in range(len(self.fixers)):
            while any(n in self._asking[key].runs for key in keys):
                for key in keys:
                    self._step(key, n)
        out = {}
        for key in keys:
            asking = self._asking.pop(key)
            out[key] = ([c for n in sorted(asking.found) for c in asking.found[n]], asking.notes)
        return out

    def _step(self, key: int | str, n: int) -> None:
        asking = self._asking[key]
        run = asking.runs.get(n)
        if run is None:
            return
        found = asking.found.setdefault(n, [])
        try:
            found.extend(self.style(c) for c in next(run))
        except StopIteration:
            del asking.runs[n]
        except LanguageServiceError as exc:
            asking.notes.append(f"{self.fixers[n].name}: {exc.message}")
            del asking.runs[n]
