"""Fuzzing: random and hostile text for the YAML loader, the formula parser and the number parser.

Each input gives a value or a clean KbError / YamlProblem: never another exception, never a hang,
never code run from the input. The hostile cases come first, explicitly; hypothesis adds
thousands of random ones (a few seconds per test).
"""

from __future__ import annotations

import math
import string
import time
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb import checks, contents
from kb.errors import KbError
from kb.formula import FormulaError, evaluate, parse
from kb.interval import Interval
from kb.numbers import literal_interval, parse_numbers, written_numbers
from kb.readers import YamlProblem, read_yaml
from kb.reading import read_quote
from kb.units import unit_info

# A per-example limit far above any example's real cost: it catches a hang, not a slow machine.
HANG = timedelta(seconds=10)
FAST = settings(max_examples=1500, deadline=HANG, suppress_health_check=[HealthCheck.too_slow])
SOME = settings(max_examples=300, deadline=HANG, suppress_health_check=[HealthCheck.too_slow])
SECONDS = 5.0  # any single hostile input must be handled well within this

BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(9)
)
HOSTILE_YAML = [
    BILLION_LAUGHS,
    "claims: " + BILLION_LAUGHS.replace("\n", "\n  ").replace("a: &a", "- &a", 1),
    "a: !!python/object/apply:os.system ['touch /tmp/kb-pwned']\n",
    "a: !!python/object:__main__.Evil {}\n",
    "!!python/name:os.system\n",
    "a: !!python/object/new:subprocess.check_output [['touch', '/tmp/kb-pwned']]\n",
    "a: !!binary aGVsbG8=\n",
    "a: !!set {x, y}\n",
    "a: !!omap [x: 1]\n",
    "a: !local thing\n",
    "a: &a [*a]\n",
    "a: *nowhere\n",
    "[" * 10_000 + "]" * 10_000,
    "{" * 10_000,
    "- " * 5_000 + "x",
    "a: " + "9" * 100_000 + "\n",
    "a: 1e999999\n",
    "a: 2023-02-30\n",
    "a: 2023-13-01\n",
    "? [a, b]\n: c\n",
    "a: 1\na: 2\n",
    "<<: {a: 1}\n",
    "=: 1\n",
    "\x00\x01\x02",
    "\ufeffclaims: []\n",
    "a: '\\ud800'\n",
    '"\\ud800": x\n',
    "%YAML 1.1\n---\na: 1\n...\n---\nb: 2\n",
    "a:\n\t- b\n",
]


def _yaml_ok(text: str) -> None:
    start = time.monotonic()
    try:
        read_yaml(Path("x.yaml"), "x.yaml", text)
    except YamlProblem as exc:
        assert exc.problem.location.file == "x.yaml"
        assert exc.problem.message
    assert time.monotonic() - start < SECONDS


@pytest.mark.parametrize("text", HOSTILE_YAML, ids=range(len(HOSTILE_YAML)))
def test_hostile_yaml(text: str) -> None:
    _yaml_ok(text)
    assert not Path("/tmp/kb-pwned").exists()


def test_python_tags_build_nothing() -> None:
    with pytest.raises(YamlProblem, match="is not allowed"):
        read_yaml(Path("x.yaml"), "x.yaml", HOSTILE_YAML[2])


def test_billion_laughs_is_refused_quickly() -> None:
    start = time.monotonic()
    with pytest.raises(YamlProblem, match="aliases"):
        read_yaml(Path("x.yaml"), "x.yaml", BILLION_LAUGHS)
    assert time.monotonic() - start < 2.0


YAML_ALPHABET = st.sampled_from(list("abc019 -:#&*!?[]{},|>'\"\n\t.%@`~^") + ["  ", "\n  ", "- ", ": ", "!!"])
yaml_like = st.lists(YAML_ALPHABET, max_size=60).map("".join)


@FAST
@given(st.text(max_size=200))
def test_yaml_random_text(text: str) -> None:
    _yaml_ok(text)


@FAST
@given(yaml_like)
def test_yaml_random_structure(text: str) -> None:
    _yaml_ok(text)


CLAIM = """\
claims:
  - id: c
    subject: S
    quantity: q
    value: {value}
    unit: {unit}
    qualifier: {qualifier}
    sources:
      - source: s
        quote: "{quote}"
    checks:
      - id: k
        formula: "{formula}"
        inputs: {{x: c2}}
  - id: c2
    subject: S
    quantity: q
    value: 2
    unit: token
    sources: [{{source: s, quote: "2 tokens"}}]
"""
SETUP = {
    "quantities.yaml": "quantities:\n  - {id: q, label: Q, unit: token}\n",
    "sources/s.yaml": "id: s\ntitle: S\nlanguage: en\n",
}
printable = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters='"\\\n'), max_size=30
)


@SOME
@given(
    value=printable,
    unit=printable,
    qualifier=st.sampled_from(["about", "at_least", "exactly", "nonsense", "", "[]"]),
    quote=printable,
    formula=printable,
)
def test_load_and_check_random_claims(
    tmp_path_factory: pytest.TempPathFactory, value: str, unit: str, qualifier: str, quote: str, formula: str
) -> None:
    root = tmp_path_factory.mktemp("kb") / "claims"
    for name, text in SETUP.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    body = CLAIM.format(
        value=value or "1", unit=unit or "token", qualifier=qualifier, quote=quote, formula=formula
    )
    (root / "c.yaml").write_text(body, encoding="utf-8")
    kb = contents.load(root, use_cache=False)
    results = checks.run(kb)
    for p in results.problems:
        assert p.location.file.startswith("claims"), p
        assert p.message


@pytest.mark.parametrize("text", HOSTILE_YAML[:12], ids=range(12))
def test_load_hostile_files(tmp_path: Path, text: str) -> None:
    root = tmp_path / "claims"
    (root / "sources").mkdir(parents=True)
    (root / "c.yaml").write_text(text, encoding="utf-8")
    (root / "sources" / "s.yaml").write_text(text, encoding="utf-8")
    start = time.monotonic()
    kb = contents.load(root)
    checks.run(kb)
    assert time.monotonic() - start < SECONDS
    assert not Path("/tmp/kb-pwned").exists()


# --- formulas ---------------------------------------------------------------------------------------

NAMES = frozenset({"a", "b", "params"})
ENV = {
    "a": (Interval(1.0, 2.0), (("[token]", 1),)),
    "b": (Interval(-3.0, 5.0), (("[token]", 1),)),
    "params": (Interval(1e12, 2e12), (("[parameter]", 1),)),
}
HOSTILE_FORMULAS = [
    "10**10**10",
    "10^10^10",
    "(10**10)**10",
    "2**64**2",
    "9" * 400,
    "1e999999",
    "1e308 * 1e308",
    "a ** 65",
    "a ** 0.5",
    "a ** -64",
    "(" * 300 + "1" + ")" * 300,
    "(" * 41 + "1" + ")" * 41,
    "-" * 499 + "1",
    "min(" * 100 + "1" + ")" * 100,
    "__import__('os').system('touch /tmp/kb-pwned')",
    "a.__class__",
    "eval('1')",
    "1 [FLOP/(parameter*token)] * a",
    "1 [" + "m*" * 200 + "m]",
    "1 [thousand**1000]",
    "1 [token**99999]",
    "1 [" + "(" * 200 + "m" + ")" * 200 + "]",
    "1 [m] [s]",
    "a / (b - b)",
    "a / 0",
    "max(a, params)",
    "a + params",
    "",
    " ",
    "1 +",
    "x" * 501,
]


def _formula_ok(text: str) -> None:
    start = time.monotonic()
    try:
        node = parse(text, NAMES)
        iv, _ = evaluate(node, ENV)
        assert not (math.isnan(iv.lo) or math.isnan(iv.hi))
    except FormulaError as exc:
        assert exc.message
    except KbError as exc:
        assert exc.message
    assert time.monotonic() - start < SECONDS


@pytest.mark.parametrize("text", HOSTILE_FORMULAS, ids=range(len(HOSTILE_FORMULAS)))
def test_hostile_formulas(text: str) -> None:
    _formula_ok(text)
    assert not Path("/tmp/kb-pwned").exists()


def test_runaway_power_is_refused() -> None:
    with pytest.raises(FormulaError, match="could run away"):
        parse("10**10**10", NAMES)


FORMULA_TOKENS = st.sampled_from(
    [
        "a",
        "b",
        "params",
        "1",
        "2.5",
        "1e25",
        "0",
        "+",
        "-",
        "*",
        "/",
        "**",
        "^",
        "(",
        ")",
        "min(",
        "max(",
        ",",
        " token",
        " [FLOP/s]",
        " hour/day",
        " trillion parameter",
        "1e308",
        "64",
        "[",
        "]",
        "x",
        ".",
    ]
)


@FAST
@given(st.lists(FORMULA_TOKENS, max_size=25).map(" ".join))
def test_formula_random_tokens(text: str) -> None:
    _formula_ok(text)


@FAST
@given(st.text(alphabet=string.printable, max_size=80))
def test_formula_random_text(text: str) -> None:
    _formula_ok(text)


# --- numbers ---------------------------------------------------------------------------------------

HOSTILE_NUMBERS = [
    "1e999 tokens",
    "1e-999 tokens",
    "9" * 5000,
    "1," * 5000 + "1",
    "." * 5000,
    "1." * 5000,
    "万" * 500,
    "1" + "万" * 500,
    "1 " + "trillion " * 500,
    "$" * 5000,
    "~" * 5000 + "1",
    "1-" * 5000 + "1",
    "1 × 10^999",
    "March 32nd 2023",
    "2023-02-30",
    "2023年13月40日",
    "数万万万万万万万万万万万万万万万万万万万万万万万万万万万万万万万万万万万万万万万万",
    "hundreds of trillions of trillions",
    "\x00\ud7ff\U0010ffff",
    "1" * 100_001,
]


def _numbers_ok(text: str) -> None:
    start = time.monotonic()
    for p in parse_numbers(text):
        assert math.isfinite(p.lo) and math.isfinite(p.hi) and p.lo <= p.hi
    for w in written_numbers(text):
        assert w.literal
    read_quote(text, unit_info("token"))
    assert time.monotonic() - start < SECONDS


@pytest.mark.parametrize("text", HOSTILE_NUMBERS, ids=range(len(HOSTILE_NUMBERS)))
def test_hostile_numbers(text: str) -> None:
    _numbers_ok(text)


HOSTILE_LITERALS = [
    *[
        "1e999",
        "-1e999",
        "1e-999",
        "1e999999999",
        "1e-999999999",
        "nan",
        "inf",
        "-Infinity",
        "sNaN",
        "1_0",
        "1,000",
        "0x10",
        "1e",
        "--1",
        "1/2",
        "١٢٣",
    ],
    *["9" * 199, "9" * 201, "", " "],
]


def _literal_ok(text: str) -> None:
    try:
        lo, hi = literal_interval(text)
    except KbError as exc:
        assert exc.message
        return
    assert math.isfinite(lo) and math.isfinite(hi) and lo <= hi


@pytest.mark.parametrize("text", HOSTILE_LITERALS, ids=range(len(HOSTILE_LITERALS)))
def test_hostile_literals(text: str) -> None:
    _literal_ok(text)


NUMBER_WORDS = st.sampled_from(
    [
        "1",
        "1.8",
        "13",
        "0.177",
        "170",
        ",000",
        "e25",
        " × 10^",
        "25",
        "~",
        "about ",
        "$",
        "¥",
        " ",
        "-",
        "–",
        " to ",
        "万",
        "亿",
        "万亿",
        "美元",
        "美分",
        "元",
        " trillion",
        " million",
        "k",
        "M",
        "B",
        "%",
        " tokens",
        "个参数",
        "March ",
        "14th ",
        "2023",
        "-03-14",
        "年",
        "3月",
        "约",
        "左右",
        "more than ",
        "hundreds of millions",
    ]
)


@FAST
@given(st.lists(NUMBER_WORDS, max_size=20).map("".join))
def test_numbers_random_words(text: str) -> None:
    _numbers_ok(text)


@FAST
@given(st.text(max_size=200))
def test_numbers_random_text(text: str) -> None:
    _numbers_ok(text)


@FAST
@given(
    st.one_of(
        st.text(max_size=40), st.from_regex(r"-?\d{0,250}(\.\d{0,50})?([eE][+-]?\d{1,12})?", fullmatch=True)
    )
)
def test_literals_random(text: str) -> None:
    _literal_ok(text)


@SOME
@given(st.text(max_size=60))
def test_unit_strings(text: str) -> None:
    try:
        unit_info(text)
    except KbError as exc:
        assert exc.message
