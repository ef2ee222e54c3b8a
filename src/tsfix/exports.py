"""A file's exported types, as the language service sees them: what importers can depend on.

The verifier compares them before and after an edit (tsfix.verify): an edit that leaves them the
same cannot change what any importer type-checks against, so the importers need not be re-checked.

    exported_types(service, "src/a.ts")   # ("function load(id: number): Promise<User>", …) or None

Exported functions, variables and classes are described by TypeScript's quick info at their names
(which shows inferred types, so an edit in a body that changes an inferred return type is seen);
type-level declarations (interfaces, type aliases, enums, classes) by their text too, since quick
info shows only their names. Anything that can reach other files without an export — `declare
global`, `declare module`, a script without imports or exports (its declarations are global) —
makes the answer None: unknown, so the importers are checked.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from tsfix.context import _parser, language_for
from tsfix.edits import Position, position_of
from tsfix.langserver import LanguageService

_TYPE_LEVEL = {
    "interface_declaration",
    "type_alias_declaration",
    "enum_declaration",
    "class_declaration",
    "abstract_class_declaration",
}
_NAMED = {
    "function_declaration",
    "generator_function_declaration",
    "function_signature",
    "class_declaration",
    "abstract_class_declaration",
}


def export_probes(path: str, text: str) -> list[tuple[str, Position | None]] | None:
    """(label, position) pairs: ask quick info at the position; a None position means the label is
    itself the description (a declaration's text). None when the file's effect is not only its
    exports."""
    data = text.encode("utf-8", errors="surrogatepass")
    root = _parser(language_for(path)).parse(data).root_node
    positions: dict[int, Position] = {}

    def at(node: Any) -> Position:
        if node.start_byte not in positions:
            index = len(data[: node.start_byte].decode("utf-8", errors="surrogatepass"))
            positions[node.start_byte] = position_of(text, index)
        return positions[node.start_byte]

    def src(node: Any) -> str:
        return data[node.start_byte : node.end_byte].decode("utf-8", errors="replace")

    probes: list[tuple[str, Position | None]] = []
    has_module_syntax = False
    for statement in root.named_children:
        kind = statement.type
        if (
            kind == "ambient_declaration"
            and statement.named_children[:1]
            and (statement.named_children[0].type in ("statement_block", "module"))
        ):
            return None  # declare global { … } / declare module "x" { … }: augments other files
        if kind == "import_statement":
            has_module_syntax = True
        if kind != "export_statement":
            if kind in _TYPE_LEVEL:
                probes.append((src(statement), None))  # a local type an exported one may name
            continue
        has_module_syntax = True
        declaration = statement.child_by_field_name("declaration")
        if declaration is None:
            for child in statement.named_children:
                if child.type == "export_clause":
                    probes.extend((src(name), at(name)) for name in _clause_names(child))
                elif child.type == "string":  # export … from "…": the other file is not edited
                    probes.append((src(statement), None))
                elif child.type != "comment":  # export default <expression>, export = <expression>
                    probes.append(("default", at(child)))
            continue
        if declaration.type in _TYPE_LEVEL:
            probes.append((src(declaration), None))
        for name in _declared_names(declaration):
            probes.append((src(name), at(name)))
    if not has_module_syntax:
        return None
    return probes


def _clause_names(clause: Any) -> Iterator[Any]:
    for specifier in clause.named_children:
        name = specifier.child_by_field_name("name")
        if name is not None:
            yield name


def _declared_names(declaration: Any) -> Iterator[Any]:
    if declaration.type in _NAMED:
        name = declaration.child_by_field_name("name")
        if name is not None:
            yield name
    elif declaration.type in ("lexical_declaration", "variable_declaration"):
        for declarator in declaration.named_children:
            name = declarator.child_by_field_name("name")
            if declarator.type == "variable_declarator" and name is not None:
                yield name


def exported_types(service: LanguageService, path: str) -> tuple[str, ...] | None:
    """What the file exports, as text to compare, for the file's text as the service has it now."""
    probes = export_probes(path, service.text(path))
    if probes is None:
        return None
    return tuple(
        label if where is None else f"{label}: {service.quick_info(path, where) or ''}"
        for label, where in probes
    )


def exports_changed(service: LanguageService, path: str, before: tuple[str, ...] | None) -> bool:
    """Whether the file exports other types now than `before` (unknown before counts as changed)."""
    return before is None or exported_types(service, path) != before
