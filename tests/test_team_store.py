"""Postgres and Supabase stores against a real cluster and a real PostgREST: migrations, row-level
security, atomicity when the connection or PostgREST dies, secrets, and scans kept locally + sync."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import httpx
import psycopg
import pytest

from storelib import error_input, scan_input, snapshot
from tsfix.errors import StoreDenied, StoreSchemaMissing, StoreUnreachable, UsageError
from tsfix.store import open_store
from tsfix.store.migrations import POSTGRES_MIGRATIONS
from tsfix.store.postgres import migrate, migration_status
from tsfix.store.remote import SCHEMA_VERSION

MIGRATIONS = [
    "0001_init",
    "0002_security",
    "0003_functions",
    "0004_suggestions",
    "0005_apply",
    "0006_queue",
    "0007_search_fixer",
]
BROKEN = {"src/a.ts": "export const a: number = 'x';\nexport const b: string = 1;\n"}


# ----------------------------------------------------------------------------- migrations


def test_migrations_are_recorded_and_a_second_run_is_a_no_op(postgres_cluster, pg_url: str) -> None:
    names = [name for name, _ in POSTGRES_MIGRATIONS.steps()]
    assert names == MIGRATIONS
    assert [s.name for s in migration_status(pg_url) if s.applied] == names
    assert migrate(pg_url) == []


def test_migrating_a_fresh_database_concurrently_applies_each_migration_once(postgres_cluster) -> None:
    postgres_cluster.psql("drop database if exists tsfix_race")
    postgres_cluster.psql("create database tsfix_race")
    url = postgres_cluster.url("tsfix_race")
    results: list[list[str]] = []
    threads = [threading.Thread(target=lambda: results.append(migrate(url))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    applied = sorted(name for r in results for name in r)
    assert applied == MIGRATIONS
    # the files are idempotent too: `supabase db push` may run them again
    for _, sql in POSTGRES_MIGRATIONS.steps():
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(sql)
    assert migrate(url) == []


def test_the_schema_has_rls_on_every_table_and_the_expected_policies(postgres_cluster) -> None:
    rls = postgres_cluster.psql(
        "select relname, relrowsecurity from pg_class where relnamespace = 'public'::regnamespace "
        "and relkind = 'r' order by relname",
        "tsfix_supabase",
    ).split()
    assert rls == [
        "ai_suggestions|t", "error_events|t", "scans|t", "tsfix_migrations|t", "typescript_errors|t",
    ]  # fmt: skip
    policies = postgres_cluster.psql(
        "select tablename || ':' || policyname || ':' || array_to_string(roles, ',') || ':' || cmd "
        "from pg_policies where tablename = 'typescript_errors' order by policyname",
        "tsfix_supabase",
    ).split()
    assert policies == [
        "typescript_errors:tsfix_authenticated_read:authenticated:SELECT",
        "typescript_errors:tsfix_service_role_all:service_role:ALL",
    ]


def test_a_database_without_the_schema_says_how_to_migrate(postgres_cluster) -> None:
    postgres_cluster.psql("drop database if exists tsfix_empty")
    postgres_cluster.psql("create database tsfix_empty")
    with pytest.raises(StoreSchemaMissing, match="has no tsfix schema") as info:
        open_store(postgres_cluster.url("tsfix_empty"))
    assert "tsfix db migrate --store postgresql://postgres@127.0.0.1" in (info.value.hint or "")
    assert postgres_cluster.password not in str(info.value) + (info.value.hint or "")


# ----------------------------------------------------------------------------- row-level security


def rpc(stack, key: str, function: str, body: dict) -> httpx.Response:
    return httpx.post(
        f"{stack.url}/rest/v1/rpc/{function}",
        json=body,
        headers={"apikey": key, "Authorization": f"Bearer {key}"},
        timeout=30,
    )


def test_rls_anon_nothing_authenticated_reads_service_role_writes(supabase) -> None:
    service, authenticated, anon = (supabase.key(r) for r in ("service_role", "authenticated", "anon"))
    payload = {"scan": {"project": "acme/web", "started_at": "2026-11-21T10:00:00Z"}, "errors": []}

    # anon: may neither write nor read (not even call the functions)
    assert rpc(supabase, anon, "tsfix_record_scan", payload).status_code in (401, 403)
    assert rpc(supabase, anon, "tsfix_list_errors", {}).status_code in (401, 403)
    table = httpx.get(
        f"{supabase.url}/rest/v1/typescript_errors",
        headers={"apikey": anon, "Authorization": f"Bearer {anon}"},
    )
    assert table.status_code in (401, 403)

    # authenticated: reads, cannot write
    denied = rpc(supabase, authenticated, "tsfix_record_scan", payload)
    assert denied.status_code == 403 and denied.json()["code"] == "42501"

    # service role writes; then authenticated sees it
    errors = [{"fingerprint": "f1", "file_path": "src/a.ts", "line": 1, "col": 1, "code": "TS2322",
               "category": "error", "message": "m", "code_snippet": None, "context": None, "file_hash": None}]  # fmt: skip
    assert rpc(supabase, service, "tsfix_record_scan", {**payload, "errors": errors}).status_code == 200
    listed = rpc(supabase, authenticated, "tsfix_list_errors", {})
    assert listed.status_code == 200 and [e["fingerprint"] for e in listed.json()] == ["f1"]
    direct = httpx.delete(
        f"{supabase.url}/rest/v1/typescript_errors?fingerprint=eq.f1",
        headers={
            "apikey": authenticated,
            "Authorization": f"Bearer {authenticated}",
            "Prefer": "return=representation",
        },
    )
    assert direct.status_code in (401, 403) or direct.json() == []
    assert len(rpc(supabase, service, "tsfix_list_errors", {}).json()) == 1
    # a statement planned for service_role on a pooled connection must not answer anon afterwards
    assert rpc(supabase, service, "tsfix_schema_version", {}).json() == SCHEMA_VERSION
    assert rpc(supabase, anon, "tsfix_schema_version", {}).status_code in (401, 403)


def test_wrong_keys_are_reported_without_the_key(supabase, monkeypatch: pytest.MonkeyPatch) -> None:
    forged = supabase.key("service_role", secret="not-the-projects-jwt-secret-0123456789abcdef")
    monkeypatch.setenv("SUPABASE_SERVICE_ROLE_KEY", forged)
    with pytest.raises(StoreDenied) as info:
        open_store("supabase")
    text = str(info.value) + (info.value.hint or "")
    assert forged not in text and "service-role key" in text

    anon = supabase.key("anon")
    monkeypatch.setenv("SUPABASE_SERVICE_ROLE_KEY", anon)
    with pytest.raises(StoreDenied):
        open_store("supabase")


def test_supabase_needs_its_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SUPABASE_URL", raising=False)
    monkeypatch.delenv("SUPABASE_SERVICE_ROLE_KEY", raising=False)
    monkeypatch.delenv("SUPABASE_KEY", raising=False)
    with pytest.raises(UsageError, match="needs SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY"):
        open_store("supabase")


def test_unreachable_stores(postgres_cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    from dataplane import free_port

    dead = free_port()
    with pytest.raises(StoreUnreachable, match=f"cannot connect to postgresql://postgres@127.0.0.1:{dead}/x"):
        open_store(f"postgresql://postgres:hunter2hunter2@127.0.0.1:{dead}/x")
    monkeypatch.setenv("SUPABASE_URL", f"http://127.0.0.1:{dead}")
    monkeypatch.setenv(
        "SUPABASE_SERVICE_ROLE_KEY", "eyJhbGciOiJIUzI1NiJ9.eyJyb2xlIjoic2VydmljZV9yb2xlIn0.c2lnbmF0dXJl"
    )
    with pytest.raises(StoreUnreachable, match=r"cannot reach supabase:http://127\.0\.0\.1"):
        open_store("supabase")


# ----------------------------------------------------------------------------- atomicity


def _block_recording(url: str, fingerprint: str) -> psycopg.Connection:
    """Hold a row lock on an existing error, so the next scan blocks half-way through its upsert."""
    blocker = psycopg.connect(url)
    blocker.execute("select 1 from public.typescript_errors where fingerprint = %s for update", [fingerprint])
    return blocker


def _wait_blocked(cluster, database: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if (
            cluster.psql(
                f"select count(*) from pg_stat_activity where datname = '{database}' and wait_event_type = 'Lock'",
                database,
            ).strip()
            != "0"
        ):
            return
        time.sleep(0.05)
    raise TimeoutError("the scan never blocked")


def test_killing_the_postgres_connection_mid_scan_leaves_the_previous_state(
    postgres_cluster, pg_url: str
) -> None:
    with open_store(pg_url) as store:
        store.record_scan(scan_input(), [error_input(f"e{i}", line=i + 1) for i in range(20)])
        before = snapshot(store)
    blocker = _block_recording(pg_url, "e10")
    failure: list[BaseException] = []

    def record() -> None:
        try:
            with open_store(pg_url) as st:
                st.record_scan(scan_input(), [error_input(f"e{i}", line=i + 2) for i in range(30)])
        except BaseException as exc:
            failure.append(exc)

    worker = threading.Thread(target=record)
    worker.start()
    _wait_blocked(postgres_cluster, "tsfix_pg")
    postgres_cluster.psql(
        "select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'tsfix' and wait_event_type = 'Lock'",
        "tsfix_pg",
    )
    worker.join(30)
    blocker.close()
    assert failure and isinstance(failure[0], StoreUnreachable)
    with open_store(pg_url) as store:
        assert snapshot(store) == before
        retry = store.record_scan(scan_input(), [error_input(f"e{i}", line=i + 2) for i in range(30)])
        assert retry.counts["new"] == 10 and retry.counts["open"] == 20


def test_stopping_postgrest_mid_scan_leaves_the_previous_state(postgres_cluster, supabase) -> None:
    with open_store("supabase") as store:
        store.record_scan(scan_input(), [error_input(f"e{i}", line=i + 1) for i in range(20)])
        before = snapshot(store)
    blocker = _block_recording(postgres_cluster.url("tsfix_supabase"), "e10")
    failure: list[BaseException] = []

    def record() -> None:
        try:
            with open_store("supabase") as st:
                st.record_scan(scan_input(), [error_input(f"e{i}", line=i + 2) for i in range(30)])
        except BaseException as exc:
            failure.append(exc)

    worker = threading.Thread(target=record)
    worker.start()
    try:
        _wait_blocked(postgres_cluster, "tsfix_supabase")
        supabase.stop_postgrest()
        worker.join(60)
        blocker.close()
        assert failure and isinstance(failure[0], StoreUnreachable), failure
    finally:
        supabase.start_postgrest()
    with open_store("supabase") as store:
        assert snapshot(store) == before
        retry = store.record_scan(scan_input(), [error_input(f"e{i}", line=i + 2) for i in range(30)])
        assert retry.counts["new"] == 10


def test_one_round_trip_per_scan_over_rest(supabase) -> None:
    with open_store("supabase") as store:
        before = supabase.requests_logged()
        store.record_scan(scan_input(), [error_input(f"e{i}", line=i + 1) for i in range(500)])
        assert supabase.requests_logged() - before == 1


# ----------------------------------------------------------------------------- end to end


def test_scan_into_postgres_and_supabase_records_what_sqlite_records(
    make_project, cli, pg_url: str, supabase
) -> None:
    root = make_project(BROKEN)
    local = json.loads(cli("scan", str(root), "-f", "json").stdout)
    shape = [
        (e["file"], e["line"], e["code"], e["fingerprint"], e["status"], e["change"]) for e in local["errors"]
    ]
    for store in (pg_url, "supabase"):
        result = cli("scan", str(root), "-f", "json", "--store", store)
        assert result.exit_code == 1, result.output
        data = json.loads(result.stdout)
        assert [
            (e["file"], e["line"], e["code"], e["fingerprint"], e["status"], e["change"])
            for e in data["errors"]
        ] == shape
        assert all(len(str(e["id"])) == 36 for e in data["errors"])  # uuids
        listed = json.loads(cli("list", str(root), "--json", "--store", store).stdout)
        assert sorted(r["fingerprint"] for r in listed) == sorted(e["fingerprint"] for e in local["errors"])
        shown = cli("show", str(data["errors"][0]["id"])[:8], "--path", str(root), "--store", store)
        assert shown.exit_code == 0 and "TS2322" in shown.output
    assert not list(root.glob(".tsfix/*.db-journal"))


def test_suggest_apply_and_undo_with_a_team_store(make_project, cli, supabase) -> None:
    root = make_project(
        {"src/a.ts": "export interface U { email: string }\nexport const f = (u: U) => u.emial;\n"}
    )
    assert cli("scan", str(root), "--store", "supabase").exit_code == 1
    suggested = json.loads(cli("suggest", "--path", str(root), "--store", "supabase", "-f", "json").stdout)
    (error,) = suggested["errors"]
    best = error["suggestions"][0]
    assert best["verified"] and len(str(best["id"])) == 36
    sid = "s" + str(best["id"])[:8]  # a prefix of the uuid will do
    applied = cli("apply", sid, "--path", str(root), "--store", "supabase", "-f", "json")
    assert applied.exit_code == 0, applied.output
    assert [f["state"] for f in json.loads(applied.stdout)["fixes"]] == ["applied"]
    assert "u.email" in (root / "src/a.ts").read_text()
    listed = json.loads(cli("list", str(root), "--json", "--status", "all", "--store", "supabase").stdout)
    assert [r["status"] for r in listed] == ["applied"]
    assert cli("undo", "--path", str(root), "--store", "supabase").exit_code == 0
    assert "u.emial" in (root / "src/a.ts").read_text()
    listed = json.loads(cli("list", str(root), "--json", "--status", "all", "--store", "supabase").stdout)
    assert [r["status"] for r in listed] == ["ai_suggested"]


def test_unreachable_store_keeps_the_scan_and_sync_uploads_it(make_project, cli, postgres_cluster) -> None:
    from dataplane import Relay

    root = make_project(BROKEN)
    relay = Relay(postgres_cluster.port)  # the store's address, down for now
    url = f"postgresql://postgres:{postgres_cluster.password}@127.0.0.1:{relay.port}/tsfix_pg"
    postgres_cluster.psql("truncate public.scans, public.typescript_errors cascade", "tsfix_pg")
    result = cli("scan", str(root), "--store", url)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert lines[0].startswith(
        f"error: cannot connect to postgresql://postgres@127.0.0.1:{relay.port}/tsfix_pg"
    )
    assert "the scan is kept locally (2 errors" in lines[0]
    assert f"tsfix sync --store postgresql://postgres@127.0.0.1:{relay.port}/tsfix_pg" in lines[1]
    assert postgres_cluster.password not in result.output

    # a second scan while the store is down queues too; `sync` without --store says what waits where
    (root / "src/a.ts").write_text("export const a: number = 'x';\n")
    assert cli("scan", str(root), "--store", url).exit_code == 2
    listed = cli("sync", "--path", str(root))
    assert (
        listed.exit_code == 2
        and f"2 for postgresql://postgres@127.0.0.1:{relay.port}/tsfix_pg" in listed.output
    )

    relay.start()  # the store is back: sync uploads both, oldest first, and a second sync does nothing
    try:
        synced = cli("sync", "--path", str(root), "--store", url, "--json")
        assert synced.exit_code == 0, synced.output
        assert len(json.loads(synced.stdout)["uploaded"]) == 2
        assert "nothing to upload" in cli("sync", "--path", str(root), "--store", url).output
        with open_store(url) as store:
            assert {(r.line, r.status) for r in store.list_errors(statuses=None)} == {
                (1, "new"),
                (2, "fixed"),
            }
            latest = store.latest_scan()
            assert latest is not None and latest["error_count"] == 1 and latest["fixed_count"] == 1
    finally:
        relay.stop()


def test_secrets_never_reach_output_or_the_database(
    make_project, cli, postgres_cluster, pg_url: str, supabase
) -> None:
    root = make_project(BROKEN)
    key = supabase.key("service_role")
    outputs = [
        cli("scan", str(root), "--store", pg_url).output,
        cli("scan", str(root), "--store", pg_url, "-f", "json").output,
        cli("scan", str(root), "--store", "supabase").output,
        cli("db", "status", "--store", pg_url).output,
        cli("db", "status", "--store", "supabase").output,
        cli("list", str(root), "--store", pg_url).output,
    ]
    for text in outputs:
        assert postgres_cluster.password not in text and key not in text
    dump = postgres_cluster.psql("select string_agg(t::text, ' ') from public.scans t", "tsfix_pg")
    dump += (root / ".tsfix" / "tsfix.db").read_bytes().decode("latin-1")
    assert postgres_cluster.password not in dump and key not in dump


def test_db_commands(cli, pg_url: str, supabase, postgres_cluster, tmp_path: Path) -> None:
    status = cli("db", "status", "--store", pg_url, "--json")
    assert status.exit_code == 0 and json.loads(status.stdout)["pending"] == []
    assert "up to date: nothing to apply" in cli("db", "migrate", "--store", pg_url).output
    rest = cli("db", "status", "--store", "supabase")
    assert rest.exit_code == 0 and f"version {SCHEMA_VERSION}" in rest.output
    refused = cli("db", "migrate", "--store", "supabase")
    assert refused.exit_code == 2 and "cannot change the schema" in refused.output

    postgres_cluster.psql("drop database if exists tsfix_fresh")
    postgres_cluster.psql("create database tsfix_fresh")
    fresh = postgres_cluster.url("tsfix_fresh")
    pending = cli("db", "status", "--store", fresh)
    assert pending.exit_code == 1 and pending.output.count("pending") == len(POSTGRES_MIGRATIONS.steps())
    applied = cli("db", "migrate", "--store", fresh)
    assert applied.exit_code == 0 and "applied " + ", ".join(MIGRATIONS) in applied.output
    assert postgres_cluster.password not in applied.output + pending.output
    local = cli("db", "status", "--store", f"sqlite://{tmp_path}/s.db")
    assert local.exit_code == 2 and "no tsfix store" in local.output


def test_the_example_queries_run(make_project, cli, postgres_cluster, supabase) -> None:
    root = make_project(BROKEN)
    env = {"TSFIX_PROJECT_NAME": "github.com/acme/web"}
    cli("scan", str(root), "--store", "supabase", env=env)
    (root / "src/a.ts").write_text("export const a: number = 1;\nexport const b: string = 1;\n")
    cli("scan", str(root), "--store", "supabase", env=env)
    text = (Path(__file__).parent.parent / "examples" / "supabase" / "queries.sql").read_text()
    statements = [s.strip() for s in text.split(";") if s.strip() and not all(
        line.strip().startswith("--") or not line.strip() for line in s.splitlines())]  # fmt: skip
    assert len(statements) == 6
    results = [postgres_cluster.psql(sql, "tsfix_supabase") for sql in statements]
    by_code = [line.split("|") for line in results[0].splitlines()]
    assert [(row[2], row[3]) for row in by_code] == [("TS2322", "2"), ("TS2322", "1")]
    assert results[2].split("|")[:2] == ["src/a.ts", "1"]


def test_refused_key_and_missing_schema_also_keep_the_scan(
    make_project, cli, postgres_cluster, supabase
) -> None:
    root = make_project(BROKEN)
    anon = supabase.key("anon")
    refused = cli("scan", str(root), "--store", "supabase", env={"SUPABASE_SERVICE_ROLE_KEY": anon})
    assert refused.exit_code == 2
    first, hint = refused.output.strip().splitlines()
    assert first.startswith("error: supabase:http://127.0.0.1") and "refused the key" in first
    assert "the scan is kept locally (2 errors" in first and "service-role key" in hint
    assert anon not in refused.output

    postgres_cluster.psql("drop database if exists tsfix_bare")
    postgres_cluster.psql("create database tsfix_bare")
    bare = postgres_cluster.url("tsfix_bare")
    missing = cli("scan", str(root), "--store", bare)
    assert missing.exit_code == 2
    first, hint = missing.output.strip().splitlines()
    assert "has no tsfix schema" in first and "kept locally" in first
    assert "tsfix db migrate --store postgresql://postgres@127.0.0.1" in hint
    assert postgres_cluster.password not in missing.output

    # both scans wait, each for its own store; once the schema is there, sync delivers
    assert cli("db", "migrate", "--store", bare).exit_code == 0
    synced = cli("sync", "--path", str(root), "--store", bare, "--json")
    assert synced.exit_code == 0 and len(json.loads(synced.stdout)["uploaded"]) == 1
    assert json.loads(synced.stdout)["waiting_elsewhere"] == [[f"supabase:{supabase.url}", 1]]
