"""The cheapest hitting sets: which claims to believe wrong so that every conflict has one.

Generic search, knowing nothing of claims: conflicts are sets of names, `weight` prices a name,
`fix` says whether a set can be given values for which every relation it touches holds (and, when
it cannot, which other names the disagreeing relations involve). Branch and bound finds every set
of the lowest price; a set that cannot be fixed teaches a new conflict (one more of those names is
wrong too), as in de Kleer's GDE. Past MAX_NODES the search gives up and a greedy cover stands in.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

MAX_NODES = 20_000
"""Sets the search may try per component before the greedy cover stands in."""
EPS = 1e-6
"""Prices this close are equal: the explanations are equally good."""

Fixes = TypeVar("Fixes")


@dataclass
class Found(Generic[Fixes]):
    members: list[str]
    cost: float
    fixes: Fixes
    feasible: bool


class _Budget(Exception):
    pass


def cheapest(
    conflicts: list[frozenset[str]],
    weight: Callable[[str], float],
    fix: Callable[[frozenset[str]], tuple[Fixes, frozenset[str] | None]],
) -> list[Found[Fixes]] | None:
    """Every cheapest set that meets every conflict and can be fixed (where none can, the cheapest
    that cannot); None when the search is too large. `fix(set)` returns (fixes, None) when the set
    can be fixed, else (fixes, the names the disagreeing relations involve)."""
    feasible: list[Found[Fixes]] = []
    infeasible: list[Found[Fixes]] = []
    best = [math.inf]
    nodes = [0]

    def search(
        chosen: frozenset[str], cost: float, learnt: tuple[frozenset[str], ...], banned: frozenset[str]
    ) -> None:
        nodes[0] += 1
        if nodes[0] > MAX_NODES:
            raise _Budget
        if cost > best[0] + EPS:
            return
        unhit = [c for c in (*conflicts, *learnt) if not c & chosen]
        if unhit:
            target = min(unhit, key=lambda c: len(c - banned))
            tried: set[str] = set()
            for name in sorted(target - banned, key=lambda c: (weight(c), c)):
                if cost + weight(name) > best[0] + EPS:
                    break  # the rest cost more still
                search(chosen | {name}, cost + weight(name), learnt, banned | tried)
                tried.add(name)  # later branches need not try it again: no set is seen twice
            return
        fixes, disagree = fix(chosen)
        if disagree is None:
            if cost < best[0] - EPS:
                best[0] = cost
                feasible.clear()
            feasible.append(Found(sorted(chosen), round(cost, 6), fixes, True))
            return
        infeasible.append(Found(sorted(chosen), round(cost, 6), fixes, False))
        if disagree - chosen:
            search(chosen, cost, (*learnt, disagree - chosen), banned)

    try:
        search(frozenset(), 0.0, (), frozenset())
    except _Budget:
        return None
    if feasible:  # a set that only adds a name believed wrong already (price 0) is no other explanation
        return [t for t in feasible if not any(set(o.members) < set(t.members) for o in feasible)]
    lowest = min((t.cost for t in infeasible), default=math.inf)
    return [t for t in infeasible if t.cost <= lowest + EPS]


def greedy(
    conflicts: list[frozenset[str]], candidates: list[str], weight: Callable[[str], float]
) -> frozenset[str]:
    """A cover chosen name by name (most conflicts per unit of price first), with a heap whose stale
    entries are skipped: linear in the size of the conflicts, up to a logarithm."""
    count: dict[str, int] = {c: 0 for c in candidates}
    holding: dict[str, list[int]] = defaultdict(list)
    for i, conflict in enumerate(conflicts):
        for c in conflict:
            count[c] += 1
            holding[c].append(i)
    price = {c: max(weight(c), 0.5) for c in candidates}
    heap = [(-count[c] / price[c], c) for c in candidates]
    heapq.heapify(heap)
    covered = [False] * len(conflicts)
    left = len(conflicts)
    chosen: set[str] = set()
    while left and heap:
        score, pick = heapq.heappop(heap)
        if -score != count[pick] / price[pick]:  # stale: push it back with its current score
            heapq.heappush(heap, (-count[pick] / price[pick], pick))
            continue
        chosen.add(pick)
        for i in holding[pick]:
            if not covered[i]:
                covered[i] = True
                left -= 1
                for c in conflicts[i]:
                    count[c] -= 1
    return frozenset(chosen)
