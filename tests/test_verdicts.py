"""Verdict rules, computed from the numbers of small knowledge bases."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from kb import checks, contents
from kb.cli import main
from kb.interval import Interval
from kb.results import Conflict
from kb.slips import fitting
from kb.verdicts import severity
from tests.conftest import BASE_CLAIMS


def verdicts(root: Path) -> dict[str, str]:
    results = checks.run(contents.load(root))
    return {cid: r.verdict for cid, r in results.claims.items()}


def test_translated_flop_per_token_is_off_by_a_thousand(make_kb: Callable[[str], Path]) -> None:
    root = make_kb(BASE_CLAIMS)
    results = checks.run(contents.load(root))
    flop = results.claims["flop"]
    assert flop.verdict == "inconsistent"
    check = flop.checks[0]
    assert check.factor == pytest.approx(1e-3, rel=0.01)
    assert check.severity == "severe"
    assert check.slip == "tflop-gflop"
    assert not results.problems


def test_one_failed_relation_between_two_equally_trusted_claims_blames_either(
    make_kb: Callable[[str], Path],
) -> None:
    results = checks.run(contents.load(make_kb(BASE_CLAIMS)))
    flop, active, fwd = (results.claims[c] for c in ("flop", "active", "fwd"))
    assert flop.standing == active.standing == "suspect"
    assert flop.alternatives == [["active"]] and active.alternatives == [["flop"]]
    assert fwd.verdict == "unverified" and fwd.standing is None  # a paper's constant is trusted more


def test_consistent_check_says_what_it_needed(make_kb: Callable[[str], Path]) -> None:
    text = BASE_CLAIMS.replace(
        "value: 560\n    unit: wan yi FLOP/token", "value: 5600\n    unit: yi FLOP/token"
    )
    text = text.replace("大约 560 万亿次浮点操作", "大约 2800 亿个参数")  # any quote: value check is separate
    root = make_kb(text)
    results = checks.run(contents.load(root))
    flop = results.claims["flop"]
    assert flop.checks[0].verdict == "consistent"
    assert flop.checks[0].basis == "exact"


def test_rounding_and_tolerance_are_named(make_kb: Callable[[str], Path]) -> None:
    extra = """\
  - id: exact-two
    kind: reference
    subject: T
    quantity: ratio
    value: 2
    qualifier: exactly
    sources: [{source: ref, quote: "~2"}]
  - id: rounded
    subject: T
    quantity: ratio
    value: 2
    sources: [{source: ref, quote: "~2"}]
    checks:
      - {id: c, formula: "x * 1.2", inputs: {x: exact-two}}
  - id: tolerated
    subject: T
    quantity: ratio
    value: 2
    qualifier: exactly
    sources: [{source: ref, quote: "~2"}]
    checks:
      - id: c
        formula: x * 1.4
        inputs: {x: exact-two}
        tolerance: {relative: 0.5, reason: a loose estimate}
"""
    results = checks.run(contents.load(make_kb(BASE_CLAIMS + extra)))
    assert results.claims["rounded"].checks[0].basis == "rounding"  # 2.4 is in [1.5, 2.5], not 2
    assert results.claims["tolerated"].checks[0].basis == "tolerance"
    assert results.claims["tolerated"].verdict == "consistent"


def test_a_passing_relation_decides_between_suspects(make_kb: Callable[[str], Path]) -> None:
    # Without it, flop or active could be wrong; a second statement of flop's value (a relation that
    # holds) means no value of flop satisfies both, so the explanation is active.
    extra = """\
  - id: downstream
    subject: GPT-4
    quantity: flop_per_token_inference
    value: 560
    unit: wan yi FLOP/token
    qualifier: about
    sources: [{source: leak, quote: 大约 560 万亿次浮点操作, translation: about 560 trillion FLOP}]
    checks:
      - {id: same, formula: x, inputs: {x: flop}}
"""
    results = checks.run(contents.load(make_kb(BASE_CLAIMS + extra)))
    check = results.claims["downstream"].checks[0]
    assert check.verdict == "consistent"
    assert results.claims["downstream"].verdict == "consistent"
    active, flop = results.claims["active"], results.claims["flop"]
    assert active.verdict == "inconsistent" and active.standing == "condemned" and not active.alternatives
    assert flop.verdict == "unverified" and flop.standing == "explained" and flop.explained_by == ["active"]
    assert active.suggested is not None and active.suggested.slip == "thousand"


def test_a_claims_verdict_is_the_worst_of_its_checks(make_kb: Callable[[str], Path]) -> None:
    text = (
        BASE_CLAIMS
        + """\
      - id: broken
        formula: f * n + 1 FLOP
        inputs: {f: fwd, n: active}
"""
    )
    assert verdicts(make_kb(text))["flop"] == "error"


@pytest.mark.parametrize(
    ("factor", "kinds", "slip"),
    [
        (1e-3, {"[gpu]"}, "thousand"),
        (1e-3, {"[compute]", "[token]"}, "tflop-gflop"),
        (1e4, {"[parameter]", "cjk"}, "wan"),
        (1e8, {"[parameter]", "cjk"}, "yi"),
        (100, {"[currency]"}, "cents-dollars"),
        (0.1, {"[parameter]"}, "ten"),
        (24, {"[time]"}, "days-hours"),
    ],
)
def test_the_slip_that_maps_the_value_onto_the_target_is_named(
    factor: float, kinds: set[str], slip: str
) -> None:
    stated = Interval(24.5, 25.5)
    match = fitting(stated, stated.scale(factor), frozenset(kinds))
    assert match is not None and match.id == slip
    assert match.multiplier == pytest.approx(factor)


def test_a_binary_prefix_read_as_decimal_is_named_where_the_digits_tell_it_apart() -> None:
    # BLOOM's card: "329GB" of bf16 weights for 176 billion parameters, which take 352.5 GB (328.3 GiB).
    from kb.judge import unit_kinds
    from kb.units import unit_info

    gb, tb = unit_kinds(unit_info("GB")), unit_kinds(unit_info("TB"))
    match = fitting(Interval(328.5, 329.5), Interval(351.0, 353.0), gb)
    assert match is not None and match.id == "gib-gb" and "GiB written as GB" in match.text
    assert fitting(Interval(328.5, 329.5), Interval(351.0, 353.0), frozenset({"[parameter]"})) is None
    # Only the slip of the value's own prefix: "3.5 TB" against 3.85 is TiB (x1.100) written as TB,
    # not GiB (x1.074), which reaches it too; and 5.8 GB against 6.0 is no binary slip at all,
    # though MiB (x1.049) would reach it.
    match = fitting(Interval(3.45, 3.55), Interval(3.79, 3.9), tb)
    assert match is not None and match.id == "tib-tb"
    assert fitting(Interval(5.75, 5.85), Interval(5.95, 6.05), gb) is None
    assert fitting(Interval(5.75, 5.85), Interval(5.95, 6.05), frozenset({"[information]"})) is None


def test_severity_grows_with_the_gap() -> None:
    assert [severity(x) for x in (1.2, 3, 1000)] == ["minor", "major", "severe"]


def test_conflict_between_sources_is_reported(make_kb: Callable[[str], Path]) -> None:
    extra = """\
  - id: active-other
    subject: GPT-4
    quantity: active_parameters_per_token
    value: 2
    unit: FLOP/(parameter*token)
    sources: [{source: ref, quote: "~2"}]
"""
    # Same subject and quantity but a unit of other dimensions is an error, not a conflict.
    root = make_kb(BASE_CLAIMS + extra)
    results = checks.run(contents.load(root))
    assert any(p.code == "unit-mismatch" for p in results.problems)
    extra = """\
  - id: active-other
    subject: GPT-4
    quantity: active_parameters_per_token
    value: 2
    unit: trillion parameter
    sources: [{source: ref, quote: "~2"}]
"""
    results = checks.run(contents.load(make_kb(BASE_CLAIMS + extra)))
    [conflict] = results.conflicts
    assert {conflict.a, conflict.b} == {"active", "active-other"}


def test_json_report_and_exit_codes(
    make_kb: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_kb(BASE_CLAIMS)
    assert main(["check", "--claims", str(root), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["summary"] == {"consistent": 0, "inconsistent": 2, "error": 0, "unverified": 1, "problems": 0}
    flop = next(c for c in data["claims"] if c["id"] == "flop")
    assert {"id", "subject", "quantity", "verdict", "value", "unit", "sources", "checks"} <= set(flop)
    assert {"explained_by", "suggested"} <= set(flop) and flop["suggested"]["slip"] == "tflop-gflop"
    assert flop["checks"][0]["relation"] == "=" and flop["checks"][0]["law"] is None
    assert data["relations"] == []
    assert flop["sources"][0]["quote"] == "大约 560 万亿次浮点操作"
    assert flop["checks"][0]["factor"] == pytest.approx(1e-3, rel=0.01)
    assert main(["check", "--claims", str(root), "--fail-on", "inconsistent"]) == 1
    capsys.readouterr()
    with pytest.raises(SystemExit) as exc:
        main(["check", "--no-such-flag"])
    assert exc.value.code == 2


def test_errors_exit_1_and_are_all_reported(
    make_kb: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    text = BASE_CLAIMS.replace("unit: yi parameter", "unit: yi parameterz").replace(
        "inputs: {f: fwd,", "inputs: {f: fwdd,"
    )
    root = make_kb(text)
    assert main(["check", "--claims", str(root)]) == 1
    out = capsys.readouterr().out
    assert "unknown unit 'parameterz'" in out
    assert "test.yaml:" in out
    assert "Errors (2)" in out or "Errors (3)" in out


def test_slips_are_named_only_where_they_apply() -> None:
    stated = Interval(24.5, 25.5)
    counts = frozenset({"[compute]", "[parameter]", "[token]"})
    assert fitting(stated, stated.scale(12), counts) is None  # years vs months needs a time
    assert fitting(stated, stated.scale(12), frozenset({"[time]"})).id == "years-months"  # type: ignore[union-attr]
    assert fitting(stated, stated.scale(100), counts) is None  # cents vs dollars needs money
    assert fitting(stated, stated.scale(100), frozenset({"percent"})).id == "percent-fraction"  # type: ignore[union-attr]
    assert fitting(stated, stated.scale(1.073741824), counts) is None  # GiB for GB needs bytes
    # A GPU's 300-700 W against 250 W: no slip applies (not "forward vs forward and backward").
    assert fitting(Interval(299.5, 700.5), Interval(249.5, 250.5), frozenset({"[mass]", "[gpu]"})) is None
    # A factor that is not near the slip's is not that slip, even where the intervals reach.
    assert fitting(Interval(0.5, 1.5), Interval(0.105, 0.407), frozenset({"[parameter]"})) is None
    # Wide intervals fit several slips: none is named.
    assert fitting(Interval(1, 100), Interval(5000, 500000), frozenset({"[time]"})) is None


def test_a_check_on_an_unreadable_claim_points_at_its_error(
    make_kb: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_kb(
        BASE_CLAIMS.replace(
            "    quantity: active_parameters_per_token", "    quantitiy: active_parameters_per_token"
        )
    )
    assert main(["check", "--claims", str(root)]) == 1
    out = capsys.readouterr().out
    assert "unknown field 'quantitiy'" in out
    assert "unreadable input 'active'" in out
    assert "'active' could not be read" in out
    assert "fix the error at" in out
    assert "unknown input" not in out


def test_every_missing_field_is_reported(
    make_kb: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_kb("claims:\n  - id: bare\n    value: 1\n")
    assert main(["check", "--claims", str(root)]) == 1
    out = capsys.readouterr().out
    for name in ("subject", "quantity", "sources"):
        assert f"missing required field '{name}'" in out


def test_formula_errors_point_at_the_character(
    make_kb: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_kb(BASE_CLAIMS.replace("formula: f * n", "formula: f * n * nope"))
    assert main(["check", "--claims", str(root)]) == 1
    out = capsys.readouterr().out
    line = next(
        i for i, text in enumerate((root / "test.yaml").read_text().splitlines(), 1) if "nope" in text
    )
    column = (root / "test.yaml").read_text().splitlines()[line - 1].index("nope") + 1
    assert f"test.yaml:{line}:{column}: check 'two-n': unknown name 'nope'" in out


def test_at_least_and_at_most_bound_at_the_value_as_written() -> None:
    from kb.units import unit_info
    from kb.values import stated_value

    usd = unit_info("million USD")
    assert stated_value("4", usd, "at_most").stated.hi == 4  # "under $4 million" is not 4.5 million
    assert stated_value("25000", unit_info("GPU"), "at_least").stated.lo == 25000


def test_tabs_in_yaml_get_their_own_hint(
    make_kb: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_kb("claims:\n\t- id: x\n")
    assert main(["check", "--claims", str(root)]) == 1
    assert "indent with spaces" in capsys.readouterr().out


def _one_claim_kb(make_kb: Callable[[str], Path], text: str, source_text: str) -> Path:
    from tests.conftest import write_source

    root = make_kb(text)
    write_source(root, "doc", source_text)
    return root


DATES = """\
claims:
  - id: a
    subject: X
    quantity: release_date
    value: 2023-03-15
    unit: date
    sources: [{source: doc, quote: "March 15th 2023"}]
  - id: b
    subject: X
    quantity: release_date
    value: 2023-03-14
    unit: date
    sources: [{source: doc, quote: "March 14th 2023"}]
    checks:
      - {id: c, formula: a, inputs: {a: a}}
      - {id: far, formula: a + 3000000 year, inputs: {a: a}}
"""


def test_two_different_days_do_not_agree(
    make_kb: Callable[[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = _one_claim_kb(make_kb, DATES, "Released March 14th 2023, or March 15th 2023.")
    results = checks.run(contents.load(root))
    assert results.claims["b"].checks[0].verdict == "inconsistent"
    assert results.claims["b"].checks[0].severity == "minor"
    assert main(["check", "--claims", str(root)]) == 0  # a date far beyond year 9999 is no traceback
    assert "days from 1970-01-01" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("value", "unit", "quote", "ok"),
    [
        ("41.8", "trillion parameter", "41.8 trillion parameters", False),  # not glued from "4 1.8"
        ("100", "USD", "cost 100元", False),  # yuan are not dollars
        ("100", "CNY", "cost 100元", True),
        ("2.5", "USD/million token", "$2.50 per million tokens", True),
    ],
)
def test_value_and_quote_edge_cases(
    make_kb: Callable[[str], Path], value: str, unit: str, quote: str, ok: bool
) -> None:
    text = f"""\
claims:
  - id: c
    subject: X
    quantity: ratio
    value: {value}
    unit: {unit}
    sources: [{{source: doc, quote: "{quote}"}}]
"""
    root = _one_claim_kb(
        make_kb, text, "GPT-4 1.8 trillion parameters; cost 100元; $2.50 per million tokens."
    )
    codes = {p.code for p in checks.run(contents.load(root, use_cache=False)).problems}
    assert ("quote-not-found" in codes or "value-mismatch" in codes) != ok, codes


def test_a_relation_that_holds_only_if_trailing_zeros_are_rounding_says_so(
    make_kb: Callable[[str], Path],
) -> None:
    # A table rounded to tens: 420 stands for 415 to 425, so 423 = 420 holds, but only that way.
    extra = """\
  - id: exact-423
    kind: reference
    subject: T
    quantity: ratio
    value: 423
    qualifier: exactly
    sources: [{source: ref, locator: a table}]
  - id: table-420
    subject: T
    quantity: ratio
    value: 420
    sources: [{source: ref, locator: a table}]
    checks:
      - {id: c, formula: x, inputs: {x: exact-423}}
  - id: decimal
    subject: T
    quantity: ratio
    value: "420.0"
    sources: [{source: ref, locator: a table}]
    checks:
      - {id: c, formula: x, inputs: {x: exact-423}}
"""
    results = checks.run(contents.load(make_kb(BASE_CLAIMS + extra)))
    table = results.claims["table-420"]
    assert table.verdict == "consistent" and table.checks[0].basis == "trailing_zeros"
    assert results.claims["decimal"].verdict == "inconsistent"  # 420.0 keeps every digit


def test_conflicts_of_many_estimates_grow_as_n_log_n(tmp_path: Path) -> None:
    """Thousands of estimates of one quantity: the conflicts listed are bounded, and the time grows
    about as N log N (10x the estimates in well under 40x the time; every pair would be 100x)."""
    import time

    from kb import checks as checks_module
    from tests.conftest import QUANTITIES, write_source

    def load(n: int) -> contents.KnowledgeBase:
        root = tmp_path / f"k{n}" / "claims"
        root.mkdir(parents=True)
        (root / "quantities.yaml").write_text(QUANTITIES.read_text(encoding="utf-8"), encoding="utf-8")
        write_source(root, "ref", "x")
        write_source(root, "leak", "x")
        body = "claims:\n" + "".join(
            f"  - {{id: e{i}, subject: M, quantity: ratio, value: {i + 1}.5, qualifier: exactly,"
            f" sources: [{{source: {'ref' if i % 2 else 'leak'}, locator: t}}]}}\n"
            for i in range(n)
        )
        (root / "c.yaml").write_text(body, encoding="utf-8")
        return contents.load(root)

    def seconds(kb: contents.KnowledgeBase) -> tuple[float, int, int]:
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            listed, omitted = checks_module.conflicts(kb)
            best = min(best, time.perf_counter() - start)
        return best, len(listed), omitted

    small, large = load(400), load(4000)
    t_small, listed_small, _ = seconds(small)
    t_large, listed_large, omitted = seconds(large)
    assert listed_small == listed_large == checks_module.MAX_CONFLICTS_PER_GROUP and omitted > 0
    assert t_large < 40 * t_small, (t_small, t_large)


def test_a_conflict_names_the_slip_and_the_claim_whose_writing_it_fits(tmp_path: Path) -> None:
    # Baichuan-7B's README with 70 亿 planted as 70 万 against its English version's 7 billion: no
    # relation fails, but the conflict's factor is 万 for 亿, which only the Chinese writing can slip.
    from kb.report import conflict_slip
    from tests.conftest import QUANTITIES, write_source

    def conflict(a: str, b: str, quantity: str) -> Conflict:
        root = tmp_path / f"{a} {b}" / "claims"
        root.mkdir(parents=True)
        (root / "quantities.yaml").write_text(QUANTITIES.read_text(encoding="utf-8"), encoding="utf-8")
        write_source(root, "zh", "x", "zh")
        write_source(root, "en", "x")
        body = "claims:\n" + "".join(
            f"  - {{id: {cid}, subject: M, quantity: {quantity}, value: {value}, unit: {unit},"
            f" sources: [{{source: {cid}, locator: t}}]}}\n"
            for cid, (value, unit) in (("zh", a.split(" ", 1)), ("en", b.split(" ", 1)))
        )
        (root / "c.yaml").write_text(body, encoding="utf-8")
        [found] = checks.conflicts(contents.load(root))[0]
        return found

    wan = conflict("70 wan parameter", "7 billion parameter", "total_parameters")
    assert wan.slip == "wan" and wan.slip_in == ["zh"]
    assert conflict_slip(wan) == "fits 万 dropped, or 万 and 亿 confused (1 亿 = 10,000 万), in zh"
    thousand = conflict("25 GPU", "25000 GPU", "gpu_count")  # 25 for 25,000: either could have slipped
    assert thousand.slip == "thousand" and sorted(thousand.slip_in) == ["en", "zh"]
    assert conflict_slip(thousand).endswith(", in either")
    assert conflict("70 wan parameter", "9 billion parameter", "total_parameters").slip is None
