"""Figures that a number makes with the words and numbers around it, for `kb extract`.

A number alone may not say its unit: "7B, 13B, and 70B parameters" gives each the list's noun,
"400 billion tokens (200B each ...)" the figure's it breaks down; "$100M - $1B" is one range in
the smaller scale; "hundreds of billions" a vague range of that scale.
"""

from __future__ import annotations

import re
from dataclasses import replace

from kb.markup import plain
from kb.numbers import parse_numbers
from kb.reading import Reading, readings
from kb.units import unit_info
from kb.values import stated_value
from kb.words import ACCELERATOR_CHIP, NOT_NOUNS

_VAGUE_SCALES = {"thousands": 1e3, "millions": 1e6, "billions": 1e9, "trillions": 1e12}
_SCALE_NAMES = {1e3: "thousand", 1e4: "wan", 1e6: "million", 1e8: "yi", 1e9: "billion", 1e12: "trillion"}


def vague(sentence: str) -> list[tuple[Reading, bool]]:
    """'hundreds of billions', '数百万': a range of the named scale ([100, 1000] billion, [2, 9] million)."""
    out = []
    text = plain(sentence)
    for p in parse_numbers(text.text):
        words_ = text.text[p.start : p.end]
        m = re.search(r"of\s+(\w+)$", words_) or re.search(r"数([十百千万亿]+)$", words_)
        if not m or not p.is_range or not p.approx:
            continue
        scale = _VAGUE_SCALES.get(m.group(1).lower()) or _zh_scale(m.group(1))
        name = _SCALE_NAMES.get(scale)
        if name is None:
            continue
        lo, hi = (_literal(p.lo / scale), _literal(p.hi / scale))
        a, b = text.span(p.start, p.end)
        after = sentence[b : b + 30]
        reading = Reading([lo, hi], name, "about" if "数" in words_ else None, sentence[a:b], "", a, b, after)
        out.append((reading, False))
    return out


def _zh_scale(chars: str) -> float:
    value = 1.0
    for ch in chars:
        value *= {"十": 10, "百": 100, "千": 1e3, "万": 1e4, "亿": 1e8}[ch]
    # 百万 is a million, 万亿 a trillion: the product names the scale word.
    return value


def _literal(x: float) -> str:
    return format(round(x, 6), "g")


_JOIN = re.compile(r"\s*(?:-|–|—|to)\s*")


def scaled_ranges(sentence: str) -> list[tuple[Reading, bool]]:
    """'$100M - $1B': a range whose ends have different scale words, in the smaller ([100, 1000] million)."""
    found = [r for r, _ in readings(sentence) if isinstance(r.value, str)]
    out = []
    for a, b in zip(found, found[1:], strict=False):
        ua, ub = a.unit.split(" ", 1), b.unit.split(" ", 1)
        if len(ua) < 2 or len(ub) < 2 or ua[1] != ub[1] or ua[0] == ub[0]:
            continue
        scales = {v: k for k, v in _SCALE_NAMES.items()}
        if ua[0] not in scales or ub[0] not in scales or not _JOIN.fullmatch(sentence[a.end : b.start]):
            continue
        hi = _literal(float(b.value) * scales[ub[0]] / scales[ua[0]])  # type: ignore[arg-type]
        words_ = sentence[a.start : b.end]
        out.append(
            (Reading([str(a.value), hi], a.unit, a.qualifier, words_, "", a.start, b.end, b.after), True)
        )
    return out


_LIST = re.compile(r"\s*(?:,|,?\s*and|,?\s*or)\s*")


def inherit(sentence: str, found: list[tuple[Reading, bool]]) -> list[tuple[Reading, bool]]:
    """Numbers take the noun of the range or list they are in: "from 7 billion to 70 billion
    parameters" and "7B, 13B, and 70B parameters" have 7 billion parameter."""
    out = list(found)
    for i in range(len(out) - 1, -1, -1):
        r, named = out[i]
        if named or isinstance(r.value, list):
            continue
        ranges = (g for g, m in out if m and isinstance(g.value, list) and g.start <= r.start < g.end)
        outer = next(ranges, None)
        nxt, nxt_named = out[i + 1] if i + 1 < len(out) else (None, False)
        if outer is not None and outer.unit.startswith(r.unit + " "):
            out[i] = (replace(r, unit=outer.unit), True)
        elif nxt is not None and nxt_named and _LIST.fullmatch(sentence[r.end : nxt.start]):
            out[i] = _with_noun(r, nxt)
        elif (prev := _aside_of(sentence, out[:i], r)) is not None:
            out[i] = _with_noun(r, prev)
    return out


def _with_noun(r: Reading, other: Reading) -> tuple[Reading, bool]:
    """The reading in its own scale word and the other's noun, if that is a noun."""
    noun = other.unit.split(" ")[-1]
    scale = "" if r.unit == "1" else r.unit
    if noun in ("USD", "percent", "date") or noun == scale:
        return r, False
    return replace(r, unit=f"{scale} {noun}".strip()), True


_ASIDE = re.compile(r"[^\d().;,]{0,40}\(\s*")


def _aside_of(sentence: str, before: list[tuple[Reading, bool]], r: Reading) -> Reading | None:
    """The named figure a parenthesis right after it breaks down: "400 billion text tokens (200B
    each ...)" has 200 billion tokens. Not a number followed by a noun of its own ("(4 nodes)")."""
    prev = next((g for g, m in reversed(before) if m and not isinstance(g.value, list)), None)
    if prev is None or not _ASIDE.fullmatch(sentence[prev.end : r.start]):
        return None
    after = sentence[r.end :]
    if re.match(r"[A-Za-z]", after):
        return None  # "(2xA100)", "(40G)": letters glued to the number are read elsewhere
    word = re.match(r"\s+([A-Za-z]+)", after)
    return prev if word is None or word.group(1).lower() in NOT_NOUNS else None


_GPU_AFTER = re.compile(rf"(?:\s*[KMGT]i?B)?\s*{ACCELERATOR_CHIP}s?(?![A-Za-z0-9])")


def per_accelerator(reading: Reading, sentence: str) -> Reading:
    """ "1024 80GB A100s": an amount of memory right before an accelerator's name is each one's
    memory (GB/GPU), not data."""
    if reading.unit not in ("MB", "GB", "TB", "GiB") or not _GPU_AFTER.match(sentence, reading.end):
        return reading
    return replace(reading, unit=f"{reading.unit}/GPU", note="the memory of each accelerator named after it")


SIZE_LABEL = re.compile(r"\d+(?:\.\d+)?[BMT](?![\w.])")
"""A table row labelled by a size ("| 1.8B |", "<td rowspan=3>7B</td>", "72B + vLLM"): its parameters."""


def parameters(reading: Reading) -> tuple[Reading, bool]:
    """A model's size ("70B" of "LLaMA2-70B", a row labelled "7B") as its count of parameters."""
    if reading.unit not in ("thousand", "million", "billion", "trillion"):
        return reading, False
    note = "a model's size: its parameters"
    return replace(reading, unit=f"{reading.unit} parameter", note=note), True


_K_NOTE = (
    "K in a context length is often 1024: '{t}' may be {n:,} tokens, not {m:,}; if the model's "
    "configuration says so, write the exact count (kb reads {t} as {lo:,} to {hi:,})"
)


def binary_k(reading: Reading, quantity: str | None) -> Reading:
    """ "32K" of a context length, read as 32 thousand tokens (31,500 to 32,500, or wider for "100K"
    as kb reads trailing zeros), with a note that it may be 32,768: the value stays as written (a
    claim says what its source says)."""
    m = re.fullmatch(r"(\d+)[kK]", reading.text)
    if quantity != "context_length" or m is None or reading.unit != "thousand token":
        return reading
    k = int(m.group(1))
    # The number as kb reads it, before a qualifier widens it ("at least 32K" would have no top).
    stated = stated_value(m.group(1), unit_info("thousand token"), None).stated
    lo, hi = round(stated.lo * 1000), round(stated.hi * 1000)
    note = _K_NOTE.format(t=reading.text, n=k * 1024, m=k * 1000, lo=lo, hi=hi)
    return replace(reading, note="; ".join(n for n in (reading.note, note) if n))


def lost_exponent(reading: Reading) -> Reading:
    """ "3.14+23 FLOPs": read as 3.14E+23 (kb/numbers.py), with a note that the document lost the E,
    so that a reviewer checks the figure against the document before accepting it."""
    # A reading with a "+" between digits was read so by numbers.py's pattern alone: no second test.
    if not isinstance(reading.value, str) or not re.search(r"\d\+\d", reading.text):
        return reading
    note = f"written '{reading.text.lstrip('~≈ ')}' without its E: read as {reading.value}"
    return replace(reading, note="; ".join(n for n in (reading.note, note) if n))
