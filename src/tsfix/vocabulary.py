"""The project's own vocabulary: how often each identifier occurs in its sources.

A fix that renames should move the code toward the spelling it uses, not away from it. Renaming the
uses of `dispatch` to a declaration's misspelt `disspatch` compiles as well as renaming the
declaration back, but `disspatch` occurs once in the project and `dispatch` forty times. So each
candidate is scored by the words it removes and the words it adds (tsfix.confidence, `vocabulary`):

    share = (occurrences of the added words + 1) / (occurrences of added + removed words + 2)

counted in the project's sources before the edit. A candidate that only adds (`await`) or only
removes has no say here (share ½). One that renames away from a name the project's files import
(`SerializedError` → `Error` where other files import `SerializedError`) has share 0: that name is
a real export, so the missing piece is its import, not a spelling. One that adds an import is scored the same way by where the
project's other files import that name from: a name eleven files import from its declaring module
and none from a barrel or the package's own name is best imported from there too:

    share = (imports of the name from the same file or package + 1) / (imports of the name + 2)

Nothing about particular names is known: the counts are the project's.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path

from tsfix.importgraph import resolve, source_files

_WORD = re.compile(r"[A-Za-z_$][\w$]*")
#: `import X, { a, b as c, type D } from 'spec'` (also `import type`, `export { … } from`)
_IMPORT = re.compile(
    r"""^\s*(?:import|export)\s+(?:type\s+)?(?:([\w$]+)\s*,?\s*)?(?:\{([^}]*)\})?\s*from\s*(['"])([^'"\n]+)\3""",
    re.M,
)
#: what names a module rather than a file: `src/a/index.ts` and `src/a.d.ts` are both `src/a`
_MODULE_SUFFIX = re.compile(r"(/index)?(\.d)?\.[cm]?[jt]sx?$")
MAX_FILES = 5000
MAX_BYTES = 1_000_000  # a generated bundle says nothing about how the code is written


class Vocabulary:
    """Identifier counts over the project's sources, read once, lazily."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._counts: Counter[str] | None = None
        self._imports: dict[str, Counter[str]] | None = None
        self._importers: dict[str, set[str]] = {}  # name -> the files that import it
        self._type_only: Counter[str] = Counter()  # name -> how many of its imports are `import type`
        self._modules: set[str] = set()  # the project's own files, as `imports` names them
        self._texts: dict[str, str] = {}

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
                    text = path.read_text(encoding="utf-8", errors="replace")
                except OSError:
                    continue
                counts.update(_WORD.findall(text))
                self._texts[rel] = text
            self._counts = counts
        return self._counts

    @property
    def imports(self) -> dict[str, Counter[str]]:
        """For each imported name, where the project's files import it from (a file or a package)."""
        if self._imports is None:
            _ = self.counts
            known = set(self._texts)
            self._modules = {re.sub(_MODULE_SUFFIX, "", path) for path in known}
            imports: dict[str, Counter[str]] = {}
            for rel, text in self._texts.items():
                for name, source in imported(rel, text, known):
                    imports.setdefault(name, Counter())[source] += 1
                    self._importers.setdefault(name, set()).add(rel)
                self._type_only.update(type_imported(text))
            self._texts = {}
            self._imports = imports
        return self._imports

    def project_file(self, source: str) -> bool:
        """Whether a source `imports` names is one of the project's files (not a package or alias)."""
        _ = self.imports
        return source in self._modules

    def type_only(self, name: str) -> bool:
        """Whether the project's files import the name as a type (`import type`) more often than not."""
        return 2 * self._type_only[name] > sum(self.imports.get(name, Counter()).values())

    def share(self, before: dict[str, str], after: dict[str, str]) -> float:
        """How much of the vocabulary the edit moves toward, in (0, 1): ½ when it renames nothing."""
        added_imports = {
            pair
            for path, text in after.items()
            for pair in set(imported(path, text, None)) - set(imported(path, before.get(path, ""), None))
        }
        if added_imports:
            uses = [self.imports.get(name, Counter()) for name, _ in added_imports]
            same = sum(u[source] for u, (_, source) in zip(uses, added_imports, strict=True))
            return (same + 1) / (sum(u.total() for u in uses) + 2)
        old = Counter(w for text in before.values() for w in _WORD.findall(text))
        new = Counter(w for text in after.values() for w in _WORD.findall(text))
        added, removed = set(new - old), set(old - new)
        if not added or not removed:
            return 0.5
        _ = self.imports
        if any(self._importers.get(w, set()) - set(before) for w in removed):
            return 0.0  # other files import that name: it is not misspelt here
        a = sum(self.counts[w] for w in added)
        r = sum(self.counts[w] for w in removed)
        return (a + 1) / (a + r + 2)


def type_imported(text: str) -> list[str]:
    """The names a file imports as types only: `import type { A }`, `import { type B }`."""
    out = []
    for m in _IMPORT.finditer(text):
        whole = m.group(0).lstrip().startswith(("import type ", "import type{"))
        for part in (m.group(2) or "").split(","):
            words = part.split()
            if words and (whole or (words[0] == "type" and len(words) > 1)):
                out.append(words[1] if words[0] == "type" and len(words) > 1 else words[0])
    return out


def imported(path: str, text: str, known: set[str] | None) -> list[tuple[str, str]]:
    """(name, where from) for each name the file imports: the project file a relative specifier
    resolves to (its normalised path when `known` is None or it is not found), else the package."""
    out = []
    for m in _IMPORT.finditer(text):
        default, braces, _, spec = m.groups()
        if spec.startswith("."):
            base = os.path.normpath(os.path.join(os.path.dirname(path), spec)).replace(os.sep, "/")
            source = (resolve(path, spec, known) if known is not None else None) or re.sub(
                _MODULE_SUFFIX, "", base
            )
        else:
            source = spec
        names = [default] if default and default != "type" else []
        for part in (braces or "").split(","):
            words = part.replace("type ", " ").split()
            if words:
                names.append(words[0])
        out += [(name, re.sub(_MODULE_SUFFIX, "", source)) for name in names]
    return out
