"""`tsfix doctor`: what tsfix will use here, what is missing, and how to fix each.

Every check says what it found and, when something is missing or wrong, the command that fixes it.
A check is *needed* when the options given require it: the project's TypeScript always, Node.js for
a JavaScript tsc, llama-cpp-python and the model only with --model, the store only when one is
named. The run is healthy (exit 0) when every needed check passes.

Nothing is installed, downloaded or written: an hf: model is looked up in the cache only, the
TypeScript 6 helper in tsfix's cache only, the store is opened read-only, and no secret is shown
(the store URL is redacted; the Supabase variables are reported as set or not).
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from tsfix import __version__
from tsfix.errors import TsfixError
from tsfix.extras import LLAMA_INSTALL, installed

OK, MISSING, WARN, INFO = "ok", "missing", "warning", "info"


@dataclass(frozen=True, slots=True)
class Check:
    name: str
    status: str  # ok, missing, warning (works, but worse than it could), info
    detail: str
    fix: str | None = None
    needed: bool = False  # the options given require it

    @property
    def failed(self) -> bool:
        return self.needed and self.status == MISSING

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "failed": self.failed}


def run_checks(
    path: Path, *, model: str | None = None, store: str | None = None, tsc: str | None = None
) -> list[Check]:
    checks = [
        Check(
            "python", OK if sys.version_info >= (3, 11) else MISSING, platform.python_version(), needed=True
        ),
        Check("tsfix", OK, __version__),
    ]
    typescript = _typescript(path, tsc)
    checks += typescript
    native = any(c.name == "typescript" and "native" in c.detail for c in typescript)
    checks.append(_node(needed=not native))
    checks.append(_llama(needed=bool(model) and not _is_server_model(model)))
    if model:
        checks.append(_model(model))
    checks.append(_store(path, store))
    checks.append(_supabase_env(needed=(store or "").startswith("supabase")))
    return checks


def _is_server_model(model: str | None) -> bool:
    """A name for --engine openai rather than a GGUF file or an hf: reference."""
    return bool(model) and not (
        str(model).endswith(".gguf")
        or str(model).startswith("hf:")
        or Path(str(model)).expanduser().is_file()
    )


def _typescript(path: Path, override: str | None) -> list[Check]:
    from tsfix.langserver.factory import TS6_VERSION, tsfix_cache
    from tsfix.project import find_tsconfig
    from tsfix.tsc import find_tsc

    try:
        root, config = find_tsconfig(path)
    except TsfixError as exc:
        return [Check("project", MISSING, exc.message, exc.hint, needed=True)]
    out = [Check("project", OK, str(config))]
    try:
        info = find_tsc(root, override)
    except TsfixError as exc:
        return [*out, Check("typescript", MISSING, exc.message, exc.hint, needed=True)]
    native = info.command[0] != str(info.path) or (info.major or 0) >= 7
    kind = "native (TypeScript 7)" if native and (info.major or 0) >= 7 else "JavaScript"
    out.append(Check("typescript", OK, f"{info.version or '?'}, {kind}, {info.path}", needed=True))
    if (info.major or 0) >= 7:
        configured = os.environ.get("TSFIX_TS6_PATH")
        cached = tsfix_cache() / f"typescript-{TS6_VERSION}" / "node_modules" / "typescript"
        helper = Path(configured) if configured else cached
        if (helper / "lib" / "tsserver.js").is_file() or (helper.name == "tsserver.js" and helper.is_file()):
            out.append(
                Check("typescript 6 helper", OK, f"{TS6_VERSION} tsserver for more quick fixes, {helper}")
            )
        else:
            out.append(
                Check(
                    "typescript 6 helper",
                    WARN,
                    "not installed: TypeScript 7's own server offers fewer quick fixes",
                    f"`tsfix suggest` installs typescript@{TS6_VERSION} into {cached.parent.parent} with npm on "
                    "first use (or set TSFIX_TS6_PATH; --no-ts6 goes without)",
                )
            )
    return out


def _node(needed: bool) -> Check:
    node = shutil.which("node")
    if node is None:
        return Check(
            "node",
            MISSING,
            "not on PATH" + ("" if needed else " (the native TypeScript 7 compiler does not need it)"),
            "install Node.js 18 or newer (https://nodejs.org, or `apt-get install nodejs npm`)",
            needed=needed,
        )
    version = _output([node, "--version"]) or "?"
    return Check("node", OK, f"{version}, {node}", needed=needed)


def _output(args: list[str], timeout: float = 10) -> str | None:
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout.strip() if done.returncode == 0 else None


def _llama(needed: bool) -> Check:
    if not installed("llama_cpp"):
        return Check(
            "llama-cpp-python",
            MISSING,
            "not installed: no local model (the quick fixes, repairs and search still run)",
            LLAMA_INSTALL,
            needed=needed,
        )
    try:
        import llama_cpp
    except Exception as exc:  # installed, but its native library does not load
        return Check(
            "llama-cpp-python",
            MISSING,
            f"installed but cannot be loaded: {exc}",
            LLAMA_INSTALL,
            needed=needed,
        )
    info = llama_cpp.llama_print_system_info()
    text = info.decode("utf-8", "replace") if isinstance(info, bytes) else str(info)
    backends = sorted({part.split(" : ", 1)[0].strip() for part in text.split(" | ") if " : " in part})
    gpu = bool(llama_cpp.llama_supports_gpu_offload())
    gpus = _gpus()
    detail = f"{getattr(llama_cpp, '__version__', '?')}, backends {', '.join(backends) or 'CPU'}"
    detail += ", GPU offload" if gpu else ", CPU only"
    if gpus:
        detail += f"; GPUs: {', '.join(gpus)}"
    if gpus and not gpu:
        return Check(
            "llama-cpp-python",
            WARN,
            detail + " (this build cannot use them)",
            'CMAKE_ARGS="-DGGML_CUDA=on" pip install --force-reinstall --no-cache-dir llama-cpp-python',
            needed=needed,
        )
    return Check("llama-cpp-python", OK, detail, needed=needed)


def _gpus() -> list[str]:
    """The NVIDIA GPUs the driver sees (nvidia-smi), or Apple's on macOS."""
    if shutil.which("nvidia-smi"):
        names = _output(["nvidia-smi", "--query-gpu=name,memory.total", "--format=csv,noheader"])
        return [line.strip() for line in (names or "").splitlines() if line.strip()]
    if sys.platform == "darwin" and platform.machine() == "arm64":
        return ["Apple silicon (Metal)"]
    return []


def _model(model: str) -> Check:
    from tsfix.models import known_models

    if _is_server_model(model):
        return Check("model", INFO, f"{model} (a model name for --engine openai)")
    if not installed("gguf") or (model.startswith("hf:") and not installed("huggingface_hub")):
        return Check(
            "model",
            MISSING,
            f"{model}: cannot be read without the llama extra",
            "pip install 'tsfix[llama]'",
            needed=True,
        )
    try:
        found = [m for m in known_models([model]) if m.source == "argument"]
    except TsfixError as exc:
        return Check("model", MISSING, exc.message, exc.hint, needed=True)
    m = found[0] if found else None
    if m is None or m.error:
        why = m.error if m else "not found"
        fix = (
            f"`tsfix suggest --model {model}` downloads it (once), or unset HF_HUB_OFFLINE"
            if model.startswith("hf:")
            else "pass a readable GGUF file to --model (or TSFIX_MODEL)"
        )
        return Check("model", MISSING, f"{model}: {why}", fix, needed=True)
    from tsfix.ui.models import human_count, human_size

    return Check(
        "model",
        OK,
        f"{m.path} ({human_size(m.size_bytes)}; {m.architecture or '?'}, {human_count(m.parameters)} parameters, "
        f"{m.quantisation or '?'}, context {m.context_length or '?'})",
        needed=True,
    )


def _store(path: Path, store: str | None) -> Check:
    from tsfix.redact import redact_url
    from tsfix.store import store_scheme
    from tsfix.store.admin import db_status

    url = store or os.environ.get("TSFIX_STORE") or None
    named = url is not None
    try:
        from tsfix.project import find_tsconfig

        root = find_tsconfig(path)[0]
    except TsfixError:
        root = path.resolve()
    scheme = store_scheme(url)
    if scheme == "sqlite" and not named and not (root / ".tsfix" / "tsfix.db").exists():
        return Check(
            "store", OK, f"sqlite:///{root / '.tsfix' / 'tsfix.db'} (not created yet: `tsfix scan` does)"
        )
    try:
        status = db_status(url, root)
    except TsfixError as exc:
        shown = redact_url(url) if url else "the embedded store"
        return Check("store", MISSING, f"{shown}: {exc.message}", exc.hint, needed=named)
    version = (
        f"schema version {status.version}"
        if status.version is not None
        else f"{len(status.applied)} migration(s)"
    )
    if not status.up_to_date:
        return Check(
            "store",
            MISSING,
            f"{status.store}: reachable, {version}, migrations pending: {', '.join(status.pending) or 'yes'}",
            status.note or "tsfix db migrate",
            needed=named,
        )
    return Check("store", OK, f"{status.store}: reachable, {version}, up to date", needed=named)


def _supabase_env(needed: bool) -> Check:
    names = ("SUPABASE_URL", "SUPABASE_SERVICE_ROLE_KEY", "SUPABASE_KEY")
    state = {n: bool(os.environ.get(n)) for n in names}
    detail = ", ".join(f"{n} {'set' if v else 'not set'}" for n, v in state.items())
    complete = state["SUPABASE_URL"] and (state["SUPABASE_SERVICE_ROLE_KEY"] or state["SUPABASE_KEY"])
    if complete:
        return Check("supabase", OK, detail, needed=needed)
    return Check(
        "supabase",
        MISSING if needed else INFO,
        detail,
        "export SUPABASE_URL and SUPABASE_SERVICE_ROLE_KEY (Project Settings → API) for --store supabase",
        needed=needed,
    )
