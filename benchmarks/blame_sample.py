"""Does kb blame the right cell? Scores a hand-labelled sample of failed relations.

The sample (benchmarks/labels/epoch-2025-08-blame-sample.csv) is 40 failed relations of Epoch AI's
2025-08 snapshot, drawn with random.Random(20261202) from all of them and labelled by reading each
row's notes: `cell:<column>` when one cell of the row is wrong, `modelling` when the row is right
and the relation does not apply as kb writes it. The old engine blamed the claim that owns the
check; the blame engine blames the claims of the cheapest explanation.

    cp -r claims /tmp/kb-epoch && cd /tmp/kb-epoch
    kb import epoch .../all_ml_systems_2025-08.csv --chips .../chips.csv
    kb check --format json > check.json
    python -m benchmarks.blame_sample check.json     # from the repository
"""

from __future__ import annotations

import csv
import json
import sys
from collections import defaultdict
from pathlib import Path

LABELS = Path(__file__).with_name("labels") / "epoch-2025-08-blame-sample.csv"


def score(check_json: Path, labels: Path = LABELS) -> dict[str, float]:
    data = json.loads(check_json.read_text(encoding="utf-8"))
    blamed: dict[str, list[str]] = defaultdict(list)
    owner: dict[str, str] = {}
    for claim in data["claims"]:
        for key in claim["condemned_by"]:
            blamed[key].append(claim["id"])
        for check in claim["checks"]:
            owner.setdefault(check["key"], check["key"].split(":", 1)[1].split("/")[0])
    rows = list(csv.DictReader(labels.open(encoding="utf-8")))
    out = {"sample": len(rows), "cell": 0, "old_right": 0, "new_right": 0, "new_exact": 0, "blamed": 0}
    for row in rows:
        key, label = row["key"], row["label"]
        names = blamed.get(key, [])
        out["blamed"] += len(names)
        if not label.startswith("cell:"):
            continue
        column = label.split(":", 1)[1].replace("_", "-")
        out["cell"] += 1
        out["old_right"] += owner.get(key, "").endswith(column)
        hits = [n for n in names if n.endswith(column)]
        out["new_right"] += bool(hits)
        out["new_exact"] += bool(hits) and len(names) == 1
    return out


def main() -> None:
    s = score(Path(sys.argv[1] if len(sys.argv) > 1 else "check.json"))
    n = s["sample"]
    print(f"sample: {n} failed relations, {s['cell']} with one wrong cell, {n - s['cell']} modelling")
    print(f"old engine (the check's claim) right: {s['old_right']}/{n} = {s['old_right'] / n:.1%}")
    print(f"blame engine, wrong cell among the blamed: {s['new_right']}/{n} = {s['new_right'] / n:.1%}")
    print(f"blame engine, wrong cell blamed alone: {s['new_exact']}/{n} = {s['new_exact'] / n:.1%}")
    print(f"claims blamed per failure: {s['blamed'] / n:.2f}")


if __name__ == "__main__":
    main()
