"""kb add on the real model cards: each misread of a new user's friction log, now read right or asked.

Each test runs kb add as the user did, on a copy of the knowledge base (its archived Llama 2 card and
DeepSeek-V3 README), without a terminal: an ambiguous quote is refused with its candidates listed,
never stored silently.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kb.cli import main
from kb.commands import add as add_command

REPO = Path(__file__).resolve().parent.parent
ROW_7B = "Llama 2|*A new mix of publicly available online data*|7B|4k|&#10007;|2.0T|3.0 x 10<sup>-4</sup>"
MOE = "language model with 671B total parameters with 37B activated for each token"


@pytest.fixture
def root(claims_copy: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(add_command, "_interactive", lambda: False)
    return claims_copy


def add(
    root: Path, capsys: pytest.CaptureFixture[str], quote: str, quantity: str, *more: str
) -> tuple[int, str]:
    source = "deepseek-v3-readme" if "activated" in quote or "DeepSeek" in quote else "meta-llama2-model-card"
    args = ["add", "--claims", str(root), "--source", source, "--quote", quote]
    code = main([*args, "--subject", "Test model", "--quantity", quantity, "--dry-run", *more])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return code, out.out + out.err


def test_a_number_word_keeps_its_scale_word(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = add(root, capsys, "over one million new human-annotated examples", "finetuning_examples")
    assert code == 0, out
    assert "value 1, unit million, qualifier at_least" in out


def test_html_superscript_scientific_notation(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = add(root, capsys, ROW_7B, "learning_rate", "--value", "3.0e-4")
    assert code == 0, out
    assert "value 3.0e-4, unit 1" in out
    assert "read from '3.0 x 10<sup>-4</sup>'" in out  # the words as the source writes them


def test_a_value_in_a_table_row_is_not_the_model_name(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = add(root, capsys, ROW_7B, "training_tokens", "--value", "2.0")
    assert code == 0, out
    assert "value 2.0, unit trillion token" in out


def test_the_quantity_words_pick_active_parameters(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = add(root, capsys, MOE, "active_parameters_per_token")
    assert code == 0, out
    assert "value 37, unit billion parameter" in out
    code, out = add(root, capsys, MOE, "total_parameters")
    assert code == 0, out
    assert "value 671, unit billion parameter" in out


def test_numbers_of_one_unit_without_words_are_asked(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = add(root, capsys, "| DeepSeek-V3 | 671B | 37B | 128K |", "context_length")
    assert code == 2
    assert "the quote has 3 numbers that could be the context_length" in out
    assert "128 thousand token (from '128K' at character" in out


def test_gpu_hours_are_one_unit(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = add(root, capsys, "Pretraining utilized a cumulative 3.3M GPU hours", "training_chip_hours")
    assert code == 0, out
    assert "value 3.3, unit million GPU_hour" in out


def test_html_entities_are_not_numbers(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = add(root, capsys, ROW_7B, "learning_rate", "--value", "10007")
    assert code != 0 or "value 10007" not in out
    code, out = add(root, capsys, ROW_7B, "learning_rate")
    assert "10007" not in out


def test_tco2eq_is_read_as_a_unit(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = add(root, capsys, "Estimated total emissions were 539 tCO2eq", "training_emissions")
    assert code == 0, out
    assert "value 539, unit tCO2e" in out
    assert "names none" not in out and "takes" not in out


def test_up_to_is_read_one_way(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = add(
        root, capsys, "some tuning data is more recent, up to July 2023", "finetuning_data_cutoff"
    )
    assert code == 0, out
    assert "value 2023-07, unit date\n" in out  # a cutoff "up to" July is July
    assert "'up to' states the quantity's own limit" in out


def test_a_range_of_two_models_is_asked(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    quote = "ranging in scale from 7 billion to 70 billion parameters"
    code, out = add(root, capsys, quote, "total_parameters")
    assert code == 2
    assert "[7, 70] billion parameter" in out and "; 7 billion parameter" in out
    code, out = add(root, capsys, quote, "total_parameters", "--value", "7")
    assert code == 0, out
    assert "value 7, unit billion parameter" in out


def test_markdown_emphasis_is_stripped_for_reading(root: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out = add(
        root,
        capsys,
        "**Carbon Footprint** Pretraining utilized a cumulative 3.3M GPU hours",
        "training_chip_hours",
    )
    assert code == 0, out
    assert "value 3.3, unit million GPU_hour" in out
