"""Every `--flag` that a message, hint or help text in src/ tells the user about is a visible option
of some tsfix command. Renamed options stay for a release as hidden aliases; a text may name one
only as the old name ("--tsc-timeout (formerly --timeout)", "`-n` still works until …")."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import typer.main

from tsfix.cli import app

SRC = Path(__file__).resolve().parent.parent / "src" / "tsfix"
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*(?![\w-])")
ARGV_ITEM = re.compile(r"--[a-z][\w-]*(=\S*)?")  # an argument passed to another program, not a hint
PROGRAMS = {"tsc", "node", "npm", "npx", "pip", "git"}
# other programs' flags that the text names without the program right before them
FOREIGN = {"--pretty", "--extra-index-url"}  # tsc's "--noEmit --pretty false"; pip's, in an install hint
OLD_NAME = re.compile(r"formerly|old name|still works|\(now ", re.I)


def _other_programs_flag(before: str) -> bool:
    """Whether a flag preceded by `before` belongs to another program: `pip install --upgrade`,
    `tsc --lsp --stdio`, `NODE_OPTIONS=--max-old-space-size=…` (flags and one word may come between)."""
    if before.endswith("="):
        return True
    words = 0
    for token in reversed(before.split()):
        token = token.strip("`(\"'")
        if token in PROGRAMS:
            return True
        if token.startswith("-"):
            continue
        words += 1
        if words > 1 or token[-1:] in ";:,.":
            return False
    return False


def options(command: object, hidden: bool) -> set[str]:
    """The option names of a click command and its subcommands: the visible ones, or the hidden ones."""
    names: set[str] = set()
    for param in getattr(command, "params", []):
        if getattr(param, "hidden", False) == hidden:
            names.update(param.opts, param.secondary_opts)
    for sub in getattr(command, "commands", {}).values():
        names |= options(sub, hidden)
    return names


def mentioned_flags() -> dict[str, list[tuple[str, str]]]:
    """{flag: [(where, the string)]} for the tsfix flags named in string literals under src/."""
    found: dict[str, list[tuple[str, str]]] = {}
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Constant) and isinstance(node.value, str)):
                continue
            text = node.value
            if ARGV_ITEM.fullmatch(text.strip()):
                continue
            flags = {
                match.group(0)
                for match in FLAG.finditer(text)
                if match.group(0) not in FOREIGN and not _other_programs_flag(text[: match.start()])
            }
            where = f"{path.relative_to(SRC.parent)}:{node.lineno}"
            for flag in flags:
                found.setdefault(flag, []).append((where, text))
    return found


def test_every_flag_a_message_names_exists() -> None:
    command = typer.main.get_command(app)
    known = options(command, hidden=False) | {"--help"}
    old_names = options(command, hidden=True)
    mentioned = mentioned_flags()
    assert "--store" in mentioned and "--ls-timeout" in mentioned  # the scan finds hints at all
    missing = {
        flag: bad
        for flag, places in mentioned.items()
        if flag not in known
        and (bad := [where for where, text in places if not (flag in old_names and OLD_NAME.search(text))])
    }
    assert not missing, f"hints name flags no command has: {missing}"


def test_no_short_flag_has_two_meanings() -> None:
    """A short flag means the same long option on every command that has it."""
    meanings: dict[str, set[str]] = {}

    def walk(command: object) -> None:
        for param in getattr(command, "params", []):
            if getattr(param, "hidden", False):
                continue
            longs = sorted(o for o in param.opts if o.startswith("--"))
            for short in (o for o in param.opts if not o.startswith("--")):
                meanings.setdefault(short, set()).add(longs[0] if longs else param.name)
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(typer.main.get_command(app))
    assert {s: m for s, m in meanings.items() if len(m) > 1} == {}
