"""Files tsfix writes: confined to the project, read once with their encoding, replaced atomically.

- `confined` refuses absolute paths, `..` and symbolic links that lead out of the project root.
- `DiskFile` is a file's bytes with what it takes to write text back the same way (byte-order mark,
  encoding, line endings, mode); `Workspace` reads each file a run touches once.
- `atomic_write` replaces a file in one rename of a synced temporary file beside it; hard links
  (`link_beside`, `restore_copy`) put bytes back by a rename, so going back needs no free space.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import os
import re
import secrets
import stat
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from tsfix.edits import source_encoding
from tsfix.errors import TsfixError


class ApplyRefused(TsfixError):
    """A file tsfix will not write (outside the project, read-only, not text)."""


def confined(root: Path, rel: str) -> Path:
    """The absolute path of `rel` inside `root`; refuses absolute paths, `..` and symlinks leading out."""
    posix = PurePosixPath(rel)
    if posix.is_absolute() or re.match(r"^[A-Za-z]:[\\/]", rel) or ".." in posix.parts:
        raise ApplyRefused(
            f"refused to write {rel}: it is outside the project",
            hint="edits may only touch files under the project root",
        )
    target = root / rel
    real_root = root.resolve()
    try:
        target.resolve().relative_to(real_root)
    except ValueError:
        raise ApplyRefused(
            f"refused to write {rel}: it leads outside the project (a symbolic link?)",
            hint="edits may only touch files under the project root",
        ) from None
    return target


@dataclass(slots=True)
class DiskFile:
    """A file's bytes and how to turn text back into the same kind of bytes."""

    path: str
    raw: bytes
    text: str  # without the byte-order mark
    bom: bytes
    encoding: str
    newline: str
    mode: int

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()

    @classmethod
    def read(cls, root: Path, path: str) -> DiskFile:
        target = confined(root, path)
        raw = target.read_bytes()
        mode = stat.S_IMODE(target.stat().st_mode)
        bom, encoding = source_encoding(raw)
        try:
            text = raw[len(bom) :].decode(encoding)
        except UnicodeDecodeError:
            raise ApplyRefused(
                f"{path} is not valid {encoding}: tsfix will not rewrite it", hint="fix it by hand"
            ) from None
        crlf = text.count("\r\n")
        newline = "\r\n" if crlf and crlf >= text.count("\n") - crlf else "\n"
        return cls(path, raw, text, bom, encoding, newline, mode)

    def encode(self, text: str) -> bytes:
        return self.bom + text.encode(self.encoding)

    def with_newlines(self, inserted: str) -> str:
        """Text a fix inserts, with the file's line endings (quick fixes insert LF in CRLF files)."""
        if self.newline == "\r\n":
            return inserted.replace("\r\n", "\n").replace("\n", "\r\n")
        return inserted


def atomic_write(target: Path, data: bytes, mode: int) -> None:
    """Replace `target` with `data` in one step: a temporary file beside it, then a rename."""
    tmp = write_temporary(target, data, mode)
    try:
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def write_temporary(target: Path, data: bytes, mode: int) -> Path:
    """`data` in a new, synced temporary file beside `target` (same folder, so the same file system:
    renaming it over `target` needs no further space). Nothing is left behind when it fails."""
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tsfix-tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return Path(tmp)


# Hard links are not supported here (or not allowed): the caller falls back to copying the bytes.
_NO_HARD_LINKS = {errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EACCES}


def hard_link(source: Path, link: Path) -> bool:
    """Make `link` another name of `source`'s bytes (no data is written, so no space is needed);
    False where the file system cannot (another file system, no hard links)."""
    try:
        os.link(source, link)
    except OSError as exc:
        if exc.errno in _NO_HARD_LINKS:
            return False
        raise
    return True


def link_beside(source: Path, beside: Path, suffix: str) -> Path | None:
    """A new hard link to `source`, hidden in `beside`'s folder under `beside`'s name; None where
    links cannot be made."""
    for _ in range(100):
        link = beside.with_name(f".{beside.name}.{secrets.token_hex(4)}{suffix}")
        try:
            return link if hard_link(source, link) else None
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary name", str(beside))


def restore_copy(copy: Path, target: Path, mode: int) -> None:
    """Put the bytes of `copy` back at `target` in one rename, without writing them again where a
    hard link can be made (so it works on a full disk); `copy` itself stays."""
    link = link_beside(copy, target, ".tsfix-tmp")
    if link is None:  # another file system: the bytes are written again
        atomic_write(target, copy.read_bytes(), mode)
        return
    try:
        os.chmod(link, mode)
        os.replace(link, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(link)
        raise


class Workspace:
    """The files the selected fixes touch, each read once, as they are now."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.files: dict[str, DiskFile] = {}

    def file(self, path: str) -> DiskFile:
        if path not in self.files:
            self.files[path] = DiskFile.read(self.root, path)
        return self.files[path]

    def text(self, path: str) -> str:
        return self.file(path).text

    def disk_path(self, path: str) -> str:
        """The file `path` names, relative to the root: where a symbolic link inside the project
        points (writing the link's name would replace the link with a regular file)."""
        real = confined(self.root, path).resolve().relative_to(self.root.resolve()).as_posix()
        return path if real == path else real

    def writable(self, path: str) -> bool:
        """Writable, and not marked read-only: tsfix respects a cleared write bit even when it runs as
        root, who could write anyway."""
        target = self.root / path
        marked = self.file(path).mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH)
        return bool(marked) and os.access(target, os.W_OK) and os.access(target.parent, os.W_OK | os.X_OK)


def list_names(paths: Sequence[str], limit: int = 20) -> str:
    """`a.ts, b.ts and 3 more` (at most `limit` names), or `none`."""
    shown = ", ".join(paths[:limit])
    return shown + (f" and {len(paths) - limit} more" if len(paths) > limit else "") if paths else "none"


def describe_states(groups: Mapping[str, Sequence[str]]) -> str:
    """`new: a.ts, b.ts; old: c.ts` — each file under the state it is in (empty states left out)."""
    return "; ".join(f"{state}: {list_names(paths)}" for state, paths in groups.items() if paths)
