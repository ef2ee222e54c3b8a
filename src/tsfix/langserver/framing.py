"""The wire under both language-service transports.

tsserver and LSP servers both answer with `Content-Length: N` framed JSON. LSP clients frame their
messages the same way; tsserver reads one JSON request per line. `ServerProcess` owns the child
process, a reader thread that routes responses to waiting requests, and the timeouts.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shlex
import signal
import subprocess
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from tsfix.errors import TsfixError


class LanguageServiceError(TsfixError):
    """The language service failed: it crashed (twice), timed out, or refused a request."""


class ServerCrashed(LanguageServiceError):
    """The server process exited while a request was outstanding."""


class RequestTimeout(LanguageServiceError):
    """A request got no answer in time."""


#: NODE_OPTIONS entries a language server may inherit: memory and stack limits. Everything else is
#: dropped, above all `--require`/`--import`/`--loader`, which would run code before tsfix's module
#: guard (Yarn, for one, puts the project's own `.pnp.cjs` there for every script it runs).
_KEPT_NODE_OPTIONS = ("--max-old-space-size=", "--max-semi-space-size=", "--stack-size=")


def server_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a language server: tsfix's own, minus what would load code into Node.

    NODE_PATH goes too: it only adds folders Node may load modules from.
    """
    env = {k: v for k, v in os.environ.items() if k not in ("NODE_OPTIONS", "NODE_PATH")}
    try:
        words = shlex.split(os.environ.get("NODE_OPTIONS", ""))
    except ValueError:
        words = []
    kept = [w for w in words if w.startswith(_KEPT_NODE_OPTIONS)]
    if kept:
        env["NODE_OPTIONS"] = " ".join(kept)
    env.update(extra or {})
    return env


def read_message(stream: Any) -> dict[str, Any] | None:
    """One Content-Length framed JSON message, or None at end of stream."""
    length = None
    while True:
        line = stream.readline()
        if not line:
            return None
        line = line.strip()
        if not line:
            if length is None:
                continue  # tolerate stray blank lines between messages
            break
        key, _, value = line.decode("ascii", "replace").partition(":")
        if key.strip().lower() == "content-length":
            length = int(value.strip())
    body = stream.read(length)
    if len(body) < length:
        return None
    return json.loads(body.decode("utf-8"))


class ServerProcess:
    """A language server child process with request/response routing.

    `key_of(message)` names the request a response belongs to (or None for events and server
    requests, which go to `on_other`). `send` writes raw bytes; the protocol classes frame them.
    """

    def __init__(
        self,
        argv: Sequence[str],
        cwd: Path,
        key_of: Callable[[dict[str, Any]], int | None],
        on_other: Callable[[dict[str, Any]], None] | None = None,
        stderr_path: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> None:
        self.argv = list(argv)
        self._key_of = key_of
        self._on_other = on_other
        self._pending: dict[int, queue.Queue[dict[str, Any] | None]] = {}
        self._lock = threading.Lock()
        self._write_lock = threading.Lock()
        self._stderr = open(stderr_path, "ab") if stderr_path else subprocess.DEVNULL  # noqa: SIM115
        try:
            self.proc = subprocess.Popen(
                self.argv,
                cwd=cwd,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self._stderr,
                env=env if env is not None else server_environment(),
                start_new_session=True,
            )
        except OSError as exc:
            raise LanguageServiceError(
                f"cannot start the language server {self.argv[0]}: {exc.strerror}",
                hint="is Node.js installed and the project's TypeScript present?",
            ) from None
        self._reader = threading.Thread(target=self._read_loop, name="tsfix-langserver", daemon=True)
        self._reader.start()

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def _read_loop(self) -> None:
        assert self.proc.stdout is not None
        while True:
            try:
                message = read_message(self.proc.stdout)
            except (ValueError, OSError):
                message = None
            if message is None:
                with self._lock:
                    waiting = list(self._pending.values())
                    self._pending.clear()
                for q in waiting:
                    q.put(None)
                return
            key = self._key_of(message)
            if key is not None:
                with self._lock:
                    waiter = self._pending.pop(key) if key in self._pending else None
                if waiter is not None:
                    waiter.put(message)
            elif self._on_other is not None:
                self._on_other(message)

    def expect(self, key: int) -> queue.Queue[dict[str, Any] | None]:
        q: queue.Queue[dict[str, Any] | None] = queue.Queue()
        with self._lock:
            self._pending[key] = q
        return q

    def forget(self, key: int) -> None:
        with self._lock:
            self._pending.pop(key, None)

    def send(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        with self._write_lock:
            try:
                self.proc.stdin.write(data)
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError, ValueError):
                raise ServerCrashed(
                    f"the language server {Path(self.argv[0]).name} exited",
                    hint="TSFIX_DEBUG=1 shows its log",
                ) from None

    def wait_for(
        self, q: queue.Queue[dict[str, Any] | None], key: int, what: str, timeout: float
    ) -> dict[str, Any]:
        try:
            message = q.get(timeout=timeout)
        except queue.Empty:
            self.forget(key)
            raise RequestTimeout(
                f"the language server did not answer {what} within {timeout:g} s",
                hint="a very large project? raise --ls-timeout",
            ) from None
        if message is None:
            raise ServerCrashed(
                f"the language server exited while answering {what}", hint="TSFIX_DEBUG=1 shows its log"
            )
        return message

    def kill(self) -> None:
        if self.alive:
            try:
                os.killpg(self.proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self.proc.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=10)
        for stream in (self.proc.stdin, self.proc.stdout):
            try:
                if stream is not None:
                    stream.close()
            except OSError:
                pass
        if self._stderr not in (None, subprocess.DEVNULL):
            self._stderr.close()  # type: ignore[union-attr]
