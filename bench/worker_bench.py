"""`tsfix worker` throughput with 1, 2 and 4 workers on one machine against a local Postgres.

    python bench/worker_bench.py [--errors 120] [--runs 3] [--workers 1 2 4] [--ts 5.9.3]

A generated project with --errors misspelt properties (a verified quick fix each) is scanned into a
throwaway PostgreSQL cluster (tests/dataplane.py); then N `tsfix worker --once --no-llm` processes
drain the queue together. Between runs the queue is reset (suggestions deleted, errors back to
`new`). Reported: wall time from the first start to the last exit, errors/minute, and the time the
queue took once every worker was ready (start-up — a language service each — is paid once per
worker and would be amortised by a long-running worker).
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
sys.path.insert(0, str(HERE.parent / "tests"))
from ci_bench import make, typo_files  # noqa: E402
from scan_bench import machine, tsfix_exe  # noqa: E402

RESET = """
delete from public.ai_suggestions;
delete from public.error_events where event = 'status';
update public.typescript_errors set status = 'new', suggest_tier = 0, claimed_by = null,
  claimed_until = null, claim_count = 0;
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--errors", type=int, default=120)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--ts", default="5.9.3")
    ap.add_argument("--batch", type=int, default=4)
    args = ap.parse_args()

    from conftest import NPM_DIR, npm_install
    from dataplane import start_cluster
    from tsfix.store.postgres import migrate

    exe = tsfix_exe()
    cluster = start_cluster()
    if cluster is None:
        raise SystemExit("PostgreSQL server binaries are needed (apt-get install postgresql)")
    try:
        cluster.psql("create database bench")
        url = cluster.url("bench")
        migrate(url)
        with tempfile.TemporaryDirectory(prefix="tsfix-worker-bench-") as tmp:
            modules = npm_install(NPM_DIR / f"ts-{args.ts}", f"ts-{args.ts}")
            root = make(Path(tmp), "typos", typo_files(args.errors), modules)
            scan = subprocess.run([exe, "scan", str(root), "--store", url], capture_output=True, text=True)
            assert scan.returncode == 1, scan.stderr
            total = int(cluster.psql("select count(*) from public.typescript_errors", "bench"))
            print(f"machine: {machine()}; {total} errors, TypeScript {args.ts}, --batch {args.batch}")
            print("| workers | wall (s) | errors/minute | per worker: errors done |")
            print("|---|---|---|---|")
            for n in args.workers:
                walls, spreads = [], []
                for _ in range(args.runs):
                    cluster.psql(RESET, "bench")
                    t = time.perf_counter()
                    procs = [
                        subprocess.Popen(
                            [
                                exe,
                                "worker",
                                "--store",
                                url,
                                "--path",
                                str(root),
                                "--no-llm",
                                "--no-ts6",
                                "--once",
                                "--batch",
                                str(args.batch),
                                "--format",
                                "json",
                                "--name",
                                f"w{i}",
                            ],
                            stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE,
                            text=True,
                            env={**os.environ},
                        )
                        for i in range(n)
                    ]
                    reports = []
                    for p in procs:
                        out, err = p.communicate()
                        assert p.returncode == 0, err
                        reports.append(json.loads(out))
                    walls.append(time.perf_counter() - t)
                    assert sum(r["done"] for r in reports) == total, reports
                    spreads.append(sorted(r["done"] for r in reports))
                wall = statistics.median(walls)
                print(
                    f"| {n} | {wall:.1f} | {total / wall * 60:.0f} | {spreads[len(spreads) // 2]} |",
                    flush=True,
                )
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
