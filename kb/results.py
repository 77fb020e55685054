"""What checking produces: per check, per claim, per conflict. Templates and reports read these.

Every field used by a template or a report has a docstring here, so the context is documented once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kb.errors import Problem
from kb.interval import Interval
from kb.units import UnitInfo
from kb.values import format_interval

VERDICTS = ("consistent", "inconsistent", "error", "unverified")
"""Every verdict, in report order."""
SEVERITY_ORDER = {"error": 3, "inconsistent": 2, "consistent": 1, "unverified": 0}
BASES = {
    "exact": "the values agree as written",
    "rounding": "agrees only within the rounding of the numbers as written",
    "about": "agrees only thanks to an 'about' (or at least / at most) qualifier",
    "tolerance": "agrees only thanks to the check's explicit tolerance",
}
"""What a consistent verdict needed, from strict to lenient."""


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
    verdict: str = "unverified"
    """The input claim's own verdict."""

    @property
    def value(self) -> str:
        """Its stated value, formatted, with unit (formatted on demand: most are never shown)."""
        return f"{format_interval(self.interval, self.unit)} {self.unit.text}"


@dataclass
class CheckResult:
    """The outcome of one check of one claim."""

    claim_id: str
    check_id: str
    formula: str
    verdict: str
    """consistent, inconsistent or error."""
    inputs: list[InputValue] = field(default_factory=list)
    computed: Interval | None = None
    """Recomputed interval, in the claim's unit."""
    computed_text: str = ""
    """Recomputed interval formatted with the claim's unit."""
    stated_text: str = ""
    """The stated interval the recomputation was compared with."""
    basis: str | None = None
    """For a consistent check: exact, rounding, about or tolerance (see BASES)."""
    factor: float | None = None
    """Recomputed / stated (representative values): 1000 means the recomputation is 1000x larger."""
    gap: float | None = None
    """For an inconsistent check: how far apart the nearest ends of the two intervals are (a ratio >= 1)."""
    severity: str | None = None
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
class ClaimResult:
    """A claim's verdict: the worst of its checks, or unverified without any."""

    claim_id: str
    verdict: str
    checks: list[CheckResult] = field(default_factory=list)
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


@dataclass
class Results:
    """Everything `kb check` found."""

    claims: dict[str, ClaimResult]
    conflicts: list[Conflict]
    problems: list[Problem]
    """Every error, located."""

    def counts(self) -> dict[str, int]:
        out = {v: 0 for v in VERDICTS}
        for r in self.claims.values():
            out[r.verdict] += 1
        return out
