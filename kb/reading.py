"""Reading a claim off its quote: the value as written, its unit and its qualifier.

`kb add` uses this so a contributor types the quote and the quantity, not the number again:
"~13 trillion tokens" reads as value 13, unit "trillion token", qualifier about; "170万美元" as
170 wan USD; "约0.177美分" as about 0.177 cent. The quantity's unit picks among the numbers of a
quote ("1.8 万亿个参数，跨越 120 层": parameters or layers) and completes a unit the quote leaves
implicit ("13 trillion" of training_tokens is "trillion token"; "0.177美分" of a price per 1,000
tokens is "cent/kilotoken").
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from itertools import accumulate

from kb.errors import KbError
from kb.markup import is_name_cell, plain
from kb.numbers import WrittenNumber, written_numbers
from kb.units import UnitInfo, unit_info
from kb.valueflags import parse_value_flag as parse_value_flag
from kb.valueflags import same_value as same_value
from kb.words import (
    AFTER,
    BEFORE,
    CLASSIFIERS,
    GPU_MODEL,
    MODEL_NAME,
    NOT_MARKS,
    NOUNS_EN,
    NOUNS_EXACT,
    NOUNS_ZH,
    PER,
    STOP,
    TIME_NOUNS,
)

# Scale words of kb/units.py by power of ten; Chinese 万 and 亿 keep their own names.
_SCALE_WORDS = {3: "thousand", 4: "wan", 6: "million", 8: "yi", 9: "billion", 12: "trillion"}


@dataclass(frozen=True)
class Reading:
    """One way to transcribe a number of a quote as a claim's value."""

    value: str | list[str]
    """The literal as written ("13", "2.15e25", "2023-03-14"), or [low, high] for a range."""
    unit: str
    """A kb unit: scale words and a noun or currency ("trillion token", "wan USD", "cent/kilotoken")."""
    qualifier: str | None
    """about, at_least or at_most when the quote says so ("~", "约", "more than", "左右")."""
    text: str
    """The words of the quote it was read from."""
    note: str = ""
    """What was guessed, for the contributor to confirm (a unit completed from the quantity)."""
    start: int = 0
    end: int = 0
    """Where in the quote it was read."""
    after: str = ""
    """A few words of the quote after the number (for messages)."""

    @property
    def value_text(self) -> str:
        return f"[{self.value[0]}, {self.value[1]}]" if isinstance(self.value, list) else self.value

    def describe(self) -> str:
        q = f" ({self.qualifier})" if self.qualifier else ""
        return f"{self.value_text} {self.unit}{q}"


def _scale_words(w: WrittenNumber) -> tuple[list[str], int]:
    """The scale words for a number's scale, and the power of ten left over for its literal."""
    if w.scale == 1.0 or not math.isfinite(w.scale) or w.scale <= 0:
        return [], 0
    e = round(math.log10(w.scale))
    if e in _SCALE_WORDS:
        return [_SCALE_WORDS[e]], 0
    for rest in range(0, e + 1):  # the largest product of at most two words, the rest into the literal
        target = e - rest
        for a, b in ((a, b) for a in sorted(_SCALE_WORDS) for b in sorted(_SCALE_WORDS) if a <= b):
            if a + b == target:
                return [_SCALE_WORDS[a], _SCALE_WORDS[b]], rest
        if target in _SCALE_WORDS:
            return [_SCALE_WORDS[target]], rest
    return [], e


def _shift(literal: str, power: int) -> str:
    """The literal times 10**power, keeping its digits: ("3", 1) -> "30"."""
    if not power:
        return literal
    try:
        return format(Decimal(literal).scaleb(power), "f")
    except InvalidOperation:  # pragma: no cover - literals come from the number pattern
        return literal


def _noun(quote: str, end: int) -> str | None:
    """The unit noun right after a number ("tokens", "个参数", "GPUs"), as a kb unit."""
    rest = quote[end : end + 40]
    zh = rest.lstrip().lstrip(CLASSIFIERS).lstrip()
    for word, unit in NOUNS_ZH:
        if zh.startswith(word) or zh[:1] in CLASSIFIERS and zh[1:].startswith(word):
            if unit != "GPU":
                return unit
            if not word.isascii():  # 8 块显卡, 1024 块卡, 256 颗芯片; 100 万卡时 is card-hours
                after = zh[zh.index(word) + len(word) :].lstrip()
                return "GPU*hour" if after.startswith(("时", "小时")) else "GPU"
            break  # "GPU hours" is read below, as a whole
    words = re.findall(r"[A-Za-z0-9×/-]+|[^\sA-Za-z0-9]", rest)
    words = [part for w in words for part in (w.split("-") if w not in NOUNS_EXACT else [w]) if part]
    for i, raw in enumerate(words[:4]):
        noun = _word_noun(raw)
        if noun == "GPU":  # "3.3M GPU hours", "2.788M H800 GPU-hours": one unit, GPU*hour
            for nxt in words[i + 1 : i + 3]:
                if nxt.lower() == "per":
                    break  # "TFLOP per GPU per second" is a rate, no GPU-second
                if _word_noun(nxt) in TIME_NOUNS:
                    return "GPU_hour" if _word_noun(nxt) == "hour" else f"GPU*{_word_noun(nxt)}"
        if noun:
            return noun
        w = raw.lower()
        if w in STOP or not w[:1].isalnum():
            return None
    return None


def _word_noun(raw: str) -> str | None:
    """One word after a number as a kb unit ("tokens" -> token, "A100s" -> GPU), or None."""
    if raw in NOUNS_EXACT:
        return NOUNS_EXACT[raw]
    if GPU_MODEL.match(raw):  # "25,000 A100s"
        return "GPU"
    w = raw.lower()
    for cand in (w, w.removesuffix("s"), w.removesuffix("es")):
        if cand in NOUNS_EN:
            return NOUNS_EN[cand]
    return None


def _per(quote: str, end: int) -> str:
    """'per 1,000 tokens' after an amount: "/kilotoken"; "" when there is none. Each 'per' of a
    chain counts: "TFLOP per GPU per second" is TFLOP/GPU/second."""
    out = ""
    while m := PER.match(quote, end):
        noun = _noun(" " + m.group("w"), 0)
        if noun is None:
            break
        out += f"/kilo{noun}" if m.group("n") else f"/{noun}"
        end = m.end()
    return out


_CLAUSE_END = re.compile(r"[，。；、,;：:|]")


@lru_cache(maxsize=16)
def _clause_ends(quote: str) -> list[int]:
    return [m.end() for m in _CLAUSE_END.finditer(quote)]


def _clause_start(quote: str, index: int) -> int:
    """Where the clause holding `index` starts: one scan per quote, not a split before each number."""
    ends = _clause_ends(quote)
    i = bisect_right(ends, index)
    return ends[i - 1] if i else 0


def _enclosed(spans: list[tuple[int, int]], longer: bool) -> Callable[[int, int], bool]:
    """Whether a span lies within one of `spans` (a strictly longer one if `longer`), by binary search:
    the readings of a quote are tested against its ranges and dates without comparing every pair."""
    ordered = sorted(spans)
    starts = [a for a, _ in ordered]
    reach = list(accumulate((b for _, b in ordered), max))  # the furthest end among the first i spans

    def inside(start: int, end: int) -> bool:
        if not longer:
            i = bisect_right(starts, start)
            return bool(i) and reach[i - 1] >= end
        before, same = bisect_left(starts, start), bisect_right(starts, start)
        return (bool(before) and reach[before - 1] >= end) or (same > before and reach[same - 1] > end)

    return inside


def _qualifier(quote: str, w: WrittenNumber, after: int) -> str | None:
    if w.approx:
        return "about"
    before = quote[max(0, w.start - 20) : w.start].lower().rstrip()
    before_words = re.sub(r"\s+", " ", before)
    # Chinese puts the mark anywhere in the clause: "大约使用了 13 万亿个令牌".
    # Chinese puts the mark anywhere in the clause before the number, with no other number between.
    clause = quote[_clause_start(quote, w.start) : w.start]
    for qualifier, marks in BEFORE:
        for mark in (m for m in marks if not m.isascii() and m in clause):
            if not re.search(r"\d", clause[clause.rindex(mark) :]):
                return qualifier
    for qualifier, marks in BEFORE:
        for mark in marks:
            if before_words.endswith(mark) and (
                not mark[0].isalpha()
                or not mark.isascii()
                or len(before_words) == len(mark)
                or not before_words[-len(mark) - 1].isalpha()
            ):
                wide = re.sub(r"\s+", " ", quote[max(0, w.start - 60) : w.start].lower().rstrip())
                return _negated(qualifier, mark, wide[: -len(mark)])
    tail = quote[w.end : w.end + 12].lower()
    tail_after_noun = quote[after : after + 12].lower()
    for qualifier, marks in AFTER:
        for mark in marks:
            for t in (tail, tail_after_noun):
                if any(t.lstrip().startswith(word) for word in NOT_MARKS):
                    continue
                if t.startswith(mark) or t.lstrip().startswith(mark) and mark[0].isalpha():
                    return qualifier
    return None


# What makes a size a model's ("the 7B model", "7B 模型", "175B (dense) model", "The 175B GPT-3
# model", "at 175B scale", "a 1.1T Mixture-of-Experts", "1.1T MoE", "OpenAI's 175B GPT-3"): never a
# count of GPUs or a budget of FLOPs.
_MODEL_SIZE = re.compile(
    r"\s?(?:(?:\(\w+\)|[A-Z][\w.]*-?\d[\w.-]*|dense|sparse|base|chat)\s+){0,2}(?:(?i:models?)\b|模型)"
    r"|\s(?:scale\b|dense\b|MoE\b|Mixture-of-Experts\b|[A-Z][A-Za-z]+-?\d[\w.]*(?![\w.-]*\s+(?:tokens?|FLOPs?)\b))"
    # "7B、13B 的 Base 和 Chat 版本": sizes listed before the versions of a model
    r"|(?:\s*[、,，/]\s*\d+(?:\.\d+)?[BMT])*\s*(?:的\s*)?(?:Base\b|Chat\b|基座|版本)",
)


_COMPARATIVES = frozenset(
    {"more than", "less than", "fewer than", "greater than", "over", "under", "above", "below"}
    | {"exceed", "exceeding"}
)
_NEGATIONS = frozenset({"no", "not", "never", "nor"})


def _negated(qualifier: str, mark: str, before: str) -> str:
    """The qualifier of a comparative with a negation among the three words before it: "no more
    than 5 GB" and "should not require more than 5 GB" are at most 5 GB, "not less than" at least."""
    words = before.split()[-3:]
    if mark not in _COMPARATIVES or not any(w in _NEGATIONS or w.endswith("n't") for w in words):
        return qualifier
    return {"at_least": "at_most", "at_most": "at_least"}.get(qualifier, qualifier)


def _base(quote: str, w: WrittenNumber) -> tuple[str | None, int]:
    """The noun or currency of a number, and where its words end."""
    if w.currency:
        unit = {"USD": "USD", "cent": "cent", "CNY": "CNY"}[w.currency]
        per = _per(quote, w.end)
        return unit + per, w.end
    if w.scale_text in ("B", "M", "T") and _MODEL_SIZE.match(quote, w.end):
        return "parameter", w.end  # "the 7B model", "7B 模型": a model's size, never a count of GPUs
    noun = _noun(quote, w.end)
    if noun is None:
        return None, w.end
    m = re.match(r"\s*[" + CLASSIFIERS + r"]?\s*[^\s,.;，。；、]*", quote[w.end :])
    end = w.end + (m.end() if m else 0)
    if noun in ("FLOP", "TFLOP", "PFLOP", "GFLOP", "token"):
        noun += _per(quote, end)  # "150 TFLOP per GPU per second", "2,000 tokens per second"
    return noun, end


def readings(quote: str) -> list[tuple[Reading, bool]]:
    """Every number of the quote read as a value, with whether the quote names its noun or currency.

    Markup is stripped for reading ("3.0 x 10<sup>-4</sup>" is 3.0e-4, "&#10007;" no number);
    each reading's text and position are the quote's own, as written.
    """
    text = plain(quote)
    return [
        (replace(r, text=text.words(r.start, r.end).strip(), start=a, end=b), named)
        for r, named in _plain_readings(text.text)
        for a, b in [text.span(r.start, r.end)]
    ]


def _plain_readings(quote: str) -> list[tuple[Reading, bool]]:
    found = written_numbers(quote)
    in_date = _enclosed([(w.start, w.end) for w in found if w.is_date], longer=False)
    out: list[tuple[Reading, bool]] = []
    for w in found:
        if not w.is_date and in_date(w.start, w.end):
            continue  # the 14 and 2023 of "March 14, 2023"
        if not w.is_date and (
            MODEL_NAME.search(quote, max(0, w.start - 2), w.start) or is_name_cell(quote, w.start, w.end)
        ):
            continue  # the 4 of "GPT-4", the 2 of "Llama-2" and of a table cell "Llama 2"
        text = quote[w.start : w.end].strip()
        if w.is_date:
            out.append(
                (Reading(w.literal, "date", _qualifier(quote, w, w.end), text, "", w.start, w.end), True)
            )
            continue
        words, shift = _scale_words(w)
        lo = _shift(w.literal, shift)
        value: str | list[str] = lo if w.literal_hi is None else [lo, _shift(w.literal_hi, shift)]
        base, after = _base(quote, w)
        if w.percent:
            words.append("percent")
            base = base if base and base != "times" else None
        unit = " ".join([*words, base] if base else words)
        reading = Reading(
            value,
            unit or "1",
            _qualifier(quote, w, after),
            text,
            "",
            w.start,
            w.end,
            quote[w.end : w.end + 30],
        )
        out.append((reading, base is not None))
    return out


def _dims(unit: str) -> UnitInfo | None:
    try:
        return unit_info(unit)
    except KbError:
        return None


def complete(reading: Reading, named: bool, target: UnitInfo) -> Reading | None:
    """The reading in a unit of the target's dimensions, completed from the target's unit, or None."""
    if target.is_date or reading.unit == "date":
        return reading if target.is_date and reading.unit == "date" else None
    own = _dims(reading.unit)
    if own is None:
        return None
    if own.dims == target.dims:
        return reading
    if "percent" in reading.unit.split():
        return None  # a share is no amount of something: "100%" is not 100 W/GPU
    if not named:
        # "13 trillion" of a quantity in tokens: the quote's scale words and the quantity's unit.
        unit = target.text if reading.unit == "1" else f"{reading.unit} {_wrap(target.text)}"
        fitted = _dims(unit)
        if fitted is not None and fitted.dims == target.dims:
            return replace(
                reading,
                unit=unit,
                note=f"the unit {unit!r} takes {target.text!r} from the quantity: " + _unnamed(reading),
            )
        return None
    # "0.177美分" of a price per 1,000 tokens: the amount in the quote, per what the quantity is per
    # ("312 TFLOPS" of FLOP/s/GPU: per GPU).
    for i in (i for i, ch in enumerate(target.text) if ch == "/"):
        numerator, denominator = target.text[:i], target.text[i + 1 :]
        num = _dims(numerator)
        if num is None or num.dims != own.dims:
            continue
        unit = f"{reading.unit}/{denominator}"
        fitted = _dims(unit)
        if fitted is not None and fitted.dims == target.dims:
            return replace(
                reading,
                unit=unit,
                note=f"the unit {unit!r} takes '/{denominator}' from the quantity's unit "
                f"{target.text!r}: check that the quote is per that",
            )
    return None


def _unnamed(reading: Reading) -> str:
    """Why the quote gave no unit: no word after the number, or a word kb does not read as a unit."""
    m = re.match(r"\s*([A-Za-z][A-Za-z0-9_]*)", reading.after)
    if m and m.group(1).lower() not in STOP:
        return f"kb does not read {m.group(1)!r} after the number as a unit; check it"
    return "no unit follows the number in the quote"


def _wrap(unit: str) -> str:
    return f"({unit})" if "/" in unit or "*" in unit else unit


def read_quote(quote: str, target: UnitInfo | None) -> list[Reading]:
    """The readings of the quote that fit a quantity measured in `target`, best first.

    Readings whose noun or currency the quote names come before those completed from the
    quantity's unit; without a target every reading is returned.
    """
    all_readings = readings(quote)
    if target is None:
        return [r for r, _ in all_readings]
    all_readings = [_glued_bytes(quote, r, named) for r, named in all_readings]
    fitted = [f for r, has_base in all_readings if (f := complete(r, has_base, target)) is not None]
    return [f for f in fitted if not f.note] + [f for f in fitted if f.note]


_GLUED = re.compile(r"([GTP])(?![A-Za-z0-9])")


def _glued_bytes(quote: str, r: Reading, named: bool) -> tuple[Reading, bool]:
    """ "A100-SXM4-80G GPU", "(40G)": for kb add, a G, T or P glued to a number is that many bytes,
    never a count of the GPUs named after it; kb add offers it only for a quantity in bytes (kb
    extract, which has no quantity, asks the context: kb/extract.py _glued_bytes)."""
    m = _GLUED.match(quote, r.end)
    if m is None or isinstance(r.value, list) or r.unit not in ("1", "GPU"):
        return r, named
    unit = f"{m.group(1)}B"
    return replace(
        r, unit=unit, end=m.end(), note=f"{m.group(1)!r} glued to the number is read as {unit}"
    ), True
