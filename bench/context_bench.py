"""The context work for one enormous line (issue 9): time and peak memory, old code against new.

    python bench/context_bench.py --runs 3 [--old-rev 2511f4d] [--mb 5]

A single-line file of `--mb` MB (a generated table, as bundlers and code generators write them) with
a diagnostic every ~50 kB is indexed and given contexts, each in a fresh interpreter (so peak RSS is
the run's own), once with `src/tsfix/context.py` as it is and once with the module as it was at
`--old-rev` (before the work was bounded). Runs alternate; medians are reported.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

CHILD = r"""
import importlib.util, json, resource, sys, time
from pathlib import Path
spec = importlib.util.spec_from_file_location("ctx_under_test", sys.argv[1])
mod = importlib.util.module_from_spec(spec)
sys.modules["ctx_under_test"] = mod
spec.loader.exec_module(mod)
path = Path(sys.argv[2])
text = path.read_text()
positions = [(i, 1, col) for i, col in enumerate(range(1, len(text), 50_000))]
t = time.perf_counter()
found = mod.extract_file_contexts("big.ts", path, positions)
seconds = time.perf_counter() - t
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "rss_mb": rss, "contexts": len(found.contexts)}))
"""


def big_line(mb: float) -> str:
    row = '{id:1,name:"ünïcode ✓",tags:["a","b"],n:[1,2,3]},'
    count = int(mb * 1_000_000 / len(row.encode()))
    return "export const table: number[] = [" + row * count + "];\n"


def run(module: Path, file: Path) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(module), str(file)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT / "src",
    )
    return json.loads(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--old-rev", default="2511f4d")
    parser.add_argument("--mb", type=float, default=5.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        old = Path(tmp) / "context_old.py"
        old.write_bytes(
            subprocess.run(
                ["git", "show", f"{args.old_rev}:src/tsfix/context.py"],
                capture_output=True,
                check=True,
                cwd=ROOT,
            ).stdout
        )
        file = Path(tmp) / "big.ts"
        file.write_text(big_line(args.mb))
        results: dict[str, list[dict[str, float]]] = {"old": [], "new": []}
        for _ in range(args.runs):
            results["old"].append(run(old, file))
            results["new"].append(run(ROOT / "src/tsfix/context.py", file))
        size = file.stat().st_size / 1e6
        print(
            f"one line of {size:.1f} MB, {results['new'][0]['contexts']} diagnostics, {args.runs} runs each"
        )
        for name, runs in results.items():
            seconds = statistics.median(r["seconds"] for r in runs)
            rss = statistics.median(r["rss_mb"] for r in runs)
            print(f"{name:>4}: {seconds:7.2f} s  peak RSS {rss:7.0f} MB")


if __name__ == "__main__":
    main()
