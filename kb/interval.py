"""Closed intervals of reals, and the arithmetic that propagates them soundly through formulas.

Every stated value is an interval (its rounding interval, widened by its qualifier), so a
recomputed value is an interval that contains every result the stated inputs allow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kb.errors import KbError

INF = math.inf
_set = object.__setattr__  # how a frozen dataclass sets its fields


def _mul(a: float, b: float) -> float:
    # 0 * inf is taken as 0: an unbounded side times an exact zero stays zero.
    if a == 0.0 or b == 0.0:
        return 0.0
    return a * b


@dataclass(frozen=True, slots=True)
class Interval:
    """The closed interval [lo, hi]; lo may be -inf and hi +inf (an 'at least' or 'at most' value)."""

    lo: float
    hi: float

    def __init__(self, lo: float, hi: float) -> None:
        # The generated __init__ and a __post_init__ check, in one call: intervals are made by the
        # hundred thousand per check.
        if not lo <= hi:  # one comparison for both: any comparison with a NaN is false
            if math.isnan(lo) or math.isnan(hi):
                raise KbError("a computation produced an undefined number (NaN)", code="nan")
            raise KbError(f"empty interval [{lo}, {hi}]", code="empty-interval")
        _set(self, "lo", lo)
        _set(self, "hi", hi)

    @classmethod
    def point(cls, x: float) -> Interval:
        return cls(x, x)

    @property
    def is_point(self) -> bool:
        return self.lo == self.hi

    @property
    def bounded(self) -> bool:
        return math.isfinite(self.lo) and math.isfinite(self.hi)

    @property
    def below_only(self) -> bool:
        """From zero, or the smallest positive float that kept a quantity positive while solving, up
        to a finite positive end: what a one-sided fix ("at most $4.4 million") solves to."""
        return 0 <= self.lo <= self.hi * 1e-12 and 0 < self.hi < math.inf

    def mid(self) -> float:
        """A representative value: the geometric mean for positive intervals (values span decades)."""
        if not self.bounded:
            return self.lo if math.isfinite(self.lo) else self.hi
        if self.lo > 0:
            return math.sqrt(self.lo * self.hi)
        if self.hi < 0:
            return -math.sqrt(self.lo * self.hi)
        return (self.lo + self.hi) / 2

    def scale(self, k: float) -> Interval:
        return Interval(self.lo * k, self.hi * k) if k >= 0 else Interval(self.hi * k, self.lo * k)

    def __add__(self, o: Interval) -> Interval:
        return Interval(self.lo + o.lo, self.hi + o.hi)

    def __sub__(self, o: Interval) -> Interval:
        return Interval(self.lo - o.hi, self.hi - o.lo)

    def __neg__(self) -> Interval:
        return Interval(-self.hi, -self.lo)

    def __mul__(self, o: Interval) -> Interval:
        if self.lo > 0.0 and o.lo > 0.0:  # the usual case, two positive intervals: no zero, no sign
            return Interval(self.lo * o.lo, self.hi * o.hi)
        p = (_mul(self.lo, o.lo), _mul(self.lo, o.hi), _mul(self.hi, o.lo), _mul(self.hi, o.hi))
        return Interval(min(p), max(p))

    def __truediv__(self, o: Interval) -> Interval:
        if o.lo <= 0.0 <= o.hi:
            raise KbError(
                f"division by an interval that contains zero [{o.lo:g}, {o.hi:g}]",
                "a divisor must be strictly positive or strictly negative",
                code="division-by-zero",
            )
        inv_lo, inv_hi = 1.0 / o.hi, 1.0 / o.lo
        if self.lo > 0.0 and inv_lo > 0.0:  # __mul__'s usual case, without building the reciprocal
            return Interval(self.lo * inv_lo, self.hi * inv_hi)
        return self * Interval(inv_lo, inv_hi)

    def __pow__(self, n: float) -> Interval:
        try:
            return self._pow(n)
        except (OverflowError, ZeroDivisionError):
            raise KbError(
                "a power overflowed", "check the exponent and the scale of the base", "overflow"
            ) from None

    def _pow(self, n: float) -> Interval:
        if float(n).is_integer():
            k = int(n)
            if k == 0:
                return Interval.point(1.0)
            if k < 0:
                return Interval.point(1.0) / (self ** (-k))
            lo, hi = self.lo**k, self.hi**k
            if k % 2 == 0 and self.lo < 0 < self.hi:
                return Interval(0.0, max(lo, hi))
            if k % 2 == 0 and self.hi <= 0:
                return Interval(hi, lo)
            return Interval(lo, hi)
        if self.lo < 0:
            raise KbError("a fractional power of a possibly negative value", code="domain")
        if n < 0:
            if self.lo == 0:
                raise KbError("a negative power of a value that may be zero", code="division-by-zero")
            return Interval(self.hi**n, self.lo**n)
        return Interval(self.lo**n, self.hi**n)

    def min(self, o: Interval) -> Interval:
        return Interval(min(self.lo, o.lo), min(self.hi, o.hi))

    def max(self, o: Interval) -> Interval:
        return Interval(max(self.lo, o.lo), max(self.hi, o.hi))

    def hull(self, o: Interval) -> Interval:
        return Interval(min(self.lo, o.lo), max(self.hi, o.hi))

    def meets(self, o: Interval) -> bool:
        """Both ends inclusive, with a relative slack of 1e-9 for float noise."""
        return _meets(self.lo, self.hi, o.lo, o.hi)

    def intersect(self, o: Interval) -> Interval | None:
        """The common part, or None when they do not meet (with meets()' slack)."""
        a_lo, a_hi, b_lo, b_hi = self.lo, self.hi, o.lo, o.hi
        if not _meets(a_lo, a_hi, b_lo, b_hi):
            return None
        # max() and min() as the builtins pick (the first of equals), without their calls
        lo = b_lo if b_lo > a_lo else a_lo
        hi = b_hi if b_hi < a_hi else a_hi
        if hi < lo:
            return Interval(hi, lo)
        return Interval(lo, hi if hi > lo else lo)  # equal ends (0.0 and -0.0): min and max give lo

    def contains(self, x: float) -> bool:
        eps = 1e-9 * max(abs(x), 1e-300)
        return self.lo - eps <= x <= self.hi + eps

    def widen(self, relative: float) -> Interval:
        """Widen each end by `relative` of its own magnitude (both ends move outward)."""
        return Interval(self.lo - abs(self.lo) * relative, self.hi + abs(self.hi) * relative)

    def widen_factor(self, factor: float) -> Interval:
        """Widen to [lo/f, hi*f] for positive ends: 'within a factor of f'."""
        lo = self.lo / factor if self.lo > 0 else self.lo * factor
        hi = self.hi * factor if self.hi > 0 else self.hi / factor
        return Interval(lo, hi)

    def check_finite(self) -> None:
        if (math.isinf(self.lo) and self.lo > 0) or (math.isinf(self.hi) and self.hi < 0):
            raise KbError("a computation overflowed", "check exponents and scale words", code="overflow")


def _meets(a_lo: float, a_hi: float, b_lo: float, b_hi: float) -> bool:
    # The slack is 1e-9 of the largest finite end (an infinite end counts as 0; so does none).
    a, b, c, d = abs(a_lo), abs(a_hi), abs(b_lo), abs(b_hi)
    largest = max(a, b, c, d)
    if largest == INF:
        largest = max(
            a if a < INF else 0.0, b if b < INF else 0.0, c if c < INF else 0.0, d if d < INF else 0.0
        )
    eps = 1e-9 * largest
    return a_lo <= b_hi + eps and b_lo <= a_hi + eps
