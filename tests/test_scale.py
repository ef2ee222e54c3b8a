"""100,000 diagnostics from a real tsc: parsed, given context, recorded and summarised without trouble."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from conftest import REPO

sys.path.insert(0, str(REPO / "bench"))
from genproject import generate


@pytest.mark.slow
def test_one_hundred_thousand_diagnostics(tmp_path: Path, typescript, tsfix_cli) -> None:
    root = tmp_path / "huge"
    expected = generate(root, files=100, errors_per_file=1000, flat=True)
    assert expected == 100_000
    (root / "node_modules").symlink_to(typescript("7.0.2"))

    result = tsfix_cli("scan", str(root), "-f", "json", timeout=600)
    assert result.returncode == 1, result.stderr[-2000:]
    data = json.loads(result.stdout)
    assert data["scan"]["counts"]["errors"] == 100_000
    assert len({e["id"] for e in data["errors"]}) == 100_000
    assert len({e["fingerprint"] for e in data["errors"]}) == 100_000
    sample = data["errors"][12_345]
    assert sample["context"]["kind"] == "variable" and sample["code_snippet"].startswith("export const v")

    text = tsfix_cli("scan", str(root), timeout=600)  # the human summary stays short
    assert text.returncode == 1
    assert "… 85 more files" in text.stdout and len(text.stdout.splitlines()) < 60
    assert "0 new · 100,000 still open · 0 fixed" in text.stdout

    for n in range(50):  # half the files fixed
        (root / "src" / f"mod{n}.ts").write_text(f"export const ok{n} = {n};\n")
    data = json.loads(tsfix_cli("scan", str(root), "-f", "json", timeout=600).stdout)
    assert data["scan"]["counts"]["fixed"] == 50_000 and len(data["errors"]) == 50_000
