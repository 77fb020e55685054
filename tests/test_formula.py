"""The formula language: what it accepts, what it refuses, and how units flow through it."""

from __future__ import annotations

import pytest

from kb.errors import KbError
from kb.formula import FormulaError, evaluate, parse
from kb.interval import Interval
from kb.units import unit_info

PARAM = unit_info("parameter").dims
FLOP_PER = unit_info("FLOP/(parameter*token)").dims
ENV = {
    "n": (Interval(1.75e12, 1.85e12), PARAM),
    "f": (Interval(2, 2), FLOP_PER),
    "hours": (Interval(3, 3), unit_info("hour").dims),
}


def run(text: str) -> tuple[Interval, tuple[tuple[str, int], ...]]:
    return evaluate(parse(text, frozenset(ENV)), ENV)


def test_product_of_inputs_multiplies_intervals_and_units() -> None:
    iv, dims = run("f * n")
    assert (iv.lo, iv.hi) == (3.5e12, 3.7e12)
    assert dims == unit_info("FLOP/token").dims


def test_numbers_with_units() -> None:
    iv, dims = run("hours * 24 hour/day")
    assert dims == unit_info("hour").dims
    assert iv.lo == pytest.approx(3.0)  # inputs are in base units: 3 s * (24 hour/day) = 3 s
    iv, dims = run("2 [FLOP/(parameter*token)] * n")
    assert dims == unit_info("FLOP/token").dims
    iv, _ = run("min(n, 2 trillion parameter)")
    assert iv.hi == 1.85e12


def test_precedence_and_right_associative_power() -> None:
    assert run("1 + 2 * 3")[0].lo == 7
    assert run("-2 ** 2")[0].lo == -4
    assert run("(1 + 2) * 3")[0].lo == 9


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("10**10**10", "power of a power"),
        ("2 ** 100", "too large"),
        ("__import__('os')", "unexpected character"),
        ("n.real", "unexpected character"),
        ("open(n)", "unknown function"),
        ("x * 2", "unknown name 'x'"),
        ("(n", "expected ')'"),
        ("", "empty"),
        ("n +", "expected a number"),
        ("1e999", "too large"),
        ("(" * 60 + "n" + ")" * 60, "deeper"),
        ("n" + " + n" * 300, "longer than"),
        ("n ** n", "plain number"),
        ("n + f", "cannot add"),
        ("n ** 0.5", "fractional power"),
        ("n / (n - n)", "contains zero"),
        ("2 [furlongz]", "unknown unit"),
    ],
)
def test_refused_formulas_say_why(text: str, message: str) -> None:
    with pytest.raises(KbError) as info:
        run(text)
    assert message in info.value.message


def test_errors_carry_the_offset_of_the_problem() -> None:
    with pytest.raises(FormulaError) as info:
        run("n * 2 + zz")
    assert info.value.offset == 8


def test_unknown_name_suggests_an_input() -> None:
    with pytest.raises(FormulaError) as info:
        parse("hour * 2", frozenset({"hours"}))
    assert "hours" in info.value.hint
