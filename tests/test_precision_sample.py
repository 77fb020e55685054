"""The hand-labelled precision samples of the Epoch audit and the script that scores them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

from benchmarks import epoch_precision as ep


def _check_json(tmp_path: Path, failed: list[tuple[str, str]]) -> Path:
    claims = [
        {
            "subject": subject,
            "checks": [
                {
                    "key": key,
                    "id": key.split("/")[-1],
                    "verdict": "inconsistent",
                    "members": [],
                    "inputs": {"n": "epoch-x"},
                }
            ],
        }
        for key, subject in failed
    ]
    path = tmp_path / "check.json"
    path.write_text(json.dumps({"claims": claims, "relations": []}), encoding="utf-8")
    return path


def test_committed_samples_are_labelled_and_scored() -> None:
    for path in (ep.BEFORE, ep.AFTER, ep.ADDED):
        rows = list(csv.DictReader(path.open(encoding="utf-8")))
        size = ep.SIZE if path != ep.ADDED else len(rows)
        assert len(rows) == size and len({r["key"] for r in rows}) == size and size
        assert {r["label"] for r in rows} <= {"real", "modelling", "bug"}
        assert all(r["evidence"] and r["csv_row"] for r in rows)
    # A flag in both samples keeps its label.
    before = {r["key"]: r["label"] for r in csv.DictReader(ep.BEFORE.open(encoding="utf-8"))}
    after = {r["key"]: r["label"] for r in csv.DictReader(ep.AFTER.open(encoding="utf-8"))}
    assert all(after[k] == before[k] for k in after.keys() & before.keys())


def test_draw_is_seeded_and_score_counts_labels_and_recall(tmp_path: Path) -> None:
    failed = [(f"check:epoch-m{i}-training-compute/six-n-d", f"M{i}") for i in range(50)]
    check = _check_json(tmp_path, failed)
    folder = tmp_path / "epoch"
    folder.mkdir()
    first, again = ep.draw(check, folder), ep.draw(check, folder)
    assert [r["key"] for r in first] == [r["key"] for r in again] and len(first) == ep.SIZE
    before, after = tmp_path / "before.csv", tmp_path / "after.csv"
    for path, labels in ((before, ["real", "modelling"]), (after, ["real", "real", "bug"])):
        with path.open("w", encoding="utf-8", newline="") as f:
            writer = csv.DictWriter(f, ep.FIELDS)
            writer.writeheader()
            for i, label in enumerate(labels):
                writer.writerow({"key": failed[i][0], "model": f"M{i}" if i else "Gone", "label": label})
    s = ep.score(check, before, after, tmp_path / "none.csv")
    assert s["before"] == {"sample": 2, "real": 1, "modelling": 1, "bug": 0, "in_doubt": 0, "not_raised": 0}
    assert s["after"] == {"sample": 3, "real": 2, "modelling": 0, "bug": 1, "in_doubt": 0, "not_raised": 0}
    assert s["added"]["sample"] == 0
    assert s["recall"] == {"real_before": 1, "still_flagged": 0, "in_doubt_only": 0} and s["lost"] == ["Gone"]


def test_a_flag_blamed_on_assumptions_only_is_in_doubt(tmp_path: Path) -> None:
    data = {
        "claims": [
            {"id": "assume-x", "kind": "assumption", "subject": "x", "checks": []},
            {
                "id": "epoch-a-training-compute",
                "kind": "claim",
                "subject": "A",
                "checks": [
                    {
                        "key": "check:epoch-a-training-compute/default-utilization",
                        "id": "default-utilization",
                        "verdict": "inconsistent",
                        "members": ["epoch-a-training-compute"],
                        "inputs": {"u": "assume-x"},
                        "explained_by": ["assume-x"],
                    },
                    {
                        "key": "check:epoch-a-training-compute/at-most-peak",
                        "id": "at-most-peak",
                        "verdict": "inconsistent",
                        "inputs": {"n": "epoch-a-chips"},
                        "explained_by": ["epoch-a-training-compute", "assume-x"],
                    },
                ],
            },
        ],
        "relations": [],
    }
    path = tmp_path / "check.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    found = ep.flags(path)
    assert found["check:epoch-a-training-compute/default-utilization"]["in_doubt"]
    assert not found["check:epoch-a-training-compute/at-most-peak"]["in_doubt"]
