"""The mutation report: would kb catch a slip in this claim, and blame this very claim?

For every claim with a value, pretend its source had written it ×10, ×1000, ÷10 and ÷1000 (the
value and its quote together, so the quote still matches) and judge again the relations it is in,
then the blame of their component. A mutation is *caught* when kb then blames the mutated claim
(condemned, a suspect, or an assumption in doubt); *flagged* when some relation fails but the blame
falls elsewhere. The report tells contributors where the knowledge base needs another check.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import ChainMap
from dataclasses import dataclass, field

from kb import blame, procs, relations
from kb.contents import KnowledgeBase
from kb.judge import Outcome, judge, overlay
from kb.values import StatedValue
from kb.verdicts import Standing, Verdict

FACTORS = (10.0, 1000.0, 0.1, 0.001)


@dataclass
class Mutation:
    claim_id: str
    factor: float
    caught: bool
    """kb blames the mutated claim."""
    flagged: bool
    """Some relation fails (whatever the blame says)."""
    alone: bool = False
    """kb blames the mutated claim and no other (condemned, not one of several suspects)."""
    by: list[str] = field(default_factory=list)
    """Keys of the relations that fail once the claim is mutated."""
    blamed: list[str] = field(default_factory=list)
    """Whom kb blames instead, when it is not caught."""


@dataclass
class Report:
    mutations: list[Mutation]

    @property
    def rate(self) -> float:
        return sum(m.caught for m in self.mutations) / len(self.mutations) if self.mutations else 0.0

    @property
    def alone_rate(self) -> float:
        return sum(m.alone for m in self.mutations) / len(self.mutations) if self.mutations else 0.0

    def rate_of(self, factor: float) -> float:
        ms = [m for m in self.mutations if m.factor == factor]
        return sum(m.caught for m in ms) / len(ms) if ms else 0.0

    def unprotected(self) -> list[str]:
        """Claims for which no mutation is caught."""
        caught = {m.claim_id for m in self.mutations if m.caught}
        return sorted({m.claim_id for m in self.mutations} - caught)

    def of(self, claim_id: str) -> list[Mutation]:
        return [m for m in self.mutations if m.claim_id == claim_id]


class Mutator:
    """Judges the knowledge base once, then one mutated claim at a time."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.values: dict[str, StatedValue] = {
            cid: e.value for cid, e in kb.claims.items() if e.value is not None and e.unit is not None
        }
        self.outcomes: dict[str, Outcome] = {s.key: judge(s, self.values) for s in relations.gather(kb)}
        self.by_claim = blame.relation_index(self.outcomes)
        self.trust: dict[str, float] = {}
        """The trust of each claim in the knowledge base as it is, computed once."""

    def candidates(self) -> list[str]:
        """Claims that can be mutated: a value that is not a date."""
        return [cid for cid, v in self.values.items() if not v.unit.is_date]

    def mutate(self, claim_id: str, factor: float) -> Mutation:
        values = overlay(self.values, claim_id, self.values[claim_id].scaled(factor))
        keys = self.by_claim.get(claim_id, [])
        changed = {k: judge(self.outcomes[k].spec, values) for k in keys}
        outcomes = ChainMap(changed, self.outcomes)
        failing = [k for k, o in changed.items() if o.verdict == Verdict.INCONSISTENT]
        if not failing:
            return Mutation(claim_id, factor, caught=False, flagged=False)
        for cid in {c for k in failing for c in self.outcomes[k].spec.claims} - {claim_id} - set(self.trust):
            self.trust[cid] = blame.trust_in(self.kb, self.outcomes, self.values, self.by_claim, cid)
        diagnosis = blame.diagnose(
            self.kb,
            outcomes,
            values,
            focus=set(failing),
            by_claim=self.by_claim,
            shared_trust=self.trust,
            changed=claim_id,
        )
        blamed = sorted(c for k in failing for c in diagnosis.explained_by.get(k, []))
        mine = diagnosis.blamed.get(claim_id)
        return Mutation(
            claim_id,
            factor,
            caught=mine is not None,
            alone=mine is not None and mine.standing != Standing.SUSPECT,
            flagged=True,
            by=failing,
            blamed=list(dict.fromkeys(blamed)),
        )


_WORKER: Mutator | None = None
PARALLEL_CLAIMS = 2_000
"""Below this many claims to mutate, a second process costs more than it saves."""


def _mutate_chunk(job: tuple[list[str], tuple[float, ...]]) -> list[Mutation]:
    ids, factors = job
    assert _WORKER is not None
    return [_WORKER.mutate(cid, f) for cid in ids for f in factors]


def protection(kb: KnowledgeBase, factors: tuple[float, ...] = (10.0, 0.1)) -> dict[str, list[Mutation]]:
    """Claim id -> its mutations by `factors`, on every core (fork) for large knowledge bases."""
    global _WORKER
    mutator = Mutator(kb)
    ids = mutator.candidates()
    cores = os.cpu_count() or 1
    if cores < 2 or len(ids) < PARALLEL_CLAIMS:
        found = [mutator.mutate(cid, f) for cid in ids for f in factors]
    else:
        _WORKER = mutator  # inherited by the forked workers, never pickled
        chunks = [(ids[i : i + 500], factors) for i in range(0, len(ids), 500)]
        try:
            with multiprocessing.get_context("fork").Pool(
                min(cores, 4), initializer=procs.die_with_parent
            ) as pool:
                found = [m for part in pool.imap(_mutate_chunk, chunks) for m in part]
        finally:
            _WORKER = None
    out: dict[str, list[Mutation]] = {}
    for m in found:
        out.setdefault(m.claim_id, []).append(m)
    return out


def run(kb: KnowledgeBase, factors: tuple[float, ...] = FACTORS, claims: list[str] | None = None) -> Report:
    m = Mutator(kb)
    ids = claims if claims is not None else m.candidates()
    return Report([m.mutate(cid, f) for cid in ids if cid in m.values for f in factors])
