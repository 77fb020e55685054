"""Resolve: turn a checked knowledge base into the page context (kb/site/context.py), computed
once: claims by subject, quantity and source, the groups of comparable claims, and the reverse
dependencies (what rests on each claim)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import Path

from kb import display, slugs
from kb.contents import ClaimEntry, KnowledgeBase
from kb.model import Quantity
from kb.results import VERDICTS, ClaimResult, Results
from kb.site.context import Citation, ClaimView, Group, QuantityView, SiteContext, SourceView, SubjectView
from kb.site.protection import protection_of
from kb.units import UnitInfo, unit_info


def slugify(text: str) -> str:
    """A subject's URL part (kb/slugs.py)."""
    return slugs.slugify(text, 80, stable=True)


def written_value(entry: ClaimEntry) -> str:
    c = entry.claim
    if c.value is None:
        return c.statement or ""
    return display.written(c.value, c.unit or "1", c.qualifier)


def _sort_value(entry: ClaimEntry) -> float | None:
    if entry.value is None or entry.unit is None:
        return None
    m = entry.value.base("nominal").mid()
    return m if math.isfinite(m) else None


def _citations(kb: KnowledgeBase, entry: ClaimEntry, result: ClaimResult) -> list[Citation]:
    out = []
    for i, quote in enumerate(entry.claim.sources):
        found = result.quote_found[i] if i < len(result.quote_found) else None
        span = result.quote_spans[i] if i < len(result.quote_spans) else None
        out.append(
            Citation(
                i,
                quote,
                kb.sources.get(quote.source),
                found,
                span,
                f"q-{entry.id}-{i}",
                entry.id,
                result.verdict,
            )
        )
    return out


def _unique(ids: list[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def resolve(
    kb: KnowledgeBase,
    results: Results,
    readme: str = "",
    protect: bool = True,
    protection_cache: Path | None = None,
) -> SiteContext:
    """Build the page context: claims by subject, quantity and source, and reverse dependencies.

    `protection_cache`: a JSON file of the claim pages' mutation protection from earlier builds;
    only the claims whose relations changed are mutated again (kb.mutations.protection_cached)."""
    for source in kb.sources.values():
        if not source.text_verified:  # checked already; a text that fails its sha256 is never published
            source.text = None
    # Subjects: compared without case, as the checker does; shown as first written.
    subject_names: dict[str, str] = {}
    for e in kb.claims.values():
        subject_names.setdefault(e.claim.subject.casefold(), e.claim.subject)
    subject_slugs: dict[str, str] = {}
    taken: set[str] = set()
    for key in sorted(subject_names):
        base = slugify(subject_names[key])
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        subject_slugs[key] = slug

    views: dict[str, ClaimView] = {}
    for cid, e in kb.claims.items():
        r = results.claims[cid]
        q = kb.quantities.get(e.claim.quantity)
        problems = (
            list(e.problems) + list(r.problems) + [c.problem for c in r.checks if c.problem is not None]
        )
        interval = ""
        if e.value is not None and e.unit is not None:
            interval = display.interval(e.value.stated, e.unit)
        views[cid] = ClaimView(
            e,
            r,
            subject_slugs[e.claim.subject.casefold()],
            q.label if q else e.claim.quantity,
            _citations(kb, e, r),
            problems,
            written_value(e),
            interval,
            _sort_value(e),
            rests_on=_unique([i for c in e.claim.checks for i in c.inputs.values()]),
        )
    for cv in views.values():
        for dep in cv.rests_on:  # once each: rests_on has no repeats (a list scan was quadratic on hubs)
            if dep in views:
                views[dep].rested_on_by.append(cv.id)
    for conflict in results.conflicts:
        for cid in (conflict.a, conflict.b):
            if cid in views:
                views[cid].conflicts.append(conflict)
    for cv in views.values():
        cv.condemning = [results.by_key[k] for k in cv.result.condemned_by if k in results.by_key]
    if protect:
        for cid, found in protection_of(kb, protection_cache).items():
            if cid in views:
                views[cid].protection = found

    ordered = sorted(views.values(), key=lambda v: (v.subject_slug, v.claim.quantity, v.id))
    claims = {v.id: v for v in ordered}

    # Groups of one subject and quantity, ordered by value.
    grouped: dict[tuple[str, str], list[ClaimView]] = defaultdict(list)
    for v in ordered:
        grouped[(v.subject_slug, v.claim.quantity)].append(v)
    groups: dict[tuple[str, str], Group] = {}
    for (slug, qid), members in grouped.items():
        q = kb.quantities.get(qid)
        members.sort(key=lambda v: (v.sort_value is None, v.sort_value or 0.0, v.id))
        unit = _group_unit(q, members)
        groups[(slug, qid)] = Group(
            subject_names[members[0].claim.subject.casefold()],
            slug,
            qid,
            members[0].quantity_label,
            members,
            unit,
        )

    subjects: dict[str, SubjectView] = {}
    for key in sorted(subject_names, key=lambda k: subject_slugs[k]):
        slug = subject_slugs[key]
        subjects[slug] = SubjectView(subject_names[key], slug)
    quantities: dict[str, QuantityView] = {
        q.id: QuantityView(q.id, q.label, q.unit, q.description, True)
        for q in sorted(kb.quantities.values(), key=lambda q: q.id)
    }
    for (slug, qid), g in sorted(groups.items(), key=lambda kv: (kv[0][0], kv[1].quantity_label.casefold())):
        subjects[slug].groups.append(g)
        if qid not in quantities:
            quantities[qid] = QuantityView(qid, qid, "", "", False)
        quantities[qid].groups.append(g)
    for s in subjects.values():
        s.counts = _count(cv for g in s.groups for cv in g.claims)
    for qv in quantities.values():
        qv.groups.sort(key=lambda g: g.subject_slug)
        qv.counts = _count(cv for g in qv.groups for cv in g.claims)

    sources: dict[str, SourceView] = {sid: SourceView(s) for sid, s in sorted(kb.sources.items())}
    for cv in claims.values():
        for cit in cv.citations:
            if cit.source_id in sources:
                sources[cit.source_id].citations.append(cit)
    for sv in sources.values():
        sv.counts = _count(claims[cid] for cid in _unique([c.claim_id for c in sv.citations]))

    return SiteContext(kb, results, claims, subjects, quantities, sources, groups, list(kb.problems), readme)


def _group_unit(q: Quantity | None, members: list[ClaimView]) -> UnitInfo | None:
    numeric = [v.entry.unit for v in members if v.entry.value is not None and v.entry.unit is not None]
    if not numeric:
        return None
    if q is not None:
        try:
            qu = unit_info(q.unit)
        except Exception:  # the checker already reported a bad quantity unit
            qu = None
        if qu is not None and qu.dims == numeric[0].dims:
            return qu
    return numeric[0]


def _count(views: Iterable[ClaimView]) -> dict[str, int]:
    c: Counter[str] = Counter(v.verdict for v in views)
    return {v: c.get(v, 0) for v in VERDICTS}
