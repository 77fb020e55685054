"""Progress of a long build: a bar at a terminal, nothing when piped or in CI.

`reporter(quiet, verbose)` picks one: `Bar` (rich, on stderr) only when stderr is a terminal, CI
is unset and --quiet was not given; otherwise `Quiet`, which prints nothing (with --verbose, one
line per finished step, to stderr). The build calls `step(name, total)` when a step starts,
`advance(n)` as its work gets done, and `close()` at the end; timings are kept either way.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any


class Reporter:
    """Prints nothing; keeps the time of each step."""

    def __init__(self, verbose: bool = False) -> None:
        self.verbose = verbose
        self.timings: dict[str, float] = {}
        self._name: str | None = None
        self._start = 0.0

    def step(self, name: str, total: int | None = None) -> None:
        self._finish()
        self._name, self._start = name, time.perf_counter()

    def advance(self, n: int = 1) -> None:
        pass

    def note(self, text: str) -> None:
        """A detail of the current step (shown with --verbose)."""
        if self.verbose:
            print(f"  {text}", file=sys.stderr, flush=True)

    def _finish(self) -> None:
        if self._name is not None:
            seconds = time.perf_counter() - self._start
            self.timings[self._name] = self.timings.get(self._name, 0.0) + seconds
            if self.verbose:
                print(f"  {self._name}: {seconds:.2f} s", file=sys.stderr, flush=True)
            self._name = None

    def close(self) -> None:
        self._finish()


class Bar(Reporter):
    """A rich progress bar on stderr, removed when the build ends."""

    def __init__(self, verbose: bool = False) -> None:
        super().__init__(verbose)
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress: Any = Progress(
            TextColumn("kb build: {task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._progress.start()
        self._task: Any = None

    def step(self, name: str, total: int | None = None) -> None:
        super().step(name, total)
        if self._task is not None:
            self._progress.remove_task(self._task)
        self._task = self._progress.add_task(name, total=total)

    def advance(self, n: int = 1) -> None:
        if self._task is not None:
            self._progress.advance(self._task, n)

    def note(self, text: str) -> None:
        if self.verbose:
            self._progress.console.print(f"  {text}")

    def _finish(self) -> None:
        if self.verbose and self._name is not None:
            seconds = time.perf_counter() - self._start
            self.timings[self._name] = self.timings.get(self._name, 0.0) + seconds
            self._progress.console.print(f"  {self._name}: {seconds:.2f} s")
            self._name = None
        super()._finish()

    def close(self) -> None:
        super().close()
        self._progress.stop()


def interactive() -> bool:
    """A person is watching: stderr is a terminal and this is not CI."""
    return not os.environ.get("CI") and sys.stderr.isatty()


def reporter(quiet: bool = False, verbose: bool = False) -> Reporter:
    if quiet or not interactive():
        return Reporter(verbose and not quiet)
    return Bar(verbose)
