"""What checking produces: per check, per claim, per conflict. Templates and reports read these.

Every field used by a template or a report has a docstring here, so the context is documented once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kb.errors import Problem
from kb.interval import Interval
from kb.units import UnitInfo
from kb.values import format_interval
from kb.verdicts import BASES, SEVERITY_ORDER, VERDICTS, Basis, Severity, Standing, Verdict

__all__ = [
    "BASES",
    "SEVERITY_ORDER",
    "VERDICTS",
    "Verdict",
    "Standing",
    "CheckResult",
    "ClaimResult",
    "Results",
]


@dataclass
class InputValue:
    """One input of a check, as used."""

    name: str
    """The name in the formula."""
    claim_id: str
    """The claim it stands for."""
    interval: Interval
    """Its stated interval, in its own unit."""
    unit: UnitInfo
    """Its unit."""
    kind: str = "claim"
    """claim, reference or assumption."""
    verdict: Verdict = Verdict.UNVERIFIED
    """The input claim's own verdict."""

    @property
    def value(self) -> str:
        """Its stated value, formatted, with unit (formatted on demand: most are never shown)."""
        return f"{format_interval(self.interval, self.unit)} {self.unit.text}"


@dataclass
class CheckResult:
    """The outcome of one relation: a claim's check, a standalone relation or a law applied to a subject."""

    claim_id: str
    """The claim a check belongs to; '' for a standalone relation or a law."""
    check_id: str
    """The check's, relation's or law's id."""
    formula: str
    verdict: Verdict
    """consistent, inconsistent or error."""
    key: str = ""
    """Unique among relations: 'check:CLAIM/CHECK', 'relation:ID', 'law:LAW/SUBJECT/N'."""
    kind: str = "check"
    """check, relation or law."""
    relation: str = "="
    """=, <= or >=: how the left side (a check's claim) relates to the right (the formula)."""
    law: str | None = None
    """The law's id, for a relation from a law."""
    law_title: str = ""
    members: list[str] = field(default_factory=list)
    """The claims this relation verifies (a check's claim; every claim of a relation or law)."""
    explained_by: list[str] = field(default_factory=list)
    """For a failed relation: the claims whose error explains the failure (from blame)."""
    slip: str | None = None
    """The id of the slip (kb/slips.py) that maps the stated value onto the recomputed one."""
    inputs: list[InputValue] = field(default_factory=list)
    computed: Interval | None = None
    """Recomputed interval, in the claim's unit."""
    stated: Interval | None = None
    """The left side (a check's stated interval), in `unit`."""
    unit: UnitInfo | None = None
    """The unit both sides are shown in (None: a dimensionless or SI-only relation)."""
    computed_text: str = ""
    """Recomputed interval formatted with the claim's unit."""
    stated_text: str = ""
    """The stated interval the recomputation was compared with."""
    basis: Basis | None = None
    """For a consistent check: exact, rounding, trailing_zeros, about or tolerance (see BASES)."""
    factor: float | None = None
    """Recomputed / stated (representative values): 1000 means the recomputation is 1000x larger."""
    gap: float | None = None
    """For an inconsistent check: how far apart the nearest ends of the two intervals are (a ratio >= 1)."""
    severity: Severity | None = None
    """For an inconsistent check, from the gap: minor (nearest ends < 1.5x apart), major (< 10x) or severe."""
    diagnosis: str = ""
    """The likely cause of a discrepancy, or why the check could not run."""
    tolerance: str = ""
    """The tolerance used and its reason, if any."""
    note: str = ""
    """The check's own note (markdown)."""
    inconsistent_inputs: list[str] = field(default_factory=list)
    """Inputs whose own verdict is inconsistent: this check rests on them."""
    assumptions: list[str] = field(default_factory=list)
    """Inputs that are labelled assumptions."""
    problem: Problem | None = None
    """Why the check is an error."""

    @property
    def basis_text(self) -> str:
        return BASES.get(self.basis or "", "")


@dataclass
class Suggestion:
    """The values a blamed claim would need for every relation it is in to hold."""

    lo: float
    hi: float
    unit: str
    """The claim's own unit."""
    slip: str | None = None
    """The slip (kb/slips.py id) that maps the stated value onto it, if one does."""
    slip_text: str = ""
    multiplier: float | None = None
    """What the stated value would have to be multiplied by (the slip's factor or its inverse)."""
    text: str = ""
    """In words: 'about 22,500 to 27,501 GPU'."""


@dataclass
class ClaimResult:
    """A claim's verdict, from its relations and the blame computed over all of them."""

    claim_id: str
    verdict: Verdict
    checks: list[CheckResult] = field(default_factory=list)
    """Every relation that verifies this claim: its checks, and relations and laws it is a member of."""
    standing: Standing | None = None
    """condemned, suspect, explained or in_doubt (None: its relations alone decide)."""
    explained_by: list[str] = field(default_factory=list)
    """Claims whose error explains this claim's failing relations."""
    condemned_by: list[str] = field(default_factory=list)
    """For a blamed claim: keys of the failed relations that condemn it."""
    alternatives: list[list[str]] = field(default_factory=list)
    """Other equally good explanations (each a list of claim ids)."""
    suggested: Suggestion | None = None
    """For a blamed claim: the values that would make its relations hold."""
    disagree: list[str] = field(default_factory=list)
    """For a blamed claim no value can fix: the relations that disagree."""
    severity: Severity | None = None
    """For an inconsistent claim: the worst severity of the relations that condemn it."""
    problems: list[Problem] = field(default_factory=list)
    """Errors in the claim itself (value vs quote, quote not in source, unit)."""
    quote_found: list[bool | None] = field(default_factory=list)
    """Per source citation: True found in the archive, False not found, None not archived."""
    quote_spans: list[tuple[int, int] | None] = field(default_factory=list)
    """Per source citation: offsets of the quote in the archived text."""
    value_ok: bool = False
    """The value is among the numbers of its first quote."""


@dataclass
class Conflict:
    """Two claims of the same subject and quantity, from different sources, that disagree."""

    subject: str
    quantity: str
    a: str
    b: str
    a_value: str
    b_value: str
    factor: float
    """b / a (representative values)."""
    explained_by: list[str] = field(default_factory=list)
    """Which of the two the blame says is wrong (empty: neither is condemned by a relation)."""
    slip: str | None = None
    """The slip (kb/slips.py id) that maps one value onto the other, if exactly one does."""
    slip_in: list[str] = field(default_factory=list)
    """The claims whose writing that slip fits (a 万 dropped fits only the claim written with 万);
    both when it could be either."""


@dataclass
class Results:
    """Everything `kb check` found."""

    claims: dict[str, ClaimResult]
    conflicts: list[Conflict]
    problems: list[Problem]
    """Every error, located."""
    relations: list[CheckResult] = field(default_factory=list)
    """Standalone relations and law instances (checks are under their claims)."""

    by_key: dict[str, CheckResult] = field(default_factory=dict)
    """Every relation's result (checks included) by its key."""
    conflicts_omitted: int = 0
    """Conflicting pairs not listed (past MAX_CONFLICTS_PER_GROUP in one subject and quantity)."""

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {v: 0 for v in VERDICTS}
        for r in self.claims.values():
            out[r.verdict] += 1
        return out
