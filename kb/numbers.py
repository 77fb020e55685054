"""Numbers as people write them, in English and Chinese: in quotes, and as literals in the YAML.

`parse_numbers` finds every number, range and date in a quote ("1.8 万亿", "$63 million",
"300W–700W", "0.177美分", "March 14th 2023"), so that a claim's value can be checked against
its quote. `literal_interval` gives the rounding interval of a value as written ("1.8" means
[1.75, 1.85]), the basis of rounding-aware consistency tests such as statcheck and GRIM.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import lru_cache

# Dates are read in kb/dates.py; these names are still imported from here.
from kb.dates import DAY_END as DAY_END
from kb.dates import EPOCH, dates
from kb.dates import date_interval as date_interval
from kb.dates import days as days
from kb.errors import KbError

MAX_LITERAL = 200  # characters: longer "numbers" are refused, not parsed


@dataclass(frozen=True)
class ParsedNumber:
    """A number, range or date found in text, with its scale words applied."""

    lo: float
    """Low end (equal to `hi` for a single number); for dates, days since 1970-01-01."""
    hi: float
    currency: str | None = None
    """'USD', 'cent' or 'CNY' when the text names a currency."""
    approx: bool = False
    """The text marks it as approximate (~, about, 约, 大约)."""
    is_date: bool = False
    start: int = 0
    end: int = 0

    @property
    def is_range(self) -> bool:
        return self.lo != self.hi and not self.is_date


_EN_SCALE = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
    "t": 1e12,
    "trillion": 1e12,
}
_ZH_DIGIT_SCALE = {"十": 1e1, "百": 1e2, "千": 1e3, "万": 1e4, "亿": 1e8}
_WORD_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "dozen": 12,
    "hundred": 100,
}


_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+"
_APPROX = r"(?:(?P<approx>~|≈|about|around|roughly|approximately|nearly|大约|约合|约|近)\s*)?"
_CUR_PRE = r"(?P<cur_pre>US\$|\$|USD\s?|¥|￥)?"
_EXP = (
    r"(?:\s*(?:[eE](?P<exp>[+-]?\d{1,3})|(?:[x×*]|·)\s*10\s*(?:\^|\*\*)\s*(?P<exp2>[+-]?\d{1,3}))"
    r"|(?:"
    + "|".join(rf"(?<=\.\d{{{n}}})" for n in range(1, 7))
    + r")\+(?P<exp3>[6-9]|[1-9]\d)(?!\d|\.\d|\s*=))?"
)
"""An exponent: "2.15e25", "2.15 × 10^25", or "3.14+23", an exponent whose E was lost (metaseq's
OPT-175B note writes every one so): after a decimal part only, of 6 to 99 (the size of a count of
parameters, tokens or FLOP), and before no "=": "3+4", "1.5+2 = 3.5" and "GPT-3.5+4" stay sums."""
_SCALE = (
    r"(?P<scale>(?:[kKMBT](?![A-Za-z0-9])|(?-i:\s[MBT])(?![A-Za-z0-9/]|\s+per\b)|\s?mn\b|\s?bn\b)"
    r"|\s*-?(?:thousand|million|billion|trillion)s?\b"
    r"|\s*[十百千万亿]+)?"
)
_CUR_POST = r"(?P<cur_post>\s*(?:美元|美金|美分|元|USD\b|dollars?\b|cents?\b))?"
_PCT = r"(?P<pct>\s*(?:%|percent\b|个百分点))?"
# Python's regular expressions try a pattern at every position of the text, and one that opens with
# optional words fails slowly where no match begins. Each pattern below (but _RANGE_JOIN, used with
# fullmatch) opens with a lookahead for the characters its matches can begin with: it fails at once
# elsewhere and changes no match (tests/test_numbers.py compares every pattern without it).
_TOKEN_HEAD = r"(?=[~≈arn大约近u$¥￥\d.])"
"""The first characters of _APPROX's words, of _CUR_PRE's, and of a number."""
_TOKEN = re.compile(
    _TOKEN_HEAD
    + _APPROX
    + _CUR_PRE
    + r"(?<![A-Za-z0-9.])(?P<num>"
    + _NUM
    + r")"
    + _EXP
    + _SCALE
    + _CUR_POST
    + _PCT,
    re.IGNORECASE,
)
# A range connector may follow a short unit written on the first number ("300W–700W").
_RANGE_JOIN = re.compile(r"\s*(?:[A-Za-z/]{1,5})?\s*(?:–|—|-|~|to|至|到|or)\s*", re.IGNORECASE)
_VAGUE = re.compile(
    r"(?=[htd数])(?:(?P<word>hundreds|thousands|tens|dozens)\s+of\s+(?P<scale>thousands|millions|billions|trillions)"
    r"|(?P<zh>数)(?P<zscale>[十百千万亿]+))",
    re.IGNORECASE,
)


def _to_float(text: str) -> float:
    return float(text.replace(",", ""))


@lru_cache(maxsize=256)
def _scale_value(raw: str | None) -> float | None:
    if not raw:
        return None
    word = raw.strip().lstrip("-").lower()
    if word in _EN_SCALE:
        return _EN_SCALE[word]
    if word.rstrip("s") in _EN_SCALE:
        return _EN_SCALE[word.rstrip("s")]
    if all(ch in _ZH_DIGIT_SCALE for ch in word):
        value = 1.0
        for ch in word:
            value *= _ZH_DIGIT_SCALE[ch]
        return value
    return None


@lru_cache(maxsize=256)
def _currency(pre: str | None, post: str | None) -> str | None:
    text = ((pre or "") + (post or "")).strip().lower()
    if not text:
        return None
    if "美分" in text or "cent" in text:
        return "cent"
    if "$" in text or "usd" in text or "dollar" in text or "美元" in text or "美金" in text:
        return "USD"
    return "CNY"


def _value(w: WrittenNumber, scale: float | None = None) -> float:
    """The number a written one stands for, its scale words and percent applied."""
    return float(w.literal) * (w.scale if scale is None else scale) * (0.01 if w.percent else 1.0)


# Digits joined by commas, a space maybe after a comma: "1,000, 2,000" or "{1,2,4,8,16,32,64, 128,256,512}".
_COMMA_RUN = re.compile(r"(?<![\d.,])\d+(?:,[ ]?\d+)+(?![\d,])")
_THOUSANDS = re.compile(r"\d+|\d{1,3}(?:,\d{3})+")


def _lists_apart(text: str) -> str:
    """The text with the commas of a list of numbers written as ';' (same length), so that each
    number is read alone: where a comma between digits cannot be a thousands separator ("1,2",
    "64,1000"), none of its run's commas are ("{..., 64, 128,256,512}" is no 128 million), nor
    are those of a set in braces ("{128,256,512}")."""
    if "," not in text:
        return text
    out = list(text)
    for m in _COMMA_RUN.finditer(text):
        chains = m.group().split(", ")
        braced = text[max(0, m.start() - 1) : m.start()] == "{" and text[m.end() : m.end() + 1] == "}"
        if braced or not all(_THOUSANDS.fullmatch(c) for c in chains):
            for i in range(m.start(), m.end()):
                out[i] = ";" if text[i] == "," else out[i]
    return "".join(out)


def _scan(text: str) -> tuple[list[WrittenNumber], list[tuple[WrittenNumber, WrittenNumber]]]:
    """The single numbers of a text, and the pairs of them joined as a range ("300W–700W")."""
    singles = [_written(m) for m in _TOKEN.finditer(_lists_apart(text[:100_000]))]
    pairs = []
    for a, b in zip(singles, singles[1:], strict=False):
        if _RANGE_JOIN.fullmatch(text[a.end : b.start]):
            pairs.append((a, b))
        elif _tilde_joins(text, a, b):
            pairs.append((a, replace(b, approx=False)))  # its "~" joins the range: no "about"
    return singles, pairs


def _tilde_joins(text: str, a: WrittenNumber, b: WrittenNumber) -> bool:
    """ "10~20", "0.22 ~ 2.42 万亿": a tilde between two numbers, against the first or with a space on
    both sides, joins a range (the second number's pattern reads it as "about"); "10 ~20" does not."""
    if not (b.approx and text.startswith("~", b.start)):
        return False
    between, after = text[a.end : b.start], text[b.start + 1 : b.start + 2]
    return between == "" or (between.isspace() and after.isspace())


def single_numbers(text: str) -> Iterator[ParsedNumber]:
    """The single numbers `parse_numbers` finds in `text` (not its ranges, words or dates), one by one."""
    for m in _TOKEN.finditer(_lists_apart(text[:100_000])):
        # `_value(_written(m))`, without the WrittenNumber: the first number of a quote is most often
        # the value, and then the rest is never read.
        scale, pct, pre, post, approx = m.group("scale", "pct", "cur_pre", "cur_post", "approx")
        v = float(_literal(m)) * (_scale_value(scale) or 1.0) * (0.01 if pct else 1.0)
        if math.isfinite(v):
            yield ParsedNumber(v, v, _currency(pre, post), bool(approx), start=m.start(), end=m.end())


def parse_numbers(text: str) -> list[ParsedNumber]:
    """Every number, range and date in `text`, in order of appearance; never raises on any text."""
    text = text[:100_000]
    singles, pairs = _scan(text)
    out = [
        ParsedNumber(_value(w), _value(w), w.currency, w.approx, start=w.start, end=w.end) for w in singles
    ]
    for a, b in pairs:
        # "1.8–2 trillion", "1-10 million": the first number takes the second's scale word.
        # "10-20%": the first number takes the second's percent sign too.
        low = replace(a, percent=True) if b.percent and not a.percent else a
        lo = _value(low, b.scale if not a.scale_text and b.scale_text else None)
        hi = _value(b)
        if lo <= hi:
            out.append(
                ParsedNumber(lo, hi, a.currency or b.currency, a.approx or b.approx, start=a.start, end=b.end)
            )
    for m in _VAGUE.finditer(text):
        if m.group("zh"):
            base = _scale_value(m.group("zscale")) or 1.0
            # 数百万 "several million": several = 2 to 9 of the unit named.
            out.append(ParsedNumber(2 * base, 9 * base, approx=True, start=m.start(), end=m.end()))
        else:
            unit = {"tens": 10, "dozens": 12, "hundreds": 100, "thousands": 1000}[m.group("word").lower()]
            base = unit * (_scale_value(m.group("scale")) or 1.0)
            out.append(ParsedNumber(base, base * 10, approx=True, start=m.start(), end=m.end()))
    for w in _word_numbers(text, with_hundred=True):
        v = _value(w)
        out.append(ParsedNumber(v, v, start=w.start, end=w.end))
    # A quote may state a number in Chinese numerals (a count, "四个专家"; an amount, "七千亿");
    # kb extract leaves them out (written_numbers): most counts are of nothing kb measures
    # ("六个领域", six domains).
    for m in _ZH_COUNT.finditer(text):
        n = float(_zh_count(m.group("zh")))
        out.append(ParsedNumber(n, n, start=m.start(), end=m.end()))
    for m in _ZH_SCALED.finditer(text):
        n = _zh_count(m.group("zh")) * math.prod(_ZH_DIGIT_SCALE[ch] for ch in m.group("scale"))
        out.append(ParsedNumber(n, n, start=m.start(), end=m.end()))
    out.extend(ParsedNumber(lo, hi, is_date=True, start=a, end=b) for lo, hi, a, b in dates(text))
    out = [p for p in out if math.isfinite(p.lo) and math.isfinite(p.hi)]
    out.sort(key=lambda p: (p.start, p.end))
    return out


@dataclass(frozen=True)
class WrittenNumber:
    """A number of a quote as a claim's value would transcribe it: the literal, with its scale word apart.

    "~13 trillion tokens" gives literal "13", scale 1e12 (scale_text "trillion"), approx; "170万美元"
    gives "170", 1e4 ("万"), currency USD; "$0.10 - $1.00" gives "0.10" to "1.00"; "March 14th
    2023" gives the date "2023-03-14".
    """

    literal: str
    """The number as written, without thousands separators ("1,000" -> "1000"; "2.15 × 10^25" -> "2.15e25");
    for a date, YYYY-MM-DD, YYYY-MM or YYYY; for a range, its low end."""
    literal_hi: str | None = None
    """The high end of a range."""
    scale: float = 1.0
    """The product of the scale words written after the number (trillion = 1e12, 万 = 1e4)."""
    scale_text: str = ""
    """The scale words as written ("trillion", "万亿", "M")."""
    percent: bool = False
    currency: str | None = None
    """'USD', 'cent' or 'CNY' when the text names a currency."""
    approx: bool = False
    """Marked as approximate right before the number (~, about, 约...)."""
    is_date: bool = False
    start: int = 0
    end: int = 0


def _literal(m: re.Match[str]) -> str:
    num = m.group("num").replace(",", "")
    if num.startswith("."):
        num = "0" + num
    exp = m.group("exp") or m.group("exp2") or m.group("exp3")
    return f"{num}e{int(exp)}" if exp else num


def _written(m: re.Match[str]) -> WrittenNumber:
    return WrittenNumber(
        _literal(m),
        scale=_scale_value(m.group("scale")) or 1.0,
        scale_text=(m.group("scale") or "").strip().lstrip("-"),
        percent=bool(m.group("pct")),
        currency=_currency(m.group("cur_pre"), m.group("cur_post")),
        approx=bool(m.group("approx")),
        start=m.start(),
        end=m.end(),
    )


_WORD_NUMBER = re.compile(
    "(?=[" + "".join(sorted({w[0] for w in _WORD_NUMBERS})) + "])"
    r"\b(?P<word>" + "|".join(_WORD_NUMBERS) + r")(?P<scale>\s+(?:thousand|million|billion|trillion))?\b",
    re.IGNORECASE,
)


# 千卡 "a thousand cards", 万卡集群 "a cluster of ten thousand cards": a scale character alone before
# 卡 (card, GPU) is the number. Not after a digit or a numeral ("2千卡", "三千卡": 千 scales those).
_ZH_CARDS = re.compile(r"(?<![\d〇零一二两三四五六七八九十百千万亿.])(?P<zh>[十百千万]+)(?=卡)")
_ZH_SCALE_CHARS = {"十": 10, "百": 100, "千": 1000, "万": 10_000}


# 四个专家 "four experts", 二十四层 "24 layers": a Chinese numeral from 2 to 99 before a classifier is a
# count, read in quotes (parse_numbers). Not after 第 (an ordinal, "the third"), not 一 alone (一个
# is the article "a").
_ZH_TENS = r"[二两三四五六七八九]?十[一二三四五六七八九]?"
"""A Chinese numeral from 10 to 99 (十, 十二, 二十四); `_zh_count` reads it."""
_ZH_COUNT = re.compile(
    r"(?<![第〇零一二两三四五六七八九十百千万亿\d.])"
    rf"(?P<zh>{_ZH_TENS}|[二两三四五六七八九])"
    r"(?=[个种项张块台次位层名家类款])"
)
_ZH_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
# 七千亿 "700 billion", 两千万 "20 million": a numeral written out with its scale characters.
_ZH_SCALED = re.compile(
    r"(?<![数〇零一二两三四五六七八九十百千万亿\d.])"
    rf"(?P<zh>{_ZH_TENS}|[一二两三四五六七八九])(?P<scale>[百千万亿]+)"
)


def _zh_count(numeral: str) -> int:
    """二十四 -> 24, 十二 -> 12, 四 -> 4."""
    tens, ten, units = numeral.partition("十")
    if not ten:
        return _ZH_DIGITS[numeral]
    return _ZH_DIGITS.get(tens, 1) * 10 + _ZH_DIGITS.get(units, 0)


def _word_numbers(text: str, with_hundred: bool) -> list[WrittenNumber]:
    """Numbers written as words, their scale word bound to them ("one million" is 1 million, not 1)."""
    out = []
    for m in _ZH_CARDS.finditer(text):
        count = 1
        for ch in m.group("zh"):
            count *= _ZH_SCALE_CHARS[ch]
        out.append(WrittenNumber(str(count), start=m.start(), end=m.end()))
    for m in _WORD_NUMBER.finditer(text):
        word, scale = m.group("word").lower(), m.group("scale")
        if word == "hundred" and not with_hundred and not scale:
            continue
        out.append(
            WrittenNumber(
                str(_WORD_NUMBERS[word]),
                scale=_scale_value(scale) or 1.0,
                scale_text=(scale or "").strip(),
                start=m.start(),
                end=m.end(),
            )
        )
    return out


def written_numbers(text: str) -> list[WrittenNumber]:
    """The numbers, ranges and dates of `text` with their literals as written, in order; never raises.

    Unlike parse_numbers, vague amounts ("hundreds of millions") are left out: they have no literal;
    and a range needs one scale word for both ends ("500 million to 1 billion" is two numbers).
    A range ("1.8–2 trillion") comes before its two ends, and a date before the numbers inside it.
    """
    text = text[:100_000]
    singles, pairs = _scan(text)
    out: list[WrittenNumber] = list(singles)
    for a, b in pairs:
        if (a.percent and not b.percent) or (a.scale_text and b.scale_text and a.scale != b.scale):
            continue
        try:
            if Decimal(a.literal) > Decimal(b.literal):
                continue
        except InvalidOperation:  # pragma: no cover - the pattern only matches digits
            continue
        out.append(
            WrittenNumber(
                a.literal,
                b.literal,
                b.scale,
                b.scale_text or a.scale_text,
                b.percent,
                a.currency or b.currency,
                a.approx or b.approx,
                start=a.start,
                end=b.end,
            )
        )
    out.extend(_word_numbers(text, with_hundred=False))
    for lo, hi, first, last in dates(text):
        out.append(WrittenNumber(_date_literal(lo, hi), is_date=True, start=first, end=last))
    ok = [w for w in out if w.is_date or (math.isfinite(w.scale) and _finite_literal(w.literal))]
    ok.sort(key=lambda w: (w.start, -w.end))
    return ok


def _finite_literal(text: str) -> bool:
    try:
        literal_value(text)
    except KbError:
        return False
    return True


def _date_literal(lo: float, hi: float) -> str:
    """YYYY, YYYY-MM or YYYY-MM-DD for a date span found by kb.dates."""
    start = EPOCH + dt.timedelta(days=lo)
    span = hi - lo
    if span <= 1:
        return start.isoformat()
    if span <= 31:
        return start.isoformat()[:7]
    return str(start.year)


def _decimal(text: str) -> Decimal:
    cleaned = text.strip().replace(",", "").replace("_", "")
    if len(cleaned) > MAX_LITERAL:
        raise KbError(f"number literal is too long ({len(cleaned)} characters)", code="bad-number")
    try:
        d = Decimal(cleaned)
    except InvalidOperation:
        raise KbError(f"not a number: {text!r}", "write digits, e.g. 1.8 or 2.15e25", "bad-number") from None
    if not d.is_finite():
        raise KbError(f"not a finite number: {text!r}", code="bad-number")
    return d


@lru_cache(maxsize=512)
def _half_unit(exponent: int) -> float:
    """Half a unit of the digit at 10**exponent (a literal's last), computed once per exponent."""
    try:
        return float(Decimal(5) * Decimal(10) ** (exponent - 1))
    except ArithmeticError:  # decimal.Overflow for exponents past the context's range
        return math.inf


def literal_value(text: str) -> float:
    d = _decimal(text)
    value = float(d)
    if math.isinf(value) or (value == 0 and not d.is_zero()):
        raise KbError(
            f"number {text.strip()[:40]!r} is out of range", "write a number within ±1e300", "bad-number"
        )
    return value


def literal_half_unit(text: str) -> float:
    """Half a unit in the last digit of a literal as written, as statcheck and GRIM read numbers.

    "1.8" -> 0.05; "2.15e25" -> 0.005e25; "1.00" -> 0.005; "6000" -> 0.5: every digit written
    counts, trailing zeros included. A source that rounds loosely says so ("about", "~"), and the
    claim's qualifier widens the interval.
    """
    _, _, exponent = _decimal(text).as_tuple()
    assert isinstance(exponent, int)
    return _half(text, exponent)


def _half(text: str, exponent: int) -> float:
    half = _half_unit(exponent)
    if math.isinf(half):  # "0E400": a zero written to a place no float reaches
        raise KbError(f"number {text.strip()[:40]!r} is out of range", code="bad-number")
    return half


def literal_interval(text: str) -> tuple[float, float]:
    """The rounding interval of a literal, both ends inclusive: "1.8" -> (1.75, 1.85)."""
    _, lo, hi = literal_parts(text)
    return lo, hi


def literal_wide(text: str, parts: tuple[float, float, float] | None = None) -> tuple[float, float]:
    """The widest rounding a literal allows: an integer's trailing zeros may be rounding too.

    "420" -> (415, 425) (rounded to tens), "6000" -> (5500, 6500), "25" -> (24.5, 25.5); a decimal
    keeps every digit ("2.0" -> (1.95, 2.05), "539.00" -> (538.995, 539.005)), as does "2.15e25".
    `parts` is `literal_parts(text)` where the caller has it already.
    """
    v, lo, hi = parts or literal_parts(text)
    cleaned = text.strip().replace(",", "").replace("_", "").lstrip("+-")
    if not cleaned.isdigit() or v == 0:
        return lo, hi
    zeros = len(cleaned) - len(cleaned.rstrip("0"))
    if zeros == 0:
        return lo, hi
    half = 5 * 10.0 ** (zeros - 1)
    return v - half, v + half


_PLAIN_LITERAL = re.compile(r"[+-]?[0-9]+(?:\.([0-9]+))?(?:[eE]([+-]?[0-9]+))?")
"""A literal as most values are written: digits, a decimal part, an exponent; no separators or spaces."""


def literal_parts(text: str) -> tuple[float, float, float]:
    """The value of a literal and its rounding interval, parsed once: "1.8" -> (1.8, 1.75, 1.85)."""
    plain = _PLAIN_LITERAL.fullmatch(text) if len(text) <= MAX_LITERAL else None
    if plain is not None:
        # Read as the Decimal below is: float() rounds the same decimal number the same way, and
        # the last digit's place is the exponent less the decimals. Zero and numbers out of range
        # go the careful way, which tells them apart.
        v = float(text)
        if 0.0 < abs(v) < math.inf:
            decimals, exp = plain.groups()
            h = _half(text, (int(exp) if exp else 0) - (len(decimals) if decimals else 0))
            return v, v - h, v + h
    d = _decimal(text)
    exponent = d.as_tuple().exponent
    assert isinstance(exponent, int)
    v = float(d)
    if math.isinf(v) or (v == 0 and not d.is_zero()):
        raise KbError(
            f"number {text.strip()[:40]!r} is out of range", "write a number within ±1e300", "bad-number"
        )
    h = _half(text, exponent)
    return v, v - h, v + h
