"""Paged lists of groups: a quantity's or a subject's estimates, at most ROWS_PER_PAGE rows a page.

A quantity measured for thousands of subjects would otherwise be one page that grows with the
knowledge base. Its groups are laid out in order and cut every ROWS_PER_PAGE rows (a group longer
than that continues on the next page); the first page keeps the list's own address
("quantities/ID.html"), the others go in a folder of that name ("quantities/ID/2.html"), which no
other page's name can take. Every page links to every other (a pager naming the first and last
group of each), so every claim stays a link or two away.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from kb.site.context import Group

ROWS_PER_PAGE = 200
"""Most table rows (claims) on one page of a quantity or subject."""


@dataclass(frozen=True)
class Part:
    """The rows start:stop of a group shown on one page."""

    group: Group
    start: int
    stop: int

    @property
    def continued(self) -> bool:
        """The group began on an earlier page."""
        return self.start > 0

    @property
    def first(self) -> bool:
        return self.start == 0


@dataclass(frozen=True)
class PageLink:
    path: str
    """Relative to the site root."""
    label: str
    """What the page holds: "Model-A0-0 – Model-C3-1"."""
    rows: int


@dataclass(frozen=True)
class Pager:
    """Where a page is among the pages of its list."""

    number: int
    """1-based."""
    links: tuple[PageLink, ...]
    """Every page of the list, in order (empty: the list has one page)."""

    @property
    def count(self) -> int:
        return max(1, len(self.links))


def split(groups: list[Group], per_page: int | None = None) -> list[list[Part]]:
    """The groups cut into pages of at most per_page (ROWS_PER_PAGE) rows; at least one page."""
    per_page = per_page or ROWS_PER_PAGE
    pages: list[list[Part]] = [[]]
    room = per_page
    for g in groups:
        n = len(g.claims)
        start = 0
        while True:
            take = min(room, n - start)
            if take > 0 or n == 0:
                pages[-1].append(Part(g, start, start + take))
            start += take
            room -= take
            if start >= n:
                break
            pages.append([])
            room = per_page
        if room == 0:
            pages.append([])
            room = per_page
    if len(pages) > 1 and not pages[-1]:
        pages.pop()
    return pages


def page_path(first: str, number: int) -> str:
    """The path of page `number` of the list whose first page is `first` ("quantities/x.html")."""
    return first if number == 1 else f"{first.removesuffix('.html')}/{number}.html"


def pagers(first: str, pages: list[list[Part]], name: Callable[[Group], str]) -> list[Pager]:
    """One pager per page; name(group) says what a link's range runs between."""
    if len(pages) <= 1:
        return [Pager(1, ())]
    links = tuple(
        PageLink(
            page_path(first, i + 1),
            label_range(name(parts[0].group), name(parts[-1].group)),
            sum(p.stop - p.start for p in parts),
        )
        for i, parts in enumerate(pages)
    )
    return [Pager(i + 1, links) for i in range(len(pages))]


def label_range(a: str, b: str) -> str:
    return a if a == b else f"{a} – {b}"
