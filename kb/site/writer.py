"""Render: the one writer that turns planned pages into files.

The Jinja2 environment is made once (templates compile once per process and are kept in memory;
a build with kb's caches on also keeps their compiled code in the user's cache folder, never where
a contributor could write: kb/site/templatecache.py), with autoescape on for every template: all
text from the knowledge base is escaped, and only values built as Markup here (rendered markdown,
highlighted sources) go in unescaped.
"""

from __future__ import annotations

import gc
import json
import multiprocessing
import os
import shutil
from collections.abc import Callable
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from jinja2 import Environment, PackageLoader, StrictUndefined, Template, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

try:  # markupsafe >= 3: its C escaping, without wrapping the result in a Markup
    from markupsafe import _escape_inner
except ImportError:  # pragma: no cover - an older markupsafe: its escape() gives the same text

    def _escape_inner(s: str, /) -> str:
        return str(Markup.escape(s))


from kb import display, procs, report
from kb.interval import Interval
from kb.results import BASES, SEVERITY_ORDER, VERDICTS, CheckResult
from kb.site import document, fragments, markdown
from kb.site.context import VERDICT_STYLES, Citation, ClaimView, SiteContext
from kb.site.highlight import highlight
from kb.site.pages import EXPORT_DIR, SITE_NAME, SITE_TAGLINE, Page
from kb.site.templatecache import TemplateCodeCache
from kb.site.views import View
from kb.units import UnitInfo
from kb.values import format_number
from kb.verdicts import SEVERITY_RANK

CSP = (
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'"
)
"""Only the site's own scripts run (pagefind compiles its WebAssembly); styles may be inline
(bar widths). A meta tag, as the site is static and may be opened from file://."""


USED_BY_SHOWN = 100
"""Claims a claim page names among those that rest on it, and among those a slip of it would be
blamed on: a constant used by thousands of claims (a law's factor) would otherwise make a page that
grows with the knowledge base."""


@pass_context
def _md(context: Context, text: str | None, heading_shift: int = 0) -> Markup:
    site: SiteContext = context["site"]
    return markdown.render(text, context["root"], site.claims, heading_shift)


@pass_context
def _md_inline(context: Context, text: str | None) -> Markup:
    site: SiteContext = context["site"]
    return markdown.render_inline(text, context["root"], site.claims)


def _factor(f: float | None) -> str:
    return display.factor(f) or "n/a"


def _source_document(text: str, citations: list[Citation], root: str) -> Markup | None:
    """A markdown source as a document with its passages marked; None: show the plain text."""
    return document.render(text, citations, root) if document.looks_like_markdown(text) else None


def _sides(cr: CheckResult) -> tuple[str, str]:
    """A relation's left (stated) and right (recomputed) sides as a reader says them."""
    if cr.unit is None or cr.stated is None or cr.computed is None:
        return cr.stated_text, cr.computed_text
    return display.interval(cr.stated, cr.unit), display.interval(cr.computed, cr.unit)


def _num(x: float | None, sig: int = 4) -> str:
    return "" if x is None else format_number(x, sig)


def _interval(iv: Interval, unit: UnitInfo) -> str:
    return display.interval(iv, unit)


def _group_counts(claims: list[ClaimView]) -> dict[str, int]:
    out: dict[str, int] = dict.fromkeys(VERDICTS, 0)
    for cv in claims:
        out[cv.verdict] += 1
    return out


def output_escape(value: object) -> str:
    """What `{{ value }}` writes: the text of markupsafe.escape(value), as a plain str.

    A page writes a hundred or so values, each escaped; markupsafe.escape wraps every result in a
    Markup (a Python-level __new__), which cost a sixth of rendering. The templates only join what
    they write, so the wrapper buys nothing there. Same order of tests as markupsafe.escape: a str
    is escaped, an object with __html__ is trusted, anything else is escaped as str(value) (which
    raises for a StrictUndefined, as before)."""
    if type(value) is str:
        return _escape_inner(value)
    html = getattr(value, "__html__", None)
    if html is not None:
        return str(html())
    return _escape_inner(str(value))


class _Template(Template):
    """A template whose output expressions escape with output_escape (see there)."""

    @classmethod
    def from_code(cls, environment: Environment, code: Any, globals: Any, uptodate: Any = None) -> Template:
        template = super().from_code(environment, code, globals, uptodate)
        # The compiled module's functions (root, blocks, macros) share one namespace, in which the
        # generated code imported jinja2.runtime.escape for its output expressions only.
        template.root_render_func.__globals__["escape"] = output_escape
        return template


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("kb", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.template_class = _Template
    env.filters.update(
        md=_md,
        md_inline=_md_inline,
        factor=_factor,
        num=_num,
        interval=_interval,
        nominal=display.nominal,
        sides=_sides,
        cjk=fragments.cjk,
        unit_name=display.unit_name,
        groupcounts=_group_counts,
        relation_name=report.relation_name,  # one wording with kb check
        conflict_slip=report.conflict_slip,
    )
    env.globals.update(
        styles=VERDICT_STYLES,
        verdicts=VERDICTS,
        bases=BASES,
        site_name=SITE_NAME,
        site_tagline=SITE_TAGLINE,
        highlight=highlight,
        source_document=_source_document,
        severity_order=SEVERITY_ORDER,
        severity_rank=SEVERITY_RANK,
        export_dir=EXPORT_DIR,
        csp=CSP,
        used_by_shown=USED_BY_SHOWN,
        badge=fragments.badge,
        claim_row=fragments.claim_row,
        group_table=fragments.group_table,
        verdict_cells=fragments.verdict_cells,
        verdict_heads=fragments.verdict_heads,
        site_header=fragments.site_header,
        site_footer=fragments.site_footer,
    )
    return env


def use_template_cache(folder: Path | None) -> None:
    """Load compiled templates from, and save them to, `folder` (kb/site/templatecache.py); None:
    compile them in memory only (kb build --no-cache reads and writes no cache)."""
    environment().bytecode_cache = None if folder is None else TemplateCodeCache(folder)


def render_page(page: Page, site: SiteContext, base_url: str = "") -> str:
    template = environment().get_template(page.template)
    data = page.data.context() if isinstance(page.data, View) else dict(page.data)
    if page.lazy is not None:
        data.update(page.lazy().context())
    return template.render(page=page, root=page.root, site=site, base_url=base_url, **data)


PARALLEL_FROM = 200
"""Render in parallel processes from this many pages on."""
CHUNK = 50
"""Pages a process takes at a time (progress is reported per chunk)."""

_JOB: tuple[list[Page], SiteContext, Path, str] | None = None
"""What forked helpers render: set before they start, inherited by fork, never pickled."""


def write_pages(
    pages: list[Page],
    site: SiteContext,
    out: Path,
    base_url: str = "",
    workers: int | None = None,
    advance: Callable[[int], None] | None = None,
) -> None:
    """Render every page into `out`; over `workers` processes (default: one per core) when there
    are many pages and the platform can fork: this one and workers - 1 forked helpers, taking
    chunks of pages in turn. This process renders too, so that one copy fewer of the context is
    made: a forked helper copies, page by page, most of what it reads (at 100,000 claims, about
    740 MB each). `advance(n)` is told as pages get written."""
    for folder in sorted({(out / page.path).parent for page in pages}):
        folder.mkdir(parents=True, exist_ok=True)
    workers = workers if workers is not None else (os.cpu_count() or 1)
    can_fork = "fork" in multiprocessing.get_all_start_methods()
    if workers <= 1 or len(pages) < PARALLEL_FROM or not can_fork:
        for page in pages:
            _write(page, site, out, base_url)
            if advance is not None:
                advance(1)
        return
    global _JOB
    _JOB = (pages, site, out, base_url)
    environment()  # compile the templates once, before forking
    for name in {page.template for page in pages}:
        environment().get_template(name)
    # The context is read-only from here: keep the collector off its pages (copy-on-write). Frozen
    # without a collection first: a full pass writes into the header of every object made since
    # the build last froze (the plan, its keys), pages the processes forked before this pool (the
    # exports, the charts) share, and finds nothing to free (all of it is still in use): at
    # 100,000 claims it copied 80 MB while those processes ran. The build unfreezes at its end.
    gc.freeze()
    fork = multiprocessing.get_context("fork")
    turns = _Turns(fork.Value("i", 0), fork.Value("i", 0))
    helpers: list[procs.Beside] = []
    try:
        for _ in range(workers - 1):  # one at a time: a fork that fails stops those made before it
            helpers.append(procs.Beside(_render_turns, turns, True))
        told = _render_turns(turns, False, advance)
        for helper in helpers:
            helper.join()
        if advance is not None and len(pages) > told:
            advance(len(pages) - told)
    except BaseException:
        for helper in helpers:
            helper.stop()
        raise
    finally:
        _JOB = None
        gc.unfreeze()


class _Turns:
    """The next chunk to render and the pages written so far, shared by the processes rendering."""

    def __init__(self, next_chunk: Any, written: Any) -> None:
        self.next_chunk, self.written = next_chunk, written

    def take(self) -> int:
        with self.next_chunk.get_lock():
            n = self.next_chunk.value
            self.next_chunk.value = n + 1
        return n

    def done(self, n: int) -> int:
        with self.written.get_lock():
            self.written.value += n
            return int(self.written.value)


def _render_turns(turns: _Turns, forked: bool, advance: Callable[[int], None] | None = None) -> int:
    """Render chunks of _JOB's pages until none is left; returns the pages written by all processes
    as last told to `advance`. A forked helper collects the few cycles each page leaves (the build
    pauses the collector); this process does too while it renders, sparing what the build froze."""
    assert _JOB is not None
    pages, site, out, base_url = _JOB
    paused = not gc.isenabled()
    gc.enable()
    told = 0
    try:
        while (start := turns.take() * CHUNK) < len(pages):
            chunk = pages[start : start + CHUNK]
            for page in chunk:
                _write(page, site, out, base_url)
            written = turns.done(len(chunk))
            if advance is not None and written > told:
                advance(written - told)
                told = written
    finally:
        if paused and not forked:
            gc.disable()
    return told


def _write(page: Page, site: SiteContext, out: Path, base_url: str) -> None:
    (out / page.path).write_text(render_page(page, site, base_url), encoding="utf-8")


def copy_static(out: Path) -> None:
    folder = out / "static"
    folder.mkdir(parents=True, exist_ok=True)
    for item in resources.files("kb").joinpath("static").iterdir():
        if item.is_file() and not item.name.startswith("."):
            with resources.as_file(item) as path:
                shutil.copyfile(path, folder / item.name)


def write_claims_data(site: SiteContext, out: Path, path: str) -> None:
    """Every claim as a row of the dashboard's table, for table.js: a script setting KB_CLAIMS."""
    rows = [
        [
            cv.id,
            cv.claim.kind,
            cv.claim.subject,
            cv.subject_slug,
            cv.claim.quantity,
            cv.quantity_label,
            cv.value_text,
            cv.sort_value,
            cv.verdict,
            " ".join(c.source_id for c in cv.citations),
            cv.first_source,
            cv.quote_text,
        ]
        for cv in site.claims.values()
    ]
    styles = {v: {"label": s.label, "icon": s.icon, "meaning": s.meaning} for v, s in VERDICT_STYLES.items()}
    data = {"styles": styles, "order": SEVERITY_ORDER, "rows": rows}
    target = out / path
    target.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, separators=(",", ":"), allow_nan=False)
    target.write_text(f"window.KB_CLAIMS = {text};\n", encoding="utf-8")


def write_sitemap(pages: list[Page], out: Path, base_url: str) -> None:
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
    ]
    for page in pages:
        if page.path == "search.html":
            continue
        lines.append(f"  <url><loc>{xml_escape(base_url + page.path)}</loc></url>")
    lines.append("</urlset>")
    (out / "sitemap.xml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (out / "robots.txt").write_text(
        f"User-agent: *\nAllow: /\nSitemap: {base_url}sitemap.xml\n", encoding="utf-8"
    )
