"""How many of the Epoch audit's flags are real data problems? A hand-labelled, seeded sample.

A flag is a failed relation (a check, a relation or a law instance) of the imported claims. The
samples (benchmarks/labels/epoch-2025-08-flags-{before,after}.csv) are 40 flags each, drawn with
random.Random(SEED) from the flags of the 2025-08 snapshot before and after issue 11, and labelled
by reading the row's cells and notes: `real` (a cell is wrong, or the row's cells contradict each
other or its notes), `modelling` (the row is right; kb's relation does not apply as written) or
`bug` (kb misread a cell). A data set size that holds tokens where the notes say tokens counts as
`modelling`: the notes decide the unit (the column's convention, words, is reported apart). The
"after" sample reuses the label of a flag the same row had before, where the flag is the same.

    cp -r claims /tmp/kb-epoch && cd /tmp/kb-epoch
    kb import epoch .../all_ml_systems_2025-08.csv --chips .../chips.csv --prices .../hardware_prices.csv
    kb check --format json > check.json
    python -m benchmarks.epoch_precision draw check.json claims/epoch > to-label.csv   # a new sample
    python -m benchmarks.epoch_precision score check.json                              # the figures
    python -m benchmarks.epoch_precision score-labels check.json LABELS.csv # label file of all

Precision is the share of the sample's flags labelled `real`; recall compares the rows of the
`real` flags of the "before" sample with the rows flagged now (a row whose problem is still
flagged by any relation counts as kept).

A flag is *in doubt* when the blame falls on labelled assumptions only (Epoch's default
utilization that a hardware-only estimate may not have used): the audit page lists it last and
blames no cell. Such flags count as flags here (they are findings the maintainers read), and the
score says how many of the sample's flags and of the kept real problems are in doubt.

The "after" sample was redrawn (same seed) when the default-utilization relations added flags:
a flag already labelled kept its label. Every flag those relations raise on the snapshot is
labelled in benchmarks/labels/epoch-2025-08-flags-default-utilization.csv (all of them, not a
sample), scored apart.

It was redrawn again (same seed, labels kept; the four flags it drew that had none were labelled)
when the relation between the parameter count of the compute notes' 6·N·D product and the
parameters cell added a flag (Yi 6B); every flag that relation raises on the snapshot is labelled
in benchmarks/labels/epoch-2025-08-flags-notes-parameters.csv, scored apart.

It was redrawn again (same seed, labels kept; the fourteen flags it drew that had none were
labelled by reading their rows) when three rules about how exactly a row's figures are taken
removed three flags: a numeric cell whose decimals are all zeros ("48.0") is the whole number the
export wrote (RoBERTa Base, Galactica), and a row's utilization is checked at the peak its notes
divide by where they write one near the chip table's (BERT-Large); the removed flags and their
labels are in benchmarks/labels/epoch-2025-08-flags-removed-by-figures.csv. So that a figure does
not rest on one draw of 40, every flag the snapshot raises is labelled in
benchmarks/labels/epoch-2025-08-flags-every.csv (the labels of the samples, and the others read
from their rows), scored apart.
"""

from __future__ import annotations

import csv
import json
import random
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

LABELS = Path(__file__).with_name("labels")
BEFORE = LABELS / "epoch-2025-08-flags-before.csv"
AFTER = LABELS / "epoch-2025-08-flags-after.csv"
ADDED = LABELS / "epoch-2025-08-flags-default-utilization.csv"
NOTES = LABELS / "epoch-2025-08-flags-notes-parameters.csv"
EVERY = LABELS / "epoch-2025-08-flags-every.csv"
SCORED_APART = {
    "added": "every default-utilization flag",
    "notes": "every notes-parameters flag",
    "every": "every flag of the snapshot",
}
SEED = 20261211
SIZE = 40
FIELDS = ("key", "model", "csv_row", "relation", "factor", "label", "evidence")


def flags(check_json: Path) -> dict[str, dict[str, Any]]:
    """Key -> the failed relation, for every relation of the import's claims that failed; its
    `in_doubt` is True when the blame falls on labelled assumptions only."""
    data = json.loads(check_json.read_text(encoding="utf-8"))
    assumptions = {c["id"] for c in data["claims"] if c.get("kind") == "assumption"}
    out: dict[str, dict[str, Any]] = {}
    for claim in data["claims"]:
        for check in claim["checks"]:
            names = [*check.get("members", []), *check.get("inputs", {}).values()]
            if check["verdict"] == "inconsistent" and any(n.startswith("epoch-") for n in names):
                out.setdefault(check["key"], {**check, "subject": claim["subject"]})
    for rel in data["relations"]:
        if rel["verdict"] == "inconsistent" and any(m.startswith("epoch-") for m in rel.get("members", [])):
            out.setdefault(rel["key"], {**rel, "subject": rel["key"].split("/")[1]})
    for f in out.values():
        blamed = f.get("explained_by") or []
        f["in_doubt"] = bool(blamed) and set(blamed) <= assumptions
    return out


def csv_rows(folder: Path) -> dict[str, str]:
    """Subject -> the CSV row number its claims cite (from the import's locators)."""
    out: dict[str, str] = {}
    for path in folder.glob("models-*.yaml"):
        subject = ""
        for line in path.read_text(encoding="utf-8").splitlines():
            if m := re.match(r"\s+subject: (.*)", line):
                subject = m.group(1).strip().strip("'\"")
            elif (m := re.match(r"\s+locator: row (\d+),", line)) and subject:
                out.setdefault(subject, m.group(1))
    return out


def draw(
    check_json: Path,
    folder: Path,
    seed: int = SEED,
    size: int = SIZE,
    more: Callable[[str, dict[str, Any]], dict[str, str]] | None = None,
) -> list[dict[str, str]]:
    """A seeded sample of the import's flags (all of them if fewer than size), each a row to label;
    `more(key, flag)` adds columns before the label."""
    found = flags(check_json)
    rows = csv_rows(folder)
    keys = random.Random(seed).sample(sorted(found), min(size, len(found)))
    out = []
    for key in keys:
        f = found[key]
        factor = f.get("factor")
        row = {
            "key": key,
            "model": f["subject"],
            "csv_row": rows.get(f["subject"], ""),
            "relation": f.get("law") or f["id"],
            "factor": f"{factor:.3g}" if factor else "",
        }
        out.append(row | (more(key, f) if more else {}) | {"label": "", "evidence": ""})
    return out


def write_sample(rows: list[dict[str, str]], fields: tuple[str, ...]) -> None:
    """A drawn sample as CSV on standard output, to label."""
    writer = csv.DictWriter(sys.stdout, fields)
    writer.writeheader()
    writer.writerows(rows)


def score(
    check_json: Path,
    before: Path = BEFORE,
    after: Path = AFTER,
    added: Path = ADDED,
    notes: Path = NOTES,
    every: Path = EVERY,
) -> dict[str, Any]:
    now = flags(check_json)
    flagged_models = {f["subject"] for f in now.values()}
    firm_models = {f["subject"] for f in now.values() if not f["in_doubt"]}
    out: dict[str, Any] = {}
    named = (("before", before), ("after", after), ("added", added), ("notes", notes), ("every", every))
    for name, path in named:
        rows = list(csv.DictReader(path.open(encoding="utf-8"))) if path.exists() else []
        labels = [r["label"] for r in rows]
        out[name] = {
            "sample": len(rows),
            "real": labels.count("real"),
            "modelling": labels.count("modelling"),
            "bug": labels.count("bug"),
            "in_doubt": sum(1 for r in rows if now.get(r["key"], {}).get("in_doubt")),
            "not_raised": sum(1 for r in rows if r["key"] not in now) if name != "before" else 0,
        }
    real_before = [r for r in csv.DictReader(before.open(encoding="utf-8")) if r["label"] == "real"]
    kept = [r for r in real_before if r["model"] in flagged_models]
    out["recall"] = {
        "real_before": len(real_before),
        "still_flagged": len(kept),
        "in_doubt_only": sum(1 for r in kept if r["model"] not in firm_models),
    }
    out["lost"] = [r["model"] for r in real_before if r["model"] not in flagged_models]
    out["flags_now"] = len(now)
    out["in_doubt_now"] = sum(1 for f in now.values() if f["in_doubt"])
    return out


def score_labels(check_json: Path, labels: Path) -> list[str]:
    """Lines scoring a label file that covers every flag of check_json (another release's audit):
    real / labelled overall and per relation, and which flags are raised but not labelled or
    labelled but no longer raised."""
    now = flags(check_json)
    rows = list(csv.DictReader(labels.open(encoding="utf-8")))
    keys = {r["key"] for r in rows}
    by_check: dict[str, list[str]] = {}
    for r in rows:
        by_check.setdefault(r["relation"], []).append(r["label"])
    real = sum(r["label"] == "real" for r in rows)
    out = [f"every flag: {real}/{len(rows)} real data problems = {real / max(len(rows), 1):.0%}"]
    out += [f"  {name}: {found.count('real')}/{len(found)}" for name, found in sorted(by_check.items())]
    if set(now) - keys:
        out.append(f"raised but not labelled: {len(set(now) - keys)} (label them before quoting the score)")
    if keys - set(now):
        out.append(f"labelled but no longer raised: {len(keys - set(now))}")
    return out


def main(argv: list[str]) -> None:
    if argv[:1] == ["draw"]:
        write_sample(draw(Path(argv[1]), Path(argv[2])), FIELDS)
        return
    if argv[:1] == ["score-labels"]:
        print("\n".join(score_labels(Path(argv[1]), Path(argv[2]))))
        return
    s = score(Path(argv[1] if len(argv) > 1 else "check.json"))
    for name in ("before", "after", *SCORED_APART):
        x = s[name]
        if not x["sample"]:
            continue
        extra = f", {x['in_doubt']} of them in doubt" if x["in_doubt"] else ""
        stale = f"; {x['not_raised']} no longer raised" if x["not_raised"] else ""
        title = SCORED_APART.get(name, name)
        print(
            f"{title}: {x['real']}/{x['sample']} real data problems = {x['real'] / max(x['sample'], 1):.0%} "
            f"({x['modelling']} kb modelling, {x['bug']} kb bugs{extra}){stale}"
        )
    r = s["recall"]
    doubt = f" ({r['in_doubt_only']} only by a finding in doubt)" if r["in_doubt_only"] else ""
    print(
        f"recall: {r['still_flagged']}/{r['real_before']} real problems of the before sample "
        f"still flagged{doubt}"
    )
    if s["lost"]:
        print("  no longer flagged: " + ", ".join(s["lost"]))
    print(f"flags now: {s['flags_now']} ({s['in_doubt_now']} in doubt)")


if __name__ == "__main__":
    main(sys.argv[1:])
