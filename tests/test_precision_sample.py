"""The hand-labelled precision samples of the Epoch audit and the script that scores them."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from benchmarks import blame_sample as bs
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
    for path in (ep.BEFORE, ep.AFTER, ep.ADDED, ep.NOTES, ep.EVERY):
        rows = list(csv.DictReader(path.open(encoding="utf-8")))
        size = ep.SIZE if path in (ep.BEFORE, ep.AFTER) else len(rows)
        assert len(rows) == size and len({r["key"] for r in rows}) == size and size
        assert {r["label"] for r in rows} <= {"real", "modelling", "bug"}
        assert all(r["evidence"] and r["csv_row"] for r in rows)
    # A flag in both samples keeps its label.
    before = {r["key"]: r["label"] for r in csv.DictReader(ep.BEFORE.open(encoding="utf-8"))}
    after = {r["key"]: r["label"] for r in csv.DictReader(ep.AFTER.open(encoding="utf-8"))}
    assert all(after[k] == before[k] for k in after.keys() & before.keys())
    # Every flag of the snapshot is labelled as the samples label it.
    every = {r["key"]: r["label"] for r in csv.DictReader(ep.EVERY.open(encoding="utf-8"))}
    assert after.keys() <= every.keys() and all(every[k] == after[k] for k in after)


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
    s = ep.score(check, before, after, tmp_path / "none.csv", tmp_path / "none.csv")
    assert s["before"] == {"sample": 2, "real": 1, "modelling": 1, "bug": 0, "in_doubt": 0, "not_raised": 0}
    assert s["after"] == {"sample": 3, "real": 2, "modelling": 0, "bug": 1, "in_doubt": 0, "not_raised": 0}
    assert s["added"]["sample"] == 0 and s["notes"]["sample"] == 0
    assert s["recall"] == {"real_before": 1, "still_flagged": 0, "in_doubt_only": 0} and s["lost"] == ["Gone"]


def test_score_labels_counts_per_relation_and_names_unlabelled_flags(tmp_path: Path) -> None:
    failed = [(f"check:epoch-m{i}-training-compute/{rel}", f"M{i}") for i, rel in enumerate(["a", "a", "b"])]
    check = _check_json(tmp_path, failed)
    labels = tmp_path / "labels.csv"
    with labels.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, ["key", "relation", "label"])
        writer.writeheader()
        writer.writerow({"key": failed[0][0], "relation": "a", "label": "real"})
        writer.writerow({"key": failed[1][0], "relation": "a", "label": "modelling"})
        writer.writerow({"key": "check:gone/x", "relation": "b", "label": "real"})
    lines = ep.score_labels(check, labels)
    assert lines[0] == "every flag: 2/3 real data problems = 67%"
    assert "  a: 1/2" in lines and "  b: 1/1" in lines
    assert "raised but not labelled: 1 (label them before quoting the score)" in lines
    assert "labelled but no longer raised: 1" in lines


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


def _blame_json(tmp_path: Path) -> Path:
    """Five failed relations of rows A to E and what kb blamed for each:
    A: compute = 6·N·D fails, its dataset size condemned alone;
    B: the same, parameters, compute and dataset size all suspect;
    C: the hardware equality fails, the default utilization in doubt (no cell blamed);
    D: chips x time = chip-hours fails, the time condemned;
    E: a law fails (a relation, not a check), nothing blamed."""

    def cell(model: str, name: str, standing: str = "", by: tuple[str, ...] = ()) -> dict[str, object]:
        return {
            "id": f"epoch-{model}-{name}",
            "kind": "claim",
            "subject": model.upper(),
            "standing": standing or None,
            "condemned_by": list(by),
            "checks": [],
        }

    def check(model: str, owner: str, rel: str, inputs: dict[str, str]) -> tuple[str, dict[str, object]]:
        key = f"check:epoch-{model}-{owner}/{rel}"
        return key, {
            "key": key,
            "id": rel,
            "verdict": "inconsistent",
            "members": [f"epoch-{model}-{owner}"],
            "inputs": {
                k: f"epoch-{model}-{v}" if not v.startswith("assume-") else v for k, v in inputs.items()
            },
        }

    six = {"n": "parameters", "d": "dataset-size"}
    ka, ca = check("a", "training-compute", "six-n-d", six)
    kb_, cb = check("b", "training-compute", "six-n-d", six)
    kc, cc = check(
        "c", "training-compute", "default-utilization", {"n": "hardware-quantity", "u": "assume-u"}
    )
    kd, cd = check("d", "chip-hours", "chips-times-time", {"n": "hardware-quantity", "t": "training-time"})
    ke = "law:utilization-at-most-one/E/1"
    claims = [
        {**cell("a", "training-compute"), "checks": [ca]},
        cell("a", "parameters"),
        cell("a", "dataset-size", "condemned", (ka,)),
        {**cell("b", "training-compute", "suspect", (kb_,)), "checks": [cb]},
        cell("b", "parameters", "suspect", (kb_,)),
        cell("b", "dataset-size", "suspect", (kb_,)),
        {**cell("c", "training-compute"), "checks": [cc]},
        cell("c", "hardware-quantity"),
        {
            "id": "assume-u",
            "kind": "assumption",
            "subject": "u",
            "standing": "in_doubt",
            "condemned_by": [kc],
            "checks": [],
        },
        {**cell("d", "chip-hours"), "checks": [cd]},
        cell("d", "hardware-quantity"),
        cell("d", "training-time", "condemned", (kd,)),
        cell("e", "utilization"),
    ]
    relations = [
        {
            "key": ke,
            "id": "utilization-at-most-one",
            "law": "utilization-at-most-one",
            "verdict": "inconsistent",
            "members": ["epoch-e-utilization"],
        }
    ]
    path = tmp_path / "check.json"
    path.write_text(json.dumps({"claims": claims, "relations": relations}), encoding="utf-8")
    return path


def _labels(tmp_path: Path, labels: dict[str, str]) -> Path:
    path = tmp_path / "labels.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, bs.FIELDS)
        writer.writeheader()
        for key, label in labels.items():
            writer.writerow({"key": key, "model": key.split("/")[0][-20:], "label": label})
    return path


def test_committed_blame_sample_is_labelled() -> None:
    rows = list(csv.DictReader(bs.SAMPLE.open(encoding="utf-8")))
    assert len(rows) == bs.SIZE and len({r["key"] for r in rows}) == bs.SIZE
    for r in rows:
        assert r["label"] in ("modelling", "bug") or bs.wrong_cells(r["label"]), r["label"]
        assert r["evidence"] and r["csv_row"] and r["relation"]
    # The first sample is kept as a record, and still scores (most of its keys no longer fail).
    assert len(list(csv.DictReader(bs.V1.open(encoding="utf-8")))) == bs.SIZE


def test_blame_draw_is_seeded_and_records_what_was_blamed(tmp_path: Path) -> None:
    check = _blame_json(tmp_path)
    folder = tmp_path / "epoch"
    folder.mkdir()
    (folder / "models-2020.yaml").write_text(
        "claims:\n- id: epoch-b-parameters\n  subject: B\n  locator: row 17, Parameters\n", encoding="utf-8"
    )
    drawn = bs.draw(check, folder)
    assert len(drawn) == 5 and [r["key"] for r in drawn] == [r["key"] for r in bs.draw(check, folder)]
    assert [r["key"] for r in bs.draw(check, folder, seed=1)] != [r["key"] for r in drawn] or len(drawn) < 3
    by = {r["model"]: r for r in drawn}
    assert by["B"]["csv_row"] == "17" and by["A"]["csv_row"] == ""
    assert by["A"]["blamed"] == "epoch-a-dataset-size:condemned"
    assert set(by["B"]["blamed"].split()) == {
        "epoch-b-training-compute:suspect",
        "epoch-b-parameters:suspect",
        "epoch-b-dataset-size:suspect",
    }
    assert by["C"]["blamed"] == "assume-u:in_doubt" and by["E"]["blamed"] == ""
    assert by["C"]["members"].split() == ["epoch-c-training-compute", "epoch-c-hardware-quantity", "assume-u"]
    assert by["E"]["relation"] == "utilization-at-most-one" and all(r["label"] == "" for r in drawn)
    assert len(bs.draw(check, folder, size=2)) == 2


def test_blame_score_separates_hits_misses_and_false_accusations(tmp_path: Path) -> None:
    check = _blame_json(tmp_path)
    keys = [*bs.blame(check), "law:utilization-at-most-one/E/1"]
    ka, kb_, kc, kd, ke = sorted(keys)  # check:...-a, -b, -c, -d, then law:
    labels = {
        ka: "cell:dataset_size",  # condemned alone: a hit, alone
        kb_: "cells:epochs|parameters",  # one of the two among three suspects: a hit, not alone
        kc: "cell:training_compute",  # only the assumption in doubt: a miss, no cell accused
        kd: "cell:hardware_quantity",  # the time condemned instead: a miss accusing another cell
        ke: "modelling",  # nothing blamed
        "check:epoch-gone-training-compute/six-n-d": "cell:epochs",  # no longer fails
    }
    s = bs.score(check, _labels(tmp_path, labels))
    assert (s["sample"], s["not_raised"], s["cell"], s["modelling"]) == (6, 1, 4, 1)
    assert (s["among"], s["alone"], s["missed_doubt"]) == (2, 1, 1)
    assert s["blamed_cell"] == 1 + 3 + 1 + 1 and s["blamed"] == 6
    assert s["every"] == 1  # B: compute, parameters and dataset size are every cell of its relation
    assert s["owner"] == 1  # C: its check's own claim is the wrong cell, though blame spares it
    assert [m[1] for m in s["missed"]] == [kc, kd]
    assert (s["accused"], s["in_doubt"], s["nothing"]) == (0, 0, 1)
    # A modelling failure: suspects are a false accusation, an assumption in doubt is not.
    s = bs.score(check, _labels(tmp_path, {kb_: "modelling", kc: "modelling", kd: "cell:chip_hours"}))
    assert (s["accused"], s["accused_every"], s["in_doubt"], s["nothing"]) == (1, 1, 1, 0)
    assert s["owner"] == 1 and s["among"] == 0
    lines = bs.report(s)
    assert "modelling failures where kb accuses a cell: 1/2 = 50% (every cell of the relation: 1)" in lines
    assert any(line.startswith("  missed: ") and "chip_hours" in line for line in lines)
    try:
        bs.score(check, _labels(tmp_path, {ka: "real"}))
    except ValueError as e:
        assert "unknown label" in str(e)
    else:
        raise AssertionError("an unknown label must not be scored")


def test_wrong_cells_reads_cell_and_cells_labels() -> None:
    assert bs.wrong_cells("cell:dataset_size") == ["dataset-size"]
    assert bs.wrong_cells("cells:training_time|chip_hours") == ["training-time", "chip-hours"]
    assert bs.wrong_cells("modelling") == [] and bs.wrong_cells("bug") == [] and bs.wrong_cells("cell:") == []


def test_blame_main_draws_a_csv_and_prints_the_figures(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    check = _blame_json(tmp_path)
    folder = tmp_path / "epoch"
    folder.mkdir()
    bs.main(["draw", str(check), str(folder)])
    drawn = list(csv.DictReader(capsys.readouterr().out.splitlines()))
    assert len(drawn) == 5 and list(drawn[0]) == list(bs.FIELDS)
    labels = _labels(tmp_path, {r["key"]: "modelling" for r in drawn})
    bs.main([str(check), str(labels)])
    out = capsys.readouterr().out
    assert "5 modelling" in out and "accuses a cell: 3/5 = 60%" in out
    assert "modelling failures with an assumption in doubt: 1, with nothing blamed: 1" in out
