"""Regenerate tests/golden/*.txt from the real compilers: `python tests/golden_regen.py`.

Each fixture in tests/fixtures/golden*/ is type-checked with TypeScript 5.9.3 and 7.0.2 (from the
test cache, see conftest.npm_install) and the raw `tsc --noEmit --pretty false` output is stored.
test_tsc_parse.py checks that the compilers still print exactly this and that the parser reads it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"
GOLDEN = HERE / "golden"


def golden_cases() -> list[Path]:
    return sorted(p for p in FIXTURES.glob("golden*") if p.is_dir())


def run_fixture(fixture: Path, node_modules: Path) -> tuple[str, int]:
    """Copy the fixture beside a node_modules link and run its tsc; return (stdout, exit status)."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp) / fixture.name
        shutil.copytree(fixture, work)
        (work / "node_modules").symlink_to(node_modules, target_is_directory=True)
        out = subprocess.run(
            [
                str(work / "node_modules" / ".bin" / "tsc"),
                "--noEmit",
                "--pretty",
                "false",
                "-p",
                "tsconfig.json",
            ],
            cwd=work,
            capture_output=True,
        )
        return out.stdout.decode("utf-8"), out.returncode


def main() -> None:
    sys.path.insert(0, str(HERE))
    from conftest import NPM_DIR, TS_VERSIONS, npm_install

    GOLDEN.mkdir(exist_ok=True)
    for version in TS_VERSIONS:
        node_modules = npm_install(NPM_DIR / f"ts-{version}", f"ts-{version}")
        for fixture in golden_cases():
            text, _ = run_fixture(fixture, node_modules)
            target = GOLDEN / f"{fixture.name}-{version}.txt"
            target.write_bytes(text.encode("utf-8"))
            print(f"wrote {target.relative_to(HERE.parent)} ({text.count(chr(10))} lines)")


if __name__ == "__main__":
    main()
