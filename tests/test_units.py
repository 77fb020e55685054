"""Units: the project's definitions, scale words, and dimension checks."""

from __future__ import annotations

import pytest

from kb.errors import KbError
from kb.units import describe_mismatch, unit_info


def test_flop_and_flop_per_second_have_different_dimensions() -> None:
    assert unit_info("FLOP").dims != unit_info("FLOP/s").dims
    assert "rate" in describe_mismatch(unit_info("FLOP/s").dims, unit_info("FLOP").dims)
    assert "total" in describe_mismatch(unit_info("FLOP").dims, unit_info("FLOP/s").dims)


def test_cents_convert_to_dollars() -> None:
    assert unit_info("cent").factor == pytest.approx(0.01)
    assert unit_info("cent").dims == unit_info("USD").dims
    assert unit_info("cent").currency_factor == pytest.approx(0.01)


@pytest.mark.parametrize(
    ("unit", "factor", "scale"),
    [
        ("trillion parameter", 1e12, 1e12),
        ("yi parameter", 1e8, 1e8),
        ("wan USD", 1e4, 1e4),
        ("TFLOP/s/GPU", 1e12, 1.0),
        ("percent", 0.01, 0.01),
        ("kWh", 3.6e6, 1.0),
    ],
)
def test_scale_words_and_prefixes(unit: str, factor: float, scale: float) -> None:
    info = unit_info(unit)
    assert info.factor == pytest.approx(factor)
    assert info.scale == pytest.approx(scale)


def test_counted_things_are_distinct_dimensions() -> None:
    dims = {
        unit_info(u).dims for u in ("parameter", "token", "word", "GPU", "expert", "layer", "query", "epoch")
    }
    assert len(dims) == 8


def test_unknown_unit_suggests_the_closest() -> None:
    with pytest.raises(KbError) as info:
        unit_info("trilion parameter")
    assert "unknown unit" in info.value.message
    assert "trillion" in info.value.hint


def test_a_date_is_a_time() -> None:
    assert unit_info("date").is_date
    assert unit_info("date").dims == unit_info("day").dims
