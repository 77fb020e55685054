"""Quantity and subject pages are paged: no page grows with the knowledge base, every claim stays linked."""

from __future__ import annotations

from pathlib import Path

import pytest
from site_helpers import broken_links, build_site, page

from kb.site import paging
from kb.site.context import Group
from kb.site.resolve import resolve


def _group(name: str, n: int) -> Group:
    return Group(name, name.lower(), "q", "Q", [object()] * n)  # type: ignore[list-item]


def test_split_cuts_every_per_page_rows_and_continues_long_groups() -> None:
    groups = [_group("A", 3), _group("B", 5), _group("C", 1), _group("D", 4)]
    pages = paging.split(groups, per_page=4)
    rows = [[(p.group.subject, p.start, p.stop) for p in parts] for parts in pages]
    assert rows == [
        [("A", 0, 3), ("B", 0, 1)],
        [("B", 1, 5)],
        [("C", 0, 1), ("D", 0, 3)],
        [("D", 3, 4)],
    ]
    assert all(sum(p.stop - p.start for p in parts) <= 4 for parts in pages)
    assert pages[1][0].continued and not pages[0][0].continued
    assert paging.split([], 4) == [[]]
    assert (
        paging.split([_group("A", 4)], 4) == [[paging.Part(groups[0], 0, 4)]]
        or len(paging.split([_group("A", 4)], 4)) == 1
    )


def test_pager_links_name_each_pages_range() -> None:
    groups = [_group("A", 3), _group("B", 5)]
    pages = paging.split(groups, per_page=4)
    pagers = paging.pagers("quantities/q.html", pages, lambda g: g.subject)
    assert [p.number for p in pagers] == [1, 2]
    links = pagers[0].links
    assert [(link.path, link.label, link.rows) for link in links] == [
        ("quantities/q.html", "A – B", 4),
        ("quantities/q/2.html", "B", 4),
    ]
    assert paging.pagers("quantities/q.html", [pages[0]], lambda g: g.subject)[0].links == ()


def test_paged_quantity_and_subject_pages_link_every_claim(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(paging, "ROWS_PER_PAGE", 1)
    out = tmp_path / "site"
    outcome = build_site(out)
    ctx = resolve(outcome.kb, outcome.results)
    q = max(ctx.quantities.values(), key=lambda q: q.total)
    assert q.total > 1
    first = page(out, q.url)
    nav = first.find("nav", cls="pages-of")
    hrefs = [a.get("href") for a in nav.find_all("a")]
    assert len(hrefs) == q.total
    assert hrefs[0] == f"../{q.url}" and hrefs[1] == f"../quantities/{q.id}/2.html"
    listed: list[str] = []
    for href in hrefs:
        doc = page(out, f"quantities/{str(href).removeprefix('../quantities/')}")
        for table in doc.find_all("table", cls="group-table"):
            rows = table.find("tbody").find_all("tr")
            assert len(rows) <= 1
            listed += [r.find("a").text().strip() for r in rows]
    assert listed == [cv.id for g in q.groups for cv in g.claims]  # every claim, once, in order
    s = max(ctx.subjects.values(), key=lambda s: s.total)
    doc = page(out, s.url)
    assert doc.find("nav", cls="pages-of")
    assert broken_links(out) == []


def test_index_of_subjects_is_paged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from kb.site import pages

    monkeypatch.setattr(pages, "SUBJECTS_PAGE", 1)
    out = tmp_path / "site"
    outcome = build_site(out)
    ctx = resolve(outcome.kb, outcome.results)
    first = page(out, "subjects.html")
    hrefs = [str(a.get("href")) for a in first.find("nav", cls="pages-of").find_all("a")]
    assert hrefs[0] == "subjects.html" and hrefs[1] == "all-subjects/2.html"
    listed: list[str] = []
    for href in hrefs:
        rows = page(out, href).find("table").find("tbody").find_all("tr")
        assert len(rows) == 1
        listed += [str(r.find("a").get("href")).removeprefix("../") for r in rows]
    assert listed == [s.url for s in ctx.subjects.values()]
    assert broken_links(out) == []
