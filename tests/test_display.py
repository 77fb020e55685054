"""The reader's formatter (kb/display.py): numbers as people write them."""

from __future__ import annotations

import math

import pytest

from kb import display
from kb.interval import Interval


@pytest.mark.parametrize(
    ("value", "unit", "qualifier", "expected"),
    [
        ("2800", "yi parameter", None, "2800亿 (280 billion) parameters"),
        ("6300", "wan USD", None, "6300万美元 ($63 million)"),
        ("25", "GPU", "about", "about 25 GPUs"),
        ("1", "layer", None, "1 layer"),
        ("120", "layer", None, "120 layers"),
        ("1.8", "trillion parameter", "about", "about 1.8 trillion parameters"),
        (["100", "1000"], "billion parameter", None, "100 billion–1 trillion parameters"),
        ("2023-03", "date", None, "2023-03"),
    ],
)
def test_written(value: str | list[str], unit: str, qualifier: str | None, expected: str) -> None:
    assert display.written(value, unit, qualifier) == expected


def test_written_reads_a_value_by_its_text_whatever_came_first() -> None:
    # The values are cached by their text: a number YAML read as 1.0 is not the 1 said before it.
    assert display.written(1, "yi parameter", None) == "1亿 (100 million) parameters"  # type: ignore[arg-type]
    assert display.written(1.0, "yi parameter", None) == "1.0亿 (100 million) parameters"  # type: ignore[arg-type]
    assert display.written([100, 1000.0], "billion parameter", "about") == display.written(
        ["100", "1000.0"], "billion parameter", "about"
    )  # type: ignore[list-item]
    assert display.written(["2023-03", "2023-05"], "date", None) == "2023-03 to 2023-05"


@pytest.mark.parametrize(
    ("x", "unit", "expected"),
    [
        (0.177, "cent/kilotoken", "$0.00177 per 1,000 tokens"),
        (8.64e19, "FLOP/pfs_day", "8.64×10¹⁹ FLOP per petaflop/s-day"),
        (3.5, "million GPU_hour", "3.5 million GPU-hours"),
        (2, "USD/GPU/hour", "$2 per GPU per hour"),
        (5, "tCO2e", "5 tCO2e"),
        (4, "times", "4×"),
        (0.5, "1", "0.5"),
    ],
)
def test_amount(x: float, unit: str, expected: str) -> None:
    assert display.amount(x, unit) == expected


def test_interval_ends_have_the_digits_that_tell_them_apart() -> None:
    assert display.interval(Interval(22050, 28050), "GPU") == "22,000–28,000 GPUs"
    assert display.interval(Interval(22.05, 28.05), "GPU") == "22–28 GPUs"
    assert display.interval(Interval(24999.5, 25000.5), "GPU") == "24,999.5–25,000.5 GPUs"
    assert display.interval(Interval(1.575, 2.035), "trillion parameter") == "1.575–2.035 trillion parameters"
    assert display.interval(Interval(6250, 6350), "wan USD") == "$62.5–63.5 million"
    assert display.interval(Interval(25000, math.inf), "GPU") == "at least 25,000 GPUs"
    assert display.interval(Interval(-math.inf, 10), "GPU") == "at most 10 GPUs"
    # The same value in 亿 and in billions reads the same: a reader compares like with like.
    assert display.interval(Interval(49.05, 61.05), "yi parameter") == display.interval(
        Interval(4.905, 6.105), "billion parameter"
    )


def test_factor_has_one_style() -> None:
    assert display.factor(1000) == "×1,000"
    assert display.factor(1138.2) == "×1,140"
    assert display.factor(5.66) == "×5.66"
    assert display.factor(8.7e-4) == "÷1,150"
    assert display.factor(None) == display.factor(math.nan) == ""


def test_unit_name() -> None:
    assert display.unit_name("yi parameter") == "parameters"
    assert display.unit_name("cent/kilotoken") == "US dollars per 1,000 tokens"
    assert display.unit_name("GPU*hour") == "GPU-hours"


def test_a_value_as_written_keeps_every_digit_the_source_gave() -> None:
    assert display.written("11390", "tCO2e", None) == "11,390 tCO2e"
    assert display.written("30.84", "million GPU_hour", None) == "30.84 million GPU-hours"
    assert display.written("25000", "GPU", "about") == "about 25,000 GPUs"
    assert display.written("1.8", "trillion parameter", "about") == "about 1.8 trillion parameters"
