"""How exactly a row's figures are taken: whole numbers written as floats ("48.0"), and a chip's
peak, which sources give differently.

The fixture (tests/fixtures/epoch/all_ml_systems_fixture_figures.csv, see the README) holds three
real rows of the 2025-08 release: RoBERTa Base and Galactica, whose epochs cell is a whole number
the export wrote with ".0" ("48.0", the notes' 2.048e12 / 4.3e10 = 47.6 passes rounded; "4.0" for
the paper's 4.25 epochs, 450B tokens over 106B), and BERT-Large, whose utilization 0.2801 its notes
derive with 46 TFLOP/s per TPU v2 where the chip table says 45; then an edited row whose compute is
100% of the V100 peak its notes take (130 TFLOP/s), 4% above the chip table's 125.
"""

from __future__ import annotations

import pytest
from test_import_epoch import CHIPS, FIXTURES, check, make_root

from kb import contents
from kb.importers.epoch import import_epoch, read_cell
from kb.importers.epoch.hardware import PEAK_TOLERANCE
from kb.importers.epoch.notes import figures_near
from kb.results import Results
from kb.verdicts import Verdict

MODELS = FIXTURES / "all_ml_systems_fixture_figures.csv"


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[contents.KnowledgeBase, Results]:
    root = make_root(tmp_path_factory.mktemp("figures"))
    import_epoch(MODELS, root, chips=CHIPS)
    return check(root)


def _verdict(results: Results, claim_id: str, check_id: str) -> Verdict:
    return next(c.verdict for c in results.claims[claim_id].checks if c.check_id == check_id)


@pytest.mark.parametrize(
    ("text", "count", "literals"),
    [
        ("48.0", False, ("48",)),  # an epoch count, 47.5 to 48.5
        ("1.0", False, ("1",)),
        ("4.00", False, ("4",)),
        ("1.25", False, ("1.25",)),  # decimals that are not all zeros keep every digit
        ("8.0", True, ("8.0",)),  # 8 chips: 7.95 to 8.05 holds the one whole number 8
        ("512.0", True, ("512",)),
    ],
)
def test_a_zero_decimal_part_is_the_exports(text: str, count: bool, literals: tuple[str, ...]) -> None:
    n = read_cell(text, count=count)
    assert n is not None and n.literals == literals


def test_whole_epochs_are_read_as_whole_numbers(imported: tuple[contents.KnowledgeBase, Results]) -> None:
    kb, results = imported
    # RoBERTa Base: 6 x 125M x 2.048T = 1.536e21, the compute cell, is 47.6 passes over the 43B
    # tokens the dataset cell holds; its epochs cell, "48.0", is the notes' 48. Read as 47.95 to
    # 48.05 it failed (x1.008); read as 48 (47.5 to 48.5) it holds.
    assert kb.claims["epoch-roberta-base-epochs"].claim.value == "48"
    assert _verdict(results, "epoch-roberta-base-training-compute", "six-n-d") == Verdict.CONSISTENT
    # Galactica: 450B tokens over a 106B-token data set are 4.25 passes; its cell says "4.0".
    assert kb.claims["epoch-galactica-epochs"].claim.value == "4"
    assert _verdict(results, "epoch-galactica-training-compute", "six-n-d") == Verdict.CONSISTENT


def test_chip_counts_stay_whole(imported: tuple[contents.KnowledgeBase, Results]) -> None:
    kb, _ = imported
    claim = kb.claims["epoch-edited-v100-run-at-the-notes-peak-hardware-quantity"].claim
    assert claim.value == "8.0"
    assert kb.claims["epoch-edited-v100-run-at-the-notes-peak-training-time"].claim.value == "336"


def test_the_peak_bound_allows_the_documented_spread_of_peak_figures(
    imported: tuple[contents.KnowledgeBase, Results],
) -> None:
    kb, results = imported
    cid = "epoch-edited-v100-run-at-the-notes-peak-training-compute"
    # 8 x 130 TFLOP/s x 336 h = 1.258e21 is 104% of 8 x 125 TFLOP/s (the chip table's) x 336 h:
    # possible at the peak figure the notes take, so not flagged as impossible.
    [bound] = [c for c in kb.claims[cid].claim.checks if c.id == "at-most-peak"]
    assert bound.tolerance is not None and bound.tolerance.relative == PEAK_TOLERANCE
    assert "V100" in bound.tolerance.reason
    result = next(c for c in results.claims[cid].checks if c.check_id == "at-most-peak")
    assert (result.verdict, result.basis) == (Verdict.CONSISTENT, "tolerance")


def test_the_utilization_is_checked_at_the_peak_its_notes_divide_by(
    imported: tuple[contents.KnowledgeBase, Results],
) -> None:
    kb, results = imported
    # BERT-Large: "96 h * 3600 s/h * 64 GPU * 4.6e13 FLOP/GPU-s = 1.017e21 FLOP; 2.85e20 / 1.017e21
    # = 0.2801". At the chip table's 45 TFLOP/s the cells gave 2.79e20 for 2.85e20 (x0.978).
    peak = kb.claims["epoch-bert-large-utilization-peak"].claim
    assert (peak.value, peak.unit, peak.quantity) == ("4.6e13", "FLOP/s/chip", "peak_throughput")
    assert peak.sources[0].locator and "Utilization notes" in peak.sources[0].locator
    assert all(
        found is not False for found in results.claims["epoch-bert-large-utilization-peak"].quote_found
    )
    [hardware] = [
        c for c in kb.claims["epoch-bert-large-training-compute"].claim.checks if c.id == "hardware"
    ]
    assert hardware.inputs["peak"] == "epoch-bert-large-utilization-peak"
    assert _verdict(results, "epoch-bert-large-training-compute", "hardware") == Verdict.CONSISTENT
    # The notes' figure is one of the peaks sources give for the chip: the table's to 5%.
    assert _verdict(results, "epoch-bert-large-utilization-peak", "chip-table-peak") == Verdict.CONSISTENT
    # The bound on the compute keeps the table's fastest peak.
    [bound] = [
        c for c in kb.claims["epoch-bert-large-training-compute"].claim.checks if c.id == "at-most-peak"
    ]
    assert bound.inputs["peak"] == "epoch-chip-google-tpu-v2-tensor16"


@pytest.mark.parametrize(
    ("notes", "found"),
    [
        ("64 GPU * 4.6e13 FLOP/GPU-s = 1.017e21 FLOP", ["4.6e13"]),
        ("a TPU v2 does 4.6e+13.", ["4.6e13"]),  # at the end of a sentence
        ("512 * 130e12 = 66.56 PetaFLOP/s", []),  # far from 4.5e13: another chip's peak
        ("a peak of 4.5e13 (the table's) and 2.85e20 FLOP", []),  # the table's own figure, or far
        ("4.6e13 or 4.4e+13", ["4.6e13", "4.4e13"]),  # two: which one was used is unclear
    ],
)
def test_peak_figures_in_notes(notes: str, found: list[str]) -> None:
    assert figures_near(notes, 4.5e13, PEAK_TOLERANCE) == found
