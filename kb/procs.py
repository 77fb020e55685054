"""Worker processes and temporary folders that do not outlive the command that made them.

A killed `kb build` must not leave its render workers blocked on a pipe forever, nor its temporary
folders beside the site: workers ask the kernel to end them with their parent, and each temporary
folder records the process that owns it, so the next build removes the ones whose owner is gone.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import multiprocessing.process
import os
import shutil
import signal
import sys
import tempfile
from collections.abc import Callable
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


class Beside:
    """Run fn(*args) in a forked process beside this one (inherited, never pickled), or here when
    the platform cannot fork or `parallel` is False; join() waits and raises if it failed."""

    def __init__(self, fn: Callable[..., object], *args: object, parallel: bool = True) -> None:
        self.proc: multiprocessing.process.BaseProcess | None = None
        if not parallel or "fork" not in multiprocessing.get_all_start_methods():
            fn(*args)
            return
        self.proc = multiprocessing.get_context("fork").Process(target=_beside, args=(fn, *args), daemon=True)
        self.proc.start()

    def join(self) -> None:
        if self.proc is None:
            return
        self.proc.join()
        code, self.proc = self.proc.exitcode, None
        if code != 0:
            raise OSError(f"a worker process failed (exit {code}); its error is on the line above")

    def stop(self) -> None:
        if self.proc is not None and self.proc.is_alive():
            self.proc.kill()
            self.proc.join()
        self.proc = None


def _beside(fn: Callable[..., object], *args: object) -> None:
    die_with_parent()
    try:
        fn(*args)
    except Exception as exc:  # noqa: BLE001 - one line for the user; the parent fails the command
        sys.stderr.write(f"kb: {type(exc).__name__}: {exc}\n")
        sys.stderr.flush()
        os._exit(1)
