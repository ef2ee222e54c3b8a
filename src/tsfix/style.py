"""A file's house style, and candidates rewritten into it before they are verified.

A fix is only welcome if it looks like the code around it. TypeScript's quick fixes print with their
own settings (4 spaces, their quotes, a re-printed object for one new property), a model writes what
it writes, and a reviewer rejects a diff that re-indents lines it did not need to touch. So every
candidate, whichever fixer made it, goes through `normalise` first:

- lines it re-emits unchanged but for their indentation are restored byte for byte, so the diff
  holds only what is new;
- each new line is indented like its nearest sibling (a line printed at the same depth), else one
  file indentation unit deeper per printed level than its parent;
- new string literals take the file's quote, new import lines its semicolons, and a new last
  element of a multi-line list its trailing comma.

The style (`Style`) comes from the file itself (tree-sitter counts its strings, statements and
lists), overridden by the project's configuration where present: `.editorconfig` (through the
EditorConfig library), Prettier's config files and Biome's. They are read, never run.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from tsfix.code_text import without_copied_comments
from tsfix.context import _parser, language_for
from tsfix.edits import TextEdit, apply_edits, edits_between, edits_by_file, line_opcodes
from tsfix.fixers.candidate import Candidate

#: how TypeScript prints when it is not told otherwise (its default FormatCodeSettings)
PRINTED_UNIT = 4


@dataclass(frozen=True)
class Style:
    """How a file is written. None: not known (left as the fixer wrote it)."""

    indent: str = "    "  # one level: a tab or n spaces
    quote: str | None = None  # '"' or "'"
    semicolons: bool | None = None
    trailing_commas: bool | None = None  # in multi-line lists
    eol: str = "\n"
    #: where each setting came from: "file", ".editorconfig", "prettier", "biome"
    sources: dict[str, str] = field(default_factory=dict, compare=False, hash=False)

    @property
    def tab_size(self) -> int:
        return PRINTED_UNIT if self.indent == "\t" else len(self.indent)

    def format_options(self) -> dict[str, Any]:
        """tsserver's FormatCodeSettings for this style (its `configure` request)."""
        options: dict[str, Any] = {
            "indentSize": self.tab_size,
            "tabSize": self.tab_size,
            "convertTabsToSpaces": self.indent != "\t",
            "newLineCharacter": self.eol,
        }
        if self.semicolons is not None:
            options["semicolons"] = "insert" if self.semicolons else "remove"
        return options

    def preferences(self) -> dict[str, Any]:
        """tsserver's UserPreferences for this style."""
        return {"quotePreference": {'"': "double", "'": "single"}.get(self.quote or "", "auto")}


# ---------------------------------------------------------------------------------------------
# detection


def detect(text: str, path: str = "a.ts") -> Style:
    """The style a file is written in, from the file alone."""
    sources: dict[str, str] = {}
    indent = _indent_unit(text)
    if indent is not None:
        sources["indent"] = "file"
    quotes: Counter[str] = Counter()
    semis: Counter[bool] = Counter()
    commas: Counter[bool] = Counter()
    tree = _parser(language_for(path)).parse(text.encode("utf-8", "surrogatepass"))
    for node in _walk(tree.root_node):
        kind = node.type
        if kind == "string" and node.text:
            quotes[node.text[:1].decode()] += 1
        elif kind in _STATEMENTS and node.child_count:
            semis[node.children[-1].type == ";"] += 1
        elif kind in _LISTS and node.child_count >= 3:
            close, before = node.children[-1], node.children[-2]
            if close.start_point[0] > before.end_point[0] and before.type not in _OPENERS:
                commas[before.type == ","] += 1
    quote = _majority(quotes)
    semicolons = _majority(semis)
    trailing = _majority(commas)
    for name, value in (("quote", quote), ("semicolons", semicolons), ("trailing_commas", trailing)):
        if value is not None:
            sources[name] = "file"
    eol = "\r\n" if text.count("\r\n") * 2 > text.count("\n") else "\n"
    return Style(indent or "    ", quote, semicolons, trailing, eol, sources)


_STATEMENTS = {
    "expression_statement", "lexical_declaration", "variable_declaration", "import_statement",
    "return_statement", "throw_statement", "type_alias_declaration", "break_statement",
    "continue_statement",
}  # fmt: skip
_LISTS = {"object", "array", "named_imports", "object_pattern", "array_pattern", "arguments",
          "formal_parameters", "export_clause", "type_arguments", "enum_body"}  # fmt: skip
_OPENERS = {"{", "[", "(", "<"}


def _walk(node: Any) -> Iterator[Any]:
    cursor = [node]
    while cursor:
        current = cursor.pop()
        yield current
        cursor.extend(current.children)


def _majority(counts: Counter) -> Any:
    """The clear winner (at least twice as common as the rest together), else None."""
    if not counts:
        return None
    value, n = counts.most_common(1)[0]
    return value if n >= 2 * (counts.total() - n) else None


def _indent_unit(text: str) -> str | None:
    tabs = spaces = 0
    steps: Counter[int] = Counter()
    previous = 0
    for line in text.splitlines():
        stripped = line.lstrip(" \t")
        if not stripped or stripped.startswith(("*", "//")):
            continue  # blank, comment bodies (` * text`) are aligned, not indented
        ws = line[: len(line) - len(stripped)]
        if ws.startswith("\t"):
            tabs += 1
        elif ws:
            spaces += 1
            if "\t" not in ws and len(ws) > previous:
                steps[len(ws) - previous] += 1
        previous = len(ws) if "\t" not in ws else previous
    if not tabs and not spaces:
        return None
    if tabs > spaces:
        return "\t"
    unit = next((n for n, _ in steps.most_common() if n in (2, 3, 4, 8)), None)
    return " " * unit if unit else None


# ---------------------------------------------------------------------------------------------
# the project's configuration


class ProjectStyles:
    """Each file's style, configuration over what the file shows, cached per file."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._styles: dict[str, Style] = {}
        self._formatter: tuple[tuple[str, dict[str, Any], dict[str, Any]] | None] | None = None

    def style(self, path: str, text: str) -> Style:
        if path not in self._styles:
            if self._formatter is None:  # the project's formatter settings, read once
                self._formatter = (_formatter_config(self.root),)
            self._styles[path] = configured(self.root, path, detect(text, path), self._formatter[0])
        return self._styles[path]


_UNREAD: Any = object()


def configured(root: Path, path: str, found: Style, formatter: Any = _UNREAD) -> Style:
    """`found` (the file's own style) with the project's configuration laid over it: a formatter's
    defaults where it is configured, then .editorconfig, then the formatter's explicit settings
    (`formatter`: `_formatter_config(root)` when the caller has it already)."""
    if formatter is _UNREAD:
        formatter = _formatter_config(root)
    layers: list[tuple[str, dict[str, Any]]] = []
    if formatter is not None:
        name, explicit, defaults = formatter
        layers.append((name, defaults))
    layers.append((".editorconfig", _editorconfig(root, path)))
    if formatter is not None:
        layers.append((name, explicit))
    style = found
    for source, settings in layers:
        changes = {k: v for k, v in settings.items() if v is not None}
        if changes:
            style = replace(style, **changes, sources={**style.sources, **dict.fromkeys(changes, source)})
    return style


def _editorconfig(root: Path, path: str) -> dict[str, Any]:
    import editorconfig

    try:
        props = editorconfig.get_properties(str((root / path).resolve()))
    except (editorconfig.EditorConfigError, OSError, ValueError, UnicodeDecodeError):
        return {}  # an unreadable .editorconfig is as good as none: the file's own style stands
    out: dict[str, Any] = {}
    width = props.get("indent_size", "")
    width = props.get("tab_width", "") if width == "tab" else width
    if props.get("indent_style") == "tab":
        out["indent"] = "\t"
    elif props.get("indent_style") == "space" or width.isdigit():
        out["indent"] = " " * int(width) if width.isdigit() and 0 < int(width) <= 8 else None
    out["eol"] = {"lf": "\n", "crlf": "\r\n"}.get(props.get("end_of_line", ""))
    out["quote"] = {"single": "'", "double": '"'}.get(props.get("quote_type", ""))
    return out


_PRETTIER_FILES = (".prettierrc", ".prettierrc.json", ".prettierrc.json5", ".prettierrc.yaml",
                   ".prettierrc.yml", ".prettierrc.toml")  # fmt: skip


def _formatter_config(root: Path) -> tuple[str, dict[str, Any], dict[str, Any]] | None:
    """(name, explicit settings, the formatter's defaults) of the project's Prettier or Biome
    configuration, read from its files (a JavaScript config file is not run, so not read)."""
    prettier = _prettier_options(root)
    if prettier is not None:
        width = prettier.get("tabWidth")
        tabs = prettier.get("useTabs")
        explicit = {
            "indent": "\t" if tabs else (" " * width if isinstance(width, int) and 0 < width <= 8 else None),
            "quote": None if "singleQuote" not in prettier else ("'" if prettier["singleQuote"] else '"'),
            "semicolons": prettier.get("semi") if isinstance(prettier.get("semi"), bool) else None,
            "trailing_commas": None
            if "trailingComma" not in prettier
            else prettier["trailingComma"] != "none",
            "eol": {"lf": "\n", "crlf": "\r\n"}.get(prettier.get("endOfLine", "")),
        }
        return (
            "prettier",
            explicit,
            {"indent": "  ", "quote": '"', "semicolons": True, "trailing_commas": True},
        )
    biome = _biome_options(root)
    if biome is not None:
        formatter = biome.get("formatter") or {}
        js = ((biome.get("javascript") or {}).get("formatter")) or {}
        style = js.get("indentStyle", formatter.get("indentStyle"))
        width = js.get("indentWidth", formatter.get("indentWidth"))
        explicit = {
            "indent": "\t" if style == "tab" else (" " * width if isinstance(width, int) and style else None),
            "quote": {"single": "'", "double": '"'}.get(js.get("quoteStyle", "")),
            "semicolons": {"always": True, "asNeeded": False}.get(js.get("semicolons", "")),
            "trailing_commas": None if "trailingCommas" not in js else js["trailingCommas"] != "none",
        }
        return "biome", explicit, {"indent": "\t", "quote": '"', "semicolons": True, "trailing_commas": True}
    return None


def _prettier_options(root: Path) -> dict[str, Any] | None:
    for name in _PRETTIER_FILES:
        file = root / name
        if file.is_file():
            return _read_config(file) or {}
    package = root / "package.json"
    if package.is_file():
        data = _read_config(package)
        if isinstance(data, dict) and isinstance(data.get("prettier"), dict):
            return data["prettier"]
    return None


def _biome_options(root: Path) -> dict[str, Any] | None:
    for name in ("biome.json", "biome.jsonc"):
        file = root / name
        if file.is_file():
            return _read_config(file) or {}
    return None


def _read_config(file: Path) -> dict[str, Any] | None:
    """A JSON, JSON5/JSONC, YAML or TOML config file as a dict; None when it cannot be read."""
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    data: Any = None
    try:
        if file.suffix == ".toml":
            import tomllib

            data = tomllib.loads(text)
        elif file.suffix in (".yaml", ".yml") or (
            file.name == ".prettierrc" and not text.lstrip().startswith("{")
        ):
            import yaml

            data = yaml.safe_load(text)
        else:
            try:
                data = json.loads(text)
            except json.JSONDecodeError:
                import json5

                data = json5.loads(text)
    except Exception:
        return None
    return data if isinstance(data, dict) else None


# ---------------------------------------------------------------------------------------------
# normalising a candidate


def normalise(
    before: str, after: str, style: Style, printed_unit: int = PRINTED_UNIT, path: str = "a.ts"
) -> str:
    """`after` (a candidate's result) with only the lines it needs changed, in `style`."""
    if before == after:
        return after
    old, new = _lines(before), _lines(after)
    # each line of the result: [its text, its printed column in `after` when it is an original line
    # (what new lines are indented against) else None, its index in `new`, the line it replaces]
    lines: list[list[Any]] = []
    for tag, i1, i2, j1, j2 in line_opcodes([x.strip() for x in old], [x.strip() for x in new]):
        if tag == "equal":
            lines += [[old[i], _column(new[j], printed_unit), j, None] for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]  # fmt: skip
        elif tag == "replace" and i2 - i1 == j2 - j1:  # line for line: each keeps its indentation
            lines += [[_indentation(old[i]) + new[j].lstrip(" \t"), _column(new[j], printed_unit), j, old[i]] for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]  # fmt: skip
        else:
            removed = "".join(old[i1:i2])
            lines += [[new[j], None, j, removed] for j in range(j1, j2)]
    eol = "\r\n" if before.count("\r\n") * 2 > before.count("\n") else "\n"
    rows = _Rows(after, path)
    for n, entry in enumerate(lines):
        text, anchor, j, replaced = entry
        printed = new[j]
        if replaced is None or rows.in_template(j):
            continue
        if not printed.strip():
            entry[0] = printed[len(printed.rstrip("\r\n")) :] or printed
            continue
        body = _quotes(printed.lstrip(" \t"), style, replaced)
        body = _semicolon(body, style)
        if anchor is None and rows.in_list(j):
            body = _trailing_comma(body, style, lines, n)
        if body.endswith("\n") and not body.endswith("\r\n") and eol == "\r\n":
            body = body[:-1] + eol
        if anchor is not None:  # a changed original line keeps its indentation
            entry[0] = _indentation(text) + body
        else:
            entry[0] = _indent_for(_column(printed, printed_unit), lines, n, style, printed_unit) + body
    return _one_line_stays_one_line(before, "".join(text for text, _, _, _ in lines))


def _one_line_stays_one_line(before: str, after: str) -> str:
    """A one-line construct a fix extended (an object literal, a list of arguments) spread by the
    printer over several lines goes back on one line when only whitespace and the printer's trailing
    comma differ from the original plus the insertion, and it fits the file's widest line (80 at least)."""
    old, new = _lines(before), _lines(after)
    width = max([80, *(len(line.rstrip("\r\n")) for line in old)])
    out: list[str] = []
    for tag, i1, i2, j1, j2 in line_opcodes(old, new):
        if tag == "replace" and i2 - i1 == 1 and j2 - j1 > 1:
            joined = _join(old[i1], new[j1:j2])
            if joined is not None and len(joined.rstrip("\r\n")) <= width:
                out.append(joined)
                continue
        out.extend(new[j1:j2])
    return "".join(out)


def _join(original: str, spread: list[str]) -> str | None:
    """`spread` joined into one line spaced as `original` is (`{ a }` or `{a}`), or None when the
    result is not `original` with text inserted."""
    if any("//" in line or "/*" in line or "`" in line for line in spread[:-1]):
        return None  # a comment or a template literal would swallow what follows
    padded = any(original.find(o + " ") >= 0 for o in "{[")
    end = spread[-1][len(spread[-1].rstrip("\r\n")) :] or "\n"
    text = spread[0].rstrip()
    for line in spread[1:]:
        piece = line.strip()
        if not piece:
            continue
        if piece[0] in "}])":
            text = text.rstrip(",")  # the printer's trailing comma, on one line
            pad = " " if padded and piece[0] != ")" and not text.endswith(("{", "[")) else ""
        elif text.endswith(("{", "[")):
            pad = " " if padded else ""
        elif text.endswith("("):
            pad = ""
        else:
            pad = " "
        text += pad + piece
    line = text + end
    squeezed = lambda t: "".join(t.split())  # noqa: E731
    was, now = squeezed(original), squeezed(line)
    ops = difflib.SequenceMatcher(None, was, now, autojunk=False).get_opcodes()
    tags = [tag for tag, *_ in ops]
    # only insertions, and inside the original: `f(a)` → `f(a, b)`, never `x();` → `if (c) { x(); }`
    if set(tags) != {"equal", "insert"} or tags[0] != "equal" or tags[-1] != "equal":
        return None
    return line


def _lines(text: str) -> list[str]:
    """The lines with their ends, split at \\n only (as tree-sitter and TypeScript count rows)."""
    return re.findall(r"[^\n]*\n|[^\n]+$", text)


_BLOCKS = {"statement_block", "class_body", "program", "switch_body", "interface_body", "object_type"}


class _Rows:
    """What tree-sitter says about the rows of a text: inside a multi-line template literal (where
    leading whitespace is content), or an element of a list (an object, array, import braces…)."""

    def __init__(self, text: str, path: str) -> None:
        self.lines = _lines(text)
        self.language = language_for(path)
        self._root: Any = None
        self._first_tick = next((n for n, line in enumerate(self.lines) if "`" in line), len(self.lines))

    def _node(self, row: int) -> Any:
        if self._root is None:
            self._root = (
                _parser(self.language).parse("".join(self.lines).encode("utf-8", "surrogatepass")).root_node
            )
        line = self.lines[row]
        col = len(_indentation(line).encode())
        return self._root.descendant_for_point_range((row, col), (row, col))

    def in_template(self, row: int) -> bool:
        if row <= self._first_tick:  # no backtick on a line before it
            return False
        node = self._node(row)
        while node is not None:
            if node.type == "template_string" and node.start_point[0] < row:
                return True
            node = node.parent
        return False

    def in_list(self, row: int) -> bool:
        node = self._node(row)
        while node is not None:
            if node.type in _LISTS:
                return node.start_point[0] < row
            if node.type in _BLOCKS:
                return False
            node = node.parent
        return False


def _indentation(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _column(line: str, printed_unit: int) -> int:
    return len(_indentation(line).expandtabs(printed_unit))


def _indent_for(column: int, lines: list[list[Any]], n: int, style: Style, printed_unit: int) -> str:
    """A new line's indentation: its nearest sibling's (an original line printed at the same column),
    else its parent's (the nearest original line above printed less deep) plus a unit per level."""

    def anchors(order: range) -> Iterator[tuple[int, str]]:
        for k in order:
            text, anchor = lines[k][0], lines[k][1]
            if anchor is not None and text.strip():
                yield anchor, _indentation(text)

    near = 40
    above = range(n - 1, max(-1, n - 1 - near), -1)
    below = range(n + 1, min(len(lines), n + 1 + near))
    for order in (above, below):
        for anchor, ws in anchors(order):
            if anchor == column:
                return ws
            if anchor < column:
                break  # the enclosing line: no sibling beyond it
    for anchor, ws in anchors(above):
        if anchor < column:
            return ws + style.indent * max(1, round((column - anchor) / printed_unit))
    return style.indent * round(column / printed_unit)


_STRING = re.compile(r"""(["'])((?:\\.|(?!\1)[^\\\n])*)\1""")


def _quotes(body: str, style: Style, removed: str) -> str:
    """New string literals in the file's quote (ones the replaced lines had are left as they were)."""
    mark = style.quote
    if mark is None or "`" in body or body.lstrip().startswith(("//", "*", "/*")):
        return body

    def swap(m: re.Match[str]) -> str:
        quote, content = m.group(1), m.group(2)
        if quote == mark or m.group(0) in removed or "'" in content or '"' in content or "\\" in content:
            return m.group(0)
        return mark + content + mark

    return _STRING.sub(swap, body)


_IMPORT_LINE = re.compile(r"^(?:import\b|export\s+(?:type\s+)?(?:\*|\{[^}]*\})\s*from\b).*(['\"]);?\s*$")


def _semicolon(body: str, style: Style) -> str:
    """A new one-line import or re-export ends as the file's statements do."""
    if style.semicolons is None or not _IMPORT_LINE.match(body.rstrip("\r\n")):
        return body
    text = body.rstrip("\r\n")
    ending = body[len(text) :]
    stripped = text.rstrip()
    if style.semicolons and not stripped.endswith(";"):
        return stripped + ";" + ending
    if not style.semicolons and stripped.endswith(";"):
        return stripped[:-1] + ending
    return body


def _trailing_comma(body: str, style: Style, lines: list[list[Any]], n: int) -> str:
    """A new last element of a multi-line list takes the comma the file puts after its last ones."""
    if style.trailing_commas is None:
        return body
    following = next((line[0] for line in lines[n + 1 :] if line[0].strip()), "")
    if not following.lstrip().startswith(("}", "]", ")")):
        return body
    text = body.rstrip("\r\n")
    ending = body[len(text) :]
    stripped = text.rstrip()
    if style.trailing_commas and not stripped.endswith((",", ";", "{", "[", "(")):
        return stripped + "," + ending
    if not style.trailing_commas and stripped.endswith(","):
        return stripped[:-1] + ending
    return body


class Normaliser:
    """Rewrites candidates into their files' style (see `normalise`), against the files on disk."""

    def __init__(self, root: Path, disk_text: Callable[[str], str], printed_unit: int = PRINTED_UNIT) -> None:
        self.styles = ProjectStyles(root)
        self.disk_text = disk_text
        self.printed_unit = printed_unit

    def candidate(self, candidate: Candidate) -> Candidate:
        """The candidate with minimal edits in the file's style (itself when nothing changes, or
        when its edits cannot be applied: the verifier says why)."""
        edits: list[TextEdit] = []
        changed = False
        for path, file_edits in edits_by_file(candidate.edits).items():
            try:
                before = self.disk_text(path)
                cleaned = [without_copied_comments(before, e) for e in file_edits]
                changed = changed or cleaned != file_edits
                file_edits = cleaned
                after = apply_edits(before, file_edits)
            except (OSError, ValueError):
                return candidate
            styled = normalise(before, after, self.styles.style(path, before), self.printed_unit, path)
            if styled == after:
                edits.extend(file_edits)  # as the fixer made them
                continue
            changed = True
            edits.extend(edits_between(path, before, styled))
        return replace(candidate, edits=tuple(edits)) if changed and edits else candidate
