"""The formula language of checks: parsed by a whitelist grammar, never by eval.

    formula := expr
    expr    := term (("+" | "-") term)*
    term    := unary (("*" | "/") unary)*
    unary   := ("-" | "+") unary | power
    power   := atom (("**" | "^") unary)?
    atom    := NUMBER [unit] | NAME | ("min" | "max") "(" expr ("," expr)* ")" | "(" expr ")"
    unit    := "[" pint unit "]" | IDENT (("*" | "/") IDENT)*     e.g. 24 hour/day, 2 [FLOP/(parameter*token)]

Names are the check's inputs. Exponents must be plain numbers of at most MAX_EXPONENT, so that
nothing can run away (10**10**10 is refused); formulas are at most MAX_LENGTH characters deep
MAX_DEPTH. Evaluation runs on intervals in base units with dimensions tracked, so an incompatible
sum (FLOP + FLOP/s) is an error, not a number.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from kb.errors import KbError, did_you_mean
from kb.interval import INF, Interval
from kb.units import DIMENSIONLESS, Dims, UnitInfo, dims_mul, dims_pow, dims_text, unit_info

MAX_LENGTH = 500
MAX_DEPTH = 40
MAX_EXPONENT = 64
FUNCTIONS = ("min", "max")

_TOKEN = re.compile(
    r"\s*(?:(?P<num>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)|(?P<name>[^\W\d]\w*)|(?P<op>\*\*|[-+*/^(),\[\]])|(?P<bad>\S))"
)


class FormulaError(KbError):
    """A formula that cannot be parsed or evaluated; `offset` is the character where it went wrong."""

    def __init__(self, message: str, offset: int = 0, hint: str = "", code: str = "formula") -> None:
        super().__init__(message, hint, code)
        self.offset = offset


@dataclass(frozen=True)
class Tok:
    kind: str
    text: str
    pos: int


def tokenize(text: str) -> list[Tok]:
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"formula is longer than {MAX_LENGTH} characters", MAX_LENGTH)
    out: list[Tok] = []
    pos = 0
    while pos < len(text):
        m = _TOKEN.match(text, pos)
        if m is None or m.end() == pos:
            break
        kind = m.lastgroup or "bad"
        tok = m.group(kind)
        start = m.start(kind)
        if kind == "bad":
            raise FormulaError(
                f"unexpected character {tok!r} at column {start + 1}",
                start,
                "formulas use + - * / ** ( ) numbers, units, input names, min() and max()",
            )
        out.append(Tok(kind, tok, start))
        pos = m.end()
    out.append(Tok("end", "", len(text)))
    return out


# --- AST -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Num:
    value: float
    unit: UnitInfo | None
    text: str


@dataclass(frozen=True)
class Name:
    name: str
    pos: int


@dataclass(frozen=True)
class BinOp:
    op: str
    left: Node
    right: Node
    pos: int


@dataclass(frozen=True)
class Neg:
    operand: Node


@dataclass(frozen=True)
class Pow:
    base: Node
    exponent: float
    pos: int


@dataclass(frozen=True)
class Call:
    func: str
    args: tuple[Node, ...]
    pos: int


Node = Num | Name | BinOp | Neg | Pow | Call


class _Parser:
    def __init__(self, text: str, names: frozenset[str]) -> None:
        self.text = text
        self.toks = tokenize(text)
        self.i = 0
        self.names = names
        self.depth = 0

    @property
    def tok(self) -> Tok:
        return self.toks[self.i]

    def take(self) -> Tok:
        t = self.toks[self.i]
        self.i += 1
        return t

    def expect(self, text: str) -> Tok:
        if self.tok.text != text:
            found = self.tok.text or "the end of the formula"
            hint = "close every '(' with ')'" if text == ")" else f"write {text!r} here"
            raise FormulaError(f"expected {text!r} but found {found!r}", self.tok.pos, hint)
        return self.take()

    def parse(self) -> Node:
        if self.tok.kind == "end":
            raise FormulaError("the formula is empty", 0, "write an expression such as 6 * params * tokens")
        node = self.expr()
        if self.tok.kind != "end":
            raise FormulaError(f"unexpected {self.tok.text!r} at column {self.tok.pos + 1}", self.tok.pos)
        return node

    def _enter(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FormulaError(f"formula nests deeper than {MAX_DEPTH} levels", self.tok.pos)

    def expr(self) -> Node:
        self._enter()
        node = self.term()
        while self.tok.text in ("+", "-"):
            op = self.take()
            node = BinOp(op.text, node, self.term(), op.pos)
        self.depth -= 1
        return node

    def term(self) -> Node:
        node = self.unary()
        while self.tok.text in ("*", "/"):
            op = self.take()
            node = BinOp(op.text, node, self.unary(), op.pos)
        return node

    def unary(self) -> Node:
        if self.tok.text in ("-", "+"):
            self._enter()
            op = self.take()
            operand = self.unary()
            self.depth -= 1
            return Neg(operand) if op.text == "-" else operand
        return self.power()

    def power(self) -> Node:
        base = self.atom()
        if self.tok.text in ("**", "^"):
            op = self.take()
            self._enter()
            exp_node = self.unary()
            self.depth -= 1
            exponent = _constant(exp_node)
            if isinstance(exp_node, Pow):
                raise FormulaError(
                    "a power of a power is refused: it could run away (10**10**10)",
                    op.pos,
                    "write the number as a literal, e.g. 1e25",
                    "runaway",
                )
            if exponent is None:
                raise FormulaError(
                    "an exponent must be a plain number", op.pos, "write e.g. x ** 2, not x ** y"
                )
            if not math.isfinite(exponent) or abs(exponent) > MAX_EXPONENT:
                raise FormulaError(
                    f"exponent {exponent:g} is too large (at most {MAX_EXPONENT})",
                    op.pos,
                    "write large numbers as literals, e.g. 1e25",
                )
            return Pow(base, exponent, op.pos)
        return base

    def atom(self) -> Node:
        t = self.tok
        if t.kind == "num":
            self.take()
            value = float(t.text)
            if not math.isfinite(value):
                raise FormulaError(f"number {t.text} is too large", t.pos)
            return Num(value, self.unit(), t.text)
        if t.kind == "name":
            self.take()
            if self.tok.text == "(":
                if t.text not in FUNCTIONS:
                    raise FormulaError(
                        f"unknown function {t.text!r}", t.pos, "the functions are min() and max()"
                    )
                self.take()
                self._enter()
                args = [self.expr()]
                while self.tok.text == ",":
                    self.take()
                    args.append(self.expr())
                self.expect(")")
                self.depth -= 1
                return Call(t.text, tuple(args), t.pos)
            if t.text not in self.names:
                hint = did_you_mean(t.text, self.names) or (
                    "add it to the check's inputs, or write a unit after a number (e.g. 24 hour/day)"
                )
                raise FormulaError(f"unknown name {t.text!r} in formula", t.pos, hint, "unknown-input")
            return Name(t.text, t.pos)
        if t.text == "(":
            self.take()
            node = self.expr()
            self.expect(")")
            return node
        found = t.text or "the end of the formula"
        raise FormulaError(f"expected a number, a name or '(' but found {found!r}", t.pos)

    def unit(self) -> UnitInfo | None:
        """The unit written after a number, if any."""
        t = self.tok
        if t.text == "[":
            self.take()
            start = self.tok.pos
            while self.tok.text != "]":
                if self.tok.kind == "end":
                    raise FormulaError("unit bracket '[' is not closed", t.pos)
                self.take()
            text = self.text[start : self.tok.pos].strip()
            self.take()
            return _unit(text, t.pos)
        if t.kind != "name" or t.text in self.names or t.text in FUNCTIONS:
            return None
        start = t.pos
        end = self._unit_atom()
        while True:
            if self._unit_name(self.tok):  # juxtaposed: "2 trillion parameter"
                end = self._unit_atom()
            elif self.tok.text in ("*", "/") and self._unit_name(self.toks[self.i + 1]):
                self.take()
                end = self._unit_atom()
            else:
                break
        return _unit(self.text[start:end], start)

    def _unit_name(self, t: Tok) -> bool:
        return t.kind == "name" and t.text not in self.names and t.text not in FUNCTIONS

    def _unit_atom(self) -> int:
        t = self.take()
        end = t.pos + len(t.text)
        if self.tok.text in ("**", "^") and self.toks[self.i + 1].kind == "num":
            self.take()
            n = self.take()
            end = n.pos + len(n.text)
        return end


def _unit(text: str, pos: int) -> UnitInfo:
    try:
        return unit_info(text.replace("^", "**"))
    except KbError as exc:
        raise FormulaError(exc.message, pos, exc.hint, exc.code) from None


def _constant(node: Node) -> float | None:
    if isinstance(node, Num) and node.unit is None:
        return node.value
    if isinstance(node, Neg):
        inner = _constant(node.operand)
        return None if inner is None else -inner
    return None


@lru_cache(maxsize=8192)
def parse(text: str, names: frozenset[str]) -> Node:
    """Parse a formula whose free names must be among `names`; raises FormulaError."""
    return _Parser(text, names).parse()


def names_in(node: Node) -> set[str]:
    if isinstance(node, Name):
        return {node.name}
    if isinstance(node, BinOp):
        return names_in(node.left) | names_in(node.right)
    if isinstance(node, Neg):
        return names_in(node.operand)
    if isinstance(node, Pow):
        return names_in(node.base)
    if isinstance(node, Call):
        return set().union(*(names_in(a) for a in node.args))
    return set()


Value = tuple[Interval, Dims]
Evaluator = Callable[[dict[str, Value]], Value]


def evaluate(node: Node, env: dict[str, Value]) -> Value:
    """Evaluate on intervals in base units; raises KbError (FormulaError with an offset) on failure."""
    found = _COMPILED.get(id(node))
    if found is None or found[0] is not node:
        found = _compile_cached(node)
    return found[1](env)


_COMPILED: dict[int, tuple[Node, Evaluator]] = {}
"""id(node) -> (node, its evaluator): a formula is evaluated thousands of times (every level of every
relation that shares it, every mutation), so its tree is walked once into closures. The node is
kept with its evaluator, so its id cannot be reused while the entry lives."""
MAX_COMPILED = 50_000


def _compile_cached(node: Node) -> tuple[Node, Evaluator]:
    if len(_COMPILED) >= MAX_COMPILED:
        _COMPILED.clear()
    found = _COMPILED[id(node)] = (node, _compile(node))
    return found


def _compile(node: Node) -> Evaluator:
    """A closure that evaluates `node` as the tree walk did: children left to right, the same
    checks in the same order, the same errors (no eval, no code generation: closures only)."""
    if isinstance(node, Num):
        x, dims = (
            (node.value, DIMENSIONLESS)
            if node.unit is None
            else (node.value * node.unit.factor, node.unit.dims)
        )
        if math.isnan(x):  # not from the parser: fails when evaluated, as the tree walk did
            return lambda env: (Interval.point(x), dims)
        const = (Interval.point(x), dims)
        return lambda env: const
    if isinstance(node, Name):
        name = node.name
        return lambda env: env[name]
    if isinstance(node, Neg):
        return _compile_neg(_compile(node.operand))
    if isinstance(node, BinOp):
        return _compile_binop(node, _compile(node.left), _compile(node.right))
    if isinstance(node, Pow):
        return _compile_pow(node, _compile(node.base))
    if isinstance(node, Call):
        return _compile_call(node, [_compile(a) for a in node.args])
    raise FormulaError("unsupported expression", 0)  # unreachable: the parser builds only the above


def _compile_neg(operand: Evaluator) -> Evaluator:
    def neg(env: dict[str, Value]) -> Value:
        iv, d = operand(env)
        return -iv, d

    return neg


def _compile_binop(node: BinOp, left: Evaluator, right: Evaluator) -> Evaluator:
    op, pos = node.op, node.pos

    def binop(env: dict[str, Value]) -> Value:
        (a, da), (b, db) = left(env), right(env)
        try:
            if op in "+-":
                if da != db:
                    raise FormulaError(
                        f"cannot {'add' if op == '+' else 'subtract'} {dims_text(db)} "
                        f"{'to' if op == '+' else 'from'} {dims_text(da)}",
                        pos,
                        "both sides of + and - must have the same units",
                        "incompatible-units",
                    )
                return _finite(a + b if op == "+" else a - b, pos), da
            if op == "*":
                return _finite(a * b, pos), _dims_mul(da, db, 1)
            return _finite(a / b, pos), _dims_mul(da, db, -1)
        except FormulaError:
            raise
        except KbError as exc:
            raise FormulaError(exc.message, pos, exc.hint, exc.code) from None

    return binop


def _compile_pow(node: Pow, base: Evaluator) -> Evaluator:
    exponent, pos = node.exponent, node.pos
    whole = float(exponent).is_integer()

    def power(env: dict[str, Value]) -> Value:
        iv, d = base(env)
        if d and not whole:
            raise FormulaError(
                f"a fractional power of a value with units ({dims_text(d)})", pos, code="incompatible-units"
            )
        try:
            return _finite(iv**exponent, pos), dims_pow(d, int(exponent)) if d else d
        except OverflowError:
            raise FormulaError("a power overflowed", pos, code="overflow") from None
        except FormulaError:
            raise
        except KbError as exc:
            raise FormulaError(exc.message, pos, exc.hint, exc.code) from None

    return power


def _compile_call(node: Call, args: list[Evaluator]) -> Evaluator:
    func, pos = node.func, node.pos

    def call(env: dict[str, Value]) -> Value:
        values = [a(env) for a in args]
        first_iv, first_d = values[0]
        for iv, d in values[1:]:
            if d != first_d:
                raise FormulaError(
                    f"{func}() of {dims_text(first_d)} and {dims_text(d)}",
                    pos,
                    f"all arguments of {func}() must have the same units",
                    "incompatible-units",
                )
            first_iv = first_iv.min(iv) if func == "min" else first_iv.max(iv)
        return first_iv, first_d

    return call


@lru_cache(maxsize=4096)
def _dims_mul(a: Dims, b: Dims, sign: int) -> Dims:
    """dims_mul, remembered: a formula multiplies the same few dimensions over and over."""
    return dims_mul(a, b, sign)


def _finite(iv: Interval, pos: int) -> Interval:
    if iv.lo > -INF and iv.hi < INF:  # both ends finite (lo <= hi): nothing overflowed
        return iv
    try:
        iv.check_finite()
    except KbError as exc:
        raise FormulaError(exc.message, pos, exc.hint, exc.code) from None
    if math.isinf(iv.lo) and math.isinf(iv.hi):
        raise FormulaError("a computation overflowed", pos, code="overflow")
    return iv
