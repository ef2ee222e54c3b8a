"""Candidate: a proposed fix as structured edits, with what is known about where it came from.

Fixers make candidates and the verifier proves them; this module is what both share, so that a
fixer needs no part of the verifier.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tsfix.edits import TextEdit


@dataclass
class Candidate:
    """A proposed fix: structured edits plus what is known about where it came from."""

    fixer: str  # the registered name of the fixer that made it (see tsfix.fixers)
    edits: tuple[TextEdit, ...]
    description: str
    fix_name: str | None = None  # TypeScript's fixName, or the repair template
    model_name: str | None = None
    mean_logprob: float | None = None  # mean token log-probability of the model's answer
    samples: int = 1  # how many of the model's samples proposed this exact fix
    of_samples: int = 1
    tokens_in: int | None = None
    tokens_out: int | None = None
    latency_ms: int | None = None
    also_from: list[str] = field(default_factory=list)  # other fixers that proposed the same result
    #: how likely the fixer thinks this candidate is, in (0, 1]: candidates are verified best first
    rank: float = 1.0
    #: a value chosen for its type, not found in the code (an empty string for a missing property)
    guess: bool = False
    #: tried only while nothing else verifies: no type supports it (an `await` where nothing says
    #: Promise, another value for one that is only possibly undefined); on a large project each
    #: costs a check of the file
    long_shot: bool = False
