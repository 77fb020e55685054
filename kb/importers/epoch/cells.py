"""The cell grammar: a cell's text to a number kb can write as it was written (scale words,
ranges, "~", separators, footnote marks), or the reason it cannot; and the ids made of names."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from kb import slugs
from kb.importers.yamlout import Flow, Literal


class CellError(Exception):
    """A cell that holds something, but not a value kb can use; the message says why."""


SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}


@dataclass(frozen=True)
class Number:
    """A cell read as a value: literal(s) as kb writes them, a scale word, a qualifier."""

    literals: tuple[str, ...]
    scale: str = ""
    """thousand / million / billion / trillion, or empty."""
    qualifier: str | None = None
    percent: bool = False

    def floats(self) -> tuple[float, ...]:
        k = SCALES.get(self.scale, 1.0) * (0.01 if self.percent else 1.0)
        return tuple(float(x) * k for x in self.literals)

    def yaml_value(self) -> Literal | Flow:
        if len(self.literals) == 1:
            return Literal(self.literals[0])
        return Flow(Literal(x) for x in self.literals)


_NUMBER = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d*)?(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?"
_CELL = re.compile(
    r"(?P<approx>~|≈|approx\.?|approximately|about|circa|ca\.|c\.)?\s*(?:US\$|\$)?\s*(?P<a>" + _NUMBER + r")"
    r"\s*(?P<pa>%)?\s*(?:(?:–|—|-|to)\s*(?:US\$|\$)?\s*(?P<b>" + _NUMBER + r")\s*(?P<pb>%)?)?\s*(?:USD)?",
    re.IGNORECASE,
)
_FOOTNOTE = re.compile(
    r"(?:\s*(?:\[[^\]]{1,12}\]|\((?:[a-z]|\d{1,2}|est\.?|estimated|approx\.?)\)|[*†‡§¹²³⁴⁵⁶⁷⁸⁹⁰]+))+$",
    re.IGNORECASE,
)
_NO_NUMBER = frozenset({"n/a", "na", "-", "—", "?", "unknown", "none", "nan", "null", "tbd"})


MAX_NUMBER = 80
"""The longest numeric cell kb reads ("1.2e25-3.4e25 (estimated)" is 25 characters)."""


def read_cell(
    text: str, allow_percent: bool = False, allow_money: bool = False, count: bool = False
) -> Number | None:
    """The value of a numeric cell, None when empty; raises CellError saying why it cannot be read.
    `count`: the column counts whole things (chips), see _clean."""
    t = text.strip()
    if not t:
        return None
    if t.lower() in _NO_NUMBER:
        raise CellError(f"no number ({t!r})")
    if len(t) > MAX_NUMBER:
        raise CellError(f"{len(t)} characters: too long for a number (at most {MAX_NUMBER})")
    body = _FOOTNOTE.sub("", t).strip()
    m = _CELL.fullmatch(body)
    if m is None:
        raise CellError("not a number, a range or an approximate number")
    if ("$" in body or "usd" in body.lower()) and not allow_money:
        raise CellError("a money amount in a column that is not money")
    percent = bool(m.group("pa") or m.group("pb"))
    if percent and not allow_percent:
        raise CellError("a percentage in a column that is not a fraction")
    raw = [m.group("a")] + ([m.group("b")] if m.group("b") else [])
    try:
        decimals = [Decimal(x.replace(",", "")) for x in raw]
    except InvalidOperation:  # pragma: no cover - the pattern only matches numbers
        raise CellError("not a number") from None
    if any(not d.is_finite() or d <= 0 for d in decimals):
        raise CellError("zero or negative: not a usable value")
    if len(decimals) == 2 and decimals[0] > decimals[1]:
        raise CellError("a range that runs backwards")
    try:
        literals, scale = _literals([x.replace(",", "") for x in raw], decimals, count)
    except (OverflowError, ArithmeticError, ValueError):  # beyond a float: 1e400, 300 digits
        raise CellError("too large to be a value") from None
    return Number(tuple(literals), scale, "about" if m.group("approx") else None, percent)


MIN_DIGITS = 3
"""Significant digits a rewritten whole number keeps at least (70000000000.0 -> 70.0 billion)."""


def _clean(text: str, d: Decimal, count: bool = False) -> tuple[str, Decimal]:
    """Drop float-export artefacts: 5.400000000000001e+21 -> 5.4e21; 1728.0 -> 1728, 48.0 -> 48.

    A decimal part of zeros only is the export's, not a statement of precision: a CSV written from
    a table of floats (pandas, a spreadsheet) writes every whole number of a column that has a blank
    cell as "48.0" (Epoch's 2025-08 release writes all 439 whole epochs, all 560 chip counts and
    all 372 whole training times so, and none as "48"). The cell is read as the whole number it
    is, and kb's rounding of whole numbers applies ("48" is 47.5 to 48.5, "10" is 5 to 15).

    A count of whole things (`count`: chips) below MIN_DIGITS digits keeps its ".0": 8 chips are
    8, not anything from 7.5 to 8.5 (the rounding of "8"), and "8.0", read as 7.95 to 8.05, holds
    that one whole number. A release that writes such a count without the ".0" (the 2026-02 notable
    export writes "1", "8", "64") gets one: its "1" chip is one chip, not 0.5 to 1.5 of them."""
    if len(d.as_tuple().digits) >= 15:
        d = Decimal(f"{float(d):.12g}")
        text = f"{d.normalize():E}" if "e" in text.lower() else format(d.normalize(), "f")
    if "e" in text.lower():
        mant, _, exp = text.lower().partition("e")
        return f"{mant}e{int(exp)}", d
    whole = text.split(".")[0]
    if "." in text and d == d.to_integral_value() and (not count or len(whole.lstrip("0")) >= MIN_DIGITS):
        text = whole
    elif count and "." not in text and len(whole.lstrip("0")) < MIN_DIGITS:
        text = f"{whole}.0"
    return text, d


def _literals(texts: list[str], decimals: list[Decimal], count: bool = False) -> tuple[list[str], str]:
    """Literals as kb writes them, and the scale word they share ("" for none).

    A whole number with three or more trailing zeros takes a scale word, keeping at least
    MIN_DIGITS significant digits: 1000 -> 1.00 thousand, 175000000000 -> 175 billion; beyond a
    thousand trillion it is written with an exponent (170000000000000000 -> 1.70e17).
    """
    cleaned = [_clean(t, d, count) for t, d in zip(texts, decimals, strict=True)]
    if all("e" not in t and "." not in t for t, _ in cleaned):
        ints = [int(d) for _, d in cleaned]
        trailing = min(len(str(n)) - len(str(n).rstrip("0")) for n in ints)
        if trailing >= 3 and min(ints) >= 10**15:  # beyond the scale words: 1.70e17
            return [_exponent(n) for n in ints], ""
        if trailing >= 3:
            for word, k in (("trillion", 12), ("billion", 9), ("million", 6), ("thousand", 3)):
                if min(ints) >= 10**k:
                    return [_scaled(n, k) for n in ints], word
    return [t for t, _ in cleaned], ""


def _exponent(n: int) -> str:
    """n in e-notation with its significant digits, and at least MIN_DIGITS of them: 1.70e17."""
    digits = str(n).rstrip("0").ljust(MIN_DIGITS, "0")
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    return f"{mantissa}e{len(str(n)) - 1}"


def _scaled(n: int, k: int) -> str:
    """n / 10**k written with its significant digits, and at least MIN_DIGITS of them."""
    digits = str(n).rstrip("0")
    places = max(len(digits), MIN_DIGITS) - (len(str(n)) - k)
    value = Decimal(n) / Decimal(10**k)
    rounded = value.quantize(Decimal(1).scaleb(-places)) if places > 0 else value.to_integral_value()
    return format(rounded, "f")


# --- ids -------------------------------------------------------------------------------------------


def slugify(text: str, limit: int = 80) -> str:
    """A stable id part (kb/slugs.py): cut with a hash of the whole text beyond `limit`."""
    return slugs.slugify(text, limit, stable=True)


def clean_name(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def release_tag(path: Path, data: bytes, given: str | None) -> str:
    """The release in source ids: given, else the date in the file name, else a hash of the file."""
    if given:
        return slugify(given, 20)
    m = re.search(r"(\d{4}-\d{2}(?:-\d{2})?)", path.name) or re.search(r"(\d{8})", path.name)
    return m.group(1) if m else hashlib.sha256(data).hexdigest()[:8]
