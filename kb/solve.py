"""Solving a relation for one of its claims: the values that claim could take for the relation to hold.

Interval inversion along the path from the relation's root to the claim's one occurrence
(x + b in T  =>  x in T - b; x * b in T  =>  x in T / b ...), every other claim at its stated
interval. The result is the set of values for which some choice of the others makes the relation
hold, as interval arithmetic computes it. A claim that occurs twice, or under min() or max(), or a
division by an interval around zero, cannot be solved for: None, meaning "not constrained here".
Where no value can make it hold (a step of the formula would have to cross zero, and no value of
the claim, which cannot be negative, takes it there), the answer is NO_VALUE: the claim alone
cannot explain the relation failing.
"""

from __future__ import annotations

import math
from typing import Final

from kb.errors import KbError
from kb.formula import BinOp, Call, Name, Neg, Node, Pow, Value, evaluate
from kb.interval import Interval
from kb.judge import Values, widened
from kb.relations import Spec


class NoValue:
    """No value of the claim lets the relation hold (see the module's docstring)."""

    def __repr__(self) -> str:
        return "NO_VALUE"


NO_VALUE: Final = NoValue()
Solution = Interval | NoValue | None
"""What solving answers: the values that let the relation hold, NO_VALUE, or None (not constrained)."""


def _count(node: Node, name: str) -> int:
    if isinstance(node, Name):
        return int(node.name == name)
    if isinstance(node, BinOp):
        return _count(node.left, name) + _count(node.right, name)
    if isinstance(node, Neg):
        return _count(node.operand, name)
    if isinstance(node, Pow):
        return _count(node.base, name)
    if isinstance(node, Call):
        return sum(_count(a, name) for a in node.args)
    return 0


_OCCURRENCES: dict[tuple[int, str], tuple[Node, int, frozenset[int]]] = {}
"""(id(formula), name) -> (formula, how often the name occurs in it, ids of its nodes that hold it):
worked out once per formula, not at every step of every inversion (the formula is kept with it, so
its id cannot be reused while the entry lives)."""


def _occurrences(root: Node, name: str) -> tuple[int, frozenset[int]]:
    found = _OCCURRENCES.get((id(root), name))
    if found is None or found[0] is not root:
        if len(_OCCURRENCES) >= 50_000:
            _OCCURRENCES.clear()
        holders: set[int] = set()
        found = _OCCURRENCES[(id(root), name)] = (root, _holding(root, name, holders), frozenset(holders))
    return found[1], found[2]


def _holding(node: Node, name: str, holders: set[int]) -> int:
    """`_count`, noting every node that holds the name."""
    if isinstance(node, BinOp):
        n = _holding(node.left, name, holders) + _holding(node.right, name, holders)
    elif isinstance(node, Neg):
        n = _holding(node.operand, name, holders)
    elif isinstance(node, Pow):
        n = _holding(node.base, name, holders)
    elif isinstance(node, Call):
        n = sum(_holding(a, name, holders) for a in node.args)
    else:
        n = _count(node, name)
    if n:
        holders.add(id(node))
    return n


def _invert(
    node: Node,
    name: str,
    target: Interval,
    env: dict[str, Value],
    keep_sign: bool,
    holders: frozenset[int],
) -> Solution:
    """Values of `name` (occurring once in node) that put node in target; `holders`: the ids of the
    nodes of the formula that hold it (on the way to it, each holds it once)."""
    kept = _same_sign(node, target, env) if keep_sign else target
    if kept is None:
        return _beyond(node, name, target, env)
    target = kept
    if isinstance(node, Name):
        return target
    if isinstance(node, Neg):
        return _invert(node.operand, name, -target, env, keep_sign, holders)
    if isinstance(node, Pow):
        root = _root(target, node.exponent)
        return None if root is None else _invert(node.base, name, root, env, keep_sign, holders)
    if isinstance(node, BinOp):
        inside_left = id(node.left) in holders  # _count(node.left, name) == 1
        inside, other = (node.left, node.right) if inside_left else (node.right, node.left)
        o, _ = evaluate(other, env)
        step: Interval | None
        if node.op == "+":
            step = target - o
        elif node.op == "-":
            step = target + o if inside_left else o - target
        elif node.op == "*":
            step = _divide(target, o)
        else:  # x / o in T  =>  x in T * o;  o / x in T  =>  x in o / T
            step = target * o if inside_left else _divide(o, target)
        return None if step is None else _invert(inside, name, step, env, keep_sign, holders)
    return None  # min(), max(): several arguments could be the one that matters


def _same_sign(node: Node, target: Interval, env: dict[str, Value]) -> Interval | None:
    """Keep the target on the side of zero the expression is on now (a count stays a count), so
    that a one-sided target such as (-inf, y] still inverts through a division."""
    try:
        now, _ = evaluate(node, env)
    except KbError:
        return target
    if now.lo > 0:
        return target.intersect(_POSITIVE) if target.hi > 0 else None
    if now.hi < 0:
        return target.intersect(_NEGATIVE) if target.lo < 0 else None
    return target


def _beyond(node: Node, name: str, target: Interval, env: dict[str, Value]) -> NoValue | None:
    """The answer where the target lies across zero from where this step is now: NO_VALUE when no
    value of a claim that cannot be negative (a count, a price) puts the step there, as interval
    arithmetic over all of them bounds it (x * y + z stays above zero for every x >= 0 when y and z
    are positive); else None, unsolved (x - y can cross zero)."""
    value, dims = env[name]
    if value.lo <= 0:
        return None  # a claim that may be negative or zero: its sign is not a given
    try:
        reach, _ = evaluate(node, {**env, name: (NOT_NEGATIVE, dims)})
    except (KbError, OverflowError, ZeroDivisionError, ValueError):
        return None
    return NO_VALUE if reach.intersect(target) is None else None


NOT_NEGATIVE = Interval(0.0, math.inf)
"""Every value a quantity that cannot be negative (a count, a price) may take."""
_POSITIVE = Interval(math.ulp(0.0), math.inf)
_NEGATIVE = Interval(-math.inf, -math.ulp(0.0))


def _divide(a: Interval, b: Interval) -> Interval | None:
    if b.lo <= 0 <= b.hi:
        return None
    try:
        return a / b
    except KbError:
        return None


def _root(target: Interval, n: float) -> Interval | None:
    if n <= 0 or target.hi < 0:
        return None
    lo = max(target.lo, 0.0)
    return Interval(lo ** (1 / n), target.hi ** (1 / n))


def solve(spec: Spec, claim_id: str, values: Values) -> Solution:
    """The values (in the claim's own unit) for which this relation could hold; None: unconstrained;
    NO_VALUE: none can."""
    if spec.right is None or spec.problem is not None:
        return None
    names = [n for n, cid in spec.variables.items() if cid == claim_id]
    env: dict[str, Value] = {}
    for n, c in spec.variables.items():
        value = values[c]
        env[n] = (value.base("stated"), value.unit.dims)
    found: Solution
    try:
        if spec.owner == claim_id:
            right, _ = evaluate(spec.right, env)
            found = _side_target(spec, right, owner=True)
        elif len(names) == 1:
            found = _solve_variable(spec, names[0], env, values)
        else:
            return None
    except (KbError, OverflowError, ZeroDivisionError, ValueError):
        return None
    if found is None or found is NO_VALUE:
        return found
    assert isinstance(found, Interval)
    unit = values[claim_id].unit
    try:
        return found.scale(1.0 / unit.factor)
    except KbError:
        return None


def _solve_variable(spec: Spec, name: str, env: dict[str, Value], values: Values) -> Solution:
    assert spec.right is not None
    n_left, left_holders = _occurrences(spec.left, name) if spec.left is not None else (0, frozenset())
    n_right, right_holders = _occurrences(spec.right, name)
    if (n_left > 0) == (n_right > 0) or n_left > 1 or n_right > 1:
        return None
    if n_right:
        if spec.left is None:
            assert spec.owner is not None
            left = values[spec.owner].base("stated")
        else:
            left, _ = evaluate(spec.left, env)
        target = _side_target(spec, _tolerant(spec, left), owner=False)
        return _invert(spec.right, name, target, env, not _dates(spec, values), right_holders)
    assert spec.left is not None
    right, _ = evaluate(spec.right, env)
    target = _side_target(spec, right, owner=True)
    return _invert(spec.left, name, target, env, not _dates(spec, values), left_holders)


def _dates(spec: Spec, values: Values) -> bool:
    """Dates are seconds since 1970: their sign means nothing, so it is not kept."""
    return any(values[c].unit.is_date for c in spec.claims if c in values)


def _tolerant(spec: Spec, left: Interval) -> Interval:
    return widened(spec, left) or left


def _side_target(spec: Spec, other: Interval, owner: bool) -> Interval:
    """What one side may be, given the other: the left side (owner) or the right side."""
    op = spec.op
    if not owner:  # solving for the right side, given the (already widened) left
        if op == "=":
            return other
        return Interval(other.lo, math.inf) if op == "<=" else Interval(-math.inf, other.hi)
    # Solving for the left side: a tolerance widens the left, so it loosens what the right allows.
    if op == "=":
        return _loosen(spec, other)
    bound = _loosen(spec, other)
    return Interval(-math.inf, bound.hi) if op == "<=" else Interval(bound.lo, math.inf)


def _loosen(spec: Spec, right: Interval) -> Interval:
    """The values l whose widened interval (judge.widened) meets `right`, for a point l."""
    t = spec.tolerance
    if t is None:
        return right
    if t.relative is not None:
        r = t.relative
        # l widened by r: [l - |l| r, l + |l| r]; it meets [lo, hi] when both ends allow it.
        lo = right.lo / (1 + r) if right.lo >= 0 else (right.lo / (1 - r) if r < 1 else -math.inf)
        hi = (
            right.hi / (1 - r)
            if right.hi >= 0 and r < 1
            else (math.inf if right.hi >= 0 else right.hi / (1 + r))
        )
        return Interval(lo, hi)
    f = t.factor or 1.0
    lo = right.lo / f if right.lo >= 0 else right.lo * f
    hi = right.hi * f if right.hi >= 0 else right.hi / f
    return Interval(lo, hi)


SCALE_LIMIT = 1e6
"""`steady` vouches for the claim's value scaled by at most this factor either way (a mutation ×1000
against one ÷1000)."""
_TINY, _HUGE = 1e-290, 1e290
"""Ends of a step beyond these could underflow to zero or overflow once scaled by SCALE_LIMIT."""


def steady(spec: Spec, claim_id: str, values: Values) -> bool:
    """Whether `solve(spec, claim_id, ...)` answers the same with the claim's own value scaled by any
    positive factor within SCALE_LIMIT either way (the others unchanged).

    Solving reads the claim's own value in one place only: each step of the inversion keeps the
    target on the side of zero the step is on now (`_same_sign`). Along a path of products,
    quotients and negations, the sign of each end of each step follows from those of the claim's
    ends, which scaling keeps, as long as nothing underflows or overflows; a sum keeps its sign
    where the claim's part and the other part lie on one side of zero. Any other step (a power,
    min(), a sum across zero, an error) is not vouched for: False."""
    if spec.right is None or spec.problem is not None:
        return True  # never solved: None at any value
    names = [n for n, cid in spec.variables.items() if cid == claim_id]
    if spec.owner == claim_id:
        return not names  # the other side alone, unless the claim is on it too
    if len(names) != 1 or _dates(spec, values):
        return True  # never solved, or solved without reading a sign
    n_left, left_holders = _occurrences(spec.left, names[0]) if spec.left is not None else (0, frozenset())
    n_right, right_holders = _occurrences(spec.right, names[0])
    if (n_left > 0) == (n_right > 0) or n_left > 1 or n_right > 1:
        return True
    env = {n: (values[c].base("stated"), values[c].unit.dims) for n, c in spec.variables.items()}
    root, holders = (spec.right, right_holders) if n_right else (spec.left, left_holders)
    assert root is not None
    try:
        return _steady_path(root, holders, env)
    except (KbError, OverflowError, ZeroDivisionError, ValueError):
        return False


def _steady_path(node: Node, holders: frozenset[int], env: dict[str, Value]) -> bool:
    """Whether the sign of each end of every step from `node` down to the claim stays as it is."""
    now, _ = evaluate(node, env)
    if not all(x == 0.0 or math.isinf(x) or _TINY <= abs(x) <= _HUGE for x in (now.lo, now.hi)):
        return False
    if isinstance(node, Name):
        return True
    if isinstance(node, Neg):
        return _steady_path(node.operand, holders, env)
    if not isinstance(node, BinOp):
        return False  # a power, min(), max(): not vouched for
    inside_left = id(node.left) in holders
    inside, other = (node.left, node.right) if inside_left else (node.right, node.left)
    if node.op in "+-" and not _one_side(node, inside, other, inside_left, env):
        return False
    return _steady_path(inside, holders, env)


def _one_side(node: BinOp, inside: Node, other: Node, inside_left: bool, env: dict[str, Value]) -> bool:
    """Whether a sum or difference is on the side of zero its claim's part is on, whatever that
    part's scale: both parts strictly on that side, or the other part at zero at most."""
    part, _ = evaluate(inside, env)
    rest, _ = evaluate(other, env)
    if node.op == "-":
        rest = -rest
        if not inside_left:
            part, rest = -part, -rest  # o - x = -(x - o)
    return (part.lo > 0 and rest.lo >= 0) or (part.hi < 0 and rest.hi <= 0)


__all__ = ["NOT_NEGATIVE", "NO_VALUE", "NoValue", "Solution", "solve", "steady"]
