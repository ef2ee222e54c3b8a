"""What the repair templates and the search read: a file's syntax tree (Doc), its nodes' ancestors
and descendants, the names in scope at a node, the value an assignability error is about, and how
a repair's candidate is made."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

from tsfix.context import _parser, language_for
from tsfix.edits import Position, TextEdit, index_of, line_starts, position_of
from tsfix.fixers import FixContext
from tsfix.fixers.candidate import Candidate
from tsfix.langserver import LanguageServiceError

FUNCTIONS = {
    "function_declaration",
    "generator_function_declaration",
    "function_expression",
    "function",
    "arrow_function",
    "method_definition",
    "generator_function",
}
_BLOCKS = {"statement_block", "program", "class_body", "switch_body"}


class Doc:
    """A file's text with its syntax tree, and conversions between tree-sitter bytes and positions."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text
        self.data = text.encode("utf-8", errors="surrogatepass")
        self.starts = line_starts(text)
        self.tree = _parser(language_for(path)).parse(self.data)

    def byte(self, pos: Position) -> int:
        return len(self.text[: index_of(self.text, pos, self.starts)].encode("utf-8", errors="surrogatepass"))

    def pos(self, byte: int) -> Position:
        index = len(self.data[:byte].decode("utf-8", errors="surrogatepass"))
        return position_of(self.text, index, self.starts)

    def node_at(self, pos: Position) -> Any:
        b = self.byte(pos)
        return self.tree.root_node.named_descendant_for_byte_range(b, b)

    def node_spanning(self, start: Position, end: Position) -> Any:
        return self.tree.root_node.named_descendant_for_byte_range(
            self.byte(start), max(self.byte(start), self.byte(end) - 1)
        )

    def src(self, node: Any) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", errors="replace")

    def span(self, start: Position, end: Position) -> str:
        return self.text[index_of(self.text, start, self.starts) : index_of(self.text, end, self.starts)]

    def replace(self, node: Any, new_text: str) -> TextEdit:
        return TextEdit(self.path, self.pos(node.start_byte), self.pos(node.end_byte), new_text)

    def replace_bytes(self, start: int, end: int, new_text: str) -> TextEdit:
        return TextEdit(self.path, self.pos(start), self.pos(end), new_text)

    def insert(self, byte: int, new_text: str) -> TextEdit:
        p = self.pos(byte)
        return TextEdit(self.path, p, p, new_text)


def ancestors(node: Any) -> Iterator[Any]:
    while node is not None:
        yield node
        node = node.parent


def walk(node: Any) -> Iterator[Any]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(reversed(current.named_children))


def headline(ctx: FixContext) -> str:
    return ctx.target.message.split("\n", 1)[0]


def candidate(name: str, description: str, *edits: TextEdit) -> Candidate:
    return Candidate("repair", tuple(edits), description, fix_name=name)


def names_in_scope(doc: Doc, at: Any) -> list[tuple[str, Any]]:
    """Names declared where `at` can see them: enclosing functions' parameters, earlier declarations."""
    names: list[tuple[str, Any]] = []
    for node in ancestors(at.parent):
        if node.type in FUNCTIONS:
            params = node.child_by_field_name("parameters")
            for p in params.named_children if params is not None else []:
                pattern = p.child_by_field_name("pattern") or p
                if pattern.type == "identifier":
                    names.append((doc.src(pattern), pattern))
        if node.type in _BLOCKS:
            for statement in node.named_children:
                if statement.start_byte >= at.start_byte and statement.type not in ("function_declaration",):
                    continue
                if (
                    statement.start_byte <= at.start_byte < statement.end_byte
                    and statement.type != "function_declaration"
                ):
                    continue  # `const x = f(…)`: x is not usable inside its own initializer
                target = (
                    statement.child_by_field_name("declaration")
                    if statement.type == "export_statement"
                    else statement
                )
                if target is None:
                    continue
                if target.type in ("lexical_declaration", "variable_declaration"):
                    for d in target.named_children:
                        name = d.child_by_field_name("name")
                        if d.type == "variable_declarator" and name is not None and name.type == "identifier":
                            names.append((doc.src(name), name))
                elif target.type == "function_declaration" and target.child_by_field_name("name") is not None:
                    name = target.child_by_field_name("name")
                    names.append((doc.src(name), name))
    return names


def value_node(doc: Doc, ctx: FixContext) -> Any | None:
    """The expression an assignability error is about (TypeScript often reports the name beside it)."""
    node = doc.node_spanning(ctx.target.start, ctx.target.end)
    for current in ancestors(node):
        kind = current.type
        if kind in (
            "variable_declarator",
            "public_field_definition",
            "pair",
            "jsx_attribute",
            "assignment_expression",
        ):
            for field in ("value", "right"):
                value = current.child_by_field_name(field)
                if value is not None:
                    return value
            if kind == "jsx_attribute" and current.named_child_count >= 2:
                value = current.named_children[-1]
                return (
                    value.named_children[0]
                    if value.type == "jsx_expression" and value.named_children
                    else value
                )
            return None
        if kind == "return_statement":
            return current.named_children[0] if current.named_children else None
        if kind in ("arguments", "program", "statement_block"):
            break
    return node


Probe = Callable[[FixContext, Doc], list[Candidate]]


def run_probes(ctx: FixContext, probes: Sequence[Probe], doc: Doc | None = None) -> list[Candidate]:
    """Every probe's candidates for ctx.target, over one parse of its file (`doc`, else parsed
    here). A question the language service could not answer ends that probe only: the others still
    run."""
    doc = Doc(ctx.target.file, ctx.text) if doc is None else doc
    out: list[Candidate] = []
    for probe in probes:
        try:
            out.extend(probe(ctx, doc))
        except LanguageServiceError:
            continue
    return out
