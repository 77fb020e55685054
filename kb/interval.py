"""Closed intervals of reals, and the arithmetic that propagates them soundly through formulas.

Every stated value is an interval (its rounding interval, widened by its qualifier), so a
recomputed value is an interval that contains every result the stated inputs allow.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kb.errors import KbError

INF = math.inf


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

    def __post_init__(self) -> None:
        if not self.lo <= self.hi:  # one comparison for both: any comparison with a NaN is false
            if math.isnan(self.lo) or math.isnan(self.hi):
                raise KbError("a computation produced an undefined number (NaN)", code="nan")
            raise KbError(f"empty interval [{self.lo}, {self.hi}]", code="empty-interval")

    @classmethod
    def point(cls, x: float) -> Interval:
        return cls(x, x)

    @property
    def is_point(self) -> bool:
        return self.lo == self.hi

    @property
    def bounded(self) -> bool:
        return math.isfinite(self.lo) and math.isfinite(self.hi)

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
        largest = max(abs(self.lo), abs(self.hi), abs(o.lo), abs(o.hi))
        if largest < INF:  # every end finite, the usual case
            eps = 1e-9 * largest
        else:
            finite = [abs(x) for x in (self.lo, self.hi, o.lo, o.hi) if math.isfinite(x)]
            eps = 1e-9 * max(finite, default=0.0)
        return self.lo <= o.hi + eps and o.lo <= self.hi + eps

    def intersect(self, o: Interval) -> Interval | None:
        """The common part, or None when they do not meet (with meets()' slack)."""
        if not self.meets(o):
            return None
        lo, hi = max(self.lo, o.lo), min(self.hi, o.hi)
        return Interval(min(lo, hi), max(lo, hi))

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
