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


def _walked(node: object, env: dict[str, tuple[Interval, tuple[tuple[str, int], ...]]]) -> object:
    """The tree walk formulas were evaluated by before they were compiled into closures."""
    from kb.formula import BinOp, Call, Name, Neg, Num, Pow, _finite
    from kb.units import DIMENSIONLESS, dims_mul, dims_pow, dims_text

    if isinstance(node, Num):
        if node.unit is None:
            return Interval.point(node.value), DIMENSIONLESS
        return Interval.point(node.value * node.unit.factor), node.unit.dims
    if isinstance(node, Name):
        return env[node.name]
    if isinstance(node, Neg):
        iv, d = _walked(node.operand, env)  # type: ignore[misc]
        return -iv, d
    if isinstance(node, BinOp):
        (a, da), (b, db) = _walked(node.left, env), _walked(node.right, env)  # type: ignore[misc]
        try:
            if node.op in "+-":
                if da != db:
                    raise FormulaError(
                        f"cannot {'add' if node.op == '+' else 'subtract'} {dims_text(db)} "
                        f"{'to' if node.op == '+' else 'from'} {dims_text(da)}",
                        node.pos,
                        "both sides of + and - must have the same units",
                        "incompatible-units",
                    )
                return _finite(a + b if node.op == "+" else a - b, node.pos), da
            if node.op == "*":
                return _finite(a * b, node.pos), dims_mul(da, db)
            return _finite(a / b, node.pos), dims_mul(da, db, -1)
        except FormulaError:
            raise
        except KbError as exc:
            raise FormulaError(exc.message, node.pos, exc.hint, exc.code) from None
    if isinstance(node, Pow):
        iv, d = _walked(node.base, env)  # type: ignore[misc]
        if d and not float(node.exponent).is_integer():
            raise FormulaError(
                f"a fractional power of a value with units ({dims_text(d)})",
                node.pos,
                code="incompatible-units",
            )
        try:
            return _finite(iv**node.exponent, node.pos), dims_pow(d, int(node.exponent)) if d else d
        except OverflowError:
            raise FormulaError("a power overflowed", node.pos, code="overflow") from None
        except FormulaError:
            raise
        except KbError as exc:
            raise FormulaError(exc.message, node.pos, exc.hint, exc.code) from None
    assert isinstance(node, Call)
    values = [_walked(a, env) for a in node.args]
    first_iv, first_d = values[0]  # type: ignore[misc]
    for iv, d in values[1:]:  # type: ignore[misc]
        if d != first_d:
            raise FormulaError(
                f"{node.func}() of {dims_text(first_d)} and {dims_text(d)}",
                node.pos,
                f"all arguments of {node.func}() must have the same units",
                "incompatible-units",
            )
        first_iv = first_iv.min(iv) if node.func == "min" else first_iv.max(iv)
    return first_iv, first_d


def test_a_compiled_formula_evaluates_as_the_tree_walk_did() -> None:
    """Formulas run as closures made once per tree: the same value, or the same error at the same
    place, as walking the tree (below), on inputs that overflow, divide by zero or mix units."""
    import random

    formulas = ["f * n", "n / f - n", "-(n + n) * 2", "n ** 2 / n", "n ** -1 * n", "max(n, n * 2) / f"]
    formulas += [
        "min(n, 2 trillion parameter)",
        "n + f",
        "n / (f - f)",
        "n ** 64 * n ** 64",
        "(n * 1e300) * n",
    ]
    formulas += ["hours * 24 hour/day", "n ** 0.5", "f ** 0.5", "-n / -f", "min(n, f)", "1e308 * n * n"]
    ends = [0.0, -0.0, 1.0, -2.5, 1e-300, 3e12, -1e200, 7.0, 1e154]
    rng = random.Random(7)
    for _ in range(300):
        env = dict(ENV)
        for name in ("n", "f"):
            lo, hi = sorted((rng.choice(ends), rng.choice(ends)))
            env[name] = (Interval(lo, hi), env[name][1])
        env["f"] = (env["f"][0], rng.choice([FLOP_PER, PARAM, ()]))
        for text in formulas:
            node = parse(text, frozenset(env))
            try:
                expected: object = _walked(node, env)
            except KbError as exc:
                expected = (type(exc), exc.message, exc.hint, getattr(exc, "offset", None), exc.code)
            try:
                found: object = evaluate(node, env)
            except KbError as exc:
                found = (type(exc), exc.message, exc.hint, getattr(exc, "offset", None), exc.code)
            assert found == expected, (text, env)
