"""Worker processes and temporary folders that do not outlive the command that made them.

A killed `kb build` must not leave its render workers blocked on a pipe forever, nor its temporary
folders beside the site: workers ask the kernel to end them with their parent, and each temporary
folder records the process that owns it, so the next build removes the ones whose owner is gone.
"""

from __future__ import annotations

import builtins
import contextlib
import ctypes
import ctypes.util
import gc
import json
import multiprocessing
import multiprocessing.process
import os
import shutil
import signal
import tempfile
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path

from kb.errors import KbError

_PR_SET_PDEATHSIG = 1
OWNER = ".kb-owner"
"""A file in each temporary folder: the id of the process that made it."""


def die_with_parent() -> None:
    """Pool initializer: the worker gets SIGTERM when its parent dies (Linux; elsewhere a no-op),
    and its collector leaves alone what it inherited (`keep_inherited`)."""
    keep_inherited()
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)


def keep_inherited() -> None:
    """In a forked worker: move every object inherited from the parent out of the collector's reach.

    A full pass of the collector writes into the header of each object it walks, so a worker that
    ran one would copy every page of the parent's heap it shares (copy-on-write), hundreds of MB at
    100,000 claims, to find no garbage: what the parent made is still referenced there. Frozen, the
    inherited objects are still freed when their count drops to zero; the worker's own are collected."""
    gc.freeze()


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


BESIDE_NICENESS = 10
"""The niceness of work beside a command that should yield the cores to it (`Beside(niceness=)`):
the command's own path is what everything waits for, and such work fills the gaps."""


class Beside:
    """Run fn(*args) in a forked process beside this one (its arguments inherited, never sent),
    or here when the platform cannot fork or `parallel` is False. join() waits and returns what fn
    returned, or raises what it raised; stop() ends it (when the command fails elsewhere).

    What comes back travels as JSON, never as a pickle: fn returns plain data (None, numbers,
    strings, lists, dicts), and an error comes back as its kind and message."""

    def __init__(
        self, fn: Callable[..., object], *args: object, parallel: bool = True, niceness: int = 0
    ) -> None:
        self.proc: multiprocessing.process.BaseProcess | None = None
        self.conn: Connection | None = None
        self.result: object = None
        if not parallel or "fork" not in multiprocessing.get_all_start_methods():
            self.result = fn(*args)
            return
        receive, send = multiprocessing.Pipe(duplex=False)
        self.proc = multiprocessing.get_context("fork").Process(
            target=_beside, args=(send, niceness, fn, *args)
        )
        self.proc.start()
        send.close()
        self.conn = receive

    def join(self) -> object:
        if self.proc is None or self.conn is None:
            return self.result
        try:
            answer = json.loads(self.conn.recv_bytes())
        except (EOFError, ValueError):
            ended = f"a worker process ended without an answer (exit {self.proc.exitcode})"
            answer = {"error": ["OSError", ended]}
        finally:
            self.conn.close()
            self.proc.join()
            self.proc = self.conn = None
        if "error" in answer:
            raise _error(*answer["error"])
        return answer["result"]

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.join()
        if self.conn is not None:
            self.conn.close()
        self.proc = self.conn = None


def _beside(conn: Connection, niceness: int, fn: Callable[..., object], *args: object) -> None:
    die_with_parent()
    with contextlib.suppress(OSError):  # not allowed here: run at the command's priority
        os.nice(niceness)
    try:
        answer: dict[str, object] = {"result": fn(*args)}
        data = json.dumps(answer)
    except BaseException as exc:  # noqa: BLE001 - sent to the parent, which raises it
        hint, code = getattr(exc, "hint", ""), getattr(exc, "code", "")
        data = json.dumps({"error": [type(exc).__name__, str(exc), str(hint), str(code)]})
    try:
        conn.send_bytes(data.encode("utf-8"))
    finally:
        conn.close()


def _error(kind: str, message: str, hint: str = "", code: str = "") -> Exception:
    """The parent's copy of a worker's error: a KbError or a built-in exception as it was, any
    other kind as an OSError naming it."""
    if kind == "KbError":
        return KbError(message, hint, code or "error")
    found = getattr(builtins, kind, None)
    if isinstance(found, type) and issubclass(found, Exception):
        return found(message)
    return OSError(f"{kind}: {message}")
