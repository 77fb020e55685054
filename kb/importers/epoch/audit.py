"""What the Epoch import tells its audit page: the checks it wrote and what each compares, which
failures are physically impossible, every model's CSV row and facets (organization, year,
domain), the row each claim comes from, and what it could not check. The site renders this
description (from the import report's "audit" key) and so neither imports the importer nor
knows its check ids.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from kb.importers.epoch.columns import BY_KEY

CHECKS: dict[str, dict[str, Any]] = {
    "at-most-peak": {
        "label": "compute ≤ chips × peak FLOP/s × time (utilization ≤ 100%)",
        "impossible": True,
        "implies": "of the chips' peak",
        "marker": "s",
    },
    "hardware": {
        "label": "compute = chips × peak FLOP/s × time × the row's utilization",
        "marker": "s",
        "needs": ["utilization"],
    },
    "default-utilization": {
        "label": "compute = chips × peak FLOP/s × time × Epoch's default utilization (language models: 30%)",
        "implies": "of the chips' peak",
        "marker": "D",
        "needs": ["method", "numerical_format"],
    },
    "default-utilization-at-least": {
        "label": "compute ≥ chips × peak FLOP/s × time × Epoch's lowest default utilization (30%)",
        "implies": "of the chips' peak",
        "variant": True,
    },
    "default-utilization-at-most": {
        "label": "compute ≤ chips × peak FLOP/s × time × Epoch's highest default utilization (40%)",
        "implies": "of the chips' peak",
        "variant": True,
    },
    "six-n-d": {"label": "compute = 6 · parameters · tokens · epochs", "marker": "o", "needs": ["epochs"]},
    "six-n-d-as-words": {
        "label": "compute ≤ 6 · parameters · tokens · epochs, the size read as words",
        "variant": True,
    },
    "six-n-d-as-tokens": {
        "label": "compute ≥ 6 · parameters · tokens · epochs, the size read as tokens",
        "variant": True,
    },
    "notes-parameters": {
        "label": "the parameters of the compute notes' 6 · N · D product = the parameters cell (within 5%)"
    },
    "notes-parameters-scale": {
        "label": "the parameters notes' total count = the parameters cell, where the cell has its digits "
        "at 10^3, 10^6 or 10^9 times another scale",
        "on_slip": True,
    },
    "chips-times-time": {"label": "chip-hours = chips × training time", "needs": ["chip_hours"]},
    "chip-hours-times-price": {
        "label": "cost vs chip-hours × a committed-use cloud price (within ×10)",
        "needs": ["cost"],
    },
    "law:utilization-at-most-one": {"label": "utilization ≤ 100%", "impossible": True},
    "law:finetune-at-most-training-compute": {
        "label": "fine-tune compute ≤ training compute",
        "impossible": True,
    },
}
"""Check id (or "law:" + law id) -> what it compares; `impossible` marks physical or definitional
bounds (a failure is impossible, not unlikely); `marker` is the chart's for training compute;
`variant` marks a form of another check (not reported when it does not run); `needs` the columns
(keys of columns.KNOWN) without any of which it cannot run; `on_slip` marks a check written only
for a row it finds wrong (a relation that held would confirm the cell and move blame elsewhere);
`implies` names what stated ÷ recomputed is (the utilization the row needs, times the relation's
labelled assumptions where it has any), shown as a percentage."""

LEDE = (
    "Every row imported as claims, each row's numbers checked against each other and against "
    "the laws every claim obeys: training compute against the chips' peak throughput (no run "
    "exceeds 100% of it) and the row's utilization (or, for an estimate made from the hardware "
    "alone, Epoch's default utilization: a gap puts the default in doubt, not a cell), against "
    "6 · parameters · tokens where the row says what its data set size counts and how many "
    "passes it made, the parameters of the compute notes' 6 · N · D product against the "
    "parameters cell, the parameters notes' total count against the scale of the parameters "
    "cell, fine-tune compute against training compute, chip-hours against chips × time, cost "
    "against chip-hours × a cloud price."
)


def not_run(made: Counter[str], skipped: dict[str, int], absent: list[str]) -> list[str]:
    """One line per check the import wrote for no row: the columns it needs that the release lacks
    (`absent`, keys of columns.KNOWN), else its most common reason."""
    out = []
    for check, spec in CHECKS.items():
        if check.startswith("law:") or spec.get("variant") or made.get(check):
            continue
        if spec.get("on_slip"):
            out.append(f"{spec['label']}: no row has the slip (the check is written only where it finds one)")
            continue
        lacking = [BY_KEY[k].names for k in spec.get("needs", []) if k in absent]
        if lacking:
            names = " and ".join(" / ".join(repr(n) for n in names) for names in lacking)
            out.append(f"{spec['label']}: not run (the release has no column for it: {names})")
            continue
        reasons = [
            (n, reason.split(": ", 1)[1]) for reason, n in skipped.items() if reason.startswith(check + ":")
        ]
        why = max(reasons)[1] if reasons else "no row gives the numbers it needs"
        out.append(f"{spec['label']}: not run ({why})")
    return out


def description(
    release: str,
    models_file: str,
    rows: dict[str, dict[str, str]],
    claim_rows: dict[str, str],
    made: Counter[str],
    skipped: dict[str, int],
    absent: list[str],
) -> dict[str, Any]:
    """The audit description of one import (JSON-ready)."""
    return {
        "release": release,
        "models_file": models_file,
        "lede": LEDE,
        "checks": CHECKS,
        "rows": rows,
        "claims": claim_rows,
        "not_run": not_run(made, skipped, absent),
    }
