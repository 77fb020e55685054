"""Search: pagefind indexes the built pages (those marked data-pagefind-body) into <site>/pagefind/.

It runs on the temporary build folder, before the swap, so a failed index leaves the previous
site in place. Search needs the site served over http (pagefind fetches its index); from
file:// the search page says so.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from kb.errors import KbError

TIMEOUT = 600.0


def index(site: Path) -> None:
    """Write the pagefind index and UI into site/pagefind; raises KbError saying why it failed."""
    cmd = [sys.executable, "-m", "pagefind", "--site", str(site), "--silent", "--force-language", "en"]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise KbError(
            f"pagefind could not run: {exc}", "install it with pip install 'pagefind[extended]'", "search"
        ) from None
    if done.returncode != 0 or not (site / "pagefind" / "pagefind-ui.js").is_file():
        detail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise KbError(
            f"pagefind failed (exit {done.returncode}): {' / '.join(detail) or 'no output'}",
            "build with --no-search to skip the search index",
            "search",
        )
