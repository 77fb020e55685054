"""The parameter count of the compute notes' 6·N·D product, checked against the parameters cell.

The fixture (tests/fixtures/epoch/all_ml_systems_fixture_notes-parameters.csv, see the README)
holds real rows of the 2025-08 release: Yi 6B (its notes compute 6 × 7e9 × 3e12 while the cell
says 6B), Gemma 3 27B and Stable Code 3B (the notes' count is the cell's, to 5%), Neural LM (an
"effective" count the notes derive on purpose), Qwen2.5-Coder (32B) ("32.5 parameters *10^9"),
Qwen3-30B-A3B (a mixture of experts: the product uses the active parameters) and GAIA-2 (two
products summed); then two edited copies of Yi 6B: its product written as "6ND" with N and D
apart, and one computed with its own count.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_import_epoch import FIXTURES, check, make_root

from kb import contents
from kb.importers.epoch import import_epoch
from kb.importers.epoch.products import parameter_factor, products
from kb.importers.epoch.sixnd import notes_parameters
from kb.results import Results
from kb.verdicts import Verdict

MODELS = FIXTURES / "all_ml_systems_fixture_notes-parameters.csv"
SUFFIX = "-parameters-in-compute-notes"


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[contents.KnowledgeBase, Results]:
    root = make_root(tmp_path_factory.mktemp("notes-parameters"))
    import_epoch(MODELS, root)
    return check(root)


def _verdict(results: Results, model: str) -> Verdict:
    result = results.claims[f"epoch-{model}{SUFFIX}"]
    return next(c.verdict for c in result.checks if c.check_id == "notes-parameters")


def test_notes_that_compute_with_another_parameter_count_are_flagged(
    imported: tuple[contents.KnowledgeBase, Results],
) -> None:
    kb, results = imported
    for model, value, unit in (
        ("yi-6b", "7e9", "parameter"),
        ("yi-6b-n-and-d-apart", "7", "billion parameter"),
    ):
        claim = kb.claims[f"epoch-{model}{SUFFIX}"].claim
        assert (claim.value, claim.unit, claim.quantity) == (value, unit, "total_parameters")
        assert claim.sources[0].locator and "Training compute notes" in claim.sources[0].locator
        assert _verdict(results, model) == Verdict.INCONSISTENT
        check = next(c for c in results.claims[f"epoch-{model}{SUFFIX}"].checks)
        # The row's notes contradict its cell: either may be wrong, the blame says so of both.
        assert f"epoch-{model}-parameters" in check.explained_by


def test_notes_that_use_the_cells_count_pass(imported: tuple[contents.KnowledgeBase, Results]) -> None:
    _, results = imported
    # Stable Code 3B: the notes' 2.7e9 is the cell's 2,796,431,360 to 5% (the name's rounding).
    for model in ("gemma-3-27b", "stable-code-3b", "yi-6b-its-own-count"):
        assert _verdict(results, model) == Verdict.CONSISTENT, model


def test_no_claim_where_the_notes_count_is_not_the_total_or_not_the_computes(
    imported: tuple[contents.KnowledgeBase, Results],
) -> None:
    kb, _ = imported
    # Neural LM: an "effective" count; Qwen3-30B-A3B: active parameters of a mixture of experts;
    # GAIA-2: two products summed; Qwen2.5-Coder: "32.5 parameters *10^9" is read (the product
    # gives the compute) but is no number of its quote as kb reads quotes.
    for model in ("neural-lm", "qwen3-30b-a3b", "gaia-2", "qwen2-5-coder-32b"):
        assert f"epoch-{model}-parameters" in kb.claims, model
        assert f"epoch-{model}{SUFFIX}" not in kb.claims, model


@pytest.mark.parametrize(
    ("notes", "factors"),
    [
        ("6*7*10^9*3*10^12 = 1.26e+23", [7e9, 3e12]),
        ("6ND =  6 * 27B parameters * 14T training tokens = 2.268 × 10^24 FLOP", [27e9, 14e12]),
        ("16 billion * 2.5 trillion * 6 = 2.4e23", [16e9, 2.5e12]),
        ("6 * (37 billion) * (14.8 trillion) = 3e24", [37e9, 14.8e12]),
        ("6ND = 6*32.5 parameters *10^9*5.5*10^12 tokens = 1.0725e+24", [32.5e9, 5.5e12]),
        ("270000 updates x 3.2M batch size x 15 B “connections” x 6", [270000, 3.2e6, 15e9]),
        ("C = 6ND where N = 1.3B parameters, D: 26B tokens", [1.3e9, 26e9]),
        ("512 GPUs * 6 days * 24 hours * 3600 s * 1e14 FLOP/s", None),  # hardware, not 6·N·D
        ("6 * 175B * 300B and 6 * 175B * 300B again", [175e9, 300e9]),  # the same product once
    ],
)
def test_products_in_the_notes_wordings(notes: str, factors: list[float] | None) -> None:
    found = products(notes)
    if factors is None:
        assert found == []
        return
    assert len(found) == 1
    assert [f.value for f in found[0].factors] == pytest.approx(factors)


@pytest.mark.parametrize(
    ("notes", "cell", "epochs", "parameters"),
    [
        ("6*7*10^9*3*10^12", 6e9, None, 7e9),  # unlabelled: the factor nearer the cell
        ("6 * 8T tokens * 24B", 24e9, None, 24e9),  # the other is labelled as data
        ("6 * 2T tokens * 7e9 parameters", 1e12, None, 7e9),  # labelled, whatever the cell
        ("6*3191900*33100000*10", 6906980.0, 10.0, 3191900.0),  # the epochs factor left out
        ("6 * 530B * 270B", 530e9, None, None),  # too close to tell apart
        ("6 * 3e9 active parameters * 36T tokens", 30e9, None, None),  # active: not the total
        ("effective parameters = 3,191,900\n6*3191900*33100000*10", 6906980.0, 10.0, None),
    ],
)
def test_which_factor_counts_the_parameters(
    notes: str, cell: float, epochs: float | None, parameters: float | None
) -> None:
    factor = parameter_factor(products(notes)[0], cell, epochs, notes)
    assert (factor.value if factor is not None else None) == parameters


def test_the_product_must_give_a_compute_cell_and_be_the_only_one() -> None:
    notes = "6*7*10^9*3*10^12 = 1.26e+23"
    found = notes_parameters(notes, 6e9, [1.26e23], None)
    assert found is not None and found.factor.text == "7*10^9"
    assert notes_parameters(notes, 6e9, [2.0e23], None) is None  # another estimate than the cell's
    two = "tokenizer: 6 * 285M parameters * 4.8e11 tokens\nworld model: 6 * 8.4B parameters * 1.5e12 tokens"
    assert notes_parameters(two, 8.685e9, [7.56e22], None) is None  # parts of a sum


@pytest.mark.parametrize(
    "notes", ["", "6", "6 * * 7", "6 x 10^400 * 3", "6*1e308*1e308*1e308", "6 * 2 * 10^400 * 3", "x" * 5000]
)
def test_reading_products_never_fails(notes: str) -> None:
    for p in products(notes):
        parameter_factor(p, 1e9, None, notes)
    notes_parameters(notes, 1e9, [1e23], None)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789.,eE^*x×·()=NDBMTk +-\nparmtokens")), max_size=80))
def test_reading_any_product_never_fails(notes: str) -> None:
    for p in products(notes):
        parameter_factor(p, 1e9, 2.0, notes)
    notes_parameters(notes, 1e9, [1e23], 2.0)
