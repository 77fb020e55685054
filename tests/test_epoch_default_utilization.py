"""A compute Epoch estimated from the hardware alone, recomputed with Epoch's default utilization.

The fixture (tests/fixtures/epoch/all_ml_systems_fixture_default-utilization.csv, see the README)
holds real rows of the 2025-08 release whose compute is a hardware-only estimate with no
utilization cell: two that follow Epoch's defaults (EVA-01 at 30%, SEER at 40%, Aurora at 30%),
three that do not (GPT-NeoX-20B at an unsourced 40% for a language model, MedBERT at 50% of the
FP16 peak for an FP32 row, the POS tagger at another chip's peak), one no default explains
(CHAI-1 at a quarter of its format's peak) and an edited row without a numerical format.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from test_import_epoch import FIXTURES, check, make_root

from kb import contents
from kb.importers.epoch import import_epoch
from kb.importers.epoch.report import ImportReport
from kb.results import Results
from kb.verdicts import Standing, Verdict

MODELS = FIXTURES / "all_ml_systems_fixture_default-utilization.csv"
CHIPS = FIXTURES / "chips_fixture_default-utilization.csv"
LLM = "epoch-assume-llm-utilization"
OTHER = "epoch-assume-utilization-other"


@pytest.fixture(scope="module")
def imported(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[ImportReport, contents.KnowledgeBase, Results]:
    root = make_root(tmp_path_factory.mktemp("default-utilization"))
    report = import_epoch(MODELS, root, chips=CHIPS)
    kb, results = check(root)
    return report, kb, results


def _checks(results: Results, model: str) -> dict[str, Verdict]:
    result = results.claims[f"epoch-{model}-training-compute"]
    return {c.check_id: c.verdict for c in result.checks}


def test_estimates_that_follow_epochs_defaults_pass(
    imported: tuple[ImportReport, contents.KnowledgeBase, Results],
) -> None:
    _, kb, results = imported
    # Outside language, Epoch's estimates use 30% or 40%: the compute lies between the two.
    for model in ("eva-01", "seer", "aurora"):
        verdicts = _checks(results, model)
        assert verdicts["default-utilization-at-least"] == Verdict.CONSISTENT, model
        assert verdicts["default-utilization-at-most"] == Verdict.CONSISTENT, model
    inputs = {
        c.id: c.inputs["u"] for c in kb.claims["epoch-seer-training-compute"].claim.checks if "u" in c.inputs
    }
    assert inputs == {"default-utilization-at-least": LLM, "default-utilization-at-most": OTHER}
    # The defaults are labelled assumptions the import writes, citing the reference facts.
    for cid, value in ((LLM, "30"), (OTHER, "40")):
        claim = kb.claims[cid].claim
        assert claim.kind == "assumption" and claim.value == value and claim.justification
        assert claim.sources[0].source == "reference-facts"


def test_a_language_model_at_another_utilization_puts_the_default_in_doubt_not_a_cell(
    imported: tuple[ImportReport, contents.KnowledgeBase, Results],
) -> None:
    _, kb, results = imported
    check = next(
        c
        for c in kb.claims["epoch-gpt-neox-20b-training-compute"].claim.checks
        if c.id == "default-utilization"
    )
    assert check.inputs["u"] == LLM and check.relation == "="
    [failed] = [
        c
        for c in results.claims["epoch-gpt-neox-20b-training-compute"].checks
        if c.verdict == Verdict.INCONSISTENT
    ]
    assert failed.check_id == "default-utilization" and failed.explained_by == [LLM]
    assert results.claims[LLM].standing == Standing.IN_DOUBT
    # No cell of the row is condemned: the row may be right and the default not apply to it.
    row = [cid for cid in kb.claims if cid.startswith("epoch-gpt-neox-20b-")]
    assert all(results.claims[cid].verdict != Verdict.INCONSISTENT for cid in row)
    # Doubted in two rows (GPT-NeoX at 40%, the POS tagger at 50%): no one value fits both.
    assert set(results.claims[LLM].condemned_by) >= {
        "check:epoch-gpt-neox-20b-training-compute/default-utilization",
        "check:epoch-part-of-sentence-tagging-model-training-compute/default-utilization",
    }
    assert results.claims[LLM].suggested is None


def test_above_the_highest_default_outside_language_is_in_doubt(
    imported: tuple[ImportReport, contents.KnowledgeBase, Results],
) -> None:
    _, _, results = imported
    verdicts = _checks(results, "medbert")
    assert verdicts["default-utilization-at-most"] == Verdict.INCONSISTENT
    assert verdicts["default-utilization-at-least"] == Verdict.CONSISTENT
    assert verdicts["at-most-peak"] == Verdict.CONSISTENT  # 99.7% of the FP32 peak: possible, barely
    assert results.claims[OTHER].standing == Standing.IN_DOUBT
    assert results.claims["epoch-medbert-training-compute"].verdict != Verdict.INCONSISTENT


def test_a_gap_no_default_explains_is_blamed_on_the_row(
    imported: tuple[ImportReport, contents.KnowledgeBase, Results],
) -> None:
    _, _, results = imported
    # CHAI-1: BF16 on A100s, computed with the FP16 peak without tensor cores: 7.5% of its format's
    # peak, beyond a factor of 3 below Epoch's lowest default.
    [failed] = [
        c for c in results.claims["epoch-chai-1-training-compute"].checks if c.verdict == Verdict.INCONSISTENT
    ]
    assert failed.check_id == "default-utilization-at-least"
    assert "epoch-chai-1-training-compute" in failed.explained_by
    assert not set(failed.explained_by) & {LLM, OTHER}


def test_a_row_without_one_numerical_format_is_not_checked_and_says_why(
    imported: tuple[ImportReport, contents.KnowledgeBase, Results],
) -> None:
    report, kb, _ = imported
    ids = {c.id for c in kb.claims["epoch-eva-01-edited-no-numerical-format-training-compute"].claim.checks}
    assert ids == {"at-most-peak"}
    assert any(
        s.check == "default-utilization" and s.reason.startswith("no numerical format")
        for s in report.skipped
    )


def test_the_audit_lists_findings_in_doubt_last_and_says_why(
    imported: tuple[ImportReport, contents.KnowledgeBase, Results],
) -> None:
    from kb.site.audit import audit
    from kb.site.findings import findings_csv

    _, kb, results = imported
    data = audit(kb, results, "epoch")
    assert data is not None
    verdicts = [m.verdict for m in data.models]
    assert verdicts == sorted(verdicts, key=["impossible", "inconsistent", "in doubt"].index)
    neox = next(m for m in data.models if m.subject == "GPT-NeoX-20B")
    [finding] = neox.findings
    assert neox.verdict == "in doubt" and finding.in_doubt
    assert finding.implied == "needs 40% of the chips' peak"
    assert LLM in finding.doubt and "no cell is blamed" in finding.doubt
    assert [(b.column, b.suggested) for b in finding.blamed] == [(f"assumption {LLM}", "")]
    chai = next(m for m in data.models if m.subject == "CHAI-1")
    assert chai.verdict == "inconsistent" and chai.findings[0].implied == "needs 7% of the chips' peak"
    lines = list(csv.DictReader(io.StringIO(findings_csv(data.models))))
    [line] = [r for r in lines if r["model"] == "GPT-NeoX-20B"]
    assert line["verdict"] == "in doubt" and line["in_doubt_because"] == finding.doubt
    assert line["likely_cause"] == "needs 40% of the chips' peak"


def test_the_audit_page_marks_findings_in_doubt(
    imported: tuple[ImportReport, contents.KnowledgeBase, Results],
) -> None:
    pytest.importorskip("kb.site.context")
    from kb.site import audit, writer
    from kb.site.resolve import resolve

    _, kb, results = imported
    ctx = resolve(kb, results, "")
    [page] = audit.pages(ctx)
    html = writer.render_page(page, ctx)
    assert 'data-verdict="in doubt"' in html and '<option value="in doubt">' in html
    assert 'badge v-unverified small">in doubt' in html
    assert "In doubt: the relation fails only under the labelled assumption" in html


def test_fixture_rows_are_the_releases_own(tmp_path: Path) -> None:
    source = Path(__file__).resolve().parents[2] / "shared" / "data" / "epoch" / "all_ml_systems_2025-08.csv"
    if not source.exists():
        pytest.skip("the Epoch snapshot is not next to the repository")
    release = source.read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(MODELS.read_text(encoding="utf-8"))))
    for row in rows[1:]:
        if "(edited" not in row[0]:
            assert row[0] in release
