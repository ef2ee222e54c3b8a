"""A name the project's other files import from a package: import it from there too.

TypeScript's own "Add import" names a project file by its relative path. A project that imports
`SerializedError` through its own package name, or its components through a path alias
(`@/components`), writes every such import that way; a relative one compiles, but it is not the line
a reviewer expects. So for `Cannot find name 'X'`, each package or alias the project's files import
`X` from becomes a candidate: added to the file's import from there when it has one, else as a new
import after the file's last one — `import type` when the project imports `X` as a type and this file
uses it only as one. Which source, the compiler (does it resolve, is it that `X`) and the project's
vocabulary (how many files import it from there, tsfix.vocabulary) decide. Relative sources are left
to TypeScript's own fix.
"""

from __future__ import annotations

import re
from typing import Any

from tsfix.fixers import FixContext
from tsfix.fixers.candidate import Candidate
from tsfix.fixers.syntax import Doc, headline, walk
from tsfix.vocabulary import Vocabulary

_NAME = re.compile(r"^Cannot find name '([^']+)'")
SOURCES = 2  # the most common places a name is imported from, at most


def imported_elsewhere(ctx: FixContext, doc: Doc) -> list[Candidate]:
    m = _NAME.match(headline(ctx))
    name = m.group(1) if m else None
    if name is None or name != doc.span(ctx.target.start, ctx.target.end):
        return []
    vocabulary = ctx.vocabulary or Vocabulary(ctx.root)
    sources = vocabulary.imports.get(name)
    if not sources:
        return []
    as_type = vocabulary.type_only(name) and _only_types(doc, name)
    out = []
    top = sources.most_common(1)[0][1]
    for source, n in sources.most_common(SOURCES):
        if vocabulary.project_file(source):
            continue  # a project file: TypeScript's "Add import" writes that one
        edit = _into_existing(doc, source, name) or _new_import(doc, source, name, as_type)
        out.append(
            Candidate(
                "search",
                (edit,),
                f"Import '{name}' from '{source}', as {n} other import(s) of it in the project do",
                fix_name="import-as-elsewhere",
                rank=round(n / top, 4),  # how much, the vocabulary's share says (tsfix.confidence)
            )
        )
    return out


def _only_types(doc: Doc, name: str) -> bool:
    uses = [
        n
        for n in walk(doc.tree.root_node)
        if n.type in ("identifier", "type_identifier") and doc.src(n) == name
    ]
    return bool(uses) and all(n.type == "type_identifier" for n in uses)


def _imports(doc: Doc) -> list[Any]:
    return [n for n in doc.tree.root_node.children if n.type == "import_statement"]


def _into_existing(doc: Doc, source: str, name: str) -> Any:
    """`, name` at the end of the braces of the file's import from `source`, if it has one."""
    for statement in _imports(doc):
        spec = statement.child_by_field_name("source")
        if spec is None or doc.src(spec)[1:-1] != source:
            continue
        braces = next((n for n in walk(statement) if n.type == "named_imports"), None)
        last = (
            [n for n in braces.named_children if n.type == "import_specifier"] if braces is not None else []
        )
        if last:
            return doc.insert(last[-1].end_byte, f", {name}")
    return None


def _new_import(doc: Doc, source: str, name: str, as_type: bool) -> Any:
    line = f"import {'type ' if as_type else ''}{{ {name} }} from '{source}'\n"
    statements = _imports(doc)
    if statements:
        return doc.insert(statements[-1].end_byte, "\n" + line.rstrip("\n"))
    return doc.insert(0, line)
