"""What a stated value means: the interval a literal, a range or a date stands for.

A value is read at four levels, from strict to lenient, so a verdict can say what it needed:
- nominal: the number as written ("1.8 trillion" is the point 1.8e12; a range is its two ends);
- rounded: the rounding interval of the last digit written, both ends inclusive ("1.8" -> [1.75, 1.85],
  "420" -> [419.5, 420.5]);
- wide: an integer's trailing zeros read as rounding too ("420" -> [415, 425], "6000万" ->
  [5500万, 6500万]); decimals keep every digit ("2.0", "539.00");
- stated: the wide interval widened by the qualifier ("about" by ABOUT_RELATIVE each side,
  "at least" open above, "at most" down to zero; "exactly" drops the rounding).
A relation is judged at the stated level, the widest, so a flag never rests on an assumed precision;
the stricter levels only say what agreement needed.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

from kb.errors import KbError
from kb.interval import Interval
from kb.numbers import date_interval, literal_parts, literal_wide
from kb.units import UnitInfo

ABOUT_RELATIVE = 0.10
"""'about' widens a value's rounding interval by 10% of each end."""
ABOUT_DAYS = 31.0
"""'about' widens a date by a month on each side."""

LEVELS = ("nominal", "rounded", "wide", "stated")
_BASE_OF = {level: "_base_" + level for level in LEVELS}
"""Each level's cached interval in base units, by the attribute that keeps it."""
_DATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


@dataclass(frozen=True, slots=True)
class StatedValue:
    """A claim's value at its three levels, in the claim's own unit."""

    unit: UnitInfo
    nominal: Interval
    """The value as written: a point, or the two ends of a range."""
    rounded: Interval
    """The rounding interval of what was written."""
    wide: Interval
    """The rounding interval with an integer's trailing zeros read as rounding."""
    stated: Interval
    """The rounding interval widened by the qualifier: what the claim asserts."""
    # Each level in base units, computed on first use (relations read them over and over).
    _base_nominal: Interval | None = field(default=None, compare=False, repr=False)
    _base_rounded: Interval | None = field(default=None, compare=False, repr=False)
    _base_wide: Interval | None = field(default=None, compare=False, repr=False)
    _base_stated: Interval | None = field(default=None, compare=False, repr=False)

    def level(self, name: str) -> Interval:
        return getattr(self, name)  # type: ignore[no-any-return,unused-ignore]

    def base(self, name: str = "stated") -> Interval:
        if name == "stated" and self._base_stated is not None:  # what relations read, over and over
            return self._base_stated
        attr = _BASE_OF.get(name) or "_base_" + name
        found: Interval | None = getattr(self, attr)
        if found is None:
            found = self.level(name).scale(self.unit.factor)
            object.__setattr__(self, attr, found)  # a cache of the frozen fields: not a change
        return found

    def scaled(self, k: float) -> StatedValue:
        """The same value as if its source had written it k times larger (mutations, confirmations)."""
        return StatedValue(
            self.unit,
            self.nominal.scale(k),
            self.rounded.scale(k),
            self.wide.scale(k),
            self.stated.scale(k),
        )


def _date_span(text: str) -> tuple[float, float]:
    m = _DATE.match(text.strip())
    if not m:
        raise KbError(f"not a date: {text!r}", "write dates as YYYY-MM-DD, YYYY-MM or YYYY", "bad-date")
    year, month, day = (int(g) if g else None for g in m.groups())
    assert year is not None
    return date_interval(year, month, day)


def stated_value(value: str | list[str], unit: UnitInfo, qualifier: str | None) -> StatedValue:
    """Read a claim's value; raises KbError naming what is wrong with it."""
    if type(value) is str:  # the usual case: one number
        return _stated_text((value,), unit, qualifier)
    parts = tuple(value) if isinstance(value, list) else (value,)
    if all(type(p) is str for p in parts):
        return _stated_text(parts, unit, qualifier)
    return _stated(parts, unit, qualifier)


@lru_cache(maxsize=16_384)
def _stated_text(parts: tuple[str, ...], unit: UnitInfo, qualifier: str | None) -> StatedValue:
    """A value written as text, read once per run: many claims state the same figure in the same unit
    (a StatedValue never changes, so they may share it)."""
    return _stated(parts, unit, qualifier)


def _stated(parts: tuple[str, ...], unit: UnitInfo, qualifier: str | None) -> StatedValue:
    if unit.is_date:
        spans = [_date_span(str(p)) for p in parts]
        lo, hi = spans[0][0], spans[-1][1]
        nominal = rounded = Interval(lo, hi)
        widen = ABOUT_DAYS if qualifier == "about" else 0.0
        stated = Interval(lo - widen, hi + widen)
        if qualifier == "at_least":
            stated = Interval(lo, math.inf)
        elif qualifier == "at_most":
            stated = Interval(-math.inf, hi)
        return StatedValue(unit, nominal, rounded, rounded, stated)
    for p in parts:
        if isinstance(p, (dt.date,)) or not isinstance(p, str):
            raise KbError(f"value {p!r} is not a number", "write a number, or [low, high]", "bad-value")
    parsed = [literal_parts(p) for p in parts]
    values = [v for v, _, _ in parsed]
    intervals = [(lo, hi) for _, lo, hi in parsed]
    if values[0] > values[-1]:
        raise KbError(
            f"range [{parts[0]}, {parts[-1]}] runs backwards", "write ranges as [low, high]", "bad-value"
        )
    nominal = Interval(values[0], values[-1])
    rounded = nominal if qualifier == "exactly" else Interval(intervals[0][0], intervals[-1][1])
    wide = rounded
    if qualifier != "exactly":
        wides = [literal_wide(p, parsed_p) for p, parsed_p in zip(parts, parsed, strict=True)]
        wide = Interval(min(wides[0][0], rounded.lo), max(wides[-1][1], rounded.hi))
    if qualifier == "about":
        stated = wide.widen(ABOUT_RELATIVE)
    elif qualifier == "at_least":  # "at least 25,000", "over 4 million": the bound as written
        stated = Interval(nominal.lo, math.inf)
    elif qualifier == "at_most":
        stated = Interval(0.0 if nominal.hi >= 0 else -math.inf, nominal.hi)
    else:
        stated = wide
    return StatedValue(unit, nominal, rounded, wide, stated)


def format_number(x: float, sig: int = 4) -> str:
    """A readable number: 1.8e+12 -> '1.8e12', 0.00177 -> '0.00177', 25000 -> '25,000'."""
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    if x == 0:
        return "0"
    ax = abs(x)
    if 1e-3 <= ax < 1e7:
        text = f"{x:,.{sig}g}" if ax >= 1 else f"{x:.{sig}g}"
        if "e" in text:
            text = f"{x:,.{max(0, sig - 1 - int(math.floor(math.log10(ax))))}f}"
        return text
    mant, exp = f"{x:.{sig - 1}e}".split("e")
    mant = mant.rstrip("0").rstrip(".")
    return f"{mant}e{int(exp)}"


def format_date(days: float) -> str:
    if math.isinf(days):
        return "…"  # an open end: any date before or after
    try:
        return (dt.date(1970, 1, 1) + dt.timedelta(days=math.floor(days))).isoformat()
    except (OverflowError, ValueError):  # a computed date beyond year 9999 (or before year 1)
        return f"{format_number(days)} days from 1970-01-01"


def format_interval(iv: Interval, unit: UnitInfo | None = None) -> str:
    """'[1.75e12, 1.85e12]' or a single number for a point; dates as ISO days."""
    if unit is not None and unit.is_date:
        if iv.is_point or iv.hi - iv.lo <= 1:
            return format_date(iv.lo)
        return f"[{format_date(iv.lo)}, {format_date(iv.hi)}]"
    if iv.is_point:
        return format_number(iv.lo)
    # Enough digits to tell the ends apart: [24,999.5, 25,000.5], not [25,000, 25,000].
    slack = (iv.hi - iv.lo) / 100 if iv.bounded else 0.0
    for sig in range(4, 13):
        lo, hi = format_number(iv.lo, sig), format_number(iv.hi, sig)
        if _close_enough(lo, iv.lo, slack) and _close_enough(hi, iv.hi, slack):
            break
    return f"[{lo}, {hi}]"


def _close_enough(text: str, x: float, slack: float) -> bool:
    if not math.isfinite(x):
        return True
    try:
        return abs(float(text.replace(",", "")) - x) <= slack
    except ValueError:
        return True
