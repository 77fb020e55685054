"""The page context: what the pages show of a checked knowledge base, in plain dataclasses.

Each claim's view (value, interval, citations, problems, what it rests on and what rests on it),
the groups of claims sharing a subject and quantity (the unit of comparison, and of charts), and
the subjects, quantities and sources with their claims: every field a template reads is
documented here once. kb/site/resolve.py fills them; templates only format, they never search.

Paths are relative to the site root ("claims/x.html"); a page adds its own `root` prefix
("../") so every link is relative and the site works from file://.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from kb import display
from kb.contents import ClaimEntry, KnowledgeBase, Source
from kb.errors import Problem
from kb.interval import Interval
from kb.model import Claim, Quote
from kb.mutations import Mutation
from kb.results import BASES, CheckResult, ClaimResult, Conflict, Results, Suggestion
from kb.tables import row_cells
from kb.units import UnitInfo, unit_info
from kb.verdicts import SEVERITY_RANK, Basis, Standing, Verdict


@dataclass(frozen=True)
class VerdictStyle:
    """How a verdict is shown: words and an icon, so that colour is never the only sign."""

    name: str
    label: str
    icon: str
    meaning: str
    rating: int
    """ClaimReview ratingValue (1 worst .. 3 best)."""


VERDICT_STYLES: dict[str, VerdictStyle] = {
    Verdict.CONSISTENT: VerdictStyle(
        Verdict.CONSISTENT, "Consistent", "✓", "a relation with other claims verifies the stated value", 3
    ),
    Verdict.INCONSISTENT: VerdictStyle(
        Verdict.INCONSISTENT,
        "Inconsistent",
        "✗",
        "relations with other claims fail, and the blame falls on this value",
        1,
    ),
    Verdict.ERROR: VerdictStyle(
        Verdict.ERROR, "Error", "!", "the claim has an error, or one of its checks could not run", 2
    ),
    Verdict.UNVERIFIED: VerdictStyle(
        Verdict.UNVERIFIED,
        "Unverified",
        "?",
        "no relation verifies this value (its quote may still be verified)",
        2,
    ),
}
"""Every verdict's presentation, in report order."""
BASIS_ORDER: tuple[str, ...] = tuple(Basis)


@dataclass
class Citation:
    """One source given for a claim: the quote, where it is in the archive, and its status."""

    index: int
    quote: Quote
    source: Source | None
    """None when the claim cites an unknown source."""
    found: bool | None
    """True found in the archived text, False not found, None not archived (or unknown source)."""
    span: tuple[int, int] | None
    anchor: str
    """The id of the highlighted passage on the source page."""
    claim_id: str = ""
    verdict: str = "unverified"

    @property
    def source_id(self) -> str:
        return self.quote.source

    @property
    def shown_quote(self) -> str:
        """The quote as a reader reads it: an HTML table row as its cells ("Llama 3.1 405B | 30.84M |
        700"), tags dropped; any other quote as archived. The page keeps the archived text too."""
        text = self.quote.quote or ""
        cells = row_cells(text) if "<t" in text.lower() else []
        return " | ".join(cells) if cells else text

    @property
    def lang(self) -> str:
        return self.source.meta.language if self.source is not None else "en"

    @property
    def href(self) -> str | None:
        """The source page, at the highlighted passage when there is one."""
        if self.source is None:
            return None
        page = f"sources/{self.source.id}.html"
        return f"{page}#{self.anchor}" if self.span is not None else page

    @property
    def status(self) -> str:
        if self.source is None:
            return "unknown source"
        if not self.source.archived:
            return "not archived: quotes not verified against an archived copy"
        if self.quote.quote is None:
            return "no quote given"
        return "found in the archived text" if self.found else "not found in the archived text"


@dataclass
class ClaimView:
    """One claim as its pages show it."""

    entry: ClaimEntry
    result: ClaimResult
    subject_slug: str
    quantity_label: str
    citations: list[Citation]
    problems: list[Problem]
    """Every error of this claim: its value, unit, quotes and checks."""
    value_text: str
    """The value as written, with qualifier and unit: "about 1.8 trillion parameter"."""
    interval_text: str
    """The stated interval with unit, or "" for a qualitative claim."""
    sort_value: float | None
    """The value in base units (representative), for sorting tables."""
    rests_on: list[str] = field(default_factory=list)
    """Claims its checks take as inputs, in order, without repeats."""
    rested_on_by: list[str] = field(default_factory=list)
    """Claims whose checks take this claim as an input."""
    conflicts: list[Conflict] = field(default_factory=list)
    condemning: list[CheckResult] = field(default_factory=list)
    """For a blamed claim: the failed relations that condemn it."""
    protection: list[Mutation] = field(default_factory=list)
    """Whether kb would catch this claim written ×10 or ÷10 (the mutation report), and by what."""

    @property
    def id(self) -> str:
        return self.entry.id

    @property
    def standing_text(self) -> str:
        """Why the claim has its verdict, in one line, when blame decided it."""
        r = self.result
        if r.standing == Standing.CONDEMNED:
            return "This number being wrong explains every relation that fails here:"
        if r.standing == Standing.SUSPECT:
            others = " or ".join(", ".join(a) for a in r.alternatives)
            return f"Either this claim or {others} is wrong: the relations cannot tell which."
        if r.standing == Standing.IN_DOUBT:
            return "This assumption may not hold here: it explains relations that fail."
        if r.standing == Standing.EXPLAINED:
            return f"A relation of this claim fails, but only because {', '.join(r.explained_by)} is wrong."
        return ""

    @property
    def fix_text(self) -> str:
        """The suggested value in one line (the cause line names the slip): "22,000–28,000 GPUs (×1,000)"."""
        s = self.result.suggested
        if s is None:
            return ""
        text = f"{_suggested(s)} would be consistent"
        return text + (f" (the stated value {display.factor(s.multiplier)})" if s.multiplier else "")

    @property
    def lead(self) -> CheckResult | None:
        """The relation that best shows why: the condemning one the slip fits, else the first that
        fails, else the first that recomputes the value."""
        r = self.result
        condemning = self.condemning or [c for c in r.checks if c.verdict == Verdict.INCONSISTENT]
        slip = r.suggested.slip if r.suggested else None
        fitting = [c for c in condemning if slip and c.slip == slip and c.kind == "check"]
        if r.suggested and r.suggested.multiplier:  # the closest fit first: "×1,000" over "×1,138"
            m = r.suggested.multiplier
            fitting.sort(key=lambda c: abs(math.log(c.factor / m)) if c.factor and c.factor > 0 else math.inf)
        return next(iter(fitting + condemning + self.recomputations), None)

    @property
    def recomputed(self) -> tuple[str, float | None, CheckResult] | None:
        """The value the lead relation gives for this claim, the factor from the stated value, and
        the relation. Its own check recomputes it; a relation it is only an input of (a row of a
        sum, another claim's check) does not, so there the value that makes its relations hold
        (the fix) is shown, or nothing."""
        lead = self.lead
        if lead is None:
            return None
        if lead in self.recomputations:  # not a bound of it (<=, >=): that is no value of it
            computed = lead.computed
            text = display.interval(computed, lead.unit) if computed and lead.unit else lead.computed_text
            return text, lead.factor if lead.verdict == Verdict.INCONSISTENT else None, lead
        s = self.result.suggested
        if s is None:
            return None
        return _suggested(s), s.multiplier, lead

    @property
    def off_by(self) -> float:
        """How far off the value is, as a ratio >= 1 (the factor shown beside `recomputed`, else its
        lead relation's, or their inverse); 0 unknown."""
        shown = self.recomputed
        lead = shown[2] if shown is not None else self.lead  # the same relation, looked for once
        f = (shown[1] if shown is not None else None) or (lead.factor if lead is not None else None)
        return max(f, 1 / f) if f and math.isfinite(f) and f > 0 else 0.0

    @property
    def cause_text(self) -> str:
        """The cause in one line: the slip, or which claim's error makes a relation fail."""
        r = self.result
        if r.standing == Standing.CONDEMNED:
            if r.suggested is not None and r.suggested.slip_text:
                return f"Likely {r.suggested.slip_text}."
            return "No known slip explains the factor; this value being wrong explains the failing relations."
        return self.standing_text

    @property
    def quote_text(self) -> str:
        """Its quotes and their translations, for the dashboard's text filter."""
        parts = [t for q in self.claim.sources for t in (q.quote, q.translation) if t]
        return " ".join(parts)

    @property
    def claim(self) -> Claim:
        return self.entry.claim

    @property
    def verdict(self) -> str:
        return self.result.verdict

    @property
    def style(self) -> VerdictStyle:
        return VERDICT_STYLES[self.result.verdict]

    @property
    def url(self) -> str:
        return f"claims/{self.id}.html"

    @property
    def first_source(self) -> str:
        return self.entry.claim.sources[0].source

    @property
    def checks(self) -> list[CheckResult]:
        return self.result.checks

    @property
    def recomputations(self) -> list[CheckResult]:
        """Its own checks that recompute its value (`claim = formula`), in its own unit. A relation or
        law it is a member of computes something else (the bound of `compute <= gpus * time * peak`
        is FLOP, not GPUs), and a check that bounds it (`<=`, `>=`) gives a limit, not its value."""
        return [
            c
            for c in self.result.checks
            if c.kind == "check" and c.relation == "=" and c.computed is not None
        ]

    @property
    def basis(self) -> str | None:
        """For a consistent claim: the most lenient basis any of its checks needed."""
        bases = [c.basis for c in self.result.checks if c.basis]
        if self.verdict != Verdict.CONSISTENT or not bases:
            return None
        return max(bases, key=BASIS_ORDER.index)

    @property
    def verdict_text(self) -> str:
        """The verdict in words, with what it needed: "Consistent (only within rounding)"."""
        text = self.style.label
        r = self.result
        if self.basis:
            text += f": {BASES[self.basis]}"
        elif self.verdict == Verdict.INCONSISTENT:
            if r.severity:
                text += f" ({r.severity})"
            if r.standing == Standing.SUSPECT:
                text += ": one of the claims that may be wrong"
        elif r.standing == Standing.IN_DOUBT:
            text += ": an assumption in doubt"
        return text

    @property
    def verdict_detail(self) -> str:
        """What the verdict text adds to its label: "severe", "one of the claims that may be wrong"."""
        text = self.verdict_text.removeprefix(self.style.label).strip(" :")
        # One pair of brackets around the whole: "(agrees only if ... (420 read as 415 to 425))".
        return text[1:-1] if text.startswith("(") and text.endswith(")") else text

    @property
    def summary(self) -> str:
        """A sentence for descriptions and ClaimReview: "GPT-4 · Total parameters: about 1.8 ..."."""
        what = self.claim.statement if self.claim.value is None else self.value_text
        return f"{self.claim.subject} · {self.quantity_label}: {what}"


@dataclass
class Group:
    """The claims of one subject and quantity: the estimates to compare side by side."""

    subject: str
    subject_slug: str
    quantity_id: str
    quantity_label: str
    claims: list[ClaimView]
    unit: UnitInfo | None = None
    """The unit values are compared in (the quantity's), None when nothing is numeric."""
    chart: str | None = None
    """Site path of the chart (charts/<hash>.svg), when the group needs one."""
    chart_size: tuple[int, int] = (0, 0)
    """The chart's width and height in CSS pixels."""
    chart_histogram: bool = False
    """The chart counts estimates by range (too many to draw one bar each)."""
    vega: dict[str, Any] | None = None
    """The interactive chart's Vega-Lite spec (kb/site/vega.py); the static chart stays as its fallback."""
    _values: list[tuple[ClaimView, str, list[tuple[CheckResult, str]]]] | None = field(
        default=None, repr=False, compare=False
    )

    @property
    def anchor(self) -> str:
        return f"q-{self.quantity_id}"

    @property
    def subject_anchor(self) -> str:
        return f"s-{self.subject_slug}"

    def values(self) -> list[tuple[ClaimView, str, list[tuple[CheckResult, str]]]]:
        """Each claim with its stated interval and its checks' recomputed intervals, in the group's unit
        (computed once: every claim page of the group shows them)."""
        if self._values is None:
            self._values = self._compute_values()
        return self._values

    def _compute_values(self) -> list[tuple[ClaimView, str, list[tuple[CheckResult, str]]]]:
        out = []
        for cv in self.claims:
            e = cv.entry
            if e.value is None or e.unit is None or self.unit is None or e.unit.dims != self.unit.dims:
                out.append((cv, cv.interval_text, [(c, c.computed_text) for c in cv.recomputations]))
                continue
            unit = self.unit
            stated = display.interval(convert(e.value.stated, e.unit, unit), unit)
            recomputed = [
                (c, display.interval(convert(c.computed, e.unit, unit), unit))
                for c in cv.recomputations
                if c.computed is not None  # always: for the type checker
            ]
            out.append((cv, stated, recomputed))
        return out


@dataclass
class SubjectView:
    name: str
    slug: str
    groups: list[Group] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"subjects/{self.slug}.html"

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class QuantityView:
    id: str
    label: str
    unit: str
    description: str
    defined: bool
    """False when claims use a quantity missing from quantities.yaml."""
    groups: list[Group] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"quantities/{self.id}.html"

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class SourceView:
    source: Source
    citations: list[Citation] = field(default_factory=list)
    """Every citation of this source, by claim, in claim order."""
    counts: dict[str, int] = field(default_factory=dict)
    """Claims citing it (first source or not), by verdict."""

    @property
    def id(self) -> str:
        return self.source.id

    @property
    def url(self) -> str:
        return f"sources/{self.id}.html"

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class SiteContext:
    """Everything the pages show, resolved once."""

    kb: KnowledgeBase
    results: Results
    claims: dict[str, ClaimView]
    """In page order: by subject, quantity, id."""
    subjects: dict[str, SubjectView]
    quantities: dict[str, QuantityView]
    sources: dict[str, SourceView]
    groups: dict[tuple[str, str], Group]
    """(subject slug, quantity id) -> group."""
    global_problems: list[Problem]
    """Problems not tied to one claim (a broken file, a changed archive)."""
    readme: str = ""
    """claims/README.md, rendered on the methodology page."""
    repo_url: str = ""
    """Where the claims' files are browsed (BuildOptions.repo_url); '' for no links."""

    def counts(self) -> dict[str, int]:
        return self.results.counts()

    def claim_of(self, claim_id: str) -> ClaimView | None:
        return self.claims.get(claim_id)

    def inconsistent(self) -> list[ClaimView]:
        """The inconsistent claims, worst first: by severity, then by how far off the value is."""
        wrong = [cv for cv in self.claims.values() if cv.verdict == Verdict.INCONSISTENT]
        return sorted(wrong, key=lambda cv: (-SEVERITY_RANK.get(cv.result.severity or "", 0), -cv.off_by))


def convert(iv: Interval, unit: UnitInfo, to: UnitInfo) -> Interval:
    """An interval from one unit to another of the same dimensions."""
    if unit.factor == to.factor:
        return iv
    return iv.scale(unit.factor / to.factor)


def _suggested(s: Suggestion) -> str:
    """A blamed claim's fix as a reader says it. A bound on one side ("cost <= GPU-hours × price")
    leaves the values from zero (the solver's floor for a quantity that cannot be negative) up to it:
    "at most $4.4 million", as kb check says, not "$0–4.4 million"."""
    iv = Interval(s.lo, s.hi)
    if iv.below_only and not unit_info(s.unit).is_date:
        iv = Interval(-math.inf, s.hi)
    return display.interval(iv, s.unit)


__all__ = ["SiteContext", "ClaimView", "Group", "VERDICT_STYLES", "convert"]
