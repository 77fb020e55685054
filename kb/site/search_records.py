"""Search records: what pagefind indexes of each searchable page, made once, as data.

Pagefind costs time and memory with every word it reads, so it is not run over the rendered pages:
each searchable page (claims, sources, subjects, quantities, audits) gets a record, its title,
verdict filter and only the words a reader searches for (a claim's subject, quantity, value and id,
its quotes and their translations, the sources' ids and titles; a source's metadata, not its
archived text: its quotes are in the claims). record() makes it; records() reuses the records of
pages whose inputs are unchanged from a cache file; request() is what pagefind is sent to index
one, the digest its HTML parser would make of html(), the small HTML document the record stands
for (never written by a build: the tests index both and compare the bundles).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape, unescape
from pathlib import Path

from kb.cachedir import read_json, write_json
from kb.site import views
from kb.site.context import SiteContext
from kb.site.pages import Page
from kb.site.views import Plain

FORMAT = "kb search records 4"
"""The version of records and of what pagefind is sent for them: a change to either bumps it, so
the records cache and every shard's key (kb/site/search.py) miss."""
CJK_WORD = 6
"""The longest Chinese word the index holds: a query up to this long finds any passage containing it."""
ZH_MARK = "kbzhwords"
"""Starts the Chinese words of a record; search.js shows no excerpt past it."""
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")


@dataclass(frozen=True, slots=True)
class Record:
    """What pagefind indexes of one page."""

    heading: str
    """The result's title, indexed with the heaviest weight (an h1's)."""
    verdict: str | None
    """A claim's verdict, the search page's filter; None for other pages."""
    paragraphs: tuple[str, ...]
    """The words searched, in blocks; the last the Chinese words after ZH_MARK, if there are any."""

    def as_json(self) -> list[object]:
        return [self.heading, self.verdict, list(self.paragraphs)]

    @staticmethod
    def from_json(data: object) -> Record | None:
        """The record as_json() gave, or None when `data` is not one."""
        if not (isinstance(data, list) and len(data) == 3):
            return None
        heading, verdict, paragraphs = data
        if (
            isinstance(heading, str)
            and (verdict is None or isinstance(verdict, str))
            and isinstance(paragraphs, list)
            and all(isinstance(p, str) for p in paragraphs)
        ):
            return Record(heading, verdict, tuple(paragraphs))
        return None


_CANONICAL = json.JSONEncoder(separators=(",", ":"))


def canonical(records: Iterable[tuple[str, Record]]) -> bytes:
    """One serialisation of records with their pages' paths (compact ASCII JSON): what a shard's
    key hashes (kb/site/search.py), in one call for all of them."""
    return _CANONICAL.encode([(path, r.heading, r.verdict, r.paragraphs) for path, r in records]).encode()


def _words(*parts: object) -> str:
    return " · ".join(str(p) for p in parts if p not in (None, ""))


def cjk_words(text: str) -> str:
    """Every suffix of each run of Chinese characters, cut to CJK_WORD characters, as words.

    Chinese has no spaces, so the English index holds a whole run ("它大约有") as one word and
    "大约" finds nothing. Pagefind matches a query as the prefix of a word, so indexing each suffix
    ("它大约有", "大约有", "约有") lets any substring of a run be found, without a dictionary.
    """
    out: list[str] = []
    for run in _CJK_RUN.findall(text):
        out.extend(run[i : i + CJK_WORD] for i in range(1, len(run) - 1))
    return " ".join(dict.fromkeys(out))


def record(page: Page, ctx: SiteContext) -> Record | None:
    """What pagefind indexes of a page, or None if it is not searched."""
    if not page.indexed:
        return None
    d = page.data
    if isinstance(d, dict):  # the audit page
        d = Plain()
    verdict = None
    heading = page.title
    body: list[str] = []
    if page.template == "claim.html":
        assert isinstance(d, views.Claim)
        cv = d.cv
        c = cv.claim
        verdict = cv.style.label or None
        # Results must tell claims apart: "GPT-4 · Total parameters: about 1.8 trillion (source)".
        source = cv.citations[0].source_id if cv.citations else ""
        heading = f"{c.subject} · {cv.quantity_label}: {cv.value_text}" + (f" ({source})" if source else "")
        body.append(_words(c.subject, cv.quantity_label, cv.value_text, c.statement, cv.id))
        for cit in cv.citations:  # what readers search: the words of the quote, and where it is from
            title = cit.source.meta.title if cit.source is not None else ""
            body.append(_words(cit.quote.quote, cit.quote.translation, cit.source_id, title))
    elif page.template == "source.html":
        assert isinstance(d, views.Source)
        sv = d.sv
        m = sv.source.meta
        body.append(_words(m.id, m.kind, m.author, m.publisher, m.published, m.url, m.description))
        body.append(_words(f"{_claims(sv.total)} cite{'s' if sv.total == 1 else ''} it"))
    elif page.template == "subject.html":
        assert isinstance(d, views.Subject)
        s = d.subject
        body.append(_words(s.name, _claims(s.total)))
        body.append(", ".join(g.quantity_label for g in s.groups))
    elif page.template == "quantity.html":
        assert isinstance(d, views.Quantity)
        q = d.quantity
        body.append(_words(q.label, q.id, q.unit, q.description, _claims(q.total)))
    else:
        body.append(page.description)
    paragraphs = [b for b in body if b]
    chinese = cjk_words(" ".join(body))
    if chinese:  # after a mark the search page cuts from excerpts (kb/static/search.js)
        paragraphs.append(f"{ZH_MARK} {chinese}")
    return Record(heading, verdict, tuple(paragraphs))


def records(
    pages: Iterable[Page],
    ctx: SiteContext,
    keys: dict[str, str] | None = None,
    cache: Path | None = None,
) -> dict[str, Record]:
    """The record of every searchable page, by its path.

    With `keys` (each page's input hash) and a `cache` file, a page whose inputs hash as before
    reuses its record: after one claim changes, only the records of its pages are made again. The
    cache holds each searched page's record as_json(), by key, under FORMAT: a cache of another
    format is ignored, and an entry that is not a record is made again.
    """
    loaded = read_json(cache) if cache is not None and keys is not None else None
    known = loaded.get("records") if isinstance(loaded, dict) and loaded.get("format") == FORMAT else None
    if not isinstance(known, dict):
        known = {}
    fresh: dict[str, object] = {}
    made: dict[str, Record] = {}
    for p in pages:
        if not p.indexed:
            continue
        key = keys.get(p.path) if keys is not None else None
        entry = known.get(key) if key is not None else None
        r = Record.from_json(entry)
        if r is None:
            r = record(p, ctx)
            if r is None:
                continue
            entry = r.as_json()
        if key is not None:
            fresh[key] = entry
        made[p.path] = r
    if cache is not None and keys is not None and fresh != known:
        write_json(cache, {"format": FORMAT, "records": fresh})
    return made


_SENTENCE_END = re.compile(r"[\w)$*]")
"""Pagefind's SENTENCE_CHARS ([\\w'")$*]), matched against a block's last character in the HTML:
html() writes a quote as an entity, which ends with ';', so a block ending in one gets no full stop."""


def request(path: str, rec: Record) -> dict[str, object]:
    """The AddRecord request that indexes a record as pagefind indexes html(rec) as a file at path.

    Pagefind parses HTML into a digest, text with weight markers, and indexes that: a record sent
    as its digest spares the parse, a quarter of pagefind's work. The digest is made as pagefind's
    parser makes it (tests/test_search.py compares the bundles of both ways): the heading weighted
    7 as an h1, a full stop after a block whose source text ends in a word character, white space
    collapsed in the title and the filter; the filter's value decoded once more, as pagefind
    decodes an element's text. A page's path is plain (ids are [a-z0-9._-]), so its URL is the path.
    """
    digest = f" ___PAGEFIND_AUTO_WEIGHT___7 {_block(rec.heading)} ___END_PAGEFIND_WEIGHT___ "
    digest += (rec.verdict or "") + "".join(_block(p) for p in rec.paragraphs)
    url = "/" + path
    if url.endswith("/index.html"):  # as pagefind writes a folder's index page
        url = url[: -len("index.html")]
    return {
        "type": "AddRecord",
        "url": url,
        "content": digest,
        "language": "en",
        "meta": {"title": " ".join(rec.heading.split())},
        "filters": {} if rec.verdict is None else {"verdict": [" ".join(unescape(rec.verdict).split())]},
    }


def _block(text: str) -> str:
    return " " + text + ("." if text and _SENTENCE_END.match(text[-1]) else "") + " "


def html(rec: Record) -> str:
    """The record as the HTML document pagefind's parser reads as request() says."""
    filt = "" if rec.verdict is None else f'<span data-pagefind-filter="verdict">{escape(rec.verdict)}</span>'
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(rec.heading)}</title></head>"
        f'<body><main data-pagefind-body><h1 data-pagefind-meta="title">{escape(rec.heading)}</h1>'
        + filt
        + "".join(f"<p>{escape(p)}</p>" for p in rec.paragraphs)
        + "</main></body></html>\n"
    )


def _claims(n: int) -> str:
    return f"{n} claim" if n == 1 else f"{n} claims"
