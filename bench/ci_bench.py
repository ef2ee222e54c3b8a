"""`tsfix ci` vs the same work as separate commands (`tsfix scan` then `tsfix suggest`).

    python bench/ci_bench.py [--runs 5] [--ts 5.9.3 7.0.2] [--errors 40]

Two projects per TypeScript version: the bundled example app (10 errors) and a generated one with
--errors misspelt properties (each has a verified quick fix). Each run starts from an empty store
and alternates the two ways, so both see the same machine state; reported are medians and the
ratio ci / (scan + suggest). Both use quick fixes and repairs only (--no-llm).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))
from scan_bench import machine, tsfix_exe  # noqa: E402


def typo_files(count: int) -> dict[str, str]:
    return {
        f"src/m{n:03}.ts": f"export interface U{n} {{ email: string }}\nexport const f{n} = (u: U{n}) => u.emial;\n"
        for n in range(count)
    }


def make(work: Path, name: str, files: dict[str, str] | None, node_modules: Path) -> Path:
    root = work / name
    if files is None:  # the example app
        shutil.copytree(HERE.parent / "examples" / "webapp" / "src", root / "src")
        shutil.copy(HERE.parent / "examples" / "webapp" / "tsconfig.json", root / "tsconfig.json")
    else:
        for rel, text in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_text(text)
        (root / "tsconfig.json").write_text(
            '{"compilerOptions": {"strict": true, "noEmit": true, "target": "es2022"}}'
        )
    (root / "node_modules").symlink_to(node_modules, target_is_directory=True)
    return root


def timed(*commands: list[str]) -> float:
    t = time.perf_counter()
    for command in commands:
        result = subprocess.run(command, capture_output=True, text=True)
        if result.returncode not in (0, 1):
            raise SystemExit(f"{' '.join(command)} failed: {result.stderr[-500:]}")
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--ts", nargs="+", default=["5.9.3", "7.0.2"])
    ap.add_argument("--errors", type=int, default=40)
    args = ap.parse_args()
    from conftest import NPM_DIR, npm_install

    exe = tsfix_exe()
    print(f"machine: {machine()}")
    print("| TypeScript | project | errors | scan + suggest (s) | ci (s) | ci / separate |")
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory(prefix="tsfix-ci-bench-") as tmp:
        work = Path(tmp)
        for version in args.ts:
            modules = npm_install(NPM_DIR / f"ts-{version}", f"ts-{version}")
            for name, files in [("example", None), (f"typos{args.errors}", typo_files(args.errors))]:
                root = make(work, f"{name}-{version}", files, modules)
                separate, combined = [], []
                for _ in range(args.runs):
                    for way in ("separate", "ci"):
                        shutil.rmtree(root / ".tsfix", ignore_errors=True)
                        if way == "separate":
                            separate.append(
                                timed(
                                    [exe, "scan", str(root)],
                                    [exe, "suggest", "--path", str(root), "--no-llm", "--no-ts6"],
                                )
                            )
                        else:
                            combined.append(timed([exe, "ci", str(root), "--no-llm", "--no-ts6"]))
                s, c = statistics.median(separate), statistics.median(combined)
                errors = 10 if files is None else args.errors
                print(f"| {version} | {name} | {errors} | {s:.2f} | {c:.2f} | {c / s:.2f} |", flush=True)


if __name__ == "__main__":
    main()
