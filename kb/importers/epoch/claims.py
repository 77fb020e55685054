"""A row's own claims: one per numeric cell kb reads (with its unit, quotes and notes), the
training hardware, and the parameter counts its notes state where the checks compare them with
the parameters cell (the 6·N·D product of the compute notes, a scale slip of the cell)."""

from __future__ import annotations

import re
from typing import Any

from kb.errors import KbError
from kb.importers.epoch import scale, sixnd
from kb.importers.epoch.cells import Number, clean_name
from kb.importers.epoch.report import RowProblem
from kb.importers.epoch.rows import FIELDS, Field, ModelRow, cell_problem
from kb.importers.epoch.table import Table
from kb.importers.yamlout import Literal
from kb.quotes import value_in_quote
from kb.units import unit_info
from kb.values import stated_value


def value_problem(claim: dict[str, Any], cell_line: str) -> str | None:
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


def cost_year(models: Table) -> str | None:
    """The year of the dollars the cost column is in ('Training compute cost (2023 USD)')."""
    year = re.search(r"\((\d{4}) usd\)", models.columns.get("cost", "").lower())
    return year.group(1) if year else None


class RowClaims:
    """Makes the claims of each row of the models table; cells it cannot use go to `problems`."""

    def __init__(self, models: Table, problems: list[RowProblem]) -> None:
        self.models = models
        self.problems = problems
        self.cost_year = cost_year(models)

    def make(self, m: ModelRow) -> list[dict[str, Any]]:
        """The row's claims: its fields' (also kept in m.claims, for the checks), the notes'
        parameter counts, the hardware."""
        context = context_note(m.row.cells)
        for f in FIELDS:
            n = m.numbers.get(f.key)
            if n is None:
                continue
            claim = self.field_claim(m, f, n, context)
            if claim is not None:
                m.claims[f.key] = claim
        claims = list(m.claims.values())
        for extra in (self.notes_parameters(m), self.notes_scale(m)):
            if extra is not None:
                claims.append(extra)
        if m.hardware:
            claims.append(self.hardware_claim(m))
        return claims

    def locator(self, m: ModelRow, key: str) -> str:
        return f"row {m.row.number}, column '{self.models.columns[key]}'"

    def field_claim(self, m: ModelRow, f: Field, n: Number, context: str) -> dict[str, Any] | None:
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
            "subject": m.subject,
            "quantity": quantity,
            "value": n.yaml_value(),
            "unit": unit,
        }
        if n.qualifier:
            claim["qualifier"] = n.qualifier
        if f.key == "cost" and self.cost_year:
            claim["as_of"] = Literal(self.cost_year)
        claim["sources"] = [
            {"source": m.source_id, "quote": m.quotes[f.key], "locator": self.locator(m, f.key)}
        ]
        if f.notes_key and f.notes_key in m.quotes:
            claim["sources"].append(
                {
                    "source": m.source_id,
                    "quote": m.quotes[f.notes_key],
                    "locator": self.locator(m, f.notes_key),
                }
            )
        if f.key == "parameters" and "abstract" in m.quotes:
            claim["sources"].append(
                {"source": m.source_id, "quote": m.quotes["abstract"], "locator": self.locator(m, "abstract")}
            )
        problem = value_problem(claim, f"{self.models.columns[f.key]}: {m.row.cells[f.key]}")
        if problem:
            self.problems.append(cell_problem(self.models, m.row, f.key, problem))
            return None
        note = self.field_note(f, m, context)
        if note:
            claim["notes"] = note
        return claim

    def field_note(self, f: Field, m: ModelRow, context: str) -> str:
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
            said = " (the row's abstract says so)" if "abstract" in m.quotes else ""
            lines.append(
                f"Mixture-of-experts model{said}: Epoch's parameter count is the total, while 6·N·D "
                "needs the parameters active per token, which the data set has no column for; that check "
                "is not made."
            )
        if f.key in ("compute", "finetune_compute") and context:
            lines.append(context + ".")
        return "\n".join(lines)

    def hardware_claim(self, m: ModelRow) -> dict[str, Any]:
        return {
            "id": m.ids["hardware"],
            "subject": m.subject,
            "quantity": "training_hardware",
            "statement": ", ".join(m.hardware),
            "sources": [
                {"source": m.source_id, "quote": m.quotes["hardware"], "locator": self.locator(m, "hardware")}
            ],
        }

    def notes_parameters(self, m: ModelRow) -> dict[str, Any] | None:
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
        claim = self.parameters_in(m, "compute_notes", (factor.literal, factor.scale))
        # A count written apart from its power of ten ("32.5 parameters *10^9") is not a number
        # of the quote as kb reads quotes: no claim.
        if value_problem(claim, m.row.cells["compute_notes"]):
            return None
        claim["notes"] = (
            f"The parameter count in the 6·N·D product of the compute notes ({found.product.text}), "
            "which gives the row's training compute."
        )
        claim["checks"] = [sixnd.notes_check(found, m.ids["parameters"])]
        return claim

    def notes_scale(self, m: ModelRow) -> dict[str, Any] | None:
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
        claim = self.parameters_in(m, "parameters_notes", (count.literal, count.scale), scale.RANK_REASON)
        # The count as kb would read it back from the quote, or no claim (a value the engine could
        # not find in its quote would be an error of the import, not of the row).
        if value_problem(claim, notes):
            return None
        claim["notes"] = f"The model's total parameter count as the Parameters notes state it ({count.text})."
        claim["checks"] = [scale.check(slip, m.ids["parameters"])]
        return claim

    def parameters_in(
        self, m: ModelRow, key: str, count: tuple[str, str], preferred_because: str = ""
    ) -> dict[str, Any]:
        """A parameter count (literal, scale word) that the notes column `key` of the row states,
        quoting that column; ranked preferred, with its reason, when it is the better witness."""
        literal, scale_word = count
        claim: dict[str, Any] = {
            "id": f"{m.ids['parameters']}-in-{key.replace('_', '-')}",
            "subject": m.subject,
            "quantity": "total_parameters",
            "value": Literal(literal),
            "unit": f"{scale_word} parameter".strip(),
        }
        if preferred_because:
            claim |= {"rank": "preferred", "rank_reason": preferred_because}
        claim["sources"] = [{"source": m.source_id, "quote": m.quotes[key], "locator": self.locator(m, key)}]
        return claim


def context_note(cells: dict[str, str]) -> str:
    """How sure Epoch is of the row and how it estimated the compute, for the compute claims' notes."""
    parts = []
    if cells.get("confidence", "").strip():
        parts.append(f"Epoch's confidence: {clean_name(cells['confidence'])}")
    if cells.get("method", "").strip():
        parts.append(f"compute estimated by: {clean_name(cells['method'])}")
    return "; ".join(parts)
