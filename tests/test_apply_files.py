"""The file-level safety of `tsfix apply`: confinement, encodings, atomic writes, re-located hunks, undo."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from tsfix.edits import unified_diff
from tsfix.files import ApplyRefused, DiskFile, atomic_write, confined
from tsfix.hunks import parse_hunks, relocate
from tsfix.undo import keep_original, start_undo, undo_last


def test_paths_are_confined_to_the_root(tmp_path: Path) -> None:
    root = tmp_path / "project"
    (root / "src").mkdir(parents=True)
    (tmp_path / "outside.ts").write_text("x")
    (root / "src" / "link.ts").symlink_to(tmp_path / "outside.ts")
    assert confined(root, "src/a.ts") == root / "src/a.ts"
    for bad in (
        "../outside.ts",
        "/etc/passwd",
        "src/../../outside.ts",
        "C:\\\\Windows\\\\x.ts",
        "src/link.ts",
    ):
        with pytest.raises(ApplyRefused, match="outside the project"):
            confined(root, bad)


def test_files_keep_bom_encoding_line_endings_and_mode(tmp_path: Path) -> None:
    crlf = tmp_path / "crlf.ts"
    crlf.write_bytes(b"\xef\xbb\xbfconst a = 1;\r\nconst b = 2;\r\n")
    crlf.chmod(0o640)
    f = DiskFile.read(tmp_path, "crlf.ts")
    assert (f.bom, f.encoding, f.newline, f.mode) == (b"\xef\xbb\xbf", "utf-8", "\r\n", 0o640)
    assert f.text == "const a = 1;\r\nconst b = 2;\r\n"
    new = f.text.replace("const b = 2;", "const b = 2;" + f.with_newlines("\nconst c = 3;"))
    atomic_write(crlf, f.encode(new), f.mode)
    assert crlf.read_bytes() == b"\xef\xbb\xbfconst a = 1;\r\nconst b = 2;\r\nconst c = 3;\r\n"
    assert stat.S_IMODE(crlf.stat().st_mode) == 0o640
    wide = tmp_path / "wide.ts"
    wide.write_bytes("\ufeffconst é = 1;\n".encode("utf-16-le"))
    w = DiskFile.read(tmp_path, "wide.ts")
    assert (w.encoding, w.text) == ("utf-16-le", "const é = 1;\n")
    assert w.encode(w.text) == wide.read_bytes()
    (tmp_path / "latin.ts").write_bytes("const caf\xe9 = 1;\n".encode("latin-1"))
    with pytest.raises(ApplyRefused, match="not valid utf-8"):
        DiskFile.read(tmp_path, "latin.ts")


def test_an_interrupted_write_leaves_the_file_whole(tmp_path: Path) -> None:
    target = tmp_path / "a.ts"
    target.write_text("original\n")

    real = os.fdopen

    def failing_fdopen(fd, mode):  # the disk fills up half-way through the write
        handle = real(fd, mode)
        handle.write(b"half")
        handle.close()
        raise OSError(28, "No space left on device")

    import tsfix.files as files_module

    files_module.os.fdopen = failing_fdopen  # type: ignore[assignment]
    try:
        with pytest.raises(OSError, match="No space left"):
            atomic_write(target, b"new content\n", 0o644)
    finally:
        files_module.os.fdopen = real  # type: ignore[assignment]
    assert target.read_text() == "original\n"
    assert [p.name for p in tmp_path.iterdir()] == ["a.ts"]  # no temporary file left behind


BEFORE = "".join(f"line {i}\n" for i in range(1, 21))


def test_hunks_relocate_after_unrelated_edits() -> None:
    after = BEFORE.replace("line 10\n", "line ten\n")
    diff = unified_diff({"a.ts": BEFORE}, {"a.ts": after})
    hunks = parse_hunks(diff, "a.ts")
    assert len(hunks) == 1 and hunks[0].old_start == 7
    moved = "new first line\nanother\n" + BEFORE  # the user added two lines at the top
    text, notes = relocate(moved, hunks)
    assert text == "new first line\nanother\n" + after
    assert notes == ["hunk at line 7 placed +2 lines away"]
    edited_context = moved.replace("line 8\n", "line eight\n")  # and changed a line of the hunk's context
    text, notes = relocate(edited_context, hunks)
    assert "line ten\n" in text and "line eight\n" in text and "fuzz" in notes[0]
    assert relocate(BEFORE.replace("line 10\n", "the user rewrote this line\n"), hunks) is None


def test_undo_restores_only_unchanged_files(tmp_path: Path) -> None:
    for name in ("a.ts", "b.ts"):
        (tmp_path / name).write_text(f"{name} before\n")
    record = start_undo(tmp_path)
    record.suggestions = [{"id": 7, "files": ["a.ts"]}, {"id": 8, "files": ["a.ts", "b.ts"]}]
    for name in ("a.ts", "b.ts"):
        f = DiskFile.read(tmp_path, name)
        new = f.encode(f"{name} after\n")
        keep_original(record, f, new)
        atomic_write(tmp_path / name, new, f.mode)
    (tmp_path / "b.ts").write_text("b.ts edited by the user afterwards\n")
    unmarked: list = []
    result = undo_last(tmp_path, unmarked.extend)
    assert result.restored == ["a.ts"] and [p for p, _ in result.refused] == ["b.ts"]
    assert (tmp_path / "a.ts").read_text() == "a.ts before\n"
    assert (tmp_path / "b.ts").read_text() == "b.ts edited by the user afterwards\n"
    assert unmarked == [7]  # 8 also changed b.ts, which was kept
    from tsfix.errors import UsageError

    with pytest.raises(UsageError, match="nothing to undo"):
        undo_last(tmp_path)


def test_a_failed_rename_is_put_back_by_renames_and_undo_finishes_the_job(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The third rename into place fails, and putting back the first one fails too: the message names
    each file's state and `tsfix undo`, which then restores the file left new."""
    import tsfix.writes as writes_module
    from tsfix.writes import ApplyWriteFailed, write_all

    names = [f"f{i}.ts" for i in range(4)]
    for name in names:
        (tmp_path / name).write_text(f"{name} before\n")
    files = [DiskFile.read(tmp_path, name) for name in names]
    record = start_undo(tmp_path)
    real = os.replace

    def flaky(src, dst) -> None:
        if str(dst).endswith("f2.ts"):
            raise OSError(5, "Input/output error", str(dst))
        if str(src).endswith(".tsfix-old") and str(dst).endswith("f0.ts"):
            raise OSError(5, "Input/output error", str(dst))
        real(src, dst)

    monkeypatch.setattr(writes_module.os, "replace", flaky)
    with pytest.raises(ApplyWriteFailed) as failure:
        write_all(tmp_path, record, [(f, f.encode(f"{f.path} after\n")) for f in files])
    monkeypatch.setattr(writes_module.os, "replace", real)
    assert failure.value.message == (
        "could not write f2.ts: Input/output error; some files are fixed and some not: "
        "new: f0.ts; restored: f1.ts; old: f2.ts, f3.ts"
    )
    assert failure.value.hint == f"`tsfix undo` restores the new files from .tsfix/undo/{record.id}"
    assert [(tmp_path / n).read_text() for n in names] == [
        "f0.ts after\n",
        "f1.ts before\n",
        "f2.ts before\n",
        "f3.ts before\n",
    ]
    assert sorted(p.name for p in tmp_path.iterdir()) == [".tsfix", *names]  # no temporary left
    result = undo_last(tmp_path)
    assert result.restored == names and result.refused == []
    assert [(tmp_path / n).read_text() for n in names] == [f"{n} before\n" for n in names]


def test_originals_are_kept_by_hard_links_and_restored_by_rename(tmp_path: Path) -> None:
    """No bytes are copied on the way in or out, so neither needs free space."""
    from tsfix.writes import write_all

    (tmp_path / "a.ts").write_text("before\n")
    f = DiskFile.read(tmp_path, "a.ts")
    inode = (tmp_path / "a.ts").stat().st_ino
    record = start_undo(tmp_path)
    assert write_all(tmp_path, record, [(f, b"after\n")]) == ["a.ts"]
    assert (record.folder / "files/a.ts").stat().st_ino == inode  # the original itself, not a copy
    assert (tmp_path / "a.ts").read_text() == "after\n"
    undo_last(tmp_path)
    assert (tmp_path / "a.ts").stat().st_ino == inode and (tmp_path / "a.ts").read_text() == "before\n"
