"""How much verification one error may take: candidates and seconds (--max-candidates,
--error-seconds), and what is reported when either runs out."""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass(slots=True)
class Budget:
    """How many candidates, and how many seconds of verification, one error may take."""

    candidates: int
    seconds: float
    used: int = 0
    untried: int = 0
    started: float = field(default_factory=time.perf_counter)

    def allows(self) -> bool:
        return self.used < self.candidates and time.perf_counter() - self.started < self.seconds

    def fits(self, seconds: float) -> bool:
        """Whether a verification expected to take `seconds` ends inside the budget (alternatives to
        a verified fix are not begun when they would overrun it)."""
        return self.allows() and time.perf_counter() - self.started + seconds < self.seconds

    def renew(self) -> None:
        self.used, self.started = 0, time.perf_counter()

    def report(self) -> str:
        which = (
            f"--max-candidates {self.candidates}"
            if self.used >= self.candidates
            else f"--error-seconds {self.seconds:g}"
            if self.seconds > 0
            else "--max-seconds"  # the run's time was spent: none left for this error
        )
        return f"budget exhausted ({which}): {self.untried} lower-ranked candidate(s) not verified"
