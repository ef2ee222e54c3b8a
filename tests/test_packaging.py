"""The wheel carries what tsfix loads at run time: the Postgres and SQLite migrations, the tsserver guard."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from conftest import REPO


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(REPO)],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        pytest.fail(f"pip wheel failed: {result.stderr[-2000:]}")
    (built,) = out.glob("tsfix-*.whl")
    return built


def test_wheel_contains_the_migrations(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for sql in sorted((REPO / "sql").glob("*.sql")):
        assert f"tsfix/sql/{sql.name}" in names
    assert "tsfix/store/sqlite_migrations/0001_init.sql" in names
    assert "tsfix/store/sqlite_migrations/0002_uploads.sql" in names
    assert "tsfix/langserver/module_guard.cjs" in names  # without it tsserver would load plugins


def test_installed_wheel_loads_its_own_sql(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
        check=True,
    )
    code = (
        "import tsfix.store.migrations as m, importlib.resources as r;"
        "print(r.files('tsfix').joinpath('sql').is_dir(), m.POSTGRES_MIGRATIONS.names())"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert (
        out.stdout.strip()
        == "True ['0001_init', '0002_security', '0003_functions', '0004_suggestions', '0005_apply', '0006_queue', '0007_search_fixer']"
    )
