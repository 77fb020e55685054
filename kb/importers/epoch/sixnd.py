"""Training compute vs 6 · parameters · tokens (· passes), as the row's cells and notes allow.

The relation is an equality only where the row says everything it needs: the unit of its data
set size (tokens or words: the notes, else the column's name in this release), the passes over
it (the Epochs cell), a dense model, one estimate (not a geometric mean of several). Otherwise it
is a bound or it is not made, and the import says why:

- the unit unknown: the cell is words or tokens, so the compute lies between the two readings
  (two bounds, no flag for a row that is right under either);
- a mixture-of-experts model: at most 6 × total parameters × tokens (the active ones are fewer);
- epochs blank: any number of passes is possible, so no bound; the passes the compute implies
  are reported instead;
- a geometric mean of estimates, or an n-gram model: 6·N·D is not how the compute was made.

Where the compute notes write the 6·N·D product that gives the compute cell, its parameter
count is a claim of the row, which must equal the parameters cell ("6*7*10^9*3*10^12 = 1.26e+23"
beside a parameters cell of 6 billion: the compute was estimated for another count than the
row's). A mixture-of-experts model is left out: its product uses the active parameters.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from kb.importers.epoch.products import Factor, Product, parameter_factor, products

NAME = "six-n-d"
EPOCHS_BLANK = "epochs blank: the passes over the data set are unknown (the implied passes are reported)"
NO_EPOCHS_COLUMN = (
    "the release has no Epochs column: the passes over the data set are unknown "
    "(the implied passes are reported)"
)
SIX = "6 [FLOP/(parameter*token)] * n"
_NGRAM = re.compile(r"n-?gram|kneser|\bKN-|\bgram LM\b|backoff", re.IGNORECASE)


@dataclass(frozen=True)
class Row:
    """What the relation needs to know of a row."""

    ids: dict[str, str]
    have: frozenset[str]
    """Field keys the row has claims of."""
    text_unit: str
    moe: bool
    geometric: bool
    name: str
    notes: str


def not_neural(name: str, notes: str) -> bool:
    """An n-gram model: its 'parameters' are counts of n-grams, not weights multiplied per token."""
    return _NGRAM.search(name) is not None or _NGRAM.search(notes) is not None


def skip_reason(row: Row, words_per_token: str | None) -> str:
    """Why the relation cannot be written for the row ('' when it can)."""
    if row.geometric:
        return "the compute is a geometric mean of several estimates, not one 6·N·D estimate"
    if not_neural(row.name, row.notes):
        return "an n-gram model: its parameters are n-gram counts, 6·N·D does not apply"
    if "parameters" not in row.have:
        return "no parameters"
    if "dataset_size" not in row.have:
        return "no training dataset size"
    if "epochs" not in row.have:
        return EPOCHS_BLANK
    if row.text_unit != "token" and words_per_token is None:
        return "no words-per-token assumption in the knowledge base"
    return ""


def checks(
    row: Row, words_per_token: str, inverse: bool, tolerance: dict[str, Any] | None
) -> list[dict[str, Any]]:
    """The relations of one row (its skip_reason is empty)."""
    ids = row.ids
    inputs = {"n": ids["parameters"], "d": ids["dataset_size"], "e": ids["epochs"]}
    passes = " * e / (1 epoch)"
    as_words = "(d * w)" if inverse else "(d / w)"
    as_tokens = "d" if row.text_unit == "token" else "(d * 1 [token/word])"
    word_inputs = {**inputs, "w": words_per_token}
    dense = (
        ""
        if not row.moe
        else (
            " A mixture-of-experts model: Epoch's parameters are the total, 6·N·D needs the active "
            "ones, so the compute is at most 6 × total parameters × tokens."
        )
    )
    out: list[tuple[str, str, str, dict[str, str], str]] = []
    if row.text_unit == "token":
        out.append(
            (NAME, "<=" if row.moe else "=", f"{SIX} * d{passes}", inputs, "the data set size in tokens")
        )
    elif row.text_unit == "word" or row.moe:
        out.append(
            (
                NAME,
                "<=" if row.moe else "=",
                f"{SIX} * {as_words}{passes}",
                word_inputs,
                "the data set size in words, turned into tokens with the words-per-token assumption",
            )
        )
    else:
        out.append(
            (
                f"{NAME}-as-words",
                "<=",
                f"{SIX} * {as_words}{passes}",
                word_inputs,
                "at most the compute if the cell counts words (more tokens than words)",
            )
        )
        out.append(
            (
                f"{NAME}-as-tokens",
                ">=",
                f"{SIX} * {as_tokens}{passes}",
                inputs,
                "at least the compute if the cell counts tokens",
            )
        )
    made = []
    for cid, relation, formula, ins, reading in out:
        check: dict[str, Any] = {"id": cid, "formula": formula, "inputs": ins}
        if relation != "=":
            check["relation"] = relation
        if tolerance:
            check["tolerance"] = tolerance
        check["note"] = (
            f"Compute ≈ 6 FLOP per parameter per token × parameters × tokens × epochs (Kaplan et al. "
            f"2020), with {reading}.{dense}"
        )
        made.append(check)
    return made


def implied_passes(compute: float, parameters: float, size: float, text_unit: str) -> str:
    """The passes over the data set a compute implies (both readings when the unit is unknown)."""
    if min(compute, parameters, size) <= 0:
        return ""
    tokens = compute / (6 * parameters * size)
    if text_unit == "token":
        return f"{tokens:.2g}"
    words = tokens * 0.75
    return f"{words:.2g} (words, 0.75 per token)" if text_unit == "word" else f"{words:.2g} to {tokens:.2g}"


NOTES_NAME = "notes-parameters"
NOTES_TOLERANCE = 0.05
NOTES_REASON = (
    "a parameter count written as in the model's name rounds it (the 2025-08 release's notes write "
    "72 billion for Qwen2-72B's 72.71 billion, 2.7e9 for Stable Code 3B's 2.80 billion), and counts "
    "with or without the embeddings differ by a few percent; a gap beyond 5% means the product used "
    "another count than the cell"
)
PRODUCT_MATCH = 0.05
"""How close the notes' product must be to a compute cell to be how that cell was computed (the
notes write its result to two or three digits: 6 × 7.52e9 × ... = 4.6e22)."""


@dataclass(frozen=True)
class NotesParameters:
    """The parameter count of the one 6·N·D product of the compute notes that gives a compute cell."""

    product: Product
    factor: Factor


def notes_parameters(
    notes: str, parameters: float, computes: list[float], epochs: float | None, other_notes: str = ""
) -> NotesParameters | None:
    """The count, when the notes write one 6·N·D product (several are several estimates or parts
    of a sum), it gives one of the compute cells, and its parameter factor can be told (products.py);
    `other_notes` (the parameters' notes) may qualify the count as active or effective."""
    found = products(notes)
    if len(found) != 1 or parameters <= 0:
        return None
    product = found[0]
    if not any(c > 0 and abs(product.value / c - 1) <= PRODUCT_MATCH for c in computes):
        return None
    factor = parameter_factor(product, parameters, epochs, f"{notes}\n{other_notes}")
    return NotesParameters(product, factor) if factor is not None else None


def notes_check(found: NotesParameters, parameters_id: str) -> dict[str, Any]:
    """The relation: the notes' parameter count = the parameters cell (both of the row)."""
    note = (
        f"The compute notes' product {found.product.text} gives the row's training compute with "
        f"{found.factor.text} parameters: the row's parameters cell must say the same, or the "
        "compute was estimated for another parameter count than the row's."
    )
    return equals_parameters_cell(NOTES_NAME, parameters_id, (NOTES_TOLERANCE, NOTES_REASON), note)


def equals_parameters_cell(
    name: str, parameters_id: str, tolerance: tuple[float, str], note: str
) -> dict[str, Any]:
    """A check of a count the row's notes state: it equals the parameters cell, within `tolerance`
    (relative, and why)."""
    relative, reason = tolerance
    return {
        "id": name,
        "formula": "n",
        "inputs": {"n": parameters_id},
        "tolerance": {"relative": relative, "reason": reason},
        "note": note,
    }
