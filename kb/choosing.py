"""Which number of a quote is the claim's value: settled by the quote, or asked, never guessed silently.

A quote often holds several numbers ("671B total parameters with 37B activated for each token").
The quantity's unit rules out most; the quantity's own words ("active" parameters) pick among the
rest; what is still open is a question for the contributor, with every candidate listed.
"""

from __future__ import annotations

import re
from dataclasses import replace

from kb.markup import plain
from kb.reading import Reading, _enclosed, read_quote, readings, same_value
from kb.units import UnitInfo

_GENERIC = frozenset(
    {
        *("a", "an", "and", "the", "of", "per", "in", "for", "to", "on", "by", "at", "with", "from"),
        *("number", "count", "amount", "value", "each", "one", "unit", "units"),
        *("parameter", "parameters", "token", "tokens"),  # units: every candidate is in them
    }
)
# Quantities that are a limit by their nature: "up to 128K" or "up to July 2023" states the limit itself.
_LIMIT_WORDS = ("cutoff", "context", "max", "limit", "latest")
_UP_TO = re.compile(r"(?:up to|至多|最多|最长)\s*$", re.IGNORECASE)
# "from 7 billion to 70 billion parameters" names two models' sizes as often as one range.
FROM = re.compile(r"(?:\bfrom|从)\s*$", re.IGNORECASE)
CONTEXT = 40
"""Characters after a number in which the quantity's words are looked for."""


def choose(
    quote: str, target: UnitInfo | None, value: str | list[str] | None = None, quantity: str = ""
) -> list[Reading]:
    """The reading to use: one if the quote settles it, several if it is ambiguous, none if nothing fits.

    `quantity` is the quantity's id and label, whose words pick among numbers of the same unit.
    With `value` (--value), the readings of that value: a literal written as given ("2.0") before
    one that only equals it ("2"). Otherwise a range wins over its own ends unless each end is
    written in full after "from" ("from 7 billion to 70 billion": asked), and a number whose noun the quote
    names wins over one completed from the quantity unless the quantity's words or a scale word
    make the other a contender too.
    """
    fitting = read_quote(quote, target)
    if value is not None:
        same = [r for r in fitting if same_value(r.value, value)]
        as_typed = [r for r in same if r.value == value]
        return _limits(quote, _distinct(as_typed or same), quantity)
    outer = _outer(quote, fitting)
    written = [r for r in outer if target is not None and writes_unit(r.after, target.text)]
    if written:  # "约为 10GB" of a quantity in GB: the quote names the unit there, not after "8-bit"
        return _limits(quote, _distinct([replace(r, note="") for r in written]), quantity)
    by_words = _by_words(quote, outer, quantity)
    if len(by_words) == 1:
        return _limits(quote, by_words, quantity)
    named = [r for r in outer if not r.note]
    contenders = [r for r in outer if r.note and _has_scale(r)]
    pool = (named + contenders if contenders else named) if named else outer
    return _limits(quote, _distinct(pool), quantity)


_SYMBOL = re.compile(r" ?([A-Za-z]{2,})(?![A-Za-z])")


def glued_symbol(after: str) -> str:
    """The letters written right after a number ("GB" of "13GB" or "13 GB"), or ""."""
    m = _SYMBOL.match(after)
    return m.group(1) if m else ""


def writes_unit(after: str, unit: str) -> bool:
    """Whether the words after a number are the unit's own symbol, as a quantity writes it ("GB")."""
    return bool(unit) and glued_symbol(after) == unit


def _distinct(pool: list[Reading]) -> list[Reading]:
    distinct: dict[tuple[str, str], Reading] = {}
    for r in pool:
        distinct.setdefault((r.value_text, r.unit), r)
    return list(distinct.values())


def _has_scale(r: Reading) -> bool:
    return r.unit.split(" ")[0] in {"thousand", "million", "billion", "trillion", "wan", "yi"}


def _outer(quote: str, fitting: list[Reading]) -> list[Reading]:
    """Readings not inside a longer one, and the ends of a range whose ends are written in full."""
    all_spans = [(r.start, r.end) for r, _ in readings(quote)]
    in_longer = _enclosed(all_spans, longer=True)
    ranges = [r for r in fitting if isinstance(r.value, list)]
    out = []
    for r in fitting:
        if not in_longer(r.start, r.end):
            out.append(r)
            continue
        around = next((g for g in ranges if g.start <= r.start and r.end <= g.end), None)
        if around is not None and FROM.search(quote[: around.start]) and _full_ends(around, fitting):
            out.append(r)
    return out


def _full_ends(rng: Reading, fitting: list[Reading]) -> bool:
    """Whether both ends of a range carry its unit ("7 billion to 70 billion"), not one ("1.8–2 trillion")."""
    ends = [r for r in fitting if not isinstance(r.value, list) and rng.start <= r.start and r.end <= rng.end]
    return len(ends) >= 2 and all(e.unit == rng.unit for e in ends)


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z]+", text.lower().replace("_", " ")) if w not in _GENERIC}


def _related(a: str, b: str) -> bool:
    """The same word or the same stem ("active", "activated")."""
    n = min(len(a), len(b))
    return a == b or (n >= 5 and a[:5] == b[:5])


def _by_words(quote: str, pool: list[Reading], quantity: str) -> list[Reading]:
    """The readings whose following words share most with the quantity's words (none if no word does)."""
    wanted = _words(quantity)
    if not wanted or len(pool) < 2:
        return []
    text = plain(quote)
    starts = sorted(r.start for r, _ in readings(quote))
    scores = []
    for r in pool:
        nxt = next((s for s in starts if s >= r.end), len(quote))
        after = _words(quote[r.end : min(nxt, r.end + CONTEXT)] if text else "")
        scores.append(sum(any(_related(w, a) for a in after) for w in wanted))
    best = max(scores)
    if best == 0:
        return []
    return [r for r, s in zip(pool, scores, strict=True) if s == best]


def _limits(quote: str, found: list[Reading], quantity: str) -> list[Reading]:
    """'up to' read one way everywhere: the limit itself for a quantity that is a limit, else at_most."""
    out = []
    for r in found:
        if r.qualifier == "at_most" and _UP_TO.search(quote[: r.start]):
            if any(w in quantity.lower() for w in _LIMIT_WORDS):
                r = replace(
                    r,
                    qualifier=None,
                    note=_join(
                        r.note,
                        "'up to' states the quantity's own limit: "
                        "read as exactly (give --qualifier at_most if it is only a bound)",
                    ),
                )
            else:
                r = replace(
                    r,
                    note=_join(
                        r.note,
                        "'up to' read as at_most (give --qualifier none if it states the value itself)",
                    ),
                )
        out.append(r)
    return out


def _join(a: str, b: str) -> str:
    return f"{a}; {b}" if a else b
