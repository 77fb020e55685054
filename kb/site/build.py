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
import time
from dataclasses import dataclass, field
from pathlib import Path

from kb import checks, contents, export, procs
from kb.contents import KnowledgeBase
from kb.errors import KbError
from kb.results import Results
from kb.site import charts, fingerprint, search, views, writer
from kb.site.context import resolve
from kb.site.keys import page_keys
from kb.site.options import DEFAULT_BASE_URL, MARKER, BuildOptions
from kb.site.pages import EXPORT_DIR, Page, Plan, plan
from kb.site.progress import Reporter

__all__ = ["DEFAULT_BASE_URL", "MARKER", "BuildOptions", "BuildOutcome", "BuildError", "build", "swap"]


@dataclass
class BuildOutcome:
    kb: KnowledgeBase
    results: Results
    built: bool = False
    pages: int = 0
    pages_rendered: int = 0
    charts: int = 0
    charts_drawn: int = 0
    shards: int = 0
    shards_indexed: int = 0
    seconds: float = 0.0
    timings: dict[str, float] = field(default_factory=dict)


class BuildError(KbError):
    """The site could not be written; the previous site is unchanged."""


def gather(claims_dir: Path) -> tuple[KnowledgeBase, Results]:
    kb = contents.load(claims_dir)
    return kb, checks.run(kb)


def summary_line(outcome: BuildOutcome, opts: BuildOptions) -> str:
    """What `kb build` prints when it is done (and repeats when the site is up to date)."""
    counts = outcome.results.counts()
    summary = ", ".join(f"{n} {v}" for v, n in counts.items() if n) or "no claims"
    return (
        f"{len(outcome.kb.claims)} claims ({summary}) -> {outcome.pages} pages, {outcome.charts} charts"
        + ("" if opts.search else " (no search index)")
    )


def build(options: BuildOptions, progress: Reporter | None = None) -> BuildOutcome:
    """Build the site of options.claims into options.out; see the module's docstring."""
    start = time.perf_counter()
    progress = progress if progress is not None else Reporter()
    stamp = fingerprint.inputs(options)  # before reading: an edit during the build is seen next time
    progress.step("load")
    kb = contents.load(options.claims, use_cache=options.cache is not None)
    progress.step("check", len(kb.claims))
    results = checks.run(kb)
    outcome = BuildOutcome(kb, results, timings=progress.timings)
    if options.strict and results.problems:
        progress.close()
        return outcome
    base_url = options.site_url
    progress.step("resolve")
    ctx = resolve(kb, results, kb.readme)
    ctx.repo_url = options.repo_url
    site_plan = plan(ctx, base_url, options.search)
    keys = page_keys(ctx, site_plan.pages, repr((base_url, options.search, options.repo_url)).encode())

    out = options.out
    _check_target(out, options.claims)
    previous = fingerprint.read_manifest(out) if options.reuse else None
    out.parent.mkdir(parents=True, exist_ok=True)
    procs.remove_abandoned(out.parent, (f".{out.name}.build-", f".{out.name}.old-"))
    tmp = procs.owned_temp_folder(f".{out.name}.build-", out.parent)
    indexer: search.Indexer | None = None
    shard_keys: dict[str, str] = {}
    _counted(outcome, site_plan)
    try:
        writer.copy_static(tmp)
        todo = _reuse(site_plan.pages, keys, previous, out, tmp)
        if options.search:
            progress.step("search records")
            records_cache = options.cache.parent / "search-records.json" if options.cache else None
            shards = search.shard_records(site_plan.pages, ctx, keys, records_cache)
            search_page = next(p for p in site_plan.pages if p.path == "search.html")
            # plan() named the shards from the count of searchable pages, as shard_records() splits them.
            assert (
                isinstance(search_page.data, views.Search)
                and len(search_page.data.bundles) == len(shards) - 1
            )
            old_keys = previous.get("search", {}) if previous else {}
            indexer = search.Indexer(tmp, shards, out if previous else None, old_keys).start()
            outcome.shards, outcome.shards_indexed = len(shards), indexer.indexed
            shard_keys = indexer.keys
        progress.step("render", len(todo))
        progress.note(f"{len(site_plan.pages) - len(todo)} of {len(site_plan.pages)} pages unchanged")

        def advance(n: int) -> None:
            progress.advance(n)
            if indexer is not None:
                indexer.poll()

        writer.write_pages(todo, ctx, tmp, base_url, workers=options.workers, advance=advance)
        writer.write_sitemap(site_plan.pages, tmp, base_url)
        dashboard = next(p for p in site_plan.pages if p.path == "index.html")
        if isinstance(dashboard.data, views.Dashboard) and dashboard.data.data_file:
            writer.write_claims_data(ctx, tmp, dashboard.data.data_file)
        export.write(kb, results, tmp / EXPORT_DIR)  # the same tables as `kb export`, to download
        progress.step("charts", len(site_plan.charts))
        outcome.charts_drawn = charts.write_charts(
            site_plan.charts, tmp, options.cache, previous=(out / "charts") if previous else None
        )
        if indexer is not None:
            progress.step("search index", outcome.shards_indexed)
            indexer.wait()
            indexer = None
        progress.step("swap")
        extra = {
            "problems": len(results.problems),
            "summary": summary_line(outcome, options),
            "search": shard_keys,
        }
        (tmp / procs.OWNER).unlink()  # the site is not a temporary folder once it is in place
        fingerprint.write_manifest(tmp, stamp, keys, extra)
        tmp.chmod(0o755)
        swap(tmp, out)
    except BaseException:
        if indexer is not None:
            indexer.stop()
        shutil.rmtree(tmp, ignore_errors=True)
        progress.close()
        raise
    progress.close()
    outcome.built = True
    outcome.pages_rendered = len(todo)
    outcome.seconds = time.perf_counter() - start
    return outcome


def _counted(outcome: BuildOutcome, site_plan: Plan) -> None:
    outcome.pages = len(site_plan.pages)
    outcome.charts = len(site_plan.charts)


def _reuse(
    pages: list[Page], keys: dict[str, str], previous: dict[str, object] | None, out: Path, tmp: Path
) -> list[Page]:
    """Link every page whose inputs hash as in the previous build from it; returns the others."""
    if previous is None:
        return list(pages)
    old = previous["files"]
    assert isinstance(old, dict)
    todo: list[Page] = []
    made: set[Path] = set()
    for page in pages:
        key = keys.get(page.path)
        entry = old.get(page.path)
        if key is None or entry is None or entry[1] != key:
            todo.append(page)
            continue
        target = tmp / page.path
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        try:
            os.link(out / page.path, target)
        except FileNotFoundError:
            todo.append(page)
        except OSError:
            try:
                shutil.copyfile(out / page.path, target)
            except OSError:
                todo.append(page)
    return todo


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
    old = procs.owned_temp_folder(f".{target.name}.old-", target.parent)
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
