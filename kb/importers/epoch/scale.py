"""The model's total parameter count as a row's Parameters notes state it, and a scale slip of the cell.

Epoch AI's Parameters cell is a bare float ("284000000.0"), where a dropped or added "thousand" is
easy to miss; the notes usually write the count with its scale ("284B total, 13B active", "7
billion parameters", "6.7e9"). Where the notes state one total count and the cell has its digits
at another scale (284e6 for 284B), the cell slipped. The reading is deliberately narrow, since a
wrong reading is a false alarm:

- a count is a number with a scale word or suffix (K, M, B, T, thousand... trillion) or a power of
  ten (6.7e9, 6.7 × 10^9); not a range, a percentage, an amount of money or a date;
- it is the model's total when the words right after it name parameters or a total ("284B total",
  "7B parameters", "7B-parameter", "params"), or a label before it does ("Parameters: 7B",
  "total of 7B"), or the notes open with it, the rest of the line empty or saying where it is
  from ("6B", "610M | from https://...", "51M (Table 3)", "1.9B from Table 2": Epoch's own way);
- it is not the total when its words or its clause qualify it (active, embedding, per expert,
  encoder, vision, adapter...), make it a bound ("over", "up to") or another model's count
  ("based on", "from", "teacher", "than"...): such a count is skipped, never compared;
- the notes must state one total: two different totals (two sizes, a correction) say nothing;
- the cell's own figure written anywhere in the notes (any scale) means the notes explain the
  cell, so nothing is read; so do notes about trainable parts (LoRA, adapters, frozen weights),
  where the cell may count a part on purpose;
- the slip is a factor of 10^3, 10^6 or 10^9 (either way) with the digits agreeing: the cell
  times the factor lies within the notes' rounding of the count (7B for 7.24 billion), widened
  by DIGITS, and within MAX_GAP of it (1.4 million is not "1B" without its thousand).

Equal counts (6.7B in the notes, 6.74e9 in the cell) are not checked: rounding and counts with or
without embeddings make such gaps noise, and a relation that holds would count as a confirmation
of the cell and move blame in the row's other relations.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from kb.importers.epoch.products import SCALE_WORDS, SCALES, scaled
from kb.importers.epoch.sixnd import equals_parameters_cell
from kb.numbers import WrittenNumber, literal_interval, written_numbers

SLIP_FACTORS = (1e3, 1e6, 1e9)
"""The factors a dropped or added scale word makes (thousand, million, billion)."""
DIGITS = 0.01
"""Slack beyond the count's rounding within which the cell's digits agree with it."""
MAX_GAP = 0.1
"""However loosely the notes round ("1B" is 0.5 to 1.5 billion), digits farther apart than this
do not agree (1.4 million is not "1B" without its thousand)."""
EXPLAINS = 0.05
"""A number of the notes this near the cell (at any scale word) is the cell's own figure."""
LABEL_CHARS = 40
"""How far after a number its label (the words that say what it counts) is read."""
BEFORE_CHARS = 50
"""How far before a number (within its clause) words may qualify it."""


# What the number counts, read from the words right after it.
_TOTAL_AFTER = re.compile(
    r"[\s-]*(?:\(?total\)?[\s-]*)?(?:(?:model\s+)?param(?:eter)?s?\b|weights\b)"
    r"|[\s-]*\(?total\)?(?![\s-]*[A-Za-z])",
    re.IGNORECASE,
)
# A count the notes then divide ("102B, of which 12B active") is the whole.
_OF_WHICH = re.compile(r"[\s-]*(?:param(?:eter)?s?)?,?\s*(?:out\s+)?of\s+which\b", re.IGNORECASE)
# A label written before the number ("Parameters: 7B", "total of 7B", "N = 7B").
_TOTAL_BEFORE = re.compile(
    r"(?:(?:\b(?:total\s+)?param(?:eter)?s?(?:\s+count)?|\btotal|\bN)\s*(?::|=|\bof|\bis)"
    r"|\btotal\s+param(?:eter)?s?(?:\s+count)?)\s*(?:~|≈|about|around|roughly|approximately|approx\.?)?\s*$",
    re.IGNORECASE,
)
# Words that make a count other than the model's total: a part of it, a bound, another model's
# count, or a count of something else than parameters.
_PART_WORDS = (
    r"activ|effective|embedding|\bper\b|\beach\b|routed|shared|unique|\bnon\b|non-|encoder|decoder|"
    r"vision|visual|image|audio|speech|\btext\b|language|backbone|tower|projector|head|layer|module|"
    r"component|adapter|lora|trainable|frozen|draft|router"
)
_OTHER_WORDS = (
    r"\bover\b|\bup to\b|at most|at least|more than|less than|fewer than|\bunder\b|>|<|\bto\s*$|"
    r"based|from|teacher|student|\bbase\b|original|previous|predecessor|parent|than\b|compared|"
    r"\bvs\.?|versus|\blike\b|similar|same as|larger|smaller|bigger|instead|rather|version|variant|"
    r"token|word|sample|flop|byte|step|epoch|hour|day|\$"
)
# "Expert" qualifies a count only right beside it ("7B-parameter experts", "an expert with 860M
# parameters"), not in "a 106B-parameter Mixture-of-Experts model" or "a Mixture-of-Experts model
# with 400B total parameters". A count in a sum or product is a term of it ("670M + 7.7B = 8.46B").
_NOT_TOTAL_AFTER = re.compile(
    rf"{_PART_WORDS}|{_OTHER_WORDS}|^[\s-]*(?:param\w*[\s-]+)?\(?\s*experts?\b|^\s*[+*×/]", re.IGNORECASE
)
_EXPERT_BEFORE = r"expert\w*\s+(?:with|of|has|have|having|is|are)?\s*(?:~|about|around|approximately)?\s*$"
# Before the number, a part word counts since the previous count only ("41B active and 675B total
# parameters": "active" is the 41B's); a bound or another model's name counts anywhere in the
# clause ("fine-tuned from Llama 2 7B (7B parameters)").
_PART_BEFORE = re.compile(rf"{_PART_WORDS}|[+*×/]\s*$|{_EXPERT_BEFORE}", re.IGNORECASE)
_OTHER_BEFORE = re.compile(_OTHER_WORDS, re.IGNORECASE)
# The active count of a mixture of experts, which the notes write beside the total ("13B active",
# "Active parameters: 10B"), and its word, which belongs to it, not to a count after it ("41B
# active and 675B total parameters").
_ACTIVE = re.compile(r"^[\s-]*(?:\(\s*)?activ", re.IGNORECASE)
_ACTIVE_BEFORE = re.compile(
    r"activ\w*(?:[\s-]+param(?:eter)?s?)?\s*(?::|=|\bof|\bis|\bare)?\s*(?:~|about|around|approximately)?\s*$",
    re.IGNORECASE,
)
_ACTIVE_WORD = re.compile(r"^[\s-]*\(?\s*activ\w*(?:[\s-]+param(?:eter)?s?)?\)?", re.IGNORECASE)
# A count of something else than parameters ("trained on 2T tokens").
_NOT_PARAMETERS = re.compile(
    r"^[\s-]*(?:tokens?|words?|samples?|images?|examples?|steps?|FLOPs?|bytes?|hours?|GPU|TPU|chips?)\b",
    re.IGNORECASE,
)
# Notes about trainable parts: the cell may count a part on purpose.
_PART = re.compile(r"lora|adapter|trainable|frozen|prun|distil", re.IGNORECASE)
# Where a clause ends: what is written before a number there does not qualify it.
_CLAUSE_END = re.compile(r"[;!?]|\.(?:\s|$)|\n\s*\n|\n\s*[-*•]")
# Epoch's own way to state the row's count: the notes open with it, the rest of the line saying
# where it is from ("610M | from https://...", "51M (Table 3)", "1.9B from Table 2", "6B").
_SOURCE_REST = re.compile(
    r"\s*[,|(]?\s*(?:(?:taken\s+)?(?:from|per|see|in|according to)\s+)?(?:the\s+)?"
    r"(?:table|tab\.|figure|fig\.|section|sec\.|paper|abstract|appendix|hf\b|hugging\s*face|github|"
    r"model card|https?://)[^\n]*"
    r"|\s*\|?\s*",
    re.IGNORECASE,
)
_URL = re.compile(r"https?://\S+")
_PART_QUALIFIER = re.compile(_PART_WORDS, re.IGNORECASE)
_APPROX = re.compile(r"^(?:~|≈|about|around|roughly|approximately|approx\.?)\s*", re.IGNORECASE)
_ALONE = re.compile(
    r"\W*(?:~|≈|about|around|roughly|approximately|approx\.?)?\s*(?P<n>.+?)\s*(?:param(?:eter)?s?)?\W*",
    re.IGNORECASE | re.DOTALL,
)


@dataclass(frozen=True)
class StatedCount:
    """A parameter count of the notes, as written."""

    literal: str
    """As kb writes a value: "284" (with scale "billion"), "6.7e9"."""
    scale: str
    """A scale word (thousand to trillion) or ''."""
    text: str
    """As written in the notes ("284B")."""

    @property
    def value(self) -> float:
        return scaled(self.literal, self.scale)

    def interval(self) -> tuple[float, float]:
        lo, hi = literal_interval(self.literal)
        factor = SCALES.get(self.scale, 1.0)
        return lo * factor, hi * factor


@dataclass(frozen=True)
class ScaleSlip:
    """The notes' total count, and what the cell must be multiplied by to give it."""

    count: StatedCount
    multiplier: float


def _counts(notes: str) -> list[WrittenNumber]:
    """The single numbers of the notes that may count parameters: with a scale word or a power of
    ten, not a range (nor its ends), percentage, amount of money or date."""
    out: list[WrittenNumber] = []
    end = -1
    for w in written_numbers(notes):
        if w.start < end:
            continue  # inside a range or a date read before it
        end = w.end
        if w.is_date or w.literal_hi is not None or w.percent or w.currency:
            continue
        if w.scale_text.lower() in SCALE_WORDS or "e" in w.literal.lower():
            out.append(w)
    return out


def _value(w: WrittenNumber) -> float:
    return scaled(w.literal, SCALE_WORDS.get(w.scale_text.lower(), ""))


def _label(notes: str, w: WrittenNumber) -> str:
    """The words after the number, up to the next digit or clause sign."""
    m = re.match(rf"[^\d;,.:\n(]{{0,{LABEL_CHARS}}}", notes[w.end :])
    label = m.group(0) if m else ""
    # "(total)" and "(~7B parameters)" are read whole: a bracket closes the label only after words.
    if notes[w.end : w.end + 1] == "(":
        label = notes[w.end : w.end + 8]
    return label


def _before(notes: str, w: WrittenNumber) -> str:
    """The text of the number's clause before it (at most BEFORE_CHARS), other numbers included."""
    start = max(0, w.start - BEFORE_CHARS)
    for m in _CLAUSE_END.finditer(notes, start, w.start):
        start = m.end()
    return notes[start : w.start]


def _since_previous(notes: str, w: WrittenNumber, numbers: list[WrittenNumber], own: bool = True) -> str:
    """The text of the number's clause before it, from the previous count on; with `own`, without
    the previous count's "active" ("41B active and 675B total": "active" is the 41B's)."""
    before = _before(notes, w)
    start = w.start - len(before)
    ends = [n.end for n in numbers if start <= n.end <= w.start]
    since = notes[max(ends, default=start) : w.start]
    return _ACTIVE_WORD.sub("", since) if ends and own else since


def _count(notes: str, w: WrittenNumber) -> StatedCount:
    scale = w.scale_text.lower()
    text = notes[w.start : w.end]
    return StatedCount(w.literal, SCALE_WORDS[scale] if scale else "", _APPROX.sub("", text))


def _leading(notes: str, w: WrittenNumber) -> bool:
    """Whether the notes open with this count, the rest of its line empty or a source."""
    if notes[: w.start].strip(" \t\"'~≈"):
        return False
    line_end = notes.find("\n", w.end)
    rest = notes[w.end : line_end if line_end >= 0 else len(notes)]
    # The source may not qualify the count ("13B (Table 2, active)"); its address may say anything.
    words = _URL.sub("", rest)
    return _SOURCE_REST.fullmatch(rest) is not None and _PART_QUALIFIER.search(words) is None


def _is_total(notes: str, w: WrittenNumber, numbers: list[WrittenNumber]) -> bool:
    """Whether the notes state this count as the model's total (the module's rules)."""
    if _leading(notes, w):
        return True
    label, before, since = _label(notes, w), _before(notes, w), _since_previous(notes, w, numbers)
    labelled = (
        _TOTAL_AFTER.match(label) is not None
        or _OF_WHICH.match(notes, w.end) is not None
        or _TOTAL_BEFORE.search(since) is not None
    )
    qualified = _NOT_TOTAL_AFTER.search(label) or _PART_BEFORE.search(since) or _OTHER_BEFORE.search(before)
    return labelled and not qualified


def _beside(notes: str, w: WrittenNumber) -> bool:
    """Whether the count is one the notes write beside the total without making it unclear: the
    active parameters of a mixture of experts, or a count of tokens, samples..."""
    label, since = _label(notes, w), _since_previous(notes, w, _counts(notes), own=False)
    return (
        _ACTIVE.match(label) is not None
        or _ACTIVE_BEFORE.search(since) is not None
        or _NOT_PARAMETERS.match(label) is not None
    )


def total_count(notes: str) -> StatedCount | None:
    """The model's total parameter count as the notes state it, when they state one and every
    other count they write is that one, the active count of a mixture of experts, or a count of
    something else (tokens...): a count of a part, of another model or of another size makes the
    notes unclear, and None is returned."""
    numbers = _counts(notes)
    alone = _ALONE.fullmatch(notes.strip())
    if (
        len(numbers) == 1
        and alone is not None
        and alone.group("n") == notes[numbers[0].start : numbers[0].end]
    ):
        return _count(notes, numbers[0])
    totals = [w for w in numbers if _is_total(notes, w, numbers)]
    if not totals:
        return None
    value = _value(totals[0])
    for w in numbers:
        same = math.isclose(_value(w), value, rel_tol=0.01)
        if not same and (w in totals or not _beside(notes, w)):
            return None
    return _count(notes, totals[0])


def scale_slip(notes: str, cell: float) -> ScaleSlip | None:
    """The slip of the cell, when the notes state one total count whose digits the cell has at
    another scale (see the module's rules); None when there is none or the notes are not clear."""
    if cell <= 0 or not math.isfinite(cell) or _PART.search(notes):
        return None
    if any(abs(_value(w) / cell - 1) <= EXPLAINS for w in _counts(notes)):
        return None  # the notes write the cell's own figure
    count = total_count(notes)
    if count is None or not count.value > 0:  # "0B": no count to compare a scale with
        return None
    lo, hi = count.interval()
    for factor in SLIP_FACTORS:
        for multiplier in (factor, 1 / factor):
            scaled = cell * multiplier
            near = abs(scaled / count.value - 1) <= MAX_GAP
            if near and lo * (1 - DIGITS) <= scaled <= hi * (1 + DIGITS):
                return ScaleSlip(count, multiplier)
    return None


NAME = "notes-parameters-scale"
TOLERANCE = 0.05
REASON = (
    "the notes round the count as the model's name does (7B for 7.24 billion); the relation is "
    "made only where the cell has the notes' digits at another scale, so any gap it shows is that scale"
)
RANK_REASON = (
    "the Parameters notes write the count with its scale word, where the Parameters cell is a bare "
    "float in which a dropped or added 'thousand' goes unseen; the cell has the notes' digits"
)


def check(slip: ScaleSlip, parameters_id: str) -> dict[str, Any]:
    """The relation: the notes' total count = the parameters cell (both of the row)."""
    note = (
        f"The Parameters notes state the model's total as {slip.count.text} parameters, and the "
        f"Parameters cell has the same digits at {_factor_text(slip.multiplier)} that: a scale "
        "word dropped or added in the cell (or in the notes)."
    )
    return equals_parameters_cell(NAME, parameters_id, (TOLERANCE, REASON), note)


def _factor_text(multiplier: float) -> str:
    """'1/1000 of' for a cell 1000 times too small, '1000 times' for one too large."""
    if multiplier >= 1:
        return f"1/{multiplier:,.0f} of"
    return f"{1 / multiplier:,.0f} times"
