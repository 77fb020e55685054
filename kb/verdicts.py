"""Verdicts, severities, bases and standings: defined once, used by the engine, reports and the site.

They are string enums, so `Verdict.INCONSISTENT == "inconsistent"` and JSON and templates see the
plain word. The rules here turn a recomputed and a stated interval into a factor, a gap and a
severity.
"""

from __future__ import annotations

import math
from enum import StrEnum

from kb.interval import Interval


class Verdict(StrEnum):
    """What kb concludes about a claim, a check or a relation."""

    CONSISTENT = "consistent"
    INCONSISTENT = "inconsistent"
    ERROR = "error"
    UNVERIFIED = "unverified"


VERDICTS: tuple[Verdict, ...] = tuple(Verdict)
"""Every verdict, in report order."""
SEVERITY_ORDER: dict[str, int] = {
    Verdict.ERROR: 3,
    Verdict.INCONSISTENT: 2,
    Verdict.CONSISTENT: 1,
    Verdict.UNVERIFIED: 0,
}


class Severity(StrEnum):
    """How far apart the nearest ends of two intervals that do not meet are."""

    MINOR = "minor"
    MAJOR = "major"
    SEVERE = "severe"


SEVERITY: tuple[tuple[float, Severity], ...] = (
    (1.5, Severity.MINOR),
    (10.0, Severity.MAJOR),
    (math.inf, Severity.SEVERE),
)


SEVERITY_RANK: dict[str, int] = {Severity.MINOR: 1, Severity.MAJOR: 2, Severity.SEVERE: 3}


class Basis(StrEnum):
    """What a relation that holds needed, from strict to lenient."""

    EXACT = "exact"
    ROUNDING = "rounding"
    TRAILING_ZEROS = "trailing_zeros"
    ABOUT = "about"
    TOLERANCE = "tolerance"


BASES: dict[str, str] = {
    Basis.EXACT: "the values agree as written",
    Basis.ROUNDING: "agrees only within the rounding of the last digit written",
    Basis.TRAILING_ZEROS: "agrees only if an integer's trailing zeros are rounding (420 read as 415 to 425)",
    Basis.ABOUT: "agrees only thanks to an 'about' (or at least / at most) qualifier",
    Basis.TOLERANCE: "agrees only thanks to the relation's explicit tolerance",
}
"""What a consistent verdict needed, from strict to lenient."""


class Standing(StrEnum):
    """Why a claim has its verdict once blame is computed (absent: its own relations decide)."""

    CONDEMNED = "condemned"
    """The best explanation of the failed relations says this claim is wrong."""
    SUSPECT = "suspect"
    """One of several equally good explanations blames this claim: either it or another is wrong."""
    EXPLAINED = "explained"
    """A relation of this claim fails, but only because another claim is wrong."""
    IN_DOUBT = "in_doubt"
    """A labelled assumption that the failed relations say may not hold here."""


def worst(verdicts: list[str]) -> Verdict:
    return Verdict(max(verdicts, key=lambda v: SEVERITY_ORDER[v])) if verdicts else Verdict.UNVERIFIED


def factor(computed: Interval, stated: Interval) -> float | None:
    """Recomputed / stated, from representative values; None where it means nothing (zero, sign)."""
    a, b = computed.mid(), stated.mid()
    if not (math.isfinite(a) and math.isfinite(b)) or b == 0 or a == 0 or (a > 0) != (b > 0):
        return None
    return a / b


def gap(computed: Interval, stated: Interval) -> float:
    """How far apart two disjoint intervals are, as a ratio of their nearest ends."""
    below, above = (computed, stated) if computed.hi < stated.lo else (stated, computed)
    if below.hi > 0:  # both positive
        return above.lo / below.hi
    if above.lo < 0:  # both negative: compare magnitudes
        return below.hi / above.lo
    return math.inf


def severity(ratio: float) -> Severity:
    for bound, name in SEVERITY:
        if ratio < bound:
            return name
    return Severity.SEVERE


def spread(iv: Interval) -> float:
    """How wide a positive interval is, as the ratio of its ends (1 for a point)."""
    if iv.lo > 0 and math.isfinite(iv.hi):
        return iv.hi / iv.lo
    return math.inf
