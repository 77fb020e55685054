"""Trust: what believing a claim wrong costs, for the blame (kb/blame.py) to weigh explanations.

A reference fact from a datasheet or a paper costs more than an article's figure, an article's
more than a translation's or a rumour's; a relation with another document that pins the value
(it would fail were the claim ten times off) adds to it. Copies of one document are one witness: a
translation counts as its original.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Protocol

from kb.contents import KnowledgeBase
from kb.judge import Outcome, Values, judge, overlay, replaces
from kb.model import Claim
from kb.relations import Spec
from kb.verdicts import Verdict

if TYPE_CHECKING:
    from kb.diagnosis import Memo

HUB = 40
"""A claim in more relations than this (a constant of a law, a chip's datasheet) links no components
of the blame (kb/blame.py), and a reference fact's confirmations count up to it."""
TRUST = {
    "reference": 8.0,
    "assumption": 2.5,  # a guess: doubted before a figure a source states
    "primary": 4.0,  # a claim of a paper, datasheet, announcement, price list or data set
    "article": 3.0,
    "translation": 2.0,
    "rumour": 1.0,  # a claim ranked deprecated
}
"""What it costs to believe a claim wrong: the higher, the more trusted."""
PRIMARY_KINDS = frozenset({"paper", "datasheet", "announcement", "pricing", "dataset", "definition"})
CONFIRMED = 1.0
"""Added trust per independent relation that confirms the claim (at most two count, but every one
for a reference fact)."""


class Weighing(Protocol):
    """What trust reads of a diagnosis (kb/blame.py's context): the knowledge base as judged, the
    claims condemned so far, and the trust already known."""

    kb: KnowledgeBase
    outcomes: Mapping[str, Outcome]
    values: Values
    by_claim: dict[str, list[str]]
    trust_of: dict[str, float]
    shared_trust: Mapping[str, float] | None
    changed: str | None
    condemned: set[str]
    document: dict[str, str]
    memo: Memo | None


def least_trust(ctx: Weighing, cid: str) -> float:
    """At most `trust`: the claim's trust without its confirmations, unless known already."""
    if cid in ctx.condemned:
        return 0.0
    if cid in ctx.trust_of:
        return ctx.trust_of[cid]
    entry = ctx.kb.claims.get(cid)
    return TRUST["article"] if entry is None else _base_trust(ctx, entry.claim)


def trust(ctx: Weighing, cid: str) -> float:
    """What believing this claim wrong costs in this diagnosis: nothing once condemned; else its
    kind, rank and source, and the independent relations that confirm it."""
    if cid in ctx.condemned:
        return 0.0
    if cid in ctx.trust_of:
        return ctx.trust_of[cid]
    if ctx.shared_trust is not None and cid != ctx.changed and cid in ctx.shared_trust:
        found = ctx.trust_of[cid] = ctx.shared_trust[cid]  # asked again and again: read it once
        return found
    entry = ctx.kb.claims.get(cid)
    if entry is None:
        return TRUST["article"]
    claim = entry.claim
    base = _base_trust(ctx, claim)
    # A reference confirmed by many relations (a chip's datasheet used by many rows) is trusted
    # accordingly, a claim's confirmations count up to two, and an assumption's not at all: that it
    # holds in one case says nothing of the next.
    most = HUB if claim.kind == "reference" else 0 if claim.kind == "assumption" else 2
    weight = ctx.trust_of[cid] = base + CONFIRMED * confirmations_of(ctx, cid, stop=most)
    return weight


def _base_trust(ctx: Weighing, claim: Claim) -> float:
    """What a claim's kind, rank and source make its trust, before its confirmations."""
    if claim.rank == "deprecated":
        base = TRUST["rumour"]
    elif claim.kind in ("reference", "assumption"):
        base = TRUST[claim.kind]
    else:
        source = ctx.kb.sources.get(claim.sources[0].source)
        kind = source.meta.kind if source else "other"
        base = (
            TRUST["primary"]
            if kind in PRIMARY_KINDS
            else TRUST["translation"]
            if kind == "translation"
            else TRUST["article"]
        )
        base += 1.0 if claim.rank == "preferred" else 0.0
    return base


def confirmations_of(ctx: Weighing, cid: str, stop: int) -> int:
    """Passing relations, involving another source, that would fail were this claim 10x off."""
    count = 0
    for key in ctx.by_claim.get(cid, [])[:CONFIRMING]:
        if confirms(ctx, cid, key):
            count += 1
            if count >= stop:
                break
    return count


CONFIRMING = HUB * 2
"""A claim's trust looks at its first this many relations for confirmations."""


def confirms(ctx: Weighing, cid: str, key: str) -> bool:
    """Whether this passing relation, involving another source, would fail were the claim 10x off."""
    value = ctx.values.get(cid)
    entry = ctx.kb.claims.get(cid)
    if value is None or entry is None or value.unit.is_date:
        return False
    outcome = ctx.outcomes[key]
    if outcome.verdict != Verdict.CONSISTENT:
        return False
    spec = outcome.spec
    own = document_of(ctx, cid)
    if not any(document_of(ctx, c) != own for c in spec.claims if c != cid):
        return False
    return all(  # a relation that pins the value, not a one-sided bound
        scaled_verdict(spec, overlay(ctx.values, cid, value.scaled(k)), k, ctx.memo) == Verdict.INCONSISTENT
        for k in (10.0, 0.1)
    )


def scaled_verdict(spec: Spec, values: Values, factor: float, memo: Memo | None) -> Verdict:
    """The verdict alone of `spec` at `values`, where one claim's value is scaled by `factor` (a
    mutation; a confirmation's question). Kept in `memo` when `values` are its values with that
    claim's alone scaled (`Memo.verdicts`): the mutation report asks both of the same relations."""
    cid = replaces(values, memo.values) if memo is not None and memo.values is not None else None
    if memo is None or cid is None:
        return judge(spec, values, explain=False).verdict
    key = (spec.key, cid, factor)
    found = memo.verdicts.get(key)
    if found is None:
        found = memo.verdicts[key] = judge(spec, values, explain=False).verdict
    return found


def document_of(ctx: Weighing, cid: str) -> str:
    """The document a claim comes from: a translation counts as its original (not independent)."""
    found = ctx.document.get(cid)
    if found is None:
        found = ctx.document[cid] = document(ctx.kb, cid)
    return found


def document(kb: KnowledgeBase, cid: str) -> str:
    entry = kb.claims.get(cid)
    if entry is None:
        return ""
    source = entry.claim.sources[0].source
    meta = kb.sources[source].meta if source in kb.sources else None
    return (meta.translation_of or source) if meta is not None else source
