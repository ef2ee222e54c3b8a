"""The house rules of issue 10, checked on the source: stages never import one another nor discover
the project again (one Project value is handed to them), nothing
imports the CLI, only the store registry knows the concrete stores, and functions and modules stay
small enough to read."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parent.parent / "src" / "tsfix"
# the stages of the loop; orchestrators (ci, worker) and the CLI compose them
STAGES = ("tsfix.scan", "tsfix.suggest", "tsfix.apply")
# what resolve_project() does once; a stage or orchestrator that did it again would re-discover the project
DISCOVERY = {"find_tsconfig", "find_tsc", "git_facts", "project_key", "open_store", "default_store_path"}
CONCRETE_STORES = {"SQLiteStore", "PostgresStore", "SupabaseStore", "RemoteStore"}
MAX_FUNCTION_LINES = 80
MAX_MODULE_LINES = 600


def modules() -> dict[str, ast.Module]:
    found = {}
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        found[name] = ast.parse(path.read_text(), str(path))
    return found


def imports(module: str, tree: ast.Module) -> list[tuple[str, set[str]]]:
    """(module imported, names taken from it) for every import, at any depth (lazy ones too)."""
    package = (
        module
        if (SRC.parent / Path(*module.split("."), "__init__.py")).exists()
        else module.rpartition(".")[0]
    )
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, set()) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            names = {alias.name for alias in node.names}
            out.append((base, names))
            out += [(f"{base}.{n}", set()) for n in names]  # `from tsfix import apply`
    return out


def test_no_stage_imports_another() -> None:
    found = modules()
    assert set(STAGES) <= set(found), set(STAGES) - set(found)
    bad = [
        f"{module} imports {target}"
        for module, tree in found.items()
        for stage in STAGES
        if module == stage or module.startswith(stage + ".")
        for target, _ in imports(module, tree)
        for other in STAGES
        if other != stage and (target == other or target.startswith(other + "."))
    ]
    assert not bad, bad


def test_stages_and_orchestrators_take_the_project_they_are_given() -> None:
    found = modules()
    bad = [
        f"{module} imports {sorted(names & DISCOVERY)} from {target}"
        for module in (*STAGES, "tsfix.ci", "tsfix.worker")
        for target, names in imports(module, found[module])
        if names & DISCOVERY
    ]
    assert not bad, bad


def test_nothing_imports_the_cli() -> None:
    bad = [
        f"{module} imports {target}"
        for module, tree in modules().items()
        if not (module == "tsfix.cli" or module.startswith("tsfix.cli.") or module == "tsfix.__main__")
        for target, _ in imports(module, tree)
        if target == "tsfix.cli" or target.startswith("tsfix.cli.")
    ]
    assert not bad, bad


def test_only_the_store_package_knows_the_concrete_stores() -> None:
    bad = [
        f"{module} imports {sorted(names & CONCRETE_STORES)} from {target}"
        for module, tree in modules().items()
        if not (module == "tsfix.store" or module.startswith("tsfix.store."))
        for target, names in imports(module, tree)
        if names & CONCRETE_STORES
    ]
    assert not bad, bad


def test_functions_and_modules_stay_small() -> None:
    long = []
    for path in sorted(SRC.rglob("*.py")):
        text = path.read_text()
        if text.count("\n") > MAX_MODULE_LINES:
            long.append(f"{path.relative_to(SRC)}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                size = (node.end_lineno or node.lineno) - node.lineno + 1
                if size > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(SRC)}:{node.lineno} {node.name}() {size} lines")
    assert not long, long
