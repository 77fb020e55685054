"""Fragments every page repeats, rendered once in Python and reused as Markup.

Templates call these instead of macros on hot paths: a Jinja macro call costs a new context and an
escape per variable, and the site header, a verdict badge or a row of a group's table is the same
text on thousands of pages. Everything from the knowledge base is escaped here (html.escape); the
results are Markup so the templates' autoescape leaves them as they are.

Rows of group tables are cached per group object (a few groups at a time: pages are rendered in
the order of their groups), never across knowledge bases: a new resolve makes new groups.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from functools import lru_cache
from html import escape

from markupsafe import Markup
from markupsafe import escape as markup_escape

from kb import display
from kb.results import SEVERITY_ORDER, CheckResult
from kb.site.context import VERDICT_STYLES, ClaimView, Group
from kb.site.pages import SITE_NAME, SITE_TAGLINE

NAV = (
    ("home", "index.html", "Dashboard"),
    ("subjects", "subjects.html", "Subjects"),
    ("quantities", "quantities.html", "Quantities"),
    ("sources", "sources.html", "Sources"),
    ("methodology", "methodology.html", "Methodology"),
    ("search", "search.html", "Search"),
)


@lru_cache(maxsize=64)
def badge(verdict: str, text: str | None = None, small: bool = False) -> Markup:
    """A verdict as a badge: icon and words (colour is never the only sign)."""
    s = VERDICT_STYLES[verdict]
    css = f"badge v-{escape(verdict)}" + (" small" if small else "")
    return Markup(
        f'<span class="{css}" title="{escape(s.label)}: {escape(s.meaning)}">'
        f'<span class="icon" aria-hidden="true">{s.icon}</span> {escape(text or s.label)}</span>'
    )


@lru_cache(maxsize=64)
def site_header(root: str, section: str) -> Markup:
    """The header and navigation of every page, its current section marked."""
    links = "\n".join(
        f'    <a href="{root}{href}"' + (' aria-current="page"' if key == section else "") + f">{label}</a>"
        for key, href, label in NAV
    )
    brand = f'<span class="brand-text">{SITE_TAGLINE}</span>'
    return Markup(
        f"""<header class="site-header">
  <div class="wrap header-row">
    <a class="brand" href="{root}index.html"><span class="brand-mark">{SITE_NAME}</span>{brand}</a>
    <form class="header-search" action="{root}search.html" method="get" role="search">
      <label class="visually-hidden" for="header-q">Search claims and sources</label>
      <input id="header-q" name="q" type="search" placeholder="Search">
      <button type="submit">Search</button>
    </form>
  </div>
  <nav class="wrap site-nav" aria-label="Site">
{links}
  </nav>
</header>"""
    )


@lru_cache(maxsize=16)
def site_footer(root: str) -> Markup:
    return Markup(
        f"""<footer class="site-footer">
  <div class="wrap">
    <p>{SITE_NAME}: {SITE_TAGLINE}. Every number is quoted from its source and, where possible, recomputed from other claims. <a href="{root}methodology.html">How verdicts are made</a> · <a href="{root}errors.html">Errors</a> · <a href="{root}sitemap.xml">Sitemap</a></p>
  </div>
</footer>"""  # noqa: E501
    )


def verdict_cells(counts: dict[str, int]) -> Markup:
    """One table cell per verdict: its icon and count, or a muted 0."""
    cells = []
    for v, style in VERDICT_STYLES.items():
        n = counts.get(v, 0)
        if n:
            icon = f'<span class="icon" aria-hidden="true">{style.icon}</span>'
            inner = f'<span class="count v-{v}">{icon}&nbsp;{n}</span>'
        else:
            inner = '<span class="zero">0</span>'
        cells.append(f'<td class="num">{inner}</td>')
    return Markup("".join(cells))


@lru_cache(maxsize=4)
def verdict_heads(compact: bool = False) -> Markup:
    """The header cells of verdict_cells: icon, and the label (hidden from sight when compact)."""
    label = "visually-hidden" if compact else "vh-label"
    return Markup(
        "".join(
            f'<th scope="col" class="num" title="{escape(s.label)}"><span class="icon" aria-hidden="true">'
            f'{s.icon}</span> <span class="{label}">{escape(s.label)}</span></th>'
            for s in VERDICT_STYLES.values()
        )
    )


def claim_row(cv: ClaimView, root: str) -> Markup:
    """A claim's row in the dashboard's table and the list of all claims (ten thousand rows: as a
    macro, each cost a new context). Escaped as the templates escape (markupsafe: the same text as
    the macro this replaced)."""
    c = cv.claim
    e = markup_escape
    sources = " ".join(e(cit.source_id) for cit in cv.citations)
    kind = f' <span class="kind">{e(c.kind)}</span>' if c.kind != "claim" else ""
    sort = e(cv.sort_value if cv.sort_value is not None else "")
    return Markup(
        f'<tr data-verdict="{e(cv.verdict)}" data-subject="{e(cv.subject_slug)}" '
        f'data-quantity="{e(c.quantity)}" data-source="{sources}" data-text="{e(cv.quote_text)}">\n'
        f'  <td><a href="{e(root)}{e(cv.url)}"><code>{e(cv.id)}</code></a>{kind}</td>\n'
        f'  <td data-quantity="{e(cv.quantity_label)}">{e(c.subject)}</td>\n'
        f"  <td>{e(cv.quantity_label)}</td>\n"
        f'  <td data-value="{sort}">{cjk(cv.value_text)}</td>\n'
        f'  <td data-value="{e(SEVERITY_ORDER[cv.verdict])}">{badge(cv.verdict, small=True)}</td>\n'
        f"  <td>{e(cv.first_source)}</td>\n"
        "</tr>"
    )


def _factor(f: float | None) -> str:
    return display.factor(f) or "n/a"


def _recomputed(recomputed: list[tuple[CheckResult, str]]) -> str:
    parts = []
    for c, text in recomputed:
        s = VERDICT_STYLES[c.verdict]
        part = (
            f'<span class="v-{escape(c.verdict)}"><span class="icon" aria-hidden="true" '
            f'title="{escape(s.label)}">{s.icon}</span> {escape(text)}</span>'
        )
        if c.factor and c.verdict == "inconsistent":
            part += f" ({escape(_factor(c.factor))})"
        parts.append(part)
    return "<br>".join(parts)


_CJK = re.compile(r"[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]+")


def cjk(text: str | None) -> Markup:
    """Escape text and mark its Chinese runs lang="zh", so screen readers and fonts read them as Chinese."""
    escaped = markup_escape(text or "")
    if not _CJK.search(escaped):  # most values: nothing to mark
        return escaped
    return Markup(_CJK.sub(lambda m: f'<span lang="zh">{m.group(0)}</span>', str(escaped)))


def group_row(
    cv: ClaimView, interval: str, recomputed: list[tuple[CheckResult, str]], root: str, show_subject: bool
) -> str:
    """The cells of one claim's row in a group table (the <tr> is the caller's: it marks the current row)."""
    c = cv.claim
    kinds = (f' <span class="kind">{escape(c.kind)}</span>' if c.kind != "claim" else "") + (
        f' <span class="kind">{escape(c.rank)}</span>' if c.rank != "normal" else ""
    )
    link = f'<a href="{root}{escape(cv.url)}"><code>{escape(cv.id)}</code></a>'
    cells = [f'\n    <td data-label="Claim">{link}{kinds}</td>']
    if show_subject:
        cells.append(
            f'\n    <td data-label="Subject"><a href="{root}subjects/{escape(cv.subject_slug)}.html">'
            f"{escape(c.subject)}</a></td>"
        )
    as_of = f' <span class="muted">(as of {escape(str(c.as_of))})</span>' if c.as_of else ""
    cells.append(f'\n    <td data-label="As stated">{cjk(cv.value_text)}{as_of}</td>')
    cells.append(f'\n    <td data-label="Interval">{escape(interval)}</td>')
    empty = "" if recomputed else ' class="empty"'
    cells.append(f'\n    <td{empty} data-label="Recomputed">{_recomputed(recomputed)}</td>')
    cells.append(f'\n    <td data-label="Verdict">{badge(cv.verdict, small=True)}</td>')
    c0 = cv.citations[0]
    source = escape(c0.source_id)
    if c0.source is not None and c0.href is not None:
        source = f'<a href="{root}{escape(c0.href)}">{source}</a>'
    cells.append(f'\n    <td data-label="Source">{source}</td>\n  ')
    return "".join(cells)


_ROWS: OrderedDict[tuple[int, str, bool], tuple[Group, list[tuple[str, str]]]] = OrderedDict()
KEEP_GROUPS = 32
"""Groups whose rows stay cached (per process)."""


def _rows(group: Group, root: str, show_subject: bool) -> list[tuple[str, str]]:
    key = (id(group), root, show_subject)
    hit = _ROWS.get(key)
    if hit is not None and hit[0] is group:
        _ROWS.move_to_end(key)
        return hit[1]
    rows = [(cv.id, group_row(cv, iv, rc, root, show_subject)) for cv, iv, rc in group.values()]
    _ROWS[key] = (group, rows)
    while len(_ROWS) > KEEP_GROUPS:
        _ROWS.popitem(last=False)
    return rows


def group_table(
    group: Group,
    root: str,
    current: str | None = None,
    show_subject: bool = False,
    start: int = 0,
    stop: int | None = None,
) -> Markup:
    """The table of a group's estimates (rows start:stop), the current claim's row marked."""
    head = (
        '<th scope="col">Claim</th>'
        + ('<th scope="col">Subject</th>' if show_subject else "")
        + '<th scope="col">Value as stated</th><th scope="col">Interval</th><th scope="col">Recomputed</th>'
        '<th scope="col">Verdict</th><th scope="col">Source</th>'
    )
    body = []
    for cid, cells in _rows(group, root, show_subject)[start:stop]:
        tr = '<tr class="current" aria-current="true">' if cid == current else "<tr>"
        body.append(f"  {tr}{cells}</tr>\n")
    return Markup(
        '<div class="table-scroll">\n<table class="data group-table stack sortable">\n'
        f"  <thead data-pagefind-ignore><tr>{head}</tr></thead>\n  <tbody>\n"
        + "".join(body)
        + "  </tbody>\n</table>\n</div>"
    )
