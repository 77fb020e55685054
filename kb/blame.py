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

import heapq
import math
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field

from kb import hitting, trust
from kb.contents import KnowledgeBase
from kb.interval import Interval
from kb.judge import Outcome, Values, judge, overlay, replaces, unit_kinds
from kb.slips import SlipMatch, fitting
from kb.solve import NO_VALUE, SCALE_LIMIT, Solution, solve, steady
from kb.trust import HUB as HUB
from kb.values import StatedValue
from kb.verdicts import Standing, Verdict

ASSUMPTION_RANGE = 3.0
"""An assumption may be blamed only where a value within this factor of it would hold: beyond, the
relation is off for another reason (a 30% utilization may be 10% or 90%, not 0.1%)."""


@dataclass
class Blame:
    """A claim the diagnosis says is wrong."""

    claim_id: str
    standing: Standing
    condemned_by: list[str] = field(default_factory=list)
    """Keys of the failed relations it explains."""
    suggested: Interval | None = None
    """The values (claim's unit) for which every relation it is in would hold; None: unconstrained."""
    slip: SlipMatch | None = None
    """The slip that maps the stated value onto the suggested interval, if one does."""
    disagree: list[str] = field(default_factory=list)
    """Where no value fits: the relations whose solutions do not meet."""
    alternatives: list[list[str]] = field(default_factory=list)
    """Other equally good explanations (each a list of claims), when there are any."""


@dataclass
class Diagnosis:
    blamed: dict[str, Blame] = field(default_factory=dict)
    explained_by: dict[str, list[str]] = field(default_factory=dict)
    """Failed relation key -> the blamed claims in it."""
    fixed: set[str] = field(default_factory=set)
    """The claims whose fix the search computed, or whose common value `_common_causes` weighed:
    all of their relations were read."""
    merged: dict[str, set[str]] = field(default_factory=dict, repr=False, compare=False)
    """Each blamed claim's condemned_by as a set (`_merge` adds a component's keys in hundreds of
    components to a hub's: a list alone made that quadratic)."""


@dataclass
class Memo:
    """What several diagnoses of one knowledge base and one relation index may share."""

    linking: dict[str, bool] = field(default_factory=dict)
    document: dict[str, str] = field(default_factory=dict)
    linked: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """`_Context.linked`, `ties` and `near`: they read no verdict and no value."""
    ties: dict[str, list[tuple[str, tuple[str, ...]]]] = field(default_factory=dict)
    near: dict[str, frozenset[str]] = field(default_factory=dict)
    values: Values | None = None
    """The values as they are, when each diagnosis changes one claim of them (the mutation report's):
    a relation without that claim is solved as in every other such diagnosis."""
    solved: dict[tuple[str, str], Solution] = field(default_factory=dict)
    """(relation, claim) -> `solve` at `values`, for relations whose every claim has its value there."""
    own: dict[tuple[str, str], Solution] = field(default_factory=dict)
    """(relation, claim) -> `solve` for the claim with its own value scaled (a mutation), where that
    scale changes no answer (`solve.steady`): the same for every mutation of the claim."""
    unsteady: set[tuple[str, str]] = field(default_factory=set)
    """(relation, claim) whose solution for the claim may move with its own value's scale."""
    verdicts: dict[tuple[str, str, float], Verdict] = field(default_factory=dict)
    """(relation, claim, factor) -> the relation's verdict at `values` with the claim's scaled by the
    factor: a mutation judges it, and so does the question whether the relation confirms the claim."""


@dataclass
class _Context:
    kb: KnowledgeBase
    outcomes: Mapping[str, Outcome]
    values: Values
    by_claim: dict[str, list[str]]
    solved: dict[tuple[str, str], Solution] = field(default_factory=dict)
    base_solved: dict[tuple[str, str], Solution] | None = None
    """`Memo.solved`, when `values` are the memo's with `changed` alone replaced; else None."""
    trust_of: dict[str, float] = field(default_factory=dict)
    shared_trust: Mapping[str, float] | None = None
    """Trust of claims other than `changed`, kept across calls (the mutation report)."""
    changed: str | None = None
    factor: float | None = None
    """The changed claim's value is the memo's scaled by this factor (a mutation's), if known."""
    component: frozenset[str] = frozenset()
    """The failed relations being diagnosed now; failures elsewhere are explained there."""
    failed: frozenset[str] = frozenset()
    """Every failed relation of this diagnosis."""
    condemned: set[str] = field(default_factory=set)
    """Claims an earlier component condemned: believing them wrong again costs nothing."""
    fixed: dict[str, Interval] = field(default_factory=dict)
    """The values an earlier component requires of the claims it condemned (in the claim's unit)."""
    explain: bool = True
    """Name the slip that maps each blamed claim onto its suggested value (the report's, not the
    mutation report's: who is blamed never depends on it)."""
    fixed_claims: set[str] = field(default_factory=set)
    """The claims `_fix` was asked about (Diagnosis.fixed)."""
    fix_memo: dict[tuple[str, frozenset[str]], Fix] = field(default_factory=dict)
    """`_fix` answers in the component being diagnosed, by claim and the others that matter."""
    near: dict[str, frozenset[str]] = field(default_factory=dict)
    """Claim -> the claims it shares a relation with."""
    open_of: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    """A claim in many relations -> those not failed, with their places (see `_open_keys`)."""
    position_of: dict[str, dict[str, int]] = field(default_factory=dict)
    """A claim in many relations -> each relation's place among them (`_open_keys`, `_in_component`)."""
    settled: set[str] = field(default_factory=set)
    """Shared figures condemned as the common cause of several failures (their fix, computed from
    every relation they are in, is in `fixed`)."""
    linking: dict[str, bool] = field(default_factory=dict)
    """`links` of each claim asked about: the search asks again and again (hubs most)."""
    document: dict[str, str] = field(default_factory=dict)
    """`trust.document_of` each claim asked about."""
    linked: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Relation -> its claims that link components (`_linked`)."""
    ties: dict[str, list[tuple[str, tuple[str, ...]]]] = field(default_factory=dict)
    """Claim -> each of its relations with the other claims there that link (`_tied`)."""
    memo: Memo | None = None
    """Shared with other diagnoses (`diagnose`'s memo; a mutation's trust_in)."""


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
    ctx = _Context(kb, outcomes, values, index, shared_trust=shared_trust, changed=changed, explain=explain)
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


def _connected_failures(ctx: _Context, focus: set[str]) -> list[str]:
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


def _components(ctx: _Context, failed: list[str]) -> list[list[str]]:
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


def _tied(ctx: _Context, cid: str) -> Iterator[str]:
    """Claims that share a passing relation with this one (and join components)."""
    outcomes = ctx.outcomes
    for key, others in _ties(ctx, cid):
        if others and outcomes[key].verdict == Verdict.CONSISTENT:
            yield from others


def _ties(ctx: _Context, cid: str) -> list[tuple[str, tuple[str, ...]]]:
    """Each relation of the claim with its other claims that link components: what `_tied` reads of
    them but the verdict, worked out once (the same in every diagnosis of a memo's)."""
    found = ctx.ties.get(cid)
    if found is None:
        found = ctx.ties[cid] = [
            (key, tuple(c for c in _linked(ctx, key) if c != cid)) for key in ctx.by_claim.get(cid, ())
        ]
    return found


def _linked(ctx: _Context, key: str) -> tuple[str, ...]:
    """The claims of a relation that link components (`_links`), in its order."""
    found = ctx.linked.get(key)
    if found is None:
        found = ctx.linked[key] = tuple(c for c in ctx.outcomes[key].spec.claims if _links(ctx, c))
    return found


def _links(ctx: _Context, cid: str) -> bool:
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


def _diagnose_component(ctx: _Context, component: list[str], out: Diagnosis) -> list[str]:
    """Blame the claims of one component of failed relations, into `out`; the claims it blamed."""
    conflicts = [frozenset(ctx.outcomes[k].spec.claims) for k in component]
    holding: dict[str, int] = defaultdict(int)
    for conflict in conflicts:
        for c in conflict:
            holding[c] += 1
    found = _settled_alone(ctx, conflicts) or hitting.cheapest(
        conflicts, lambda c: trust.trust(ctx, c), lambda chosen: _fixes(ctx, chosen)
    )
    if found is None:
        candidates = sorted(holding, key=lambda c: (-holding[c], trust.trust(ctx, c), c))
        cover = hitting.greedy(conflicts, candidates, lambda c: trust.trust(ctx, c))
        found = [hitting.Found(sorted(cover), 0.0, _fixes(ctx, cover)[0], True)]
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
                condemned_by=_in_component(ctx, cid),
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


def _common_causes(ctx: _Context, failed: list[str], out: Diagnosis) -> None:
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
            if cid in ctx.values and not _links(ctx, cid) and not _is_assumption(ctx, cid):
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


def _common_value(ctx: _Context, cid: str, failing: list[str]) -> tuple[Interval, list[str]] | None:
    """The values of `cid` that every relation it passes allows and the most of `failing` do, with
    those failures; None when its passing relations allow no value."""
    allowed, disagree = _fix(ctx, cid, ())  # no component yet: the relations it passes
    if disagree:
        return None
    if allowed is None and ctx.values[cid].stated.lo > 0:
        allowed = Interval(0.0, math.inf)
    ranges: list[tuple[Interval, str]] = []
    for key in failing:
        found = _solution(ctx, key, cid)
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


def _outweighed(ctx: _Context, keys: list[str], cid: str) -> bool:
    """Whether believing `cid` wrong costs less than its witnesses in these failures weigh. Where
    each failure's other claims come from one document, the least they can weigh (every claim at
    its trust without confirmations) often settles it without the trust of thousands of claims."""
    own = trust.trust(ctx, cid)
    least = _least_witnesses(ctx, keys, cid)
    return (least is not None and own < least) or own < _witnesses(ctx, keys, cid)


def _least_witnesses(ctx: _Context, keys: list[str], cid: str) -> float | None:
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


def _witnesses(ctx: _Context, keys: list[str], cid: str) -> float:
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
    ctx: _Context, conflicts: list[frozenset[str]]
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
    fixes, disagree = _fixes(ctx, frozenset(common))
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


Fix = tuple[Interval | None, list[str]]


def _fixes(ctx: _Context, chosen: frozenset[str]) -> tuple[dict[str, Fix], frozenset[str] | None]:
    """The fix of each claim of a set, and (when one cannot be fixed) the claims of the relations
    that disagree, for the search to learn from."""
    fixes = {c: _fix(ctx, c, chosen) for c in chosen}
    if not any(f[0] is None and f[1] for f in fixes.values()):
        return fixes, None
    keys = [k for f in fixes.values() if f[0] is None for k in f[1] if k in ctx.outcomes]
    return fixes, frozenset(c for k in keys for c in ctx.outcomes[k].spec.claims)


def _fix(ctx: _Context, cid: str, blamed: Iterable[str]) -> Fix:
    """The interval every relation of `cid` allows (the others blamed with it left free).

    Returns (interval, []) when the relations agree, (None, keys) naming relations that disagree,
    and (None, []) when nothing constrains the claim. The search asks again and again about the
    same claim with other sets: within a component the answer depends only on which of the others
    share a relation with it, so it is kept by that.
    """
    ctx.fixed_claims.add(cid)
    near = ctx.near.get(cid)
    if near is None:
        keys = ctx.by_claim.get(cid, ())
        near = ctx.near[cid] = frozenset(c for k in keys for c in ctx.outcomes[k].spec.claims)
    others = near.intersection(blamed)  # the others blamed that share a relation with it
    key = (cid, others - {cid} if cid in others else others)
    found = ctx.fix_memo.get(key)
    if found is None:
        found = ctx.fix_memo[key] = _fix_with(ctx, cid, key[1])
    return found[0], list(found[1])


def _fix_with(ctx: _Context, cid: str, others: frozenset[str]) -> Fix:
    value = ctx.values.get(cid)
    if value is None:
        return None, []
    positive = value.stated.lo > 0 and not value.unit.is_date
    current: Interval | None = (_AT_LEAST_ONE if _whole_count(value) else _NOT_NEGATIVE) if positive else None
    used: list[str] = []
    per_use = _is_assumption(ctx, cid)
    if per_use:  # a labelled assumption is a judgement, not a figure a slip could have moved far
        window = value.stated.widen_factor(ASSUMPTION_RANGE)
        current = window if current is None else current.intersect(window)
        used.append("")
        if current is None:
            return None, used
    earlier = ctx.fixed.get(cid)  # what an earlier component already requires of it
    if earlier is not None:
        current = earlier if current is None else current.intersect(earlier)
        used.append("")
        if current is None:
            return None, used
    # A common cause's other relations were read when it was settled (its fix is in ctx.fixed).
    keys = _in_component(ctx, cid) if cid in ctx.settled else _open_keys(ctx, cid)
    unsolved: list[str] = []
    for key in keys:  # less the failures explained in their own component
        if not others.isdisjoint(ctx.outcomes[key].spec.claims):
            continue
        if per_use and key not in ctx.component:
            continue  # an assumption is judged where it is used: other uses may hold
        solution = _solution(ctx, key, cid)
        if solution is None:
            if key in ctx.component:
                unsolved.append(key)
            continue
        used.append(key)
        if solution is NO_VALUE:  # no value of it lets this relation hold: it cannot be the one wrong
            return None, used
        assert isinstance(solution, Interval)
        current = solution if current is None else current.intersect(solution)
        if current is None:
            return None, used
    if not used:
        return None, []
    if current is not None:
        failing = _still_failing(ctx, cid, current, unsolved)
        if failing is not None:
            return None, [*used, failing]
    return current, []


def _still_failing(ctx: _Context, cid: str, fix: Interval, keys: list[str]) -> str | None:
    """The first of these failed relations, which could not be solved for the claim (it occurs in
    them twice, or under min() or max()), that still fails with the claim at its fix: then no value
    its other relations allow repairs it (a model width pinned by heads × head width cannot make up
    a parameter count a thousand times too small)."""
    if not keys:
        return None
    unit = ctx.values[cid].unit
    values = overlay(ctx.values, cid, StatedValue(unit, fix, fix, fix, fix))
    for key in keys:
        if judge(ctx.outcomes[key].spec, values, False).verdict == Verdict.INCONSISTENT:
            return key
    return None


_MISSING = Interval(0.0, 0.0)
_NOT_NEGATIVE = Interval(0.0, math.inf)
_AT_LEAST_ONE = Interval(1.0, math.inf)


def _whole_count(value: StatedValue) -> bool:
    """A claim written as an exact whole number of things counted in their own unit (96 layers, 8
    GPUs; not a pure number, which may be any ratio): a slip in it leaves at least one (no model
    has a tenth of a layer), so a fix below one is no fix."""
    s = value.stated
    unit = value.unit
    return s.lo == s.hi and s.lo >= 1 and s.lo.is_integer() and unit.factor == 1 and bool(unit.dims)


def _open_keys(ctx: _Context, cid: str) -> list[str]:
    """The claim's relations in order, less the failed ones of other components. A claim in
    thousands of relations (a reference that every row uses) is fixed in one component after
    another: its relations that do not fail are listed once per diagnosis, and each component's own
    merged in, not every relation looked at again."""
    keys = ctx.by_claim.get(cid, [])
    if len(keys) <= HUB:
        return [k for k in keys if k not in ctx.failed or k in ctx.component]
    passing = ctx.open_of.get(cid)
    if passing is None:
        passing = ctx.open_of[cid] = [(i, k) for i, k in enumerate(keys) if k not in ctx.failed]
    position = _positions(ctx, cid)
    mine = [(position[k], k) for k in _in_component(ctx, cid)]
    return [k for _, k in heapq.merge(passing, mine)] if mine else [k for _, k in passing]


def _in_component(ctx: _Context, cid: str) -> list[str]:
    """The relations of the component being diagnosed that `cid` is in, in its own order (read
    from the few failures of the component, not from the thousands of relations a hub is in)."""
    keys = ctx.by_claim.get(cid, [])
    if len(keys) <= HUB:
        return [k for k in keys if k in ctx.component]
    position = _positions(ctx, cid)
    return sorted((k for k in ctx.component if k in position), key=position.__getitem__)


def _positions(ctx: _Context, cid: str) -> dict[str, int]:
    """Each relation of a claim by its place among them, made once per diagnosis."""
    position = ctx.position_of.get(cid)
    if position is None:
        position = ctx.position_of[cid] = {k: i for i, k in enumerate(ctx.by_claim.get(cid, []))}
    return position


def _solution(ctx: _Context, key: str, cid: str) -> Solution:
    """The values of `cid` for which this relation holds, the others as stated (None: any).

    A relation without the changed claim reads only values as they are: its solution is the same
    in every diagnosis of the memo's (`Memo.solved`). One with it is solved anew for the others,
    and for the changed claim itself unless `solve.steady` vouches for it (`_own_solution`): `solve`
    keeps each step on the side of zero it is on now, which the claim's value may move (x - b
    changes sign when x is written ÷10)."""
    shared = ctx.base_solved
    if shared is not None and cid == ctx.changed and ctx.memo is not None and ctx.factor is not None:
        return _own_solution(ctx, ctx.memo, key, cid, ctx.factor)
    solved = ctx.solved if shared is None or ctx.changed in ctx.outcomes[key].spec.claims else shared
    solution = solved.get((key, cid), _MISSING)
    if solution is _MISSING:
        solution = solved[(key, cid)] = solve(ctx.outcomes[key].spec, cid, ctx.values)
    return solution


def _own_solution(ctx: _Context, memo: Memo, key: str, cid: str, factor: float) -> Solution:
    """The changed claim solved for in one of its relations: shared by all its mutations where its
    scale moves no step's side of zero (`steady`, which vouches for any two scales within
    SCALE_LIMIT of each other: each mutation's within its square root of the values as they are)."""
    shared = 1 / math.sqrt(SCALE_LIMIT) <= factor <= math.sqrt(SCALE_LIMIT)
    solution = memo.own.get((key, cid), _MISSING)
    if solution is not _MISSING and shared:
        return solution
    solution = ctx.solved.get((key, cid), _MISSING)
    if solution is _MISSING:
        spec = ctx.outcomes[key].spec
        solution = ctx.solved[(key, cid)] = solve(spec, cid, ctx.values)
        if shared and (key, cid) not in memo.unsteady and (key, cid) not in memo.own:
            if steady(spec, cid, ctx.values):
                memo.own[(key, cid)] = solution
            else:
                memo.unsteady.add((key, cid))
    return solution


def _is_assumption(ctx: _Context, cid: str) -> bool:
    entry = ctx.kb.claims.get(cid)
    return entry is not None and entry.claim.kind == "assumption"


def trust_in(
    kb: KnowledgeBase,
    outcomes: Mapping[str, Outcome],
    values: Values,
    by_claim: dict[str, list[str]],
    cid: str,
    memo: Memo | None = None,
) -> float:
    """What believing this claim wrong costs (source kind, rank, confirmations)."""
    return trust.trust(_with_memo(_Context(kb, outcomes, values, by_claim), memo), cid)


def _with_memo(ctx: _Context, memo: Memo | None) -> _Context:
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
    ctx = _with_memo(_Context(kb, outcomes, values, by_claim), memo)
    return [(key, trust.confirms(ctx, cid, key)) for key in by_claim.get(cid, [])[: trust.CONFIRMING]]
