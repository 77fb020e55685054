"""The pages of the site: what each shows, as plain data for one template.

`plan(ctx)` lists every page. A page is independent of the others once planned (its data is
read-only), so pages can be rendered in any order, in parallel, or skipped when a cache holds
the same content hash.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from kb.results import BASES
from kb.site import audit, graph, paging, vega, views
from kb.site.charts import AnyChart, HistogramSpec, group_spec, quantity_spec
from kb.site.context import ClaimView, Group, QuantityView, SiteContext, SubjectView
from kb.site.graph import claim_graph
from kb.slips import SLIPS
from kb.trust import TRUST
from kb.units import SCALE_WORDS
from kb.values import ABOUT_DAYS, ABOUT_RELATIVE
from kb.verdicts import SEVERITY

ROWS_IN_HTML = 250
"""Claims the dashboard's table holds in its HTML; beyond that the rest are in DATA_FILE, which the
table's script loads (a <script src>, so it works from file:// too), and in paged lists of
LIST_PAGE claims for reading without JavaScript."""
LIST_PAGE = 1000
DATA_FILE = "data/claims.js"
EXPORT_DIR = "data"
"""Where the site keeps `kb export`'s files (claims.csv, checks.csv, sources.csv, kb.json, kb.sqlite)."""
WRONG_ROWS = 100
"""Inconsistent claims the dashboard lists first (the claims table filters to all of them)."""
SITE_NAME = "kb"
SITE_TAGLINE = "numbers about LLMs, checked against their sources and each other"


@dataclass
class Page:
    """One HTML file: where it goes, which template draws it, and the data it shows."""

    path: str
    """Relative to the site root: "claims/x.html"."""
    template: str
    title: str
    description: str
    data: views.View | dict[str, Any] = field(default_factory=views.Plain)
    """The template's context (kb/site/views.py); a dict only for the audit page."""
    indexed: bool = False
    """Searchable: pagefind indexes only pages marked so (data-pagefind-body)."""
    og_type: str = "website"
    section: str = ""
    """Which navigation entry is current."""
    lazy: Callable[[], views.View] | None = None
    """More data, computed only when the page is rendered (a page reused from the previous build
    never needs it)."""

    @property
    def root(self) -> str:
        """The relative path back to the site root: "" or "../"."""
        return "../" * self.path.count("/")


@dataclass
class Plan:
    pages: list[Page]
    charts: list[AnyChart]


def plan(ctx: SiteContext, base_url: str = "", search: bool = True) -> Plan:
    """Every page of the site, and every chart they show."""
    charts: dict[str, AnyChart] = {}
    for g in ctx.groups.values():
        spec = group_spec(g)
        if spec is not None:
            g.chart = spec.path
            g.chart_size = spec.size_px
            g.chart_histogram = isinstance(spec, HistogramSpec)
            g.vega = None if g.chart_histogram else vega.group_chart(g)
            charts[spec.path] = spec
    quantity_charts: dict[str, tuple[str, tuple[int, int], int, bool]] = {}
    for q in ctx.quantities.values():
        qspec = quantity_spec(q)
        if qspec is not None:
            quantity_charts[q.id] = (qspec.path, qspec.size_px, qspec.count, isinstance(qspec, HistogramSpec))
            charts[qspec.path] = qspec
    counts = ctx.counts()
    total = len(ctx.claims)
    ordered = list(ctx.claims.values())
    paged = total > ROWS_IN_HTML
    list_count = math.ceil(total / LIST_PAGE) if paged else 0
    subject_parts = {s.slug: paging.split(s.groups) for s in ctx.subjects.values()}
    group_pages = {
        (part.group.subject_slug, part.group.quantity_id): paging.page_path(s.url, i + 1)
        for s in ctx.subjects.values()
        for i, shown in enumerate(subject_parts[s.slug])
        for part in shown
        if part.first
    }
    audits = audit.pages(ctx)  # the audit of each imported data set (kb import epoch), if any
    links = [(a.path, a.title) for a in audits]
    pages = [
        Page(
            "index.html",
            "index.html",
            "Dashboard",
            f"{total} claims about LLMs from {len(ctx.sources)} sources: "
            + ", ".join(f"{n} {v}" for v, n in counts.items() if n)
            + ".",
            views.Dashboard(
                counts=counts,
                wrong=ctx.inconsistent()[:WRONG_ROWS],
                audits=links,
                rows=ordered[:ROWS_IN_HTML],
                data_file=DATA_FILE if paged else "",
                list_count=list_count,
                per_page=LIST_PAGE,
                group_pages=group_pages,
            ),
            section="home",
        ),
        Page(
            "quantities.html",
            "quantities.html",
            "Quantities",
            f"The {len(ctx.quantities)} quantities claims measure.",
            section="quantities",
        ),
        Page(
            "sources.html",
            "sources.html",
            "Sources",
            f"The {len(ctx.sources)} source documents.",
            views.Sources(links),
            section="sources",
        ),
        Page(
            "methodology.html",
            "methodology.html",
            "Methodology",
            "How claims are checked: verdict rules, tolerances, units, and how to add a claim.",
            views.Methodology(
                bases=dict(BASES),
                severity=tuple(SEVERITY),
                slips=SLIPS,
                trust=dict(TRUST),
                about=ABOUT_RELATIVE,
                about_days=ABOUT_DAYS,
                scale_words=sorted(SCALE_WORDS),
                inf=math.inf,
            ),
            section="methodology",
        ),
        Page(
            "search.html",
            "search.html",
            "Search",
            "Search claims and sources.",
            views.Search(search, []),  # its bundles are known once every page is: see below
            section="search",
        ),
        Page(
            "errors.html",
            "errors.html",
            "Errors",
            f"{len(ctx.results.problems)} errors in the knowledge base.",
            section="errors",
        ),
    ]
    pages[1:1] = _subjects_index(ctx)
    pages += audits
    for i in range(list_count):
        rows = ordered[i * LIST_PAGE : (i + 1) * LIST_PAGE]
        pages.append(
            Page(
                f"all-claims/{i + 1}.html",
                "claims-list.html",
                f"All claims, page {i + 1} of {list_count}",
                f"Claims {i * LIST_PAGE + 1} to {i * LIST_PAGE + len(rows)} of {total}.",
                views.ClaimsList(
                    rows=rows,
                    number=i + 1,
                    count=list_count,
                    first=i * LIST_PAGE + 1,
                    last=i * LIST_PAGE + len(rows),
                    per_page=LIST_PAGE,
                ),
                section="home",
            )
        )
    for cv in ctx.claims.values():
        pages.append(_claim_page(ctx, cv, base_url))
    for sv in ctx.sources.values():
        pages.append(
            Page(
                sv.url,
                "source.html",
                sv.source.meta.title,
                f"Source: {sv.source.meta.title}. {sv.total} claims cite it"
                + ("." if sv.source.archived else "; not archived here."),
                views.Source(sv),
                indexed=True,
                og_type="article",
                section="sources",
            )
        )
    for s in ctx.subjects.values():
        pages += _subject_pages(s, subject_parts[s.slug], group_pages)
    for q in ctx.quantities.values():
        chart = quantity_charts.get(q.id)
        pages += _quantity_pages(q, chart, vega.quantity_chart(q) if chart is not None else None)
    # The search page merges the index's shards, whose number follows from the searchable pages.
    from kb.site.search import bundle_dir, shard_count  # search.py reads Page: imported here

    indexed = sum(1 for p in pages if p.indexed)
    for i, p in enumerate(pages):
        if p.template == "search.html":
            bundles = [bundle_dir(k) for k in range(1, shard_count(indexed))] if search else []
            pages[i] = dataclasses.replace(p, data=views.Search(search, bundles))
    return Plan(pages, list(charts.values()))


SUBJECTS_PAGE = 500
"""Subjects the index of subjects lists a page (subjects.html, then all-subjects/N.html)."""


def _subjects_index(ctx: SiteContext) -> list[Page]:
    """The index of subjects, SUBJECTS_PAGE a page, each page linking every other."""
    subjects = list(ctx.subjects.values())
    chunks = [subjects[i : i + SUBJECTS_PAGE] for i in range(0, len(subjects), SUBJECTS_PAGE)] or [[]]
    paths = ["subjects.html"] + [f"all-subjects/{i}.html" for i in range(2, len(chunks) + 1)]
    links: tuple[paging.PageLink, ...] = ()
    if len(chunks) > 1:
        links = tuple(
            paging.PageLink(path, paging.label_range(chunk[0].name, chunk[-1].name), len(chunk))
            for path, chunk in zip(paths, chunks, strict=True)
        )
    out: list[Page] = []
    for i, (path, chunk) in enumerate(zip(paths, chunks, strict=True)):
        of = f", page {i + 1} of {len(chunks)}" if len(chunks) > 1 else ""
        out.append(
            Page(
                path,
                "subjects.html",
                "Subjects" + of,
                f"The {len(subjects)} subjects of the claims{of}.",
                views.SubjectsList(chunk, paging.Pager(i + 1, links)),
                section="subjects",
            )
        )
    return out


def _subject_pages(
    s: SubjectView, parts: list[list[paging.Part]], group_pages: dict[tuple[str, str], str]
) -> list[Page]:
    """A subject's page, and its further pages when its claims are many (kb/site/paging.py)."""
    where = {g.quantity_id: group_pages[(s.slug, g.quantity_id)] for g in s.groups}
    return _paged(
        (s.url, "subject.html", "subjects", s.name),
        parts,
        lambda g: g.quantity_label,
        lambda of: f"Every claim about {s.name}: {s.total} claims of {len(s.groups)} quantities{of}.",
        lambda shown, pager: views.Subject(s, shown, pager, where),
    )


def _quantity_pages(
    q: QuantityView, chart: tuple[str, tuple[int, int], int, bool] | None, spec: dict[str, Any] | None
) -> list[Page]:
    """A quantity's page, and its further pages when its claims are many; the chart is on the first."""
    return _paged(
        (q.url, "quantity.html", "quantities", q.label),
        paging.split(q.groups),
        lambda g: g.subject,
        lambda of: f"Every estimate of {q.label}: {q.total} claims about {len(q.groups)} subjects{of}.",
        lambda shown, pager: views.Quantity(
            q, chart if pager.number == 1 else None, spec if pager.number == 1 else None, shown, pager
        ),
    )


def _paged(
    where: tuple[str, str, str, str],
    parts: list[list[paging.Part]],
    name: Callable[[Group], str],
    describe: Callable[[str], str],
    view: Callable[[list[paging.Part], paging.Pager], views.View],
) -> list[Page]:
    """The pages of one paged list: where = (url, template, section, title); only the first is
    searched (its further pages hold the same words)."""
    url, template, section, title = where
    out: list[Page] = []
    for shown, pager in zip(parts, paging.pagers(url, parts, name), strict=True):
        n = pager.number
        of = f", page {n} of {pager.count}" if pager.count > 1 else ""
        page = Page(paging.page_path(url, n), template, title + of, describe(of), view(shown, pager))
        out.append(dataclasses.replace(page, indexed=n == 1, section=section))
    return out


def _claim_page(ctx: SiteContext, cv: ClaimView, base_url: str) -> Page:
    group = ctx.groups[(cv.subject_slug, cv.claim.quantity)]
    others = len(group.claims) - 1  # how many other estimates the page compares it with
    title = f"{cv.summary} ({cv.style.label})"
    description = f"{cv.verdict_text}. {cv.summary}, as stated by {cv.first_source}."
    return Page(
        cv.url,
        "claim.html",
        title,
        description,
        views.Claim(cv, group, others),
        indexed=True,
        og_type="article",
        section="claims",
        lazy=lambda: views.ClaimExtras(graph=_graph(ctx, cv), review=claim_review(cv, base_url)),
    )


def _graph(ctx: SiteContext, cv: ClaimView) -> Markup | None:
    g = claim_graph(ctx, cv.id)
    return None if g is None else graph.render(g, cv.id, "../")


def claim_review(cv: ClaimView, base_url: str) -> dict[str, Any]:
    """schema.org ClaimReview of a claim; the textual verdict is reviewRating.alternateName."""
    style = cv.style
    item: dict[str, Any] = {"@type": "Claim"}
    first = cv.citations[0] if cv.citations else None
    if first is not None and first.source is not None:
        meta = first.source.meta
        by = meta.publisher or meta.author
        if by:
            item["author"] = {"@type": "Organization", "name": by}
        if meta.published:
            item["datePublished"] = str(meta.published)
        appearance: dict[str, Any] = {"@type": "CreativeWork", "headline": meta.title}
        if meta.url:
            appearance["url"] = meta.url
        item["appearance"] = appearance
        if first.quote.quote:
            item["text"] = first.quote.quote
    review: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "claimReviewed": cv.summary,
        "itemReviewed": item,
        "author": {"@type": "Organization", "name": SITE_NAME},
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": style.rating,
            "bestRating": 3,
            "worstRating": 1,
            "alternateName": cv.verdict_text,
        },
    }
    if base_url:
        review["url"] = base_url + cv.url
    return review
