"""Does kb blame the right cell? Scores a hand-labelled sample of failed relations.

When a relation of an Epoch AI row fails, kb's blame engine names the claims (cells) of the
cheapest explanation: one claim *condemned*, several *suspect* ("either this or that is wrong"),
or a labelled assumption *in doubt* (no cell blamed). This benchmark asks whether the wrong cell
is among them.

The sample (benchmarks/labels/epoch-2025-08-blame-sample.csv) is 40 failed relations of the
import of Epoch AI's 2025-08 snapshot (all of them if fewer), drawn with random.Random(SEED) by
`draw`, and labelled by reading each row's cells and notes in the CSV:

- `cell:<column>`: one cell of the row is wrong (the column as in the claim id's suffix, with
  underscores: `dataset_size`, `training_compute`, `hardware_quantity`...);
- `cells:<a>|<b>`: the row's cells contradict each other and either could be the wrong one;
- `modelling`: the row is right and kb's relation does not apply as kb writes it;
- `bug`: kb misread a cell.

The evidence column gives the numbers and why, in one line. The `blamed` column is what kb blamed
when the sample was drawn (claim:standing); the score reads the blame from the check.json given.

For a failure with a wrong cell the score says how often the wrong cell is among the blamed
claims, how often it is blamed alone (the blamed claims are the label's cells and nothing else),
and how many claims are blamed per failure; for a `modelling` failure, how often kb accuses a cell
anyway (a false accusation) rather than putting an assumption in doubt or blaming nothing.

    D=../shared/data/epoch
    cp -r claims /tmp/bl/claims && cd /tmp/bl
    kb import epoch $D/all_ml_systems_2025-08.csv --chips $D/chips.csv --prices $D/hardware_prices.csv
    kb check --format json > check.json
    python -m benchmarks.blame_sample draw check.json claims/epoch > to-label.csv   # a new sample
    python -m benchmarks.blame_sample check.json                                   # the figures

On the 2025-08 snapshot (drawn and labelled 2026-12-02; 40 of the import's 72 failed relations):

    sample: 40 failed relations: 33 with a wrong cell, 7 modelling, 0 kb bugs
    claims blamed per failure: 3.08
    wrong cell among the blamed: 29/33 = 88%
    wrong cell blamed alone: 3/33 = 9%
    claims blamed per failure with a wrong cell: 2.94
    every cell of the relation blamed (no narrowing): 22/33 = 67%
    wrong cell missed: 4/33 (2 with only an assumption in doubt)
    the failed check's own claim (the engine before blame): 17/33 = 52%
    modelling failures where kb accuses a cell: 7/7 = 100% (every cell of the relation: 7)
    modelling failures with an assumption in doubt: 0, with nothing blamed: 0

So the wrong cell is nearly always among the blamed, but mostly because every cell of the
failed relation is suspect (a row's cells are equally trusted, and one failed relation cannot
say which is wrong); blame narrows to the wrong cell alone in 3 of 33 (a percentage written as
72.0, a cost priced at 18x the cloud rate, a compute at the wrong chip peak). The engine before
blame named one claim, the failed check's own, and was right for 17 of 33: blame trades that
for the wrong cell among about three suspects in 29 of 33. Two misses accuse
another cell alone: the wrong cell (Refact-1.6B's 6 GPUs for 64, Megatron-LM's time at 15.1
TFLOP/s per GPU for 15.1 PFLOP/s in all) was copied into the chip-hours cell, so chips x time =
chip-hours holds and confirms it, and blame falls on the cell no other relation confirms (the
compute, the utilization). Two put Epoch's default utilization in doubt where the row's compute
took an unsourced 40% (GPT-NeoX-20B) or a later chip's peak (a Maxwell Titan X at 10.2 TFLOP/s):
no cell accused, the wrong one not named. Every modelling failure (staged runs, a compute that
includes a teacher or counts context tokens, shared layers, reviews counted as data points) makes
every cell of its relation suspect: kb has no way yet to say "the relation may not apply here"
except for its labelled assumptions.

A first sample (benchmarks/labels/epoch-2025-08-blame-sample-v1.csv, drawn with the same seed on
2026-12-02 from the import as it was then, labelled `cell:` or `modelling` only, with no blamed
column) is kept as a record. The importer changed after it (relation keys renamed, many modelling
failures removed), so only 15 of its 40 keys still exist and 3 of them still fail: its score on
today's import (2/40) measures the sample's age, not the blame. `python -m benchmarks.blame_sample
check.json benchmarks/labels/epoch-2025-08-blame-sample-v1.csv` still scores it; a key that no
longer fails counts as not raised.
"""

from __future__ import annotations

import csv
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from benchmarks import epoch_precision as ep

LABELS = Path(__file__).with_name("labels")
SAMPLE = LABELS / "epoch-2025-08-blame-sample.csv"
V1 = LABELS / "epoch-2025-08-blame-sample-v1.csv"
SEED = 20261202
SIZE = 40
FIELDS = ("key", "model", "csv_row", "relation", "factor", "members", "blamed", "label", "evidence")


def blame(check_json: Path) -> dict[str, list[tuple[str, str]]]:
    """Failed relation key -> the claims blamed for it, each with its standing (condemned, suspect,
    in_doubt), from the claims' `condemned_by`."""
    data = json.loads(check_json.read_text(encoding="utf-8"))
    out: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for claim in data["claims"]:
        for key in claim.get("condemned_by") or []:
            out[key].append((claim["id"], claim.get("standing") or ""))
    return dict(out)


def _members(f: dict[str, Any]) -> list[str]:
    return list(dict.fromkeys([*f.get("members", []), *f.get("inputs", {}).values()]))


def draw(check_json: Path, folder: Path, seed: int = SEED, size: int = SIZE) -> list[dict[str, str]]:
    """A seeded sample of the failed relations of the import (all of them if fewer than size),
    with what kb blamed; label and evidence are left for the reader of the rows."""
    blamed = blame(check_json)

    def more(key: str, f: dict[str, Any]) -> dict[str, str]:
        return {
            "members": " ".join(_members(f)),
            "blamed": " ".join(f"{c}:{s}" for c, s in blamed.get(key, [])),
        }

    return ep.draw(check_json, folder, seed, size, more)


def wrong_cells(label: str) -> list[str]:
    """The claim-id suffixes a label says may be wrong: `cell:dataset_size` -> ['dataset-size'];
    `cells:a|b` -> both; [] for `modelling` and `bug`."""
    kind, _, rest = label.partition(":")
    if kind not in ("cell", "cells") or not rest:
        return []
    return [c.strip().replace("_", "-") for c in rest.split("|") if c.strip()]


def _is(claim: str, suffix: str) -> bool:
    return claim.endswith("-" + suffix)


def _owner(key: str) -> str:
    """The claim whose check a key names (`check:<claim>/<id>`), '' for a relation or law: what
    the engine before blame reported as wrong."""
    return key.split(":", 1)[1].split("/", 1)[0] if key.startswith("check:") else ""


def score(check_json: Path, labels: Path = SAMPLE) -> dict[str, Any]:
    """The figures of a labelled sample against a check.json (see the module's docstring)."""
    failed = ep.flags(check_json)
    blamed = blame(check_json)
    data = json.loads(check_json.read_text(encoding="utf-8"))
    cells_of_rows = {c["id"] for c in data["claims"] if c.get("kind") == "claim"}
    rows = list(csv.DictReader(labels.open(encoding="utf-8")))
    out: dict[str, Any] = {
        "sample": len(rows),
        "not_raised": 0,
        "bug": 0,
        "cell": 0,
        "among": 0,
        "alone": 0,
        "owner": 0,
        "every": 0,
        "blamed_cell": 0,
        "missed_doubt": 0,
        "modelling": 0,
        "accused": 0,
        "accused_every": 0,
        "in_doubt": 0,
        "nothing": 0,
        "blamed": 0,
        "missed": [],
        "false": [],
    }
    for row in rows:
        key, label = row["key"], row["label"].strip()
        if key not in failed:
            out["not_raised"] += 1
            continue
        names = [c for c, _ in blamed.get(key, [])]
        cells = [c for c in names if c in cells_of_rows]
        members = {c for c in _members(failed[key]) if c in cells_of_rows}
        # No narrowing: every cell of the relation is blamed (a failure says as much by itself).
        every = len(members) > 1 and set(cells) == members
        out["blamed"] += len(names)
        if label == "bug":
            out["bug"] += 1
        elif label == "modelling":
            out["modelling"] += 1
            if cells:
                out["accused"] += 1
                out["accused_every"] += every
                out["false"].append((row["model"], key, cells))
            elif names:
                out["in_doubt"] += 1
            else:
                out["nothing"] += 1
        elif wrong := wrong_cells(label):
            out["cell"] += 1
            out["blamed_cell"] += len(names)
            out["every"] += every
            hit = any(_is(c, w) for c in names for w in wrong)
            out["among"] += hit
            out["alone"] += hit and all(any(_is(c, w) for w in wrong) for c in names)
            out["owner"] += any(_is(_owner(key), w) for w in wrong)
            if not hit:
                out["missed_doubt"] += not cells
                out["missed"].append((row["model"], key, label, names))
        else:
            raise ValueError(f"{labels.name}: {key}: unknown label {label!r}")
    return out


def _share(a: int, b: int) -> str:
    return f"{a}/{b} = {a / b:.0%}" if b else f"{a}/0"


def report(s: dict[str, Any]) -> list[str]:
    raised = s["sample"] - s["not_raised"]
    stale = f" ({s['not_raised']} of the sample's no longer fail)" if s["not_raised"] else ""
    n = s["cell"]
    m = s["modelling"]
    lines = [
        f"sample: {raised} failed relations{stale}: {n} with a wrong cell, {m} modelling, {s['bug']} kb bugs",
        f"claims blamed per failure: {s['blamed'] / max(raised, 1):.2f}",
        f"wrong cell among the blamed: {_share(s['among'], n)}",
        f"wrong cell blamed alone: {_share(s['alone'], n)}",
        f"claims blamed per failure with a wrong cell: {s['blamed_cell'] / max(n, 1):.2f}",
        f"every cell of the relation blamed (no narrowing): {_share(s['every'], n)}",
        f"wrong cell missed: {n - s['among']}/{n} ({s['missed_doubt']} with only an assumption in doubt)",
        f"the failed check's own claim (the engine before blame): {_share(s['owner'], n)}",
        f"modelling failures where kb accuses a cell: {_share(s['accused'], m)} "
        f"(every cell of the relation: {s['accused_every']})",
        f"modelling failures with an assumption in doubt: {s['in_doubt']}, "
        f"with nothing blamed: {s['nothing']}",
    ]
    lines += [
        f"  missed: {m} ({label}): blamed {', '.join(n) or 'nothing'}" for m, _, label, n in s["missed"]
    ]
    lines += [f"  accused: {m}: {', '.join(n)}" for m, _, n in s["false"]]
    return lines


def main(argv: list[str]) -> None:
    if argv[:1] == ["draw"]:
        ep.write_sample(draw(Path(argv[1]), Path(argv[2])), FIELDS)
        return
    check = Path(argv[0] if argv else "check.json")
    labels = Path(argv[1]) if len(argv) > 1 else SAMPLE
    print("\n".join(report(score(check, labels))))


if __name__ == "__main__":
    main(sys.argv[1:])
