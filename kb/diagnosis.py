"""The data of a diagnosis (kb/blame.py): who is blamed and why (Blame, Diagnosis), what one
diagnosis works with (Context), and what several of one knowledge base share (Memo)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kb.contents import KnowledgeBase
from kb.interval import Interval
from kb.judge import Outcome, Values
from kb.slips import SlipMatch
from kb.solve import Solution
from kb.verdicts import Standing, Verdict

Fix = tuple[Interval | None, list[str]]
"""A claim's fix: the values its relations allow, or None with the relations that disagree."""


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
    """`Context.linked`, `ties` and `near`: they read no verdict and no value."""
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
class Context:
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
    """The claims `fixing.fix` was asked about (Diagnosis.fixed)."""
    fix_memo: dict[tuple[str, frozenset[str]], Fix] = field(default_factory=dict)
    """`fixing.fix` answers in the component being diagnosed, by claim and the others that matter."""
    near: dict[str, frozenset[str]] = field(default_factory=dict)
    """Claim -> the claims it shares a relation with."""
    open_of: dict[str, list[tuple[int, str]]] = field(default_factory=dict)
    """A claim in many relations -> those not failed, with their places (kb/fixing.py)."""
    position_of: dict[str, dict[str, int]] = field(default_factory=dict)
    """A claim in many relations -> each relation's place among them (kb/fixing.py)."""
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
