"""Epoch's hardware price table: the committed-use cloud price of a chip at a date, as a reference
claim made on first use (the cost check multiplies chip-hours by it)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from kb.importers.epoch.cells import CellError, Number, clean_name, read_cell, slugify
from kb.importers.epoch.output import GENERATED, Excerpt, RowBlock
from kb.importers.epoch.report import ImportReport
from kb.importers.epoch.sources import ImportFiles
from kb.importers.epoch.table import Row, Table
from kb.importers.yamlout import Literal

RATES = ("cud3", "cud1")
"""The price columns in order of preference: the 3-year committed-use rate, else the 1-year one."""


class Prices:
    """The price table of one import, and the claims of the prices its cost checks use."""

    def __init__(self, table: Table, files: ImportFiles, report: ImportReport) -> None:
        self.table = table
        self.files = files
        self.report = report
        self.claims: dict[str, dict[str, Any]] = {}
        self.excerpt: Excerpt | None = None

    def price(self, chip: str, published: str) -> str | None:
        """Id of the price claim for a chip at a date (the latest price dated at or before it,
        else the earliest), made on first use; None when the table has none."""
        cols = self.table.columns
        if "hardware" not in cols or "date" not in cols:
            return None
        for key in RATES:
            if key not in cols:
                continue
            candidates = self.candidates(chip, key)
            if not candidates:
                continue
            before = [c for c in candidates if published and c[0] <= published.strip()]
            _, prow, n = (
                max(before, key=lambda c: (c[0], -c[1].number))
                if before
                else min(candidates, key=lambda c: (c[0], c[1].number))
            )
            return self.price_claim(chip, prow, key, n)
        return None

    def candidates(self, chip: str, key: str) -> list[tuple[str, Row, Number]]:
        """(date, row, price) of the rows that price the chip in the column `key`, one price each."""
        out: list[tuple[str, Row, Number]] = []
        for prow in self.table.rows:
            if clean_name(prow.cells.get("hardware", "")) != chip:
                continue
            try:
                n = read_cell(prow.cells.get(key, ""), allow_money=True)
            except CellError:
                continue
            date = prow.cells.get("date", "").strip()
            if n is None or len(n.literals) != 1 or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", date):
                continue
            out.append((date, prow, n))
        return out

    def price_claim(self, chip: str, prow: Row, key: str, n: Number) -> str:
        vendor = clean_name(prow.cells.get("vendor", "")) or "unknown vendor"
        date = prow.cells["date"].strip()
        cid = f"epoch-price-{slugify(chip, 60)}-{date}-{slugify(vendor, 30)}-{key}"
        if cid in self.claims:
            return cid
        if self.excerpt is None:
            self.excerpt = self.files.hardware_excerpt("prices", self.table)
        label = f"{chip}, {date}, {vendor}"
        block = RowBlock(label, f"Row {prow.number} (lines {prow.line}-{prow.last_line}): {label}")
        quote = ""
        keys = self.table.keys
        for header, cell in prow.raw.items():
            k = keys.get(header)
            if k is not None and k not in ("hardware", "date", "vendor") and cell.strip():
                line = block.add(header, cell)
                if k == key:
                    quote = line
        self.excerpt.lines += block.lines
        self.claims[cid] = {
            "id": cid,
            "kind": "reference",
            "subject": chip,
            "quantity": "gpu_hour_price",
            "value": n.yaml_value(),
            "unit": f"{n.scale} USD/chip/hour" if n.scale else "USD/chip/hour",
            "as_of": Literal(date),
            "sources": [
                {
                    "source": self.excerpt.source_id,
                    "quote": quote,
                    "locator": f"row {prow.number}, column '{self.table.columns[key]}'",
                }
            ],
            "notes": (
                f"Cloud price per chip-hour from {vendor}, with a "
                f"{'3-year' if key == 'cud3' else '1-year'} committed-use discount."
            ),
        }
        return cid

    def write(self, into: Path) -> None:
        """The prices the cost checks used, in one file, with the excerpt they quote."""
        claims = [self.claims[k] for k in sorted(self.claims)]
        self.report.prices = self.files.reference_file(
            into / "prices.yaml", self.excerpt, claims, f"# {GENERATED} from the hardware price table.\n"
        )
