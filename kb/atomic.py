"""Atomic files: every file kb writes is written beside its target, flushed, then renamed over it.

Standard library only, so that caches and the importer can use it without loading YAML writers.
A reader, or a crash, sees the old file or the new one, never a mix.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _temp_for(path: Path) -> tuple[int, str]:
    return tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")


def _write_temp(path: Path, data: bytes, durable: bool = True, mode: int | None = None) -> str:
    """Write `data` to a new temporary file beside `path`, flushed to disk; returns its name. Its
    mode is `mode`, else the file's it replaces, else what the umask allows."""
    fd, tmp = _temp_for(path)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            if durable:  # a cache may lose a file in a crash: it is made again
                os.fsync(f.fileno())
        if mode is None:
            mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
        os.chmod(tmp, mode)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def _sync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - not every system opens folders
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


def atomic_write_bytes(path: Path, data: bytes, durable: bool = True, mode: int | None = None) -> None:
    """Replace (or create) `path` with `data` in one step: an interruption leaves the old file whole.

    `durable=False` skips the fsyncs (for caches, which are made again when lost); `mode` gives the
    file that mode whatever the umask and the file it replaces (0o600: only this user's)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _write_temp(path, data, durable, mode)
    try:
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    if durable:
        _sync_dir(path.parent)


def atomic_write_text(path: Path, text: str) -> None:
    atomic_write_bytes(path, text.encode("utf-8"))


def atomic_create(path: Path, data: bytes) -> None:
    """Create `path` with `data` in one step, refusing (FileExistsError) if it exists, even by a race."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists():
        raise FileExistsError(str(path))
    tmp = _write_temp(path, data)
    try:
        try:
            os.link(tmp, path)  # fails if the target exists: no clobbering, even by a race
        except (AttributeError, NotImplementedError, PermissionError):  # pragma: no cover - no hard links
            if path.exists():
                raise FileExistsError(str(path)) from None
            os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
    _sync_dir(path.parent)


@contextlib.contextmanager
def locked(folder: Path) -> Iterator[None]:
    """Hold an exclusive lock (fcntl.flock) on `folder` until the block ends: writers take turns.

    The folder is locked, not the file: os.replace swaps a file's inode, so a lock on the file
    would not cover its replacement, while the folder stays the same inode. The lock ends with
    the process, so a killed writer never leaves it held.
    """
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
