"""Judging one relation: both sides evaluated with every claim at its interval, then compared.

A relation is judged at the stated level (the widest reading of every number), so a failure never
rests on an assumed precision; the stricter levels (kb/values.py) only say what agreement needed.
Values come from a mapping, so the mutation report can judge the same relation with one claim's
value changed.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from kb.errors import KbError, Problem
from kb.formula import FormulaError, Name, Value, evaluate
from kb.interval import Interval
from kb.relations import Spec
from kb.slips import BYTE_PREFIXES, CJK, PERCENT, SlipMatch, bytes_at, fitting
from kb.units import Dims, UnitInfo, describe_mismatch
from kb.values import LEVELS, StatedValue
from kb.verdicts import Basis, Severity, Verdict, factor, gap, severity, spread

LEVEL_BASIS = {
    "nominal": Basis.EXACT,
    "rounded": Basis.ROUNDING,
    "wide": Basis.TRAILING_ZEROS,
    "stated": Basis.ABOUT,
}
Values = Mapping[str, StatedValue]


class _Overlay(Mapping[str, StatedValue]):
    """The values with one claim's replaced, without copying them."""

    def __init__(self, base: Values, claim_id: str, value: StatedValue) -> None:
        self.base, self.claim_id, self.value = base, claim_id, value

    def __getitem__(self, key: str) -> StatedValue:
        return self.value if key == self.claim_id else self.base[key]

    def __contains__(self, key: object) -> bool:
        return key == self.claim_id or key in self.base

    def __iter__(self) -> Iterator[str]:
        return iter(self.base)

    def __len__(self) -> int:
        return len(self.base)


def overlay(values: Values, claim_id: str, value: StatedValue) -> Values:
    return _Overlay(values, claim_id, value)


def replaces(values: Values, base: Values) -> str | None:
    """The claim whose value `values` replaces, when it is `overlay(base, ...)`; else None."""
    return values.claim_id if isinstance(values, _Overlay) and values.base is base else None


@dataclass
class Sides:
    """Both sides of a relation at every level, in base units."""

    left: dict[str, Interval] = field(default_factory=dict)
    right: dict[str, Interval] = field(default_factory=dict)
    dims: Dims = ()


@dataclass
class Outcome:
    """The verdict of one relation."""

    spec: Spec
    verdict: Verdict
    basis: Basis | None = None
    left: Interval | None = None
    """The left side at the stated level (a check's claim value), in base units."""
    right: Interval | None = None
    """The right side (what a check recomputes), in base units."""
    factor: float | None = None
    """right / left from nominal values: 1000 means the recomputation is 1000x larger."""
    gap: float | None = None
    severity: Severity | None = None
    slip: SlipMatch | None = None
    """The slip whose factor maps the left side onto the right, where one does."""
    diagnosis: str = ""
    problem: Problem | None = None
    display_unit: UnitInfo | None = None
    """The unit to show both sides in (the claim's, for a check)."""
    dims: Dims = ()
    """The dimensions of both sides."""


def holds(op: str, left: Interval, right: Interval) -> bool:
    if op == "<=":
        return left.meets(Interval(-math.inf, right.hi))
    if op == ">=":
        return left.meets(Interval(right.lo, math.inf))
    return left.meets(right)


def widened(spec: Spec, iv: Interval) -> Interval | None:
    t = spec.tolerance
    if t is None:
        return None
    return iv.widen(t.relative) if t.relative is not None else iv.widen_factor(t.factor or 1.0)


def sides(spec: Spec, values: Values, levels: tuple[str, ...] = LEVELS) -> Sides:
    """Evaluate both sides at the given levels; raises KbError (FormulaError) when they cannot be."""
    out = Sides()
    inputs = [(name, values[cid]) for name, cid in spec.variables.items()]
    for lvl in levels:
        env: dict[str, Value] = {name: (v.base(lvl), v.unit.dims) for name, v in inputs}
        if spec.left is None:
            owner = values[spec.owner or ""]
            ldims: Dims = owner.unit.dims
            out.left[lvl] = owner.base(lvl)
        else:
            out.left[lvl], ldims = evaluate(spec.left, env)
        assert spec.right is not None
        out.right[lvl], rdims = evaluate(spec.right, env)
        if ldims != rdims:
            why = describe_mismatch(rdims, ldims)
            if spec.kind != "check":  # no claim is "the stated one" in a relation
                why = why.replace("the formula gives", "the right side gives")
                why = why.replace("but the claim states", "but the left side gives")
            raise KbError(f"units do not match: {why}", _unit_hint(spec), "incompatible-units")
        out.dims = ldims
    return out


def _unit_hint(spec: Spec) -> str:
    if spec.kind == "check":
        return "make the formula's result have the units of the claim"
    return "both sides of the relation must have the same units"


def judge(spec: Spec, values: Values, explain: bool = True) -> Outcome:
    """The verdict of one relation; never raises for anything in the data.

    With `explain` False, the verdict alone (what blame and the mutation report read): the sides at
    the stated level, and no basis, factor, gap, severity, slip or diagnosis.
    """
    if spec.problem is not None:
        return Outcome(spec, Verdict.ERROR, diagnosis=spec.problem.message, problem=spec.problem)
    missing = [c for c in spec.claims if c not in values]
    if missing:  # gather() reports why; never judge a relation on a claim without a value
        return Outcome(spec, Verdict.ERROR, diagnosis=f"no usable value for {', '.join(missing)}")
    try:  # the stated level decides; the stricter ones only say what agreement needed
        s = sides(spec, values, ("stated", "nominal") if explain else ("stated",))
    except KbError as exc:
        return _error(spec, exc)
    out = Outcome(spec, Verdict.INCONSISTENT, left=s.left["stated"], right=s.right["stated"], dims=s.dims)
    out.display_unit = display_unit(spec, values, s.dims)
    is_date = out.display_unit is not None and out.display_unit.is_date
    if is_date and spec.tolerance is not None:
        problem = Problem(
            spec.location,
            f"{spec.label}: a tolerance on a date would be a fraction of the days since 1970",
            "check the duration between two dates instead (a claim in days or months), with its tolerance",
            "date-tolerance",
        )
        return Outcome(spec, Verdict.ERROR, diagnosis=problem.message, problem=problem)
    if not explain:
        out.verdict = Verdict.CONSISTENT if _agree(spec, s) else Verdict.INCONSISTENT
        return out
    out.factor = None if is_date else factor(s.right["nominal"], s.left["nominal"])
    if holds(spec.op, s.left["stated"], s.right["stated"]):
        out.basis = _basis(spec, values, s)
    elif _agree(spec, s):
        out.basis = Basis.TOLERANCE
    if out.basis is not None:
        out.verdict = Verdict.CONSISTENT
        return out
    _rate_failure(out, s, values, is_date)
    return out


def _agree(spec: Spec, s: Sides) -> bool:
    """Whether the sides meet at the stated level, the relation's tolerance allowed for."""
    if holds(spec.op, s.left["stated"], s.right["stated"]):
        return True
    wider = widened(spec, s.left["stated"])
    return wider is not None and holds(spec.op, wider, s.right["stated"])


def _basis(spec: Spec, values: Values, s: Sides) -> Basis:
    """The strictest level at which a relation that holds already holds."""
    for lvl in LEVELS[:-1]:
        if lvl not in s.left:
            extra = sides(spec, values, (lvl,))
            s.left[lvl], s.right[lvl] = extra.left[lvl], extra.right[lvl]
        if holds(spec.op, s.left[lvl], s.right[lvl]):
            return LEVEL_BASIS[lvl]
    return Basis.ABOUT


def _error(spec: Spec, exc: KbError) -> Outcome:
    offset = exc.offset if isinstance(exc, FormulaError) else None
    where = spec.location
    message = f"{spec.label}: {exc.message}" + (f" (at character {offset + 1})" if offset else "")
    problem = Problem(where, message, exc.hint, exc.code)
    return Outcome(spec, Verdict.ERROR, diagnosis=exc.message, problem=problem)


def display_unit(spec: Spec, values: Values, dims: Dims = ()) -> UnitInfo | None:
    """The unit a relation's sides are shown in: its claim's, the first claim's on the left, for
    sides that are dates (a date plus a duration) the first date's, else the unit of the first claim
    that measures what the sides do (GB, not the bits they are computed in); None for pure numbers."""
    if spec.owner is not None:
        return values[spec.owner].unit
    if isinstance(spec.left, Name):
        return values[spec.variables[spec.left.name]].unit
    units = [values[c].unit for c in spec.claims]
    if dims == (("[time]", 1),):
        date = next((u for u in units if u.is_date), None)
        if date is not None:
            return date
    return next((u for u in units if dims and u.dims == dims and not u.is_date), None)


def unit_kinds(unit: UnitInfo) -> frozenset[str]:
    """What a value's unit is, for naming slips: its dimensions, whether it uses 万/亿 or percent,
    and the prefix of its bytes (GB or GiB: the binary-prefix slip of that prefix alone)."""
    kinds = {d for d, _ in unit.dims}
    words = set(unit.text.replace("*", " ").replace("/", " ").split())
    if words & {"wan", "yi", "万", "亿"}:
        kinds.add(CJK)
    if "percent" in words:
        kinds.add(PERCENT)
    for word in words:
        if word[:1] in BYTE_PREFIXES and word[1:] in ("B", "iB"):
            kinds.add(bytes_at(BYTE_PREFIXES[word[0]]))
    return frozenset(kinds)


def _rate_failure(out: Outcome, s: Sides, values: Values, is_date: bool) -> None:
    spec = out.spec
    left, right = s.left["stated"], s.right["stated"]
    if is_date:  # days apart, not a ratio of days since 1970
        days_apart = max(right.lo - left.hi, left.lo - right.hi) / 86400
        out.severity = (
            Severity.MINOR if days_apart < 31 else Severity.MAJOR if days_apart < 366 else Severity.SEVERE
        )
        out.diagnosis = "the dates do not agree"
        return
    if spec.op == "=":
        out.gap = gap(right, left)
    else:  # only one end matters: how far the claim is past the bound
        bound = Interval.point(right.hi if spec.op == "<=" else right.lo)
        near = Interval.point(left.lo if spec.op == "<=" else left.hi)
        out.gap = gap(bound, near) if bound.lo != near.lo else 1.0
    out.severity = severity(out.gap)
    target = _target(spec.op, right)
    unit = out.display_unit
    context = frozenset(d for cid in spec.claims if cid in values for d, _ in values[cid].unit.dims)
    out.slip = fitting(left, target, unit_kinds(unit), context) if unit is not None else None
    out.diagnosis = describe(
        out.factor, out.slip, spec.op, max(spread(left), spread(right)), relation=spec.kind != "check"
    )


def _target(op: str, right: Interval) -> Interval:
    if op == "<=":
        return Interval(-math.inf if right.hi < 0 else 0.0, right.hi)
    if op == ">=":
        return Interval(right.lo, math.inf)
    return right


def describe(
    f: float | None, slip: SlipMatch | None, op: str = "=", width: float = 1.0, relation: bool = False
) -> str:
    """The reason a relation fails, in words: the factor, and the slip that fits it, if any. A
    standalone relation or law has sides, not a stated and a recomputed value: its right side may
    hold the wrong claim (a row of a sum), so the text does not call the left side "stated"."""
    if op != "=":
        head = (
            "the claim is above the most the relation allows"
            if op == "<="
            else "the claim is below the least the relation allows"
        )
        if f is not None:
            head += f" ({_factor_text(f)})"
    elif f is None:
        return "the values have different signs or one is zero; check the inputs"
    elif relation:
        head = f"the right side is the left side {_factor_text(f)}"
    else:
        head = f"the recomputed value is the stated one {_factor_text(f)}"
    if slip is not None and relation:
        return f"{head}; it fits {slip.text}"
    if slip is not None:
        return f"{head}; it fits {slip.text}: the stated value {_factor_text(slip.multiplier)} would agree"
    if f is not None and width > 30:
        return head + "; the intervals are too wide to name a slip"
    return head + "; no known slip explains it"


def _factor_text(f: float) -> str:
    """One style of factor everywhere: ×1,140, ÷1,150 (kb/display.py)."""
    from kb.display import factor

    return factor(f) or "n/a"
