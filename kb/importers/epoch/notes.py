"""Model facts that Epoch AI writes in a row's notes rather than in a column.

- a mixture-of-experts model, in any wording the notes use ("56B activated\\nparameters", "37B
  activated", "sparse", "experts"), or in the one sentence of the abstract that gives the row's
  parameter count as the total beside an activated count ("a Mixture-of-Experts architecture with
  236B total parameters, activating 23B parameters");
- a compute that is the geometric mean of several estimates ("geometric mean", "sqrt(");
- what the data set size counts: the notes often give the cell's number with its unit ("18
  trillion tokens"), which may differ from the column's convention (words);
- a chip name as the table writes it ("NVIDIA B200 GPUs" is the chip "NVIDIA B200");
- the peak figure a chip's throughput is taken at where the notes derive a utilization with it
  ("64 GPU * 4.6e13 FLOP/GPU-s"): a number near the chip table's peak.
"""

from __future__ import annotations

import re

_WS = r"[\s\-]+"
_MOE = re.compile(
    rf"mixture{_WS}of{_WS}experts|\bMoE\b|sparse(?:ly)?{_WS}(?:activated|gated|all-mlp|model|architecture)"
    rf"|\d+(?:\.\d+)?\s*[BMT]?{_WS}(?:active|activated)\b|\bactivated{_WS}param|\bactive{_WS}param"
    r"|\b\d+x\d+(?:\.\d+)?B\b|-A\d+(?:\.\d+)?B\b|\b\d+\s+(?:routed\s+)?experts\b|\*sparse\* param"
    r"|\bexperts? per token\b|\bsparse(?:ly)?[- ]activated\b",
    re.IGNORECASE,
)
_MOE_NAME = re.compile(
    r"^switch\b|switch-?transformer|moe\b|\bglam\b|mixtral|sparse[- ](?:all-mlp|mixture)", re.IGNORECASE
)


def mixture_of_experts(name: str, cells: dict[str, str]) -> bool:
    """A mixture-of-experts model, by its name or the notes of its parameters or compute."""
    text = " ".join((cells.get("parameters_notes", ""), cells.get("compute_notes", "")))
    return _MOE_NAME.search(name) is not None or _MOE.search(text) is not None


_MOE_WORD = re.compile(rf"mixture{_WS}of{_WS}experts|\bMoEs?\b", re.IGNORECASE)
_ACTIVE = re.compile(r"\bactiv(?:e|ated|ating|ates)\b", re.IGNORECASE)
_TOTAL = re.compile(r"^\s*(?:parameters?\s+)?(?:in\s+)?total\b", re.IGNORECASE)
_SENTENCE = re.compile(r"(?<=[.;])\s+(?=[A-Z])|\n\s*\n")


def moe_in_abstract(abstract: str, parameters: float) -> str:
    """The sentence of the abstract that says the row's model is a mixture of experts: it names
    one, writes the parameters cell's count (to MATCH) followed by "total" ("236B total
    parameters"), and an activated count; '' when no sentence does. An abstract that only mentions
    another model ("8 model sizes, including ... 14B ... dense models, and an MoE model of 14B with
    2.7B activated": Qwen1.5-14B's, a dense model) writes no total."""
    if parameters <= 0:
        return ""
    for sentence in _SENTENCE.split(abstract):
        if _MOE_WORD.search(sentence) is None or _ACTIVE.search(sentence) is None:
            continue
        for value, _, end in _amounts(sentence):
            if abs(value - parameters) <= MATCH * parameters and _TOTAL.match(sentence[end : end + NEAR]):
                return sentence.strip()
    return ""


_GEOMETRIC = re.compile(r"geometric(?:al)?[\s-]+mean|geomean|\bsqrt\s*\(", re.IGNORECASE)


def geometric_mean(cells: dict[str, str]) -> bool:
    """Whether the compute is the geometric mean of several estimates (each may differ from it)."""
    return _GEOMETRIC.search(cells.get("compute_notes", "")) is not None


_SCALE = {"k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6, "b": 1e9, "billion": 1e9, "bn": 1e9}
_SCALE |= {"t": 1e12, "trillion": 1e12}
_AMOUNT = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:\s*[x×*]\s*10\^?(\d+)|[eE]([+-]?\d+))?"
    # "270 billions tokens": a word scale may be written plural.
    r"\s*(thousand|million|billion|trillion|bn|[kmbt])?(?:(?<=[dn])s)?(?![a-z])",
    re.IGNORECASE,
)
_UNIT = re.compile(r"\b(tokens?|words?)\b", re.IGNORECASE)
NEAR = 40
"""Characters after a number (or before it, for "Tokens: 2.5T") where its unit may be written."""
MATCH = 0.03
"""How close a number of the notes must be to the cell to be the cell's number (rounding)."""


def _amounts(text: str) -> list[tuple[float, int, int]]:
    out = []
    for m in _AMOUNT.finditer(text):
        value = float(m.group(1).replace(",", ""))
        exponent = int(m.group(2) or m.group(3) or 0)
        if abs(exponent) > 300:  # not a count of anything; 10.0**exponent would overflow
            continue
        value *= 10.0**exponent
        if m.group(4):
            value *= _SCALE[m.group(4).lower()]
        out.append((value, m.start(), m.end()))
    return out


_SIX_ND = re.compile(r"\b6\s*N\s*D\b|\b6\s*[*×x]\s*[\d(]|C\s*=\s*6", re.IGNORECASE)


def counted_unit(cell: float, notes: str) -> str:
    """'token' or 'word' when the notes write the cell's number with that unit, else ''. A number
    in a 6·N·D product of the notes counts tokens (the formula takes tokens)."""
    if cell <= 0:
        return ""
    six_nd = _SIX_ND.search(notes) is not None
    for value, start, end in _amounts(notes):
        if abs(value - cell) > MATCH * cell:
            continue
        line = notes[notes.rfind("\n", 0, start) + 1 : notes.find("\n", end) % (len(notes) + 1)]
        if six_nd and _SIX_ND.search(line) and "word" not in line.lower():
            return "token"
        after = _UNIT.search(notes[end : end + NEAR])
        before = list(_UNIT.finditer(notes[max(0, start - NEAR) : start]))
        unit = after or (before[-1] if before else None)
        if unit is not None:
            return "token" if unit.group(1).lower().startswith("token") else "word"
    return ""


# Word-level language modelling benchmarks: their token counts are words (Merity et al. 2016 for
# WikiText, Marcus et al. 1993 for the Penn Treebank, Chelba et al. 2013 for One Billion Word).
_WORD_LEVEL = re.compile(r"wikitext|penn tree ?bank|\bPTB\b|one billion word|\b1B word|lm1b", re.IGNORECASE)


def word_level(dataset: str) -> bool:
    """Whether the row's data set is a word-level benchmark (its tokens are words)."""
    return _WORD_LEVEL.search(dataset) is not None


_CHIP_SUFFIX = re.compile(r"\s+(?:GPUs?|TPUs?|chips?|accelerators?)$", re.IGNORECASE)


def chip_name(text: str) -> str:
    """The chip's name without a plural or generic suffix ("NVIDIA B200 GPUs" -> "NVIDIA B200")."""
    return _CHIP_SUFFIX.sub("", text.strip())


_E_NUMBER = re.compile(r"(?<![\w.])\d+(?:\.\d+)?[eE]\+?\d{1,2}(?!\w|\.\d)")


def figures_near(text: str, value: float, relative: float) -> list[str]:
    """The numbers the text writes in e-notation ("4.6e13", "130e12") within `relative` of `value`
    but not equal to it, as written; each distinct value once."""
    out: dict[float, str] = {}
    for m in _E_NUMBER.finditer(text):
        x = float(m.group(0).replace("+", ""))
        if x != value and abs(x / value - 1) <= relative:
            out.setdefault(x, m.group(0).replace("+", ""))
    return list(out.values())
