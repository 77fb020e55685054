"""The columns of Epoch AI's models table by meaning, across releases.

Every column name a release has used is listed here with what it means and its unit (per domain
where the unit differs: a language model's data set size is words in one release and tokens in
another). A header is matched by its exact name (white space and case folded), never by a
catch-all pattern: an unknown column, a known column that is absent, and a meaning found under
another release's name (a rename) are reported, so that a new release cannot silently change
what a cell means.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Column:
    """One meaning, and the names releases have given it (the newest last)."""

    key: str
    names: tuple[str, ...]
    meaning: str
    unit: str = ""
    text_unit: dict[str, str] = field(default_factory=dict)
    """Header name -> what a language model's cell counts under that name (word, token)."""
    expected: bool = True
    """Whether its absence is reported (columns that only annotate are not)."""
    absent: str = "its claims and checks are skipped"
    """What kb does without the column, for the import summary."""
    read_as: dict[str, str] = field(default_factory=dict)
    """Header name (folded) -> how kb reads a column under that name, where the name alone leaves
    it open (said in the import summary)."""


def _c(
    key: str,
    names: str,
    meaning: str,
    unit: str = "",
    expected: bool = True,
    absent: str = "its claims and checks are skipped",
    read_as: dict[str, str] | None = None,
) -> Column:
    return Column(
        key, tuple(n.strip() for n in names.split("|")), meaning, unit, {}, expected, absent, read_as or {}
    )


# Names as written in the releases kb has seen (2024-02-05, 2025-08) and the 2026 renames.
KNOWN: tuple[Column, ...] = (
    _c("model", "System|Model", "the model's name"),
    _c("domain", "Domain", "domain(s): Language, Vision, ..."),
    _c("organization", "Organization", "developer", expected=False),
    _c("publication_date", "Publication date", "date of the paper or announcement"),
    _c("confidence", "Confidence", "Epoch's confidence in the compute", expected=False),
    _c(
        "method",
        "Training compute estimation method",
        "how the compute was estimated",
        absent=(
            "no compute is known to come from the hardware alone (Epoch's default utilization is not "
            "checked) or from operation counting alone (6·N·D is checked at the tolerance of any other "
            "estimate on every row)"
        ),
    ),
    _c("numerical_format", "Numerical format", "number format of training (FP32, BF16...)", expected=False),
    _c("parameters", "Parameters", "total parameters", "parameter"),
    _c("compute", "Training compute (FLOP)", "total training compute", "FLOP"),
    Column(
        "dataset_size",
        ("training dataset size (datapoints)", "training dataset size (total)"),
        "training data set size (datapoints: words for text, images, examples...)",
        "datapoint",
        # "datapoints" are words by Epoch's convention, but many language rows of 2025-08 hold tokens.
        {"training dataset size (datapoints)": "", "training dataset size (total)": "token"},
    ),
    _c("dataset", "Training dataset", "the data set's name(s)", expected=False),
    _c("epochs", "Epochs", "passes over the training data set", "epoch"),
    _c("training_time", "Training time (hours)", "wall-clock training time", "hour"),
    _c("hardware", "Training hardware", "chip model(s)"),
    _c("hardware_quantity", "Hardware quantity", "number of chips", "chip"),
    _c(
        "utilization",
        "Hardware utilization|Hardware utilization (MFU)",
        "model FLOP utilization (fraction of peak)",
        "1",
        # Releases before 2025-08 name it without "(MFU)"; from 2025-08 on HFU has its own column.
        read_as={
            "hardware utilization": (
                "read as model FLOP utilization (MFU), the meaning releases from 2025-08 name "
                "'Hardware utilization (MFU)' (the name alone does not say MFU or HFU)"
            )
        },
    ),
    _c("hfu", "Hardware utilization (HFU)", "hardware FLOP utilization (fraction of peak)", "1", False),
    _c(
        "cost",
        "Training compute cost (2020 USD)|Training compute cost (2023 USD)",
        "training cost: amortized hardware and energy, inflation-adjusted",
        "USD",
    ),
    # Not the amortized cost under a new name: the up-front price of the hardware. The 2026-02
    # notable export has both columns; '(upfront)' is 8 to 1,200 times '(2023 USD)' on its 33 rows
    # with both (median 53; GPT-3 175B $232,236,674.51 against $2,116,866.24).
    _c(
        "cost_upfront",
        "Training compute cost (upfront)",
        "up-front price of the training hardware, not amortized over its life",
        "USD",
        False,
    ),
    _c("cost_cloud", "Training compute cost (cloud)", "training cost at cloud rental prices", "USD", False),
    _c("acquisition_cost", "Hardware acquisition cost", "price of the training hardware", "USD", False),
    _c("power_draw", "Training power draw (W)", "power draw of the training cluster", "W", False),
    _c("batch_size", "Batch size", "batch size (tokens for text, samples otherwise)", "token"),
    _c("chip_hours", "Training chip-hours|Training chip hours", "chip-hours of training", "chip*hour"),
    _c("base_model", "Base model", "the model it was fine-tuned from", expected=False),
    _c(
        "finetune_compute",
        "Finetune compute (FLOP)|Fine-tune compute (FLOP)",
        "compute of fine-tuning",
        "FLOP",
        False,
    ),
)
NOTES = {
    "parameters_notes": "Parameters notes",
    "compute_notes": "Training compute notes",
    "dataset_notes": "Dataset size notes|Training dataset size notes",
    "epochs_notes": "Epochs notes",
    "training_time_notes": "Training time notes",
    "utilization_notes": "Utilization notes|Hardware utilization notes",
    "cost_notes": "Compute cost notes|Training compute cost notes",
    "batch_size_notes": "Batch size notes",
    "finetune_compute_notes": "Finetune compute notes|Fine-tune compute notes",
    "abstract": "Abstract",
}
"""The notes columns: text kb quotes beside a value and reads facts from (notes)."""
KNOWN += tuple(Column(k, tuple(n.split("|")), "notes", expected=False) for k, n in NOTES.items())
"""Columns kb reads."""

_IGNORED_NAMES = (
    "Task|Authors|Reference|Link|Citations|Notability criteria|Notability criteria notes|"
    "Training dataset notes|Approach|Benchmark data|Model accessibility|"
    "Country (of organization)|Country (from Organization)|Last modified|Training cloud compute vendor|"
    "Training data center|"
    "Archived links|Organization categorization|Foundation model|Training compute lower bound|"
    "Training compute upper bound|Training code accessibility|Accessibility notes|"
    "Organization categorization (from Organization)|Hugging Face developer id|"
    "Post-training compute (FLOP)|Post-training compute notes|Compute rank when published|"
    "Frontier model|Inference compute (FLOP)|Inference compute notes|Inference code accessibility"
)
IGNORED = frozenset(n.lower() for n in _IGNORED_NAMES.split("|"))  # noqa: SIM905 (one readable string)
"""Columns known to hold nothing kb checks (text, links, bookkeeping): read by no check, not reported."""


def norm_header(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("\ufeff", "")).strip().lower()


@dataclass
class ColumnMap:
    """How one release's header maps to meanings, and what changed."""

    columns: dict[str, str] = field(default_factory=dict)
    """Key -> header as written."""
    unknown: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    """Keys of expected columns that are absent."""
    absent: list[str] = field(default_factory=list)
    """Keys of every column kb reads that is absent, expected or not (what a check needs)."""
    renamed: list[str] = field(default_factory=list)
    """Messages: a meaning read under a name other than the newest kb knows, or a duplicate."""

    def text_unit(self, key: str) -> str:
        """What a language model's cell of this column counts, by the release's name for it."""
        spec = BY_KEY[key]
        return spec.text_unit.get(norm_header(self.columns.get(key, "")), "")

    def convention(self, key: str) -> str:
        """What the column's documented convention says a language model's cell counts."""
        return self.text_unit(key) or CONVENTION.get(norm_header(self.columns.get(key, "")), "")

    def changes(self) -> list[str]:
        """One line per change, for the import summary and the audit page."""
        out = [
            f"column {h!r}: unknown to kb, not read (add it to kb/importers/epoch/columns.py)"
            for h in self.unknown
        ]
        for key in self.missing:
            spec = BY_KEY[key]
            out.append(f"no column {' / '.join(repr(n) for n in spec.names)} ({spec.meaning}): {spec.absent}")
        out += [
            f"column {self.columns[k]!r} ({BY_KEY[k].meaning}): recognised; no check uses it yet"
            for k in UNUSED
            if k in self.columns
        ]
        return out + self.renamed


BY_KEY = {c.key: c for c in KNOWN}
CONVENTION = {"training dataset size (datapoints)": "word"}
"""Epoch's convention for a column that rows do not all follow (its cells are read as either)."""
UNUSED = ("hfu", "cost_upfront", "cost_cloud", "acquisition_cost", "power_draw")
"""Known columns of newer releases that no claim or check reads yet (said, not silently dropped)."""
_BY_NAME = {norm_header(n): c for c in KNOWN for n in c.names}


def map_columns(header: list[str]) -> ColumnMap:
    """Map a header to meanings by exact (folded) names; report unknown, missing and renamed columns."""
    out = ColumnMap()
    for h in header:
        name = norm_header(h)
        spec = _BY_NAME.get(name)
        if spec is None:
            if name and name not in IGNORED:
                out.unknown.append(h)
            continue
        if spec.key in out.columns:
            out.renamed.append(
                f"columns {out.columns[spec.key]!r} and {h!r} mean the same ({spec.meaning}): "
                "the first is read"
            )
            continue
        out.columns[spec.key] = h
        if name in spec.read_as:
            out.renamed.append(f"column {h!r}: {spec.read_as[name]}")
        if spec.text_unit:
            unit = spec.text_unit[name]
            others = ", ".join(repr(n) for n in spec.names if norm_header(n) != name)
            reading = f"as {unit}s, as this name means" if unit else "as words or tokens (rows hold either)"
            out.renamed.append(
                f"column {h!r}: a language model's cell is read {reading} (other releases: {others}), "
                "unless the row's notes say which"
            )
    out.missing = [c.key for c in KNOWN if c.expected and c.key not in out.columns]
    out.absent = [c.key for c in KNOWN if c.key not in out.columns]
    return out
