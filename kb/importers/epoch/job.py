"""One run of the import: each row's cells to claims with the checks the row allows (the job),
and the entry point that reads the tables, runs it and writes the files."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb.errors import KbError
from kb.importers import yamlout
from kb.importers.epoch import scale, sixnd
from kb.importers.epoch.cells import CellError, Number, clean_name, read_cell, release_tag, slugify
from kb.importers.epoch.context import Context, build_context
from kb.importers.epoch.notes import (
    chip_name,
    counted_unit,
    figures_near,
    geometric_mean,
    mixture_of_experts,
    word_level,
)
from kb.importers.epoch.output import (
    GENERATED,
    MANIFEST,
    QUANTITIES_FILE,
    Excerpt,
    RowBlock,
    atomic_write,
    dump_yaml,
    prior_files,
    quantities_text,
    schema_line,
    stale_files,
)
from kb.importers.epoch.report import REPORT, ImportReport, RowProblem, SkippedCheck
from kb.importers.epoch.table import CHIP_COLUMNS, PRICE_COLUMNS, Row, Table, read_table
from kb.importers.yamlout import Literal
from kb.quotes import value_in_quote
from kb.units import unit_info
from kb.values import stated_value

DATASET_URL = "https://epoch.ai/data/ai-models"
CHIPS_URL = "https://epoch.ai/data/machine-learning-hardware"
PRICES_URL = "https://github.com/epoch-research/training-cost-trends"
GROUP_ROWS = 100
"""A year with more rows than this is split into quarters, so that no excerpt grows large."""


SIX_ND_TOLERANCE = 0.3
SIX_ND_REASON = (
    "{how}; 6·N·D counts the weight multiplications of the forward and "
    "backward passes only (Kaplan et al. 2020, section 2.1), and attention over the context and the "
    "embedding parameters, which Epoch's parameter counts include, move the true figure by up to "
    "about 30% for models above 100M parameters"
)
DEFAULT_UTILIZATION = "default-utilization"
PEAK_TOLERANCE = 0.05
PEAK_REASON = (
    "a chip's peak throughput is given differently by different sources, and Epoch's notes derive "
    "a row's utilization (and estimate its compute) with the figure at hand, not always the chip "
    "table's: in the 2025-08 release, 130 TFLOP/s for the V100's 125 (ESM1b, Kosmos-2, Megatron-LM "
    "8.3B: 4%), 8.5 for the K80's 8.13 (GNMT: 4.6%), 170 for the A30's 165 (SS-pLM: 3%), 46 for "
    "TPU v2's 45 (BERT-Large: 2.2%), 125 for TPU v3's 123 (1.6%); so chips × peak × time meets the "
    "compute only to about 5%"
)
CHIP_HOURS_TOLERANCE = 0.1
CHIP_HOURS_REASON = (
    "the data set's training times are often rounded to whole days or weeks, or derived from "
    "chip-hours and a rounded chip count, so chips × time meets the chip-hours only to about 10%"
)
COST_FACTOR = 10.0
COST_REASON = (
    "Epoch's cost is amortized hardware capital plus energy in constant dollars (Cottier et al. "
    "2024, 'The rising costs of training frontier AI models'), not a cloud bill: committed-use "
    "cloud rates are higher (3 to 7 times in the 2025-08 release's rows, Google TPUs at the top), "
    "so only a gap beyond a factor of 10 points to an error in the row's cost, chip-hours or hardware"
)

PRECISIONS = {
    "fp32": "FP32",
    "tf32": "TF32",
    "fp16": "FP16 (without tensor cores)",
    "tensor16": "FP16/BF16 tensor",
    "fp8": "FP8",
}
PEAK_QUANTITY = {
    key: "peak_throughput" if key == "tensor16" else f"peak_throughput_{key}" for key in PRECISIONS
}
"""The FP16/BF16 tensor peak is the project's peak_throughput (as in the datasheet facts)."""
# Numerical format of a row -> the chip columns that measure it, in order of preference.
FORMAT_COLUMNS = {
    "FP32": ("fp32",),
    "TF32": ("tf32",),
    "FP16": ("tensor16", "fp16"),
    "BF16": ("tensor16", "fp16"),
    "FP8": ("fp8", "tensor16"),
}


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
    """The column counts whole things: "8.0" stays 8.0 (cells._clean)."""


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


class EpochImport:
    """One run of the import: reads the tables, builds every file in memory (`files`)."""

    def __init__(
        self,
        models: Table,
        claims_root: Path,
        into: Path,
        release: str,
        chips: Table | None,
        prices: Table | None,
        context: Context,
    ) -> None:
        self.models = models
        self.claims_root = claims_root
        self.into = into
        self.release = release
        self.chips = chips
        self.prices = prices
        self.ctx = context
        self.sources_dir = claims_root / "sources" / into.name
        self.report = ImportReport(models.path.name, release, str(into))
        self.report.problems.extend(models.problems)
        self.files: dict[Path, bytes] = {}
        self.groups: dict[str, Excerpt] = {}
        self.group_claims: dict[str, list[tuple[str, list[dict[str, Any]]]]] = {}
        """Excerpt group -> per row, a comment and the row's claims."""
        self.chip_rows: dict[str, Row] = {}
        self.chip_claims: dict[str, list[dict[str, Any]]] = {}
        self.price_claims: dict[str, dict[str, Any]] = {}
        self.cost_year: str | None = None
        self.whole: dict[str, str] = {}
        self.chip_excerpt: Excerpt | None = None
        self.price_excerpt: Excerpt | None = None
        if chips is not None:
            self.report.problems.extend(chips.problems)
            for row in chips.rows:
                name = clean_name(row.cells.get("name", ""))
                for key in (name, chip_name(name)):  # rows name "NVIDIA B200 GPUs" as "NVIDIA B200"
                    if key and key not in self.chip_rows:
                        self.chip_rows[key] = row

    # -- sources

    @property
    def published(self) -> str | None:
        return self.release if re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", self.release) else None

    def _source_yaml(
        self, sid: str, title: str, url: str, text_name: str, sha: str, original: str, description: str
    ) -> None:
        path = self.sources_dir / f"{sid}.yaml"
        meta: dict[str, Any] = {
            "id": sid,
            "title": title,
            "author": "Epoch AI",
            "publisher": "Epoch AI",
            "url": url,
            "language": "en",
        }
        if self.published:
            meta["published"] = Literal(self.published)
        meta.update(
            {
                "kind": "dataset",
                "text": text_name,
                "sha256": sha,
                "original_name": original,
                "description": description,
            }
        )
        self.files[path] = dump_yaml(meta, schema_line(path.parent, self.claims_root, "source.schema.json"))
        self.report.sources += 1

    def _whole_file(self, table: Table, kind: str, title: str, url: str) -> None:
        sid = f"epoch-{self.release}-{kind}-csv"
        self.whole[kind] = sid
        self.files[self.sources_dir / f"{sid}.csv"] = table.data
        self._source_yaml(
            sid,
            title,
            url,
            f"{sid}.csv",
            table.sha256,
            table.path.name,
            f"The whole file {table.path.name} as published by Epoch AI (CC-BY), byte for byte: "
            f"{len(table.rows)} rows. Claims quote excerpts of it (sources epoch-{self.release}-{kind}...), "
            "which give each row's number and lines here.",
        )

    def _excerpt(self, sid: str, title: str, table: Table, kind: str, what: str, url: str) -> Excerpt:
        whole = self.whole[kind]
        head = [
            f"Epoch AI, {what}: {table.path.name}.",
            "Excerpt written by kb import epoch: for each row, the cells kb reads, one per line as "
            "'Name | Column: cell', each cell byte for byte.",
            f"The whole file is archived as source {whole} (sha256 {table.sha256}).",
        ]
        desc = (
            f"{what[0].upper()}{what[1:]}: the cells kb reads from {table.path.name}, row by row; "
            f"the whole file is source {whole}."
        )
        return Excerpt(sid, title, desc, url, table.path.name, self.published, head)

    def _write_excerpt(self, ex: Excerpt) -> None:
        data = ex.text().encode("utf-8")
        self.files[self.sources_dir / f"{ex.source_id}.txt"] = data
        self._source_yaml(
            ex.source_id,
            ex.title,
            ex.url,
            f"{ex.source_id}.txt",
            hashlib.sha256(data).hexdigest(),
            ex.original_name,
            ex.description,
        )

    def _claims_file(self, path: Path, claims: list[dict[str, Any]], comment: str) -> None:
        header = schema_line(path.parent, self.claims_root, "claims.schema.json") + comment
        self.files[path] = dump_yaml({"claims": claims}, header)

    # -- the rows

    def run(self) -> None:
        models = self.models
        if "model" not in models.columns:
            raise KbError(
                f"{models.path.name}: no model name column (looked for 'Model' or 'System')",
                "is this Epoch AI's all_ml_systems CSV?",
                "import-columns",
            )
        if models.column_map is not None:
            self.report.columns = models.column_map.changes()
            self.report.missing_columns = list(models.column_map.missing)
            self.report.absent_columns = list(models.column_map.absent)
        year = re.search(r"\((\d{4}) usd\)", models.columns.get("cost", "").lower())
        self.cost_year = year.group(1) if year else None
        self._whole_file(
            models, "models", f"Epoch AI, Data on AI Models ({self.release} snapshot)", DATASET_URL
        )
        if self.chips is not None:
            self._whole_file(
                self.chips,
                "chips",
                f"Epoch AI, Data on Machine Learning Hardware ({self.release} snapshot)",
                CHIPS_URL,
            )
        if self.prices is not None:
            self._whole_file(
                self.prices, "prices", f"Epoch AI, hardware prices ({self.release} snapshot)", PRICES_URL
            )
        slugs = self._slugs()
        groups = self._group_keys()
        self.report.rows = len(models.rows)
        for row in models.rows:
            if row.number in slugs:
                self._row(row, slugs[row.number], groups[row.number])
        for key in sorted(self.groups):
            self._write_excerpt(self.groups[key])
            path = self.into / f"models-{key}.yaml"
            header = (
                schema_line(path.parent, self.claims_root, "claims.schema.json")
                + f"# {GENERATED} from {self.models.path.name}:\n"
                + f"# {self.groups[key].title[len('Epoch AI, ') :]}.\n"
                "# The next import overwrites edits here: correct the data set, or write claims in another "
                "file.\n"
            )
            self.files[path] = (header + yamlout.dump_sections("claims", self.group_claims[key])).encode(
                "utf-8"
            )
        self._write_chips()
        self._write_prices()
        if self.ctx.own_assumptions:
            self._claims_file(
                self.into / "assumptions.yaml",
                self.ctx.own_assumptions,
                f"# {GENERATED}: labelled assumptions its checks use that the knowledge base lacks.\n",
            )
            self.report.claims += len(self.ctx.own_assumptions)

    def _slugs(self) -> dict[int, str]:
        """Row number -> the model's id part, unique: rows of the same name are told apart by date."""
        base: dict[int, str] = {}
        for row in self.models.rows:
            name = clean_name(row.cells.get("model", ""))
            if not name:
                self._problem(row, "model", "no model name: row skipped")
                continue
            base[row.number] = slugify(name)
        groups: dict[str, list[int]] = {}
        for n, s in base.items():
            groups.setdefault(s, []).append(n)
        rows = {r.number: r for r in self.models.rows}
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
            self.report.warnings.append(
                f"rows {', '.join(map(str, numbers))} ({' / '.join(names)}) would share the id part {s!r}: "
                "told apart by publication date"
            )
        return base

    def _group_keys(self) -> dict[int, str]:
        """Row number -> the excerpt it goes in: its publication year, quarter or month, whichever
        is the coarsest with at most GROUP_ROWS rows (a quote is searched in its excerpt)."""
        dates: dict[int, tuple[str, int | None]] = {}
        for row in self.models.rows:
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

    def _group(self, key: str) -> Excerpt:
        ex = self.groups.get(key)
        if ex is None:
            when = (
                "without a publication date"
                if key == "undated"
                else f"published in {key.replace('-q', ' Q')}"
            )
            ex = self._excerpt(
                f"epoch-{self.release}-models-{key}",
                f"Epoch AI, Data on AI Models ({self.release}): models {when}",
                self.models,
                "models",
                f"Data on AI Models, the models {when}",
                DATASET_URL,
            )
            self.groups[key] = ex
        return ex

    def _problem(self, row: Row, key: str, reason: str) -> None:
        self.report.problems.append(
            RowProblem(
                self.models.path.name,
                row.number,
                row.line,
                clean_name(row.cells.get("model", "")),
                self.models.columns.get(key, key),
                row.cells.get(key, ""),
                reason,
            )
        )

    def _row(self, row: Row, slug: str, group: str) -> None:
        cells = row.cells
        name = clean_name(cells["model"])
        subject = name if len(name) <= 120 else name[:119] + "…"
        language = _counts_text(cells.get("domain", ""), cells)
        numbers: dict[str, Number] = {}
        for f in FIELDS:
            try:
                n = read_cell(cells.get(f.key, ""), f.percent, f.money, f.count)
            except CellError as exc:
                self._problem(row, f.key, str(exc))
                continue
            if n is not None and min(n.floats()) < f.minimum:
                self._problem(
                    row,
                    f.key,
                    f"below {f.minimum:g} {f.unit}: not a plausible value for this column "
                    "(a placeholder or code?)",
                )
                continue
            if n is not None:
                numbers[f.key] = n
        hardware = [chip_name(h) for h in cells.get("hardware", "").split(",") if h.strip()]
        if not numbers and not hardware:
            self.report.rows_empty += 1
            return
        ex = self._group(group)
        label = subject if not slug.endswith(f"-row{row.number}") else f"{subject} [row {row.number}]"
        block = RowBlock(label, f"Row {row.number} (lines {row.line}-{row.last_line}): {label}")
        quotes: dict[str, str] = {}
        wanted = {
            "domain",
            "organization",
            "publication_date",
            "confidence",
            "method",
            "numerical_format",
            "hardware",
            "base_model",
            *numbers,
        }
        wanted |= {f.notes_key for f in FIELDS if f.key in numbers and f.notes_key}
        keys = self.models.keys
        for header, cell in row.raw.items():
            key = keys.get(header)
            if key in wanted and cell.strip():
                quotes[key] = block.add(header, cell)
        ids = {f.key: f"epoch-{slug}-{f.suffix}" for f in FIELDS}
        ids["hardware"] = f"epoch-{slug}-hardware"
        moe = mixture_of_experts(name, cells)
        if moe:
            self.report.mixture_of_experts.append(name)
        m = ModelRow(row, name, language, moe, hardware, clean_name(cells.get("base_model", "")), ids, {})
        m.quotes, m.numbers, m.subject, m.source_id = quotes, numbers, subject, ex.source_id
        m.text_unit = self._text_unit(m, numbers.get("dataset_size"))
        context = self._context_note(cells)
        for f in FIELDS:
            n = numbers.get(f.key)
            if n is None:
                continue
            claim = self._claim(m, f, n, ex.source_id, quotes, subject, context)
            if claim is not None:
                m.claims[f.key] = claim
        claims = list(m.claims.values())
        for extra in (
            self._notes_parameters(m, ex.source_id, subject),
            self._notes_scale(m, ex.source_id, subject),
        ):
            if extra is not None:
                claims.append(extra)
        if hardware:
            claims.append(
                {
                    "id": ids["hardware"],
                    "subject": subject,
                    "quantity": "training_hardware",
                    "statement": ", ".join(hardware),
                    "sources": [
                        {
                            "source": ex.source_id,
                            "quote": quotes["hardware"],
                            "locator": f"row {row.number}, column '{self.models.columns['hardware']}'",
                        }
                    ],
                }
            )
        self._checks(m)
        claims += m.extra
        ex.lines += block.lines
        self.group_claims.setdefault(group, []).append(
            (f"Row {row.number} (line {row.line}): {label}", claims)
        )
        self.report.rows_imported += 1
        self.report.models[str(row.number)] = {
            "name": label,
            "organization": clean_name(cells.get("organization", "")),
            "year": cells.get("publication_date", "").strip()[:4],
            "domain": clean_name(cells.get("domain", "")),
        }
        for c in claims:
            self.report.claim_rows[c["id"]] = str(row.number)
            for k in c.get("checks", []):
                self.report.made[k["id"]] = self.report.made.get(k["id"], 0) + 1
        self.report.claims += len(claims)
        self.report.checks += sum(len(c.get("checks", [])) for c in claims)

    def _text_unit(self, m: ModelRow, n: Number | None) -> str:
        """A word-level benchmark counts tokens that are words; else the row's notes decide (they
        often write the cell's number with its unit), else the column's name in this release."""
        if not m.language or n is None:
            return ""
        cells, value = m.row.cells, n.floats()[0]
        if word_level(cells.get("dataset", "")):
            return "token"  # a word-level benchmark: its words are its tokens
        said = counted_unit(value, cells.get("dataset_notes", "")) or counted_unit(
            value, cells.get("compute_notes", "")
        )
        columns = self.models.column_map
        convention = columns.convention("dataset_size") if columns else ""
        if said and convention and said != convention:
            self.report.conventions.append(
                f"row {m.row.number} ({m.name}): {self.models.columns['dataset_size']} holds {said}s "
                f"(its notes say so), where the column's convention is {convention}s"
            )
        return said or (columns.text_unit("dataset_size") if columns else "")

    def _claim(
        self, m: ModelRow, f: Field, n: Number, sid: str, quotes: dict[str, str], subject: str, context: str
    ) -> dict[str, Any] | None:
        quantity, unit = f.quantity, f.unit
        if f.quantity_other and not m.language:
            quantity, unit = f.quantity_other, f.unit_other or f.unit
        elif f.key == "dataset_size" and m.text_unit == "token":
            quantity, unit = "training_dataset_tokens", "token"
        if n.percent:
            unit = "percent"
        elif n.scale:
            unit = f"{n.scale} {unit}" if unit != "1" else n.scale
        claim: dict[str, Any] = {
            "id": m.ids[f.key],
            "subject": subject,
            "quantity": quantity,
            "value": n.yaml_value(),
            "unit": unit,
        }
        if n.qualifier:
            claim["qualifier"] = n.qualifier
        if f.key == "cost" and self.cost_year:
            claim["as_of"] = Literal(self.cost_year)
        column = self.models.columns[f.key]
        claim["sources"] = [
            {"source": sid, "quote": quotes[f.key], "locator": f"row {m.row.number}, column '{column}'"}
        ]
        if f.notes_key and f.notes_key in quotes:
            claim["sources"].append(
                {
                    "source": sid,
                    "quote": quotes[f.notes_key],
                    "locator": f"row {m.row.number}, column '{self.models.columns[f.notes_key]}'",
                }
            )
        problem = _value_problem(claim, f"{column}: {m.row.cells[f.key]}")
        if problem:
            self._problem(m.row, f.key, problem)
            return None
        note = self._field_note(f, m, context)
        if note:
            claim["notes"] = note
        return claim

    def _context_note(self, cells: dict[str, str]) -> str:
        parts = []
        if cells.get("confidence", "").strip():
            parts.append(f"Epoch's confidence: {clean_name(cells['confidence'])}")
        if cells.get("method", "").strip():
            parts.append(f"compute estimated by: {clean_name(cells['method'])}")
        return "; ".join(parts)

    def _field_note(self, f: Field, m: ModelRow, context: str) -> str:
        lines = []
        if f.key == "dataset_size":
            lines.append(
                "Not a language model: Epoch's 'datapoints' for this domain are images, examples... "
                "(its notes say which)."
                if not m.language
                else f"Counted in {m.text_unit}s (the notes or the column's name say so)."
                if m.text_unit
                else "Words by the column's convention (tokens × 0.75), but many rows hold tokens and "
                "the notes do not say which: the checks allow both readings."
            )
        if f.key == "batch_size" and not m.language:
            lines.append("Not a language model: the batch size is counted in samples.")
        if f.key == "cost" and self.cost_year:
            lines.append(f"In {self.cost_year} US dollars: Epoch adjusts costs for inflation.")
        if f.key == "compute" and m.base_model:
            lines.append(
                f"Fine-tuned from {m.base_model}: Epoch's training compute includes the base model's "
                "pretraining, while the row's data set size, hardware and time describe the fine-tuning; "
                "the checks recompute the finetune compute instead."
            )
        if f.key in ("compute", "parameters", "finetune_compute") and m.moe:
            lines.append(
                "Mixture-of-experts model: Epoch's parameter count is the total, while 6·N·D needs the "
                "parameters active per token, which the data set has no column for; that check is not made."
            )
        if f.key in ("compute", "finetune_compute") and context:
            lines.append(context + ".")
        return "\n".join(lines)

    # -- checks

    def _skip(self, m: ModelRow, key: str, check: str, reason: str) -> dict[str, Any] | None:
        """Record a check the row cannot support; returns None, the check not made."""
        self.report.skipped.append(SkippedCheck(m.name, m.ids[key], check, reason))
        return None

    def _checks(self, m: ModelRow) -> None:
        # A fine-tuned model's training compute includes its base model's, while its data set size,
        # hardware and time describe the fine-tuning: those check the finetune compute instead.
        target = "finetune_compute" if m.base_model else "compute"
        if m.base_model and "compute" in m.claims:
            for name in (sixnd.NAME, "at-most-peak"):
                self._skip(
                    m,
                    "compute",
                    name,
                    "fine-tuned: the compute includes the base model's (checked on "
                    "the finetune compute instead, where given)",
                )
        claim = m.claims.get(target)
        if claim is not None:
            checks = self._six_nd(m, target) + self._hardware(m, target)
            if checks:
                claim["checks"] = checks
        chip_hours = m.claims.get("chip_hours")
        # Several kinds of chips run in stages: chips × time does not count their hours.
        single = len(m.hardware) < 2
        if (
            chip_hours is not None
            and single
            and "hardware_quantity" in m.claims
            and "training_time" in m.claims
        ):
            chip_hours["checks"] = [
                {
                    "id": "chips-times-time",
                    "formula": "n * t",
                    "inputs": {"n": m.ids["hardware_quantity"], "t": m.ids["training_time"]},
                    "tolerance": {"relative": CHIP_HOURS_TOLERANCE, "reason": CHIP_HOURS_REASON},
                    "note": "Chip-hours = chips × training time, both from the same row.",
                }
            ]
        cost = m.claims.get("cost")
        if cost is not None:
            check = self._cost(m)
            if check is not None:
                cost["checks"] = [check]

    def _six_nd(self, m: ModelRow, target: str) -> list[dict[str, Any]]:
        """The 6·N·D relations of the row (sixnd says which the row allows)."""
        if not m.language:
            self._skip(
                m,
                target,
                sixnd.NAME,
                "not a language model (or a multimodal one whose notes do not count words or tokens): "
                "its datapoints are not text",
            )
            return []
        cells = m.row.cells
        row = sixnd.Row(
            m.ids,
            frozenset(m.claims),
            m.text_unit,
            m.moe,
            geometric_mean(cells),
            m.name,
            " ".join((cells.get("parameters_notes", ""), cells.get("compute_notes", ""))),
        )
        reason = sixnd.skip_reason(row, self.ctx.words_per_token)
        if reason == sixnd.EPOCHS_BLANK and "epochs" in self.report.absent_columns:
            reason = sixnd.NO_EPOCHS_COLUMN
        if reason:
            self._skip(m, target, sixnd.NAME, reason)
            if "epochs" not in m.claims:
                self._passes(m, target)
            return []
        how = self._method(m, target, "Operation counting")
        tolerance = {"relative": SIX_ND_TOLERANCE, "reason": SIX_ND_REASON.format(how=how)} if how else None
        return sixnd.checks(row, self.ctx.words_per_token or "", self.ctx.words_per_token_inverse, tolerance)

    def _notes_parameters(self, m: ModelRow, sid: str, subject: str) -> dict[str, Any] | None:
        """The parameter count of the compute notes' 6·N·D product, as a claim of the row checked
        against the parameters cell (sixnd.notes_parameters says when the notes give one)."""
        parameters, notes = m.numbers.get("parameters"), m.row.cells.get("compute_notes", "")
        if m.moe or parameters is None or "parameters" not in m.claims or "compute_notes" not in m.quotes:
            return None
        computes = [m.numbers[k].floats()[0] for k in ("compute", "finetune_compute") if k in m.numbers]
        epochs = m.numbers.get("epochs")
        found = sixnd.notes_parameters(
            notes,
            parameters.floats()[0],
            computes,
            epochs.floats()[0] if epochs is not None else None,
            m.row.cells.get("parameters_notes", ""),
        )
        if found is None:
            return None
        factor = found.factor
        claim = self._parameters_in(m, "compute_notes", sid, subject, (factor.literal, factor.scale))
        # A count written apart from its power of ten ("32.5 parameters *10^9") is not a number
        # of the quote as kb reads quotes: no claim.
        if _value_problem(claim, m.row.cells["compute_notes"]):
            return None
        claim["notes"] = (
            f"The parameter count in the 6·N·D product of the compute notes ({found.product.text}), "
            "which gives the row's training compute."
        )
        claim["checks"] = [sixnd.notes_check(found, m.ids["parameters"])]
        return claim

    def _parameters_in(
        self,
        m: ModelRow,
        key: str,
        sid: str,
        subject: str,
        count: tuple[str, str],
        preferred_because: str = "",
    ) -> dict[str, Any]:
        """A parameter count (literal, scale word) that the notes column `key` of the row states,
        quoting that column; ranked preferred, with its reason, when it is the better witness."""
        literal, scale_word = count
        claim: dict[str, Any] = {
            "id": f"{m.ids['parameters']}-in-{key.replace('_', '-')}",
            "subject": subject,
            "quantity": "total_parameters",
            "value": Literal(literal),
            "unit": f"{scale_word} parameter".strip(),
        }
        if preferred_because:
            claim |= {"rank": "preferred", "rank_reason": preferred_because}
        column = self.models.columns[key]
        locator = f"row {m.row.number}, column '{column}'"
        claim["sources"] = [{"source": sid, "quote": m.quotes[key], "locator": locator}]
        return claim

    def _notes_scale(self, m: ModelRow, sid: str, subject: str) -> dict[str, Any] | None:
        """The total parameter count the Parameters notes state, as a claim of the row checked
        against the parameters cell, where the cell has its digits at another scale (scale.py).
        Mixture-of-experts rows are read too: the notes' active count is never taken for the total."""
        parameters = m.numbers.get("parameters")
        if parameters is None or "parameters" not in m.claims or "parameters_notes" not in m.quotes:
            return None
        notes = m.row.cells.get("parameters_notes", "")
        slip = scale.scale_slip(notes, parameters.floats()[0])
        if slip is None:
            return None
        count = slip.count
        claim = self._parameters_in(
            m, "parameters_notes", sid, subject, (count.literal, count.scale), scale.RANK_REASON
        )
        # The count as kb would read it back from the quote, or no claim (a value the engine could
        # not find in its quote would be an error of the import, not of the row).
        if _value_problem(claim, notes):
            return None
        claim["notes"] = f"The model's total parameter count as the Parameters notes state it ({count.text})."
        claim["checks"] = [scale.check(slip, m.ids["parameters"])]
        return claim

    def _passes(self, m: ModelRow, target: str) -> None:
        """Report the passes over the data set that a row with blank epochs implies."""
        try:
            values = [read_cell(m.row.cells.get(k, "")) for k in (target, "parameters", "dataset_size")]
        except CellError:
            return
        if any(v is None for v in values):
            return
        compute, params, size = (v.floats()[0] for v in values if v is not None)
        passes = sixnd.implied_passes(compute, params, size, m.text_unit)
        if passes:
            self.report.passes.append(f"row {m.row.number} ({m.name}): {passes} passes")

    def _method(self, m: ModelRow, target: str, method: str) -> str:
        """Empty when Epoch estimated the target's value by `method` alone, else how it did (for a reason)."""
        if target != "compute":
            return "the data set does not say how the finetune compute was estimated"
        methods = [x.strip() for x in m.row.cells.get("method", "").split(",") if x.strip()]
        if set(methods) == {method}:
            return ""
        if not methods:
            return "the data set does not say how this compute was estimated"
        return f"Epoch's method for this compute is '{', '.join(methods)}', not {method.lower()} alone"

    def _hardware(self, m: ModelRow, target: str) -> list[dict[str, Any]]:
        """Compute ≤ chips × peak × time (utilization ≤ 100%: a physical bound, to the spread of
        the peak figures sources give, PEAK_REASON), and = × the row's utilization where the row
        gives one, at the peak its utilization notes divide by where they write one (_notes_peak).
        (_default_utilization recomputes a hardware-only estimate without a utilization cell.)"""
        name = "at-most-peak"
        fmt = m.row.cells.get("numerical_format", "")
        why = self._no_hardware(m)
        fastest = self._peak(m.hardware[0], fmt, fastest=True) if not why else None
        if fastest is None:
            why = why or (
                f"chip not in the chip table: {m.hardware[0]!r}"
                if m.hardware[0] not in self.chip_rows
                else "no peak for this format"
            )
            self._skip(m, target, name, why)
            return []
        chip = m.hardware[0]
        fmt_text = f"numerical format {clean_name(fmt)}" if fmt.strip() else "no numerical format given"
        inputs = {"n": m.ids["hardware_quantity"], "peak": fastest[0], "t": m.ids["training_time"]}
        out: list[dict[str, Any]] = [
            {
                "id": name,
                "formula": "n * peak * t",
                "inputs": inputs,
                "relation": "<=",
                "tolerance": {"relative": PEAK_TOLERANCE, "reason": PEAK_REASON},
                "note": (
                    f"Compute ≤ chips × the fastest peak {PRECISIONS[fastest[1]]} throughput of {chip} at "
                    f"the row's format ({fmt_text}) × training time: a run cannot exceed 100% of its "
                    "chips' peak. A gap means the compute, the chip count, the chip or the time is wrong."
                ),
            }
        ]
        peak = self._peak(chip, fmt)
        # A compute that is the geometric mean of estimates is not the hardware estimate alone.
        if "utilization" in m.claims and peak is not None and not geometric_mean(m.row.cells):
            out.append(
                {
                    "id": "hardware",
                    "formula": "n * peak * t * u",
                    "inputs": {**inputs, "peak": self._notes_peak(m, chip, peak), "u": m.ids["utilization"]},
                    "note": (
                        f"Compute = chips × peak {PRECISIONS[peak[1]]} throughput of {chip} × training time "
                        f"× the row's utilization ({fmt_text}): the row's own utilization should give its "
                        "compute back (at the peak its utilization notes divide by, where they write one)."
                    ),
                }
            )
        elif peak is not None:
            out += self._default_utilization(m, target, inputs, peak, fmt)
        return out

    def _notes_peak(self, m: ModelRow, chip: str, peak: tuple[str, str]) -> str:
        """The peak the row's utilization is a quotient of: where the utilization notes write one
        figure for the chip that differs from the chip table's by no more than the documented
        spread of peak figures (PEAK_REASON: "64 GPU * 4.6e13 FLOP/GPU-s" for TPU v2's 45 TFLOP/s),
        the id of a claim of the row quoting it, checked against the table's; else the table's.
        The equality then tests the row's cells, not which source of the chip's peak Epoch took."""
        notes, table = m.row.cells.get("utilization_notes", ""), self._chip_value(chip, peak[1])
        if table is None or "utilization_notes" not in m.quotes:
            return peak[0]
        found = figures_near(notes, table, PEAK_TOLERANCE)
        if len(found) != 1:  # none, or several: which one the quotient used is unclear
            return peak[0]
        column = self.models.columns["utilization_notes"]
        claim: dict[str, Any] = {
            "id": f"{m.ids['utilization']}-peak",
            "subject": m.subject,
            "quantity": "peak_throughput",
            "value": Literal(found[0]),
            "unit": "FLOP/s/chip",
            "sources": [
                {
                    "source": m.source_id,
                    "quote": m.quotes["utilization_notes"],
                    "locator": f"row {m.row.number}, column '{column}'",
                }
            ],
            "notes": (
                f"The peak {PRECISIONS[peak[1]]} throughput of one {chip} that the utilization notes "
                "divide by, where Epoch's chip table gives another figure."
            ),
            "checks": [
                {
                    "id": "chip-table-peak",
                    "formula": "peak",
                    "inputs": {"peak": peak[0]},
                    "tolerance": {"relative": PEAK_TOLERANCE, "reason": PEAK_REASON},
                    "note": f"One of the peak figures sources give for the {chip}: the chip table's, to 5%.",
                }
            ],
        }
        if _value_problem(claim, notes):
            return peak[0]
        m.extra.append(claim)
        return str(claim["id"])

    def _chip_value(self, chip: str, key: str) -> float | None:
        """The chip table's figure in the column `key` (a PRECISIONS key), None when unreadable."""
        row = self.chip_rows.get(chip)
        try:
            n = read_cell(row.cells.get(key, "")) if row is not None else None
        except CellError:
            return None
        return n.floats()[0] if n is not None else None

    def _default_utilization(
        self, m: ModelRow, target: str, inputs: dict[str, str], peak: tuple[str, str], fmt: str
    ) -> list[dict[str, Any]]:
        """A compute Epoch estimated from the hardware alone, without a utilization cell, recomputed
        with Epoch's documented defaults (Sevilla et al. 2022): 30% for a language model, between
        its 30% and 40% for the rest. The defaults are labelled assumptions: a gap puts them in
        doubt for the row (it used another utilization or another peak), and only a gap no
        default within a factor of 3 explains is blamed on a cell."""
        if "utilization" in m.claims or geometric_mean(m.row.cells) or self._method(m, target, "Hardware"):
            return []
        name = DEFAULT_UTILIZATION
        formats = [f.strip().upper() for f in fmt.split(",") if f.strip()]
        if len(formats) != 1:
            reason = "no numerical format" if not formats else "several numerical formats"
            self._skip(m, target, name, f"{reason}: which chip peak Epoch's estimate used is unknown")
            return []
        language = _language_only(m.row.cells.get("domain", ""))
        low, high = self.ctx.utilization, None if language else self.ctx.utilization_other
        if low is None or (not language and high is None):
            self._skip(m, target, name, "no default utilization assumption in the knowledge base")
            return []
        chip, precision = m.hardware[0], PRECISIONS[peak[1]]
        base = {**inputs, "peak": peak[0]}
        why = (
            f"Epoch estimated this compute from the hardware alone (chips × peak {precision} throughput "
            f"of {chip} at the row's format, {clean_name(fmt)}, × training time × a utilization) and the "
            "row gives no utilization"
        )
        doubt = (
            "A gap puts the default in doubt for this row (its estimate used another utilization or "
            "another peak: its notes say which); only a gap that no utilization within a factor of 3 "
            "of the default explains is blamed on the row's cells."
        )
        if language:
            return [
                {
                    "id": name,
                    "formula": "n * peak * t * u",
                    "inputs": {**base, "u": low},
                    "note": (
                        f"{why}: Epoch's default for language models is 30% (Sevilla et al. 2022). {doubt}"
                    ),
                }
            ]
        assert high is not None
        return [
            {
                "id": f"{name}-{side}",
                "formula": "n * peak * t * u",
                "inputs": {**base, "u": u},
                "relation": op,
                "note": (
                    f"{why}: Epoch's defaults outside language models are 30% and 40% (Sevilla et al. "
                    f"2022 give 40%; Epoch's estimates use both), so the compute is {text} the {pct}% of "
                    f"its chips' peak. {doubt}"
                ),
            }
            for side, op, u, text, pct in (
                ("at-least", ">=", low, "at least", 30),
                ("at-most", "<=", high, "at most", 40),
            )
        ]

    def _no_hardware(self, m: ModelRow) -> str:
        """Why the row's hardware cannot bound its compute ('' when it can)."""
        if not m.hardware:
            return "no training hardware"
        if len(m.hardware) > 1:
            return "several kinds of hardware: the quantity is not split among them"
        if "hardware_quantity" not in m.claims:
            return "no hardware quantity"
        if "training_time" not in m.claims:
            return "no training time"
        return "no chip table given (--chips)" if self.chips is None else ""

    def _cost(self, m: ModelRow) -> dict[str, Any] | None:
        name = "chip-hours-times-price"

        def skip(reason: str) -> dict[str, Any] | None:
            return self._skip(m, "cost", name, reason)

        if self.prices is None:
            return skip("no price table given (--prices)")
        if len(m.hardware) != 1:
            return skip("no single kind of hardware")
        if "chip_hours" in m.claims:
            formula, inputs = "h * p", {"h": m.ids["chip_hours"]}
        elif "hardware_quantity" in m.claims and "training_time" in m.claims:
            formula, inputs = "n * t * p", {"n": m.ids["hardware_quantity"], "t": m.ids["training_time"]}
        else:
            return skip("no chip-hours, nor chips and training time")
        price = self._price(m.hardware[0], m.row.cells.get("publication_date", ""))
        if price is None:
            return skip("no committed-use cloud price for this chip in the price table")
        inputs["p"] = price
        return {
            "id": name,
            "formula": formula,
            "inputs": inputs,
            "tolerance": {"factor": COST_FACTOR, "reason": COST_REASON},
            "note": (
                f"Cost = chip-hours × a cloud price per {m.hardware[0]} chip-hour: the 3-year "
                "committed-use rate (else the 1-year one) of the price table, the latest dated at or "
                "before publication."
            ),
        }

    # -- chips and prices

    def _peak(self, chip: str, numerical_format: str, fastest: bool = False) -> tuple[str, str] | None:
        """(claim id, precision) of the chip's peak throughput for the row's numerical format; with
        `fastest`, the fastest the format allows (any format when the row names none; FP32 runs
        may use TF32 tensor cores)."""
        row = self.chip_rows.get(chip)
        if row is None:
            return None
        formats = [f.strip().upper() for f in numerical_format.split(",") if f.strip()]
        wanted = [c for fmt in formats for c in FORMAT_COLUMNS.get(fmt, ())]
        if fastest:
            wanted = (
                [*wanted, "tf32"] if "fp32" in wanted else wanted or [k for k in PRECISIONS if k != "fp8"]
            )
        known = bool(wanted)
        if not known:
            wanted = ["tensor16", "fp32"]
        best: tuple[float, str] | None = None
        for key in wanted:
            try:
                n = read_cell(row.cells.get(key, ""))
            except CellError:
                continue
            if n is None:
                continue
            if not known:  # the default: the first the chip has, in order of preference
                best = (0.0, key)
                break
            # Mixed precision: the matrix multiplications run in the fastest format listed.
            if best is None or n.floats()[0] > best[0]:
                best = (n.floats()[0], key)
        if best is None:
            return None
        cid = f"epoch-chip-{slugify(chip)}-{best[1]}"
        return (cid, best[1]) if cid in {c["id"] for c in self._chip(chip)} else None

    def _chip(self, chip: str) -> list[dict[str, Any]]:
        """Reference claims of a chip (peak throughput per precision, TDP), made on first use."""
        if chip in self.chip_claims:
            return self.chip_claims[chip]
        assert self.chips is not None
        if self.chip_excerpt is None:
            self.chip_excerpt = self._excerpt(
                f"epoch-{self.release}-chips",
                f"Epoch AI, Data on Machine Learning Hardware ({self.release}): the "
                "chips of the imported models",
                self.chips,
                "chips",
                "Data on Machine Learning Hardware, the chips the models were trained on",
                CHIPS_URL,
            )
        row = self.chip_rows[chip]
        slug = slugify(chip)
        block = RowBlock(chip, f"Row {row.number} (lines {row.line}-{row.last_line}): {chip}")
        claims: list[dict[str, Any]] = []
        keys = self.chips.keys
        for header, cell in row.raw.items():
            key = keys.get(header)
            if key is None or key == "name" or not cell.strip():
                continue
            quote = block.add(header, cell)
            try:
                n = read_cell(cell)
            except CellError as exc:
                self.report.problems.append(
                    RowProblem(self.chips.path.name, row.number, row.line, chip, header, cell, str(exc))
                )
                continue
            if n is None:
                continue
            base = "W/chip" if key == "tdp" else "FLOP/s/chip"
            claim: dict[str, Any] = {
                "id": f"epoch-chip-{slug}-{key}",
                "kind": "reference",
                "subject": chip,
                # One quantity per number format: an FP32 peak and a BF16 tensor peak of one chip are
                # different quantities, not two sources that disagree.
                "quantity": "gpu_power" if key == "tdp" else PEAK_QUANTITY[key],
                "value": n.yaml_value(),
                "unit": f"{n.scale} {base}" if n.scale else base,
                "sources": [
                    {
                        "source": self.chip_excerpt.source_id,
                        "quote": quote,
                        "locator": f"row {row.number}, column '{header}'",
                    }
                ],
                "notes": (
                    "Thermal design power, from Epoch's chip table."
                    if key == "tdp"
                    else f"Peak dense {PRECISIONS[key]} throughput, from Epoch's chip table."
                ),
            }
            problem = _value_problem(claim, f"{header}: {cell}")
            if problem:
                self.report.problems.append(
                    RowProblem(self.chips.path.name, row.number, row.line, chip, header, cell, problem)
                )
                continue
            claims.append(claim)
        self.chip_excerpt.lines += block.lines
        self.chip_claims[chip] = claims
        return claims

    def _price(self, chip: str, published: str) -> str | None:
        """Id of the price claim for a chip at a date, made on first use."""
        assert self.prices is not None
        cols = self.prices.columns
        if "hardware" not in cols or "date" not in cols:
            return None
        for key in ("cud3", "cud1"):
            if key not in cols:
                continue
            candidates: list[tuple[str, Row, Number]] = []
            for prow in self.prices.rows:
                if clean_name(prow.cells.get("hardware", "")) != chip:
                    continue
                try:
                    n = read_cell(prow.cells.get(key, ""), allow_money=True)
                except CellError:
                    continue
                date = prow.cells.get("date", "").strip()
                if n is None or len(n.literals) != 1 or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
                    continue
                candidates.append((date, prow, n))
            if not candidates:
                continue
            before = [c for c in candidates if published and c[0] <= published.strip()]
            _, prow, n = (
                max(before, key=lambda c: (c[0], -c[1].number))
                if before
                else min(candidates, key=lambda c: (c[0], c[1].number))
            )
            return self._price_claim(chip, prow, key, n)
        return None

    def _price_claim(self, chip: str, prow: Row, key: str, n: Number) -> str:
        assert self.prices is not None
        vendor = clean_name(prow.cells.get("vendor", "")) or "unknown vendor"
        date = prow.cells["date"].strip()
        cid = f"epoch-price-{slugify(chip, 60)}-{date}-{slugify(vendor, 30)}-{key}"
        if cid in self.price_claims:
            return cid
        if self.price_excerpt is None:
            self.price_excerpt = self._excerpt(
                f"epoch-{self.release}-prices",
                f"Epoch AI, hardware prices ({self.release}): the prices kb uses",
                self.prices,
                "prices",
                "hardware prices, the rows kb uses",
                PRICES_URL,
            )
        label = f"{chip}, {date}, {vendor}"
        block = RowBlock(label, f"Row {prow.number} (lines {prow.line}-{prow.last_line}): {label}")
        quote = ""
        keys = self.prices.keys
        for header, cell in prow.raw.items():
            k = keys.get(header)
            if k is not None and k not in ("hardware", "date", "vendor") and cell.strip():
                line = block.add(header, cell)
                if k == key:
                    quote = line
        self.price_excerpt.lines += block.lines
        self.price_claims[cid] = {
            "id": cid,
            "kind": "reference",
            "subject": chip,
            "quantity": "gpu_hour_price",
            "value": n.yaml_value(),
            "unit": f"{n.scale} USD/chip/hour" if n.scale else "USD/chip/hour",
            "as_of": Literal(date),
            "sources": [
                {
                    "source": self.price_excerpt.source_id,
                    "quote": quote,
                    "locator": f"row {prow.number}, column '{self.prices.columns[key]}'",
                }
            ],
            "notes": (
                f"Cloud price per chip-hour from {vendor}, with a "
                f"{'3-year' if key == 'cud3' else '1-year'} committed-use discount."
            ),
        }
        return cid

    def _write_chips(self) -> None:
        claims = [c for chip in sorted(self.chip_claims) for c in self.chip_claims[chip]]
        if self.chip_excerpt is not None and claims:
            self._write_excerpt(self.chip_excerpt)
            self._claims_file(
                self.into / "chips.yaml",
                claims,
                f"# {GENERATED} from the chip table: reference facts of the chips the models were "
                "trained on.\n",
            )
            self.report.chips = len(claims)
            self.report.claims += len(claims)

    def _write_prices(self) -> None:
        if self.price_excerpt is not None and self.price_claims:
            self._write_excerpt(self.price_excerpt)
            claims = [self.price_claims[k] for k in sorted(self.price_claims)]
            self._claims_file(
                self.into / "prices.yaml", claims, f"# {GENERATED} from the hardware price table.\n"
            )
            self.report.prices = len(claims)
            self.report.claims += len(claims)


def _counts_text(domain: str, cells: dict[str, str]) -> bool:
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


def _language_only(domain: str) -> bool:
    """Whether the row is a language model only (Epoch's 30% default is for language models)."""
    return {d.strip().lower() for d in domain.split(",") if d.strip()} == {"language"}


def _value_problem(claim: dict[str, Any], cell_line: str) -> str | None:
    """The engine's value-vs-quote rule, applied to the cell before writing; a message when it fails."""
    try:
        unit = unit_info(claim["unit"])
        value = claim["value"]
        written = [str(x) for x in value] if isinstance(value, list) else str(value)
        sv = stated_value(written, unit, claim.get("qualifier"))
    except KbError as exc:
        return f"kb cannot use the value: {exc.message}"
    ok, _ = value_in_quote(sv, unit, cell_line)
    return None if ok else "kb reads the cell differently from how it would check the quote"


def import_epoch(
    models: Path,
    claims_root: Path,
    *,
    chips: Path | None = None,
    prices: Path | None = None,
    into: Path | None = None,
    release: str | None = None,
    dry_run: bool = False,
) -> ImportReport:
    """Import the models table (with the chip and price tables) into `into` (default claims/epoch)."""
    into = into if into is not None else claims_root / "epoch"
    root = claims_root.resolve()
    if root not in into.resolve().parents:
        raise KbError(f"--into {into} is not inside the claims folder {claims_root}", code="import-usage")
    if (root / "sources") in (into.resolve(), *into.resolve().parents):
        raise KbError("--into cannot be in the sources folder", code="import-usage")
    models_table = read_table(models, None)
    chips_table = read_table(chips, CHIP_COLUMNS) if chips is not None else None
    prices_table = read_table(prices, PRICE_COLUMNS) if prices is not None else None
    if chips_table is not None and "name" not in chips_table.columns:
        raise KbError(
            f"{chips}: no 'Hardware name' column: is this Epoch AI's chip table?", code="import-columns"
        )
    tag = release_tag(models, models_table.data, release)
    warnings: list[str] = []
    ctx = build_context(claims_root, into, warnings)
    job = EpochImport(models_table, claims_root, into, tag, chips_table, prices_table, ctx)
    job.report.warnings.extend(warnings)
    job.run()
    report = job.report
    if dry_run:
        report.dry_run = True
        return report
    quantities = claims_root / QUANTITIES_FILE
    job.files[quantities] = quantities_text(claims_root).encode("utf-8")
    written = unchanged = 0
    # Sources first, so that a `kb check` running meanwhile never sees a claim before its source.
    for path in sorted(job.files, key=lambda p: (job.sources_dir not in p.parents, str(p))):
        if atomic_write(path, job.files[path]):
            written += 1
        else:
            unchanged += 1
    stale, kept = stale_files(into, job.sources_dir, prior_files(into), {p.resolve() for p in job.files})
    for old in stale:
        old.unlink()
    if kept:
        report.warnings.append(
            f"{kept} file(s) the previous import listed were kept: outside the import folders, or changed "
            "since; delete them by hand if they are stale"
        )
    report.files_written, report.files_unchanged, report.files_removed = written, unchanged, len(stale)
    files = {
        os.path.relpath(p, into.parent): hashlib.sha256(data).hexdigest()
        for p, data in sorted(job.files.items())
        if p != quantities
    }
    manifest = {"generated": GENERATED, "release": tag, "files": files}
    atomic_write(into / MANIFEST, (json.dumps(manifest, indent=1) + "\n").encode("utf-8"))
    atomic_write(into / REPORT, (json.dumps(report.as_json(), indent=1, ensure_ascii=False) + "\n").encode())
    return report
