"""Quotes: find each quote in its archived source, and check that the value transcribes it.

Quotes are compared with white space folded (a source may break lines mid-sentence), and, for
text without spaces such as Chinese, with white space removed altogether.
"""

from __future__ import annotations

import difflib
import math
import re
from dataclasses import dataclass
from functools import cached_property

from kb.numbers import ParsedNumber, parse_numbers
from kb.units import UnitInfo
from kb.values import StatedValue

_WS = re.compile(r"\s+")


def fold(text: str) -> str:
    return _WS.sub(" ", text).strip()


@dataclass
class FoldedText:
    """A source text with white space folded, and a map back to the original offsets."""

    text: str

    @cached_property
    def _spaced(self) -> tuple[str, list[int]]:
        return self._build(keep_space=True)

    @cached_property
    def _tight(self) -> tuple[str, list[int]]:
        return self._build(keep_space=False)

    def _build(self, keep_space: bool) -> tuple[str, list[int]]:
        chars: list[str] = []
        index: list[int] = []
        in_space = False
        for i, ch in enumerate(self.text):
            if ch.isspace():
                if keep_space and not in_space and chars:
                    chars.append(" ")
                    index.append(i)
                in_space = True
                continue
            in_space = False
            chars.append(ch)
            index.append(i)
        return "".join(chars), index

    def find(self, quote: str) -> tuple[int, int] | None:
        """Offsets (start, end) of the quote in the original text, or None."""
        for folded, index in (self._spaced, self._tight):
            q = fold(quote) if folded is self._spaced[0] else _WS.sub("", quote)
            if not q:
                return None
            pos = folded.find(q)
            if pos >= 0:
                return index[pos], index[pos + len(q) - 1] + 1
        return None

    def closest(self, quote: str) -> str:
        """The passage of the text most like the quote, for 'did you mean' messages."""
        folded = self._spaced[0]
        q = fold(quote)
        n = len(q)
        if not folded or not n:
            return ""
        step = max(1, n // 4)
        best, best_ratio = "", 0.0
        for start in range(0, max(1, len(folded) - n + 1), step):
            window = folded[start : start + n]
            matcher = difflib.SequenceMatcher(None, q, window, autojunk=False)
            if matcher.quick_ratio() <= best_ratio:
                continue
            ratio = matcher.ratio()
            if ratio > best_ratio:
                best, best_ratio = window, ratio
        return best


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-12)


def value_in_quote(value: StatedValue, unit: UnitInfo, quote: str) -> tuple[bool, list[ParsedNumber]]:
    """Does one of the numbers in the quote equal the value as written (scale words applied)?"""
    found = parse_numbers(quote)
    lo, hi = value.nominal.lo, value.nominal.hi
    if unit.is_date:
        return any(p.is_date and _close(p.lo, lo) and _close(p.hi, hi) for p in found), found
    targets = [(lo * unit.scale, hi * unit.scale)]
    money = unit.currency_factor
    for p in found:
        if p.is_date:
            continue
        candidates = [(p.lo, p.hi)]
        if money is not None and p.currency in ("USD", "cent"):
            # Compare amounts of money: "0.177 cents" equals 0.00177 USD.
            to_usd = 0.01 if p.currency == "cent" else 1.0
            candidates = [(p.lo * to_usd / money, p.hi * to_usd / money)]
        for t_lo, t_hi in targets:
            for c_lo, c_hi in candidates:
                if _close(c_lo, t_lo) and _close(c_hi, t_hi):
                    return True, found
    return False, found
