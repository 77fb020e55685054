"""The checks written on a row's claims: which claim each goes on (a fine-tuned model's compute
is checked on its finetune compute), 6·N·D (sixnd says which form), the hardware checks
(hardware.py), chip-hours vs chips × time, cost vs chip-hours × a cloud price. A check the row
cannot support is reported with the reason, not written."""

from __future__ import annotations

from typing import Any

from kb.importers.epoch import sixnd
from kb.importers.epoch.cells import CellError, read_cell
from kb.importers.epoch.context import Context
from kb.importers.epoch.hardware import HardwareChecks
from kb.importers.epoch.notes import geometric_mean
from kb.importers.epoch.prices import Prices
from kb.importers.epoch.report import ImportReport
from kb.importers.epoch.rows import ModelRow, method_gap, skip_check

SIX_ND_TOLERANCE = 0.3
SIX_ND_REASON = (
    "{how}; 6·N·D counts the weight multiplications of the forward and "
    "backward passes only (Kaplan et al. 2020, section 2.1), and attention over the context and the "
    "embedding parameters, which Epoch's parameter counts include, move the true figure by up to "
    "about 30% for models above 100M parameters"
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
FINE_TUNED = (
    "fine-tuned: the compute includes the base model's (checked on the finetune compute instead, where given)"
)


class RowChecks:
    """Writes the checks of each row into its claims (`add`)."""

    def __init__(
        self, ctx: Context, report: ImportReport, hardware: HardwareChecks, prices: Prices | None
    ) -> None:
        self.ctx = ctx
        self.report = report
        self.hardware = hardware
        self.prices = prices

    def add(self, m: ModelRow) -> None:
        # A fine-tuned model's training compute includes its base model's, while its data set size,
        # hardware and time describe the fine-tuning: those check the finetune compute instead.
        target = "finetune_compute" if m.base_model else "compute"
        if m.base_model and "compute" in m.claims:
            for name in (sixnd.NAME, "at-most-peak"):
                skip_check(self.report, m, "compute", name, FINE_TUNED)
        claim = m.claims.get(target)
        if claim is not None:
            checks = self.six_nd(m, target) + self.hardware.checks(m, target)
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
            check = self.cost(m)
            if check is not None:
                cost["checks"] = [check]

    def six_nd(self, m: ModelRow, target: str) -> list[dict[str, Any]]:
        """The 6·N·D relations of the row (sixnd says which the row allows)."""
        if not m.language:
            skip_check(
                self.report,
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
            skip_check(self.report, m, target, sixnd.NAME, reason)
            if "epochs" not in m.claims:
                self.passes(m, target)
            return []
        how = method_gap(m, target, "Operation counting")
        tolerance = {"relative": SIX_ND_TOLERANCE, "reason": SIX_ND_REASON.format(how=how)} if how else None
        return sixnd.checks(row, self.ctx.words_per_token or "", self.ctx.words_per_token_inverse, tolerance)

    def passes(self, m: ModelRow, target: str) -> None:
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

    def cost(self, m: ModelRow) -> dict[str, Any] | None:
        """Cost vs chip-hours × the chip's committed-use cloud price, within a factor (COST_REASON)."""
        name = "chip-hours-times-price"

        def skip(reason: str) -> dict[str, Any] | None:
            skip_check(self.report, m, "cost", name, reason)
            return None

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
        price = self.prices.price(m.hardware[0], m.row.cells.get("publication_date", ""))
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
