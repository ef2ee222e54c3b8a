"""Calibration of tsfix's confidence, and verification latency, on ../shared/bench.

    python bench/calibrate.py --ts 5.9.3 7.0.2 [--limit N]

For each mutation case: materialise the mutant (and, for measuring only, the original) with the
benchmark's own materialize.py, run `tsfix scan` and `tsfix suggest --no-llm`, then take every kept
suggestion on its own and check whether applying it restores the original files exactly. The ground
truth is used here to measure, never by tsfix. Reported:

- calibration: suggestions by confidence bucket, and the share that restore the original exactly
  (and, for verified ones, that compile — verified means the target error went away);
- verification latency: the median time to verify one candidate in the language service, beside
  the median time of one full `tsc --noEmit` of the same project (what checking a candidate by
  re-running the compiler would cost).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from scan_bench import machine, shared_bench  # noqa: E402

BUCKETS = [
    (0.0, 0.25, "unverified"),
    (0.5, 0.7, "0.50–0.70"),
    (0.7, 0.8, "0.70–0.80"),
    (0.8, 0.9, "0.80–0.90"),
    (0.9, 1.01, "0.90–1.00"),
]


def materialize(case_id: str, dest: Path, ts: str, original: bool) -> None:
    args = [sys.executable, str(shared_bench() / "materialize.py"), case_id, str(dest), "--ts", ts]
    subprocess.run(args + (["--original"] if original else []), check=True, capture_output=True)


def run_case(case: dict, ts: str, work: Path) -> dict:
    from tsfix.plan import plan
    from tsfix.project import resolve_project
    from tsfix.scan import scan_project
    from tsfix.store import open_store
    from tsfix.suggest import SuggestOptions, suggest_errors

    mutant, original = work / "mutant", work / "original"
    materialize(case["id"], mutant, ts, original=False)
    materialize(case["id"], original, ts, original=True)
    project = resolve_project(mutant)
    scan = scan_project(project)
    report = suggest_errors(project, SuggestOptions(no_llm=True))
    samples = []
    with open_store(None, mutant) as store:
        for outcome in report.outcomes:
            for s in store.suggestions(outcome.error.id):
                result = plan([s], lambda p: (mutant / p).read_text(encoding="utf-8"))
                exact = bool(result.after) and all(
                    (original / p).exists() and (original / p).read_text(encoding="utf-8") == text
                    for p, text in result.after.items()
                )
                samples.append(
                    {"confidence": s.confidence, "verified": s.verified, "exact": exact, "fixer": s.fixer}
                )
    tsc = [scan.scan.tsc_ms / 1000]
    for _ in range(2):
        started = time.perf_counter()
        subprocess.run(
            [str(mutant / "node_modules/.bin/tsc"), "--noEmit", "-p", str(mutant)], capture_output=True
        )
        tsc.append(time.perf_counter() - started)
    return {
        "id": case["id"],
        "samples": samples,
        "verify_ms": report.verify_ms,
        "tsc_s": statistics.median(tsc),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ts", nargs="+", default=["5.9.3", "7.0.2"])
    ap.add_argument("--limit", type=int)
    ap.add_argument("--json", type=Path)
    args = ap.parse_args()
    cases = [
        json.loads(line)
        for line in (shared_bench() / "dev" / "cases.jsonl").read_text().splitlines()
        if line.strip()
    ]
    cases = cases[: args.limit] if args.limit else cases
    os.environ.setdefault("BENCH_CACHE", str(Path.home() / ".cache" / "tsfix-bench"))
    results: dict[str, list[dict]] = {}
    for ts in args.ts:
        results[ts] = []
        for n, case in enumerate(cases, 1):
            with tempfile.TemporaryDirectory(prefix="tsfix-calibrate-") as tmp:
                try:
                    results[ts].append(run_case(case, ts, Path(tmp)))
                except Exception as exc:  # a case that cannot be run is reported, not fatal
                    print(f"{ts} {case['id']}: {type(exc).__name__}: {exc}", file=sys.stderr)
            print(f"[{ts} {n}/{len(cases)}] {case['id']}", file=sys.stderr, flush=True)
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))

    print(
        f"\n`python bench/calibrate.py --ts {' '.join(args.ts)}` — {time.strftime('%Y-%m-%d')}, {machine()}\n"
    )
    print("| TS | confidence | suggestions | verified | restore the original exactly |")
    print("|---|---|---:|---:|---:|")
    for ts, runs in results.items():
        samples = [s for r in runs for s in r["samples"]]
        for low, high, label in BUCKETS:
            inside = [s for s in samples if low <= s["confidence"] < high]
            if not inside:
                continue
            verified = sum(s["verified"] for s in inside)
            exact = sum(s["exact"] for s in inside)
            print(f"| {ts} | {label} | {len(inside)} | {verified} | {exact} ({exact / len(inside):.0%}) |")
    print("\n| TS | candidates verified | median verification | median full tsc | ratio |")
    print("|---|---:|---:|---:|---:|")
    for ts, runs in results.items():
        verify = [v for r in runs for v in r["verify_ms"]]
        tsc = [r["tsc_s"] * 1000 for r in runs]
        if verify and tsc:
            v, t = statistics.median(verify), statistics.median(tsc)
            print(f"| {ts} | {len(verify)} | {v:.1f} ms | {t:.0f} ms | {t / v:.0f}x faster |")


if __name__ == "__main__":
    main()
