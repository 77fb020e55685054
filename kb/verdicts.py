"""Verdict rules: how a recomputed interval compares with a stated one, and what a gap suggests."""

from __future__ import annotations

import math

from kb.interval import Interval
from kb.results import SEVERITY_ORDER

# Factors that name a likely slip, nearest first; matched within NEAR (a factor of 1.3 either way).
# A slip of units is only named where the check involves that kind of unit (time, money, a ratio):
# "hours vs seconds" means nothing for a count of parameters times tokens.
NEAR = math.log10(1.3)
NEAR_SMALL = math.log10(1.1)
ANY = ""
SLIPS: tuple[tuple[float, str, str], ...] = (
    (
        1e3,
        "a scale word slip by a factor of 1,000: a dropped or added 'thousand' (25,000 written as 25), "
        "or a prefix slip such as TFLOP for GFLOP",
        ANY,
    ),
    (1e4, "a 万 (10^4) slip: 万 dropped, or 万 and 亿 confused (亿 = 10^4 万)", ANY),
    (1e8, "a 亿 (10^8) slip: 亿 dropped or added", ANY),
    (1e6, "a dropped or added 'million' (or an M/T prefix slip)", ANY),
    (1e9, "a dropped or added 'billion' (or a G prefix slip)", ANY),
    (1e12, "a dropped or added 'trillion'", ANY),
    (1e2, "cents vs dollars (a factor of 100)", "[currency]"),
    (1e2, "a percentage read as a fraction (a factor of 100)", "percent"),
    (
        1e1,
        "a factor of ten: a misplaced decimal point or a scale word one step off "
        "(亿 vs 十亿, 55 亿 vs 550 亿)",
        ANY,
    ),
    (3600.0, "hours vs seconds (a factor of 3,600)", "[time]"),
    (86400.0, "days vs seconds (a factor of 86,400)", "[time]"),
    (24.0, "days vs hours (a factor of 24)", "[time]"),
    (30.44, "months vs days (a factor of about 30)", "[time]"),
    (12.0, "years vs months (a factor of 12)", "[time]"),
    (
        3.0,
        "a factor of 3: training (6 FLOP per parameter per token) vs inference (2), "
        "or a count off by its multiplier",
        ANY,
    ),
    (
        2.0,
        "a factor of 2: e.g. forward pass only vs forward and backward, "
        "or two experts per token counted as one",
        ANY,
    ),
)
SEVERITY = ((1.5, "minor"), (10.0, "major"), (math.inf, "severe"))


def worst(verdicts: list[str]) -> str:
    return max(verdicts, key=lambda v: SEVERITY_ORDER[v]) if verdicts else "unverified"


def factor(computed: Interval, stated: Interval) -> float | None:
    """Recomputed / stated, from representative values; None where it means nothing (zero, sign)."""
    a, b = computed.mid(), stated.mid()
    if not (math.isfinite(a) and math.isfinite(b)) or b == 0 or a == 0 or (a > 0) != (b > 0):
        return None
    return a / b


def gap(computed: Interval, stated: Interval) -> float:
    """How far apart two disjoint positive intervals are, as a ratio of their nearest ends."""
    below, above = (computed, stated) if computed.hi < stated.lo else (stated, computed)
    if below.hi > 0:  # both positive
        return above.lo / below.hi
    if above.lo < 0:  # both negative: compare magnitudes
        return below.hi / above.lo
    return math.inf


def severity(ratio: float) -> str:
    for bound, name in SEVERITY:
        if ratio < bound:
            return name
    return "severe"


def spread(iv: Interval) -> float:
    """How wide a positive interval is, as the ratio of its ends (1 for a point)."""
    if iv.lo > 0 and math.isfinite(iv.hi):
        return iv.hi / iv.lo
    return math.inf


MAX_SPREAD = 3.0
"""Past this width (hi/lo) a factor is too blurred to name a slip."""


def diagnose(f: float | None, width: float = 1.0, involved: frozenset[str] | None = None) -> str:
    """Name the likely cause of a factor between recomputed and stated values.

    `width` is the larger spread (hi/lo) of the two intervals: when they span more than
    MAX_SPREAD, the factor is too uncertain to name a slip, and the diagnosis says so.
    `involved` names the kinds of unit the check touches ("[time]", "[currency]", "percent");
    a slip of a kind it does not touch is not named (None: any).
    """
    if f is None:
        return "the values have different signs or one is zero; check the inputs"
    distance = abs(math.log10(abs(f)))
    best: tuple[float, str] | None = None
    for value, text, needs in SLIPS:
        if needs and involved is not None and needs not in involved:
            continue
        d = abs(distance - math.log10(value))
        # Small factors (2, 3) arise by chance too: name them only when close.
        near = NEAR if value >= 10 else NEAR_SMALL
        if d <= near and (best is None or d < best[0]):
            best = (d, text)
    direction = "larger" if abs(f) > 1 else "smaller"
    size = abs(f) if abs(f) >= 1 else 1 / abs(f)
    head = f"the recomputed value is {size:,.3g}x {direction} than stated"
    if width > MAX_SPREAD:
        return (
            head + f"; the intervals are wide (up to {width:,.3g}x between their ends), so no single slip "
            "can be named: the estimate's inputs or assumptions are the likely cause"
        )
    if best is None:
        if size < 1.5:
            return head + "; a small gap: rounding beyond what was written, or a loose estimate in the source"
        return (
            head + "; no common slip explains this factor: an input, an assumption or the source may be wrong"
        )
    return f"{head}; likely {best[1]}"
