"""Choose `tsfix apply --all`'s default confidence threshold from scored benchmark runs.

    cd ../shared/bench && python3 score.py ... --out /tmp/r70.jsonl --fixer '… bench/tsfix_fixer.py --no-llm'
    python bench/threshold.py /tmp/r59.jsonl /tmp/r70.jsonl [--target 0.9]

bench/tsfix_fixer.py applies every verified fix and logs their confidences. With a threshold t, a
mutation case is *applied* when every fix it needed was at least t confident (the fixer's log); the
table shows, per t, the share of cases applied and the share of those that restore the original
exactly (score.py's `exact`) or at least remove the error (`fixed`). The threshold is the lowest t at
which every run given reaches --target exact among what it applies (and applies anything); where no
threshold reaches it, the one with the most exact share among those that still apply at least
--min-coverage of the cases. The rest stay suggestions.

`--layout-free` also counts as exact a fix that restores the original's code up to layout — whitespace,
quote style, trailing commas and semicolons — by re-materialising each such case with the benchmark's
materialize.py, applying the fixer's diff and comparing (`exact*` in the table; what issue 12's
style-preserving edits turn into `exact`).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from scan_bench import shared_bench  # noqa: E402

_CONFIDENCES = re.compile(r"confidences ([\d.,]+)")
STEPS = [round(0.5 + 0.025 * n, 3) for n in range(21)]


def load(path: Path, layout_free: bool = False) -> list[tuple[float, bool, bool]]:
    """(lowest confidence applied, exact, fixed) per mutation case that applied anything."""
    out = []
    for line in path.read_text().splitlines():
        row = json.loads(line)
        if row.get("kind") != "mutation":
            continue
        found = [
            float(c) for m in _CONFIDENCES.finditer(row.get("stderr_tail", "")) for c in m.group(1).split(",")
        ]
        if found:
            exact = bool(row.get("exact"))
            if layout_free and not exact and row.get("fixed") and row.get("diff"):
                exact = same_code(row)
            out.append((min(found), exact, bool(row.get("fixed"))))
    return out


def _code(text: str) -> str:
    """The text without layout: whitespace, quote style, trailing commas and semicolons."""
    text = re.sub(r"\s+", "", text).replace('"', "'")
    return re.sub(r",(?=[}\])])|;", "", text)


def same_code(row: dict) -> bool:
    """Whether the case's fix restores the original up to layout (re-materialised, patched, compared)."""
    materialize = [sys.executable, str(shared_bench() / "materialize.py"), row["id"]]
    with tempfile.TemporaryDirectory() as work:
        mutant, original = Path(work, "mutant"), Path(work, "original")
        for folder, extra in ((mutant, []), (original, ["--original"])):
            subprocess.run(
                [*materialize, str(folder), "--ts", row["ts"], *extra], check=True, capture_output=True
            )
        done = subprocess.run(
            ["patch", "-p1", "-s", "-d", str(mutant)], input=row["diff"], text=True, capture_output=True
        )
        if done.returncode != 0:
            return False
        for name in row["touched_files"]:
            a, b = mutant / name, original / name
            if not a.is_file() or not b.is_file() or _code(a.read_text()) != _code(b.read_text()):
                return False
    return True


def table(cases: list[tuple[float, bool, bool]], total: int) -> list[tuple[float, int, float, float]]:
    """(t, cases applied, exact share, fixed share) for each threshold step."""
    rows = []
    for t in STEPS:
        applied = [(e, f) for c, e, f in cases if c >= t]
        n = len(applied)
        rows.append(
            (t, n, sum(e for e, _ in applied) / n if n else 1.0, sum(f for _, f in applied) / n if n else 1.0)
        )
    return rows


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("runs", nargs="+", type=Path, help="score.py --out files (one per TypeScript version)")
    ap.add_argument("--target", type=float, default=0.9, help="exact share wanted among applied fixes")
    ap.add_argument("--layout-free", action="store_true", help="also count fixes exact up to layout")
    ap.add_argument(
        "--min-coverage",
        type=float,
        default=0.5,
        help="when --target is not reached: the share of cases to keep applying",
    )
    args = ap.parse_args()
    chosen = 0.0
    for run in args.runs:
        total = sum(1 for line in run.read_text().splitlines() if json.loads(line).get("kind") == "mutation")
        rows = table(load(run, args.layout_free), total)
        print(f"{run}  ({total} mutation cases)")
        print(f"  threshold  applied  {'exact*' if args.layout_free else 'exact'}  fixed")
        for t, n, exact, fixed in rows:
            print(f"  {t:9.3f}  {n:3d} {n / total:5.0%}  {exact:5.0%}  {fixed:5.0%}")
        lowest = next((t for t, n, exact, _ in rows if exact >= args.target and n / total >= 0.1), None)
        if lowest is None:  # not reached: the most exact threshold that still applies enough
            enough = [(exact, -t, t) for t, n, exact, _ in rows if n / total >= args.min_coverage]
            lowest = max(enough)[2] if enough else 1.0
            print(
                f"  ≥{args.target:.0%} exact is not reached; most exact with ≥{args.min_coverage:.0%} applied: {lowest:g}"
            )
        else:
            print(f"  lowest threshold with ≥{args.target:.0%} exact: {lowest:g}")
        chosen = max(chosen, lowest)
    print(f"threshold for every run: {chosen:g}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
