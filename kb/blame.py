"""Blame: which claims are wrong, given which relations fail and which hold.

Model-based diagnosis (de Kleer's GDE, Reiter's hitting sets): every failed relation is a conflict
(one of its claims must be wrong). A diagnosis is a minimal set of claims that meets every
conflict and can be given values for which every relation it touches holds, failed or passing
(solved by kb/solve.py). Diagnoses are ranked by how trustworthy their claims are: a reference
fact from a datasheet or a paper over an article, an article over a translation or a rumour, and a
claim that an independent relation confirms over one that nothing confirms. The cheapest diagnosis
is the explanation; equally cheap ones are all reported ("either A or B is wrong").

The search (kb/hitting.py: branch and bound over the claims of the failed relations) runs per
connected component of failed relations; reference facts, assumptions and claims in very many
relations do not join components (the rows that share one datasheet are separate findings). Past
its bound, a greedy cover stands in.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterator, Mapping

from kb import fixing, hitting, trust
from kb.contents import KnowledgeBase
from kb.diagnosis import Blame as Blame
from kb.diagnosis import Context, Fix
from kb.diagnosis import Diagnosis as Diagnosis
from kb.diagnosis import Memo as Memo
from kb.interval import Interval
from kb.judge import Outcome, Values, replaces, unit_kinds
from kb.slips import fitting
from kb.solve import NOT_NEGATIVE
from kb.trust import HUB as HUB
from kb.verdicts import Standing, Verdict


def diagnose(
    kb: KnowledgeBase,
    outcomes: Mapping[str, Outcome],
    values: Values,
    focus: set[str] | None = None,
    by_claim: dict[str, list[str]] | None = None,
    shared_trust: Mapping[str, float] | None = None,
    changed: str | None = None,
    explain: bool = True,
    memo: Memo | None = None,
    factor: float | None = None,
) -> Diagnosis:
    """Blame for every failed relation; with `focus` (relation keys), only for the failed relations
    connected to them (the mutation report changes one claim, `changed`, at a time, and keeps the
    trust of the others in `shared_trust`: a claim's trust comes from the knowledge base as it is).

    With `explain` False no slip is named (`Blame.slip` stays None); who is blamed, how, for which
    relations and with which suggested values is the same. `memo` keeps what depends on the
    knowledge base and `by_claim` alone from one diagnosis to the next (the mutation report's);
    `factor`, when `values` are the memo's with the changed claim's scaled by it, lets solutions that
    do not move with that scale be shared too.
    """
    index = by_claim if by_claim is not None else relation_index(outcomes)
    ctx = Context(kb, outcomes, values, index, shared_trust=shared_trust, changed=changed, explain=explain)
    if memo is not None:
        _with_memo(ctx, memo)
        if memo.values is not None and changed is not None and replaces(values, memo.values) == changed:
            ctx.base_solved, ctx.factor = memo.solved, factor
    if focus is None:
        failed = [k for k, o in outcomes.items() if o.verdict == Verdict.INCONSISTENT]
    else:
        failed = _connected_failures(ctx, focus)
    out = Diagnosis()
    ctx.failed = frozenset(failed)
    # The largest problems first: a claim they condemn then explains smaller ones at no cost.
    ctx.fixed_claims = out.fixed
    _common_causes(ctx, failed, out)
    for component in sorted(_components(ctx, failed), key=lambda c: (-len(c), c)):
        ctx.component = frozenset(component)
        ctx.fix_memo = {}  # a fix depends on the component diagnosed
        for cid in _diagnose_component(ctx, component, out):  # only what this component changed
            b = out.blamed[cid]
            if b.standing == Standing.CONDEMNED:
                ctx.condemned.add(cid)
                if b.suggested is not None:
                    ctx.fixed[cid] = b.suggested
    return out


def _connected_failures(ctx: Context, focus: set[str]) -> list[str]:
    """The failed relations reachable from `focus` through shared claims (hubs excepted)."""
    seen = {k for k in focus if ctx.outcomes[k].verdict == Verdict.INCONSISTENT}
    stack = list(seen)
    while stack:
        key = stack.pop()
        for cid in _linked(ctx, key):
            for near in (cid, *_tied(ctx, cid)):
                for other in ctx.by_claim.get(near, []):
                    if other not in seen and ctx.outcomes[other].verdict == Verdict.INCONSISTENT:
                        seen.add(other)
                        stack.append(other)
    return sorted(seen)


def relation_index(outcomes: Mapping[str, Outcome]) -> dict[str, list[str]]:
    """Claim id -> keys of the relations (not in error) that involve it."""
    by_claim: dict[str, list[str]] = defaultdict(list)
    for key, o in outcomes.items():
        if o.verdict != Verdict.ERROR:
            for cid in o.spec.claims:
                by_claim[cid].append(key)
    return by_claim


def _components(ctx: Context, failed: list[str]) -> list[list[str]]:
    parent = {k: k for k in failed}

    def find(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    first_of: dict[str, str] = {}
    for key in failed:
        for cid in _linked(ctx, key):
            if cid in first_of:
                parent[find(key)] = find(first_of[cid])
            else:
                first_of[cid] = key
    # Failures whose claims a passing relation ties together (two statements of one figure, each in
    # a failed relation) are one problem: blaming one claim must keep the passing relation true.
    for cid, key in list(first_of.items()):
        for other in _tied(ctx, cid):
            if other in first_of:
                parent[find(key)] = find(first_of[other])
    groups: dict[str, list[str]] = defaultdict(list)
    for key in failed:
        groups[find(key)].append(key)
    return list(groups.values())


def _tied(ctx: Context, cid: str) -> Iterator[str]:
    """Claims that share a passing relation with this one (and join components)."""
    outcomes = ctx.outcomes
    for key, others in _ties(ctx, cid):
        if others and outcomes[key].verdict == Verdict.CONSISTENT:
            yield from others


def _ties(ctx: Context, cid: str) -> list[tuple[str, tuple[str, ...]]]:
    """Each relation of the claim with its other claims that link components: what `_tied` reads of
    them but the verdict, worked out once (the same in every diagnosis of a memo's)."""
    found = ctx.ties.get(cid)
    if found is None:
        found = ctx.ties[cid] = [
            (key, tuple(c for c in _linked(ctx, key) if c != cid)) for key in ctx.by_claim.get(cid, ())
        ]
    return found


def _linked(ctx: Context, key: str) -> tuple[str, ...]:
    """The claims of a relation that link components (`_links`), in its order."""
    found = ctx.linked.get(key)
    if found is None:
        found = ctx.linked[key] = tuple(c for c in ctx.outcomes[key].spec.claims if _links(ctx, c))
    return found


def _links(ctx: Context, cid: str) -> bool:
    """Whether failures that share this claim are diagnosed together. A reference fact (a chip's
    datasheet, a paper's constant), a labelled assumption and a claim in very many relations do not
    join them: the failures of several rows that use one datasheet are several findings, each
    weighed on its own (where blaming the reference is still the cheapest explanation, it is
    blamed there), and an assumption may fail to hold in one case and hold in the next."""
    found = ctx.linking.get(cid)
    if found is None:
        found = ctx.linking[cid] = links(ctx.kb, ctx.by_claim, cid)
    return found


def links(kb: KnowledgeBase, by_claim: Mapping[str, list[str]], cid: str) -> bool:
    """Whether failed relations that share this claim are one component (see `_links`)."""
    if len(by_claim.get(cid, ())) > HUB:
        return False
    entry = kb.claims.get(cid)
    return entry is None or entry.claim.kind == "claim"


def _diagnose_component(ctx: Context, component: list[str], out: Diagnosis) -> list[str]:
    """Blame the claims of one component of failed relations, into `out`; the claims it blamed."""
    conflicts = [frozenset(ctx.outcomes[k].spec.claims) for k in component]
    holding: dict[str, int] = defaultdict(int)
    for conflict in conflicts:
        for c in conflict:
            holding[c] += 1
    found = _settled_alone(ctx, conflicts) or hitting.cheapest(
        conflicts, lambda c: trust.trust(ctx, c), lambda chosen: fixing.fixes(ctx, chosen)
    )
    if found is None:
        candidates = sorted(holding, key=lambda c: (-holding[c], trust.trust(ctx, c), c))
        cover = hitting.greedy(conflicts, candidates, lambda c: trust.trust(ctx, c))
        found = [hitting.Found(sorted(cover), 0.0, fixing.fixes(ctx, cover)[0], True)]
    found.sort(key=lambda t: (len(t.members), t.members))
    everywhere = set.intersection(*(set(t.members) for t in found))
    blamed_here: set[str] = set()
    for explanation in found:
        members, fixes, infeasible = explanation.members, explanation.fixes, not explanation.feasible
        others = [t.members for t in found if t.members != members]
        for cid in members:
            if cid in blamed_here:
                continue
            blamed_here.add(cid)
            entry = ctx.kb.claims.get(cid)
            standing = Standing.CONDEMNED if cid in everywhere else Standing.SUSPECT
            if entry is not None and entry.claim.kind == "assumption":
                standing = Standing.IN_DOUBT
            suggested, disagree = fixes[cid]
            blame = Blame(
                cid,
                standing,
                condemned_by=fixing.in_component(ctx, cid),
                suggested=suggested,
                disagree=disagree if infeasible else [],
                alternatives=[o for o in others if cid not in o],
            )
            value = ctx.values.get(cid)
            if ctx.explain and suggested is not None and value is not None:
                context = frozenset(
                    d
                    for k in blame.condemned_by
                    for c in ctx.outcomes[k].spec.claims
                    if c in ctx.values
                    for d, _ in ctx.values[c].unit.dims
                )
                blame.slip = fitting(value.stated, suggested, unit_kinds(value.unit), context)
            _merge(out, blame)
    for key in component:
        out.explained_by[key] = [c for c in ctx.outcomes[key].spec.claims if c in blamed_here]
    return sorted(blamed_here)


def _common_causes(ctx: Context, failed: list[str], out: Diagnosis) -> None:
    """Condemn a shared figure that alone explains several failures, before they are weighed apart.

    A reference fact (a datasheet, a paper's constant) or a claim in very many relations joins no
    component, so each failure it is in is diagnosed on its own and blames the cheapest other
    claim there. When the shared figure itself is wrong (a datasheet typed ×10), that would accuse
    a claim in every relation that uses it. So first, for each such figure in two or more
    failures: the value of it that keeps every relation it passes passing and makes the most of
    its failures hold; when that is two or more failures and believing the figure wrong costs less
    than what the independent documents that disagree with it weigh (`_witnesses`), the figure is
    condemned for them (with that value as its fix), and costs nothing in the components that
    follow. Labelled assumptions are left to their per-use judgement."""
    shared: dict[str, list[str]] = defaultdict(list)
    for key in failed:
        for cid in ctx.outcomes[key].spec.claims:
            if cid in ctx.values and not _links(ctx, cid) and not fixing.is_assumption(ctx, cid):
                shared[cid].append(key)
    explained: set[str] = set()
    for cid in sorted(shared, key=lambda c: (-len(shared[c]), c)):
        keys = [k for k in shared[cid] if k not in explained]
        if len(keys) < 2:
            continue
        ctx.fixed_claims.add(cid)  # every relation of it is read (Diagnosis.fixed)
        found = _common_value(ctx, cid, keys)
        if found is None or len(found[1]) < 2 or not _outweighed(ctx, found[1], cid):
            continue
        suggested, keys = found
        blame = Blame(cid, Standing.CONDEMNED, condemned_by=keys, suggested=suggested)
        if ctx.explain:
            value = ctx.values[cid]
            blame.slip = fitting(value.stated, suggested, unit_kinds(value.unit), frozenset())
        _merge(out, blame)
        ctx.condemned.add(cid)
        ctx.fixed[cid] = suggested
        ctx.settled.add(cid)
        explained.update(keys)


def _common_value(ctx: Context, cid: str, failing: list[str]) -> tuple[Interval, list[str]] | None:
    """The values of `cid` that every relation it passes allows and the most of `failing` do, with
    those failures; None when its passing relations allow no value."""
    allowed, disagree = fixing.fix(ctx, cid, ())  # no component yet: the relations it passes
    if disagree:
        return None
    if allowed is None and ctx.values[cid].stated.lo > 0:
        allowed = NOT_NEGATIVE
    ranges: list[tuple[Interval, str]] = []
    for key in failing:
        found = fixing.solution_of(ctx, key, cid)
        solution = found if isinstance(found, Interval) else None  # NO_VALUE: it cannot fix this one
        if solution is not None and allowed is not None:
            solution = solution.intersect(allowed)
        if solution is not None:
            ranges.append((solution, key))
    if not ranges:
        return None
    # The point most of the ranges share: sweep their ends, a range opening before one closes.
    ends = sorted([(r.lo, 0) for r, _ in ranges] + [(r.hi, 1) for r, _ in ranges])
    best, depth, at = 0, 0, ends[0][0]
    for x, closing in ends:
        depth += -1 if closing else 1
        if depth > best:
            best, at = depth, x
    chosen = [(r, k) for r, k in ranges if r.lo <= at <= r.hi]
    common: Interval | None = chosen[0][0]
    for r, _ in chosen[1:]:
        common = common.intersect(r) if common is not None else None
    if common is None:
        return None
    return common, sorted(k for _, k in chosen)


def _outweighed(ctx: Context, keys: list[str], cid: str) -> bool:
    """Whether believing `cid` wrong costs less than its witnesses in these failures weigh. Where
    each failure's other claims come from one document, the least they can weigh (every claim at
    its trust without confirmations) often settles it without the trust of thousands of claims."""
    own = trust.trust(ctx, cid)
    least = _least_witnesses(ctx, keys, cid)
    return (least is not None and own < least) or own < _witnesses(ctx, keys, cid)


def _least_witnesses(ctx: Context, keys: list[str], cid: str) -> float | None:
    """At most `_witnesses`: the same documents in the same order, each at no more than its weight
    there (a float sum grows with its terms); None where a failure's others span documents."""
    weight: dict[str, float] = {}
    for key in keys:
        others = [c for c in ctx.outcomes[key].spec.claims if c != cid]
        docs = {trust.document_of(ctx, c) for c in others}
        if len(docs) != 1:
            return None
        [doc] = docs
        least = min(trust.least_trust(ctx, c) for c in others)
        weight[doc] = min(weight.get(doc, math.inf), least)
    return sum(weight.values())


def _witnesses(ctx: Context, keys: list[str], cid: str) -> float:
    """What the documents that disagree with `cid` in these failures weigh: each document once, at
    the trust of its cheapest claim there. Articles that copy one wrong figure are one witness,
    not many (a translation counts as its original), so only independent documents outweigh a
    reference fact."""
    weight: dict[str, float] = {}
    for key in keys:
        others = [c for c in ctx.outcomes[key].spec.claims if c != cid]
        if not others:
            return math.inf  # only the figure itself can explain this failure
        cheapest = min(others, key=lambda c: (trust.trust(ctx, c), c))
        doc = trust.document_of(ctx, cheapest)
        weight[doc] = min(weight.get(doc, math.inf), trust.trust(ctx, cheapest))
    return sum(weight.values())


def _settled_alone(
    ctx: Context, conflicts: list[frozenset[str]]
) -> list[hitting.Found[dict[str, Fix]]] | None:
    """What the search would find where a common cause is in every failure of the component, is
    the only claim there that costs nothing, and its fix holds: that claim alone. (A constant in
    2,500 failures is 2,500 components; this spares each a search.) None: search."""
    common = frozenset.intersection(*conflicts) & ctx.settled
    if len(common) != 1:
        return None
    [cid] = common
    # Another free claim (trust 0.0: condemned already; any other trust is 1.0 at least): the search
    # would report the tie. Asked of the condemned, not of each claim's trust (a hub's thousands).
    if any(c in ctx.condemned for conflict in conflicts for c in conflict if c != cid):
        return None
    fixes, disagree = fixing.fixes(ctx, frozenset(common))
    return None if disagree is not None else [hitting.Found([cid], 0.0, fixes, True)]


def _merge(out: Diagnosis, blame: Blame) -> None:
    """A claim blamed in several components (a shared assumption, a reference) is blamed once, for all."""
    first = out.blamed.get(blame.claim_id)
    if first is None:
        out.blamed[blame.claim_id] = blame
        out.merged[blame.claim_id] = set(blame.condemned_by)
        return
    known = out.merged[blame.claim_id]
    added = [k for k in blame.condemned_by if k not in known]
    first.condemned_by += added
    known.update(added)
    if first.standing == Standing.IN_DOUBT and first.suggested != blame.suggested:
        # An assumption is judged per use: each row it fails in needs its own value, none fits all.
        first.suggested, first.slip = None, None
    first.alternatives += [a for a in blame.alternatives if a not in first.alternatives]
    if blame.standing == Standing.CONDEMNED and first.standing == Standing.SUSPECT:
        first.standing = Standing.CONDEMNED


def trust_in(
    kb: KnowledgeBase,
    outcomes: Mapping[str, Outcome],
    values: Values,
    by_claim: dict[str, list[str]],
    cid: str,
    memo: Memo | None = None,
) -> float:
    """What believing this claim wrong costs (source kind, rank, confirmations)."""
    return trust.trust(_with_memo(Context(kb, outcomes, values, by_claim), memo), cid)


def _with_memo(ctx: Context, memo: Memo | None) -> Context:
    if memo is not None:  # none of these depends on a verdict or a value
        ctx.linking, ctx.document, ctx.memo = memo.linking, memo.document, memo
        ctx.linked, ctx.ties, ctx.near = memo.linked, memo.ties, memo.near
    return ctx


def confirmations(
    kb: KnowledgeBase,
    outcomes: Mapping[str, Outcome],
    values: Values,
    by_claim: dict[str, list[str]],
    cid: str,
    memo: Memo | None = None,
) -> list[tuple[str, bool]]:
    """Each relation a claim's trust looks at, and whether it confirms the claim: what, besides the
    claim itself, its trust depends on."""
    ctx = _with_memo(Context(kb, outcomes, values, by_claim), memo)
    return [(key, trust.confirms(ctx, cid, key)) for key in by_claim.get(cid, [])[: trust.CONFIRMING]]
