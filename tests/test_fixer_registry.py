"""The fixer registry: fixers register themselves by name, --fixer is checked against the names, and
a new fixer needs only its own module (no TypeScript here: nothing is verified)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import tsfix.fixers
from tsfix.errors import ExitCode, UsageError
from tsfix.fixers import FixContext, Fixer, build_fixers, fixer_classes, fixer_names, register, resolve_fixers
from tsfix.fixers.candidate import Candidate
from tsfix.progress import quiet
from tsfix.suggest import SuggestOptions

FIXERS = Path(tsfix.fixers.__file__).parent
BUILTIN = ("quickfix", "repair", "search", "llama", "openai")


def test_the_builtin_fixers_in_the_order_they_are_asked() -> None:
    assert fixer_names() == BUILTIN
    assert [fixer.uses_model for fixer in fixer_classes()] == [False, False, False, True, True]


def test_resolve_fixers_names_the_valid_ones_on_a_typo() -> None:
    assert resolve_fixers(["repair", "quickfix"]) == ["repair", "quickfix"]
    with pytest.raises(UsageError) as raised:
        resolve_fixers(["quickfix", "quikfix"])
    assert (
        str(raised.value) == "unknown fixer 'quikfix'; the fixers are quickfix, repair, search, llama, openai"
    )
    assert raised.value.exit_code == ExitCode.ENVIRONMENT == 2
    assert "--fixer" in (raised.value.hint or "")


@pytest.mark.parametrize(
    "command",
    [("suggest", "--path"), ("apply", "--path"), ("ci",), ("worker", "--store", "sqlite", "--path")],
    ids=lambda c: c[0],
)
def test_a_typo_in_fixer_is_one_line_listing_the_fixers(
    tmp_path: Path, cli, command: tuple[str, ...]
) -> None:
    result = cli(*command, str(tmp_path), "--fixer", "quickfix,quikfix")
    assert result.exit_code == 2, result.output
    first, hint = result.output.splitlines()[:2]
    assert "unknown fixer 'quikfix'" in first and "quickfix, repair, search, llama, openai" in first
    assert hint.startswith("hint: ")
    assert "Traceback" not in result.output


def test_build_fixers_is_a_lookup() -> None:
    deterministic, models, hint = build_fixers(SuggestOptions(), quiet)
    assert [f.name for f in deterministic] == ["quickfix", "repair", "search"] and not models
    assert hint is not None and "--model" in hint
    # --fixer order does not change the order fixers are asked in
    deterministic, models, _ = build_fixers(SuggestOptions(fixers=["repair", "quickfix"]), quiet)
    assert [f.name for f in deterministic] == ["quickfix", "repair"]
    # --no-llm drops the model engine that --base-url would choose
    deterministic, models, hint = build_fixers(
        SuggestOptions(base_url="http://127.0.0.1:9/v1", no_llm=True), quiet
    )
    assert [f.name for f in deterministic] == ["quickfix", "repair", "search"]
    assert not models and hint is None


class ScriptedFixer(Fixer):
    """A fake fixer for the registry's logic: proposes nothing."""

    name = "scripted"

    def candidates(self, ctx: FixContext) -> list[Candidate]:
        return []


def test_a_registered_fixer_is_known_and_built(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tsfix.fixers, "_REGISTERED", dict(tsfix.fixers._REGISTERED))
    register(ScriptedFixer)
    assert fixer_names() == (*BUILTIN, "scripted")  # modules outside FIXER_MODULES come last
    assert resolve_fixers(["scripted"]) == ["scripted"]
    deterministic, models, _ = build_fixers(SuggestOptions(fixers=["scripted", "quickfix"]), quiet)
    assert [type(f) for f in deterministic][1:] == [ScriptedFixer] and not models
    # and by default, as a deterministic fixer, it is asked with quickfix and repair
    deterministic, _, _ = build_fixers(SuggestOptions(), quiet)
    assert [f.name for f in deterministic] == ["quickfix", "repair", "search", "scripted"]


def test_fixers_do_not_import_the_verifier() -> None:
    offenders = []
    for path in sorted(FIXERS.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [a.name for a in node.names]
                if isinstance(node, ast.Import)
                else []
            )
            offenders += [f"{path.relative_to(FIXERS)}: {n}" for n in names if n == "tsfix.verify"]
    assert not offenders
