"""Build the site: gather (load + check) -> resolve (page context) -> plan -> render -> index -> swap.

Everything is rendered into a temporary folder beside the target and swapped in at the end, so
a reader (or `kb serve`) sees either the previous site or the new one, never half of one; a
failed build removes its temporary folder and leaves the previous site as it was.

A folder is only ever replaced if it is empty or was written by kb (it holds MARKER), so a
mistaken --out never deletes someone's files.
"""

from __future__ import annotations

import gc
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from kb import checks, contents, export, procs
from kb.atomic import locked
from kb.contents import KnowledgeBase
from kb.errors import KbError
from kb.results import Results
from kb.site import charts, fingerprint, place, search, templatecache, views, writer
from kb.site.context import SiteContext
from kb.site.keys import page_keys, with_protection
from kb.site.memory import Memory, keys_salt, resolved
from kb.site.options import DEFAULT_BASE_URL, MARKER, BuildOptions
from kb.site.pages import EXPORT_DIR, Page, Plan, plan
from kb.site.progress import Reporter
from kb.site.protection import attach_protection, protection_data

__all__ = [
    "DEFAULT_BASE_URL",
    "MARKER",
    "BuildOptions",
    "BuildOutcome",
    "BuildError",
    "build",
]


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


def summary_line(outcome: BuildOutcome, opts: BuildOptions) -> str:
    """What `kb build` prints when it is done (and repeats when the site is up to date)."""
    counts = outcome.results.counts()
    summary = ", ".join(f"{n} {v}" for v, n in counts.items() if n) or "no claims"
    return (
        f"{len(outcome.kb.claims)} claims ({summary}) -> {outcome.pages} pages, {outcome.charts} charts"
        + ("" if opts.search else " (no search index)")
    )


def build(
    options: BuildOptions, progress: Reporter | None = None, memory: Memory | None = None
) -> BuildOutcome:
    """Build the site of options.claims into options.out; see the module's docstring. `memory`:
    kept from the previous build in this process, and updated (see Memory)."""
    options.out.parent.mkdir(parents=True, exist_ok=True)
    try:
        # One build at a time per folder: two updating one site in place would mix their pages.
        # The collector pauses for the whole build, as for kb check: nearly everything it makes
        # lives until the end, and its passes cost a sixth of a one-value rebuild's CPU (its
        # processes beside inherit the pause).
        with locked(options.out.parent), contents.collector_paused():
            return _build(options, progress, memory)
    finally:
        gc.unfreeze()


def _settle() -> None:
    """What the build made so far lives until it ends: the cyclic collector need not walk it again
    (with 10,000 claims loaded, its full passes cost a third of checking and planning)."""
    gc.freeze()


class _Beside:
    """The processes working beside the build (protection, downloads, charts): each started as soon
    as what it needs exists, so that they fill the second core while this one checks, resolves and
    plans; all stopped when the build fails."""

    def __init__(self, parallel: bool) -> None:
        self.parallel = parallel
        self.running: list[procs.Beside] = []

    def start(self, fn: Callable[..., object], *args: object, yielding: bool = False) -> procs.Beside:
        """`yielding`: at a lower priority than the build (procs.BESIDE_NICENESS), for work wanted
        only at the end of a rebuild (downloads, charts), so that it does not slow what the build
        waits for first. Not in a cold build: there, running longer, it would overlap the
        protection's workers and raise the peak memory (10,000 claims: 478 -> 614 MB)."""
        niceness = procs.BESIDE_NICENESS if yielding else 0
        job = procs.Beside(fn, *args, parallel=self.parallel, niceness=niceness)
        self.running.append(job)
        return job

    def stop(self) -> None:
        for job in self.running:
            job.stop()


def _build(options: BuildOptions, progress: Reporter | None, memory: Memory | None) -> BuildOutcome:
    start = time.perf_counter()
    progress = progress if progress is not None else Reporter()
    out = options.out
    _check_target(out, options.claims)  # before any work: a wrong --out fails at once
    stamp = fingerprint.inputs(options)  # before reading: an edit during the build is seen next time
    progress.step("load")
    kept = memory.parsed if memory else None
    kb = contents.load(options.claims, use_cache=options.cache is not None, kept=kept)
    _settle()
    beside = _Beside(parallel=options.workers != 1)
    tmp: Path | None = None
    try:
        # Whether a slip of each claim would be caught needs only the claims: found meanwhile.
        protection_cache = options.cache.parent / "protection.json" if options.cache else None
        protection = beside.start(protection_data, kb, protection_cache)
        progress.step("check", len(kb.claims))
        results = checks.run(kb)
        _settle()
        outcome = BuildOutcome(kb, results, timings=progress.timings)
        if options.strict and results.problems:
            beside.stop()
            progress.close()
            return outcome
        previous = fingerprint.read_manifest(out) if options.reuse else None
        rebuild = previous is not None
        out.parent.mkdir(parents=True, exist_ok=True)
        procs.remove_abandoned(out.parent, (f".{out.name}.build-", f".{out.name}.old-"))
        tmp = procs.owned_temp_folder(f".{out.name}.build-", out.parent)
        # The downloads need the results alone (the same tables as `kb export`).
        exports = beside.start(_write_exports, kb, results, tmp / EXPORT_DIR, yielding=rebuild)
        progress.step("resolve")
        ctx = resolved(kb, results, options)
        _settle()
        site_plan = plan(ctx, options.site_url, options.search)
        linked = (out / "charts") if previous else None  # unchanged charts are linked from there
        drawer = beside.start(
            charts.write_charts, site_plan.charts, tmp, options.cache, None, linked, yielding=rebuild
        )
        keys = page_keys(ctx, site_plan.pages, keys_salt(options), memory.digests if memory else None)
        found = protection.join()
        attach_protection(ctx, found if isinstance(found, dict) else {})
        made = _Made(ctx, site_plan, with_protection(keys, site_plan.pages), stamp, previous, tmp)
        _write(options, progress, outcome, made, exports, drawer)
        tmp = None  # swapped in or applied: nothing of it is left to remove
    except BaseException:
        beside.stop()
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        progress.close()
        raise
    progress.close()
    outcome.built = True
    outcome.seconds = time.perf_counter() - start
    return outcome


@dataclass
class _Made:
    """What the build worked out before writing: the pages' context, plan and keys, the inputs'
    stamp, the previous build's manifest, and the temporary folder the new site is written into."""

    ctx: SiteContext
    plan: Plan
    keys: dict[str, str]
    stamp: str
    previous: dict[str, object] | None
    tmp: Path


def _write(
    options: BuildOptions,
    progress: Reporter,
    outcome: BuildOutcome,
    made: _Made,
    exports: procs.Beside,
    drawer: procs.Beside,
) -> None:
    """Render the pages whose keys changed, index the search, wait for the downloads and charts,
    and put the new site in place (file by file when few pages changed, else whole)."""
    out, tmp, previous, site_plan = options.out, made.tmp, made.previous, made.plan
    todo = _todo(site_plan.pages, made.keys, previous)
    present = fingerprint.sizes(out) if previous is not None and _small(todo, site_plan.pages) else None
    in_place = previous is not None and present is not None and fingerprint.intact(out, previous, present)
    indexer: search.Indexer | None = None
    staged = place.Staged(present=present or {})
    _counted(outcome, site_plan)
    writer.use_template_cache(templatecache.default_folder() if options.cache else None)
    try:
        writer.copy_static(tmp)
        if in_place:
            again = {p.path for p in todo}
            staged.kept = {p.path for p in site_plan.pages if p.path not in again}
        else:
            todo = _link_unchanged(site_plan.pages, todo, out, tmp) if previous else todo
        if options.search:
            progress.step("search records")
            indexer = _start_search(options, site_plan, made.ctx, made.keys, (tmp, out), previous, in_place)
            outcome.shards, outcome.shards_indexed = len(indexer.shards), indexer.indexed
        progress.step("render", len(todo))
        progress.note(f"{len(site_plan.pages) - len(todo)} of {len(site_plan.pages)} pages unchanged")

        def advance(n: int) -> None:
            progress.advance(n)
            if indexer is not None:
                indexer.poll()

        writer.write_pages(todo, made.ctx, tmp, options.site_url, workers=options.workers, advance=advance)
        _write_site_files(site_plan, made.ctx, tmp, options.site_url)
        progress.step("charts", len(site_plan.charts))
        drawn = drawer.join()
        outcome.charts_drawn = drawn if isinstance(drawn, int) else 0
        exports.join()
        shard_keys: dict[str, str] = {}
        if indexer is not None:
            progress.step("search index", outcome.shards_indexed)
            indexer.wait()
            shard_keys = indexer.keys
            staged.kept_folders = set(indexer.kept) if in_place else set()
            staged.folders = {search.bundle_dir(i) for i in indexer.indexed_shards} if in_place else set()
            indexer = None
        progress.step("swap")
        _put_in_place(options, outcome, made, staged if in_place else None, shard_keys)
    except BaseException:
        if indexer is not None:
            indexer.stop()
        raise
    outcome.pages_rendered = len(todo)


def _put_in_place(
    options: BuildOptions,
    outcome: BuildOutcome,
    made: _Made,
    staged: place.Staged | None,
    shard_keys: dict[str, str],
) -> None:
    """Apply the staged pages to the site in place, or swap the new site in whole (staged None)."""
    extra = {
        "problems": len(outcome.results.problems),
        "summary": summary_line(outcome, options),
        "search": shard_keys,
    }
    out, tmp = options.out, made.tmp
    if staged is not None:
        assert made.previous is not None
        place.apply(tmp, out, made.previous, staged, (made.stamp, made.keys, extra))
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        (tmp / procs.OWNER).unlink()  # the site is not a temporary folder once it is in place
        fingerprint.write_manifest(tmp, made.stamp, made.keys, extra)
        tmp.chmod(0o755)
        place.swap(tmp, out)


IN_PLACE_SHARE = 0.25
IN_PLACE_PAGES = 500
"""A rebuild that renders at most this share of the pages, or this many, updates the site in
place, file by file (quick to apply); past both, a new site is swapped in whole, so a reader
never sees a long mix of old and new pages (see kb/site/place.py)."""


def _todo(pages: list[Page], keys: dict[str, str], previous: dict[str, object] | None) -> list[Page]:
    """The pages whose inputs hash differently from the previous build's (all of them without one)."""
    if previous is None:
        return list(pages)
    old = previous["files"]
    assert isinstance(old, dict)
    todo = []
    for page in pages:
        key = keys.get(page.path)
        entry = old.get(page.path)
        if key is None or entry is None or entry[1] != key:
            todo.append(page)
    return todo


def _link_unchanged(pages: list[Page], todo: list[Page], out: Path, tmp: Path) -> list[Page]:
    """Link every page not in `todo` from the previous site into tmp; returns todo plus the pages
    that could not be linked (missing from the previous site)."""
    again = {p.path for p in todo}
    made: set[Path] = set()
    for page in pages:
        if page.path in again:
            continue
        target = tmp / page.path
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        try:
            os.link(out / page.path, target)
        except FileNotFoundError:
            again.add(page.path)
        except OSError:
            try:
                shutil.copyfile(out / page.path, target)
            except OSError:
                again.add(page.path)
    return [p for p in pages if p.path in again]


def _small(todo: list[Page], pages: list[Page]) -> bool:
    return len(todo) <= max(IN_PLACE_PAGES, IN_PLACE_SHARE * len(pages))


def _start_search(
    options: BuildOptions,
    site_plan: Plan,
    ctx: SiteContext,
    keys: dict[str, str],
    folders: tuple[Path, Path],
    previous: dict[str, object] | None,
    in_place: bool,
) -> search.Indexer:
    """Make the search records and start indexing the shards whose records changed into folders[0],
    beside the site folders[1]."""
    tmp, out = folders
    records_cache = options.cache.parent / "search-records.json" if options.cache else None
    shards = search.shard_records(site_plan.pages, ctx, keys, records_cache)
    search_page = next(p for p in site_plan.pages if p.path == "search.html")
    # plan() named the shards from the count of searchable pages, as shard_records() splits them.
    assert isinstance(search_page.data, views.Search) and len(search_page.data.bundles) == len(shards) - 1
    old_keys = previous.get("search", {}) if previous else {}
    assert isinstance(old_keys, dict)
    return search.Indexer(tmp, shards, out if previous else None, old_keys, in_place=in_place).start()


def _write_exports(kb: KnowledgeBase, results: Results, folder: Path) -> None:
    export.write(kb, results, folder)  # the same tables as `kb export`, to download


def _write_site_files(site_plan: Plan, ctx: SiteContext, tmp: Path, base_url: str) -> None:
    """What every build writes besides pages, charts and exports: sitemap, the dashboard's data."""
    writer.write_sitemap(site_plan.pages, tmp, base_url)
    dashboard = next(p for p in site_plan.pages if p.path == "index.html")
    if isinstance(dashboard.data, views.Dashboard) and dashboard.data.data_file:
        writer.write_claims_data(ctx, tmp, dashboard.data.data_file)


def _counted(outcome: BuildOutcome, site_plan: Plan) -> None:
    outcome.pages = len(site_plan.pages)
    outcome.charts = len(site_plan.charts)


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
