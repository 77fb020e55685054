"""Numbers as a reader writes them: the one formatter for every value, interval and factor shown.

The engine speaks pint ("2800 yi parameter", "0.177 cent/kilotoken"); readers speak English
("280 billion parameters", "$0.00177 per 1,000 tokens"). This module turns the first into the
second, and keeps the source's own words beside the English when the source counted in 万 or 亿
("2800亿 (280 billion) parameters", "6300万美元 ($63 million)"). kb/values.py stays the engine's.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from kb.interval import Interval
from kb.units import UnitInfo, unit_info
from kb.values import format_interval, format_number

# Scale words a unit may start with, and what they multiply by.
_SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "wan": 1e4, "yi": 1e8}
_CHINESE = {"wan": "万", "yi": "亿", "万": "万", "亿": "亿"}
_ENGLISH_SCALES = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))

# Singular and plural of the units claims use; a unit not here is shown as written.
_NAMES: dict[str, tuple[str, str]] = {
    "parameter": ("parameter", "parameters"),
    "token": ("token", "tokens"),
    "word": ("word", "words"),
    "GPU": ("GPU", "GPUs"),
    "layer": ("layer", "layers"),
    "expert": ("expert", "experts"),
    "epoch": ("epoch", "epochs"),
    "query": ("query", "queries"),
    "sample": ("sample", "samples"),
    "engineer": ("engineer", "engineers"),
    "person": ("person", "people"),
    "day": ("day", "days"),
    "month": ("month", "months"),
    "year": ("year", "years"),
    "hour": ("hour", "hours"),
    "s": ("second", "seconds"),
    "second": ("second", "seconds"),
    "GPU*hour": ("GPU-hour", "GPU-hours"),
    "GPU_hour": ("GPU-hour", "GPU-hours"),
    "pfs_day": ("petaflop/s-day", "petaflop/s-days"),
    "kilotoken": ("1,000 tokens", "1,000 tokens"),
    "kgCO2e": ("kg CO2e", "kg CO2e"),
    "tCO2e": ("tCO2e", "tCO2e"),
    "percent": ("%", "%"),
    "times": ("×", "×"),
}
_MONEY = {"USD": ("$", 1.0), "cent": ("$", 0.01), "CNY": ("¥", 1.0)}
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


@dataclass(frozen=True)
class Words:
    """How a unit string reads: its scale word, its money sign and the words after the number."""

    scale: float
    """What a number written in this unit is multiplied by (2800 yi -> 2.8e11)."""
    chinese: str
    """万 or 亿 when the source counted in them, else ''."""
    money: str
    """'$' or '¥' when the unit is money per something (or nothing), else ''."""
    singular: str
    plural: str
    per: str
    """' per 1,000 tokens' for a rate, else ''."""

    def after(self, x: float) -> str:
        name = self.singular if abs(x) == 1 else self.plural
        if name in ("%", "×"):
            return name + self.per
        return (f" {name}" if name else "") + self.per


@lru_cache(maxsize=1024)
def words(unit: str) -> Words:
    """Read a unit string once: 'wan USD' -> $, scale 1e4, 万; 'cent/kilotoken' -> $0.01 per 1,000 tokens."""
    parts = unit.strip().split(" ", 1)
    scale, chinese = 1.0, ""
    if len(parts) == 2 and parts[0] in _SCALES:
        scale, chinese, unit = _SCALES[parts[0]], _CHINESE.get(parts[0], ""), parts[1]
    elif unit in _SCALES:
        return Words(_SCALES[unit], _CHINESE.get(unit, ""), "", "", "", "")
    if unit in ("1", "", "date") or "(" in unit:
        return Words(scale, chinese, "", *(("", "") if unit in ("1", "", "date") else (unit, unit)), "")
    top, *below = unit.split("/")
    per = "".join(f" per {_NAMES.get(b, (b.replace('_', ' '),))[0]}" for b in below)
    if top in _MONEY:
        sign, k = _MONEY[top]
        return Words(scale * k, chinese, sign, "", "", per)
    singular, plural = _NAMES.get(top, (top.replace("_", " "), top.replace("_", " ")))
    return Words(scale, chinese, "", singular, plural, per)


def unit_name(unit: str) -> str:
    """What a unit counts, in words: 'yi parameter' -> 'parameters', 'cent/kilotoken' -> 'US dollars per
    1,000 tokens'."""
    w = words(unit)
    money = {"$": "US dollars", "¥": "yuan"}.get(w.money, "")
    return (money or w.plural or "value") + w.per


def number(x: float, sig: int = 3) -> str:
    """A number in English: 2.8e11 -> '280 billion', 25000 -> '25,000', 8.64e19 -> '8.64×10¹⁹'."""
    if math.isinf(x) or x == 0:
        return format_number(x)
    ax = abs(x)
    if ax >= 1e15 or ax < 1e-4:
        mant, exp = f"{x:.{sig - 1}e}".split("e")
        mant = mant.rstrip("0").rstrip(".")
        return f"{mant}×10{str(int(exp)).translate(_SUPERSCRIPT)}"
    for size, name in _ENGLISH_SCALES:
        if ax >= size:
            return f"{_digits(x / size, sig)} {name}"
    return _digits(x, sig)


def _digits(x: float, sig: int) -> str:
    """x to `sig` significant digits (more for the integer part), with thousands separators."""
    ax = abs(x)
    places = sig - 1 - math.floor(math.log10(ax)) if ax else 0
    text = f"{round(x, places):,.{max(0, places)}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def amount(x: float, unit: str, sig: int = 3) -> str:
    """A value in a claim's unit as a reader says it: (2800, 'yi parameter') -> '280 billion parameters'."""
    w = words(unit)
    v = x * w.scale
    return f"{'-' if v < 0 else ''}{w.money}{number(abs(v), sig)}{w.after(v)}"


def interval(iv: Interval, unit: UnitInfo | str) -> str:
    """An interval as a reader says it: '22,000–28,000 GPUs', 'at least 25,000 GPUs', 'on or
    before 2022-01-15'."""
    if isinstance(unit, UnitInfo) and unit.is_date:
        return _dates(iv, unit)
    return _interval(iv, unit if isinstance(unit, str) else unit.text)


def _dates(iv: Interval, unit: UnitInfo) -> str:
    if math.isinf(iv.lo) != math.isinf(iv.hi):
        side, end = ("on or before", iv.hi) if math.isinf(iv.lo) else ("on or after", iv.lo)
        return f"{side} {format_interval(Interval.point(end), unit)}"
    return format_interval(iv, unit)


@lru_cache(maxsize=1 << 16)
def _interval(iv: Interval, text: str) -> str:
    """interval() of a unit string, cached: group tables show the same intervals on many pages."""
    if text in ("date", "month_date", "year_date"):
        return _dates(iv, unit_info(text))
    if iv.is_point:  # an exact value keeps the digits that make it: 1,024 GPUs, not 1,020
        return amount(iv.lo, text, _exact_digits(iv.lo * words(text).scale))
    if math.isinf(iv.hi) and math.isfinite(iv.lo):
        return f"at least {amount(iv.lo, text)}"
    if math.isinf(iv.lo) and math.isfinite(iv.hi):
        return f"at most {amount(iv.hi, text)}"
    w = words(text)
    lo, hi = iv.lo * w.scale, iv.hi * w.scale
    size, name = _scale_of(hi)
    if max(abs(lo), abs(hi)) >= 1e15 or (lo and _scale_of(lo) != (size, name)):
        return f"{w.money}{number(lo)}–{w.money}{number(hi)}{w.after(hi)}"
    a, b = _apart(lo / size, hi / size)
    return f"{w.money}{a}–{b}{' ' + name if name else ''}{w.after(hi)}"


EXACT_DIGITS = 6
"""An exact value is written with up to this many significant digits (1,024; 0.0375), past which
three say it better (2.1 million, not 2.09715 million)."""


def _exact_digits(x: float) -> int:
    """The fewest significant digits, from 3 to EXACT_DIGITS, that write x as it is; else 3."""
    if not math.isfinite(x) or x == 0:
        return 3
    for sig in range(3, EXACT_DIGITS + 1):
        if float(f"{x:.{sig - 1}e}") == x:
            return sig
    return 3


def _scale_of(x: float) -> tuple[float, str]:
    return next(((s, n) for s, n in _ENGLISH_SCALES if abs(x) >= s), (1.0, ""))


def _apart(lo: float, hi: float) -> tuple[str, str]:
    """The two ends with the fewest digits that tell them apart and keep each within 1% of the width."""
    slack = (hi - lo) / 100
    # Rounding to d decimal places errs by at most 0.5e-d, so d = -log10(2 * slack) always does;
    # one digit fewer may still do (22.05 -> 22 within 0.06): start there.
    places = math.ceil(-math.log10(2 * slack)) if slack > 0 else 0
    top = max(abs(lo), abs(hi))
    first = max(2, math.floor(math.log10(top)) + places) if top > 0 else 2
    for sig in range(min(first, 12), 13):
        a, b = _digits(lo, sig) if lo else "0", _digits(hi, sig) if hi else "0"
        if a != b and abs(_float(a) - lo) <= slack and abs(_float(b) - hi) <= slack:
            return a, b
    return a, b


def _float(text: str) -> float:
    return float(text.replace(",", ""))


def factor(f: float | None) -> str:
    """A ratio in one style: '×1,000', '×5.66', '÷1,150' (below 1, as the inverse); '' when unknown."""
    if f is None or not math.isfinite(f) or f <= 0:
        return ""
    return f"×{_digits(f, 3)}" if f >= 1 else f"÷{_digits(1 / f, 3)}"


_PLAIN_NUMBER = re.compile(r"^-?[\d,]*\.?\d+$")


def written(value: str | list[str] | None, unit: str, qualifier: str | None) -> str:
    """A claim's value in its source's words and in English: 'about 2800亿 (280 billion) parameters'."""
    if value is None:
        return ""
    # Only the text of the value counts (each end is read as str): the key of the cache.
    return _written(tuple(str(v) for v in value) if isinstance(value, list) else str(value), unit, qualifier)


@lru_cache(maxsize=1 << 16)
def _written(value: str | tuple[str, ...], unit: str, qualifier: str | None) -> str:
    """written(), cached: the site and the downloads both say every claim's value (kb serve, every
    rebuild), and the downloads' process inherits what the site's resolve found."""
    if unit in ("date", "month_date", "year_date"):
        text = f"{value[0]} to {value[1]}" if isinstance(value, tuple) else value
    else:
        ends = value if isinstance(value, tuple) else (value,)
        if not all(_PLAIN_NUMBER.match(v.strip()) for v in ends):
            text = " to ".join(ends) + (f" {unit}" if unit not in ("1", "") else "")
        else:
            text = _written_number([_float(v) for v in ends], [v.strip() for v in ends], unit)
    return (_QUALIFIERS.get(qualifier or "", "") + text).strip()


_QUALIFIERS = {"about": "about ", "at_least": "at least ", "at_most": "at most ", "exactly": "exactly "}


def _written_number(xs: list[float], raw: list[str], unit: str) -> str:
    w = words(unit)
    # As written: every digit the source gave ("11,390", "30.84 million"), not rounded to three.
    sig = max(3, _significant(raw[0]))
    english = amount(xs[0], unit, sig) if len(xs) == 1 else interval(Interval(xs[0], xs[-1]), unit)
    if not w.chinese:
        return english
    source = "–".join(raw) + w.chinese + ("美元" if w.money == "$" else "元" if w.money == "¥" else "")
    bare = english.removeprefix(w.money) if len(xs) == 1 else english
    if w.money or not w.plural:
        return f"{source} ({english})"
    tail = w.after(xs[-1] * w.scale)
    return f"{source} ({bare.removesuffix(tail)}){tail}"


def nominal(iv: Interval, unit: UnitInfo, literal: object) -> str:
    """A stated value's nominal interval, a point with every digit its literal gives ("30.84
    million GPU-hours", not 30.8), as "As written" shows it."""
    if iv.is_point and not unit.is_date and isinstance(literal, (str, int, float)):
        text = str(literal).strip()
        if _PLAIN_NUMBER.match(text):
            return amount(iv.lo, unit.text, max(3, _significant(text)))
    return interval(iv, unit)


def _significant(literal: str) -> int:
    """The digits a literal writes, from its first non-zero one: '11390' 5, '30.84' 4, '0.177' 3,
    '2.15e25' 3. At most 15, as a float holds."""
    mantissa = literal.strip().lstrip("+-").lower().split("e")[0].replace(",", "").replace("_", "")
    digits = mantissa.replace(".", "").lstrip("0")
    return min(len(digits), 15)


__all__ = ["amount", "factor", "interval", "nominal", "number", "unit_name", "words", "written"]
