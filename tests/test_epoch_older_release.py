"""A release older than the one kb was tuned on: what the import summary says about its columns.

The 2025-04 download of Epoch's all_ai_models.csv (GitHub simsharmaa/INFSCI1520, file
all_ai_models.csv at commit 291adcd, last modified 2025-03-11) names the utilization
'Hardware utilization' (no "(MFU)"), the country 'Country (from Organization)', and has no
'Training chip-hours', 'Numerical format', 'Training compute estimation method', cost or
utilization notes column. The test gives the 2025-08 fixture that header and reads the summary.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from test_import_epoch import CHIPS, MODELS, PRICES, check, make_root

from kb.importers.epoch import import_epoch
from kb.importers.epoch.columns import map_columns

RENAMED = {
    "Hardware utilization (MFU)": "Hardware utilization",
    "Country (of organization)": "Country (from Organization)",
}
DROPPED = {
    "Training chip-hours",
    "Numerical format",
    "Training compute estimation method",
    "Training compute cost (2023 USD)",
    "Utilization notes",
}


def _older(tmp_path: Path) -> Path:
    """The 2025-08 fixture with the 2025-04 release's header."""
    with MODELS.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    fields = [RENAMED.get(h, h) for h in rows[0] if h not in DROPPED]
    path = tmp_path / "all_ai_models_fixture_2025-04.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fields)
        writer.writeheader()
        for row in rows:
            writer.writerow({RENAMED.get(k, k): v for k, v in row.items() if k not in DROPPED})
    return path


def test_checks_a_release_cannot_run_name_the_columns_it_lacks(tmp_path: Path) -> None:
    root = make_root(tmp_path / "older")
    report = import_epoch(_older(tmp_path), root, chips=CHIPS, prices=PRICES)
    text = report.text()
    # Each check that runs on no row says which absent column stops it, not "no row gives the
    # numbers it needs": the default utilization needs the estimation method and the format.
    assert (
        "default utilization (language models: 30%): not run (the release has no column for it: "
        "'Training compute estimation method' and 'Numerical format')"
    ) in text
    assert "chip-hours = chips × training time: not run (the release has no column for it: " in text
    assert (
        "cloud price (within ×10): not run (the release has no column for it: 'Training compute cost" in text
    )
    assert "no row gives the numbers it needs" not in text
    # The audit page says the same.
    assert report.as_json()["audit"]["not_run"] == [
        line.removeprefix("check ") for line in text.splitlines() if line.startswith("check ")
    ]
    # What the missing method column changes is said, rather than "its claims and checks are skipped".
    method = next(c for c in report.columns if c.startswith("no column 'Training compute estimation method'"))
    assert "default utilization is not checked" in method and "6·N·D" in method


def test_older_column_names_are_read_and_said(tmp_path: Path) -> None:
    old_root, new_root = make_root(tmp_path / "older"), make_root(tmp_path / "newer")
    report = import_epoch(_older(tmp_path), old_root, chips=CHIPS, prices=PRICES)
    import_epoch(MODELS, new_root, chips=CHIPS, prices=PRICES)
    changes = "\n".join(report.columns)
    # The country column of releases before 2025-08 holds nothing kb checks: not an unknown column.
    assert "Country (from Organization)" not in changes
    # 'Hardware utilization' is read as the MFU of later releases, and the summary says so.
    assert "column 'Hardware utilization': read as model FLOP utilization (MFU)" in changes
    old, _ = check(old_root)
    new, _ = check(new_root)
    utilization = {i: c.claim.value for i, c in new.claims.items() if i.endswith("-utilization")}
    assert utilization and {i: old.claims[i].claim.value for i in utilization} == utilization


def _large_scale(tmp_path: Path) -> Path:
    """The 2025-08 fixture without the columns large_scale_ai_models.csv (2025-06) lacks."""
    dropped = {"Epochs", "Hardware utilization (MFU)", "Utilization notes"}
    with MODELS.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    path = tmp_path / "large_scale_ai_models_fixture.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, [h for h in rows[0] if h not in dropped])
        writer.writeheader()
        writer.writerows({k: v for k, v in row.items() if k not in dropped} for row in rows)
    return path


def test_a_release_without_epochs_or_utilization_says_so(tmp_path: Path) -> None:
    """Epoch's large_scale_ai_models.csv as downloaded in 2025-06 (GitHub
    vaaniarora/Water_Sustainability, commit f111e0f) has no 'Epochs' and no 'Hardware
    utilization' column: 6·N·D and the utilization check run for no row because the columns are
    absent, not because rows left them blank or lack numbers."""
    report = import_epoch(_large_scale(tmp_path), make_root(tmp_path / "large"), chips=CHIPS, prices=PRICES)
    text = report.text()
    assert "6 · parameters · tokens · epochs: not run (the release has no column for it: 'Epochs')" in text
    assert (
        "the row's utilization: not run (the release has no column for it: "
        "'Hardware utilization' / 'Hardware utilization (MFU)')"
    ) in text
    assert "no row gives the numbers it needs" not in text
    # No row left its epochs blank: the release has no such cell.
    assert "blank epochs" not in text and "epochs blank" not in text
    assert "six-n-d: the release has no Epochs column" in text
    assert report.passes and "rows whose passes are unknown (the release has no Epochs column" in text


def test_the_inference_code_column_of_2024_and_2025_releases_is_known() -> None:
    """notable_ai_models.csv of 2024-12 (GitHub Prateekcandwill/aiadmissionkaanalysis, commit
    653b484) and of 2025-06 (vaaniarora/Water_Sustainability, commit f111e0f) have
    'Inference code accessibility' beside 'Training code accessibility': text, read by no check,
    and not an unknown column to add."""
    cm = map_columns(["Model", "Training code accessibility", "Inference code accessibility"])
    assert cm.unknown == []
    assert not any("unknown to kb" in line for line in cm.changes())


def test_a_chip_name_the_chip_table_lacks_is_named(tmp_path: Path) -> None:
    """The 2024-12 notable_ai_models.csv (Prateekcandwill/aiadmissionkaanalysis, 653b484) names
    Skywork-13B's chips 'NVIDIA A800', which the 2025-08 chip table splits into 'NVIDIA A800 PCIe
    40 GB' and others: the skipped check names the chip, so the name to map can be found."""
    with MODELS.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    for row in rows:
        if row["Model"] == "DreamerV3":
            row["Training hardware"] = "NVIDIA A800"
    path = tmp_path / "renamed_chip.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    report = import_epoch(path, make_root(tmp_path / "chip"), chips=CHIPS, prices=PRICES)
    reasons = {s.reason for s in report.skipped if s.model == "DreamerV3" and s.check == "at-most-peak"}
    assert reasons == {"chip not in the chip table: 'NVIDIA A800'"}
    assert "at-most-peak: chip not in the chip table: 'NVIDIA A800'" in report.text()


def test_the_audit_page_of_a_release_without_epochs_says_so(tmp_path: Path) -> None:
    """The audit page says the release has no Epochs column, not that rows leave it blank."""
    pytest.importorskip("kb.site.context")
    from kb.site import audit, writer
    from kb.site.resolve import resolve

    root = make_root(tmp_path / "large")
    import_epoch(_large_scale(tmp_path), root, chips=CHIPS, prices=PRICES)
    kb, results = check(root)
    ctx = resolve(kb, results, "")
    html = writer.render_page(audit.pages(ctx)[0], ctx)
    assert "the release has no Epochs column" in html
    assert "leave the epochs blank" not in html
