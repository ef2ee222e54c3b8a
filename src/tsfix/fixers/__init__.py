"""Fixers: each proposes candidate fixes for one error as structured edits (file, range, new text).

    quickfix   TypeScript's own quick fixes (and "fix all" where TypeScript offers it)
    repair     type-directed repair templates for errors TypeScript has no quick fix for
    search     candidates from what the language service enumerates (names, members, values, await)
    llama      a local GGUF code model through llama-cpp-python
    openai     the same prompt to any OpenAI-compatible server (llama.cpp server, Ollama, vLLM)

Every candidate is verified by the compiler afterwards (tsfix.verify), whichever fixer made it.

Here live the registry and what every fixer shares: FixContext (what a fixer is told), Fixer (the
interface) and FixerOptions (what a fixer is built from); Candidate is in tsfix.fixers.candidate.
A fixer module registers its class with `@register`; FIXER_MODULES lists the modules to load, in
the order their fixers are asked (when two fixers propose the same result, the first keeps it).
Adding a fixer is one new module plus its line in FIXER_MODULES.
"""

from __future__ import annotations

import importlib
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Protocol, TypeVar

from tsfix.errors import UsageError
from tsfix.extras import installed
from tsfix.fixers.candidate import Candidate
from tsfix.langserver import LanguageService, LsDiagnostic
from tsfix.progress import Progress
from tsfix.records import ErrorRow
from tsfix.vocabulary import Vocabulary

FIXER_MODULES = (
    "tsfix.fixers.quickfix",
    "tsfix.fixers.repair",
    "tsfix.fixers.search",
    "tsfix.fixers.llama",
    "tsfix.fixers.openai",
)


@dataclass
class FixContext:
    """What a fixer knows about the error it is asked to fix."""

    error: ErrorRow
    target: LsDiagnostic  # the error as the language service reports it now
    service: LanguageService
    root: Path
    file_diagnostics: list[LsDiagnostic] = field(default_factory=list)  # every current error in the file
    helper: LanguageService | None = None  # a TypeScript 6 tsserver for TypeScript 7 projects
    project_errors: list[ErrorRow] = field(default_factory=list)  # the project's recorded errors
    #: the program's effective compiler options (`tsc --showConfig`), asked once per run
    compiler_options: Callable[[], Mapping[str, Any]] = dict
    #: the project's names and where its files import them from (one per run; made here when absent)
    vocabulary: Vocabulary | None = None
    #: asked again because nothing verified: the fixers that defer long shots propose them now
    long_shots: bool = False
    #: False in the first of a fixer's steps (Fixer.steps): a question that would type into the
    #: service's copy of the file is not asked (yet), and `declined` says so
    may_edit: bool = True
    declined: bool = False

    def may_type(self) -> bool:
        """Whether a question may type into the service's copy of the file now (see may_edit)."""
        self.declined = self.declined or not self.may_edit
        return self.may_edit

    @property
    def text(self) -> str:
        """The error's file as the language service has it: as on disk, except in a chain's later
        steps (tsfix.chain), where it holds the earlier steps' edits."""
        return self.service.text(self.target.file)


class FixerOptions(Protocol):
    """The settings fixers are built from (tsfix.suggest.SuggestOptions carries them all)."""

    model: str | None  # a GGUF path (llama) or a model name (openai)
    base_url: str | None
    api_key_env: str
    candidates: int
    concurrency: int
    n_gpu_layers: int | None
    ctx: int
    threads: int | None
    timeout: float  # per error, for the model
    fixers: list[str] | None  # None: the deterministic ones, and the model when one is configured
    engine: str | None  # llama | openai
    no_llm: bool


class Fixer(ABC):
    name: ClassVar[str]  # what --fixer calls it, and what its candidates record
    # A model: asked only when no deterministic candidate verifies, and never with --no-llm.
    uses_model: ClassVar[bool] = False
    # Keeps costly long shots (Candidate.long_shot) for a second asking, with ctx.long_shots set,
    # made only when none of its first candidates verifies.
    defers_long_shots: ClassVar[bool] = False

    @classmethod
    def from_options(cls, options: FixerOptions, progress: Progress) -> Fixer:
        """The fixer for one run (a fixer that takes no settings is built as it is)."""
        return cls()

    @abstractmethod
    def candidates(self, ctx: FixContext) -> list[Candidate]:
        """Candidate fixes for ctx.target (unverified)."""

    def steps(self, ctx: FixContext) -> Iterator[list[Candidate]]:
        """The candidates in steps, which the suggester takes for many errors in turn (each error's
        first step, then each one's next…): a fixer whose questions edit the service's copy of a
        file asks them in a later step, after every error's other questions — after an edit,
        TypeScript answers the next question from a new checker, which costs a check of the file."""
        yield self.candidates(ctx)

    def close(self) -> None:  # noqa: B027 - optional
        """Release resources (a loaded model)."""


# ----------------------------------------------------------------------------- the registry

_REGISTERED: dict[str, type[Fixer]] = {}
F = TypeVar("F", bound=type[Fixer])


def register(fixer: F) -> F:
    """Class decorator: make a Fixer available under its name, to --fixer and to suggest."""
    _REGISTERED[fixer.name] = fixer
    return fixer


def fixer_classes() -> list[type[Fixer]]:
    """Every registered fixer, in the order they are asked (that of FIXER_MODULES)."""
    for module in FIXER_MODULES:
        importlib.import_module(module)
    rank = {module: n for n, module in enumerate(FIXER_MODULES)}
    return sorted(_REGISTERED.values(), key=lambda fixer: rank.get(fixer.__module__, len(rank)))


def fixer_names() -> tuple[str, ...]:
    """The names --fixer accepts, in the order the fixers are asked."""
    return tuple(fixer.name for fixer in fixer_classes())


def resolve_fixers(names: list[str]) -> list[str]:
    """`names` when every one is a registered fixer; otherwise a UsageError listing the valid names."""
    valid = fixer_names()
    unknown = next((name for name in names if name not in valid), None)
    if unknown is not None:
        raise UsageError(
            f"unknown fixer {unknown!r}; the fixers are {', '.join(valid)}",
            hint="pass --fixer NAME, repeatable or comma-separated (e.g. --fixer quickfix,repair)",
        )
    return names


# ----------------------------------------------------------------------------- one run's fixers


def build_fixers(options: FixerOptions, progress: Progress) -> tuple[list[Fixer], list[Fixer], str | None]:
    """(deterministic fixers, model fixers, hint) for the options, built from the fixer registry."""
    names = _fixer_names(options)
    fixers = [fixer.from_options(options, progress) for fixer in fixer_classes() if fixer.name in names]
    deterministic = [fixer for fixer in fixers if not fixer.uses_model]
    models = [fixer for fixer in fixers if fixer.uses_model]
    hint = None
    if not models and not options.no_llm:
        runtime = "" if installed("llama_cpp") else " (after pip install 'tsfix[llama]')"
        hint = (
            "only TypeScript's quick fixes, repair templates and the search ran; add a local model with "
            f"--model path/to/model.gguf{runtime} (e.g. Qwen2.5-Coder Instruct GGUF) "
            "or a server with --engine openai --base-url URL"
        )
    return deterministic, models, hint


def _fixer_names(options: FixerOptions) -> list[str]:
    """The fixers a run asks: --fixer, else the deterministic ones plus the model engine in use."""
    deterministic = [fixer.name for fixer in fixer_classes() if not fixer.uses_model]
    names = resolve_fixers(list(options.fixers)) if options.fixers else list(deterministic)
    engine = options.engine
    if engine is None and options.fixers is None:
        if options.base_url:
            engine = "openai"
        elif options.model:
            engine = "llama"
    if engine and engine not in names and options.fixers is None:
        names.append(engine)
    if options.no_llm:
        names = [name for name in names if name in deterministic]
    return names
