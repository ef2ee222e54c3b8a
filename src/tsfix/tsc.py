"""Find and run the project's own TypeScript compiler, and parse what it prints.

`parse_tsc_output` is a pure function over text; `TscProcess` is a thin wrapper around the process.
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
from pathlib import Path, PurePosixPath, PureWindowsPath

from tsfix.errors import ProjectNotFound, TscFailed, TscNotFound, TsconfigInvalid
from tsfix.models import Diagnostic

# `path(line,col): error TS2322: message`. The path is matched lazily, so a path that itself
# contains "(1,2)" still parses: the regex only succeeds at the "(line,col): category TSnnnn: " that
# tsc appends.
_LOCATED = re.compile(
    r"^(?P<file>.+?)\((?P<line>\d+),(?P<col>\d+)\): "
    r"(?P<cat>error|warning|suggestion|message) TS(?P<code>\d+): (?P<msg>.*)$"
)
_GLOBAL = re.compile(r"^(?P<cat>error|warning|suggestion|message) TS(?P<code>\d+): (?P<msg>.*)$")
# tsc's own line breaks (CR, LF, CRLF, and the two Unicode separators), not Python's splitlines().
LINE_BREAK = re.compile(r"\r\n|[\r\n\u2028\u2029]")


# The "(line,col): category TSnnnn: " that tsc prints after a file name, found anywhere in a line.
_ANCHOR = re.compile(
    r"\((?P<line>\d+),(?P<col>\d+)\): (?P<cat>error|warning|suggestion|message) TS(?P<code>\d+): "
)
# How many printed lines one file name may span (a name with line breaks in it).
MAX_NAME_LINES = 16


def parse_tsc_output(
    text: str, files: ProjectFiles | None = None, ambiguous: list[str] | None = None
) -> list[Diagnostic]:
    """Parse `tsc --pretty false` output into diagnostics.

    Indented lines after a diagnostic continue its message (an elaboration chain); they are kept,
    dedented by the two spaces tsc adds per level beyond the first. Lines that are neither are ignored
    (e.g. a "Found 3 errors" footer).

    tsc prints file names raw, so a file named `a.ts(1,1): error TS1: x⏎b.ts` reads like two
    diagnostics. With `files` (the file system tsc read) a diagnostic is recognised only where its
    name is a real file: among the places a line could start a diagnostic, the longest name that is a
    file wins, across line breaks too. Where a shorter reading also names real files (tsc's text is
    then truly ambiguous), the longest reading is kept and the name is added to `ambiguous`. Without
    `files` (pure parsing of known-good output) the first match on each line wins.
    """
    if files is None:
        return _parse_lines(text)
    return _parse_checked(text, files, ambiguous if ambiguous is not None else [])


def _parse_lines(text: str) -> list[Diagnostic]:
    diagnostics: list[Diagnostic] = []
    file: str | None = None
    line_no: int | None = None
    col: int | None = None
    code = category = ""
    message: list[str] = []

    def flush() -> None:
        if message:
            diagnostics.append(Diagnostic(file, line_no, col, code, category, "\n".join(message)))

    for raw in re.split(r"\r\n|[\r\n]", text):
        if not raw.strip():
            continue
        if raw[0] in " \t":
            if message:
                message.append(raw.rstrip())
            continue
        raw = raw.rstrip()
        m = _LOCATED.match(raw)
        if m:
            flush()
            file, line_no, col = m["file"], int(m["line"]), int(m["col"])
            code, category, message = "TS" + m["code"], m["cat"], [m["msg"]]
            continue
        m = _GLOBAL.match(raw)
        if m:
            flush()
            file = line_no = col = None
            code, category, message = "TS" + m["code"], m["cat"], [m["msg"]]
            continue
        flush()
        message = []
    flush()
    return diagnostics


@dataclass(slots=True)
class _Header:
    first: int  # index of the first printed line the file name starts on
    line: int  # index of the line holding the "(l,c): error TSnnnn: " anchor
    file: str
    match: re.Match[str]
    real: bool = True  # False: no reading names a file that exists (deleted since tsc ran?)


def _parse_checked(text: str, files: ProjectFiles, ambiguous: list[str]) -> list[Diagnostic]:
    parts = re.split(r"(\r\n|[\r\n])", text)
    lines, breaks = parts[0::2], [*parts[1::2], ""]
    real = files.is_file

    def header_at(i: int, floor: int) -> _Header | None:
        """The longest real file name ending at an anchor of line i, starting at a line >= floor."""
        best: _Header | None = None
        for m in reversed(list(_ANCHOR.finditer(lines[i]))):
            for first in range(max(floor, i - MAX_NAME_LINES + 1), i + 1):
                if first < i and not files.may_hold_line_break(lines[first]):
                    continue
                name = "".join(lines[k] + breaks[k] for k in range(first, i)) + lines[i][: m.start()]
                if real(name) and (best is None or len(name) > len(best.file)):
                    best = _Header(first, i, name, m)
                    break
        if best is None and lines[i][:1] not in ("", " ", "\t"):
            # read as the plain parser does; a longer reading on a later line still replaces it
            plain = _ANCHOR.search(lines[i])
            if plain is not None and plain.start() > 0:
                best = _Header(i, i, lines[i][: plain.start()], plain, real=False)
        return best

    def shorter_reading(first: int, i: int, limit: int) -> bool:
        """Does a line in first..i (line i only before column `limit`) start a diagnostic on its own?"""
        return any(
            real(lines[k][: m.start()])
            for k in range(first, i + 1)
            for m in _ANCHOR.finditer(lines[k])
            if k < i or m.start() < limit
        )

    headers: list[_Header] = []
    for i in range(len(lines)):
        # a name may reach back into the lines of the previous diagnostic: then it is a longer
        # reading of the same text, which wins (and the text is ambiguous)
        found = header_at(i, headers[-1].first if headers else 0)
        if found is None:
            continue
        overlapped = False
        while headers and found.first <= headers[-1].line:
            overlapped |= headers.pop().real
        if overlapped or shorter_reading(found.first, i, found.match.start()):
            ambiguous.append(found.file)
        headers.append(found)

    diagnostics: list[Diagnostic] = []
    global_floor = 0
    for n, h in enumerate(headers):
        end = headers[n + 1].first if n + 1 < len(headers) else len(lines)
        # file-less diagnostics (TS5xxx, TS18003) before this header, after the previous one
        for k in range(global_floor, h.first):
            _add_global(diagnostics, lines, k, h.first)
        message = [lines[h.line][h.match.end() :].rstrip()]
        k = h.line + 1
        while k < end and lines[k][:1] in (" ", "\t"):
            if lines[k].strip():
                message.append(lines[k].rstrip())
            k += 1
        global_floor = k
        m = h.match
        diagnostics.append(
            Diagnostic(h.file, int(m["line"]), int(m["col"]), "TS" + m["code"], m["cat"], "\n".join(message))
        )
    for k in range(global_floor, len(lines)):
        _add_global(diagnostics, lines, k, len(lines))
    return diagnostics


def _add_global(diagnostics: list[Diagnostic], lines: list[str], k: int, end: int) -> None:
    """A file-less diagnostic starting at line k (its indented continuation lines before `end`)."""
    m = _GLOBAL.match(lines[k].rstrip())
    if m is None:
        return
    message = [m["msg"]]
    j = k + 1
    while j < end and lines[j][:1] in (" ", "\t"):
        if lines[j].strip():
            message.append(lines[j].rstrip())
        j += 1
    diagnostics.append(Diagnostic(None, None, None, "TS" + m["code"], m["cat"], "\n".join(message)))


class ProjectFiles:
    """What the parser may ask of the file system tsc read (names relative to `root`, its working
    folder, or absolute). Answers are cached: one stat per distinct name, one listing per folder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._files: dict[str, bool] = {}
        self._folders: dict[str, bool] = {}

    def is_file(self, name: str) -> bool:
        known = self._files.get(name)
        if known is None:
            try:
                known = bool(name.strip()) and (self.root / name).is_file()
            except (OSError, ValueError):  # a name too long for the file system, or with a NUL
                known = False
            self._files[name] = known
        return known

    def may_hold_line_break(self, head: str) -> bool:
        """Could a file name start with `head` and go on past a line break? Only if the folder the
        break falls in has an entry with a line break in its name: one listing answers every line."""
        folder = head[: head.rfind("/") + 1] if "/" in head else ""
        known = self._folders.get(folder)
        if known is None:
            try:
                known = any(_BREAKS.search(entry) for entry in os.listdir(self.root / folder))
            except (OSError, ValueError):
                known = False
            self._folders[folder] = known
        return known


_BREAKS = re.compile(r"[\r\n]")
_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")


def relative_posix(raw_path: str, root: Path) -> str:
    """A tsc-printed path as a POSIX path relative to the project root (absolute if outside it).

    Backslashes separate folders only in Windows paths (a drive letter, or a Windows root): on POSIX a
    backslash is an ordinary character of a file name, and reading `src\\..\\x.ts` as a path there
    would point at another file."""
    windows = bool(_DRIVE.match(raw_path)) or bool(_DRIVE.match(str(root)))
    if not raw_path.startswith("/") and not windows:
        return raw_path  # tsc already printed it relative to the root (its working folder), POSIX-style
    if windows:
        win = PureWindowsPath(raw_path)
        if not win.is_absolute():
            return PurePosixPath(*win.parts).as_posix()
        try:
            return PurePosixPath(*win.relative_to(PureWindowsPath(root)).parts).as_posix()
        except ValueError:
            return win.as_posix()
    path = Path(raw_path)
    if not path.is_absolute():
        return PurePosixPath(raw_path).as_posix()
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


# ----------------------------------------------------------------------------- what tsc checked
#
# tsc reports in stages and stops at the first that has problems (emitFilesAndReportErrors):
# config-file parsing, then syntax, then options and global diagnostics, then semantics. So:
# - a diagnostic with no file (TS5023 unknown option, TS18003 no inputs, TS2688 missing type library)
#   means the code was never type-checked: the scan would be meaningless and is not recorded;
# - a run that reports only syntax errors never reached the type checker either: it is recorded, but
#   errors it does not mention are not marked fixed (they were not checked).

_CONFIG_CODES = frozenset({"TS18003", "TS18002"})


def is_config_diagnostic(diagnostic: Diagnostic) -> bool:
    """True for problems in a tsconfig (or any .json config tsc parsed), and for file-less diagnostics."""
    if diagnostic.file is None:
        return True
    return diagnostic.file.lower().endswith(".json")


def _code_number(code: str) -> int:
    return int(code[2:]) if code[2:].isdigit() else 0


def may_be_syntax_only(diagnostics: Sequence[Diagnostic]) -> bool:
    """True when every diagnostic is in the syntax ranges (TS1xxx, TS17xxx), so tsc may have skipped
    type-checking. Some TS1xxx codes are checker errors; erring this way only delays marking fixes."""
    return bool(diagnostics) and all(
        1000 <= _code_number(d.code) < 2000 or 17000 <= _code_number(d.code) < 18000 for d in diagnostics
    )


def raise_for_config_errors(diagnostics: Sequence[Diagnostic], tsconfig: str) -> None:
    """Raise TsconfigInvalid when tsc reported problems that stopped or undermine type-checking."""
    unbuilt = [d for d in diagnostics if d.code == "TS6305"]
    if unbuilt:
        raise TsconfigInvalid(
            f"{tsconfig} uses project references whose outputs are not built ({len(unbuilt)} × TS6305: "
            f"{unbuilt[0].headline})",
            hint="scan with --build: tsfix builds the references into a temporary folder first",
        )
    problems = [d for d in diagnostics if is_config_diagnostic(d)]
    if not problems:
        return
    first = problems[0]
    where = f" ({first.file}:{first.line}:{first.col})" if first.file and first.line else ""
    more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
    if first.code in _CONFIG_CODES:
        raise TsconfigInvalid(
            f"{tsconfig} matches no files: {first.code} {first.headline}",
            hint="check 'include'/'files' in the tsconfig, or choose another one with --project",
        )
    if first.file is None and not first.code.startswith(("TS5", "TS6")):
        hint = (
            "install the project's dependencies (`npm install`) or fix compilerOptions.types"
            if first.code == "TS2688"
            else f"fix the compiler options; `tsc --noEmit -p {tsconfig}` shows the same problem"
        )
        raise TsconfigInvalid(
            f"tsc stopped before type-checking: {first.code} {first.headline}{more}", hint=hint
        )
    raise TsconfigInvalid(
        f"{tsconfig} is invalid: {first.code} {first.headline}{where}{more}",
        hint=f"fix the configuration; `tsc --noEmit -p {tsconfig}` shows the same problems",
    )


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
                hint="raise --timeout (or TSFIX_TIMEOUT); `tsc --noEmit --extendedDiagnostics` shows where time goes",
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
