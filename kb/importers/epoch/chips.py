"""Epoch's chip table: a row's chip found by name, the peak throughput that fits its numerical
format, and the chip's reference claims (peak per precision, TDP), made on first use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kb.importers.epoch.cells import CellError, clean_name, read_cell, slugify
from kb.importers.epoch.claims import value_problem
from kb.importers.epoch.notes import chip_name
from kb.importers.epoch.output import GENERATED, Excerpt, RowBlock
from kb.importers.epoch.report import ImportReport, RowProblem
from kb.importers.epoch.sources import ImportFiles
from kb.importers.epoch.table import Row, Table

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


class Chips:
    """The chip table of one import, and the claims of the chips its rows use."""

    def __init__(self, table: Table, files: ImportFiles, report: ImportReport) -> None:
        self.table = table
        self.files = files
        self.report = report
        self.rows: dict[str, Row] = {}
        """Chip name (as the table writes it, and without a generic suffix) -> its row."""
        self.claims: dict[str, list[dict[str, Any]]] = {}
        self.excerpt: Excerpt | None = None
        report.problems.extend(table.problems)
        for row in table.rows:
            name = clean_name(row.cells.get("name", ""))
            for key in (name, chip_name(name)):  # rows name "NVIDIA B200 GPUs" as "NVIDIA B200"
                if key and key not in self.rows:
                    self.rows[key] = row

    def peak(self, chip: str, numerical_format: str, fastest: bool = False) -> tuple[str, str] | None:
        """(claim id, precision) of the chip's peak throughput for the row's numerical format; with
        `fastest`, the fastest the format allows (any format when the row names none; FP32 runs
        may use TF32 tensor cores)."""
        row = self.rows.get(chip)
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
        return (cid, best[1]) if cid in {c["id"] for c in self.chip_claims(chip)} else None

    def value(self, chip: str, key: str) -> float | None:
        """The chip table's figure in the column `key` (a PRECISIONS key), None when unreadable."""
        row = self.rows.get(chip)
        try:
            n = read_cell(row.cells.get(key, "")) if row is not None else None
        except CellError:
            return None
        return n.floats()[0] if n is not None else None

    def chip_claims(self, chip: str) -> list[dict[str, Any]]:
        """Reference claims of a chip (peak throughput per precision, TDP), made on first use."""
        if chip in self.claims:
            return self.claims[chip]
        if self.excerpt is None:
            self.excerpt = self.files.hardware_excerpt("chips", self.table)
        row = self.rows[chip]
        block = RowBlock(chip, f"Row {row.number} (lines {row.line}-{row.last_line}): {chip}")
        claims: list[dict[str, Any]] = []
        keys = self.table.keys
        for header, cell in row.raw.items():
            key = keys.get(header)
            if key is None or key == "name" or not cell.strip():
                continue
            claim = self.cell_claim(chip, row, key, header, block.add(header, cell), self.excerpt.source_id)
            if claim is not None:
                claims.append(claim)
        self.excerpt.lines += block.lines
        self.claims[chip] = claims
        return claims

    def cell_claim(
        self, chip: str, row: Row, key: str, header: str, quote: str, source_id: str
    ) -> dict[str, Any] | None:
        """The reference claim of one cell of a chip's row; None (and a problem) when unusable."""
        cell = row.raw[header]
        try:
            n = read_cell(cell)
        except CellError as exc:
            self.problem(chip, row, header, str(exc))
            return None
        if n is None:
            return None
        base = "W/chip" if key == "tdp" else "FLOP/s/chip"
        claim: dict[str, Any] = {
            "id": f"epoch-chip-{slugify(chip)}-{key}",
            "kind": "reference",
            "subject": chip,
            # One quantity per number format: an FP32 peak and a BF16 tensor peak of one chip are
            # different quantities, not two sources that disagree.
            "quantity": "gpu_power" if key == "tdp" else PEAK_QUANTITY[key],
            "value": n.yaml_value(),
            "unit": f"{n.scale} {base}" if n.scale else base,
            "sources": [
                {"source": source_id, "quote": quote, "locator": f"row {row.number}, column '{header}'"}
            ],
            "notes": (
                "Thermal design power, from Epoch's chip table."
                if key == "tdp"
                else f"Peak dense {PRECISIONS[key]} throughput, from Epoch's chip table."
            ),
        }
        problem = value_problem(claim, f"{header}: {cell}")
        if problem:
            self.problem(chip, row, header, problem)
            return None
        return claim

    def problem(self, chip: str, row: Row, header: str, reason: str) -> None:
        self.report.problems.append(
            RowProblem(self.table.path.name, row.number, row.line, chip, header, row.raw[header], reason)
        )

    def write(self, into: Path) -> None:
        """The claims of the chips the rows used, in one file, with the excerpt they quote."""
        claims = [c for chip in sorted(self.claims) for c in self.claims[chip]]
        self.report.chips = self.files.reference_file(
            into / "chips.yaml",
            self.excerpt,
            claims,
            f"# {GENERATED} from the chip table: reference facts of the chips the models were trained on.\n",
        )
