"""Pagefind's service, spoken to without blocking and without threads.

`pagefind --service` reads requests on its stdin and answers on its stdout, each a base64-encoded
JSON object followed by a comma, and handles them one at a time in the order they came. One such
process holds many indexes: kb sends it every changed shard's records, each as the digest its HTML
parser would make (kb/site/search_records.py), and takes each bundle back as data, so no record
file is written or read and one process, started once, serves the whole build.

The pagefind Python package speaks this protocol with asyncio (an event loop, and a reader that
sleeps 0.1 s between answers: 12,000 records would wait 20 minutes). kb speaks it itself from the
build's main process, which forks render workers and so must hold no thread: requests are queued
bytes written as far as the pipe takes them, and answers are read as they arrive, both from
pump(), which never blocks.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import subprocess
import tempfile
from collections.abc import Mapping
from typing import Any

from kb.errors import KbError

Answer = dict[str, Any]
"""The payload of one answer (its "type" says which: NewIndex, IndexedFile, GetFiles, Error...)."""

PIPE_BYTES = 1 << 20
"""Pipe buffer asked for (Linux; the default is 64 KiB): a poll between two rendered chunks then
hands pagefind up to this much, so it rarely waits for the next poll."""

INSTALL_HINT = "install it with pip install 'pagefind[extended]', or build with --no-search"


class Service:
    """A running `pagefind --service`: send() queues a request, pump() moves bytes both ways and
    returns the answers complete so far, close() ends it. A process that ends or answers nonsense
    raises KbError, with the end of what it wrote on stderr."""

    def __init__(self, executable: tuple[str, ...]) -> None:
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        try:
            self.proc = subprocess.Popen(
                [*executable, "--service"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=self.log,
            )
        except OSError as exc:
            self.log.close()
            raise KbError(f"pagefind could not run: {exc}", INSTALL_HINT, "search") from None
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.stdin = self.proc.stdin.fileno()
        self.stdout = self.proc.stdout.fileno()
        for fd in (self.stdin, self.stdout):
            os.set_blocking(fd, False)
            _widen(fd)
        self.pending = bytearray()
        """Requests not yet taken by the pipe."""
        self.received = bytearray()
        self.scanned = 0
        """How far `received` holds no comma (answers can be megabytes, arriving in pieces)."""
        self.last_id = 0

    def send(self, payload: Mapping[str, object]) -> int:
        """Queue a request; returns its message id, which its answer carries."""
        self.last_id += 1
        message = {"message_id": self.last_id, "payload": payload}
        self.pending += base64.b64encode(json.dumps(message).encode("utf-8")) + b","
        return self.last_id

    def pump(self) -> list[tuple[int, Answer]]:
        """Write what the pipe takes and read what has come, without blocking; returns the answers
        completed, as (message id, payload)."""
        self.flush()
        return self._read()

    def wait(self, seconds: float) -> None:
        """Block until pagefind has answered something or can take more, at most `seconds`."""
        waiting = select.poll()  # not select.select: no limit on the descriptors' numbers
        waiting.register(self.stdout, select.POLLIN)
        if self.pending:
            waiting.register(self.stdin, select.POLLOUT)
        waiting.poll(seconds * 1000)

    def flush(self) -> None:
        """Write what the pipe takes of the queued requests, without blocking."""
        while self.pending:
            try:
                n = os.write(self.stdin, self.pending)
            except BlockingIOError:
                return
            except BrokenPipeError:
                self._reap()
                raise self.failure("pagefind ended while kb was sending it records") from None
            del self.pending[:n]  # cheap: a bytearray drops its head without copying the rest

    def _read(self) -> list[tuple[int, Answer]]:
        while True:
            try:
                chunk = os.read(self.stdout, PIPE_BYTES)
            except BlockingIOError:
                break
            if not chunk:
                self._reap()
                raise self.failure("pagefind ended before it answered")
            self.received += chunk
        answers: list[tuple[int, Answer]] = []
        start = 0
        while (end := self.received.find(b",", max(start, self.scanned))) >= 0:
            answers.append(self._decode(bytes(self.received[start:end])))
            start = end + 1
        del self.received[:start]
        self.scanned = len(self.received)
        return answers

    def _decode(self, raw: bytes) -> tuple[int, Answer]:
        try:
            answer = json.loads(base64.b64decode(raw, validate=True))
            message_id, payload = answer["message_id"], answer["payload"]
        except (ValueError, TypeError, KeyError):
            raise self.failure("pagefind answered something kb cannot read") from None
        if not isinstance(payload, dict):
            raise self.failure("pagefind answered something kb cannot read")
        if payload.get("type") == "Error" or not isinstance(message_id, int):
            raise self.failure(f"pagefind refused a request: {payload.get('message', payload)}")
        return message_id, payload

    def _reap(self) -> None:
        """Wait a moment for a pagefind whose pipe closed to end, for its exit code."""
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=1.0)

    def failure(self, what: str) -> KbError:
        """What to raise when pagefind fails: `what`, its exit code if it ended, its stderr's end."""
        code = self.proc.poll()
        self.log.seek(0)
        lines = self.log.read().decode("utf-8", "replace").strip().splitlines()
        detail = " / ".join(lines[-5:])
        ended = f" (exit {code})" if code is not None else ""
        return KbError(
            f"{what}{ended}" + (f": {detail}" if detail else ""),
            "build with --no-search to skip the search index",
            "search",
        )

    def close(self) -> None:
        """End pagefind: it exits when its stdin closes; killed if it does not within a second."""
        try:
            if self.proc.stdin is not None:
                self.proc.stdin.close()
            self.proc.wait(timeout=1.0)
        except (OSError, subprocess.TimeoutExpired):
            pass
        self.kill()

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        if self.proc.stdin is not None:
            self.proc.stdin.close()
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self.log.close()


def _widen(fd: int) -> None:
    """Ask for a larger pipe buffer where the platform has one to ask for (Linux)."""
    setting = getattr(fcntl, "F_SETPIPE_SZ", None)
    if setting is None:
        return
    with contextlib.suppress(OSError):  # above the system's limit: the default works, with more polls
        fcntl.fcntl(fd, setting, PIPE_BYTES)
