"""The total parameter count the Parameters notes state, checked against the cell for a scale slip.

The rows below are real rows of Epoch AI's 2026-05 release (GitHub Jav97970/ai-frontier-concentration,
all_ai_models.csv at commit 562717b, the first pages: the newest models), with only the columns
this check reads: DeepSeek-V4-Flash (cell 284000000.0 where the notes say "284B total, 13B
active": a dropped "thousand"), DeepSeek-V4-Pro, Ling-2.6-flash, Nemotron 3 Super, Composer 2 and
MiniMax-M2.5 (a mixture of experts whose notes give the total and the active count, the cell the
total), Arcee Trinity Large (the notes' 400B is the cell's 398 billion rounded), Grok 4.3 Beta
(another model's 1T beside the row's 500B) and π0.7 (the counts of its parts and of the model it
is initialized from). Then edited copies, named "(edited: ...)": the cell set to the active count
at another scale, to a total 1000 times too large, and notes that give a range or the count of
the base model.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from test_import_epoch import LEADING_COLUMNS, import_rows, make_root

from kb import contents
from kb.importers.epoch import import_epoch
from kb.importers.epoch.scale import NAME, scale_slip, total_count
from kb.results import Results
from kb.verdicts import Verdict

SUFFIX = "-parameters-in-parameters-notes"
COLUMNS = (
    *LEADING_COLUMNS,
    "Confidence",
    "Base model",
)
PI_NOTES = (
    '"nitialized from the Gemma3 4B-parameter VLM [106] [...] (including a 400M-parameter vision '
    "encoder), and a flow\nmatching action expert with 860M parameters. The model\nhas about 5B total "
    'parameters."'
)
GROK_NOTES = (
    '"Supplemental training has been added to 4.3. \n\nGrok 4.4 will be twice the size (1T) with '
    'training data through early April. Probably ready for release in early May. " from Elon '
    "(https://x.com/elonmusk/status/2045590599206875216?s=20) implies 500B parameters, assumed to be "
    "total #. "
)
ROWS = (
    ("DeepSeek-V4-Pro", "2026-04-24", "1600000000000.0", "1.6T total, 49B active", "9.702e+24",
     "6 * 49e9 active parameters * 33e12 tokens = 9.702E24 for pre-training", ""),
    ("DeepSeek-V4-Flash", "2026-04-24", "284000000.0", "284B total, 13B active", "2.496e+24",
     "6 * 13e9 active parameters * 32e12 tokens = 2.496E24 for pre-training", ""),
    ("Ling-2.6-flash", "2026-04-21", "104000000000.0", "104B total parameters and 7.4B active parameters.",
     "", "", ""),
    ("Grok 4.3 Beta", "2026-04-17", "500000000000.0", GROK_NOTES, "", "", ""),
    ("π0.7 (pi-0.7)", "2026-04-16", "5260000000.0", PI_NOTES, "", "", ""),
    ("Nemotron 3 Super", "2026-03-11", "120000000000.0",
     '"The new Super model is a 120B total, 12B active-parameter"', "", "", ""),
    ("Composer 2", "2026-03-19", "1040000000000.0", "Based on Kimi K2.5; 1.04T total, 32B active parameters",
     "2.32e+25", "4 x 5.8e24 = 2.32e25", "Kimi K2.5"),
    ("Arcee Trinity Large", "2026-02-19", "398000000000.0",
     '"We present the technical report for Arcee Trinity Large, a sparse Mixture-of-Experts model with '
     '400B total parameters and 13B activated per token"', "1.326e+24",
     "13e9 active parameters * 17e12 tokens * 6 = 1.326e24 FLOPs estimated", ""),
    ("MiniMax-M2.5", "2026-02-12", "229000000000.0", "HF lists 229B params\n10B active parameters",
     "", "", ""),
    # Edited copies.
    ("DeepSeek-V4-Flash (edited: active cell)", "2026-04-24", "13000000.0", "284B total, 13B active",
     "", "", ""),
    ("Nemotron 3 Super (edited: cell x1000)", "2026-03-11", "120000000000000.0",
     '"The new Super model is a 120B total, 12B active-parameter"', "", "", ""),
    ("Ling-2.6-flash (edited: range)", "2026-04-21", "104000000.0", "104B-120B parameters", "", "", ""),
    ("Composer 2 (edited: base count)", "2026-03-19", "1040000000.0",
     "Fine-tuned from Kimi K2.5 (1.04T parameters)", "", "", "Kimi K2.5"),
)  # fmt: skip


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[contents.KnowledgeBase, Results]:
    rows = [
        (name, "Language", date, params, notes, compute, compute_notes, "Likely", base)
        for name, date, params, notes, compute, compute_notes, base in ROWS
    ]
    return import_rows(tmp_path_factory.mktemp("scale"), "all_ai_models_2026-05_fixture.csv", COLUMNS, rows)


def _claim_ids(kb: contents.KnowledgeBase) -> set[str]:
    return {cid for cid in kb.claims if cid.endswith(SUFFIX)}


def test_a_cell_with_the_notes_digits_at_another_scale_is_flagged(
    imported: tuple[contents.KnowledgeBase, Results],
) -> None:
    kb, results = imported
    for model, value, unit, multiplier in (
        ("deepseek-v4-flash", "284", "billion parameter", 1e3),
        ("nemotron-3-super-edited-cell-x1000", "120", "billion parameter", 1e-3),
    ):
        claim = kb.claims[f"epoch-{model}{SUFFIX}"].claim
        assert (claim.value, claim.unit, claim.quantity) == (value, unit, "total_parameters")
        assert claim.sources[0].locator and "Parameters notes" in claim.sources[0].locator
        result = results.claims[f"epoch-{model}{SUFFIX}"]
        relation = next(c for c in result.checks if c.check_id == NAME)
        assert relation.verdict == Verdict.INCONSISTENT
        # The cell is blamed, not the notes, and the fix is the notes' figure by a named slip.
        assert relation.explained_by == [f"epoch-{model}-parameters"]
        cell = results.claims[f"epoch-{model}-parameters"]
        assert cell.suggested is not None and cell.suggested.multiplier == pytest.approx(multiplier)
        assert cell.suggested.slip == "thousand"
        # The suggestion is in the cell's unit: 284,000 million parameters for 284 billion.
        per = {"million parameter": 1e6, "trillion parameter": 1e12}[cell.suggested.unit]
        assert cell.suggested.lo * per <= float(value) * 1e9 <= cell.suggested.hi * per


@pytest.mark.parametrize(
    "model",
    [
        "deepseek-v4-pro",  # 1.6T total = the cell; the 49B active is not read as the total
        "ling-2-6-flash",
        "grok-4-3-beta",  # 500B beside another model's 1T: unclear, not read
        "pi-0-7-pi-0-7",  # parts and the model it is initialized from: unclear, not read
        "nemotron-3-super",
        "composer-2",
        "arcee-trinity-large",  # 400B for the cell's 398 billion: rounding, left alone
        "minimax-m2-5",
        "deepseek-v4-flash-edited-active-cell",  # 13e6 has the active count's digits, not the total's
        "ling-2-6-flash-edited-range",
        "composer-2-edited-base-count",
    ],
)
def test_rows_not_flagged(imported: tuple[contents.KnowledgeBase, Results], model: str) -> None:
    kb, _ = imported
    assert f"epoch-{model}-parameters" in kb.claims  # the row was imported
    assert f"epoch-{model}{SUFFIX}" not in kb.claims


def test_only_the_slips_make_claims(imported: tuple[contents.KnowledgeBase, Results]) -> None:
    kb, _ = imported
    assert _claim_ids(kb) == {
        f"epoch-deepseek-v4-flash{SUFFIX}",
        f"epoch-nemotron-3-super-edited-cell-x1000{SUFFIX}",
    }


@pytest.mark.parametrize(
    ("notes", "total"),
    [
        ("284B total, 13B active", 284e9),
        ("1.6T total, 49B active", 1.6e12),
        ("104B total parameters and 7.4B active parameters.", 104e9),
        ("HF lists 229B params\n10B active parameters", 229e9),
        ('"it comprises 397 billion total parameters"', 397e9),
        ("6B", 6e9),
        ("16 billion", 16e9),
        ("~7B parameters", 7e9),
        ("Parameters: 6.7e9", 6.7e9),
        ("7 billion parameters, trained on 2T tokens", 7e9),
        ('"The model has 13B parameters (13B)"', 13e9),
        # Mixture-of-experts wordings of the 2026-05 release (Mistral 3 Large, A.X K1, VAETKI,
        # INTELLECT-3, Solar Open 100B): the total is read, the active count is left beside it.
        ("a sparse mixture-of-experts trained with 41B active and 675B total parameters.", 675e9),
        ("MoE Architecture, Total parameters 519B, Active parameters 33B", 519e9),
        ("Total parameters: 100B (Sparse), Active parameters: 10B per token.", 100e9),
        ('"We present INTELLECT-3, a 106B-parameter Mixture-of-Experts model (12B active)"', 106e9),
        ("102B, of which 12B active\n", 102e9),
        ("Total Parameters\t1T\nActivated Parameters\t32B", 1e12),  # Kimi K2 Thinking
        # P1-235B-A22B: another variant's total beside the row's makes the notes unclear.
        (
            "MoE: P1-235B-A22B has 235B total, 22B active parameters. Lightweight variant P1-30B-A3B has "
            "30B total, 3B active.",
            None,
        ),
        # Epoch's own convention: the notes open with the count, then where it is from (2025-08 rows).
        ("610M\nfrom https://github.com/facebookresearch/fairseq/tree/main/examples/mbart", 610e6),
        ("51M (Table 3)", 51e6),
        ("1.9B from Table 2", 1.9e9),
        ("12.9B, from Table 1", 12.9e9),
        ("6B\n\nhttps://aws.amazon.com/bedrock/cohere-command-embed/", 6e9),  # Cohere Command Light
        ("13B (Table 2, active)", None),
        # ... but not when another count follows (Janus-Pro-7B, 2025-08).
        ("7B\n\nIn our experiments, we utilize DeepSeek-LLM (1.5B and 7B) [3]", None),
        ("7B trained on top of a 70B teacher", None),
        # Not the total, or several counts: nothing is read.
        ("13B active", None),
        ("7B-13B parameters", None),
        ("Fine-tuned from Llama 2 7B (7B parameters)", None),
        ('"We train three model sizes (1.3B, 6B, and 175B parameters)"', None),
        ("Q-Former has 188M params. 1.2B in total with the frozen encoder", None),
        ("670M + 7.7B = 8.46B", None),
        ("8 experts of 7B parameters each", None),
        ("64 7B-parameter experts", None),
        ("a flow matching action expert with 860M parameters", None),
        ("over 100B parameters", None),
        ('"SqueezeNet achieves AlexNet-level accuracy with 50x fewer parameters"', None),
        ("34B\nsafetensors say it is 18.2B params", None),
        ("a 14B robot foundation model", None),
    ],
)
def test_the_total_the_notes_state(notes: str, total: float | None) -> None:
    found = total_count(notes)
    assert (found.value if found else None) == (pytest.approx(total) if total else None)


@pytest.mark.parametrize(
    ("notes", "cell", "multiplier"),
    [
        ("284B total, 13B active", 284e6, 1e3),
        ("284B total, 13B active", 284e12, 1e-3),
        ("7 billion parameters", 7.24e6, 1e3),  # "7 billion" rounds 7.24 billion
        ("6.7e9 parameters", 6.7e3, 1e6),
        ("284B total, 13B active", 284e9, None),  # equal
        ("6.7B", 6.74e9, None),  # equal to rounding: not a check
        ("284B total, 13B active", 13e6, None),  # the active count's digits
        ("284B total, 13B active", 290e6, None),  # digits differ
        ("1B parameters", 1.4e6, None),  # within the rounding of "1B", but not the same digits
        ("2B parameters", 2.15e6, 1e3),
        ("7B parameters. LoRA fine-tuning trains 7M", 7e6, None),  # the notes explain the cell
        ("7B parameters; we count the 7M adapter", 7e6, None),
        ("7B parameters", 0.0, None),
    ],
)
def test_scale_slips(notes: str, cell: float, multiplier: float | None) -> None:
    slip = scale_slip(notes, cell)
    assert (slip.multiplier if slip else None) == (pytest.approx(multiplier) if multiplier else None)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789.,;:-~()eEkKMBT xtotalparmsciv\n", max_size=80), st.floats())
@example("0B", 1.0)  # a count of zero: nothing to divide by (found by this test)
def test_reading_any_notes_never_fails(notes: str, cell: float) -> None:
    scale_slip(notes, cell)


def test_an_import_without_a_slip_says_the_check_found_none(tmp_path: Path) -> None:
    """The check writes a claim only for a slip: an import without one says so, not 'not run'."""
    models = tmp_path / "models.csv"
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    writer.writerow(
        ("Ling-2.6-flash", "Language", "2026-04-21", "104000000000.0", ROWS[2][3], "", "", "", "")
    )
    models.write_text(out.getvalue(), encoding="utf-8")
    report = import_epoch(models, make_root(tmp_path))
    assert NAME not in report.made
    line = next(x for x in report.text().splitlines() if "parameters notes' total" in x)
    assert "no row has the slip" in line and "not run" not in line
