"""Training compute vs the row's hardware: at most chips × peak FLOP/s × time (utilization ≤ 100%),
equal to that × the row's utilization (at the peak its notes divide by), or, for an estimate made
from the hardware alone, × Epoch's default utilization."""

from __future__ import annotations

from typing import Any

from kb.importers.epoch.cells import clean_name
from kb.importers.epoch.chips import PRECISIONS, Chips
from kb.importers.epoch.claims import value_problem
from kb.importers.epoch.context import Context
from kb.importers.epoch.notes import figures_near, geometric_mean
from kb.importers.epoch.report import ImportReport
from kb.importers.epoch.rows import ModelRow, language_only, method_gap, skip_check
from kb.importers.yamlout import Literal

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
DOUBT = (
    "A gap puts the default in doubt for this row (its estimate used another utilization or "
    "another peak: its notes say which); only a gap that no utilization within a factor of 3 "
    "of the default explains is blamed on the row's cells."
)


class HardwareChecks:
    """The hardware checks of a row's compute; the checks a row cannot support go to the report."""

    def __init__(
        self, columns: dict[str, str], ctx: Context, report: ImportReport, chips: Chips | None
    ) -> None:
        self.columns = columns
        """Of the models table: canonical field -> header as written."""
        self.ctx = ctx
        self.report = report
        self.chips = chips

    def checks(self, m: ModelRow, target: str) -> list[dict[str, Any]]:
        """Compute ≤ chips × peak × time (utilization ≤ 100%: a physical bound, to the spread of
        the peak figures sources give, PEAK_REASON), and = × the row's utilization where the row
        gives one, at the peak its utilization notes divide by where they write one (notes_peak).
        (default_utilization recomputes a hardware-only estimate without a utilization cell.)"""
        name = "at-most-peak"
        fmt = m.row.cells.get("numerical_format", "")
        why = self.no_hardware(m)
        fastest = None
        if not why:
            assert self.chips is not None  # no_hardware says why not otherwise
            fastest = self.chips.peak(m.hardware[0], fmt, fastest=True)
            if fastest is None:
                known = m.hardware[0] in self.chips.rows
                why = "no peak for this format" if known else f"chip not in the chip table: {m.hardware[0]!r}"
        if fastest is None:
            skip_check(self.report, m, target, name, why)
            return []
        assert self.chips is not None
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
        peak = self.chips.peak(chip, fmt)
        # A compute that is the geometric mean of estimates is not the hardware estimate alone.
        if "utilization" in m.claims and peak is not None and not geometric_mean(m.row.cells):
            out.append(
                {
                    "id": "hardware",
                    "formula": "n * peak * t * u",
                    "inputs": {**inputs, "peak": self.notes_peak(m, chip, peak), "u": m.ids["utilization"]},
                    "note": (
                        f"Compute = chips × peak {PRECISIONS[peak[1]]} throughput of {chip} × training time "
                        f"× the row's utilization ({fmt_text}): the row's own utilization should give its "
                        "compute back (at the peak its utilization notes divide by, where they write one)."
                    ),
                }
            )
        elif peak is not None:
            out += self.default_utilization(m, target, inputs, peak, fmt)
        return out

    def no_hardware(self, m: ModelRow) -> str:
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

    def notes_peak(self, m: ModelRow, chip: str, peak: tuple[str, str]) -> str:
        """The peak the row's utilization is a quotient of: where the utilization notes write one
        figure for the chip that differs from the chip table's by no more than the documented
        spread of peak figures (PEAK_REASON: "64 GPU * 4.6e13 FLOP/GPU-s" for TPU v2's 45 TFLOP/s),
        the id of a claim of the row quoting it, checked against the table's; else the table's.
        The equality then tests the row's cells, not which source of the chip's peak Epoch took."""
        assert self.chips is not None
        notes, table = m.row.cells.get("utilization_notes", ""), self.chips.value(chip, peak[1])
        if table is None or "utilization_notes" not in m.quotes:
            return peak[0]
        found = figures_near(notes, table, PEAK_TOLERANCE)
        if len(found) != 1:  # none, or several: which one the quotient used is unclear
            return peak[0]
        column = self.columns["utilization_notes"]
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
        if value_problem(claim, notes):
            return peak[0]
        m.extra.append(claim)
        return str(claim["id"])

    def default_utilization(
        self, m: ModelRow, target: str, inputs: dict[str, str], peak: tuple[str, str], fmt: str
    ) -> list[dict[str, Any]]:
        """A compute Epoch estimated from the hardware alone, without a utilization cell, recomputed
        with Epoch's documented defaults (Sevilla et al. 2022): 30% for a language model, between
        its 30% and 40% for the rest. The defaults are labelled assumptions: a gap puts them in
        doubt for the row (it used another utilization or another peak), and only a gap no
        default within a factor of 3 explains is blamed on a cell."""
        if "utilization" in m.claims or geometric_mean(m.row.cells) or method_gap(m, target, "Hardware"):
            return []
        name = DEFAULT_UTILIZATION
        formats = [f.strip().upper() for f in fmt.split(",") if f.strip()]
        if len(formats) != 1:
            reason = "no numerical format" if not formats else "several numerical formats"
            skip_check(
                self.report, m, target, name, f"{reason}: which chip peak Epoch's estimate used is unknown"
            )
            return []
        language = language_only(m.row.cells.get("domain", ""))
        low, high = self.ctx.utilization, None if language else self.ctx.utilization_other
        if low is None or (not language and high is None):
            skip_check(
                self.report, m, target, name, "no default utilization assumption in the knowledge base"
            )
            return []
        chip, precision = m.hardware[0], PRECISIONS[peak[1]]
        base = {**inputs, "peak": peak[0]}
        why = (
            f"Epoch estimated this compute from the hardware alone (chips × peak {precision} throughput "
            f"of {chip} at the row's format, {clean_name(fmt)}, × training time × a utilization) and the "
            "row gives no utilization"
        )
        if language:
            note = f"{why}: Epoch's default for language models is 30% (Sevilla et al. 2022). {DOUBT}"
            return [{"id": name, "formula": "n * peak * t * u", "inputs": {**base, "u": low}, "note": note}]
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
                    f"its chips' peak. {DOUBT}"
                ),
            }
            for side, op, u, text, pct in (
                ("at-least", ">=", low, "at least", 30),
                ("at-most", "<=", high, "at most", 40),
            )
        ]
