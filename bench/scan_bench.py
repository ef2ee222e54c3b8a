"""`tsfix scan` wall time against bare `tsc --noEmit` on the same project, side by side.

    python bench/scan_bench.py --rounds 7                 # every subject, TypeScript 5.9.3 and 7.0.2
    python bench/scan_bench.py --subjects gen2k --ts 7.0.2

Subjects:
  example      examples/webapp (10 errors)
  gen2k        a generated project: 2,000 files, 10,000 errors (bench/genproject.py)
  rtk          @reduxjs/toolkit from ../shared/bench, the largest benchmark subject (clean)
  rtk-strict   the same with noUncheckedIndexedAccess (65 errors; the benchmark's natural case)

Each round runs, in a random order: bare tsc (node_modules/.bin/tsc, as a user would), `tsfix scan`
re-scanning (the store already holds the previous scan) and `tsfix scan` into a fresh store (a
first scan). The machines are shared and noisy, so the report gives medians and the median of the
per-round ratios, all measured in one run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(REPO / "tests"))

from genproject import generate  # noqa: E402

SUBJECTS = ("example", "gen2k", "rtk", "rtk-strict")


def shared_bench() -> Path:
    return Path(os.environ.get("TSFIX_SHARED_BENCH", REPO.parent / "shared" / "bench")).resolve()


def tsfix_exe() -> str:
    found = shutil.which("tsfix")
    return found or str(Path(sys.executable).parent / "tsfix")


def prepare(subject: str, ts: str, work: Path) -> Path | None:
    """A fresh copy of the subject with node_modules linked to that TypeScript; None if unavailable."""
    from conftest import NPM_DIR, npm_install

    dest = work / f"{subject}-{ts}"
    if subject == "example":
        shutil.copytree(
            REPO / "examples" / "webapp", dest, ignore=shutil.ignore_patterns("node_modules", ".tsfix")
        )
        (dest / "node_modules").symlink_to(npm_install(NPM_DIR / f"ts-{ts}", f"ts-{ts}"))
        return dest
    if subject == "gen2k":
        generate(dest, files=2000, errors_per_file=5)
        (dest / "node_modules").symlink_to(npm_install(NPM_DIR / f"ts-{ts}", f"ts-{ts}"))
        return dest
    bench = shared_bench()
    case = {"rtk": None, "rtk-strict": "dev-redux-toolkit-natural-noUncheckedIndexedAccess"}[subject]
    materialize = bench / "materialize.py"
    if not materialize.exists():
        return None
    if case is None:  # the clean subject: the natural case's --original state is the untouched base
        case, extra = "dev-redux-toolkit-natural-noUncheckedIndexedAccess", ["--original"]
    else:
        extra = []
    out = subprocess.run(
        [sys.executable, str(materialize), case, str(dest), "--ts", ts, *extra],
        capture_output=True,
        text=True,
    )
    return dest if out.returncode == 0 else None


def timed(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def measure(project: Path, rounds: int, work: Path) -> dict[str, object]:
    bare = [
        str(project / "node_modules" / ".bin" / "tsc"),
        "--noEmit",
        "--pretty",
        "false",
        "-p",
        "tsconfig.json",
    ]
    rescan = [tsfix_exe(), "scan", "."]
    timed(rescan, project)  # the first scan of the project's own store; later ones are rescans
    timed(bare, project)  # warm the file cache
    times: dict[str, list[float]] = {"tsc": [], "rescan": [], "first": []}
    for r in range(rounds):
        fresh = [tsfix_exe(), "scan", ".", "--store", f"sqlite://{work}/first-{project.name}-{r}.db"]
        order = [("tsc", bare), ("rescan", rescan), ("first", fresh)]
        random.shuffle(order)
        for name, cmd in order:
            times[name].append(timed(cmd, project))
    med = {k: statistics.median(v) for k, v in times.items()}
    ratios = {
        k: statistics.median(t / b for t, b in zip(times[k], times["tsc"], strict=True))
        for k in ("rescan", "first")
    }
    errors = json.loads(
        subprocess.run(
            [tsfix_exe(), "list", ".", "--json"], cwd=project, capture_output=True, text=True
        ).stdout
        or "[]"
    )
    return {"median_s": med, "ratio": ratios, "runs": times, "errors": len(errors)}


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--ts", nargs="+", default=["5.9.3", "7.0.2"])
    ap.add_argument("--subjects", nargs="+", default=list(SUBJECTS), choices=SUBJECTS)
    ap.add_argument("--json", type=Path, help="also write the raw timings here")
    args = ap.parse_args()

    # an installed wheel ships compiled bytecode; an editable checkout under PYTHONDONTWRITEBYTECODE=1
    # would recompile tsfix on every start, which is not what users run
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "src" / "tsfix")], check=True)
    results = []
    with tempfile.TemporaryDirectory(prefix="tsfix-scan-bench-") as tmp:
        work = Path(tmp)
        for subject in args.subjects:
            for ts in args.ts:
                project = prepare(subject, ts, work)
                if project is None:
                    print(
                        f"skip {subject} on {ts}: ../shared/bench is not set up (python3 setup.py)",
                        file=sys.stderr,
                    )
                    continue
                print(f"measuring {subject} on TypeScript {ts} ({args.rounds} rounds)…", file=sys.stderr)
                results.append({"subject": subject, "ts": ts, **measure(project, args.rounds, work)})

    print(
        f"\n`python bench/scan_bench.py --rounds {args.rounds}` — {datetime.now(UTC):%Y-%m-%d}, {machine()}\n"
    )
    print("| subject | TS | errors | bare tsc | tsfix rescan | ratio | tsfix first scan | ratio |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for r in results:
        m, q = r["median_s"], r["ratio"]
        print(
            f"| {r['subject']} | {r['ts']} | {r['errors']:,} | {m['tsc']:.2f} s | {m['rescan']:.2f} s | "
            f"{q['rescan']:.2f}x | {m['first']:.2f} s | {q['first']:.2f}x |"
        )
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
