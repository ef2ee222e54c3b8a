"""One Python interface to TypeScript's language service, over the project's own TypeScript.

    service = open_language_service(root, tsc)       # tsserver for 5.x/6.x, `tsc --lsp` for 7.x
    service.diagnostics("src/a.ts")                  # syntactic + semantic, in memory
    service.set_text("src/a.ts", new_text)           # what-if edits, never written to disk
    service.code_fixes(diagnostic)                   # TypeScript's quick fixes
    service.quick_info("src/a.ts", Position(3, 7))   # the type at a position
    service.completions("src/a.ts", Position(3, 7))  # names in scope / members, with kinds
    service.references("src/a.ts", Position(3, 7))   # every place a symbol is used
    service.rename("src/a.ts", Position(3, 7), "x")  # the edits that rename it everywhere

One long-lived session per run. Every request has a timeout. A server that crashes is restarted once
(its open documents re-sent with their current text) and the request retried; a second crash is
reported. Nothing is installed into the user's project.

Here: the interface (LanguageService, LsDiagnostic, CodeFix, Completion, Location). `open_language_service` and the
TypeScript 6 helper live in tsfix.langserver.factory; the transports in framing, tsserver and lsp.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from tsfix.edits import Position, TextEdit, source_text
from tsfix.langserver.framing import LanguageServiceError, ServerCrashed

T = TypeVar("T")
DEFAULT_TIMEOUT_S = 120.0


@dataclass(frozen=True, slots=True)
class LsDiagnostic:
    """A diagnostic from the language service (same coordinates as tsc's)."""

    file: str
    start: Position
    end: Position
    code: str  # "TS2322"
    category: str
    message: str
    raw: Any = field(
        default=None, compare=False, hash=False
    )  # the server's own object, for follow-up requests

    @property
    def is_problem(self) -> bool:
        """An error as tsc counts it. TypeScript 7's language server reports some errors (TS6133 with
        noUnusedLocals, for example) as warnings, so warnings count too; hints and information do not."""
        return self.category in ("error", "warning")

    @property
    def key(self) -> tuple[str, str, str]:
        """How the benchmark (and verification) tells errors apart across edits: file, code, message
        (with the lines that elaborate it: an edit that changes them changes the error)."""
        return (self.file, self.code, self.message)


@dataclass(frozen=True, slots=True)
class CodeFix:
    """One of TypeScript's quick fixes for a diagnostic."""

    description: str
    fix_name: str
    edits: tuple[TextEdit, ...]
    fix_id: str | None = None  # set when TypeScript can apply this kind of fix to the whole file


#: completion kinds, as tsserver names them (ScriptElementKind); the LSP's numbers are mapped to these
VALUE_KINDS = frozenset(
    {"const", "let", "var", "local var", "parameter", "function", "local function", "method", "property",
     "getter", "setter", "enum member", "class", "enum", "module", "alias"}
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Completion:
    """One name TypeScript would complete at a position."""

    name: str
    kind: str  # "const", "parameter", "property", "method", "function", "class", "keyword", …
    #: declared in the project's own code near the position (locals, members of the receiver), not a
    #: global of the standard library, a keyword or an auto-import from another module
    local: bool
    optional: bool = False  # an optional member (`name?`)

    @property
    def is_value(self) -> bool:
        return self.kind in VALUE_KINDS


@dataclass(frozen=True, slots=True)
class Location:
    """A range in a file (a reference to a symbol, a definition)."""

    file: str
    start: Position
    end: Position
    is_definition: bool = False


class LanguageService(ABC):
    """The project's TypeScript language service. Paths are POSIX paths relative to the root."""

    #: shown in messages and stored as a suggestion's model_name, e.g. "typescript-5.9.3"
    name: str

    def __init__(self, root: Path, timeout: float = DEFAULT_TIMEOUT_S) -> None:
        self.root = root.resolve()
        self.timeout = timeout
        self.texts: dict[str, str] = {}
        self._disk: dict[str, str] = {}
        self._restarts = 0
        self._edited: set[str] = set()  # the files whose text in memory is not the one on disk
        #: answers about the program as on disk (no file edited in memory), by question: asked again
        #: after an edit, TypeScript would answer from a new checker, which costs a check
        self._answers: dict[tuple, Any] = {}
        self._fresh = False  # see forget()

    # ------------------------------------------------------------------ paths

    def absolute(self, path: str) -> Path:
        return (self.root / path).resolve() if not Path(path).is_absolute() else Path(path)

    def relative(self, path: str | Path) -> str:
        p = Path(path)
        try:
            return p.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return p.as_posix()

    # ------------------------------------------------------------------ documents

    def open(self, path: str) -> str:
        """Open a file from disk (once); return its text."""
        if path not in self.texts:
            raw = self.absolute(path).read_bytes()
            text = source_text(raw)  # as tsc reads it: UTF-16 files have a BOM
            self.texts[path] = self._disk[path] = text  # opened as on disk: the program is the same
            self._call(lambda: self._open(path, text))
        return self.texts[path]

    def text(self, path: str) -> str:
        return self.open(path)

    def disk_text(self, path: str) -> str:
        self.open(path)
        return self._disk[path]

    def set_text(self, path: str, text: str) -> None:
        """Replace a file's text in memory (the file on disk is untouched)."""
        old = self.open(path)
        if old != text:
            self.texts[path] = text
            self._call(lambda: self._change(path, old, text))
            self._fresh = False
            if text == self._disk[path]:
                self._edited.discard(path)
            else:
                self._edited.add(path)

    def reset(self, path: str) -> None:
        """Back to the text on disk."""
        if path in self.texts:
            self.set_text(path, self._disk[path])

    def reload(self, path: str) -> None:
        """The file changed on disk (tsfix apply wrote it): read it again and check that text."""
        self._answers.clear()  # the program on disk is another
        if path in self.texts:
            text = source_text(self.absolute(path).read_bytes())
            self._disk[path] = text
            self.set_text(path, text)
            self._edited.discard(path)

    # ------------------------------------------------------------------ queries

    def diagnostics(self, path: str) -> list[LsDiagnostic]:
        """Syntactic and semantic diagnostics of one file, as it is in memory."""
        return list(self._asked(("diagnostics", path), lambda: self._diagnostics(path)))

    def code_fixes(self, diagnostic: LsDiagnostic) -> list[CodeFix]:
        self.open(diagnostic.file)
        return self._call(lambda: self._code_fixes(diagnostic))

    def fix_all(self, path: str, fix: CodeFix) -> tuple[TextEdit, ...]:
        """All of `fix`'s kind in the file (TypeScript's "fix all"), or () when it has none."""
        if fix.fix_id is None:
            return ()
        self.open(path)
        return self._call(lambda: self._fix_all(path, fix))

    def quick_info(self, path: str, at: Position) -> str | None:
        """TypeScript's description of the symbol at a position, e.g. `(parameter) user: User`."""
        return self._asked(("quick_info", path, at), lambda: self._quick_info(path, at))

    def definition(self, path: str, at: Position) -> list[tuple[str, Position, Position]]:
        return list(self._asked(("definition", path, at), lambda: self._definition(path, at)))

    def completions(self, path: str, at: Position) -> list[Completion]:
        """Names TypeScript would complete at a position (e.g. the members after `obj.`)."""
        return list(self._asked(("completions", path, at), lambda: self._completions(path, at)))

    def forget(self) -> None:
        """Ask anew until a file is edited (and keep those answers): what TypeScript elaborates
        below an error's first line depends on what its checker did before, and
        tsfix.verify._problems_in_order asks a fresh program in a given order."""
        self._fresh = True

    def _asked(self, question: tuple, request: Callable[[], T]) -> T:
        """The answer, kept while every file is as on disk (see _answers)."""
        self.open(question[1])
        if self._edited:
            return self._call(request)
        if self._fresh or question not in self._answers:
            self._answers[question] = self._call(request)
        return self._answers[question]

    def references(self, path: str, at: Position) -> list[Location]:
        """Every reference to the symbol at a position, its declaration included."""
        self.open(path)
        return self._call(lambda: self._references(path, at))

    def rename(self, path: str, at: Position, new_name: str) -> tuple[TextEdit, ...]:
        """The edits that rename the symbol at a position everywhere (shorthand properties kept
        meaning what they meant), or () when TypeScript cannot rename it."""
        self.open(path)
        return self._call(lambda: self._rename(path, at, new_name))

    # ------------------------------------------------------------------ lifecycle

    def _call(self, request: Callable[[], T]) -> T:
        try:
            return request()
        except ServerCrashed:
            if self._restarts >= 1:
                raise LanguageServiceError(
                    f"the {self.name} language server crashed again after a restart",
                    hint="TSFIX_DEBUG=1 keeps its log; a smaller --limit may help",
                ) from None
            self._restarts += 1
            self._stop()
            self._start()
            for path, text in self.texts.items():
                self._open(path, text)
            return request()

    def close(self) -> None:
        self._stop()

    def __enter__(self) -> LanguageService:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ protocol

    @abstractmethod
    def _start(self) -> None: ...

    @abstractmethod
    def _stop(self) -> None: ...

    @abstractmethod
    def _open(self, path: str, text: str) -> None: ...

    @abstractmethod
    def _change(self, path: str, old: str, new: str) -> None: ...

    @abstractmethod
    def _diagnostics(self, path: str) -> list[LsDiagnostic]: ...

    @abstractmethod
    def _code_fixes(self, diagnostic: LsDiagnostic) -> list[CodeFix]: ...

    @abstractmethod
    def _fix_all(self, path: str, fix: CodeFix) -> tuple[TextEdit, ...]: ...

    @abstractmethod
    def _quick_info(self, path: str, at: Position) -> str | None: ...

    @abstractmethod
    def _definition(self, path: str, at: Position) -> list[tuple[str, Position, Position]]: ...

    @abstractmethod
    def _completions(self, path: str, at: Position) -> list[Completion]: ...

    @abstractmethod
    def _references(self, path: str, at: Position) -> list[Location]: ...

    @abstractmethod
    def _rename(self, path: str, at: Position, new_name: str) -> tuple[TextEdit, ...]: ...


def is_local_sort(sort_text: str | None) -> bool:
    """TypeScript's sortText: "10" local declarations, "11" locations in scope, "12"-"14" members;
    "15" globals and keywords, "16" and later auto-imports and the rest."""
    return bool(sort_text) and str(sort_text)[:2] < "15"


def script_kind(path: str) -> str:
    lower = path.lower()
    if lower.endswith(".tsx"):
        return "TSX"
    if lower.endswith(".jsx"):
        return "JSX"
    if lower.endswith((".js", ".mjs", ".cjs")):
        return "JS"
    return "TS"


__all__ = [
    "CodeFix",
    "Completion",
    "LanguageService",
    "LanguageServiceError",
    "Location",
    "LsDiagnostic",
    "Position",
    "ServerCrashed",
    "TextEdit",
    "script_kind",
]
