"""The 6·N·D products a row's compute notes write out, and which factor counts the parameters.

Epoch AI's notes write the product in many ways: "6*7*10^9*3*10^12 = 1.26e+23", "6ND = 6 * 27B
parameters * 14T training tokens", "16 billion * 2.5 trillion * 6", "6 FLOP / token / parameter *
8.4 * 10^9 parameters * ...", "6 * (37 billion) * (14.8 trillion)", or "6ND" with "N = 7B" and
"D = 3T" written apart. The grammar:

    product := factor (OP factor)+          (exactly one factor is the bare 6, its label FLOP or none)
    factor  := "("* NUMBER label ")"*       (NUMBER as kb reads numbers: 7*10^9, 7e9, 7B, 7 billion)
    label   := words without digits, "=", ",", ";", ":" or a line break ("parameters", "(active params)")
    OP      := "*" | "×" | "·" | "x"
    symbolic:= "6" OP? "N" OP? "D", with "N = NUMBER" and "D = NUMBER" elsewhere in the notes

The parameter factor is the one labelled as parameters; else, with the others labelled as data
(tokens, steps, epochs...) or equal to the row's epochs, the one left; else, of two unlabelled
factors an order of magnitude apart, the one nearer the parameters cell (parameters are fewer than
tokens in every language model, but the notes write either first). A parameter count the notes
qualify ("active", "effective", "non-embedding") is deliberately not the total: none is returned.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from kb.numbers import literal_value, written_numbers

_OP = r"(?:\*|×|·|(?<![A-Za-z])[xX](?![A-Za-z]))"
_GAP = re.compile(rf"(?P<label>[^\d=\n;:,.*×·]{{0,40}}?)\s*{_OP}\s*[(\[\s]*")
_TAIL = re.compile(r"[^\d=\n;:,.*×·]{0,40}")
_SIX_LABEL = re.compile(r"[\s(\[]*(?:(?:flops?|ops|operations)\b.*)?", re.IGNORECASE | re.DOTALL)
_PARAMETERS = re.compile(r"param|\bweights?\b", re.IGNORECASE)
_DATA = re.compile(
    r"token|word|sample|step|epoch|batch|seq|image|example|pass|pair|char|byte|frame|iteration|update",
    re.IGNORECASE,
)
_HARDWARE = re.compile(r"gpu|tpu|chip|hour|sec|day|flop/s|utiliz|mfu|\bhr|\bs\b", re.IGNORECASE)
_QUALIFIED = re.compile(
    r"activ|effective|non-?embedding|excluding embedding|without embedding|expert|sparse|per token",
    re.IGNORECASE,
)
_SYMBOLIC = re.compile(rf"\b6\s*{_OP}?\s*N\s*{_OP}?\s*D\b")
_ASSIGN = r"(?<![A-Za-z]){name}\s*(?:\([^)\n]{{0,30}}\))?\s*(?:=|≈|~=|:)\s*[(\s]*"
SCALE_WORDS = {
    "k": "thousand",
    "thousand": "thousand",
    "m": "million",
    "mn": "million",
    "million": "million",
    "b": "billion",
    "bn": "billion",
    "billion": "billion",
    "t": "trillion",
    "trillion": "trillion",
}
"""A scale as the notes write it -> the scale word of a kb unit ("7B" is 7 billion parameter)."""
NEAR = 100
"""Characters before another mention of the parameter count where the notes may qualify it."""
MAX_EXPONENT = 300
"""A power of ten beyond this is no count of anything (and no float)."""
APART = 2.0
"""How far apart two unlabelled factors must be for the one nearer the cell to be the parameters."""


@dataclass(frozen=True)
class Factor:
    """A number of a product as the notes write it, and the words after it."""

    literal: str
    """As kb writes a value: "7e9" for 7*10^9, "175" for 175B (with scale "billion")."""
    scale: str
    """A scale word (thousand to trillion) or ''."""
    text: str
    """As written in the notes."""
    label: str
    """The words written after it, without the brackets or signs around them."""
    start: int
    """Where the notes write it."""

    @property
    def value(self) -> float:
        return scaled(self.literal, self.scale)


SCALES = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
"""A scale word of a kb unit -> its factor."""


def scaled(literal: str, scale: str) -> float:
    """A count as kb writes it, a literal and a scale word ('' for none), as a number."""
    return literal_value(literal) * SCALES.get(scale, 1.0)


@dataclass(frozen=True)
class Product:
    """6 × the factors (the 6 left out), and the product as the notes write it."""

    factors: tuple[Factor, ...]
    text: str

    @property
    def value(self) -> float:
        return 6.0 * math.prod(f.value for f in self.factors)


@dataclass(frozen=True)
class _Number:
    literal: str
    scale: str
    """A scale word (thousand to trillion) or ''."""
    start: int
    end: int
    power: int | None = None
    """For a bare power of ten ("10^9"), its exponent: it scales the factor before it."""


_POWER = re.compile(r"(?<![\d.])10\s*(?:\^|\*\*)\s*([+-]?\d{1,3})(?![\d.])")
_SPACED_SCALE = re.compile(r"\s+([KMBT])(?![A-Za-z0-9])")


def _numbers(text: str) -> list[_Number]:
    """The single numbers of the text (no dates, ranges, percentages or money), none inside another;
    a bare power of ten ("*10^9" after a unit word) and a scale after a space ("15 B") are read too."""
    powers = [(m.start(), m.end(), int(m.group(1))) for m in _POWER.finditer(text)]
    out: list[_Number] = []
    for w in written_numbers(text):
        if w.is_date or w.literal_hi is not None or w.percent or w.currency:
            continue
        if out and w.start < out[-1].end:
            continue
        power = next((p for p in powers if p[0] == w.start and p[1] > w.end), None)
        if power is not None:
            out.append(_Number("10", "", power[0], power[1], power[2]))
            continue
        scale = w.scale_text.lower()
        if scale not in ("", *SCALE_WORDS):
            continue
        end = w.end
        spaced = _SPACED_SCALE.match(text, w.end) if not scale else None
        if spaced is not None:
            scale, end = spaced.group(1).lower(), spaced.end()
        out.append(_Number(w.literal, SCALE_WORDS.get(scale, ""), w.start, end))
    return out


def _factor(text: str, n: _Number, label: str) -> Factor:
    words = re.sub(r"^[\W_]+|[\W_]+$", "", label)
    return Factor(n.literal, n.scale, text[n.start : n.end], words, n.start)


def _times_power(n: _Number, power: _Number) -> _Number | None:
    """A factor written "32.5 parameters * 10^9": the power of ten joins the number before it
    (None beyond what a float holds)."""
    mantissa, _, exponent = n.literal.lower().partition("e")
    total = int(exponent or 0) + (power.power or 0)
    if abs(total) > MAX_EXPONENT:
        return None
    return _Number(f"{mantissa}e{total}", n.scale, n.start, power.end)


def _chains(text: str) -> list[list[tuple[_Number, str]]]:
    """Runs of three or more numbers joined by multiplication, each with its label."""
    out: list[list[tuple[_Number, str]]] = []
    run: list[tuple[_Number, str]] = []
    for n in _numbers(text):
        gap = _GAP.fullmatch(text[run[-1][0].end : n.start]) if run else None
        if gap is not None:
            last, label = run[-1]
            label = f"{label} {gap.group('label')}"
            if n.power is None:
                run[-1] = (last, label)
                run.append((n, ""))
                continue
            joined = _times_power(last, n)
            if joined is not None:
                run[-1] = (joined, label)
                continue
        if len(run) >= 3:
            out.append(run)
        run = [(n, "")]
    if len(run) >= 3:
        out.append(run)
    for chain in out:
        last, label = chain[-1]
        tail = _TAIL.match(text, last.end)
        chain[-1] = (last, label + " " + (tail.group(0) if tail else ""))
    return out


def _product(text: str, chain: list[tuple[_Number, str]]) -> Product | None:
    """The chain as 6 × factors, when exactly one factor is the bare 6 and none is hardware."""
    sixes = [i for i, (n, _) in enumerate(chain) if n.literal == "6" and not n.scale]
    sixes = [i for i in sixes if _SIX_LABEL.fullmatch(chain[i][1].strip())]
    if len(sixes) != 1 or any(_HARDWARE.search(label) for _, label in chain):
        return None
    factors = tuple(_factor(text, n, label) for i, (n, label) in enumerate(chain) if i != sixes[0])
    return Product(factors, text[chain[0][0].start : chain[-1][0].end])


def _symbolic(text: str) -> Product | None:
    """'6ND' (or 6 * N * D) with N and D given once each elsewhere in the notes."""
    m = _SYMBOLIC.search(text)
    if m is None:
        return None
    numbers = _numbers(text)
    factors = []
    for name, label in (("N", "parameters"), ("D", "tokens")):
        found = [
            n
            for a in re.finditer(_ASSIGN.format(name=name), text)
            for n in numbers
            if n.start == a.end() and n.power is None
        ]
        if len(found) != 1:
            return None
        factors.append(_factor(text, found[0], label))
    return Product(tuple(factors), m.group(0))


def products(notes: str) -> list[Product]:
    """Every 6·N·D product the notes write, the same factors once."""
    found = [p for c in _chains(notes) if (p := _product(notes, c)) is not None]
    symbolic = _symbolic(notes)
    if symbolic is not None:
        found.append(symbolic)
    out: list[Product] = []
    for p in found:
        if all(sorted(f.value for f in p.factors) != sorted(f.value for f in q.factors) for q in out):
            out.append(p)
    return out


def parameter_factor(product: Product, cell: float, epochs: float | None, notes: str) -> Factor | None:
    """The factor of the product that counts the model's parameters (see the module's rules); None
    when it cannot be told, or when the notes qualify it as other than the total."""
    factors = list(product.factors)
    named = [f for f in factors if _PARAMETERS.search(f.label)]
    if len(named) > 1:
        return None
    if named:
        chosen: Factor | None = named[0]
    else:
        rest = [f for f in factors if not _DATA.search(f.label)]
        if epochs is not None and len(rest) == 3:
            rest = [f for f in rest if not math.isclose(f.value, epochs)]
        chosen = rest[0] if len(rest) == 1 else _nearer(rest, cell)
    if chosen is None or _qualified(chosen, notes):
        return None
    return chosen


def _nearer(factors: list[Factor], cell: float) -> Factor | None:
    """Of two unlabelled factors an order of magnitude apart, the one nearer the cell."""
    if len(factors) != 2 or any(f.label for f in factors) or cell <= 0:
        return None
    a, b = factors
    if min(a.value, b.value) <= 0 or max(a.value, b.value) < APART * min(a.value, b.value):
        return None
    return min(factors, key=lambda f: abs(math.log(f.value / cell)))


def _qualified(factor: Factor, notes: str) -> bool:
    """Whether the notes call this count active, effective, non-embedding... (not the total)."""
    if _QUALIFIED.search(factor.label):
        return True
    for n in _numbers(notes):
        if n.start == factor.start or n.power is not None:
            continue
        value = scaled(n.literal, n.scale)
        before = notes[max(0, n.start - NEAR, notes.rfind("\n", 0, n.start) + 1) : n.start]
        if math.isclose(value, factor.value, rel_tol=1e-9) and _QUALIFIED.search(before):
            return True
    return False
