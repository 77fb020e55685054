"""Worker processes and temporary folders that do not outlive the command that made them.

A killed `kb build` must not leave its render workers blocked on a pipe forever, nor its temporary
folders beside the site: workers ask the kernel to end them with their parent, and each temporary
folder records the process that owns it, so the next build removes the ones whose owner is gone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import signal
import tempfile
from pathlib import Path

_PR_SET_PDEATHSIG = 1
OWNER = ".kb-owner"
"""A file in each temporary folder: the id of the process that made it."""


def die_with_parent() -> None:
    """Pool initializer: the worker gets SIGTERM when its parent dies (Linux; elsewhere a no-op)."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)


def owned_temp_folder(prefix: str, parent: Path) -> Path:
    """A new temporary folder in `parent` that records this process as its owner."""
    folder = Path(tempfile.mkdtemp(prefix=prefix, dir=parent))
    (folder / OWNER).write_text(str(os.getpid()), encoding="ascii")
    return folder


def remove_abandoned(parent: Path, prefixes: tuple[str, ...]) -> int:
    """Remove temporary folders in `parent` whose owner is no longer running; returns how many."""
    removed = 0
    try:
        entries = list(parent.iterdir())
    except OSError:
        return 0
    for entry in entries:
        if not entry.name.startswith(prefixes) or entry.is_symlink() or not entry.is_dir():
            continue
        if _alive(entry / OWNER):
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed += 1
    return removed


def _alive(owner_file: Path) -> bool:
    try:
        pid = int(owner_file.read_text(encoding="ascii").strip())
    except (OSError, ValueError):
        return False  # no owner recorded: an earlier kb's folder, or one cut short while made
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
