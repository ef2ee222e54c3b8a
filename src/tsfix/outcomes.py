"""What suggesting found: each error's scored candidates (tsfix.suggest), and the run's report."""

from __future__ import annotations

from dataclasses import dataclass, field

from tsfix.fixers.candidate import Candidate
from tsfix.records import ErrorRow, SuggestionInput
from tsfix.verify import Verification


@dataclass(slots=True)
class Scored:
    candidate: Candidate
    verification: Verification
    confidence: float
    suggestion: SuggestionInput


@dataclass(slots=True)
class ErrorOutcome:
    error: ErrorRow
    kept: list[Scored]
    ids: list[int | str]
    note: str | None
    tried: int
    seconds: float
    #: the per-error budget ran out: how many candidates were left unverified, and which budget
    untried: int = 0

    @property
    def best(self) -> Scored | None:
        return self.kept[0] if self.kept else None

    @property
    def verified(self) -> bool:
        return any(s.verification.verified for s in self.kept)


@dataclass(slots=True)
class SuggestReport:
    outcomes: list[ErrorOutcome]
    store_url: str
    service: str
    helper: str | None
    model: str | None
    hint: str | None  # e.g. how to add a model
    tokens_out: int = 0
    generation_seconds: float = 0.0
    verify_ms: list[float] = field(default_factory=list)


def not_reached(error: ErrorRow, seconds: float) -> ErrorOutcome:
    """An error the run's time budget did not reach: nothing recorded, it stays open for the next run."""
    return ErrorOutcome(
        error, [], [], f"not reached: the run's budget (--max-seconds {seconds:g}) ran out", 0, 0.0
    )
