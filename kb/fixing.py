"""What value each claim blamed would need (kb/blame.py's fixes): the interval every relation of
the claim allows with the other claims blamed with it left free, or the relations that disagree.

A fix reads the claim's relations (solved by kb/solve.py), less the failures explained in other
components; a claim none of whose values repairs a failed relation (NO_VALUE), or whose fix leaves
a failed relation it could not be solved in still failing, has no fix: the search (kb/hitting.py)
then learns that another claim is wrong too.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Iterable

from kb.diagnosis import Context, Fix, Memo
from kb.interval import Interval
from kb.judge import judge, overlay
from kb.solve import NO_VALUE, NOT_NEGATIVE, SCALE_LIMIT, Solution, solve, steady
from kb.trust import HUB
from kb.values import StatedValue
from kb.verdicts import Verdict

ASSUMPTION_RANGE = 3.0
"""An assumption may be blamed only where a value within this factor of it would hold: beyond, the
relation is off for another reason (a 30% utilization may be 10% or 90%, not 0.1%)."""


def fixes(ctx: Context, chosen: frozenset[str]) -> tuple[dict[str, Fix], frozenset[str] | None]:
    """The fix of each claim of a set, and (when one cannot be fixed) the claims of the relations
    that disagree, for the search to learn from."""
    fixes = {c: fix(ctx, c, chosen) for c in chosen}
    if not any(f[0] is None and f[1] for f in fixes.values()):
        return fixes, None
    keys = [k for f in fixes.values() if f[0] is None for k in f[1] if k in ctx.outcomes]
    return fixes, frozenset(c for k in keys for c in ctx.outcomes[k].spec.claims)


def fix(ctx: Context, cid: str, blamed: Iterable[str]) -> Fix:
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


def _fix_with(ctx: Context, cid: str, others: frozenset[str]) -> Fix:
    value = ctx.values.get(cid)
    if value is None:
        return None, []
    positive = value.stated.lo > 0 and not value.unit.is_date
    current: Interval | None = (_AT_LEAST_ONE if _whole_count(value) else NOT_NEGATIVE) if positive else None
    used: list[str] = []
    per_use = is_assumption(ctx, cid)
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
    keys = in_component(ctx, cid) if cid in ctx.settled else _open_keys(ctx, cid)
    unsolved: list[str] = []
    for key in keys:  # less the failures explained in their own component
        if not others.isdisjoint(ctx.outcomes[key].spec.claims):
            continue
        if per_use and key not in ctx.component:
            continue  # an assumption is judged where it is used: other uses may hold
        solution = solution_of(ctx, key, cid)
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
    if current is not None and _whole_count(value):
        current = _whole(current)
        if current is None:  # no whole number of them repairs its relations: not the one wrong
            return None, used
    if current is not None:
        failing = _still_failing(ctx, cid, current, unsolved)
        if failing is not None:
            return None, [*used, failing]
    return current, []


def _still_failing(ctx: Context, cid: str, at: Interval, keys: list[str]) -> str | None:
    """The first of these failed relations, which could not be solved for the claim (it occurs in
    them twice, or under min() or max()), that still fails with the claim at its fix (`at`): then no value
    its other relations allow repairs it (a model width pinned by heads × head width cannot make up
    a parameter count a thousand times too small)."""
    if not keys:
        return None
    unit = ctx.values[cid].unit
    values = overlay(ctx.values, cid, StatedValue(unit, at, at, at, at))
    for key in keys:
        if judge(ctx.outcomes[key].spec, values, False).verdict == Verdict.INCONSISTENT:
            return key
    return None


_MISSING = Interval(0.0, 0.0)
_AT_LEAST_ONE = Interval(1.0, math.inf)


def _whole_count(value: StatedValue) -> bool:
    """A claim written as an exact whole number of things counted in their own unit (96 layers, 8
    GPUs; not a pure number, which may be any ratio): a slip in it leaves a whole number, at least
    one (no model has a tenth of a layer), so a fix below one or between two whole numbers is no fix."""
    s = value.stated
    unit = value.unit
    counted = bool(unit.dims) and not any(d in _MEASURED for d, _ in unit.dims)
    return s.lo == s.hi and s.lo >= 1 and s.lo.is_integer() and unit.factor == 1 and counted


_MEASURED = frozenset(
    {"[currency]", "[time]", "[length]", "[mass]", "[information]", "[compute]", "[emissions]", "[epoch]"}
)
"""Dimensions of amounts that are measured, not counted: 2 USD, 1 epoch or 8 GB exactly may be 2.5."""


def _whole(iv: Interval) -> Interval | None:
    """The whole numbers of an interval (a count's fix: 32.3 layers is no count), None if none."""
    lo = math.ceil(iv.lo - 1e-9 * abs(iv.lo))
    hi = math.floor(iv.hi + 1e-9 * abs(iv.hi)) if math.isfinite(iv.hi) else math.inf
    return Interval(float(lo), float(hi)) if lo <= hi else None


def _open_keys(ctx: Context, cid: str) -> list[str]:
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
    mine = [(position[k], k) for k in in_component(ctx, cid)]
    return [k for _, k in heapq.merge(passing, mine)] if mine else [k for _, k in passing]


def in_component(ctx: Context, cid: str) -> list[str]:
    """The relations of the component being diagnosed that `cid` is in, in its own order (read
    from the few failures of the component, not from the thousands of relations a hub is in)."""
    keys = ctx.by_claim.get(cid, [])
    if len(keys) <= HUB:
        return [k for k in keys if k in ctx.component]
    position = _positions(ctx, cid)
    return sorted((k for k in ctx.component if k in position), key=position.__getitem__)


def _positions(ctx: Context, cid: str) -> dict[str, int]:
    """Each relation of a claim by its place among them, made once per diagnosis."""
    position = ctx.position_of.get(cid)
    if position is None:
        position = ctx.position_of[cid] = {k: i for i, k in enumerate(ctx.by_claim.get(cid, []))}
    return position


def solution_of(ctx: Context, key: str, cid: str) -> Solution:
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


def _own_solution(ctx: Context, memo: Memo, key: str, cid: str, factor: float) -> Solution:
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


def is_assumption(ctx: Context, cid: str) -> bool:
    entry = ctx.kb.claims.get(cid)
    return entry is not None and entry.claim.kind == "assumption"
