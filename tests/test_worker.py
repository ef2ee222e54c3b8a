"""`tsfix worker` and the queue in sql/0006_queue.sql, against a real Postgres cluster and a real
PostgREST: claims never overlap, leases expire, a late worker records nothing, parallel workers
suggest every error exactly once, a killed worker's claims are taken over, SIGTERM gives claims back."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg

from storelib import error_input, scan_input
from tsfix.store import open_store
from tsfix.store.remote import RemoteStore


def tsfix_exe() -> str:
    return shutil.which("tsfix") or str(Path(sys.executable).parent / "tsfix")


def typo_project(make_project, count: int) -> Path:
    """`count` files, each with one misspelt property (a verified quick fix) and one error without a fix."""
    files = {}
    for n in range(count):
        files[f"src/m{n:03}.ts"] = (
            f"export interface U{n} {{ email: string }}\n"
            f"export const f{n} = (u: U{n}) => u.emial;\n"
            + (f"export const g{n}: number = qqqqqqqq;\n" if n % 4 == 0 else "")
        )
    return make_project(files)


def queue_rows(url: str) -> list[tuple]:
    """(status, suggest_tier, claim_count, claimed_by, number of history entries after first seen)."""
    with psycopg.connect(url) as conn:
        return conn.execute(
            """select e.status, e.suggest_tier, e.claim_count, e.claimed_by,
                      (select count(*) from error_events v where v.error_id = e.id and v.event = 'status')
               from typescript_errors e order by e.file_path, e.line"""
        ).fetchall()


def start_worker(root: Path, url: str, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [tsfix_exe(), "worker", "--store", url, "--path", str(root), "--no-llm", "--format", "json", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )


def finish(process: subprocess.Popen[str], timeout: float = 300) -> dict:
    out, err = process.communicate(timeout=timeout)
    assert process.returncode == 0, err
    return json.loads(out)


# ----------------------------------------------------------------------------- the SQL queue


def test_claims_never_overlap_leases_expire_and_a_late_worker_records_nothing(pg_url: str) -> None:
    with open_store(pg_url) as store:
        assert isinstance(store, RemoteStore)
        commit = "0123456789abcdef0123456789abcdef01234567"
        store.record_scan(
            scan_input(git_commit=commit), [error_input(f"fp{n}", line=n + 1) for n in range(6)]
        )
        store.record_scan(
            scan_input(project="other", git_commit="f" * 40), [error_input("elsewhere", line=1)]
        )
        assert store.queue_status("acme/web") == {"queued": 6, "claimed": 0, "expired": 0}

        a = store.claim_errors("a", 4, 60, project="acme/web", commit=commit)
        b = store.claim_errors("b", 10, 60, project="acme/web", commit=commit)
        assert len(a) == 4 and len(b) == 2
        assert not {e.id for e in a} & {e.id for e in b}
        assert store.claim_errors("c", 10, 60, project="acme/web") == []  # everything is held
        assert store.claim_errors("c", 10, 60, project="acme/web", commit="e" * 40) == []
        assert store.queue_status("acme/web") == {"queued": 0, "claimed": 6, "expired": 0}

        # a finished claim records; a released one is back in the pool at once
        assert store.finish_claim("a", a[0].id, [], "no fix found") == []
        assert store.release_claims("a", [a[1].id]) == 1
        assert store.release_claims("b", [a[2].id]) == 0  # not b's to give back
        (again,) = store.claim_errors("c", 10, 60, project="acme/web")
        assert again.id == a[1].id

        # a lease that runs out: the error goes to another worker, and the first records nothing
        assert store.extend_claims("a", [a[2].id, a[3].id], 1) == 2
        time.sleep(1.3)
        assert store.queue_status("acme/web")["expired"] == 2
        taken = store.claim_errors("d", 10, 60, project="acme/web")
        assert sorted(str(e.id) for e in taken) == sorted(str(e.id) for e in a[2:])
        assert store.finish_claim("a", a[2].id, [], "late") is None
        assert store.finish_claim("d", a[2].id, [], "no fix found") == []

        # tiers: an error tried with quick fixes (tier 1) waits for a worker with a model (tier 2)
        assert store.claim_errors("e", 10, 60, project="acme/web", tier=1) == []
        assert len(store.claim_errors("e", 10, 60, project="acme/web", tier=2)) == 2  # a[0], a[2]
        assert len(store.claim_errors("x", 10, 60, project="other")) == 1


# ----------------------------------------------------------------------------- tsfix worker


def test_four_workers_in_parallel_suggest_every_error_exactly_once(make_project, cli, pg_url: str) -> None:
    root = typo_project(make_project, 24)
    assert cli("scan", str(root), "--store", pg_url).exit_code == 1
    total = len(queue_rows(pg_url))
    assert total == 30
    workers = [start_worker(root, pg_url, "--once", "--batch", "2", "--name", f"w{n}") for n in range(4)]
    reports = [finish(w) for w in workers]
    assert sum(r["done"] for r in reports) == total
    assert all(r["stopped"] == "drained" and r["lost"] == 0 for r in reports)
    assert sum(r["with_fix"] for r in reports) == 24
    rows = queue_rows(pg_url)
    # claimed once, recorded once (one history entry each), no claim left, nothing waiting
    assert {(claims, by, events) for _, _, claims, by, events in rows} == {(1, None, 1)}
    assert sorted({status for status, *_ in rows}) == ["ai_suggested", "new"]
    assert {tier for _, tier, *_ in rows} == {1}
    with open_store(pg_url) as store:
        assert isinstance(store, RemoteStore)
        assert store.queue_status() == {"queued": 0, "claimed": 0, "expired": 0}
    # a second round finds nothing to do
    assert finish(start_worker(root, pg_url, "--once"))["done"] == 0


def test_a_killed_workers_claims_are_taken_over_when_the_lease_expires(
    make_project, cli, pg_url: str
) -> None:
    root = typo_project(make_project, 16)
    assert cli("scan", str(root), "--store", pg_url).exit_code == 1
    total = len(queue_rows(pg_url))
    victim = start_worker(root, pg_url, "--batch", "100", "--lease", "6", "--name", "victim")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:  # until it holds claims and has finished at least one error
        rows = queue_rows(pg_url)
        if any(by == "victim" for *_, by, _ in rows) and any(status != "new" for status, *_ in rows):
            break
        time.sleep(0.05)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    rows = queue_rows(pg_url)
    held = sum(1 for *_, by, _ in rows if by == "victim")
    finished_by_victim = sum(1 for *_, events in rows if events == 1)
    assert held > 0 and finished_by_victim > 0 and held + finished_by_victim == total

    # while the lease lasts nobody else takes them...
    assert finish(start_worker(root, pg_url, "--once", "--name", "early"))["done"] == 0
    # ...and afterwards another worker does, without redoing what the victim finished
    time.sleep(6.5)
    report = finish(start_worker(root, pg_url, "--once", "--name", "heir"))
    assert report["done"] == held
    rows = queue_rows(pg_url)
    assert {(by, events) for _, _, _, by, events in rows} == {(None, 1)}
    assert sorted({claims for _, _, claims, _, _ in rows}) == [1, 2]


def test_sigterm_finishes_the_error_in_hand_and_gives_the_rest_back(make_project, cli, pg_url: str) -> None:
    root = typo_project(make_project, 16)
    assert cli("scan", str(root), "--store", pg_url).exit_code == 1
    worker = start_worker(root, pg_url, "--batch", "100", "--name", "polite")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not any(by == "polite" for *_, by, _ in queue_rows(pg_url)):
        time.sleep(0.05)
    worker.send_signal(signal.SIGTERM)
    report = finish(worker)
    assert report["stopped"] == "signal"
    rows = queue_rows(pg_url)
    assert report["done"] == sum(1 for *_, events in rows if events == 1)
    assert report["released"] == len(rows) - report["done"] > 0
    assert all(by is None for *_, by, _ in rows)  # nothing left claimed: the queue has them at once


def test_max_errors_and_the_commit_of_the_checkout(make_project, cli, pg_url: str) -> None:
    root = typo_project(make_project, 6)
    env = {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@e",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@e",
    }

    def git(*a):
        return subprocess.run(
            ["git", *a], cwd=root, check=True, capture_output=True, env={**os.environ, **env}
        )

    git("init", "-q")
    git("add", "src", "tsconfig.json")
    git("commit", "-qm", "one")
    assert cli("scan", str(root), "--store", pg_url).exit_code == 1
    report = finish(start_worker(root, pg_url, "--max-errors", "3", "--batch", "2"))
    assert report["done"] == 3 and report["stopped"] == "max-errors" and report["batches"] == 2
    assert report["commit"] is not None and len(report["commit"]) == 40
    # a checkout at another commit does not take errors it cannot reproduce, unless told to
    (root / "README.md").write_text("x\n")
    git("add", "README.md")
    git("commit", "-qm", "two")
    assert finish(start_worker(root, pg_url, "--once"))["done"] == 0
    assert finish(start_worker(root, pg_url, "--once", "--any-commit"))["done"] == len(queue_rows(pg_url)) - 3


def test_a_worker_through_supabase_py(make_project, cli, supabase) -> None:
    root = typo_project(make_project, 3)
    assert cli("scan", str(root), "--store", "supabase").exit_code == 1
    report = finish(start_worker(root, "supabase", "--once"))
    assert report["done"] == 4 and report["with_fix"] == 3
    listed = json.loads(cli("list", str(root), "--json", "--status", "all", "--store", "supabase").stdout)
    assert sorted(r["status"] for r in listed) == ["ai_suggested"] * 3 + ["new"]
    assert supabase.key("service_role") not in json.dumps(report)


def test_worker_needs_a_team_store(make_project, cli) -> None:
    root = typo_project(make_project, 1)
    result = cli("worker", "--path", str(root), "--store", str(root / "x.db"), "--no-llm")
    assert result.exit_code == 2
    assert result.output.startswith("error: tsfix worker takes its work from a team store")
