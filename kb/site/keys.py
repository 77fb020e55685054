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

import re
from collections.abc import Iterable
from hashlib import blake2b
from typing import Any

import kb
from kb.cachedir import package_hash
from kb.model import Claim
from kb.site import views
from kb.site.context import ClaimView, Group, SiteContext
from kb.site.graph import _levels
from kb.site.pages import Page
from kb.units import UnitInfo

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
DIGEST = 16
NO_SOURCE = blake2b(b"no such source", digest_size=DIGEST).digest()
"""The digest of a source id that names no source (every digest has DIGEST bytes)."""


def code_salt() -> bytes:
    """kb's version and every file of the package: a change to any renders again."""
    return (kb.__version__ + package_hash()).encode()


def _h(text: str, *digests: bytes) -> bytes:
    """The digest of a text and of digests, in one update: 55,000 of these at 10,000 claims, where
    an update per part cost more than the hashing. The text comes first and says how many digests
    follow it (_text), and each digest is DIGEST bytes long, so no two inputs join alike."""
    data = text.encode("utf-8", "surrogateescape")
    if digests:
        data += b"".join(digests)
    return blake2b(data, digest_size=DIGEST).digest()


def _text(*parts: str) -> str:
    """Parts joined so that where each ends can be told: each after its length."""
    return "".join([f"{len(p)}:{p}" for p in parts])


def _linked(ctx: SiteContext, texts: Iterable[str | None]) -> str:
    """Which code spans of these markdown texts are claim ids (they become links)."""
    out = [w for t in texts if t and "`" in t for w in _CODE_SPAN.findall(t) if w in ctx.claims]
    return ",".join(out)


class DigestMemo:
    """A build's claim digests with what they were computed from, for the next build in the same
    process (`kb serve`): a claim whose inputs compare equal keeps its digests instead of being
    serialised and hashed again (10,000 claims: about 0.4 s of a one-value rebuild's 0.7 s of keys).

    Its YAML is compared by identity, then as the JSON the digest hashes (`_same_yaml`), so a value
    written 1000 then 1e3 counts as changed; the rest (results, conflicts, problems, citations) are
    kb's own dataclasses, made by the same code from the same inputs, compared field by field."""

    def __init__(self) -> None:
        self.claims: dict[str, tuple[Claim, tuple[object, ...], bytes, bytes]] = {}
        """Claim id -> (its claim, its other inputs, its page digest, its shown digest)."""


def _cites(cv: ClaimView) -> list[tuple[str, bool, bool | None, object]]:
    """What a claim's own page shows of its citations: source, archived, quote found and where."""
    return [(c.source_id, c.source is not None, c.found, c.span) for c in cv.citations]


def _same_yaml(claim: Claim, known: Claim) -> bool:
    """Whether two claims' YAML is the same, as their digests see it (as JSON): at once when they
    are one object, as kb serve's loads share an unchanged file's validated, frozen claims."""
    return claim is known or claim.model_dump_json() == known.model_dump_json()


class Digests:
    """Digests of claims, sources and groups, each computed once."""

    def __init__(self, ctx: SiteContext, memo: DigestMemo | None = None) -> None:
        self.ctx = ctx
        self.memo = memo
        self._claims: dict[str, bytes] = {}
        self._shown: dict[str, bytes] = {}
        self._sources: dict[str, bytes] = {}
        self._groups: dict[int, bytes] = {}
        self._units: dict[int, str] = {}

    def claim(self, cid: str) -> bytes:
        d = self._claims.get(cid)
        if d is None:
            if self.memo is not None:
                return self._remembered(cid)[0]
            d = self._claims[cid] = self._claim(self.ctx.claims[cid], self.shown(cid))
        return d

    def _remembered(self, cid: str) -> tuple[bytes, bytes]:
        """Both digests of a claim: the memo's when its inputs are equal, else computed and kept."""
        assert self.memo is not None
        cv = self.ctx.claims[cid]
        e = cv.entry
        rest = (
            str(e.location),
            e.problems,
            _cites(cv),
            cv.condemning,
            cv.result,
            cv.conflicts,
            (cv.subject_slug, cv.quantity_label, cv.rests_on, cv.rested_on_by),
        )
        known = self.memo.claims.get(cid)
        if known is not None and _same_yaml(e.claim, known[0]) and known[1] == rest:
            own, shown = known[2], known[3]
        else:
            shown = self._shown_of(cv)
            own = self._claim(cv, shown)
        self.memo.claims[cid] = (e.claim, rest, own, shown)  # the newest claim object: see _same_yaml
        self._claims[cid], self._shown[cid] = own, shown
        return own, shown

    def _claim(self, cv: ClaimView, shown: bytes) -> bytes:
        e = cv.entry
        text = _text(
            e.claim.model_dump_json(),
            str(e.location),
            repr(e.problems),
            repr(_cites(cv)),
            repr(cv.condemning),
        )
        return _h(text, shown)  # and the rest of what the page shows

    def shown(self, cid: str) -> bytes:
        """What pages other than its own show of a claim (a row, a graph node, a check's input)."""
        d = self._shown.get(cid)
        if d is None:
            if self.memo is not None:
                return self._remembered(cid)[1]
            d = self._shown[cid] = self._shown_of(self.ctx.claims[cid])
        return d

    def _shown_of(self, cv: ClaimView) -> bytes:
        claim = cv.entry.claim.model_dump_json(exclude=_PAGE_ONLY)
        cites = [(c.source_id, c.source is not None) for c in cv.citations]
        return _h(
            _text(
                claim,
                repr(cv.result),
                repr(cites),
                repr(cv.conflicts),
                repr((cv.subject_slug, cv.quantity_label, cv.rests_on, cv.rested_on_by)),
            )
        )

    def source(self, sid: str) -> bytes:
        d = self._sources.get(sid)
        if d is None:
            s = self.ctx.kb.sources.get(sid)
            d = NO_SOURCE if s is None else _h(_text(s.meta.model_dump_json(), s.text or "", str(s.location)))
            self._sources[sid] = d
        return d

    def _unit(self, unit: UnitInfo | None) -> str:
        """The repr of a unit, made once per unit object (a few units serve 10,000 groups)."""
        text = self._units.get(id(unit))
        if text is None:
            text = self._units[id(unit)] = repr(unit)
        return text

    def group(self, g: Group) -> bytes:
        d = self._groups.get(id(g))
        if d is None:
            cited = [cv.citations[0].source_id for cv in g.claims if cv.citations]
            head = (g.subject, g.subject_slug, g.quantity_id, g.quantity_label, g.chart, g.chart_size)
            d = _h(
                _text(repr(head), self._unit(g.unit), str(len(g.claims)), str(len(cited))),
                *[self.shown(cv.id) for cv in g.claims],
                *[self.source(sid) for sid in cited],
            )
            self._groups[id(g)] = d
        return d


def page_keys(
    ctx: SiteContext, pages: list[Page], salt: bytes = b"", memo: DigestMemo | None = None
) -> dict[str, str]:
    """path -> key for every page that has one (see the module's docstring); `memo`: the claim
    digests of the previous build in this process, updated to this one's."""
    salted = blake2b(code_salt() + salt, digest_size=DIGEST).digest()
    d = Digests(ctx, memo)
    out: dict[str, str] = {}
    for page in pages:
        key = _key(ctx, d, page)
        if key is not None:
            title = _text(page.path, page.title, page.description)
            out[page.path] = _h(title, salted, key).hex()
    if memo is not None:  # claims gone since are forgotten
        memo.claims = {cid: found for cid, found in memo.claims.items() if cid in ctx.claims}
    return out


def _key(ctx: SiteContext, d: Digests, page: Page) -> bytes | None:
    """The digest of what the page shows besides its path, title and description; None for the
    pages rendered every time."""
    data = page.data
    if isinstance(data, views.Claim):
        cv: ClaimView = data.cv
        group = data.group
        near = [cid for level in _levels(ctx, cv.id).values() for cid in level]
        notes = [cv.claim.notes, cv.claim.justification, cv.claim.rank_reason]
        notes += [c.note for c in cv.checks]
        return _h(
            _text(_linked(ctx, notes), str(len(near)), str(len(cv.citations))),
            d.claim(cv.id),
            d.group(group),
            *[d.shown(cid) for cid in near],
            *[d.source(c.source_id) for c in cv.citations],
        )
    if isinstance(data, views.Subject):
        s = data.subject
        return _h(_text(s.name, str(len(s.groups))), *[d.group(g) for g in s.groups])
    if isinstance(data, views.Quantity):
        q = data.quantity
        # Its first page charts every estimate; the others show only their own groups' rows.
        shown = q.groups if data.quantity_chart or data.quantity_vega else [p.group for p in data.parts]
        return _h(
            _text(
                repr((q.id, q.label, q.unit, q.description, q.defined, data.quantity_chart)),
                repr((q.total, len(q.groups), [(p.start, p.stop) for p in data.parts], data.pager)),
                _linked(ctx, [q.description]),
                str(len(shown)),
            ),
            *[d.group(g) for g in shown],
        )
    if isinstance(data, views.Source):
        sv = data.sv
        meta = sv.source.meta
        translated = meta.translation_of
        return _h(
            _text(
                repr(sorted(ctx.sources)) if translated else "",
                repr([(c.claim_id, c.index) for c in sv.citations]),  # says how many digests follow
                _linked(ctx, [meta.description]),
            ),
            d.source(sv.id),
            d.source(translated) if translated else NO_SOURCE,
            *[d.claim(c.claim_id) for c in sv.citations],
        )
    if isinstance(data, views.ClaimsList):
        return _h(_text(str(data.count), str(len(data.rows))), *[d.claim(cv.id) for cv in data.rows])
    return None


def with_protection(keys: dict[str, str], pages: list[Page]) -> dict[str, str]:
    """The keys of claim pages with what they say of their protection (found beside the other
    inputs: kb/site/build.py), which no other page shows."""
    out = dict(keys)
    for page in pages:
        if isinstance(page.data, views.Claim) and page.path in out:
            out[page.path] = _h(repr(page.data.cv.protection), bytes.fromhex(out[page.path])).hex()
    return out
