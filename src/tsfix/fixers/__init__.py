"""Fixers: each proposes candidate fixes for one error as structured edits (file, range, new text).

    quickfix   TypeScript's own quick fixes (and "fix all" where TypeScript offers it)
    repair     type-directed repair templates for errors TypeScript has no quick fix for
    llama      a local GGUF code model through llama-cpp-python
    openai     the same prompt to any OpenAI-compatible server (llama.cpp server, Ollama, vLLM)

Every candidate is verified by the compiler afterwards (tsfix.verify), whichever fixer made it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from pathlib import Path

from tsfix.langserver import LanguageService, LsDiagnostic
from tsfix.models import ErrorRow
from tsfix.verify import Candidate


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

    @property
    def text(self) -> str:
        return self.service.disk_text(self.target.file)


class Fixer(ABC):
    name: str

    @abstractmethod
    def candidates(self, ctx: FixContext) -> list[Candidate]:
        """Candidate fixes for ctx.target (unverified)."""

    def close(self) -> None:  # noqa: B027 - optional
        """Release resources (a loaded model)."""


FIXER_NAMES = ("quickfix", "repair", "llama", "openai")
