"""Code context around a diagnostic, found with tree-sitter.

For each diagnostic we find the smallest enclosing *meaningful* node — a function, a method, an
arrow function bound to a name, a class member, an interface/type/enum, a namespace — or, failing
that, the top-level statement, and record its kind, name, symbol path, line range and text.

Positions: tsc reports 1-based lines split on CR, LF, CRLF, U+2028 and U+2029, and 1-based columns
counted in UTF-16 code units; tree-sitter works on UTF-8 byte offsets. Everything here converts
through the file's own bytes, so non-ASCII text, astral characters and CRLF files line up.

All tree-sitter API differences stay in this module (py-tree-sitter changed its Language/Parser
constructors in 0.22 and 0.23; we require >= 0.23).

The work per file is bounded, not only the snippets: a file over MAX_INDEX_BYTES is not given to
tree-sitter (its parse tree takes ~180 bytes per source byte of dense code, and the scope query
grows faster than the tree: a 5 MB one-line array took 20 s and 1 GB), so its context is the window
of lines around the error. Per diagnostic, positions and line texts cost a bounded slice of the
line, whatever its length: long lines get UTF-16 checkpoints and their text is decoded once.
"""

from __future__ import annotations

import codecs
import hashlib
import re
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from tsfix.records import CodeContext

MAX_SNIPPET_LINES = 60
MAX_SNIPPET_CHARS = 4000
MAX_LINE_CHARS = 400
# Files larger than this get line-window contexts without a parse tree (see the module docstring):
# hand-written sources are far smaller; beyond it are bundles, generated tables and minified code.
MAX_INDEX_BYTES = 1 << 20
# Lines longer than this (bytes) get UTF-16 checkpoints every _CHECKPOINT_CHARS characters.
_LONG_LINE = 16 * 1024
_CHECKPOINT_CHARS = 4096
_TEXT_CACHE_LINES = 8

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


def _utf16_prefix(chunk: bytes, units: int) -> int:
    """How many bytes of `chunk` hold its first `units` UTF-16 code units (a character that the
    count ends inside is taken whole); all of it when it has fewer. C-speed codecs, no Python loop."""
    wide = chunk.decode("utf-8", errors="surrogateescape").encode("utf-16-le", errors="surrogatepass")
    cut = 2 * units
    if cut >= len(wide):
        return len(chunk)
    if cut and 0xD800 <= int.from_bytes(wide[cut - 2 : cut], "little") <= 0xDBFF:
        cut += 2  # the count ends between the two halves of an astral character
    head = wide[:cut].decode("utf-16-le", errors="surrogatepass")
    return len(head.encode("utf-8", errors="surrogateescape"))


@dataclass(slots=True)
class SourceFile:
    """A file's text prepared once for many lookups."""

    path: str
    data: bytes  # normalised UTF-8 bytes
    raw_hash: str
    line_starts: array[int]  # compact: a file of short lines has as many entries as bytes / 2
    line_ends: array[int]  # where each line's text ends, before its line break
    ascii: bool = False
    # bytes decoded to answer position and text lookups: the measure of the per-diagnostic work
    decoded: int = 0
    _texts: dict[int, str] = field(default_factory=dict)
    _checkpoints: dict[int, tuple[array[int], array[int]]] = field(default_factory=dict)

    @classmethod
    def from_bytes(cls, path: str, raw: bytes) -> SourceFile:
        data = normalise_source(raw)
        starts = array("q", [0])
        ends = array("q")
        for m in _LINE_BREAKS.finditer(data):
            ends.append(m.start())
            starts.append(m.end())
        ends.append(len(data))
        return cls(path, data, file_hash(raw), starts, ends, data.isascii())

    @property
    def line_count(self) -> int:
        return len(self.line_starts)

    def line_bytes(self, line: int) -> bytes:
        """Line `line` (1-based) without its line break."""
        return self.data[self.line_starts[line - 1] : self.line_ends[line - 1]]

    def line_text(self, line: int) -> str:
        """Line `line` decoded for display; each line is decoded once for all its diagnostics."""
        text = self._texts.get(line)
        if text is None:
            raw = self.line_bytes(line)
            self.decoded += len(raw)
            text = raw.decode("utf-8", errors="replace")
            if len(self._texts) >= _TEXT_CACHE_LINES:
                self._texts.clear()
            self._texts[line] = text
        return text

    def byte_offset(self, line: int, col: int) -> int:
        """Byte offset of tsc's (line, UTF-16 column), clamped to the line."""
        line = min(max(line, 1), self.line_count)
        start, end = self.line_starts[line - 1], self.line_ends[line - 1]
        units = max(col - 1, 0)
        if self.ascii:
            return start + min(units, end - start)
        if end - start <= _LONG_LINE:
            self.decoded += end - start
            return start + _utf16_prefix(self.data[start:end], units)
        unit_marks, byte_marks = self._line_checkpoints(line)
        k = bisect_right(unit_marks, units) - 1
        if k == len(unit_marks) - 1:  # at or past the end of the line
            return end
        chunk_start, chunk_end = start + byte_marks[k], start + byte_marks[k + 1]
        self.decoded += chunk_end - chunk_start
        return chunk_start + _utf16_prefix(self.data[chunk_start:chunk_end], units - unit_marks[k])

    def _line_checkpoints(self, line: int) -> tuple[array[int], array[int]]:
        """UTF-16 units and bytes before every _CHECKPOINT_CHARS-th character of a long line, and at
        its end: one decode of the line, then each lookup decodes one chunk."""
        marks = self._checkpoints.get(line)
        if marks is None:
            raw = self.line_bytes(line)
            self.decoded += len(raw)
            text = raw.decode("utf-8", errors="surrogateescape")
            unit_marks, byte_marks = array("q", [0]), array("q", [0])
            for i in range(0, len(text), _CHECKPOINT_CHARS):
                piece = text[i : i + _CHECKPOINT_CHARS]
                unit_marks.append(
                    unit_marks[-1] + len(piece.encode("utf-16-le", errors="surrogatepass")) // 2
                )
                byte_marks.append(byte_marks[-1] + len(piece.encode("utf-8", errors="surrogateescape")))
            marks = self._checkpoints[line] = (unit_marks, byte_marks)
        return marks

    def line_of_byte(self, offset: int) -> int:
        """1-based line holding byte `offset`."""
        return bisect_right(self.line_starts, offset)

    def span_size(self, first: int, last: int) -> int:
        """Bytes in lines [first, last]."""
        return self.line_ends[last - 1] - self.line_starts[first - 1]

    def lines_text(self, first: int, last: int) -> str:
        if first == last:
            return self.line_text(first)
        self.decoded += self.span_size(first, last)
        return self.data[self.line_starts[first - 1] : self.line_ends[last - 1]].decode(
            "utf-8", errors="replace"
        )


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
        names = [n for c in target.named_children if c.type == "variable_declarator" and (n := _node_name(c))]
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


@dataclass(slots=True)
class _Scope:
    """A span of the file that can enclose a diagnostic: a declaration, a named function value, a
    path-contributing binding (`const cfg = {…}`), or a top-level statement."""

    start: int
    end: int
    parent: int
    node: Any
    kind: str | None  # set when the scope can be *the* context (meaningful, or top-level)
    name: str | None
    meaningful: bool
    path: tuple[str, ...]


def _scope_query(language: str) -> Any:
    """One query capturing every node type that can open a scope (C-side matching, one pass)."""
    import tree_sitter

    lang = _parser(language).language
    types = [*_DECLARATIONS, *_FUNCTION_VALUES, "variable_declarator", "pair"]
    present = [t for t in types if lang.id_for_node_kind(t, True)]  # grammar versions differ
    return tree_sitter.Query(lang, "[" + " ".join(f"({t})" for t in present) + "] @scope")


_QUERIES: dict[str, Any] = {}


def _captures(language: str, root: Any) -> list[Any]:
    import tree_sitter

    query = _QUERIES.get(language)
    if query is None:
        query = _QUERIES[language] = _scope_query(language)
    if hasattr(tree_sitter, "QueryCursor"):  # py-tree-sitter >= 0.25
        found = tree_sitter.QueryCursor(query).captures(root)
    else:  # 0.23 and 0.24 return the same dict from Query.captures
        found = query.captures(root)
    return found.get("scope", [])


def warm_up(languages: Sequence[str] = ("typescript", "tsx")) -> None:
    """Load tree-sitter, its grammars and the scope queries (called while tsc runs)."""
    for language in languages:
        _parser(language)
        if language not in _QUERIES:
            _QUERIES[language] = _scope_query(language)


class FileIndex:
    """A parsed file with the scopes that can enclose diagnostics, nested and sorted by position.

    Built once per file (tree-sitter parse plus one query); then each diagnostic is a bisect and a
    short walk up parent links, which keeps context extraction cheap for thousands of errors.
    """

    def __init__(self, source: SourceFile, language: str) -> None:
        self.source = source
        self.language = language
        self.scopes: list[_Scope] = []
        self._starts: list[int] = []
        self._spans: dict[int, tuple[int, int]] = {}
        self.root: Any = None
        if len(source.data) > MAX_INDEX_BYTES:  # no tree: each context is a window of lines
            return
        tree = _parser(language).parse(source.data)
        self.root = tree.root_node
        entries: list[tuple[int, int, int, Any, str | None, str | None, bool, str | None]] = []
        kind: str | None
        name: str | None
        seq = 0
        for top in self.root.named_children:
            kind = _TOP_LEVEL_KINDS.get(top.type, "statement")
            name = _top_level_name(top)
            if kind == "export" and name:
                kind = "variable" if top.child_by_field_name("declaration") is not None else "export"
            entries.append((top.start_byte, -top.end_byte, seq, top, kind, name, False, None))
            seq += 1
        for node in _captures(language, self.root):
            classified = _classify(node)
            path_name = _path_name(node)
            if classified is None and path_name is None:
                continue
            span = _with_export(node) if classified is not None else node
            kind, name = classified if classified is not None else (None, None)
            entries.append(
                (span.start_byte, -span.end_byte, seq, node, kind, name, classified is not None, path_name)
            )
            seq += 1
        entries.sort(key=lambda e: (e[0], e[1], e[2]))

        stack: list[int] = []
        for start, neg_end, _, node, kind, name, meaningful, path_name in entries:
            end = -neg_end
            while stack and self.scopes[stack[-1]].end <= start:
                stack.pop()
            parent = stack[-1] if stack else -1
            base = self.scopes[parent].path if parent >= 0 else ()
            path = (*base, path_name) if path_name else base
            self.scopes.append(_Scope(start, end, parent, node, kind, name, meaningful, path))
            stack.append(len(self.scopes) - 1)
        self._starts = [scope.start for scope in self.scopes]

    def _innermost(self, offset: int) -> int:
        i = bisect_right(self._starts, offset) - 1
        scopes = self.scopes
        while i >= 0 and scopes[i].end <= offset:
            i = scopes[i].parent
        return i

    def _lines(self, index: int) -> tuple[int, int]:
        """First and last line (1-based) of a scope's span."""
        cached = self._spans.get(index)
        if cached is None:
            scope = self.scopes[index]
            source = self.source
            first = source.line_of_byte(scope.start)
            last = source.line_of_byte(max(scope.start, scope.end - 1))
            cached = self._spans[index] = (first, min(last, source.line_count))
        return cached

    def context(
        self, line: int, col: int, max_lines: int = MAX_SNIPPET_LINES, max_chars: int = MAX_SNIPPET_CHARS
    ) -> CodeContext:
        """The context of tsc's position (line, UTF-16 col)."""
        source = self.source
        line = min(max(line, 1), source.line_count)
        innermost = self._innermost(source.byte_offset(line, col))
        name: str | None
        names: tuple[str, ...]
        if innermost < 0:  # outside every statement: a blank line or a trailing comment
            node_type = self.root.type if self.root is not None else "program"
            chosen, kind, name, names = -1, "file", None, ()
            first, last = 1, source.line_count
        else:
            names = self.scopes[innermost].path
            chosen = innermost
            while not self.scopes[chosen].meaningful and self.scopes[chosen].parent >= 0:
                chosen = self.scopes[chosen].parent
            scope = self.scopes[chosen]
            kind, name, node_type = scope.kind or "statement", scope.name, scope.node.type
            if not names and name and not scope.meaningful:
                names = (name,)
            first, last = self._lines(chosen)

        node_first, node_last = first, last
        first, last, truncated = _snippet_window(source, first, last, line, max_lines, max_chars)
        # several lines only when they fit in max_chars bytes; one line is decoded once (cached)
        snippet = source.lines_text(first, last)
        if len(snippet) > max_chars:  # one enormous line (minified code): keep the part around the column
            snippet = _clip_line(source.line_text(line), col, max_chars)
            first = last = line
            truncated = True
        return CodeContext(
            kind=kind,
            name=name,
            symbol_path=".".join(names),
            node_type=node_type,
            start_line=node_first,
            end_line=node_last,
            snippet=snippet,
            snippet_start_line=first,
            snippet_end_line=last,
            truncated=truncated,
            error_line_text=_clip_line(source.line_text(line), col),
            language=self.language,
        )


@dataclass(slots=True)
class FileContexts:
    """Contexts for the diagnostics of one file, or why there are none."""

    path: str
    hash: str | None
    contexts: dict[int, CodeContext]  # diagnostic index -> context
    problem: str | None = None  # e.g. "file not found"


def index_file(path: str, absolute: Path) -> FileIndex | str:
    """Read and index one file, or say why it cannot be (deleted since tsc ran, unreadable)."""
    try:
        raw = absolute.read_bytes()
    except FileNotFoundError:
        return "file not found (deleted after tsc ran?)"
    except IsADirectoryError:
        return "not a file"
    except OSError as exc:
        return f"cannot read file: {exc.strerror}"
    return FileIndex(SourceFile.from_bytes(path, raw), language_for(path))


def extract_file_contexts(
    path: str,
    absolute: Path,
    positions: Iterable[tuple[int, int, int]],
    max_lines: int = MAX_SNIPPET_LINES,
    max_chars: int = MAX_SNIPPET_CHARS,
    index: FileIndex | None = None,
) -> FileContexts:
    """Find the context of each (index, line, col) in one file, parsing it once.

    A file that cannot be read yields no contexts and a problem string; its diagnostics are still
    recorded, without context.
    """
    found = index if index is not None else index_file(path, absolute)
    if isinstance(found, str):
        return FileContexts(path, None, {}, found)
    contexts = {i: found.context(line, col, max_lines, max_chars) for i, line, col in positions}
    return FileContexts(path, found.source.raw_hash, contexts)


def extract_contexts(
    root: Path,
    located: Sequence[tuple[int, str, int, int]],
    indexes: dict[str, FileIndex] | None = None,
) -> dict[str, FileContexts]:
    """Contexts for many diagnostics, given as (index, relative path, line, col); each file parsed once.

    `indexes` holds files already indexed (e.g. while tsc was running); the others are read now.
    """
    by_file: dict[str, list[tuple[int, int, int]]] = {}
    for i, path, line, col in located:
        by_file.setdefault(path, []).append((i, line, col))
    ready = indexes or {}
    return {
        path: extract_file_contexts(path, root / path, positions, index=ready.get(path))
        for path, positions in by_file.items()
    }
