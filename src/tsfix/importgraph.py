"""The project's source files and which of them import which, read from relative import specifiers.

Shared by the verifier (which files to re-check after an edit), apply (the same after writing) and
the repair templates (where a type is declared); nothing here compiles anything.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

from tsfix.edits import source_text

_IMPORT = re.compile(
    r"""(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}/[^'"\n]+)\1""", re.M
)
#: `export * from './x'`, `export { a, type B } from './x'`: a barrel, whose importers see x's types
_REEXPORT = re.compile(
    r"""\bexport\s+(?:type\s+)?(?:\*(?:\s+as\s+[\w$]+)?|\{[^}]*\})\s*from\s*(['"])(\.{1,2}/[^'"\n]+)\1"""
)
_SOURCE_EXTENSIONS = (".ts", ".tsx", ".mts", ".cts", ".d.ts", ".js", ".jsx", ".mjs", ".cjs")
_SKIP_DIRS = {"node_modules", ".git", ".tsfix", "dist", "build", "out", "coverage"}


def source_files(root: Path) -> Iterator[str]:
    """The TypeScript and JavaScript files under root (relative POSIX paths), skipping dependencies,
    build output and hidden folders."""
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d not in _SKIP_DIRS and not d.startswith(".")]
        for name in names:
            if name.endswith(_SOURCE_EXTENSIONS):
                yield Path(folder, name).relative_to(root).as_posix()


def resolve(importer: str, spec: str, known: set[str]) -> str | None:
    """The project file a relative specifier names from `importer`, as TypeScript finds it (the
    extension left out, `.js` for `.ts`, a folder for its index), else None."""
    base = os.path.normpath(os.path.join(os.path.dirname(importer), spec)).replace(os.sep, "/")
    stem = re.sub(r"\.(m|c)?js$|\.jsx$", "", base)
    for candidate in (
        base,
        *(stem + ext for ext in (".ts", ".tsx", ".d.ts", ".mts", ".cts", ".js", ".jsx")),
        *(f"{base}/index{ext}" for ext in (".ts", ".tsx", ".js")),
    ):
        if candidate in known:
            return candidate
    return None


class ImportGraph:
    """Which project files import which, from their relative import specifiers (built once, lazily).

    A file's importers include those of every barrel that re-exports it (`export * from './x'`,
    transitively): an edit to x changes what they see through the barrel. Path aliases (tsconfig
    `paths`) and bare package imports are not followed: a file reached only that way is not
    re-checked when a file it imports is edited.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self._importers: dict[str, set[str]] | None = None
        self._reexporters: dict[str, set[str]] = {}

    def importers(self, path: str) -> set[str]:
        if self._importers is None:
            files = list(source_files(self.root))
            known = set(files)
            importers: dict[str, set[str]] = {}
            for file in files:
                try:
                    text = source_text((self.root / file).read_bytes())
                except OSError:
                    continue
                for pattern, into in ((_IMPORT, importers), (_REEXPORT, self._reexporters)):
                    for m in pattern.finditer(text):
                        target = resolve(file, m.group(2), known)
                        if target is not None and target != file:
                            into.setdefault(target, set()).add(file)
            self._importers = importers
        found: set[str] = set()
        seen, todo = {path}, [path]
        while todo:  # through barrels, each once (re-export cycles end)
            current = todo.pop()
            found |= self._importers.get(current, set())
            for barrel in self._reexporters.get(current, set()) - seen:
                seen.add(barrel)
                todo.append(barrel)
        found.discard(path)
        return found
