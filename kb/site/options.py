"""What a build is asked to do. Standard library only: `kb build` reads these before it knows
whether there is anything to build, and an up-to-date site must not cost the heavy imports."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

MARKER = ".kb-site"
"""A file in every built site: the folder may be replaced by the next build. It also holds the
build's manifest (see kb/site/fingerprint.py)."""
DEFAULT_BASE_URL = "http://127.0.0.1:8000/"


@dataclass
class BuildOptions:
    claims: Path
    out: Path
    search: bool = True
    """Index the site with pagefind."""
    base_url: str = DEFAULT_BASE_URL
    """The address the site is published at (sitemap, canonical links, Open Graph, ClaimReview)."""
    strict: bool = False
    """Do not build when the knowledge base has errors."""
    cache: Path | None = None
    """A folder of charts drawn before, by content hash, in kb's cache folder (kb/cachedir.py); None
reads and writes no cache at all."""
    reuse: bool = True
    """Reuse what the previous build in `out` made from the same inputs: pages, charts and search
    shards whose inputs hash the same are linked, not made again."""
    repo_url: str = ""
    """Where the claims' files are browsed (https://host/owner/repo/blob/main): each claim page links
    its YAML line there. Empty: no link."""
    workers: int | None = None
    """Processes that render pages (default: one per core)."""

    @property
    def site_url(self) -> str:
        return self.base_url if self.base_url.endswith("/") else self.base_url + "/"
