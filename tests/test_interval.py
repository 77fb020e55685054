"""Interval arithmetic: sound propagation (every combination of inputs lands inside the result)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kb.errors import KbError
from kb.interval import Interval

# Magnitudes of 1e-6 to 1e6 (or zero): the range of scales a formula meets after unit conversion.
finite = st.floats(min_value=-1e6, max_value=1e6, allow_nan=False).map(lambda x: 0.0 if abs(x) < 1e-6 else x)


@st.composite
def intervals(draw: st.DrawFn) -> tuple[Interval, float]:
    a, b = sorted((draw(finite), draw(finite)))
    t = draw(st.floats(min_value=0, max_value=1))
    return Interval(a, b), a + (b - a) * t


def inside(iv: Interval, x: float) -> bool:
    slack = 1e-9 * max(1.0, abs(x), abs(iv.lo), abs(iv.hi))
    return iv.lo - slack <= x <= iv.hi + slack


@given(intervals(), intervals())
def test_sum_difference_product_contain_every_combination(
    a: tuple[Interval, float], b: tuple[Interval, float]
) -> None:
    (ia, xa), (ib, xb) = a, b
    assert inside(ia + ib, xa + xb)
    assert inside(ia - ib, xa - xb)
    assert inside(ia * ib, xa * xb)


@given(intervals(), intervals())
def test_quotient_contains_every_combination(a: tuple[Interval, float], b: tuple[Interval, float]) -> None:
    (ia, xa), (ib, xb) = a, b
    if ib.lo <= 0 <= ib.hi:
        with pytest.raises(KbError):
            ia / ib
        return
    assert inside(ia / ib, xa / xb)


@given(intervals(), st.integers(min_value=-3, max_value=4))
def test_integer_powers(a: tuple[Interval, float], n: int) -> None:
    ia, xa = a
    if n < 0 and ia.lo <= 0 <= ia.hi:
        with pytest.raises(KbError):
            ia**n
        return
    assert inside(ia**n, xa**n)


def test_division_by_interval_containing_zero_is_an_error() -> None:
    with pytest.raises(KbError, match="contains zero"):
        Interval(1, 2) / Interval(-1, 1)


def test_even_power_of_interval_spanning_zero_starts_at_zero() -> None:
    assert Interval(-2, 3) ** 2 == Interval(0, 9)


def test_unbounded_times_zero_is_zero() -> None:
    assert (Interval(0, 0) * Interval(1, math.inf)) == Interval(0, 0)


def test_meets_is_inclusive_at_both_ends() -> None:
    assert Interval(1, 2).meets(Interval(2, 3))
    assert not Interval(1, 2).meets(Interval(2.0001, 3))


def test_geometric_midpoint_for_positive_ranges() -> None:
    assert Interval(1, 100).mid() == pytest.approx(10)


def _bits(iv: Interval | None) -> tuple[str, str] | None:
    """An interval to the last bit, signed zeros told apart."""
    return None if iv is None else (iv.lo.hex() + str(math.copysign(1, iv.lo)), iv.hi.hex())


ENDS = [
    -math.inf,
    -1e300,
    -5.0,
    -1.0,
    -1e-9,
    -0.0,
    0.0,
    1e-320,
    1e-9,
    1.0,
    1.0000000001,
    2.0,
    1e300,
    math.inf,
]


def test_meets_and_intersect_read_as_their_first_definitions() -> None:
    """meets() and intersect() skip the list and builtins of their first definitions (below): the
    same answers, to the last bit, for infinite ends and signed zeros too."""
    import random

    def meets(a: Interval, b: Interval) -> bool:
        ends = [abs(x) for x in (a.lo, a.hi, b.lo, b.hi) if math.isfinite(x)]
        eps = 1e-9 * max(ends, default=0.0)
        return a.lo <= b.hi + eps and b.lo <= a.hi + eps

    def intersect(a: Interval, b: Interval) -> Interval | None:
        if not meets(a, b):
            return None
        lo, hi = max(a.lo, b.lo), min(a.hi, b.hi)
        return Interval(min(lo, hi), max(lo, hi))

    ivs = [Interval(a, b) for a in ENDS for b in ENDS if a <= b]
    rng = random.Random(2)
    for _ in range(400):
        lo = rng.uniform(-10, 10)
        ivs.append(Interval(lo, lo + abs(rng.gauss(0, 1e-8 if rng.random() < 0.5 else 3))))
    for a in ivs:
        for b in ivs[::3]:
            assert a.meets(b) == meets(a, b), (a, b)
            assert _bits(a.intersect(b)) == _bits(intersect(a, b)), (a, b)


def test_a_division_multiplies_by_the_reciprocal() -> None:
    """a / b is a * [1/b.hi, 1/b.lo], the reciprocal's interval built or not."""
    ivs = [Interval(a, b) for a in ENDS for b in ENDS if a <= b and math.isfinite(a) and math.isfinite(b)]
    for a in ivs:
        for b in ivs:
            if b.lo <= 0.0 <= b.hi:
                continue
            try:
                expected = _bits(a * Interval(1.0 / b.hi, 1.0 / b.lo))
            except KbError:
                with pytest.raises(KbError):
                    a / b
                continue
            assert _bits(a / b) == expected, (a, b)
