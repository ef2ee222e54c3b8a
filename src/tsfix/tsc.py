"""Find and run the project's own TypeScript compiler (reading what it prints: tsfix.tsc_output).

`TscProcess` is a thin wrapper around the process.
tsfix never uses a bundled compiler: the diagnostics must be the ones the project's own `tsc` gives.

tsc is always run with `--noEmit --pretty false` and with `--tsBuildInfoFile` pointing into a
temporary folder: with `incremental` or `composite` on, tsc writes a .tsbuildinfo even under
`--noEmit`, and the redirect keeps that out of the user's tree (tsc ignores the flag otherwise).
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tsfix.errors import ProjectNotFound, TscFailed, TscNotFound, TsconfigInvalid
from tsfix.records import Diagnostic

# ----------------------------------------------------------------------------- finding things


def find_tsconfig(path: Path, project: str | None = None) -> tuple[Path, Path]:
    """Return (project root, tsconfig file) for PATH (a folder or a tsconfig) and --project.

    With a folder and no --project, the nearest tsconfig.json at or above the folder is used, as tsc
    does; the project root is the folder that holds it.
    """
    path = path.expanduser()
    if not path.exists():
        raise ProjectNotFound(f"{path} does not exist", hint="pass a project folder or a tsconfig file")
    path = path.resolve()
    if project is not None:
        base = path if path.is_dir() else path.parent
        tsconfig = (base / project).resolve()
        if tsconfig.is_dir():
            tsconfig = tsconfig / "tsconfig.json"
        if not tsconfig.is_file():
            raise ProjectNotFound(
                f"no tsconfig at {tsconfig}", hint="--project takes a tsconfig file or a folder holding one"
            )
        return base, tsconfig
    if path.is_file():
        return path.parent, path
    for folder in (path, *path.parents):
        candidate = folder / "tsconfig.json"
        if candidate.is_file():
            return folder, candidate
    raise ProjectNotFound(
        f"no tsconfig.json in {path} or any folder above it",
        hint="run tsfix inside a TypeScript project, pass --project path/to/tsconfig.json, "
        "or create one with `npx tsc --init`",
    )


@dataclass(frozen=True, slots=True)
class TscInfo:
    """How to run the project's tsc."""

    command: tuple[str, ...]
    path: Path  # what was found or given (for messages)
    version: str | None
    package_dir: Path | None  # the `typescript` package folder, when known

    @property
    def major(self) -> int | None:
        if not self.version:
            return None
        head = self.version.split(".", 1)[0]
        return int(head) if head.isdigit() else None


_NODE_PLATFORMS = {"linux": "linux", "darwin": "darwin", "win32": "win32"}
_NODE_ARCHES = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}


def _typescript_package(tsc_path: Path) -> tuple[Path, dict] | None:
    """The npm package a tsc executable belongs to (`typescript`), found from its real path."""
    real = tsc_path.resolve()
    for folder in list(real.parents)[:4]:
        manifest = folder / "package.json"
        if manifest.is_file():
            try:
                data = json.loads(manifest.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return None
            if data.get("name") in ("typescript", "@typescript/native-preview"):
                return folder, data
            return None
    return None


def _native_executable(package_dir: Path, package: dict) -> Path | None:
    """TypeScript 7's native compiler binary, as its `bin/tsc` Node shim would find it.

    Running it directly skips the shim's Node start-up (about 0.1 s per run on Node 20, which has no
    process.execve and so keeps a Node parent alive for the whole check).
    """
    platform = _NODE_PLATFORMS.get(sys.platform)
    arch = _NODE_ARCHES.get(os.uname().machine.lower() if hasattr(os, "uname") else "")
    if not platform or not arch:
        return None
    base = "tsgo" if package.get("name") == "@typescript/native-preview" else "tsc"
    platform_pkg = Path("@typescript") / f"{package['name'].split('/')[-1]}-{platform}-{arch}"
    exe_name = base + (".exe" if platform == "win32" else "")
    candidates = [package_dir / "node_modules" / platform_pkg]
    candidates += [folder / "node_modules" / platform_pkg for folder in package_dir.parents]
    for folder in candidates:
        exe = folder / "lib" / exe_name
        if exe.is_file() and os.access(exe, os.X_OK):
            return exe
    return None


def _version_from_cli(command: Sequence[str]) -> str | None:
    try:
        out = subprocess.run([*command, "--version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return None
    m = re.search(r"Version\s+(\S+)", out.stdout)
    return m.group(1) if m else None


def describe_tsc(tsc_path: Path) -> TscInfo:
    """Version and the fastest faithful way to run the tsc at `tsc_path`."""
    command: tuple[str, ...] = (str(tsc_path),)
    found = _typescript_package(tsc_path)
    if found is None:
        return TscInfo(command, tsc_path, _version_from_cli(command), None)
    package_dir, package = found
    version = package.get("version")
    if version and version.split(".")[0].isdigit() and int(version.split(".")[0]) >= 7:
        native = _native_executable(package_dir, package)
        if native is not None:
            command = (str(native),)
    return TscInfo(command, tsc_path, version, package_dir)


def find_tsc(start: Path, override: str | Path | None = None) -> TscInfo:
    """The nearest node_modules/.bin/tsc walking up from `start`, or the --tsc override."""
    if override:
        path = Path(override).expanduser()
        if not path.is_file():
            raise TscNotFound(f"--tsc {override}: no such file", hint="pass the path of a tsc executable")
        if not os.access(path, os.X_OK):
            raise TscNotFound(f"--tsc {override} is not executable", hint=f"chmod +x {override}")
        return describe_tsc(path.absolute())
    names = ("tsc.cmd", "tsc") if sys.platform == "win32" else ("tsc",)
    for folder in (start, *start.parents):
        for name in names:
            candidate = folder / "node_modules" / ".bin" / name
            if candidate.is_file():
                return describe_tsc(candidate)
    raise TscNotFound(
        f"no TypeScript compiler in node_modules/.bin at or above {start}",
        hint="install the project's TypeScript with `npm install -D typescript` (or pass --tsc PATH)",
    )


# ----------------------------------------------------------------------------- running


@dataclass(frozen=True, slots=True)
class TscRun:
    """What one tsc process printed and how it ended."""

    stdout: str
    stderr: str
    returncode: int
    elapsed_ms: int


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="replace")


class TscProcess:
    """One tsc run, started at once so the caller can work while it type-checks.

    tsc writes into files in a scratch folder rather than pipes: its output (megabytes for thousands
    of errors) would otherwise block on a 64 KiB pipe until Python reads it, and the reading thread
    competes for the GIL with work done meanwhile. The process gets its own process group: a timeout
    or Ctrl-C kills tsc and anything it spawned rather than leaving them running.
    """

    def __init__(self, args: Sequence[str], cwd: Path, timeout: float | None, scratch: Path) -> None:
        self.args = list(args)
        self.timeout = timeout
        self.started = time.monotonic()
        self._out_path = scratch / "tsc.stdout"
        self._err_path = scratch / "tsc.stderr"
        self._out = open(self._out_path, "wb")  # noqa: SIM115 - closed in _close
        self._err = open(self._err_path, "wb")  # noqa: SIM115
        try:
            self._proc = subprocess.Popen(
                self.args,
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=self._out,
                stderr=self._err,
                start_new_session=True,
            )
        except OSError as exc:
            self._close()
            raise TscNotFound(f"cannot run {self.args[0]}: {exc.strerror}", hint="check --tsc") from None

    def _close(self) -> None:
        self._out.close()
        self._err.close()

    def kill(self) -> None:
        if self._proc.poll() is None:
            try:
                os.killpg(self._proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                self._proc.kill()
        self._proc.wait()
        self._close()

    def wait(self) -> TscRun:
        """Wait for tsc; raise TscFailed on timeout or when it was killed."""
        remaining = None
        if self.timeout is not None:
            remaining = max(0.0, self.timeout - (time.monotonic() - self.started))
        try:
            self._proc.wait(timeout=remaining)
        except subprocess.TimeoutExpired:
            self.kill()
            raise TscFailed(
                f"tsc did not finish within {self.timeout:g} s and was stopped",
                hint="raise --tsc-timeout (formerly --timeout; or TSFIX_TIMEOUT); `tsc --noEmit --extendedDiagnostics` shows where time goes",
            ) from None
        except BaseException:
            self.kill()
            raise
        elapsed = int((time.monotonic() - self.started) * 1000)
        self._close()
        out = self._out_path.read_bytes()
        err = self._err_path.read_bytes()
        return TscRun(_decode(out), _decode(err), self._proc.returncode, elapsed)


def check_run(run: TscRun, diagnostics: Sequence[Diagnostic]) -> None:
    """Raise TscFailed when the run's output cannot be trusted (crash, signal, no diagnostics on failure).

    tsc exits 0 without errors; with errors 2 (TypeScript 5.x/6.x, outputs skipped) or 1 (7.x).
    """
    rc = run.returncode
    if rc < 0:
        name = signal.Signals(-rc).name if -rc in signal.Signals._value2member_map_ else str(-rc)
        raise TscFailed(
            f"tsc was killed by signal {name}",
            hint="out of memory? try NODE_OPTIONS=--max-old-space-size=8192, or a smaller --project",
        )
    detail = _last_line(run.stderr) or _last_line(run.stdout)
    if rc in (0, 1, 2) and (rc == 0 or diagnostics):
        return
    if "heap out of memory" in run.stderr:
        raise TscFailed(
            "tsc ran out of memory",
            hint="raise Node's heap with NODE_OPTIONS=--max-old-space-size=8192",
        )
    raise TscFailed(
        f"tsc failed (exit status {rc}) without reporting diagnostics" + (f": {detail}" if detail else ""),
        hint="run the same tsc by hand to see its output; TSFIX_DEBUG=1 shows the full command",
    )


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def tsc_arguments(tsc: TscInfo, tsconfig: Path, scratch: Path, build: bool) -> list[str]:
    """The command line for one check. `scratch` is a temporary folder tsfix owns."""
    if build:
        return [*tsc.command, "--build", "--pretty", "false", str(tsconfig)]
    return [
        *tsc.command,
        "--noEmit",
        "--pretty",
        "false",
        "-p",
        str(tsconfig),
        "--tsBuildInfoFile",
        str(scratch / "tsfix.tsbuildinfo"),
    ]


# ----------------------------------------------------------------------------- project references


def show_config(tsc: TscInfo, tsconfig: Path, timeout: float | None = 120) -> dict | None:
    """`tsc --showConfig -p tsconfig` as a dict, or None when tsc cannot resolve the config."""
    try:
        out = subprocess.run(
            [*tsc.command, "--showConfig", "-p", str(tsconfig)],
            cwd=tsconfig.parent,
            capture_output=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    text = _decode(out.stdout).strip()
    if out.returncode != 0 or not text.startswith("{"):
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def mentions_references(tsconfig: Path) -> bool:
    """Cheap pre-check before asking tsc to resolve a config: does the file name any references?"""
    try:
        return '"references"' in tsconfig.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def is_solution_config(config: dict) -> bool:
    """A solution-style tsconfig lists references and no files of its own: plain `-p` checks nothing."""
    return bool(config.get("references")) and not config.get("files")


def _reference_target(base: Path, ref_path: str) -> Path:
    target = (base / ref_path).resolve()
    return target / "tsconfig.json" if target.is_dir() else target


def prepare_build(tsc: TscInfo, tsconfig: Path, scratch: Path) -> Path:
    """Write shadow configs so that `tsc --build` emits only into `scratch`; return the root shadow.

    `tsc --build` cannot take --noEmit (TS6310) nor --outDir (TS5094), and would write declarations
    and .tsbuildinfo files into the user's tree. So each project P of the reference graph gets a
    shadow config that extends P, lists exactly P's resolved files, and sends declarations and build
    info to `scratch`. Each shadow lives under a mirror of P's absolute folder inside `scratch`, with
    links to every node_modules on P's ancestor path, so that type roots and `types` entries resolve
    exactly as they do from P itself.
    """
    shadows: dict[Path, Path] = {}
    visiting: set[Path] = set()

    def shadow_for(config_path: Path) -> Path:
        config_path = config_path.resolve()
        if config_path in shadows:
            return shadows[config_path]
        if config_path in visiting:  # a reference cycle: tsc reports it (TS6202)
            return config_path
        visiting.add(config_path)
        shown = show_config(tsc, config_path)
        if shown is None:
            raise TsconfigInvalid(
                f"tsc cannot resolve {config_path}",
                hint=f"run `tsc --showConfig -p {config_path}` to see why",
            )
        base = config_path.parent
        references = [
            {"path": str(shadow_for(_reference_target(base, ref["path"])))}
            for ref in shown.get("references", [])
            if isinstance(ref, dict) and "path" in ref
        ]
        options = shown.get("compilerOptions", {})
        index = len(shadows)
        out_dir = scratch / "out" / str(index)
        overrides: dict[str, object] = {
            "noEmit": False,
            "declaration": True,
            "emitDeclarationOnly": True,
            "declarationMap": False,
            "sourceMap": False,
            "outDir": str(out_dir),
            "declarationDir": str(out_dir),
            "tsBuildInfoFile": str(scratch / "out" / f"{index}.tsbuildinfo"),
        }
        if options.get("composite") and "rootDir" not in options:
            overrides["rootDir"] = str(base)  # composite's default rootDir is the config's own folder
        if "outFile" in options:
            overrides["outFile"] = str(out_dir / "bundle.js")
        shadow = {
            "extends": str(config_path),
            "compilerOptions": overrides,
            "files": [str((base / f).resolve()) for f in shown.get("files", [])],
            "include": [],
            "references": references,
        }
        mirror = scratch / "mirror" / base.relative_to(base.anchor)
        mirror.mkdir(parents=True, exist_ok=True)
        for folder in (base, *base.parents):
            modules = folder / "node_modules"
            if modules.is_dir():
                link = scratch / "mirror" / folder.relative_to(folder.anchor) / "node_modules"
                if not link.exists():
                    link.parent.mkdir(parents=True, exist_ok=True)
                    link.symlink_to(modules, target_is_directory=True)
        target = mirror / f"{config_path.stem}.tsfix-shadow.json"
        target.write_text(json.dumps(shadow, indent=2), encoding="utf-8")
        shadows[config_path] = target
        visiting.discard(config_path)
        return target

    return shadow_for(tsconfig)


def unshadow(diagnostics: list[Diagnostic], scratch: Path) -> list[Diagnostic]:
    """Point diagnostics that tsc reported in a shadow config back at the user's config."""
    marker = ".tsfix-shadow.json"
    out = []
    for d in diagnostics:
        if d.file and d.file.endswith(marker):
            mirror_root = scratch / "mirror"
            path = Path(d.file)
            if not path.is_absolute():
                out.append(d)
                continue
            try:
                rel = path.relative_to(mirror_root)
            except ValueError:
                out.append(d)
                continue
            original = Path(path.anchor, *rel.parts[:-1]) / (rel.name[: -len(marker)] + ".json")
            out.append(Diagnostic(str(original), None, None, d.code, d.category, d.message))
        else:
            out.append(d)
    return out
