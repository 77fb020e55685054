"""What one row of the models table gives: its numbers (each cell read, or the reason not), the
quotes of its cells, its ids, what its data set size counts; and, across rows, each model's id
part and the excerpt its row goes in."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from kb.importers.epoch.cells import CellError, Number, clean_name, read_cell, slugify
from kb.importers.epoch.notes import chip_name, counted_unit, mixture_of_experts, moe_in_abstract, word_level
from kb.importers.epoch.output import RowBlock
from kb.importers.epoch.report import ImportReport, RowProblem, SkippedCheck
from kb.importers.epoch.table import Row, Table

GROUP_ROWS = 100
"""A year with more rows than this is split into quarters, so that no excerpt grows large."""


@dataclass(frozen=True)
class Field:
    """A numeric column imported as a claim."""

    key: str
    suffix: str
    """Of the claim id: epoch-<model>-<suffix>."""
    quantity: str
    unit: str
    notes_key: str | None = None
    quantity_other: str | None = None
    """The quantity when the model is not a language model (the column counts something else)."""
    unit_other: str | None = None
    percent: bool = False
    money: bool = False
    minimum: float = 0.0
    """Smaller values are reported, not imported: they cannot be what the column measures."""
    count: bool = False
    """The column counts whole things: "8.0" stays 8.0 (read_cell's `count`)."""


FIELDS = (
    Field("parameters", "parameters", "total_parameters", "parameter", "parameters_notes"),
    Field("compute", "training-compute", "training_compute", "FLOP", "compute_notes"),
    Field(
        "dataset_size", "dataset-size", "training_words", "word", "dataset_notes", "training_datapoints", "1"
    ),
    Field("epochs", "epochs", "epochs", "epoch", "epochs_notes"),
    Field("hardware_quantity", "hardware-quantity", "gpu_count", "chip", count=True),
    Field("training_time", "training-time", "training_duration", "hour", "training_time_notes"),
    Field("utilization", "utilization", "utilization", "1", "utilization_notes", percent=True),
    Field("cost", "training-cost", "training_cost", "USD", "cost_notes", money=True),
    Field(
        "batch_size", "batch-size", "batch_size", "token", "batch_size_notes", "batch_size_samples", "sample"
    ),
    Field("chip_hours", "chip-hours", "training_chip_hours", "chip*hour"),
    # The finetune column holds single digits (1 to 9) in dozens of rows: codes, not FLOP counts.
    Field(
        "finetune_compute",
        "finetune-compute",
        "finetune_compute",
        "FLOP",
        "finetune_compute_notes",
        minimum=10.0,
    ),
)

# Columns quoted in the excerpt besides the numbers (and their notes) the row gives.
QUOTED = frozenset(
    {"domain", "organization", "publication_date", "confidence", "method", "numerical_format"}
    | {"hardware", "base_model"}
)


@dataclass
class ModelRow:
    """What one row gives: its numbers, and the facts the checks look at."""

    row: Row
    name: str
    language: bool
    moe: bool
    hardware: list[str]
    base_model: str
    """The model it was fine-tuned from, if any."""
    ids: dict[str, str]
    claims: dict[str, dict[str, Any]]
    """Field key -> claim, for the fields the row fills and kb could read."""
    text_unit: str = ""
    """What a language model's data set size counts: token, word, or '' when neither the column
    nor the notes say (then both readings are allowed)."""
    quotes: dict[str, str] = field(default_factory=dict)
    """Column key -> the quote of its cell ('Model | Column: cell')."""
    numbers: dict[str, Number] = field(default_factory=dict)
    """Field key -> the cell read as a number."""
    subject: str = ""
    source_id: str = ""
    """The excerpt of the row's group that its claims quote."""
    extra: list[dict[str, Any]] = field(default_factory=list)
    """Claims the checks add (the peak the utilization notes divide by)."""


def cell_problem(models: Table, row: Row, key: str, reason: str) -> RowProblem:
    """A cell of the models table that kb cannot use, and why."""
    return RowProblem(
        models.path.name,
        row.number,
        row.line,
        clean_name(row.cells.get("model", "")),
        models.columns.get(key, key),
        row.cells.get(key, ""),
        reason,
    )


def slugs(models: Table, report: ImportReport) -> dict[int, str]:
    """Row number -> the model's id part, unique: rows of the same name are told apart by date."""
    base: dict[int, str] = {}
    for row in models.rows:
        name = clean_name(row.cells.get("model", ""))
        if not name:
            report.problems.append(cell_problem(models, row, "model", "no model name: row skipped"))
            continue
        base[row.number] = slugify(name)
    groups: dict[str, list[int]] = {}
    for n, s in base.items():
        groups.setdefault(s, []).append(n)
    rows = {r.number: r for r in models.rows}
    for s, numbers in groups.items():
        if len(numbers) < 2:
            continue
        seen: set[str] = set()
        for n in numbers:
            date = slugify(rows[n].cells.get("publication_date", ""), 20)
            new = f"{s}-{date}" if not date.startswith("x-") else s
            if new in seen:
                new = f"{s}-row{n}"
            seen.add(new)
            base[n] = new
        names = sorted({clean_name(rows[n].cells["model"]) for n in numbers})
        report.warnings.append(
            f"rows {', '.join(map(str, numbers))} ({' / '.join(names)}) would share the id part {s!r}: "
            "told apart by publication date"
        )
    return base


def group_keys(models: Table) -> dict[int, str]:
    """Row number -> the excerpt it goes in: its publication year, quarter or month, whichever
    is the coarsest with at most GROUP_ROWS rows (a quote is searched in its excerpt)."""
    dates: dict[int, tuple[str, int | None]] = {}
    for row in models.rows:
        m = re.match(r"\s*(\d{4})(?:-(\d{1,2}))?", row.cells.get("publication_date", ""))
        month = int(m.group(2)) if m and m.group(2) and 1 <= int(m.group(2)) <= 12 else None
        dates[row.number] = (m.group(1), month) if m else ("undated", None)
    per_year = Counter(year for year, _ in dates.values())
    per_quarter = Counter((y, (mo - 1) // 3) for y, mo in dates.values() if mo is not None)
    out = {}
    for n, (year, month) in dates.items():
        if per_year[year] <= GROUP_ROWS or month is None:
            out[n] = year
        elif per_quarter[(year, (month - 1) // 3)] <= GROUP_ROWS:
            out[n] = f"{year}-q{(month - 1) // 3 + 1}"
        else:
            out[n] = f"{year}-{month:02d}"
    return out


def read_numbers(models: Table, row: Row, problems: list[RowProblem]) -> dict[str, Number]:
    """Field key -> the row's cell read as a number; each unreadable or implausible cell is a problem."""
    numbers: dict[str, Number] = {}
    for f in FIELDS:
        try:
            n = read_cell(row.cells.get(f.key, ""), f.percent, f.money, f.count)
        except CellError as exc:
            problems.append(cell_problem(models, row, f.key, str(exc)))
            continue
        if n is not None and min(n.floats()) < f.minimum:
            reason = (
                f"below {f.minimum:g} {f.unit}: not a plausible value for this column "
                "(a placeholder or code?)"
            )
            problems.append(cell_problem(models, row, f.key, reason))
            continue
        if n is not None:
            numbers[f.key] = n
    return numbers


def hardware_of(cells: dict[str, str]) -> list[str]:
    """The chips the row names, as the chip table names them."""
    return [chip_name(h) for h in cells.get("hardware", "").split(",") if h.strip()]


def model_row(
    models: Table, row: Row, slug: str, numbers: dict[str, Number], hardware: list[str], source_id: str
) -> tuple[ModelRow, RowBlock]:
    """The row's facts, with the excerpt lines of the cells it quotes (the block)."""
    cells = row.cells
    name = clean_name(cells["model"])
    subject = name if len(name) <= 120 else name[:119] + "…"
    label = subject if not slug.endswith(f"-row{row.number}") else f"{subject} [row {row.number}]"
    block = RowBlock(label, f"Row {row.number} (lines {row.line}-{row.last_line}): {label}")
    quotes: dict[str, str] = {}
    wanted = {*QUOTED, *numbers}
    wanted |= {f.notes_key for f in FIELDS if f.key in numbers and f.notes_key}
    moe = mixture_of_experts(name, cells)
    if not moe and "parameters" in numbers:
        # The abstract is quoted only where it is what says the model is a mixture of experts.
        moe = moe_in_abstract(cells.get("abstract", ""), numbers["parameters"].floats()[0]) != ""
        if moe:
            wanted.add("abstract")
    keys = models.keys
    for header, cell in row.raw.items():
        key = keys.get(header)
        if key in wanted and cell.strip():
            quotes[key] = block.add(header, cell)
    ids = {f.key: f"epoch-{slug}-{f.suffix}" for f in FIELDS}
    ids["hardware"] = f"epoch-{slug}-hardware"
    language = counts_text(cells.get("domain", ""), cells)
    m = ModelRow(row, name, language, moe, hardware, clean_name(cells.get("base_model", "")), ids, {})
    m.quotes, m.numbers, m.subject, m.source_id = quotes, numbers, subject, source_id
    return m, block


def counts_text(domain: str, cells: dict[str, str]) -> bool:
    """Whether the data set size counts text (words or tokens), as Epoch counts it for language models.

    A multimodal row (Language with Vision, Video, Speech...) may count image-text pairs instead:
    it counts as text only when its notes write the cell's number as words or tokens.
    """
    domains = {d.strip().lower() for d in domain.split(",") if d.strip()}
    if "language" not in domains:
        return False
    if domains == {"language"}:
        return True
    try:
        size = read_cell(cells.get("dataset_size", ""))
    except CellError:
        return False
    notes = cells.get("dataset_notes", "") + "\n" + cells.get("compute_notes", "")
    return size is not None and counted_unit(size.floats()[0], notes) != ""


def language_only(domain: str) -> bool:
    """Whether the row is a language model only (Epoch's 30% default is for language models)."""
    return {d.strip().lower() for d in domain.split(",") if d.strip()} == {"language"}


def text_unit(m: ModelRow, models: Table, conventions: list[str]) -> str:
    """A word-level benchmark counts tokens that are words; else the row's notes decide (they
    often write the cell's number with its unit), else the column's name in this release. A row
    whose notes contradict the column's convention is listed in `conventions`."""
    n = m.numbers.get("dataset_size")
    if not m.language or n is None:
        return ""
    cells, value = m.row.cells, n.floats()[0]
    if word_level(cells.get("dataset", "")):
        return "token"  # a word-level benchmark: its words are its tokens
    said = counted_unit(value, cells.get("dataset_notes", "")) or counted_unit(
        value, cells.get("compute_notes", "")
    )
    columns = models.column_map
    convention = columns.convention("dataset_size") if columns else ""
    if said and convention and said != convention:
        conventions.append(
            f"row {m.row.number} ({m.name}): {models.columns['dataset_size']} holds {said}s "
            f"(its notes say so), where the column's convention is {convention}s"
        )
    return said or (columns.text_unit("dataset_size") if columns else "")


def skip_check(report: ImportReport, m: ModelRow, key: str, check: str, reason: str) -> None:
    """Record a check the row cannot support (not an error: the report counts them by reason)."""
    report.skipped.append(SkippedCheck(m.name, m.ids[key], check, reason))


def method_gap(m: ModelRow, target: str, method: str) -> str:
    """Empty when Epoch estimated the target's value by `method` alone, else how it did (for a reason)."""
    if target != "compute":
        return "the data set does not say how the finetune compute was estimated"
    methods = [x.strip() for x in m.row.cells.get("method", "").split(",") if x.strip()]
    if set(methods) == {method}:
        return ""
    if not methods:
        return "the data set does not say how this compute was estimated"
    return f"Epoch's method for this compute is '{', '.join(methods)}', not {method.lower()} alone"
