"""Render: the one writer that turns planned pages into files.

The Jinja2 environment is made once (templates compile once and are cached), with autoescape on
for every template: all text from the knowledge base is escaped, and only values built as Markup
here (rendered markdown, highlighted sources) go in unescaped.
"""

from __future__ import annotations

import math
import shutil
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from jinja2 import Environment, PackageLoader, StrictUndefined, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

from kb.interval import Interval
from kb.results import BASES, SEVERITY_ORDER, VERDICTS
from kb.site import markdown
from kb.site.context import VERDICT_STYLES, ClaimView, SiteContext
from kb.site.highlight import highlight
from kb.site.pages import SITE_NAME, SITE_TAGLINE, Page
from kb.units import UnitInfo
from kb.values import format_interval, format_number


@pass_context
def _md(context: Context, text: str | None, heading_shift: int = 0) -> Markup:
    site: SiteContext = context["site"]
    return markdown.render(text, context["root"], site.claims, heading_shift)


@pass_context
def _md_inline(context: Context, text: str | None) -> Markup:
    site: SiteContext = context["site"]
    return markdown.render_inline(text, context["root"], site.claims)


def _factor(f: float | None) -> str:
    if f is None or not math.isfinite(f):
        return "n/a"
    return f"×{format_number(f, 3)}"


def _num(x: float | None, sig: int = 4) -> str:
    return "" if x is None else format_number(x, sig)


def _interval(iv: Interval, unit: UnitInfo) -> str:
    text = format_interval(iv, unit)
    return text if unit.is_date or unit.text in ("1", "") else f"{text} {unit.text}"


def _group_counts(claims: list[ClaimView]) -> dict[str, int]:
    out = dict.fromkeys(VERDICTS, 0)
    for cv in claims:
        out[cv.verdict] += 1
    return out


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
    env.filters.update(
        md=_md, md_inline=_md_inline, factor=_factor, num=_num, interval=_interval, groupcounts=_group_counts
    )
    env.globals.update(
        styles=VERDICT_STYLES,
        verdicts=VERDICTS,
        bases=BASES,
        site_name=SITE_NAME,
        site_tagline=SITE_TAGLINE,
        highlight=highlight,
        severity_order=SEVERITY_ORDER,
    )
    return env


def render_page(page: Page, site: SiteContext, base_url: str = "") -> str:
    template = environment().get_template(page.template)
    data: dict[str, Any] = dict(page.data)
    return template.render(page=page, root=page.root, site=site, base_url=base_url, **data)


def write_pages(pages: list[Page], site: SiteContext, out: Path, base_url: str = "") -> None:
    made: set[Path] = set()
    for page in pages:
        target = out / page.path
        if target.parent not in made:
            target.parent.mkdir(parents=True, exist_ok=True)
            made.add(target.parent)
        target.write_text(render_page(page, site, base_url), encoding="utf-8")


def copy_static(out: Path) -> None:
    folder = out / "static"
    folder.mkdir(parents=True, exist_ok=True)
    for item in resources.files("kb").joinpath("static").iterdir():
        if item.is_file() and not item.name.startswith("."):
            with resources.as_file(item) as path:
                shutil.copyfile(path, folder / item.name)


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
