"""What each page template can use: one typed, read-only context per template.

A Page carries one of these as its data (kb/site/pages.py builds them once, in `plan`), and the
writer hands its fields to the template by name. Every page also gets `page`, `root`, `site` (the
SiteContext) and `base_url`, and the globals and filters of kb/site/writer.py. The audit page
(kb/site/audit.py) still passes a plain dict.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from markupsafe import Markup

from kb.site.context import ClaimView, Group, QuantityView, SourceView, SubjectView
from kb.site.paging import Pager, Part
from kb.slips import Slip


@dataclass(frozen=True)
class View:
    """A template's context; its fields are the template's variables."""

    def context(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Plain(View):
    """Pages that show only the site as a whole (subjects, quantities, errors)."""


@dataclass(frozen=True)
class Dashboard(View):
    """index.html"""

    counts: dict[str, int]
    """Claims per verdict."""
    wrong: list[ClaimView]
    """Inconsistent claims, worst first (at most WRONG_ROWS)."""
    audits: list[tuple[str, str]]
    """(path, title) of each audit page."""
    rows: list[ClaimView]
    """The claims the table holds in its HTML."""
    data_file: str
    """The script with every claim's row, when the table holds only the first ones ('' otherwise)."""
    list_count: int
    """Pages of the paged list of claims (0: no list)."""
    per_page: int
    group_pages: dict[tuple[str, str], str] = field(default_factory=dict)
    """(subject slug, quantity id) -> the subject page that shows the group (kb/site/paging.py)."""


@dataclass(frozen=True)
class Sources(View):
    """sources.html"""

    audits: list[tuple[str, str]]


@dataclass(frozen=True)
class Methodology(View):
    """methodology.html: the rules, from the code that applies them."""

    bases: dict[str, str]
    severity: tuple[tuple[float, str], ...]
    slips: tuple[Slip, ...]
    trust: dict[str, Any]
    about: float
    about_days: float
    scale_words: list[str]
    inf: float


@dataclass(frozen=True)
class Search(View):
    """search.html"""

    search_built: bool
    bundles: list[str]
    """The search index's other shards (pagefind-1/, ...), merged by the search page."""


@dataclass(frozen=True)
class ClaimsList(View):
    """all-claims/N.html: one page of the paged list of claims."""

    rows: list[ClaimView]
    number: int
    count: int
    first: int
    last: int
    per_page: int


@dataclass(frozen=True)
class Claim(View):
    """claims/ID.html; graph and review come from ClaimExtras when it is rendered."""

    cv: ClaimView
    group: Group
    """The claims of the same subject and quantity (its chart and table)."""
    others: int
    """How many other estimates the group holds."""


@dataclass(frozen=True)
class ClaimExtras(View):
    """What only a claim page being rendered needs (a page reused from the last build never does)."""

    graph: Markup | None
    """The dependency graph as inline SVG (kb/site/graph.py), None when the claim has no neighbours."""
    review: dict[str, Any]
    """schema.org ClaimReview."""


@dataclass(frozen=True)
class Source(View):
    """sources/ID.html"""

    sv: SourceView


@dataclass(frozen=True)
class SubjectsList(View):
    """subjects.html, and all-subjects/N.html when the subjects are many."""

    subjects: list[SubjectView]
    pager: Pager


@dataclass(frozen=True)
class Subject(View):
    """subjects/SLUG.html, and its further pages subjects/SLUG/N.html when it holds many claims."""

    subject: SubjectView
    parts: list[Part] = field(default_factory=list)
    """The groups (or parts of groups) this page shows (kb/site/paging.py)."""
    pager: Pager = field(default_factory=lambda: Pager(1, ()))
    where: dict[str, str] = field(default_factory=dict)
    """Quantity id -> the page (path from the site root) where its group starts, when paged."""


@dataclass(frozen=True)
class Quantity(View):
    """quantities/ID.html, and its further pages quantities/ID/N.html when it holds many claims."""

    quantity: QuantityView
    quantity_chart: tuple[str, tuple[int, int], int, bool] | None
    """The static chart of every subject's estimates: path, size, count, whether a histogram (first
    page only)."""
    quantity_vega: dict[str, Any] | None = field(default=None)
    """Its interactive spec (kb/site/vega.py)."""
    parts: list[Part] = field(default_factory=list)
    """The groups (or parts of groups) this page shows (kb/site/paging.py)."""
    pager: Pager = field(default_factory=lambda: Pager(1, ()))


__all__ = [
    "View",
    "Plain",
    "Dashboard",
    "Sources",
    "Methodology",
    "Search",
    "ClaimsList",
    "Claim",
    "ClaimExtras",
    "Source",
    "SubjectsList",
    "Subject",
    "Quantity",
]
