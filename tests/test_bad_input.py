"""Bad input and hostile environments end in one `error:` line and one `hint:` line (issue 9, items 7-8).

Real file systems throughout: a read-only bind mount (we run as root, so permission bits alone would
not stop a write), a small tmpfs filled to the last block, real UTF-16 files, real tsc.
"""

from __future__ import annotations

import codecs
import contextlib
import json
import os
import select
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tsfix.ids import MAX_SQLITE_INT, ascii_number, local_id

TYPO = 'const user = { name: "é", email: "b" };\nexport const x = user.emial;\n'
FIXED = 'const user = { name: "é", email: "b" };\nexport const x = user.email;\n'


def _mount(*args: str) -> None:
    subprocess.run(["mount", *args], check=True, capture_output=True)


@pytest.fixture
def read_only() -> Iterator[Callable[[Path], None]]:
    """read_only(path): make a file or folder a read-only bind mount of itself until the test ends."""
    mounted: list[Path] = []

    def make(path: Path) -> None:
        _mount("--bind", str(path), str(path))
        mounted.append(path)
        _mount("-o", "remount,bind,ro", str(path))

    yield make
    for path in reversed(mounted):
        subprocess.run(["umount", "-l", str(path)], check=False, capture_output=True)


def _writable_again(path: Path) -> None:
    subprocess.run(["umount", str(path)], check=True, capture_output=True)


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 16 MiB tmpfs at tmp_path/disk, unmounted afterwards."""
    disk = tmp_path / "disk"
    disk.mkdir()
    _mount("-t", "tmpfs", "-o", "size=16m", "tmpfs", str(disk))
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False, capture_output=True)


def one_problem(result: subprocess.CompletedProcess[str]) -> str:
    """The single `error:` message of a failed run (after checking there is exactly one, with a hint)."""
    lines = result.stderr.splitlines()
    errors = [line for line in lines if line.startswith("error:")]
    hints = [line for line in lines if line.startswith("hint:")]
    assert len(errors) == 1 and len(hints) == 1, result.stderr
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr, result.stderr
    return errors[0] + "\n" + hints[0]


# ----------------------------------------------------------------------------- read-only store


@pytest.mark.parametrize("target", [".tsfix", ".tsfix/tsfix.db"])
def test_read_only_store_fails_before_any_work(
    make_project, tsfix_cli, read_only, ts_version: str, target: str
) -> None:
    root = make_project({"src/a.ts": TYPO}, ts=ts_version)
    assert tsfix_cli("scan", cwd=root).returncode == 1
    assert tsfix_cli("suggest", "--no-ts6", cwd=root).returncode == 0
    mounted = root / target
    read_only(mounted)
    for command in (
        ["scan"],
        ["suggest", "--no-ts6", "--status", "ai_suggested"],
        ["apply", "--min-confidence", "0", "--all"],
    ):
        result = tsfix_cli(*command, cwd=root)
        assert result.returncode == 2, (command, result.stderr)
        message = one_problem(result)
        assert "read-only" in message and "--store" in message, message
        assert (root / "src/a.ts").read_text() == TYPO  # apply wrote nothing

    _writable_again(mounted)
    applied = tsfix_cli("apply", "--min-confidence", "0", "--all", cwd=root)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert (root / "src/a.ts").read_text() == FIXED
    read_only(mounted)
    result = tsfix_cli("undo", cwd=root)
    assert result.returncode == 2, result.stderr
    assert "read-only" in one_problem(result)
    assert (root / "src/a.ts").read_text() == FIXED  # nothing restored that could not be recorded

    _writable_again(mounted)
    assert tsfix_cli("undo", cwd=root).returncode == 0
    assert (root / "src/a.ts").read_text() == TYPO


def test_read_only_undo_folder_stops_apply_before_writing(make_project, tsfix_cli, read_only) -> None:
    root = make_project({"src/a.ts": TYPO})
    assert tsfix_cli("scan", cwd=root).returncode == 1
    assert tsfix_cli("suggest", cwd=root).returncode == 0
    (root / ".tsfix/undo").mkdir()
    read_only(root / ".tsfix/undo")
    result = tsfix_cli("apply", "--min-confidence", "0", "--all", cwd=root)
    assert result.returncode == 2
    message = one_problem(result)
    assert ".tsfix/undo is read-only" in message and "tsfix undo" in message
    assert (root / "src/a.ts").read_text() == TYPO
    assert (
        tsfix_cli("apply", "--min-confidence", "0", "--all", "--dry-run", cwd=root).returncode == 0
    )  # writes nothing there


# ----------------------------------------------------------------------------- ids and counts


def test_ids_are_ascii_digits_within_sqlites_range() -> None:
    assert ascii_number("12") == 12 and local_id(" #12 ") == 12
    for text in ("１２", "١٢", "²", "+12", "-1", "1_2", "12\n", "", "0x1"):
        assert ascii_number(text) is None, text
    assert local_id(str(MAX_SQLITE_INT + 1)) == MAX_SQLITE_INT + 1  # "not found", not an overflow


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["show", "99999999999999999999"], "no error with id 99999999999999999999"),
        (["show", "１２"], "'１２' is not an error id"),
        (["show", "١"], "'١' is not an error id"),
        (["apply", "99999999999999999999"], "no error with id 99999999999999999999"),
        (["apply", "s99999999999999999999"], "no suggestion s99999999999999999999"),
        (["apply", "s１"], "'１' is not a suggestion id"),
        (["apply", "１"], "'１' is not an error id"),
        (["suggest", "99999999999999999999"], "no error with id 99999999999999999999"),
        (["suggest", "１"], "'１' is not an error id"),
    ],
)
def test_bad_ids_are_usage_errors(make_project, tsfix_cli, args: list[str], said: str) -> None:
    root = make_project({"src/a.ts": TYPO})
    assert tsfix_cli("scan", cwd=root).returncode == 1
    result = tsfix_cli(*args, cwd=root)
    assert result.returncode == 2, result.stderr
    message = one_problem(result)
    assert said in message, message
    assert "Overflow" not in result.stderr


def test_huge_limits_are_clamped_and_unicode_counts_refused(make_project, cli) -> None:
    root = make_project({"src/a.ts": TYPO})
    assert cli("scan", str(root)).exit_code == 1
    listed = cli("list", str(root), "--json", "-n", "99999999999999999999")
    assert listed.exit_code == 0, listed.output
    assert [e["code"] for e in json.loads(listed.stdout)] == ["TS2551"]
    suggested = cli("suggest", "--path", str(root), "--format", "json", "-n", "99999999999999999999")
    assert suggested.exit_code == 0, suggested.output
    assert len(json.loads(suggested.stdout)["errors"]) == 1
    for value in ("１２", "0", "-1"):
        refused = cli("list", str(root), "-n", value)
        assert refused.exit_code == 2 and "not a whole number" in refused.output, refused.output
    assert cli("show", "1", "--path", str(root)).exit_code == 0  # plain ids still work


# ----------------------------------------------------------------------------- a full disk


def _fill(disk: Path, leave: int) -> None:
    """Fill the file system of `disk` until about `leave` bytes are free."""
    with open(disk / "filler", "wb") as handle, contextlib.suppress(OSError):
        while True:
            stats = os.statvfs(disk)
            free = stats.f_bavail * stats.f_frsize
            if free <= leave:
                break
            handle.write(b"\0" * min(free - leave, 1 << 20))
            handle.flush()


def test_rescan_that_fills_the_disk_says_so_and_keeps_the_store(make_project, tsfix_cli, small_disk) -> None:
    root = make_project({"src/a.ts": TYPO}, name="disk/project")
    assert tsfix_cli("scan", cwd=root).returncode == 1
    lines = [f'export const v{i}: number = "{"x" * 300}{i}";' for i in range(3000)]
    (root / "src/big.ts").write_text("\n".join(lines) + "\n")
    _fill(small_disk, leave=300 * 1024)

    result = tsfix_cli("scan", cwd=root)
    assert result.returncode == 2, result.stdout + result.stderr
    message = one_problem(result)
    assert f"the disk holding {root / '.tsfix'} is full" in message, message
    assert "database or disk is full" in message  # SQLite's own words are kept
    assert "cannot rollback" not in result.stderr and "free some space" in message

    (small_disk / "filler").unlink()
    kept = json.loads(tsfix_cli("list", "--status", "all", "--json", cwd=root).stdout)
    assert [e["code"] for e in kept] == ["TS2551"]  # the failed rescan changed nothing
    again = tsfix_cli("scan", "--format", "json", cwd=root)
    assert again.returncode == 1 and json.loads(again.stdout)["scan"]["counts"]["errors"] == 3001


# ----------------------------------------------------------------------------- UTF-16 sources


def test_suggest_and_apply_on_a_utf16_file(make_project, cli, ts_version: str) -> None:
    data = codecs.BOM_UTF16_LE + TYPO.encode("utf-16-le")
    root = make_project({"src/a.ts": data}, ts=ts_version)
    assert cli("scan", str(root)).exit_code == 1  # tsc reads UTF-16 with a BOM
    result = cli("suggest", "--path", str(root), "--format", "json", "--no-ts6")
    assert result.exit_code == 0, result.output
    (error,) = json.loads(result.stdout)["errors"]
    assert error["note"] is None, error["note"]
    best = error["suggestions"][0]
    assert best["verified"] and "+export const x = user.email;" in best["suggestion"]
    assert cli("apply", "--min-confidence", "0", "--all", "--path", str(root)).exit_code == 0
    raw = (root / "src/a.ts").read_bytes()
    assert raw == codecs.BOM_UTF16_LE + FIXED.encode("utf-16-le")
    assert cli("scan", str(root)).exit_code == 0


# ----------------------------------------------------------------------------- a file changed meanwhile


def _read_until(proc: subprocess.Popen[bytes], wanted: bytes, timeout: float = 120) -> bytes:
    assert proc.stdout is not None
    seen = b""
    deadline = time.monotonic() + timeout
    while wanted not in seen:
        ready, _, _ = select.select([proc.stdout], [], [], max(0.0, deadline - time.monotonic()))
        assert ready, f"no {wanted!r} within {timeout} s: {seen!r}"
        chunk = os.read(proc.stdout.fileno(), 65536)
        assert chunk, f"tsfix exited before {wanted!r}: {seen!r}"
        seen += chunk
    return seen


def test_a_file_changed_while_applying_exits_1(make_project, tsfix_cli, ts_version: str) -> None:
    """The README: 1 when a fix could not be applied safely (its file changed under it)."""
    root = make_project({"src/a.ts": TYPO}, ts=ts_version)
    assert tsfix_cli("scan", cwd=root).returncode == 1
    assert tsfix_cli("suggest", "--no-ts6", cwd=root).returncode == 0
    exe = Path(os.sys.executable).parent / "tsfix"
    proc = subprocess.Popen(
        [str(exe), "apply", "--min-confidence", "0", "--all", "--interactive"],
        cwd=root,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "COLUMNS": "200"},
    )
    try:
        _read_until(proc, b"Apply this fix?")
        edited = TYPO + "// edited meanwhile\n"
        (root / "src/a.ts").write_text(edited)  # after tsfix read it, before it writes
        _, stderr = proc.communicate(b"y\n", timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    result = subprocess.CompletedProcess(proc.args, proc.returncode, "", stderr.decode())
    assert proc.returncode == 1, result.stderr
    assert "src/a.ts changed while tsfix was working" in one_problem(result)
    assert (root / "src/a.ts").read_text() == edited
