"""The hash of each page's inputs, so that a rebuild renders only the pages whose inputs changed.

Each claim gets two digests: one of everything its own page shows (its YAML as validated, where
it is defined, its check results, citations, conflicts and neighbours; its mutation protection is
added to its page's key last, see with_protection), and one of what other pages show of it (the
same without its notes, quotes and location), so that editing a claim's notes renders its own page
again, not every page that lists it. Each source gets a digest of its metadata and text. A page's
key hashes the digests of what it shows, plus a salt
covering kb's version, the templates and the site code, and the options that reach every page.
Two builds that compute the same key for a page would write the same file, so the second links
the first's file instead of rendering it again.

Pages that summarise the whole knowledge base (dashboard, lists, errors, methodology) have no
key: they are rendered every time (they are few and, with the dashboard's rows in a data file,
small).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from typing import Any

import kb
from kb.cachedir import package_hash
from kb.site import views
from kb.site.context import ClaimView, Group, SiteContext
from kb.site.graph import _levels
from kb.site.pages import Page

_CODE_SPAN = re.compile(r"`([^`\n]+)`")
_PAGE_ONLY: dict[str, Any] = {
    "notes": True,
    "justification": True,
    "rank_reason": True,
    "sources": {"__all__": {"quote", "translation", "locator"}},
    "checks": {"__all__": {"note"}},
}
"""What only a claim's own page shows of it (and the source pages that cite it, which take the
whole digest)."""


def code_salt() -> bytes:
    """kb's version and every file of the package: a change to any renders again."""
    return (kb.__version__ + package_hash()).encode()


def _h(*parts: bytes | str) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    for p in parts:
        h.update(p.encode("utf-8", "surrogateescape") if isinstance(p, str) else p)
        h.update(b"\x1f")
    return h.digest()


def _linked(ctx: SiteContext, texts: Iterable[str | None]) -> str:
    """Which code spans of these markdown texts are claim ids (they become links)."""
    out = [w for t in texts if t and "`" in t for w in _CODE_SPAN.findall(t) if w in ctx.claims]
    return ",".join(out)


class Digests:
    """Digests of claims, sources and groups, each computed once."""

    def __init__(self, ctx: SiteContext, salt: bytes) -> None:
        self.ctx = ctx
        self.salt = salt
        self._claims: dict[str, bytes] = {}
        self._shown: dict[str, bytes] = {}
        self._sources: dict[str, bytes] = {}
        self._groups: dict[int, bytes] = {}

    def claim(self, cid: str) -> bytes:
        d = self._claims.get(cid)
        if d is None:
            cv = self.ctx.claims[cid]
            d = self._claims[cid] = self._claim(cv)
        return d

    def _claim(self, cv: ClaimView) -> bytes:
        e = cv.entry
        cites = [(c.source_id, c.source is not None, c.found, c.span) for c in cv.citations]
        return _h(
            self.shown(cv.id),  # the rest of what the page shows
            e.claim.model_dump_json(),
            str(e.location),
            repr(e.problems),
            repr(cites),
            repr(cv.condemning),
        )

    def shown(self, cid: str) -> bytes:
        """What pages other than its own show of a claim (a row, a graph node, a check's input)."""
        d = self._shown.get(cid)
        if d is None:
            cv = self.ctx.claims[cid]
            claim = cv.entry.claim.model_dump_json(exclude=_PAGE_ONLY)
            cites = [(c.source_id, c.source is not None) for c in cv.citations]
            d = self._shown[cid] = _h(
                claim,
                repr(cv.result),
                repr(cites),
                repr(cv.conflicts),
                repr((cv.subject_slug, cv.quantity_label, cv.rests_on, cv.rested_on_by)),
            )
        return d

    def source(self, sid: str) -> bytes:
        d = self._sources.get(sid)
        if d is None:
            s = self.ctx.kb.sources.get(sid)
            d = b"" if s is None else _h(s.meta.model_dump_json(), s.text or "", str(s.location))
            self._sources[sid] = d
        return d

    def group(self, g: Group) -> bytes:
        d = self._groups.get(id(g))
        if d is None:
            d = _h(
                repr(
                    (
                        g.subject,
                        g.subject_slug,
                        g.quantity_id,
                        g.quantity_label,
                        g.unit,
                        g.chart,
                        g.chart_size,
                    )
                ),
                *(self.shown(cv.id) for cv in g.claims),
                *(self.source(cv.citations[0].source_id) for cv in g.claims if cv.citations),
            )
            self._groups[id(g)] = d
        return d


def page_keys(ctx: SiteContext, pages: list[Page], salt: bytes = b"") -> dict[str, str]:
    """path -> key for every page that has one (see the module's docstring)."""
    salt = code_salt() + salt
    d = Digests(ctx, salt)
    out: dict[str, str] = {}
    for page in pages:
        key: bytes | None = None
        data = page.data
        if isinstance(data, views.Claim):
            cv: ClaimView = data.cv
            group = ctx.groups[(cv.subject_slug, cv.claim.quantity)]
            near = [cid for level in _levels(ctx, cv.id).values() for cid in level]
            notes = [cv.claim.notes, cv.claim.justification, cv.claim.rank_reason]
            notes += [c.note for c in cv.checks]
            key = _h(
                salt,
                page.path,
                d.claim(cv.id),
                d.group(group),
                *(d.shown(cid) for cid in near),
                *(d.source(c.source_id) for c in cv.citations),
                _linked(ctx, notes),
            )
        elif isinstance(data, views.Subject):
            s = data.subject
            key = _h(salt, page.path, s.name, *(d.group(g) for g in s.groups))
        elif isinstance(data, views.Quantity):
            q = data.quantity
            # Its first page charts every estimate; the others show only their own groups' rows.
            shown = q.groups if data.quantity_chart or data.quantity_vega else [p.group for p in data.parts]
            key = _h(
                salt,
                page.path,
                repr((q.id, q.label, q.unit, q.description, q.defined, data.quantity_chart)),
                repr((q.total, len(q.groups), [(p.start, p.stop) for p in data.parts], data.pager)),
                _linked(ctx, [q.description]),
                *(d.group(g) for g in shown),
            )
        elif isinstance(data, views.Source):
            sv = data.sv
            meta = sv.source.meta
            key = _h(
                salt,
                page.path,
                d.source(sv.id),
                d.source(meta.translation_of) if meta.translation_of else b"",
                repr(sorted(ctx.sources)) if meta.translation_of else "",
                repr([(c.claim_id, c.index) for c in sv.citations]),
                *(d.claim(c.claim_id) for c in sv.citations),
                _linked(ctx, [meta.description]),
            )
        elif isinstance(data, views.ClaimsList):
            key = _h(salt, page.path, str(data.count), *(d.claim(cv.id) for cv in data.rows))
        if key is not None:
            out[page.path] = _h(key, page.title, page.description).hex()
    return out


def with_protection(keys: dict[str, str], pages: list[Page]) -> dict[str, str]:
    """The keys of claim pages with what they say of their protection (found beside the other
    inputs: kb/site/build.py), which no other page shows."""
    out = dict(keys)
    for page in pages:
        if isinstance(page.data, views.Claim) and page.path in out:
            out[page.path] = _h(bytes.fromhex(out[page.path]), repr(page.data.cv.protection)).hex()
    return out
