"""The mutation report: would kb catch a slip in this claim, and blame this very claim?

For every claim with a value, pretend its source had written it ×10, ×1000, ÷10 and ÷1000 (the
value and its quote together, so the quote still matches) and judge again the relations it is in,
then the blame of their component. A mutation is *caught* when kb then blames the mutated claim
(condemned, a suspect, or an assumption in doubt); *flagged* when some relation fails but the blame
falls elsewhere. The report tells contributors where the knowledge base needs another check.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from collections import defaultdict
from collections.abc import Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from kb import blame, procs, relations, trust
from kb.cachedir import package_hash
from kb.contents import KnowledgeBase
from kb.judge import Outcome, Values, judge, overlay
from kb.relations import Spec
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
    """Judges the knowledge base once, then one mutated claim at a time.

    A mutation needs the verdicts and the blame, not their explanation: with `explain` False (the
    default) the mutated relations are judged for their verdict alone and no slip is named, which
    changes none of caught, flagged, alone, by and blamed (tests/test_mutations.py compares them).
    """

    def __init__(self, kb: KnowledgeBase, explain: bool = False) -> None:
        self.kb = kb
        self.explain = explain
        self.values: dict[str, StatedValue] = {
            cid: e.value for cid, e in kb.claims.items() if e.value is not None and e.unit is not None
        }
        # Blame reads verdicts only: the knowledge base as it is is judged without explaining too.
        self.outcomes: dict[str, Outcome] = {
            s.key: judge(s, self.values, False) for s in relations.gather(kb)
        }
        self.by_claim = blame.relation_index(self.outcomes)
        self.trust: dict[str, float] = {}
        """The trust of each claim in the knowledge base as it is, computed once."""
        self.weighed: set[str] = set()
        """The claims of the relations any mutation so far failed (other than the mutated claim):
        blame takes their trust as the knowledge base is (`_SharedTrust`)."""
        self.memo = blame.Memo(values=self.values)
        """Whether each claim links components, its document, and the solutions of relations the
        mutated claim is not in: the same for every mutation."""
        self.fixed: dict[str, set[str]] = defaultdict(set)
        """Claim -> the claims whose fix the diagnoses of its mutations computed (all their relations
        were read: `ProtectionKeys.escaped` says whether its key covers them)."""

    def candidates(self) -> list[str]:
        """Claims that can be mutated: a value that is not a date."""
        return [cid for cid, v in self.values.items() if not v.unit.is_date]

    def mutate(self, claim_id: str, factor: float) -> Mutation:
        values = overlay(self.values, claim_id, self.values[claim_id].scaled(factor))
        keys = self.by_claim.get(claim_id, [])
        changed = {k: self._judge(self.outcomes[k].spec, values, factor) for k in keys}
        outcomes = _Rejudged(changed, self.outcomes)
        failing = [k for k, o in changed.items() if o.verdict == Verdict.INCONSISTENT]
        if not failing:
            return Mutation(claim_id, factor, caught=False, flagged=False)
        self.weighed.update(
            cid for key in failing for cid in self.outcomes[key].spec.claims if cid != claim_id
        )
        diagnosis = blame.diagnose(
            self.kb,
            outcomes,
            values,
            focus=set(failing),
            by_claim=self.by_claim,
            shared_trust=_SharedTrust(self),
            changed=claim_id,
            explain=self.explain,
            memo=self.memo,
            factor=factor,
        )
        self.fixed[claim_id] |= diagnosis.fixed
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

    def _judge(self, spec: Spec, values: Values, factor: float) -> Outcome:
        """The relation judged with the mutated claim's value (`values`); its verdict alone, unless
        explaining, as blame reads it (and as the claims' trust asked it of some: `Memo.verdicts`)."""
        if self.explain:
            return judge(spec, values, True)
        return Outcome(spec, trust.scaled_verdict(spec, values, factor, self.memo))


class _SharedTrust(Mapping[str, float]):
    """The trust of the claims of the relations mutations failed (`Mutator.weighed`: this one's
    and every earlier one's), as the knowledge base is: worked out when blame first asks and kept
    in `Mutator.trust`, not for every claim beforehand (a hub's mutation fails thousands of
    relations, and weighs few of their claims one by one)."""

    def __init__(self, mutator: Mutator) -> None:
        self.mutator = mutator
        self.claims = mutator.weighed

    def __getitem__(self, cid: str) -> float:
        if cid not in self.claims:
            raise KeyError(cid)
        m = self.mutator
        found = m.trust.get(cid)
        if found is None:
            found = m.trust[cid] = blame.trust_in(m.kb, m.outcomes, m.values, m.by_claim, cid, m.memo)
        return found

    def __contains__(self, cid: object) -> bool:
        return cid in self.claims

    def __iter__(self) -> Iterator[str]:
        return iter(self.claims)

    def __len__(self) -> int:
        return len(self.claims)


class _Rejudged(Mapping[str, Outcome]):
    """The outcomes with the mutated claim's relations judged again: a ChainMap's lookups, without
    the KeyError it raises and catches for every key the mutation left alone."""

    def __init__(self, changed: dict[str, Outcome], base: dict[str, Outcome]) -> None:
        self.changed, self.base = changed, base  # changed: keys of base

    def __getitem__(self, key: str) -> Outcome:
        found = self.changed.get(key)
        return self.base[key] if found is None else found

    def __contains__(self, key: object) -> bool:
        return key in self.base

    def __iter__(self) -> Iterator[str]:
        return iter(self.base)

    def __len__(self) -> int:
        return len(self.base)


_WORKER: Mutator | None = None
PARALLEL_CLAIMS = 2_000
"""Below this many claims to mutate, a second process costs more than it saves."""
PROTECTION_FACTORS = (10.0, 0.1)
"""The mutations of the claim pages' protection."""


Fixed = dict[str, set[str]]


def _mutate_chunk(job: tuple[list[str], tuple[float, ...]]) -> tuple[list[Mutation], Fixed]:
    ids, factors = job
    assert _WORKER is not None
    found = [_WORKER.mutate(cid, f) for cid in ids for f in factors]
    return found, {cid: _WORKER.fixed[cid] for cid in ids}


def protection(
    kb: KnowledgeBase, factors: tuple[float, ...] = PROTECTION_FACTORS, claims: Iterable[str] | None = None
) -> dict[str, list[Mutation]]:
    """Claim id -> its mutations by `factors`, on every core (fork) for large knowledge bases; with
    `claims`, for those candidates only."""
    return _protect(Mutator(kb), factors, claims)[0]


def _protect(
    mutator: Mutator, factors: tuple[float, ...], claims: Iterable[str] | None
) -> tuple[dict[str, list[Mutation]], Fixed]:
    """The mutations of each claim, and the claims whose fix they computed (`Mutator.fixed`)."""
    global _WORKER
    ids = mutator.candidates()
    if claims is not None:
        wanted = set(claims)
        ids = [cid for cid in ids if cid in wanted]
    cores = os.cpu_count() or 1
    if cores < 2 or len(ids) < PARALLEL_CLAIMS:
        found = [mutator.mutate(cid, f) for cid in ids for f in factors]
        fixed = {cid: mutator.fixed[cid] for cid in ids}
    else:
        _WORKER = mutator  # inherited by the forked workers, never pickled
        chunks = [(ids[i : i + 500], factors) for i in range(0, len(ids), 500)]
        found, fixed = [], {}
        try:
            with multiprocessing.get_context("fork").Pool(
                min(cores, 4), initializer=procs.die_with_parent
            ) as pool:
                for part, its_fixed in pool.imap(_mutate_chunk, chunks):
                    found += part
                    fixed.update(its_fixed)
        finally:
            _WORKER = None
    out: dict[str, list[Mutation]] = {}
    for m in found:
        out.setdefault(m.claim_id, []).append(m)
    return out, fixed


@dataclass(frozen=True)
class ProtectionKeys:
    """Content keys of the claim pages' protection (see `protection_keys`)."""

    claims: dict[str, str]
    """Candidate claim -> the key of everything its mutations read, unless they escaped."""
    world: str
    """The key of everything any mutation can read: the whole knowledge base, as mutations see it."""
    reach: dict[str, frozenset[str]] = field(repr=False)
    """Candidate claim -> the groups of relations its key covers."""
    group_of: dict[str, str] = field(repr=False)
    """Relation key -> its group."""
    by_claim: Mapping[str, list[str]] = field(repr=False)

    def escaped(self, claim_id: str, fixed: Iterable[str]) -> bool:
        """Whether mutations of the claim that computed the fix of `fixed` (`Mutator.fixed`) read a
        relation outside its key: each fix reads every relation of its claim."""
        reach = self.reach[claim_id]
        return any(self.group_of[k] not in reach for c in fixed for k in self.by_claim.get(c, ()))

    def store_key(self, claim_id: str, escaped: bool) -> str:
        """The key to keep a claim's mutations under: its own, or with the world's when they escaped."""
        own = self.claims[claim_id]
        return f"{own}+{self.world}" if escaped else own

    def fresh(self, claim_id: str, stored: str) -> bool:
        """Whether mutations kept under `stored` are still this claim's."""
        own = self.claims.get(claim_id)
        return own is not None and stored in (own, f"{own}+{self.world}")


def protection_keys(kb: KnowledgeBase, factors: tuple[float, ...] = PROTECTION_FACTORS) -> ProtectionKeys:
    """For each candidate of `protection`, a key of everything its mutations can read.

    A mutation judges the relations of its claim, then blame.diagnose reads: the failed relations
    connected through shared claims and through passing relations (`blame._connected_failures`,
    `_components`); every relation of each claim the search tries to fix (`fixing.fix`: solutions from
    every member's value; a set that cannot be fixed adds the claims of those relations to the
    search); the trust of the claims it weighs (kind, rank, source kind, translation_of, and which
    of their first relations confirm them, `_confirmations`); whether a claim joins components
    (`blame.links`: its kind and how many relations it is in); and, for a figure shared by several
    of the failures (`blame._common_causes`), every relation it is in.

    Relations are grouped by the linking claims they share: a group is closed under everything but
    the claims that do not link (references, assumptions, hubs), which enter it with their value,
    metadata and confirmations. A claim's key digests the groups of its relations and, one step on,
    the groups of the relations of the non-linking claims in them that are in at most `blame.HUB`
    relations (a datasheet used by a few models: the search may try to fix it), with every
    relation's spec and verdict, every member's value and metadata, the factors and kb's code.

    A mutation that fixes (or weighs as a common cause) a claim with relations beyond that (a hub
    of thousands, rarely: its trust prices it out of nearly every explanation) escapes its key:
    `ProtectionKeys.escaped` says so from `Mutator.fixed`, and its result is kept under
    `store_key(claim, escaped=True)`, which includes the world key. `protection_cached` does all of this.
    """
    return _keys(Mutator(kb), factors)


def _keys(m: Mutator, factors: tuple[float, ...]) -> ProtectionKeys:
    kb = m.kb
    index: Mapping[str, list[str]] = m.by_claim
    linking = {cid: blame.links(kb, index, cid) for cid in index}
    claim_digest = {cid: _claim_digest(m, cid, linking.get(cid, True)) for cid in m.values}
    group_of = _groups(index, linking)
    members: dict[str, list[str]] = defaultdict(list)
    for key, group in group_of.items():
        members[group].append(key)
    group_digest = {g: _group_digest(m, sorted(keys), claim_digest) for g, keys in members.items()}
    own_groups = {cid: frozenset(group_of[k] for k in keys) for cid, keys in index.items()}
    hop: dict[str, set[str]] = defaultdict(set)  # group -> the groups of its small non-linking claims
    for cid, groups in own_groups.items():
        if not linking[cid] and len(index[cid]) <= blame.HUB:
            for g in groups:
                hop[g] |= groups
    salt = f"{package_hash()}|{factors!r}"
    claims: dict[str, str] = {}
    reach: dict[str, frozenset[str]] = {}
    for cid in m.candidates():
        mine = own_groups.get(cid, frozenset())
        reach[cid] = mine.union(*(hop[g] for g in mine))
        order = "|".join(index.get(cid, ()))  # mutating it reads its relations in this order
        claims[cid] = _digest(salt, claim_digest[cid], order, *sorted(group_digest[g] for g in reach[cid]))
    world = _digest(salt, *sorted(group_digest.values()), *sorted(claim_digest.values()))
    return ProtectionKeys(claims, world, reach, group_of, index)


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _claim_digest(m: Mutator, cid: str, links: bool) -> str:
    """A claim's value and what its trust and blame read of it (kind, rank, source, its relations in
    order: `fixing.fix` goes through them in that order); for a claim that does not link components, also
    which of its first relations confirm it (they may lie outside its group)."""
    entry = m.kb.claims[cid]
    claim = entry.claim
    source = m.kb.sources.get(claim.sources[0].source) if claim.sources else None
    meta = source.meta if source is not None else None
    parts = [
        cid,
        repr(m.values[cid]),
        claim.kind,
        claim.rank,
        claim.sources[0].source if claim.sources else "",
        meta.kind if meta is not None else "",
        (meta.translation_of or "") if meta is not None else "",
    ]
    keys = m.by_claim.get(cid, [])
    # Its relations in the order blame reads them; a hub's many only count (fixing one escapes).
    parts.append("|".join(keys) if len(keys) <= blame.HUB else "many")
    if not links:
        flags = blame.confirmations(m.kb, m.outcomes, m.values, m.by_claim, cid, m.memo)
        parts += [f"{key}={int(flag)}" for key, flag in flags]
    return _digest(*parts)


def _groups(index: Mapping[str, list[str]], linking: Mapping[str, bool]) -> dict[str, str]:
    """Relation key -> its group: relations that share a linking claim are in one group."""
    parent = {key: key for keys in index.values() for key in keys}

    def find(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    for cid, keys in index.items():
        if linking[cid]:
            for key in keys[1:]:
                parent[find(key)] = find(keys[0])
    return {key: find(key) for key in parent}


def _group_digest(m: Mutator, keys: list[str], claim_digest: Mapping[str, str]) -> str:
    parts: list[str] = []
    for key in keys:
        o = m.outcomes[key]
        spec = o.spec
        parts += [
            key,
            o.verdict.value,
            spec.kind,
            spec.op,
            spec.formula,
            repr(sorted(spec.variables.items())),
            spec.owner or "",
            repr(spec.left),
            repr(spec.right),
            repr(spec.tolerance),
            repr(spec.claims),
            *(claim_digest.get(c, "-") for c in spec.claims),
        ]
    return _digest(*parts)


def protection_cached(
    kb: KnowledgeBase, cache: dict[str, Any], factors: tuple[float, ...] = PROTECTION_FACTORS
) -> dict[str, list[Mutation]]:
    """`protection(kb, factors)`, taking from `cache` the claims whose key is unchanged.

    `cache` is plain JSON data (claim id -> {"key": ..., "mutations": [...]}), updated in place:
    entries of claims recomputed are replaced, those of claims that are no longer candidates
    dropped. Results equal `protection(kb, factors)` (tests/test_mutations.py).
    """
    mutator = Mutator(kb)
    keys = _keys(mutator, factors)
    out: dict[str, list[Mutation]] = {}
    stale: list[str] = []
    for cid in keys.claims:
        found = _cached(cache.get(cid), cid, keys)
        if found is None:
            stale.append(cid)
        else:
            out[cid] = found
    for cid in [c for c in cache if c not in keys.claims]:
        del cache[cid]
    if stale:
        fresh, fixed = _protect(mutator, factors, stale)
        for cid in stale:
            found = fresh.get(cid, [])
            out[cid] = found
            cache[cid] = {
                "key": keys.store_key(cid, keys.escaped(cid, fixed.get(cid, ()))),
                "mutations": as_data(found),
            }
    return {cid: out[cid] for cid in keys.claims if out[cid]}


def _cached(entry: Any, cid: str, keys: ProtectionKeys) -> list[Mutation] | None:
    """The mutations a cache entry keeps, if it is this claim's still; None otherwise."""
    if not isinstance(entry, dict) or not keys.fresh(cid, str(entry.get("key"))):
        return None
    try:
        return from_data(entry["mutations"])
    except (KeyError, TypeError):
        return None


def as_data(found: list[Mutation]) -> list[dict[str, Any]]:
    """Mutations as plain data (a cache file, an answer from another process): JSON, never pickle.

    Written out rather than dataclasses.asdict, whose recursive copy was most of the time a build
    spent handing 20,000 mutations back from its worker."""
    return [
        {
            "claim_id": x.claim_id,
            "factor": x.factor,
            "caught": x.caught,
            "flagged": x.flagged,
            "alone": x.alone,
            "by": list(x.by),
            "blamed": list(x.blamed),
        }
        for x in found
    ]


def from_data(rows: list[dict[str, Any]]) -> list[Mutation]:
    """The mutations `as_data` wrote; raises TypeError or KeyError on anything else."""
    return [Mutation(**x) for x in rows]


def run(
    kb: KnowledgeBase, factors: tuple[float, ...] = FACTORS, claims: Collection[str] | None = None
) -> Report:
    """Each candidate claim (those of `claims` only, if given) mutated by each factor."""
    m = Mutator(kb)
    ids = [c for c in m.candidates() if claims is None or c in claims]
    return Report([m.mutate(cid, f) for cid in ids if cid in m.values for f in factors])
