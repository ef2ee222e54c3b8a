"""Regenerate the `--help` excerpts in README.md from the real CLI: `python scripts/readme_help.py`.

Each excerpt sits between `<!-- help: COMMAND -->` and `<!-- /help -->`; tests/test_readme.py fails
when one is out of date. `--check` exits 1 instead of writing.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"
BLOCK = re.compile(r"(<!-- help: (?P<command>[\w ]+) -->\n)(?P<body>.*?)(<!-- /help -->)", re.S)


def help_text(command: str) -> str:
    from typer.testing import CliRunner

    from tsfix.cli import app

    result = CliRunner().invoke(
        app, [*command.split(), "--help"], env={"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
    )
    lines = [line.rstrip() for line in result.output.strip("\n").splitlines()]
    return "\n".join(lines).strip("\n")


def render(text: str) -> str:
    def replace(m: re.Match[str]) -> str:
        body = help_text(m["command"])
        return f"{m.group(1)}```text\n$ tsfix {m['command']} --help\n{body}\n```\n{m.group(4)}"

    return BLOCK.sub(replace, text)


def main() -> int:
    current = README.read_text(encoding="utf-8")
    updated = render(current)
    if "--check" in sys.argv:
        if updated != current:
            print(
                "README.md help excerpts are out of date: run python scripts/readme_help.py", file=sys.stderr
            )
            return 1
        return 0
    README.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
