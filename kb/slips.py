"""The catalogue of slips: the mistakes that turn a right number into a wrong one by a known factor.

Each slip names the factor it produces and the kinds of unit it concerns; it is named only where
the relation involves such units and where its factor, applied to the stated interval, reaches
the interval the other claims require. Otherwise kb says that no known slip explains the factor.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kb.interval import Interval

ANY: frozenset[str] = frozenset()
CJK = "cjk"
"""Marker in `involved` for a value written with 万 or 亿."""
PERCENT = "percent"
"""Marker in `involved` for a value written in percent."""
BYTE_PREFIXES = {"K": 1, "M": 2, "G": 3, "T": 4, "P": 5}


def bytes_at(power: int) -> str:
    """Marker in `involved` for a value written in bytes with a prefix of this power of 1000 or
    1024 (GB and GiB: 3): a binary-prefix slip is named only in its own prefix."""
    return f"bytes^{power}"


@dataclass(frozen=True)
class Slip:
    id: str
    factor: float
    """What the slip multiplies a value by (its inverse is the same slip the other way)."""
    text: str
    """What went wrong, in words."""
    needs: frozenset[str] = ANY
    """Kinds of unit the wrong value's unit must all have ('[time]', '[currency]', 'cjk'...)."""
    context: frozenset[str] = ANY
    """Dimensions the relation must involve besides (a count of parameters, for FLOP per parameter)."""


SLIPS: tuple[Slip, ...] = (
    Slip("thousand", 1e3, "a dropped or added 'thousand' (25,000 written as 25)"),
    Slip("tflop-gflop", 1e3, "a prefix one step off (TFLOP written for GFLOP)", frozenset({"[compute]"})),
    Slip("per-1k-per-1m", 1e3, "per 1,000 vs per 1,000,000 tokens", frozenset({"[token]", "[currency]"})),
    Slip("million", 1e6, "a dropped or added 'million' (or an M/T prefix slip)"),
    Slip("billion", 1e9, "a dropped or added 'billion' (or a G prefix slip)"),
    Slip("trillion", 1e12, "a dropped or added 'trillion'"),
    Slip("wan", 1e4, "万 dropped, or 万 and 亿 confused (1 亿 = 10,000 万)", frozenset({CJK})),
    Slip("yi", 1e8, "亿 dropped or added", frozenset({CJK})),
    Slip(
        "ten",
        10.0,
        "a factor of ten: a misplaced decimal point or a scale word one step off (55亿 for 550亿)",
    ),
    Slip("cents-dollars", 100.0, "cents vs dollars", frozenset({"[currency]"})),
    Slip("percent-fraction", 100.0, "a percentage read as a fraction", frozenset({PERCENT})),
    Slip("hours-seconds", 3600.0, "hours vs seconds", frozenset({"[time]"})),
    Slip("days-seconds", 86400.0, "days vs seconds", frozenset({"[time]"})),
    Slip("days-hours", 24.0, "days vs hours", frozenset({"[time]"})),
    Slip("months-days", 30.44, "months vs days", frozenset({"[time]"})),
    Slip("years-months", 12.0, "years vs months", frozenset({"[time]"})),
    Slip(
        "forward-backward",
        3.0,
        "forward pass only (2 FLOP per parameter per token) vs forward and backward (6)",
        frozenset({"[compute]"}),
        frozenset({"[parameter]"}),  # a count of FLOP per parameter; not a chip's peak throughput
    ),
    Slip("experts-per-token", 2.0, "two experts per token counted as one", frozenset({"[expert]"})),
    Slip("words-tokens", 4.0 / 3.0, "words vs tokens (about 0.75 words per token)", frozenset({"[word]"})),
    *(
        Slip(
            f"{binary.lower()}-{decimal.lower()}",
            1024.0**power / 1000.0**power,
            f"binary vs decimal prefixes ({binary} written as {decimal}: 1 {binary} = "
            f"{1024.0**power / 1000.0**power:.3f} {decimal})",
            frozenset({"[information]", bytes_at(power)}),
        )
        for power, binary, decimal in ((2, "MiB", "MB"), (3, "GiB", "GB"), (4, "TiB", "TB"))
    ),
)
MAX_SPREAD = 3.0
"""Past this width (hi/lo) an interval is too blurred to tell slips apart."""


@dataclass(frozen=True)
class SlipMatch:
    slips: tuple[Slip, ...]
    """The slips of one factor that fit (several names for one factor: 'thousand' or 'TFLOP for GFLOP')."""
    multiplier: float
    """What the stated value must be multiplied by: the slip's factor or its inverse."""

    @property
    def text(self) -> str:
        return " or ".join(s.text for s in self.slips)

    @property
    def id(self) -> str:
        return self.slips[0].id


NEAR = 1.5
"""A slip's factor must be within this of the factor between the values' representative points."""


def applicable(involved: frozenset[str]) -> list[Slip]:
    return [s for s in SLIPS if s.needs <= involved]


def fitting(
    stated: Interval, target: Interval, involved: frozenset[str], context: frozenset[str] | None = None
) -> SlipMatch | None:
    """The slip that maps the stated interval onto the target, if exactly one factor does.

    `involved` describes the unit of the value that is wrong: its dimensions, and CJK or PERCENT
    when it is written with 万/亿 or in percent; `context` the dimensions of the relation's other
    claims (None: not checked). A slip that concerns other units is not named;
    of slips with one factor, those specific to the unit ('TFLOP for GFLOP') win over generic ones.
    """
    if not (stated.lo > 0 and target.lo > 0 and math.isfinite(stated.hi)):
        return None
    if stated.meets(target) or max(_spread(stated), _spread(target)) > MAX_SPREAD:
        return None  # nothing to explain, or too blurred to tell slips apart
    low, high = _mid(stated), _mid(target)
    if not (low > 0 and high > 0 and math.isfinite(low) and math.isfinite(high)):
        return None  # magnitudes beyond what a float can compare
    ratio = high / low
    found: dict[float, list[Slip]] = {}
    for slip in SLIPS:
        for m in (slip.factor, 1 / slip.factor):
            # Cheap test first: most slips are nowhere near the factor.
            if (
                max(m / ratio, ratio / m) <= NEAR
                and slip.needs <= involved
                and (context is None or slip.context <= context)
                and stated.scale(m).meets(target)
            ):
                found.setdefault(m, []).append(slip)
    if len(found) != 1:
        return None  # none, or several factors fit
    multiplier, slips = next(iter(found.items()))
    specific = [s for s in slips if s.needs]
    return SlipMatch(tuple(specific or slips), multiplier)


def _spread(iv: Interval) -> float:
    return iv.hi / iv.lo if iv.lo > 0 and math.isfinite(iv.hi) else math.inf


def _mid(iv: Interval) -> float:
    return math.sqrt(iv.lo * iv.hi) if math.isfinite(iv.hi) else iv.lo


def by_id(slip_id: str) -> Slip | None:
    return next((s for s in SLIPS if s.id == slip_id), None)
