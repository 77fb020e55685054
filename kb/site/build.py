"""Build the site: gather (load + check) -> resolve (page context) -> plan -> render -> index -> swap.

Everything is rendered into a temporary folder beside the target and swapped in at the end, so
a reader (or `kb serve`) sees either the previous site or the new one, never half of one; a
failed build removes its temporary folder and leaves the previous site as it was.

A folder is only ever replaced if it is empty or was written by kb (it holds MARKER), so a
mistaken --out never deletes someone's files.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from kb import checks, contents
from kb.contents import KnowledgeBase
from kb.errors import KbError
from kb.results import Results
from kb.site import charts, search, writer
from kb.site.context import resolve
from kb.site.pages import plan

MARKER = ".kb-site"
"""A file in every built site: the folder may be replaced by the next build."""
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
    """A folder of charts drawn before, by content hash (kb build uses .kb-cache/charts)."""


@dataclass
class BuildOutcome:
    kb: KnowledgeBase
    results: Results
    built: bool = False
    pages: int = 0
    charts: int = 0
    charts_drawn: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


class BuildError(KbError):
    """The site could not be written; the previous site is unchanged."""


def gather(claims_dir: Path) -> tuple[KnowledgeBase, Results]:
    kb = contents.load(claims_dir)
    return kb, checks.run(kb)


def build(options: BuildOptions) -> BuildOutcome:
    start = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str, since: float) -> float:
        now = time.perf_counter()
        timings[name] = now - since
        return now

    kb, results = gather(options.claims)
    t = lap("gather", start)
    outcome = BuildOutcome(kb, results, timings=timings)
    if options.strict and results.problems:
        return outcome
    base_url = options.base_url if options.base_url.endswith("/") else options.base_url + "/"
    readme_path = options.claims / "README.md"
    readme = readme_path.read_text(encoding="utf-8") if readme_path.is_file() else ""
    ctx = resolve(kb, results, readme)
    site_plan = plan(ctx, base_url, options.search)
    t = lap("resolve", t)

    out = options.out
    _check_target(out, options.claims)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}.build-", dir=out.parent))
    indexer: search.Indexer | None = None
    try:
        writer.copy_static(tmp)
        writer.write_pages(site_plan.pages, ctx, tmp, base_url)
        writer.write_sitemap(site_plan.pages, tmp, base_url)
        t = lap("render", t)
        if options.search:
            indexer = search.Indexer(tmp).start()  # indexes the pages while the charts are drawn
        outcome.charts_drawn = charts.write_charts(site_plan.charts, tmp, options.cache)
        t = lap("charts", t)
        if indexer is not None:
            indexer.wait()
            indexer = None
            t = lap("search (after charts)", t)
        (tmp / MARKER).write_text(
            "built by kb build; the next build replaces this folder\n", encoding="utf-8"
        )
        tmp.chmod(0o755)
        swap(tmp, out)
    except BaseException:
        if indexer is not None:
            indexer.stop()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    outcome.built = True
    outcome.pages = len(site_plan.pages)
    outcome.charts = len(site_plan.charts)
    outcome.seconds = time.perf_counter() - start
    return outcome


def _check_target(out: Path, claims_dir: Path) -> None:
    target = out.resolve()
    claims = claims_dir.resolve()
    if target == claims or target in claims.parents or claims in target.parents:
        raise BuildError(
            f"the output folder {out} overlaps the claims folder {claims_dir}",
            "write the site elsewhere, e.g. --out site",
            "build-target",
        )
    if target.exists():
        if not target.is_dir():
            raise BuildError(
                f"{out} exists and is not a folder", "remove it or choose another --out", "build-target"
            )
        if not (target / MARKER).exists() and any(target.iterdir()):
            raise BuildError(
                f"{out} is not empty and was not written by kb build; not replacing it",
                "choose another --out, or empty the folder",
                "build-target",
            )


def swap(new: Path, target: Path) -> None:
    """Put `new` at `target`; the previous content of `target` is removed."""
    if not target.exists():
        os.rename(new, target)
        return
    if _exchange(new, target):
        shutil.rmtree(new, ignore_errors=True)  # now holds the previous site
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    os.rename(target, old / "site")
    os.rename(new, target)
    shutil.rmtree(old, ignore_errors=True)


_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2 RENAME_EXCHANGE); False where unsupported."""
    if not hasattr(os, "uname") or os.uname().sysname != "Linux":
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        fn = libc.renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    fn.restype = ctypes.c_int
    return int(fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)) == 0
