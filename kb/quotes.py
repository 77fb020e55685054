"""Quotes: find each quote in its archived source, and check that the value transcribes it.

Quotes are compared with white space folded (a source may break lines mid-sentence), and, for
text without spaces such as Chinese, with white space removed altogether.
"""

from __future__ import annotations

import bisect
import difflib
import math
import re
from dataclasses import replace

from kb.markup import plain
from kb.numbers import ParsedNumber, parse_numbers, single_numbers
from kb.units import UnitInfo
from kb.values import StatedValue

_WS = re.compile(r"\s+")
_CJK = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uac00-\ud7af\uff00-\uffef]")


def fold(text: str) -> str:
    return _WS.sub(" ", text).strip()


class FoldedText:
    """A source text with white space folded, and a map back to the original offsets.

    Two foldings: runs of white space as one space, and (for text without spaces, such as
    Chinese broken across lines) no white space at all. Offsets map back through the white-space
    runs, found once with a regular expression.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._indexes: dict[int, tuple[list[int], list[int]]] = {}
        self._spaced: str | None = None
        self._tight: str | None = None

    def _index(self, keep: int) -> tuple[list[int], list[int]]:
        """Folded start of each white-space run, and the characters removed up to each run."""
        starts: list[int] = []
        removed = [0]
        for start, end in (m.span() for m in _WS.finditer(self.text)):
            starts.append(start - removed[-1])
            removed.append(removed[-1] + (end - start) - keep)
        return starts, removed

    @property
    def spaced(self) -> str:
        if self._spaced is None:
            self._spaced = _WS.sub(" ", self.text)
        return self._spaced

    @property
    def tight(self) -> str:
        if self._tight is None:
            self._tight = _WS.sub("", self.text)
        return self._tight

    def contains(self, quote: str) -> bool:
        q = fold(quote)
        if q and q in self.spaced:
            return True
        t = _WS.sub("", quote)
        return bool(t) and _CJK.search(quote) is not None and t in self.tight

    def find(self, quote: str) -> tuple[int, int] | None:
        """Offsets (start, end) of the quote in the original text, or None."""
        pos = self.text.find(quote) if quote and not quote[0].isspace() and not quote[-1].isspace() else -1
        if pos >= 0:  # verbatim: no folding needed
            return pos, pos + len(quote)
        q = fold(quote)
        if q:
            pos = self.spaced.find(q)
            if pos >= 0:
                return self._original(pos, 1), self._original(pos + len(q) - 1, 1) + 1
        # Without white space at all only for Chinese, Japanese or Korean text, where a line break
        # may fall inside a phrase: elsewhere it would glue "4 1.8" into "41.8".
        t = _WS.sub("", quote) if _CJK.search(quote) else ""
        if t:
            pos = self.tight.find(t)
            if pos >= 0:
                return self._original(pos, 0), self._original(pos + len(t) - 1, 0) + 1
        return None

    def _original(self, pos: int, keep: int) -> int:
        """The original offset of the character at `pos` of a folding (runs kept as `keep` chars)."""
        index = self._indexes.get(keep)
        if index is None:
            index = self._indexes[keep] = self._index(keep)
        starts, removed = index
        if keep:
            k = bisect.bisect_right(starts, pos)  # runs starting at or before pos
            if k and starts[k - 1] == pos:  # the space that stands for run k-1
                return pos + removed[k - 1]
            return pos + removed[k]
        return pos + removed[bisect.bisect_right(starts, pos)]

    def closest(self, quote: str) -> str:
        """The passage of the text most like the quote, for 'did you mean' messages."""
        folded = self.spaced
        q = fold(quote)
        n = len(q)
        if not folded or not n:
            return ""
        step = max(1, n // 4)
        best, best_ratio, best_start = "", 0.0, 0
        for start in range(0, max(1, len(folded) - n + 1), step):
            window = folded[start : start + n]
            matcher = difflib.SequenceMatcher(None, q, window, autojunk=False)
            if matcher.quick_ratio() <= best_ratio:
                continue
            ratio = matcher.ratio()
            if ratio > best_ratio:
                best, best_ratio, best_start = window, ratio, start
        if not best:
            return best
        # The coarse windows start every `step` characters: slide and stretch the best one to the
        # passage itself, so the hint does not start or end mid-word.
        fine = max(1, step // 16)
        for start in range(max(0, best_start - step), min(len(folded), best_start + step) + 1, fine):
            ratio = difflib.SequenceMatcher(None, q, folded[start : start + n], autojunk=False).ratio()
            if ratio > best_ratio:
                best, best_ratio, best_start = folded[start : start + n], ratio, start
        for length in range(max(1, n - step), n + step + 1, fine):
            window = folded[best_start : best_start + length]
            ratio = difflib.SequenceMatcher(None, q, window, autojunk=False).ratio()
            if ratio > best_ratio:
                best, best_ratio = window, ratio
        return best.strip()


def _close(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-12)


def value_in_quote(value: StatedValue, unit: UnitInfo, quote: str) -> tuple[bool, list[ParsedNumber]]:
    """Does one of the numbers in the quote equal the value as written (scale words applied)?"""
    found = parse_numbers(plain(quote).text)  # "3.0 x 10<sup>-4</sup>" states 3.0e-4
    lo, hi = value.nominal.lo, value.nominal.hi
    if unit.is_date:
        return any(p.is_date and _close(p.lo, lo) and _close(p.hi, hi) for p in found), found
    return any(_states(q, value, unit) for p in found for q in _with_ends(p)), found


def _with_ends(p: ParsedNumber) -> list[ParsedNumber]:
    """A number, and for a range each end with the range's scale word: the Baichuan2 README's
    "0.22 ~ 2.42 万亿" states 0.22 万亿 too, though 万亿 is written once, after the second end."""
    if not p.is_range:
        return [p]
    return [p, replace(p, hi=p.lo), replace(p, lo=p.hi)]


def value_stated(value: StatedValue, unit: UnitInfo, quote: str) -> bool:
    """`value_in_quote`'s answer alone, looking at the quote's single numbers first: most values are
    one of them, and then its ranges, number words and dates need not be read."""
    if not unit.is_date and any(_states(p, value, unit) for p in single_numbers(plain(quote).text)):
        return True
    return value_in_quote(value, unit, quote)[0]


def _states(p: ParsedNumber, value: StatedValue, unit: UnitInfo) -> bool:
    """Whether the number (not a date) of a quote is the value as written, in its unit."""
    if p.is_date:
        return False
    money = unit.currency_factor
    # An amount the quote names in another currency is not this value ("100元" is not 100 USD).
    if (money is not None and p.currency == "CNY") or (
        p.currency in ("USD", "cent") and any(d == "[currency_cny]" for d, _ in unit.dims)
    ):
        return False
    c_lo, c_hi = p.lo, p.hi
    if money is not None and p.currency in ("USD", "cent"):
        # Compare amounts of money: "0.177 cents" equals 0.00177 USD.
        to_usd = 0.01 if p.currency == "cent" else 1.0
        c_lo, c_hi = p.lo * to_usd / money, p.hi * to_usd / money
    t_lo, t_hi = value.nominal.lo * unit.scale, value.nominal.hi * unit.scale
    return _close(c_lo, t_lo) and _close(c_hi, t_hi)
