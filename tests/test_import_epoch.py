"""kb import epoch: Epoch AI's model database as claims, with the checks each row allows.

The fixture (tests/fixtures/epoch/, see its README) is cut from the 2025-08 release: twelve real
rows chosen for what they exercise, and four edited rows with the cells a release may hold
(ranges, "~", footnote marks, separators, unreadable text, a duplicate name, a short row).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from kb import checks, contents
from kb.cli import main
from kb.importers import yamlout
from kb.importers.epoch import (
    MANIFEST,
    CellError,
    import_epoch,
    read_cell,
    read_report,
    slugify,
)
from kb.importers.epoch.columns import map_columns
from kb.importers.epoch.notes import chip_name, counted_unit, geometric_mean, mixture_of_experts, word_level
from kb.results import Results

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures" / "epoch"
MODELS = FIXTURES / "all_ml_systems_fixture_2025-08.csv"
OLD_MODELS = FIXTURES / "all_ml_systems_fixture_2024-02-05.csv"
CHIPS = FIXTURES / "chips_fixture.csv"
PRICES = FIXTURES / "hardware_prices_fixture.csv"

REFERENCE_TEXT = (
    "| fact | value | source |\n|---|---|---|\n"
    "| Default utilization when unknown | 30% for large language models (40% otherwise) | Sevilla |\n"
    "| Words per token (English, GPT tokenizers) | ~0.75 | OpenAI tokenizer documentation |\n"
)


LEADING_COLUMNS = (
    "Model",
    "Domain",
    "Publication date",
    "Parameters",
    "Parameters notes",
    "Training compute (FLOP)",
    "Training compute notes",
)
"""The first columns of Epoch's exports, which the small fixtures of other test modules write too."""


def make_root(tmp_path: Path) -> Path:
    """A claims folder with the project's quantities and a reference-facts source to cite."""
    root = tmp_path / "claims"
    (root / "sources").mkdir(parents=True)
    shutil.copy(REPO / "claims" / "quantities.yaml", root / "quantities.yaml")
    (root / "sources" / "reference-facts.txt").write_text(REFERENCE_TEXT, encoding="utf-8")
    digest = hashlib.sha256(REFERENCE_TEXT.encode("utf-8")).hexdigest()
    (root / "sources" / "reference-facts.yaml").write_text(
        f"id: reference-facts\ntitle: Reference facts\nlanguage: en\nkind: other\n"
        f"text: reference-facts.txt\nsha256: {digest}\n",
        encoding="utf-8",
    )
    return root


def import_rows(
    tmp: Path, name: str, header: Sequence[str], rows: Iterable[Sequence[str]]
) -> tuple[contents.KnowledgeBase, Results]:
    """Import a CSV of these rows, written as a spreadsheet writes one, into a new claims folder in
    `tmp` (the file named `name`: its date tells the release), and check it."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    models = tmp / name
    models.write_text(out.getvalue(), encoding="utf-8")
    root = make_root(tmp)
    import_epoch(models, root)
    return check(root)


def check(root: Path) -> tuple[contents.KnowledgeBase, Results]:
    kb = contents.load(root, use_cache=False)
    return kb, checks.run(kb)


def import_fixture(tmp: Path) -> tuple[Path, contents.KnowledgeBase, Results]:
    """The fixture release imported (with chips and prices) and checked."""
    root = make_root(tmp)
    import_epoch(MODELS, root, chips=CHIPS, prices=PRICES)
    kb, results = check(root)
    return root, kb, results


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, contents.KnowledgeBase, Results]:
    return import_fixture(tmp_path_factory.mktemp("epoch"))


def verdicts(results: Results, claim_id: str) -> dict[str, str]:
    return {c.check_id: c.verdict for c in results.claims[claim_id].checks}


def factor(results: Results, claim_id: str, check_id: str) -> float:
    f = next(c.factor for c in results.claims[claim_id].checks if c.check_id == check_id)
    assert f is not None
    return f


# --- cells ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "literals", "scale", "qualifier", "percent"),
    [
        ("175000000000.0", ("175",), "billion", None, False),
        ("70000000000.0", ("70.0",), "billion", None, False),  # at least three significant digits
        ("1000.0", ("1.00",), "thousand", None, False),
        ("1720320.0", ("1720320",), "", None, False),
        ("1.0", ("1",), "", None, False),  # the export's ".0": 1, which means 0.5 to 1.5
        ("1728.0", ("1728",), "", None, False),
        ("3.14e+23", ("3.14e23",), "", None, False),
        ("5.400000000000001e+21", ("5.4e21",), "", None, False),  # float artefact
        ("170000000000000000", ("1.70e17",), "", None, False),
        ("7.7e+23-8.4e+23", ("7.7e23", "8.4e23"), "", None, False),
        ("1e23 to 3e23", ("1e23", "3e23"), "", None, False),
        ("~2e22", ("2e22",), "", "about", False),
        ("1.0[1]", ("1",), "", None, False),
        ("1,000 †", ("1.00",), "thousand", None, False),
        ("41.92%", ("41.92",), "", None, True),
        ("$1,099,604.99", ("1099604.99",), "", None, False),
        ("  ", None, None, None, None),
    ],
)
def test_read_cell(
    text: str, literals: tuple[str, ...] | None, scale: str, qualifier: str | None, percent: bool
) -> None:
    n = read_cell(text, allow_percent=True, allow_money=True)
    if literals is None:
        assert n is None
        return
    assert n is not None
    assert (n.literals, n.scale, n.qualifier, n.percent) == (literals, scale, qualifier, percent)


@pytest.mark.parametrize(
    ("text", "literals"),
    [
        ("8.0", ("8.0",)),  # a count of chips: 8 whole chips, not 7.5 to 8.5
        ("8", ("8.0",)),  # the 2026-02 export writes it without the ".0": the same 8 chips
        ("1", ("1.0",)),
        ("1024.0", ("1024",)),  # past MIN_DIGITS the rounding of a whole number is close enough
        ("1024", ("1024",)),
    ],
)
def test_a_small_count_of_chips_is_whole_however_the_export_writes_it(
    text: str, literals: tuple[str, ...]
) -> None:
    n = read_cell(text, count=True)
    assert n is not None and n.literals == literals


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("N/A", "no number"),
        ("unknown", "no number"),
        ("lots", "not a number"),
        ("-5", "not a number"),
        ("3e5e", "not a number"),
        ("0.0", "zero or negative"),
        ("3e23-1e23", "backwards"),
        ("$500", "money"),
        ("40%", "percentage"),
    ],
)
def test_read_cell_refuses(text: str, reason: str) -> None:
    with pytest.raises(CellError, match=reason):
        read_cell(text)


def test_slugify_is_stable_and_tells_names_apart() -> None:
    assert slugify("GPT-3 175B (davinci)") == "gpt-3-175b-davinci"
    assert slugify("PanGu-Σ") == "pangu-sigma" != slugify("PanGu-α")
    assert slugify("PointNet++") == "pointnet-plus-plus" != slugify("PointNet")
    assert slugify("Zephyr 141B-A39B\t\t\t") == "zephyr-141b-a39b"
    long = slugify("x" * 300)
    assert len(long) <= 80 and long == slugify("x" * 300)


# --- the import ----------------------------------------------------------------------------------


def test_every_quote_is_found_and_every_claim_loads(
    imported: tuple[Path, contents.KnowledgeBase, Results],
) -> None:
    _, kb, results = imported
    assert results.problems == []
    epoch = [cid for cid in kb.claims if cid.startswith("epoch-")]
    assert len(epoch) > 100
    for cid in epoch:
        assert all(found is not False for found in results.claims[cid].quote_found), cid


def test_computed_verdicts(imported: tuple[Path, contents.KnowledgeBase, Results]) -> None:
    _, _, r = imported
    # GPT-3: 6 x 175B x (374B words / 0.75 words per token) x 0.6 epochs = 3.14e23, as stated (its
    # notes count words); the hardware (10,000 V100 x 125 TFLOP/s x 355.2 h x 19.68%) agrees too,
    # and is below the chips' peak.
    expected = {"six-n-d": "consistent", "at-most-peak": "consistent", "hardware": "consistent"}
    assert verdicts(r, "epoch-gpt-3-175b-davinci-training-compute") == expected
    assert verdicts(r, "epoch-llama-2-70b-training-compute") == expected
    assert verdicts(r, "epoch-llama-2-70b-chip-hours") == {"chips-times-time": "consistent"}
    cost = r.claims["epoch-llama-2-70b-training-cost"].checks[0]
    assert (cost.verdict, cost.basis) == ("consistent", "tolerance")  # amortized cost vs a cloud price
    # Hybrid H3: its epochs (509) belong to another data set (WT-103), and its notes say the 400B
    # are tokens: 509 times too much compute.
    assert r.claims["epoch-hybrid-h3-2-7b-training-compute"].verdict == "inconsistent"
    assert factor(r, "epoch-hybrid-h3-2-7b-training-compute", "six-n-d") == pytest.approx(509.02, rel=0.01)
    # DreamerV3 and Imagen: no utilization in the row, so only the physical bound (not a guessed
    # 30% that Epoch's estimates do not share); both are well below their chips' peak.
    assert verdicts(r, "epoch-dreamerv3-training-compute") == {"at-most-peak": "consistent"}
    assert verdicts(r, "epoch-imagen-training-compute") == {"at-most-peak": "consistent"}
    # A fine-tuned model: its training compute includes the base model's, so the checks recompute
    # the finetune compute instead.
    assert verdicts(r, "epoch-llama-guard-training-compute") == {}
    assert verdicts(r, "epoch-llama-guard-finetune-compute") == {"six-n-d": "consistent"}


def test_blank_epochs_report_the_implied_passes_and_are_not_flagged(
    imported: tuple[Path, contents.KnowledgeBase, Results],
) -> None:
    root, _, r = imported
    # Nemotron-4 15B: 8T tokens, epochs blank: 7.5e23 / (6 x 15B x 8T) = 1.04 passes.
    assert "six-n-d" not in verdicts(r, "epoch-nemotron-4-15b-2024-02-27-training-compute")
    report = read_report(root / "epoch")
    assert report is not None
    assert "row 3 (Nemotron-4 15B): 1 passes" in report.passes
    assert any(s.reason.startswith("epochs blank") for s in report.skipped)
    # Its notes say "8 trillion text tokens" where "datapoints" are words by Epoch's convention.
    assert any(
        c.startswith("row 3 (Nemotron-4 15B): Training dataset size (datapoints) holds tokens")
        for c in report.conventions
    )


def test_mixture_of_experts_is_only_bounded(
    imported: tuple[Path, contents.KnowledgeBase, Results],
) -> None:
    root, kb, r = imported
    # Zephyr, fine-tuned from Mixtral 8x22B, has a finetune compute and no training compute.
    for cid in ("epoch-mixtral-8x7b-training-compute", "epoch-zephyr-141b-a39b-finetune-compute"):
        claim = kb.claims[cid].claim
        assert all(c.relation == "<=" for c in claim.checks if c.id.startswith("six-n-d"))
    assert kb.claims["epoch-zephyr-141b-a39b-parameters"].claim.subject == "Zephyr 141B-A39B"  # no tabs
    report = read_report(root / "epoch")
    assert report is not None
    assert set(report.mixture_of_experts) == {"Mixtral 8x7B", "Zephyr 141B-A39B"}


def test_multimodal_rows_without_text_counts_are_not_checked_as_language(
    imported: tuple[Path, contents.KnowledgeBase, Results],
) -> None:
    _, kb, _ = imported
    clip = kb.claims["epoch-clip-vit-l-14-336px-training-compute"].claim
    assert "six-n-d" not in {c.id for c in clip.checks}
    assert kb.claims["epoch-clip-vit-l-14-336px-dataset-size"].claim.quantity == "training_datapoints"


def test_written_out_cells(imported: tuple[Path, contents.KnowledgeBase, Results]) -> None:
    _, kb, r = imported
    slug = "epoch-edited-llama-2-70b-with-written-out-cells"
    claim = {
        k: kb.claims[f"{slug}-{k}"].claim
        for k in (
            "training-compute",
            "parameters",
            "utilization",
            "training-cost",
            "hardware-quantity",
            "epochs",
        )
    }
    assert claim["training-compute"].value == ["7.7e23", "8.4e23"]
    assert (claim["parameters"].value, claim["parameters"].unit, claim["parameters"].qualifier) == (
        "70.0",
        "billion parameter",
        "about",
    )
    assert (claim["utilization"].value, claim["utilization"].unit) == ("41.92", "percent")
    assert (claim["training-cost"].value, claim["training-cost"].as_of) == ("1099604.99", "2023")
    assert (claim["hardware-quantity"].value, claim["hardware-quantity"].unit) == ("1.00", "thousand chip")
    assert claim["epochs"].value == "1"
    assert r.claims[f"{slug}-training-compute"].verdict == "consistent"


def test_unreadable_rows_and_cells_are_reported_with_row_and_reason(
    imported: tuple[Path, contents.KnowledgeBase, Results],
) -> None:
    root, kb, _ = imported
    report = read_report(root / "epoch")
    assert report is not None
    found = {(p.file, p.row, p.column): p.reason for p in report.problems}
    models = MODELS.name
    for column in (
        "Parameters",
        "Training compute (FLOP)",
        "Hardware quantity",
        "Training time (hours)",
        "Epochs",
        "Training compute cost (2023 USD)",
    ):
        assert (models, 14, column) in found, column
    assert "no number" in found[(models, 14, "Parameters")]
    assert "below 10 FLOP" in found[(models, 1, "Finetune compute (FLOP)")]  # Qwen2.5-VL-72B's "1"
    assert "zero" in found[(models, 4, "Training dataset size (datapoints)")]  # FunSearch's "0.0"
    assert "12 cells for 57 columns" in found[(models, 16, "")]
    assert any(p.file == CHIPS.name and "carriage return" in p.reason for p in report.problems)
    # The short row still gives what it has; the unreadable one gives nothing.
    assert "epoch-edited-truncated-row-parameters" in kb.claims
    assert not any(cid.startswith("epoch-edited-unreadable-cells") for cid in kb.claims)
    assert report.rows == 16 and report.rows_imported == 15


def test_same_name_rows_are_told_apart_by_date(
    imported: tuple[Path, contents.KnowledgeBase, Results],
) -> None:
    _, kb, _ = imported
    assert "epoch-nemotron-4-15b-2024-02-27-training-compute" in kb.claims
    assert "epoch-nemotron-4-15b-2024-06-14-training-compute" in kb.claims


def test_quote_names_model_column_and_cell(imported: tuple[Path, contents.KnowledgeBase, Results]) -> None:
    _, kb, _ = imported
    claim = kb.claims["epoch-gpt-3-175b-davinci-parameters"].claim
    assert claim.sources[0].quote == "GPT-3 175B (davinci) | Parameters: 175000000000.0"
    assert claim.sources[0].locator == "row 12, column 'Parameters'"
    assert (claim.sources[1].quote or "").startswith("GPT-3 175B (davinci) | Parameters notes: ")
    source = kb.sources[claim.sources[0].source]
    assert source.meta.kind == "dataset"
    whole = kb.sources["epoch-2025-08-models-csv"]
    assert whole.text is not None and whole.meta.sha256 == hashlib.sha256(MODELS.read_bytes()).hexdigest()


def test_reimport_is_idempotent_and_updates_in_place(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    first = import_epoch(MODELS, root, chips=CHIPS, prices=PRICES)
    hand = root / "epoch" / "my-notes.yaml"
    hand.write_text("claims: []\n", encoding="utf-8")
    again = import_epoch(MODELS, root, chips=CHIPS, prices=PRICES)
    assert again.files_written == 0 and again.files_unchanged == first.files_written
    # A newer release: a value changed, a row gone, a column renamed as older releases name it.
    with MODELS.open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    rows[0] = ["Hardware utilization" if h == "Hardware utilization (MFU)" else h for h in rows[0]]
    compute = rows[0].index("Training compute (FLOP)")
    rows = [r for r in rows if r[0] != "Imagen"]
    for r in rows:
        if r[0] == "GPT-3 175B (davinci)":
            r[compute] = "3.2e+23"
    newer = tmp_path / "all_ml_systems_2025-11.csv"
    with newer.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)
    report = import_epoch(newer, root, chips=CHIPS, prices=PRICES)
    assert report.release == "2025-11" and report.files_removed > 0
    kb, results = check(root)
    assert results.problems == []
    gpt3 = kb.claims["epoch-gpt-3-175b-davinci-training-compute"]
    assert gpt3.claim.value == "3.2e23"
    assert gpt3.claim.sources[0].source.startswith("epoch-2025-11-")
    assert "epoch-imagen-training-compute" not in kb.claims
    assert "epoch-llama-2-70b-utilization" in kb.claims  # the renamed column is still found
    assert not any(s.startswith("epoch-2025-08-") for s in kb.sources)
    assert hand.exists()  # files the import did not write stay
    assert not list(root.rglob("*.tmp"))
    manifest = json.loads((root / "epoch" / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["release"] == "2025-11" and "epoch/my-notes.yaml" not in manifest["files"]


def test_older_release_column_names(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    report = import_epoch(OLD_MODELS, root, chips=CHIPS)
    kb, results = check(root)
    assert results.problems == []
    assert report.release == "2024-02-05" and report.rows_imported == 4
    assert kb.claims["epoch-qwen-72b-training-compute"].claim.value == "1.3e24"
    cost = kb.claims["epoch-xverse-13b-2-training-cost"].claim
    assert (cost.value, cost.as_of) == ("123456.78", "2020")  # "Training compute cost (2020 USD)"
    # "NVIDIA H100 SXM5" is not the chip table's name ("NVIDIA H100 SXM5 80GB"): said, not guessed.
    assert any(s.model == "Inflection-2" and s.reason == "no training time" for s in report.skipped)
    assert any(c.startswith("no column 'Training chip-hours'") for c in report.columns)
    assert "chip_hours" in report.missing_columns


RENAMED = FIXTURES / "all_ml_systems_fixture_2026-renamed.csv"


def test_a_release_with_renamed_new_and_missing_columns(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    report = import_epoch(RENAMED, root, chips=CHIPS, prices=PRICES)
    kb, results = check(root)
    assert results.problems == []
    changes = "\n".join(report.columns)
    # Unknown and missing columns are said; a known meaning under a new name is read in its unit.
    assert "'Training compute (FLOP, 90% CI)': unknown to kb" in changes
    assert "no column 'Training compute estimation method'" in changes
    assert "no column 'Training chip-hours'" in changes
    assert "'Training dataset size (total)': a language model's cell is read as tokens" in changes
    for new in ("Hardware utilization (HFU)", "Training compute cost (cloud)", "Hardware acquisition cost"):
        assert f"'{new}'" in changes and "recognised" in changes
    assert any(
        "chip-hours = chips × training time: not run (the release has no column" in line
        for line in report.text().splitlines()
    )
    # "(total)" holds tokens: GPT-3's 499B tokens give its compute back without words-per-token.
    size = kb.claims["epoch-gpt-3-175b-davinci-dataset-size"].claim
    assert (size.quantity, size.unit) == ("training_dataset_tokens", "billion token")
    assert verdicts(results, "epoch-gpt-3-175b-davinci-training-compute")["six-n-d"] == "consistent"
    six = next(
        c for c in kb.claims["epoch-gpt-3-175b-davinci-training-compute"].claim.checks if c.id == "six-n-d"
    )
    assert "w" not in six.inputs
    # "(upfront)" is not the amortized cost renamed but the hardware's up-front price (Epoch's
    # 2026-02 notable export has both: GPT-3 175B $2.1M amortized, $232M up front): it is
    # recognised, and no cost claim is made of it (its cells here are edited-in amortized costs).
    assert "epoch-llama-2-70b-training-cost" not in kb.claims
    assert "'Training compute cost (upfront)' (up-front price of the training hardware" in changes
    # A chip named with a "GPUs" suffix is the chip table's chip.
    nemotron = {c.id: c for c in kb.claims["epoch-nemotron-4-15b-training-compute"].claim.checks}
    assert nemotron["at-most-peak"].inputs["peak"].startswith("epoch-chip-nvidia-h100-sxm5-80gb")
    # Mixture-of-experts in Epoch's wordings: "39B activated\nparameters", "37B activated".
    for slug in ("edited-mixture-of-experts-activated-wording", "edited-mixture-of-experts-37b-activated"):
        checks = kb.claims[f"epoch-{slug}-training-compute"].claim.checks
        assert [(c.id, c.relation) for c in checks] == [("six-n-d", "<=")]
        assert verdicts(results, f"epoch-{slug}-training-compute") == {"six-n-d": "consistent"}


def test_uses_the_knowledge_base_assumptions_when_they_exist(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    (root / "reference").mkdir()
    (root / "reference" / "assumptions.yaml").write_text(
        "claims:\n"
        "  - id: assume-words-per-token\n    kind: assumption\n    subject: tokenizers\n"
        "    quantity: tokens_per_word\n    value: 1.33\n    unit: token/word\n"
        '    sources: [{source: reference-facts, quote: "~0.75"}]\n    justification: inverse\n'
        "  - id: assume-llm-utilization\n    kind: assumption\n    subject: LLM training\n"
        "    quantity: utilization\n    value: 30\n    unit: percent\n"
        '    sources: [{source: reference-facts, quote: "30%"}]\n    justification: default\n'
        "  - id: assume-utilization-other\n    kind: assumption\n    subject: other training\n"
        "    quantity: utilization\n    value: 40\n    unit: percent\n"
        '    sources: [{source: reference-facts, quote: "40%"}]\n    justification: default\n',
        encoding="utf-8",
    )
    report = import_epoch(MODELS, root, chips=CHIPS)
    assert not (root / "epoch" / "assumptions.yaml").exists()
    assert not any("wrote" in w for w in report.warnings)
    kb = contents.load(root, use_cache=False)
    six = next(
        c for c in kb.claims["epoch-gpt-3-175b-davinci-training-compute"].claim.checks if c.id == "six-n-d"
    )
    assert six.inputs["w"] == "assume-words-per-token" and "d * w" in six.formula
    # No default utilization stands in for a row's own (Llama 2-70B's); the defaults only recompute
    # hardware-only estimates of rows without one (tests/test_epoch_default_utilization.py).
    hw = {c.id: c for c in kb.claims["epoch-llama-2-70b-training-compute"].claim.checks}
    assert hw["hardware"].inputs["u"] == "epoch-llama-2-70b-utilization"
    assert not any(i.startswith("default-utilization") for i in hw)


def test_without_reference_facts_the_checks_that_need_them_are_skipped(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    for name in ("reference-facts.txt", "reference-facts.yaml"):
        (root / "sources" / name).unlink()
    report = import_epoch(MODELS, root, chips=CHIPS)
    assert any("six-n-d checks skipped" in w or "6·N·D checks skipped" in w for w in report.warnings)
    kb, results = check(root)
    assert results.problems == []
    assert "six-n-d" not in verdicts(results, "epoch-gpt-3-175b-davinci-training-compute")


def test_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_root(tmp_path)
    code = main(["import", "epoch", str(MODELS), "--chips", str(CHIPS), "--no-prices", "--claims", str(root)])
    out = capsys.readouterr().out
    assert code == 0
    assert "rows imported       15" in out and "row 14 (line" in out
    assert main(["import", "epoch", str(tmp_path / "missing.csv"), "--claims", str(root)]) == 1
    assert "cannot read" in capsys.readouterr().err
    assert (
        main(["import", "epoch", str(MODELS), "--claims", str(root), "--into", str(tmp_path / "elsewhere")])
        == 2
    )
    assert main(["check", "--claims", str(root)]) == 0


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    root = make_root(tmp_path)
    report = import_epoch(MODELS, root, chips=CHIPS, dry_run=True)
    assert report.claims > 100 and not (root / "epoch").exists()


# --- the YAML writer -----------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(), st.text(alphabet=st.characters(codec="utf-8"), max_size=200))
def test_yaml_writer_round_trips(a: str, b: str) -> None:
    data = {
        "claims": [{"id": "x", "quote": a, "notes": b, "inputs": {"n": a}}],
        "value": yamlout.Literal("1.50"),
    }
    text = yamlout.dump(data)
    for loader in (yaml.SafeLoader, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
        back = yaml.load(text, Loader=loader)
        assert back["claims"] == data["claims"]
        assert str(back["value"]) in ("1.5", "1.50")


def test_yaml_writer_keeps_literals_plain() -> None:
    text = yamlout.dump(
        {
            "value": yamlout.Literal("3.14e23"),
            "as_of": yamlout.Literal("2023-05-24"),
            "range": yamlout.Flow([yamlout.Literal("1e23"), yamlout.Literal("3e23")]),
        }
    )
    assert text == "value: 3.14e23\nas_of: 2023-05-24\nrange: [1e23, 3e23]\n"


# --- facts from the notes and columns by meaning ---------------------------------------------------


@pytest.mark.parametrize(
    ("name", "notes", "moe"),
    [
        ("DeepSeek-V3", "671B total, 37B activated", True),
        ("Edited", "141B total, 39B activated\nparameters per token", True),
        ("PanGu-Σ", "It has sparse architecture, so we can't use C=6ND.", True),
        ("Sparse all-MLP", "9.41B parameters", True),
        ("Mixtral 8x7B", "", True),
        ("GLaM", "", True),
        ("Sparse Transformer", "sparse attention over 1.5B parameters", False),
        ("GPT-3 175B (davinci)", "175 billion parameters", False),
    ],
)
def test_mixture_of_experts_in_epochs_wordings(name: str, notes: str, moe: bool) -> None:
    assert mixture_of_experts(name, {"parameters_notes": notes}) is moe


@pytest.mark.parametrize(
    ("cell", "notes", "unit"),
    [
        (18e12, '"pretrained on ... encompassing up to 18 trillion tokens"', "token"),
        (1.1e12, "1.1T tokens (Table 2)", "token"),
        (2.5e12, "Total Training Tokens: 2.5T", "token"),
        (1.57e9, "1,570,000,000 tokens", "token"),
        (2.6e12, "6ND = 6 * 2600000000000 * 20000000000 = 3.12e+23", "token"),
        (1.5e12, "2 trillion tokens ~= 1.5 trillion words", "word"),
        (3.1e12, "pretrained from scratch on 3.1T highly-engineered data", ""),
        # Megatron-Turing NLG 530B's notes in every release (2024-12 to 2025-08) write a plural scale.
        (270e9, "we trained MT-NLG on 270 billions tokens by blending the 15 training datasets", "token"),
        (3e6, "about 3 millions words", "word"),
        (5.0, "no count here", ""),
    ],
)
def test_the_notes_say_what_the_data_set_size_counts(cell: float, notes: str, unit: str) -> None:
    assert counted_unit(cell, notes) == unit


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=0, max_value=1e30, allow_nan=False), st.text(max_size=200))
def test_reading_the_notes_never_fails(cell: float, notes: str) -> None:
    assert counted_unit(cell, notes + " 1e999 tokens 9" * 2) in ("", "token", "word")


def test_geometric_means_chip_names_and_word_level_benchmarks() -> None:
    assert geometric_mean({"compute_notes": "Geometric mean: sqrt(4.037e23 * 3.12e23) = 3.549e23"})
    assert not geometric_mean({"compute_notes": "6ND = 6 * 400B * 130B"})
    assert chip_name("NVIDIA B200 GPUs") == "NVIDIA B200"
    assert chip_name("Google TPU v4") == "Google TPU v4"
    assert word_level("Penn TreeBank (PTB)") and word_level("WikiText-103") and not word_level("C4")


def test_columns_are_matched_by_name_and_changes_are_said() -> None:
    header = [
        "Model",
        "Parameters",
        "Training dataset size (total)",
        "Mystery column",
        "Parameters",
        "Abstract",
    ]
    cm = map_columns(header)
    assert cm.columns["dataset_size"] == "Training dataset size (total)"
    assert cm.text_unit("dataset_size") == "token"
    assert cm.unknown == ["Mystery column"]  # "Abstract" is known and not read: not reported
    assert "training_time" in cm.missing and "method" in cm.missing
    changes = "\n".join(cm.changes())
    assert "'Mystery column': unknown to kb" in changes
    assert "columns 'Parameters' and 'Parameters' mean the same" in changes
    # A catch-all no longer matches: "Training dataset size (images)" is unknown, not the size.
    assert map_columns(["Model", "Training dataset size (images)"]).unknown == [
        "Training dataset size (images)"
    ]
