"""Search: pagefind indexes the built pages (those marked data-pagefind-body) into <site>/pagefind/.

It runs on the temporary build folder, before the swap, so a failed index leaves the previous
site in place. It runs as a separate process, started as soon as the pages are written, so it
indexes while the charts are drawn. Search needs the site served over http (pagefind fetches its
index); from file:// the search page says so.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path
from typing import IO

from kb.errors import KbError

TIMEOUT = 1800.0


class Indexer:
    """A pagefind run in the background: start(), then wait() for it to finish or fail."""

    def __init__(self, site: Path) -> None:
        self.site = site
        self.proc: subprocess.Popen[bytes] | None = None
        self.log: IO[bytes] | None = None

    def start(self) -> Indexer:
        cmd = [
            sys.executable,
            "-m",
            "pagefind",
            "--site",
            str(self.site),
            "--silent",
            "--force-language",
            "en",
        ]
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 - open until wait() reads it
        try:
            self.proc = subprocess.Popen(
                cmd, stdout=self.log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
            )
        except OSError as exc:
            self.close()
            raise KbError(
                f"pagefind could not run: {exc}", "install it with pip install 'pagefind[extended]'", "search"
            ) from None
        return self

    def wait(self) -> None:
        """Wait for the index; raises KbError saying why it failed."""
        assert self.proc is not None and self.log is not None
        try:
            code = self.proc.wait(timeout=TIMEOUT)
        except subprocess.TimeoutExpired:
            self.stop()
            raise KbError(
                f"pagefind took longer than {TIMEOUT:.0f} s", "build with --no-search", "search"
            ) from None
        self.log.seek(0)
        output = self.log.read().decode("utf-8", "replace").strip()
        self.close()
        if code != 0 or not (self.site / "pagefind" / "pagefind-ui.js").is_file():
            detail = " / ".join(output.splitlines()[-5:]) or "no output"
            raise KbError(
                f"pagefind failed (exit {code}): {detail}",
                "build with --no-search to skip the search index",
                "search",
            )

    def stop(self) -> None:
        """End the run (when the build fails elsewhere)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.close()

    def close(self) -> None:
        if self.log is not None:
            self.log.close()
            self.log = None


def index(site: Path) -> None:
    """Index `site` and wait for it."""
    Indexer(site).start().wait()
