"""Code context around a diagnostic, found with tree-sitter.

For each diagnostic we find the smallest enclosing *meaningful* node — a function, a method, an
arrow function bound to a name, a class member, an interface/type/enum, a namespace — or, failing
that, the top-level statement, and record its kind, name, symbol path, line range and text.

Positions: tsc reports 1-based lines split on CR, LF, CRLF, U+2028 and U+2029, and 1-based columns
counted in UTF-16 code units; tree-sitter works on UTF-8 byte offsets. Everything here converts
through the file's own bytes, so non-ASCII text, astral characters and CRLF files line up.

All tree-sitter API differences stay in this module (py-tree-sitter changed its Language/Parser
constructors in 0.22 and 0.23; we require >= 0.23).
"""

from __future__ import annotations

import codecs
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from tsfix.models import CodeContext

MAX_SNIPPET_LINES = 60
MAX_SNIPPET_CHARS = 4000
MAX_LINE_CHARS = 400

_LINE_BREAKS = re.compile(rb"\r\n|[\r\n]|\xe2\x80[\xa8\xa9]")

# node type -> kind, for nodes that are meaningful on their own
_DECLARATIONS = {
    "function_declaration": "function",
    "generator_function_declaration": "function",
    "function_signature": "function",
    "method_definition": "method",
    "method_signature": "method",
    "abstract_method_signature": "method",
    "class_declaration": "class",
    "abstract_class_declaration": "class",
    "interface_declaration": "interface",
    "type_alias_declaration": "type",
    "enum_declaration": "enum",
    "public_field_definition": "property",
    "internal_module": "namespace",
    "module": "namespace",
}
# function-valued nodes: meaningful only when bound to a name
_FUNCTION_VALUES = {
    "arrow_function": "arrow_function",
    "function_expression": "function",
    "function": "function",
    "generator_function": "function",
    "class": "class",
}
_TOP_LEVEL_KINDS = {
    "import_statement": "import",
    "export_statement": "export",
    "lexical_declaration": "variable",
    "variable_declaration": "variable",
    "expression_statement": "statement",
}


@cache
def _parser(language: str) -> Any:
    import tree_sitter
    import tree_sitter_typescript

    capsule = (
        tree_sitter_typescript.language_tsx()
        if language == "tsx"
        else tree_sitter_typescript.language_typescript()
    )
    return tree_sitter.Parser(tree_sitter.Language(capsule))


def language_for(path: str) -> str:
    """The grammar for a file: tsx for .tsx and JavaScript (which may hold JSX), else typescript."""
    lower = path.lower()
    return "tsx" if lower.endswith((".tsx", ".jsx", ".js", ".mjs", ".cjs")) else "typescript"


def file_hash(data: bytes) -> str:
    """The content hash recorded with each error and checked before any edit: sha256 of the raw bytes."""
    return hashlib.sha256(data).hexdigest()


def normalise_source(data: bytes) -> bytes:
    """The bytes tsc reads as text, as UTF-8: BOMs removed, UTF-16 files transcoded.

    Undecodable bytes are kept as they are (surrogateescape), one column each, as tsc counts them.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[3:]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16", errors="replace").encode("utf-8")
    return data


@dataclass(slots=True)
class SourceFile:
    """A file's text prepared once for many lookups."""

    path: str
    data: bytes  # normalised UTF-8 bytes
    raw_hash: str
    line_starts: list[int]

    @classmethod
    def from_bytes(cls, path: str, raw: bytes) -> SourceFile:
        data = normalise_source(raw)
        starts = [0]
        starts.extend(m.end() for m in _LINE_BREAKS.finditer(data))
        return cls(path, data, file_hash(raw), starts)

    @property
    def line_count(self) -> int:
        return len(self.line_starts)

    def line_bytes(self, line: int) -> bytes:
        """Line `line` (1-based) without its line break."""
        start = self.line_starts[line - 1]
        end = self.line_starts[line] if line < len(self.line_starts) else len(self.data)
        chunk = self.data[start:end]
        m = re.search(rb"(\r\n|[\r\n]|\xe2\x80[\xa8\xa9])$", chunk)
        return chunk[: m.start()] if m else chunk

    def line_text(self, line: int) -> str:
        return self.line_bytes(line).decode("utf-8", errors="replace")

    def byte_offset(self, line: int, col: int) -> int:
        """Byte offset of tsc's (line, UTF-16 column), clamped to the line."""
        line = min(max(line, 1), self.line_count)
        start = self.line_starts[line - 1]
        text = self.line_bytes(line)
        units = max(col - 1, 0)
        if text.isascii():
            return start + min(units, len(text))
        decoded = text.decode("utf-8", errors="surrogateescape")
        taken = 0
        chars = 0
        for ch in decoded:
            if taken >= units:
                break
            taken += 2 if ord(ch) > 0xFFFF else 1
            chars += 1
        return start + len(decoded[:chars].encode("utf-8", errors="surrogateescape"))

    def line_of_byte(self, offset: int) -> int:
        """1-based line holding byte `offset`."""
        from bisect import bisect_right

        return bisect_right(self.line_starts, offset)

    def span_size(self, first: int, last: int) -> int:
        """Bytes in lines [first, last], line breaks included."""
        end = self.line_starts[last] if last < len(self.line_starts) else len(self.data)
        return end - self.line_starts[first - 1]

    def lines_text(self, first: int, last: int) -> str:
        start = self.line_starts[first - 1]
        end = self.line_starts[last] if last < len(self.line_starts) else len(self.data)
        return self.data[start:end].decode("utf-8", errors="replace").rstrip("\r\n\u2028\u2029")


def _node_name(node: Any) -> str | None:
    name = node.child_by_field_name("name")
    if name is None:
        return None
    text = name.text.decode("utf-8", errors="replace")
    return text if len(text) <= 200 else text[:200]


def _binding_name(node: Any) -> str | None:
    """The name a function value is bound to: `const f = () => …`, `{ f: () => … }`, `x.f = () => …`."""
    parent = node.parent
    if parent is None:
        return None
    kind = parent.type
    if kind in ("variable_declarator", "public_field_definition"):
        return _node_name(parent) if parent.child_by_field_name("value") == node else None
    if kind == "pair":
        key = parent.child_by_field_name("key")
        return key.text.decode("utf-8", errors="replace") if key is not None else None
    if kind in ("assignment_expression", "augmented_assignment_expression"):
        left = parent.child_by_field_name("left")
        if left is not None and parent.child_by_field_name("right") == node:
            text = left.text.decode("utf-8", errors="replace")
            return text.rsplit(".", 1)[-1] if len(text) <= 200 else None
    return None


def _path_name(node: Any) -> str | None:
    """The name a node contributes to the symbol path (`Store.load`, `cfg.build`), if any.

    Names come from the declaring node only, so `handler = () => …` in a class yields `handler`
    once (from the field), not once for the field and again for the arrow function.
    """
    kind = node.type
    if kind in _DECLARATIONS:
        return _node_name(node)
    if kind == "variable_declarator":  # `const cfg = {…}` or `const f = () => …`, not `const n = 1`
        value = node.child_by_field_name("value")
        if value is not None and (value.type in _FUNCTION_VALUES or value.type == "object"):
            return _node_name(node)
        return None
    if kind == "pair":
        value = node.child_by_field_name("value")
        if value is not None and (value.type in _FUNCTION_VALUES or value.type == "object"):
            key = node.child_by_field_name("key")
            return key.text.decode("utf-8", errors="replace") if key is not None else None
        return None
    if kind in _FUNCTION_VALUES:
        own = _node_name(node)
        if own:
            return own
        parent = node.parent
        if parent is not None and parent.type in ("assignment_expression", "augmented_assignment_expression"):
            return _binding_name(node)
    return None


def _classify(node: Any) -> tuple[str, str | None] | None:
    """(kind, name) when `node` is meaningful by itself, else None."""
    kind = _DECLARATIONS.get(node.type)
    if kind is not None:
        return kind, _node_name(node)
    kind = _FUNCTION_VALUES.get(node.type)
    if kind is not None:
        name = _node_name(node) or _binding_name(node)
        if name is not None:
            return kind, name
    return None


def _top_level_name(statement: Any) -> str | None:
    target = statement
    if statement.type == "export_statement":
        declaration = statement.child_by_field_name("declaration")
        if declaration is not None:
            target = declaration
    if target.type in ("lexical_declaration", "variable_declaration"):
        names = [_node_name(c) for c in target.named_children if c.type == "variable_declarator"]
        names = [n for n in names if n]
        return ", ".join(names) if names else None
    return _node_name(target)


def _with_export(node: Any) -> Any:
    """Include an `export`/`export default` wrapper (and its decorators) in the node's span."""
    parent = node.parent
    while parent is not None and parent.type == "export_statement":
        node = parent
        parent = node.parent
    return node


def _snippet_window(
    source: SourceFile, first: int, last: int, error_line: int, max_lines: int, max_chars: int
) -> tuple[int, int, bool]:
    """Lines [first, last] cut down to at most max_lines/max_chars, keeping error_line in view."""
    error_line = min(max(error_line, first), last)
    truncated = False
    if last - first + 1 > max_lines:
        before = max_lines // 3
        start = max(first, error_line - before)
        end = min(last, start + max_lines - 1)
        start = max(first, end - max_lines + 1)
        first, last, truncated = start, end, True
    while last > first and source.span_size(first, last) > max_chars:
        # shrink from the side farther from the error line
        if error_line - first > last - error_line:
            first += 1
        else:
            last -= 1
        truncated = True
    return first, last, truncated


def _clip_line(text: str, col: int, width: int = MAX_LINE_CHARS) -> str:
    if len(text) <= width:
        return text
    start = max(0, min(col - 1 - width // 2, len(text) - width))
    return text[start : start + width]


def context_at(
    tree: Any,
    source: SourceFile,
    line: int,
    col: int,
    language: str,
    max_lines: int = MAX_SNIPPET_LINES,
    max_chars: int = MAX_SNIPPET_CHARS,
) -> CodeContext:
    """The context of the position (line, UTF-16 col) in a parsed file."""
    line = min(max(line, 1), source.line_count)
    offset = source.byte_offset(line, col)
    root = tree.root_node
    node = root.named_descendant_for_byte_range(offset, offset) or root
    while node.type == "export_statement":  # on the `export` keyword: the declaration is what it means
        declaration = node.child_by_field_name("declaration")
        if declaration is None:
            break
        node = declaration

    chosen: Any = None
    chosen_kind = "statement"
    chosen_name: str | None = None
    names: list[str] = []
    top: Any = None
    current = node
    while current is not None and current.type != "program":
        classified = _classify(current)
        if classified is not None and chosen is None:
            chosen, chosen_kind, chosen_name = current, classified[0], classified[1]
        name = _path_name(current)
        if name:
            names.append(name)
        if current.parent is not None and current.parent.type == "program":
            top = current
        current = current.parent

    if chosen is None:
        if top is None:  # the position is outside every statement (blank line, comment at the end)
            chosen, chosen_kind, chosen_name = root, "file", None
        else:
            chosen = top
            chosen_kind = _TOP_LEVEL_KINDS.get(top.type, "statement")
            chosen_name = _top_level_name(top)
            if chosen_kind == "export" and chosen_name:
                chosen_kind = "variable" if top.child_by_field_name("declaration") is not None else "export"
            if chosen_name and not names:
                names.append(chosen_name)

    span = _with_export(chosen) if chosen is not root else chosen
    first = span.start_point[0] + 1
    last = span.end_point[0] + 1
    if span.end_point[1] == 0 and last > first:
        last -= 1
    last = min(last, source.line_count)
    node_first, node_last = first, last
    first, last, truncated = _snippet_window(source, first, last, line, max_lines, max_chars)
    snippet = source.lines_text(first, last)
    if len(snippet) > max_chars:  # one enormous line (minified code): keep the part around the column
        snippet = _clip_line(source.line_text(line), col, max_chars)
        first = last = line
        truncated = True
    return CodeContext(
        kind=chosen_kind,
        name=chosen_name,
        symbol_path=".".join(reversed(names)),
        node_type=chosen.type,
        start_line=node_first,
        end_line=node_last,
        snippet=snippet,
        snippet_start_line=first,
        snippet_end_line=last,
        truncated=truncated,
        error_line_text=_clip_line(source.line_text(line), col),
        language=language,
    )


@dataclass(slots=True)
class FileContexts:
    """Contexts for the diagnostics of one file, or why there are none."""

    path: str
    hash: str | None
    contexts: dict[int, CodeContext]  # diagnostic index -> context
    problem: str | None = None  # e.g. "file not found"


def extract_file_contexts(
    path: str,
    absolute: Path,
    positions: Iterable[tuple[int, int, int]],
    max_lines: int = MAX_SNIPPET_LINES,
    max_chars: int = MAX_SNIPPET_CHARS,
) -> FileContexts:
    """Parse one file once and find the context of each (index, line, col) in it.

    A file that cannot be read (deleted since tsc ran, unreadable) yields no contexts and a problem
    string; the diagnostics are still recorded without context.
    """
    try:
        raw = absolute.read_bytes()
    except FileNotFoundError:
        return FileContexts(path, None, {}, "file not found (deleted after tsc ran?)")
    except OSError as exc:
        return FileContexts(path, None, {}, f"cannot read file: {exc.strerror}")
    source = SourceFile.from_bytes(path, raw)
    language = language_for(path)
    tree = _parser(language).parse(source.data)
    contexts = {
        index: context_at(tree, source, line, col, language, max_lines, max_chars)
        for index, line, col in positions
    }
    return FileContexts(path, source.raw_hash, contexts)


def extract_contexts(
    root: Path, located: Sequence[tuple[int, str, int, int]]
) -> dict[str, FileContexts]:
    """Contexts for many diagnostics, given as (index, relative path, line, col); each file parsed once."""
    by_file: dict[str, list[tuple[int, int, int]]] = {}
    for index, path, line, col in located:
        by_file.setdefault(path, []).append((index, line, col))
    return {
        path: extract_file_contexts(path, root / path, positions) for path, positions in by_file.items()
    }
