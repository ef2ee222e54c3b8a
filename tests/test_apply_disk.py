"""`tsfix apply`, `tsfix undo` and `tsfix ci --write` on a real full disk (a small tmpfs, filled up).

tmpfs allocates whole 4 KiB pages, so a filler file leaving N pages free lets exactly N small files
be written before ENOSPC. We run as root (as CI does): the tests mount and unmount their own tmpfs.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from test_apply_cli import edit, snapshot
from tsfix.edits import apply_edits, unified_diff
from tsfix.records import SuggestionInput
from tsfix.store import open_store

PAGE = 4096
FILES = 4


def mount_tmpfs(where: Path, size: str) -> None:
    where.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)], capture_output=True, text=True
    )
    assert result.returncode == 0, (
        f"cannot mount a tmpfs (the tests run as root, as CI does): {result.stderr}"
    )


@pytest.fixture
def tmpfs(tmp_path: Path) -> Iterator[Callable[[Path, str], Path]]:
    """tmpfs(path, "1m") mounts a tmpfs there; every mount is unmounted afterwards."""
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root (CI runs as root)")
    mounted: list[Path] = []

    def mount(where: Path, size: str = "2m") -> Path:
        mount_tmpfs(where, size)
        mounted.append(where)
        return where

    yield mount
    for where in reversed(mounted):
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(folder: Path, leave_pages: int) -> Path:
    """Fill `folder`'s file system up to `leave_pages` free pages; returns the filler (delete it to free)."""
    filler = folder / "filler.bin"
    free = os.statvfs(folder).f_bavail * os.statvfs(folder).f_frsize
    with open(filler, "wb") as handle:
        handle.write(b"\0" * max(0, free - leave_pages * PAGE))
    left = os.statvfs(folder).f_bavail
    assert left == leave_pages, f"{left} pages free, wanted {leave_pages}"
    return filler


def four_errors(make_project, where: str, ts: str) -> Path:
    """A project with four files, one type error each."""
    files = {f"src/f{i}.ts": f"export const v{i}: number = 'x{i}';\n" for i in range(FILES)}
    return make_project(files, ts=ts, name=where)


def record_fixes(cli, root: Path, store: str) -> None:
    """Scan, then record a verified one-line fix per file through the Store API (as a model's answer
    would be). The store is kept off the full disk: opening SQLite needs space of its own."""
    assert cli("scan", str(root), "--store", store).exit_code == 1
    with open_store(store, root, create=False) as db:
        for row in db.list_errors(statuses=["new"]):
            path = row.file_path
            assert path is not None
            text = (root / path).read_text()
            i = int(path[len("src/f") : -len(".ts")])
            fix = edit(path, 1, 27, 31, str(i))
            suggestion = SuggestionInput(
                fixer="llama",
                model_name="test-answer",
                suggestion=unified_diff({path: text}, {path: apply_edits(text, [fix])}),
                edits=[fix.as_json()],
                explanation="a recorded answer",
                confidence=0.9,
                verified=True,
                verification={"verified": True},
                base_hashes={path: hashlib.sha256(text.encode()).hexdigest()},
            )
            db.record_suggestions(row.id, [suggestion])


def applied_ids(root: Path, store: str) -> set:
    with open_store(store, root, create=False) as db:
        rows = db.list_errors()
        return {
            s.id for found in db.suggestions_for([r.id for r in rows]).values() for s in found if s.applied_at
        }


def sources(root: Path) -> dict[str, bytes]:
    return {p: b for p, b in snapshot(root).items() if p != "filler.bin"}


def assert_all_old(root: Path, original: dict[str, bytes]) -> None:
    assert sources(root) == original
    assert not list(root.rglob(".*.tsfix-*"))  # no temporary file or link left behind
    undo = root / ".tsfix" / "undo"
    assert not undo.exists() or not list(undo.iterdir())


def test_apply_on_a_full_disk_changes_nothing_and_says_so(
    make_project, cli, tmpfs, tmp_path: Path, ts_version: str
) -> None:
    tmpfs(tmp_path / "disk", "2m")
    root = four_errors(make_project, "disk/project", ts_version)
    store = f"sqlite:///{tmp_path / 'tsfix.db'}"
    record_fixes(cli, root, store)
    original = snapshot(root)
    fill(root, leave_pages=2)  # room for two of the four new files

    result = cli("apply", "--min-confidence", "0", "--all", "--path", str(root), "--store", store)
    assert result.exit_code == 2, result.output
    out = " ".join(result.output.split())
    assert "could not write src/f2.ts: No space left on device" in out
    assert (
        "nothing was changed, every file is as it was (old: src/f0.ts, src/f1.ts, src/f2.ts, src/f3.ts)"
        in out
    )
    assert "hint: free some space" in out and "internal error" not in out
    assert_all_old(root, original)
    assert applied_ids(root, store) == set()


def test_undo_copies_that_do_not_fit_change_nothing(make_project, cli, tmpfs, tmp_path: Path) -> None:
    """.tsfix on its own (full) file system: the originals cannot be hard-linked there and copies do
    not fit; the sources, on a disk with room, are left as they were."""
    root = four_errors(make_project, "project", "7.0.2")
    tmpfs(root / ".tsfix", "1m")
    store = f"sqlite:///{tmp_path / 'tsfix.db'}"
    record_fixes(cli, root, store)
    original = snapshot(root)
    fill(root / ".tsfix", leave_pages=0)

    result = cli("apply", "--min-confidence", "0", "--all", "--path", str(root), "--store", store)
    assert result.exit_code == 2, result.output
    out = " ".join(result.output.split())
    assert "could not write the copy of src/f0.ts in .tsfix/undo/" in out and "No space left on device" in out
    assert "nothing was changed" in out and "internal error" not in out
    assert_all_old(root, original)
    assert applied_ids(root, store) == set()


def test_apply_that_just_fits_then_undo_on_a_full_disk(
    make_project, cli, tmpfs, tmp_path: Path, ts_version: str
) -> None:
    """Four new files and the undo manifest fit (five pages); then the disk is full, and `tsfix undo`
    still restores every file: it renames hard links, it writes no bytes."""
    tmpfs(tmp_path / "disk", "2m")
    root = four_errors(make_project, "disk/project", ts_version)
    store = f"sqlite:///{tmp_path / 'tsfix.db'}"
    record_fixes(cli, root, store)
    original = snapshot(root)
    filler = fill(root, leave_pages=FILES + 1)

    result = cli(
        "apply", "--min-confidence", "0", "--all", "--path", str(root), "--store", store, "--format", "json"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["written"] == [f"src/f{i}.ts" for i in range(FILES)] and data["warnings"] == []
    for i in range(FILES):
        assert (root / f"src/f{i}.ts").read_text() == f"export const v{i}: number = {i};\n"
    assert len(applied_ids(root, store)) == FILES

    filler.unlink()
    fill(root, leave_pages=0)
    undone = cli("undo", "--path", str(root), "--store", store, "--format", "json")
    assert undone.exit_code == 0, undone.output
    assert sorted(json.loads(undone.stdout)["restored"]) == data["written"]
    assert sources(root) == original
    assert applied_ids(root, store) == set()
    again = cli("undo", "--path", str(root), "--store", store)
    assert again.exit_code == 2 and "every recorded apply is undone already" in again.output


def test_ci_write_on_a_full_disk_changes_nothing(make_project, cli, tmpfs, tmp_path: Path) -> None:
    tmpfs(tmp_path / "disk", "2m")
    root = four_errors(make_project, "disk/project", "5.9.3")
    store = f"sqlite:///{tmp_path / 'tsfix.db'}"
    record_fixes(cli, root, store)
    original = snapshot(root)
    filler = fill(root, leave_pages=1)

    result = cli("ci", "--min-confidence", "0", str(root), "--write", "--store", store)
    assert result.exit_code == 2, result.output
    out = " ".join(result.output.split())
    assert "could not write src/f1.ts: No space left on device; nothing was changed" in out
    assert "internal error" not in out
    assert_all_old(root, original)
    assert applied_ids(root, store) == set()
    filler.unlink()
    fill(root, leave_pages=0)
    baseline = root / "baseline.json"
    result = cli("ci", str(root), "--store", store, "--no-suggest", "--write-baseline", str(baseline))
    assert result.exit_code == 2 and "could not write the baseline" in result.output, result.output
    assert not baseline.exists() and not list(root.glob(".baseline.json.*"))
