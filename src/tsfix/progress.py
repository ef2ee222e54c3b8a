"""How the core reports progress to whoever shows it (the CLI's spinners, benchmarks, tests).

A stage takes a `Progress` callback and calls it with one of the event dataclasses below; the
display (tsfix.ui.progress) matches on their types, so the core and the display agree on every
field by type rather than by a name and a dict. Nothing in the core imports rich.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tsfix.records import ErrorRow
    from tsfix.suggest import ErrorOutcome
    from tsfix.worker import WorkerReport


class Event:
    """The base of every progress event."""

    __slots__ = ()


Progress = Callable[[Event], None]


def quiet(event: Event) -> None:
    """The default callback: report nothing."""
    return None


# ----------------------------------------------------------------------------- scan


@dataclass(frozen=True, slots=True)
class SolutionConfig(Event):
    """The tsconfig only lists project references: it is checked in build mode."""

    tsconfig: str


@dataclass(frozen=True, slots=True)
class TypeChecking(Event):
    """tsc has started on the project."""

    version: str | None
    tsconfig: str
    build: bool


@dataclass(frozen=True, slots=True)
class TypeChecked(Event):
    """tsc has finished."""

    elapsed_ms: float


@dataclass(frozen=True, slots=True)
class ExtractingContext(Event):
    """The code context of each diagnostic is being read."""

    diagnostics: int


@dataclass(frozen=True, slots=True)
class Recording(Event):
    """The scan's errors are being written to the store."""

    errors: int
    store: str


@dataclass(frozen=True, slots=True)
class Uploading(Event):
    """A scan kept locally is being uploaded to the team store."""

    store: str


# ----------------------------------------------------------------------------- suggest


@dataclass(frozen=True, slots=True)
class InstallingTs6(Event):
    """TypeScript 6's tsserver is being installed for a TypeScript 7 project's quick fixes."""

    version: str
    folder: str


@dataclass(frozen=True, slots=True)
class Ts6Failed(Event):
    """TypeScript 6 could not be installed; only TypeScript 7's fixes are asked for."""

    error: str


@dataclass(frozen=True, slots=True)
class ModelLoading(Event):
    model: str


@dataclass(frozen=True, slots=True)
class ModelLoaded(Event):
    model: str
    seconds: float
    gpu_layers: int | None


@dataclass(frozen=True, slots=True)
class ServiceStarting(Event):
    """The project's language service is starting (suggest, apply and ci)."""

    version: str | None


@dataclass(frozen=True, slots=True)
class ErrorsSelected(Event):
    """`tsfix suggest` chose the errors it will suggest fixes for."""

    errors: int


@dataclass(frozen=True, slots=True)
class Suggesting(Event):
    """Error `n` of `of` is being worked on."""

    n: int
    of: int
    error: ErrorRow


@dataclass(frozen=True, slots=True)
class Suggested(Event):
    """Error `n` of `of` is done; `tokens` is (tokens generated, seconds) by the models so far."""

    n: int
    of: int
    outcome: ErrorOutcome
    tokens: tuple[int, float]


# ----------------------------------------------------------------------------- apply


@dataclass(frozen=True, slots=True)
class FixesSelected(Event):
    """`tsfix apply` chose the fixes it will apply."""

    fixes: int


@dataclass(frozen=True, slots=True)
class Combining(Event):
    """The chosen fixes are being checked together."""

    fixes: int


@dataclass(frozen=True, slots=True)
class Fallback(Event):
    """The language service could not start; tsc checks the fixes instead."""

    reason: str


@dataclass(frozen=True, slots=True)
class CheckingFiles(Event):
    files: int


@dataclass(frozen=True, slots=True)
class WritingFiles(Event):
    files: int


@dataclass(frozen=True, slots=True)
class RecheckingFiles(Event):
    files: int


# ----------------------------------------------------------------------------- worker


@dataclass(frozen=True, slots=True)
class WorkerReady(Event):
    report: WorkerReport


@dataclass(frozen=True, slots=True)
class WorkerIdle(Event):
    """Nothing to claim: the worker waits before asking again."""

    report: WorkerReport


@dataclass(frozen=True, slots=True)
class Claimed(Event):
    errors: int
    report: WorkerReport


@dataclass(frozen=True, slots=True)
class WorkerSuggesting(Event):
    error: ErrorRow
    report: WorkerReport


@dataclass(frozen=True, slots=True)
class WorkerSuggested(Event):
    """A claimed error is done; `lost` when its claim had run out and another worker took it."""

    error: ErrorRow
    outcome: ErrorOutcome
    lost: bool
    report: WorkerReport
