"""Parse + context + store of 10,000 real diagnostics, by stage (target: under 1.5 s in all).

    python bench/record_bench.py --runs 5

tsc runs once per TypeScript version on the generated 2,000-file project (bench/genproject.py); its
output is then recorded again and again in-process, so only tsfix's own work is timed:

  plain    parse_tsc_output over tsc's text, names not checked (for comparison only)
  parse    parse_tsc_output with each name checked against the files (what a scan does)
  index    read, hash and tree-sitter-index the 2,000 files (the prefetcher does this while tsc runs
           on a rescan, for files that had errors before)
  context  each diagnostic's context and fingerprint
  store    one SQLite transaction: upsert 10,000 errors, mark fixed, history

`first` records into an empty store; `rescan` records the same errors again (every row updated).
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

from genproject import generate  # noqa: E402
from scan_bench import machine  # noqa: E402


def run_once(root: Path, output: str, store_path: Path, fresh: bool) -> dict[str, float]:
    from storelib import scan_input
    from tsfix.context import index_file
    from tsfix.fingerprint import fingerprints  # noqa: F401  (imported for its cost below)
    from tsfix.scan import Prefetched, errors_from_diagnostics
    from tsfix.store.sqlite import SQLiteStore
    from tsfix.tsc_output import ProjectFiles, parse_tsc_output

    if fresh and store_path.exists():
        store_path.unlink()
    tp = time.perf_counter()
    parse_tsc_output(output)  # the plain parse, for comparison: names not checked against files
    t0 = time.perf_counter()
    diagnostics = parse_tsc_output(output, ProjectFiles(root))  # names checked, as a scan does
    t1 = time.perf_counter()
    files = sorted({d.file for d in diagnostics if d.file})
    indexes = {f: index_file(f, root / f) for f in files}
    t2 = time.perf_counter()
    errors, _ = errors_from_diagnostics(root, diagnostics, Prefetched(indexes))  # type: ignore[arg-type]
    t3 = time.perf_counter()
    with SQLiteStore(store_path) as store:
        t3b = time.perf_counter()
        store.record_scan(scan_input(), errors)
        t4 = time.perf_counter()
    return {
        "plain": t0 - tp,
        "parse": t1 - t0,
        "index": t2 - t1,
        "context": t3 - t2,
        "store": t4 - t3b,
        "total": (t4 - t3b) + (t3 - t0),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--ts", nargs="+", default=["5.9.3", "7.0.2"])
    args = ap.parse_args()
    from conftest import NPM_DIR, npm_install

    rows = []
    with tempfile.TemporaryDirectory(prefix="tsfix-record-bench-") as tmp:
        root = Path(tmp) / "gen2k"
        generate(root, files=2000, errors_per_file=5)
        for ts in args.ts:
            link = root / "node_modules"
            if link.exists() or link.is_symlink():
                link.unlink()
            link.symlink_to(npm_install(NPM_DIR / f"ts-{ts}", f"ts-{ts}"))
            output = subprocess.run(
                [str(link / ".bin" / "tsc"), "--noEmit", "--pretty", "false", "-p", "."],
                cwd=root,
                capture_output=True,
                text=True,
            ).stdout
            store = Path(tmp) / f"store-{ts}.db"
            for mode in ("first", "rescan"):
                if mode == "rescan":
                    run_once(root, output, store, fresh=True)
                samples = [run_once(root, output, store, fresh=(mode == "first")) for _ in range(args.runs)]
                med = {k: statistics.median(s[k] for s in samples) for k in samples[0]}
                rows.append((ts, mode, output.count("\n"), med))
        shutil.rmtree(root, ignore_errors=True)

    print(f"\n`python bench/record_bench.py --runs {args.runs}` — {time.strftime('%Y-%m-%d')}, {machine()}\n")
    print(
        "| TS | store state | diagnostics | plain parse | parse | index files | context + fingerprint | store | total |"
    )
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    for ts, mode, n, m in rows:
        print(
            f"| {ts} | {mode} | {n:,} | {m['plain'] * 1000:.0f} ms | {m['parse'] * 1000:.0f} ms | {m['index'] * 1000:.0f} ms | "
            f"{m['context'] * 1000:.0f} ms | {m['store'] * 1000:.0f} ms | **{m['total'] * 1000:.0f} ms** |"
        )


if __name__ == "__main__":
    main()
