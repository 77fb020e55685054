"""Relations and blame on small hand-made knowledge bases: who is wrong, and what it would have to be."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from kb import blame, checks, contents, fixing, relations, solve
from kb.judge import judge, overlay
from kb.results import Results
from kb.values import StatedValue
from tests.conftest import write_source

Make = Callable[[str], Path]


def claim(
    cid: str, value: str, unit: str = "billion parameter", quantity: str = "total_parameters", **extra: str
) -> str:
    """A claim cited by locator (so no quote needs matching); extra fields as YAML lines."""
    lines = [
        f"  - id: {cid}",
        f"    subject: {extra.pop('subject', 'M')}",
        f"    quantity: {quantity}",
        f"    value: {value}",
        f"    unit: {unit}",
        f"    sources: [{{source: {extra.pop('source', 'ref')}, locator: somewhere}}]",
    ]
    lines += [f"    {k}: {v}" for k, v in extra.items()]
    return "\n".join(lines) + "\n"


def check(cid: str, formula: str, inputs: str, relation: str = "=") -> str:
    item = f"{{id: {cid}, formula: '{formula}', inputs: {{{inputs}}}, relation: '{relation}'}}"
    return f"    checks:\n      - {item}\n"


def run(make_kb: Make, body: str, relations: str = "") -> Results:
    text = "claims:\n" + body + (("relations:\n" + textwrap.indent(relations, "  ")) if relations else "")
    root = make_kb(text)
    results = checks.run(contents.load(root))
    assert not results.problems, [str(p) for p in results.problems]
    return results


def test_one_wrong_claim_among_several_is_blamed_with_its_fix(make_kb: Make) -> None:
    # Four statements of one figure; d was written ten times too large.
    body = (
        claim("a", "123")
        + claim("b", "123.4")
        + check("same", "x", "x: a")
        + claim("c", "123")
        + check("same", "x", "x: b")
        + claim("d", "1234")
        + check("vs-a", "x", "x: a")
        + claim("e", "123")
        + check("vs-d", "x", "x: d")
    )
    r = run(make_kb, body)
    d = r.claims["d"]
    assert d.verdict == "inconsistent" and d.standing == "condemned" and not d.alternatives
    assert d.suggested is not None and (d.suggested.lo, d.suggested.hi) == pytest.approx((122.5, 123.5))
    assert d.suggested.slip == "ten" and d.suggested.multiplier == pytest.approx(0.1)
    assert sorted(d.condemned_by) == ["check:d/vs-a", "check:e/vs-d"]
    e = r.claims["e"]  # its only check fails because d is wrong
    assert e.verdict == "unverified" and e.standing == "explained" and e.explained_by == ["d"]
    assert r.claims["b"].verdict == r.claims["c"].verdict == "consistent"


def test_two_equally_good_explanations_are_both_named(make_kb: Make) -> None:
    r = run(make_kb, claim("a", "100") + claim("b", "300") + check("vs-a", "x", "x: a"))
    a, b = r.claims["a"], r.claims["b"]
    assert a.verdict == b.verdict == "inconsistent"
    assert a.standing == b.standing == "suspect"
    assert a.alternatives == [["b"]] and b.alternatives == [["a"]]


def test_a_reference_is_trusted_over_an_article(make_kb: Make) -> None:
    r = run(
        make_kb, claim("paper", "100", kind="reference") + claim("blog", "300") + check("vs", "x", "x: paper")
    )
    assert r.claims["blog"].standing == "condemned"
    assert r.claims["paper"].verdict == "unverified" and r.claims["paper"].standing is None


def test_a_translation_is_blamed_before_its_original(make_kb: Make) -> None:
    # The same disagreement, but one side comes from a translation of the other's document.
    root = make_kb(
        "claims:\n" + claim("en", "55") + claim("zh", "5.5", source="zh") + check("original", "x", "x: en")
    )
    (root / "sources" / "zh.yaml").write_text(
        "id: zh\ntitle: A translation\nlanguage: en\nkind: translation\ntranslation_of: ref\n",
        encoding="utf-8",
    )
    r = checks.run(contents.load(root))
    assert r.claims["zh"].standing == "condemned" and r.claims["en"].standing is None


def test_a_wrong_assumption_is_in_doubt_not_the_claims_that_use_it(make_kb: Make) -> None:
    # Two runs whose stated compute is twice what their GPUs allow at the assumed utilization.
    body = claim("util", "30", "percent", "utilization", kind="assumption", justification="a default")
    for run_id in ("r1", "r2"):
        body += claim(f"{run_id}-gpus", "1000", "GPU", "gpu_count", subject=run_id, qualifier="exactly")
        body += claim(f"{run_id}-days", "10", "day", "training_duration", subject=run_id, qualifier="exactly")
        body += claim(
            f"{run_id}-peak", "100", "TFLOP/s/GPU", "peak_throughput", subject=run_id, qualifier="exactly"
        )
        body += claim(f"{run_id}-compute", "5.184e22", "FLOP", "training_compute", subject=run_id)
        body += check("hw", "g * p * t * u", f"g: {run_id}-gpus, p: {run_id}-peak, t: {run_id}-days, u: util")
    r = run(make_kb, body)
    util = r.claims["util"]
    assert util.standing == "in_doubt" and util.verdict == "unverified"
    assert util.suggested is not None and util.suggested.lo <= 60 <= util.suggested.hi
    for run_id in ("r1", "r2"):
        assert r.claims[f"{run_id}-compute"].standing == "explained"
        assert r.claims[f"{run_id}-compute"].verdict == "unverified"


def test_a_passing_relation_rules_out_a_fix(make_kb: Make) -> None:
    # b = a fails; b also equals c (which holds). Blaming b would break b = c, so a is blamed.
    body = (
        claim("a", "100")
        + claim("b", "300")
        + check("vs-a", "x", "x: a")
        + claim("c", "300")
        + check("vs-b", "x", "x: b")
    )
    r = run(make_kb, body)
    assert r.claims["a"].standing == "condemned"
    assert r.claims["b"].standing == "explained" and r.claims["b"].verdict == "unverified"
    assert r.claims["c"].verdict == "consistent"


def test_a_claim_checked_against_two_references_that_disagree(make_kb: Make) -> None:
    # x cannot equal both p and q: x is wrong, and so is one of the two references.
    body = (
        claim("p", "123", kind="reference")
        + claim("q", "1234", kind="reference")
        + claim("x", "567")
        + "    checks:\n"
        + "      - {id: vs-p, formula: a, inputs: {a: p}}\n"
        + "      - {id: vs-q, formula: a, inputs: {a: q}}\n"
    )
    r = run(make_kb, body)
    x, p, q = r.claims["x"], r.claims["p"], r.claims["q"]
    assert x.standing == "condemned"
    assert p.standing == q.standing == "suspect"
    assert p.alternatives == [["q", "x"]] and q.alternatives == [["p", "x"]]


@pytest.mark.parametrize(
    ("relation", "total", "verdict"),
    [
        ("<=", "250", "consistent"),
        ("<=", "350", "inconsistent"),
        (">=", "350", "consistent"),
        (">=", "250", "inconsistent"),
    ],
)
def test_checks_state_at_most_and_at_least(make_kb: Make, relation: str, total: str, verdict: str) -> None:
    body = claim("a", "100", kind="reference", qualifier="exactly")
    body += claim("b", "200", kind="reference", qualifier="exactly")
    body += claim("t", total, qualifier="exactly") + check("sum", "x + y", "x: a, y: b", relation)
    r = run(make_kb, body)
    cr = r.claims["t"].checks[0]
    assert cr.relation == relation and cr.verdict == verdict
    if verdict == "inconsistent":
        assert r.claims["t"].standing == "condemned"
        s = r.claims["t"].suggested
        assert s is not None and (s.hi <= 300.5 if relation == "<=" else s.lo >= 299.5)


def test_a_standalone_relation_verifies_every_claim_in_it(make_kb: Make) -> None:
    body = claim("a", "10") + claim("b", "20") + claim("c", "30") + claim("d", "60")
    r = run(make_kb, body, "- id: shares\n  formula: a / b = c / d\n  inputs: {a: a, b: b, c: c, d: d}\n")
    assert {r.claims[c].verdict for c in "abcd"} == {"consistent"}
    [rel] = r.relations
    assert rel.kind == "relation" and rel.members == ["a", "b", "c", "d"] and rel.verdict == "consistent"


def test_peers_in_a_relation_are_judged_once_and_the_odd_one_blamed(make_kb: Make) -> None:
    # r1 fails; r2 and r3 hold and pin a, b and c, so only d can be wrong.
    body = claim("a", "11") + claim("b", "22") + claim("c", "33") + claim("d", "660")
    rels = "- id: r1\n  formula: a / b = c / d\n  inputs: {a: a, b: b, c: c, d: d}\n"
    rels += "- id: r2\n  formula: a * 3 = c\n  inputs: {a: a, c: c}\n"
    rels += "- id: r3\n  formula: a * 2 = b\n  inputs: {a: a, b: b}\n"
    r = run(make_kb, body, rels)
    assert r.claims["d"].standing == "condemned"
    assert r.claims["d"].suggested is not None and r.claims["d"].suggested.slip == "ten"
    assert r.claims["a"].verdict == "consistent"  # r2 holds


@pytest.mark.parametrize(
    ("formula", "message"),
    [
        ("a = b = c", "exactly one of =, <=, >="),
        ("a + b", "exactly one of =, <=, >="),
        ("a = zz", "unknown name 'zz'"),
    ],
)
def test_an_ill_formed_relation_is_an_error_naming_it(make_kb: Make, formula: str, message: str) -> None:
    root = make_kb(
        "claims:\n"
        + claim("a", "1")
        + claim("b", "1")
        + claim("c", "1")
        + f"relations:\n  - id: bad\n    formula: '{formula}'\n    inputs: {{a: a, b: b, c: c}}\n"
    )
    results = checks.run(contents.load(root))
    [problem] = results.problems
    assert "relation 'bad'" in problem.message and message in problem.message, problem.message
    assert problem.location.line == 22  # the formula's line (the relation starts on 21)
    at = int(problem.message.rsplit("at character ", 1)[1].rstrip(")"))
    assert problem.location.column == len("    formula: '") + at  # the character named


def test_laws_apply_to_each_documents_own_figures(make_kb: Make) -> None:
    law = """\
laws:
  - id: six-nd
    title: compute is about 6 N D
    formula: c = 6 [FLOP/(parameter*token)] * n * d
    inputs: {c: training_compute, n: {quantity: active_parameters_per_token}, d: {quantity: training_tokens}}
    definition: a test law
"""
    body = claim("n", "70", "billion parameter", "active_parameters_per_token")
    body += claim("d", "1.4", "trillion token", "training_tokens")
    body += claim("c", "5.88e23", "FLOP", "training_compute")
    # Another document gives only a compute: it is not combined with this document's n and d.
    body += claim("c2", "1e25", "FLOP", "training_compute", source="leak")
    root = make_kb("claims:\n" + body)
    (root / "laws.yaml").write_text(law, encoding="utf-8")
    r = checks.run(contents.load(root))
    assert not r.problems, r.problems
    [instance] = r.relations
    assert instance.law == "six-nd" and instance.kind == "law" and instance.verdict == "consistent"
    assert set(instance.members) == {"n", "d", "c"}
    assert {r.claims[c].verdict for c in "ndc"} == {"consistent"}
    assert r.claims["c2"].verdict == "unverified"


def test_a_law_over_an_unknown_quantity_is_an_error(make_kb: Make) -> None:
    root = make_kb("claims:\n" + claim("a", "1"))
    (root / "laws.yaml").write_text(
        "laws:\n  - id: bad\n    title: bad law\n    formula: a = 1\n"
        "    inputs: {a: no_such_quantity}\n    definition: x\n",
        encoding="utf-8",
    )
    [problem] = checks.run(contents.load(root)).problems
    assert "unknown quantity 'no_such_quantity'" in problem.message and str(problem.location).endswith(
        "laws.yaml:2:5"
    )


def test_solving_a_relation_for_one_claim_inverts_the_formula(make_kb: Make) -> None:
    body = claim("a", "100", qualifier="exactly") + claim("b", "50", qualifier="exactly")
    body += claim("t", "300", qualifier="exactly") + check("sum", "x * 2 + y", "x: a, y: b")
    root = make_kb("claims:\n" + body)
    kb = contents.load(root)
    values = checks.usable_values(kb)
    from kb import relations

    [spec] = relations.gather(kb)
    assert solve.solve(spec, "t", values) == solve.solve(spec, "t", values)
    a = solve.solve(spec, "a", values)
    assert a is not None and a.lo == pytest.approx(125) and a.hi == pytest.approx(125)
    b = solve.solve(spec, "b", values)
    assert b is not None and b.lo == pytest.approx(100)


def test_blame_work_grows_linearly_with_independent_components(
    make_kb: Make, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many failing pairs sharing one trusted constant: the search stays per pair (hubs link nothing)."""
    calls = {"n": 0}
    real = fixing.fix

    def counting(ctx: object, cid: str, blamed: object) -> object:
        calls["n"] += 1
        return real(ctx, cid, blamed)  # type: ignore[arg-type]

    monkeypatch.setattr(fixing, "fix", counting)

    def work(n: int) -> int:
        body = claim("k", "2", "1", "ratio", kind="reference", qualifier="exactly")
        for i in range(n):
            body += claim(f"x{i}", "123", subject=f"S{i}") + claim(f"y{i}", "345", subject=f"S{i}")
            body += check("twice", "k * v", f"k: k, v: x{i}")
        calls["n"] = 0
        checks.run(contents.load(make_kb("claims:\n" + body)))
        return calls["n"]

    small, large = work(blame.HUB + 5), work(10 * (blame.HUB + 5))
    assert small > 0 and large <= 11 * small


def test_rows_that_share_a_reference_are_separate_findings(make_kb: Make) -> None:
    # Three rows disagree with one datasheet value. Blaming the datasheet once would be the smallest
    # explanation, but a reference is trusted: each row's own figure is blamed, one finding each.
    body = claim("peak", "312", kind="reference", qualifier="exactly")
    for i in (1, 2, 3):
        body += claim(f"row{i}", "123", subject=f"R{i}") + check("vs-peak", "x", "x: peak")
    r = run(make_kb, body)
    assert r.claims["peak"].standing is None
    assert {r.claims[f"row{i}"].standing for i in (1, 2, 3)} == {"condemned"}


def test_a_claim_condemned_for_one_failure_is_not_blamed_where_its_fix_cannot_hold(make_kb: Make) -> None:
    # r (a reference) disagrees with a, which two independent articles confirm, and with c.
    # r must be 457 for a's relation: it cannot also be 789, so c is blamed for its own failure.
    body = claim("r", "123", kind="reference")
    body += claim("a", "457", kind="reference") + check("vsr", "x", "x: r")
    body += claim("a1", "457", source="leak") + check("same", "x", "x: a")
    body += claim("a2", "457") + check("same", "x", "x: a")
    body += claim("c", "789", kind="reference") + check("vsr", "x", "x: r")
    r = run(make_kb, body)
    assert r.claims["r"].standing == "condemned" and r.claims["r"].condemned_by == ["check:a/vsr"]
    assert r.claims["c"].standing == "condemned" and not r.claims["c"].alternatives
    assert r.claims["a"].standing == "explained"


def test_one_claim_explains_failures_in_several_components(make_kb: Make) -> None:
    # As above, but c agrees with a: r alone explains both failures; c is not a suspect.
    body = claim("r", "123", kind="reference")
    body += claim("a", "457", kind="reference") + check("vsr", "x", "x: r")
    body += claim("a1", "457", source="leak") + check("same", "x", "x: a")
    body += claim("c", "457", kind="reference") + check("vsr", "x", "x: r")
    r = run(make_kb, body)
    assert r.claims["r"].standing == "condemned" and sorted(r.claims["r"].condemned_by) == [
        "check:a/vsr",
        "check:c/vsr",
    ]
    assert r.claims["c"].standing == "explained"


@pytest.mark.parametrize("runs", [2, blame.HUB + 1])
def test_a_shared_assumption_is_in_doubt_however_often_it_is_used(make_kb: Make, runs: int) -> None:
    body = claim("util", "30", "percent", "utilization", kind="assumption", justification="a default")
    for i in range(runs):
        body += claim(f"g{i}", "1000", "GPU", "gpu_count", subject=f"R{i}", qualifier="exactly")
        body += claim(f"t{i}", "10", "day", "training_duration", subject=f"R{i}", qualifier="exactly")
        body += claim(f"c{i}", "5.184e22", "FLOP", "training_compute", subject=f"R{i}")
        body += check("hw", "g * 100 TFLOP/s/GPU * t * u", f"g: g{i}, t: t{i}, u: util")
    r = run(make_kb, body)
    assert r.claims["util"].standing == "in_doubt"
    assert not [c for c, v in r.claims.items() if v.verdict == "inconsistent"]


def test_a_tolerance_on_an_at_most_check_is_kept_when_solving(make_kb: Make) -> None:
    # c <= x holds only thanks to its 15% tolerance; blaming c must keep it (so the article c, not
    # the reference d, is blamed when d = c fails).
    body = claim("x", "101")
    body += claim("c", "108") + "    checks:\n"
    body += "      - {id: le, formula: v, inputs: {v: x}, relation: '<=',\n"
    body += "         tolerance: {relative: 0.15, reason: a rough bound}}\n"
    body += claim("d", "112", kind="reference") + check("same", "v", "v: c")
    r = run(make_kb, body)
    assert r.claims["c"].standing == "condemned" and r.claims["d"].standing == "explained"


def test_a_one_sided_relation_through_a_division_still_suggests_a_value(make_kb: Make) -> None:
    body = claim("a", "123", kind="reference") + claim("y", "12.3", kind="reference")
    body += claim("x", "0.5", "1", "ratio")
    r = run(make_kb, body, "- id: r\n  formula: a / x <= y\n  inputs: {a: a, x: x, y: y}\n")
    s = r.claims["x"].suggested
    assert s is not None and s.lo == pytest.approx(123 / 12.35, rel=0.01) and s.text.startswith("at least")


def test_a_fix_bounded_only_above_starts_at_zero(make_kb: Make) -> None:
    # OPT's compute written x10 against compute <= GPUs x peak x time: the fix is "at most", and its
    # lower end in the JSON report is 0, not the smallest float that keeps it positive (5e-324).
    body = claim("g", "1024", "GPU", "gpu_count", kind="reference") + claim(
        "t", "33", "day", "training_duration", kind="reference"
    )
    body += claim("c", "4.3e24", "FLOP", "training_compute")
    r = run(
        make_kb, body, "- id: r\n  formula: c <= g * 312 [TFLOP/s/GPU] * t\n  inputs: {c: c, g: g, t: t}\n"
    )
    s = r.claims["c"].suggested
    assert s is not None and s.lo == 0.0 and s.hi == pytest.approx(1024 * 312e12 * 33.5 * 86400, rel=0.01)
    assert s.text.startswith("at most")


def test_tiny_magnitudes_do_not_crash_the_slip_search(make_kb: Make) -> None:
    body = claim("s1", "1.5e-170", "USD", "training_cost", kind="reference")
    body += claim("s2", "1.5e-167", "USD", "training_cost") + check("same", "x", "x: s1")
    r = run(make_kb, body)
    assert r.claims["s2"].standing == "condemned"


def test_a_relation_of_dates_is_judged_in_days(make_kb: Make) -> None:
    body = claim("end", "2020-08", "date", "training_end_date")
    body += claim("gap", "6", "month", "months_between", qualifier="exactly")
    body += claim("rel", "2023-03-14", "date", "release_date")
    r = run(make_kb, body, "- id: r\n  formula: e + g = d\n  inputs: {e: end, g: gap, d: rel}\n")
    [rel] = r.relations
    assert rel.verdict == "inconsistent" and rel.severity == "severe"  # years apart, not "x1.04"
    assert rel.factor is None and "-" in rel.stated_text  # shown as dates
    root = make_kb(
        "claims:\n"
        + body
        + "relations:\n  - id: r\n    formula: e + g = d\n    inputs: {e: end, g: gap, d: rel}\n"
        "    tolerance: {relative: 0.05, reason: a rough date}\n"
    )
    [problem] = checks.run(contents.load(root)).problems
    assert "a tolerance on a date" in problem.message


def test_a_date_bounded_on_one_side_is_suggested_as_on_or_before(make_kb: Make) -> None:
    # A release written before the training ended: the release date the relation allows is
    # "on or after" the end, said in words (not "[2023-03-14, …]"), and so is the report's line.
    body = claim("end", "2023-03-14", "date", "training_end_date", kind="reference")
    body += claim("rel", "2022-11-30", "date", "release_date")
    r = run(make_kb, body, "- id: r\n  formula: d >= e\n  inputs: {e: end, d: rel}\n")
    s = r.claims["rel"].suggested
    assert s is not None and s.text == "on or after 2023-03-14"
    from kb.report import blame_lines

    assert any(
        line.endswith("would be consistent if on or after 2023-03-14")
        for line in blame_lines(r.claims["rel"], r)
    )


def test_an_assumption_is_doubted_only_within_a_plausible_range(make_kb: Make) -> None:
    # tokens = words / words-per-token: off by 509x is not "the 0.75 may not hold here".
    body = claim("wpt", "0.75", "word/token", "words_per_token", kind="assumption", justification="a rule")
    body += claim("words", "100", "billion word", "training_words", qualifier="exactly", kind="reference")
    for cid, tokens in (("near", "200"), ("far", "67900")):
        body += claim(cid, tokens, "billion token", "training_tokens", qualifier="exactly", subject=cid)
        body += check("from-words", "w / k", "w: words, k: wpt")
    r = run(make_kb, body)
    assert r.claims["wpt"].standing == "in_doubt"  # 0.5 words per token would do for "near"
    assert r.claims["far"].standing == "condemned"
    assert r.claims["wpt"].condemned_by == ["check:near/from-words"]


def test_one_broken_law_is_reported_and_the_others_still_apply(make_kb: Make) -> None:
    laws = """\
laws:
  - id: active-at-most-total
    title: active at most total
    formula: a <= t
    inputs: {a: active_parameters_per_token, t: total_parameters}
    definition: a test law
  - id: broken
    title: a law without a source
    formula: a = t
    inputs: {a: active_parameters_per_token, t: total_parameters}
"""
    body = claim("t", "123") + claim("a", "45", quantity="active_parameters_per_token")
    root = make_kb("claims:\n" + body)
    (root / "laws.yaml").write_text(laws, encoding="utf-8")
    results = checks.run(contents.load(root))
    [problem] = results.problems
    assert "a law needs sources" in problem.message and problem.location.line == 7
    assert [r.law for r in results.relations] == ["active-at-most-total"]


def test_the_hitting_set_search_learns_from_sets_it_cannot_fix() -> None:
    from kb import hitting

    conflicts = [frozenset("ab"), frozenset("bc")]
    price = {"a": 1.0, "b": 3.0, "c": 1.0, "d": 1.0}
    # {b} is the cheapest cover (3 < 1 + 1 is false: {a, c} costs 2), so {a, c} alone is found.
    found = hitting.cheapest(conflicts, price.__getitem__, lambda s: (None, None))
    assert found is not None and [f.members for f in found] == [["a", "c"]]

    # If {a, c} cannot be fixed because a relation with d disagrees, {a, c, d} and {b} (both 3) tie.
    def fix(s: frozenset[str]) -> tuple[None, frozenset[str] | None]:
        return None, (frozenset("d") if s == frozenset("ac") else None)

    found = hitting.cheapest(conflicts, price.__getitem__, fix)
    assert found is not None and sorted(f.members for f in found) == [["a", "c", "d"], ["b"]]
    assert hitting.greedy(conflicts, list(price), price.__getitem__) in (frozenset("b"), frozenset("ac"))


def test_a_pure_number_is_shown_without_a_unit(make_kb: Make) -> None:
    body = claim("u", "72", "1", "ratio") + claim("cap", "1", "1", "ratio", kind="reference")
    r = run(make_kb, body, "- id: r\n  formula: u <= c\n  inputs: {u: u, c: cap}\n")
    [rel] = r.relations
    assert rel.verdict == "inconsistent"
    assert not rel.stated_text.endswith(" 1") and not rel.computed_text.endswith(" 1")


def test_sides_of_an_expression_are_shown_in_the_unit_of_a_claim_that_measures_them(make_kb: Make) -> None:
    # experts x parameters per expert <= total: the left side is computed in parameters, and shown in
    # billions as the claims are written, not as 7.04e+11 parameter.
    body = claim("per-expert", "111", quantity="parameters_per_expert")
    body += claim("n", "16", unit="expert", quantity="experts", qualifier="exactly") + claim("total", "500")
    rel = "- id: r\n  formula: n * p / 1 [expert] <= t\n  inputs: {n: n, p: per-expert, t: total}\n"
    [result] = run(make_kb, body, rel).relations
    assert result.verdict == "inconsistent" and result.unit is not None
    assert result.unit.text == "billion parameter"
    assert result.stated_text.endswith(" billion parameter") and "e+" not in result.stated_text


def _docs(make_kb: Make, body: str, n: int) -> Results:
    """The knowledge base of `body` with n more archived sources, doc0 ... doc{n-1}."""
    root = make_kb("claims:\n" + body)
    for i in range(n):
        write_source(root, f"doc{i}", f"Document {i}.")
    results = checks.run(contents.load(root))
    assert not results.problems, [str(p) for p in results.problems]
    return results


def test_a_reference_typed_ten_times_too_large_is_blamed_not_every_row_that_uses_it(make_kb: Make) -> None:
    # Four independent documents each give a model's compute and parameters; the shared constant
    # (6 FLOP per parameter per token) was typed 60: every row fails, and only the constant is wrong.
    body = claim("k", "60", "1", "ratio", kind="reference", qualifier="exactly")
    for i in range(4):
        body += claim(f"n{i}", f"{i + 1}", source=f"doc{i}", subject=f"M{i}")
        body += claim(f"c{i}", f"{6 * (i + 1)}", source=f"doc{i}", subject=f"M{i}")
        body += check("k-n", "k * n", f"k: k, n: n{i}")
    r = _docs(make_kb, body, 4)
    assert r.claims["k"].standing == "condemned"
    fix = r.claims["k"].suggested
    assert fix is not None and fix.lo <= 6 <= fix.hi
    for i in range(4):
        assert r.claims[f"c{i}"].verdict != "inconsistent"  # it fails only because of k
        assert r.claims[f"c{i}"].explained_by == ["k"]


def test_a_reference_is_not_blamed_for_failures_no_one_value_of_it_explains(make_kb: Make) -> None:
    # The same rows, but each off by another factor: no single value of k fits them all.
    body = claim("k", "6", "1", "ratio", kind="reference", qualifier="exactly")
    for i, f in enumerate((10, 100, 1000, 0.01)):
        body += claim(f"n{i}", f"{i + 1}", source=f"doc{i}", subject=f"M{i}")
        body += claim(f"c{i}", f"{6 * (i + 1) * f:g}", source=f"doc{i}", subject=f"M{i}")
        body += check("k-n", "k * n", f"k: k, n: n{i}")
    r = _docs(make_kb, body, 4)
    assert r.claims["k"].standing is None
    assert {r.claims[f"c{i}"].standing for i in range(4)} <= {"condemned", "suspect"}


def test_a_claim_blamed_in_many_components_keeps_every_key_once_in_order() -> None:
    """_merge adds a component's keys to a claim blamed before, through a set of those already there:
    the same list as adding each key not in the list, in order (a key twice in one blame, twice)."""
    import random

    from kb.verdicts import Standing

    rng = random.Random(4)
    out = blame.Diagnosis()
    expected: list[str] = []
    for _ in range(300):
        keys = [f"k{rng.randint(0, 60)}" for _ in range(rng.randint(0, 4))]
        expected += [k for k in keys if k not in expected] if expected or out.blamed else keys
        blame._merge(out, blame.Blame("hub", Standing.CONDEMNED, condemned_by=list(keys)))
    assert out.blamed["hub"].condemned_by == expected


def _inverted(node: object, name: str, target: object, env: dict, keep_sign: bool) -> object:  # type: ignore[type-arg]
    """solve._invert as it was: which side holds the claim counted afresh at every step."""
    from kb.formula import BinOp, Name, Neg, Pow, evaluate

    kept = solve._same_sign(node, target, env) if keep_sign else target  # type: ignore[arg-type]
    if kept is None:
        return solve._beyond(node, name, target, env)  # type: ignore[arg-type]
    if isinstance(node, Name):
        return kept
    if isinstance(node, Neg):
        return _inverted(node.operand, name, -kept, env, keep_sign)
    if isinstance(node, Pow):
        root = solve._root(kept, node.exponent)
        return None if root is None else _inverted(node.base, name, root, env, keep_sign)
    if isinstance(node, BinOp):
        inside_left = solve._count(node.left, name) == 1
        inside, other = (node.left, node.right) if inside_left else (node.right, node.left)
        o, _ = evaluate(other, env)
        if node.op == "+":
            step = kept - o
        elif node.op == "-":
            step = kept + o if inside_left else o - kept
        elif node.op == "*":
            step = solve._divide(kept, o)
        else:
            step = kept * o if inside_left else solve._divide(o, kept)
        return None if step is None else _inverted(inside, name, step, env, keep_sign)
    return None


def test_solving_knows_once_which_nodes_hold_the_claim(monkeypatch: pytest.MonkeyPatch) -> None:
    """solve finds the way to the claim through the nodes that hold it, worked out once per formula:
    every relation of the bundled claims solves for each of its claims as with a count at every step."""
    from tests.conftest import REPO

    kb = contents.load(REPO / "claims", use_cache=False)
    values = checks.usable_values(kb)
    specs = [s for s in relations.gather(kb) if s.problem is None and all(c in values for c in s.claims)]
    assert specs
    found = {(s.key, c): solve.solve(s, c, values) for s in specs for c in s.claims}
    assert sum(v is not None for v in found.values()) > len(specs)
    monkeypatch.setattr(
        solve, "_invert", lambda node, name, target, env, keep, _: _inverted(node, name, target, env, keep)
    )
    assert found == {(s.key, c): solve.solve(s, c, values) for s in specs for c in s.claims}


def test_a_failing_sum_speaks_of_its_sides_not_of_a_stated_value(make_kb: Make) -> None:
    # The table's total and its rows; row c dropped a digit. The relation's text must not call the
    # total "the stated one" of c's row; c's own fix is the value that makes the sum hold.
    body = (
        claim("total", "39.3")
        + claim("a", "1.46")
        + claim("b", "7.0")
        + claim("c", "3.84")
        + claim("c2", "30.84")
        + check("same-as-c", "x", "x: c")
    )
    r = run(
        make_kb, body, "- {id: sum, formula: total = a + b + c, inputs: {total: total, a: a, b: b, c: c}}\n"
    )
    rel = next(x for x in r.relations if x.key == "relation:sum")
    assert rel.verdict == "inconsistent" and rel.diagnosis.startswith("the right side is the left side ÷3.2")
    assert "stated" not in rel.diagnosis
    c = r.claims["c"]
    assert c.standing == "condemned" and c.suggested is not None
    assert 30.7 < c.suggested.lo < c.suggested.hi < 31.0


def test_the_alternatives_of_a_suspect_are_the_rivals_of_its_own_failure(make_kb: Make) -> None:
    # Two independent failures (a = b, c = d), their claims linked by a relation that holds: the
    # explanations pair a suspect of one with a suspect of the other. Each claim's alternative is
    # its own rival ("either a or b"), not the pairs ("either a or b, c or b, d").
    body = claim("a", "101") + claim("b", "203") + claim("c", "307") + claim("d", "613")
    rels = (
        "- {id: ab, formula: 'x = y', inputs: {x: a, y: b}}\n"
        "- {id: cd, formula: 'x = y', inputs: {x: c, y: d}}\n"
        "- {id: link-ac, formula: 'x + y >= 1 billion parameter', inputs: {x: a, y: c}}\n"
        "- {id: link-bd, formula: 'x + y >= 1 billion parameter', inputs: {x: b, y: d}}\n"
    )
    r = run(make_kb, body, rels)
    assert {c: r.claims[c].alternatives for c in "abcd"} == {
        "a": [["b"]],
        "b": [["a"]],
        "c": [["d"]],
        "d": [["c"]],
    }


def _one_relation(make_kb: Make, body: str) -> tuple[relations.Spec, dict[str, StatedValue]]:
    kb = contents.load(make_kb("claims:\n" + body))
    [spec] = relations.gather(kb)
    return spec, checks.usable_values(kb)


def test_solving_through_a_difference_its_scale_moves_across_zero_is_not_steady(make_kb: Make) -> None:
    # d = a - b: a written /10 puts a - b below zero, and solving keeps each step on the side of zero
    # it is on now, so the answer moves with a's own value: a mutation of a must not reuse another's.
    body = claim("a", "100", qualifier="exactly") + claim("b", "95", qualifier="exactly")
    body += claim("d", "5", qualifier="exactly") + check("diff", "x - y", "x: a, y: b")
    spec, values = _one_relation(make_kb, body)
    low, high = (overlay(values, "a", values["a"].scaled(k)) for k in (0.1, 10.0))
    assert solve.solve(spec, "a", low) is None
    assert solve.solve(spec, "a", high) == solve.solve(spec, "a", values) is not None
    assert not solve.steady(spec, "a", low) and not solve.steady(spec, "a", high)
    assert not solve.steady(spec, "b", values)  # b x10 puts a - b below zero too


def test_solving_through_products_is_steady_at_every_scale(make_kb: Make) -> None:
    # a's part and c are both above zero at every scale of a: the sum stays there too.
    body = claim("a", "100", qualifier="exactly") + claim("c", "150", qualifier="exactly")
    body += claim("b", "3", unit='"1"', quantity="ratio", qualifier="exactly")
    body += claim("t", "300", qualifier="exactly") + check("product", "x * y / 2 + z", "x: a, y: b, z: c")
    spec, values = _one_relation(make_kb, body)
    assert solve.steady(spec, "a", values)
    answers = {
        solve.solve(spec, "a", overlay(values, "a", values["a"].scaled(k))) for k in (1e-3, 0.1, 10, 1e3)
    }
    assert len(answers) == 1 and None not in answers
    # Ends beyond what scaling keeps from underflowing or overflowing are not vouched for.
    tiny = overlay(values, "a", values["a"].scaled(1e-305))
    assert not solve.steady(spec, "a", tiny)


def test_a_memo_shares_solutions_only_with_the_values_it_was_made_for(make_kb: Make) -> None:
    # t = a + b fails once a is changed; fixing b reads b's check against c, which holds no a: its
    # solution is shared between diagnoses of the memo's values, never with other values of c.
    body = claim("a", "10") + claim("b", "20") + check("vs-c", "x", "x: c") + claim("c", "20")
    body += claim("t", "30") + check("sum", "x + y", "x: a, y: b")
    kb = contents.load(make_kb("claims:\n" + body))
    specs = relations.gather(kb)
    base = checks.usable_values(kb)
    other = {**base, "c": base["c"].scaled(2.0)}  # another knowledge base: c differs

    def diagnose(values: dict[str, StatedValue], memo: blame.Memo | None) -> blame.Diagnosis:
        changed = overlay(values, "a", values["a"].scaled(10.0))
        outcomes = {s.key: judge(s, changed, False) for s in specs}
        return blame.diagnose(
            kb, outcomes, changed, focus={"check:t/sum"}, changed="a", memo=memo, factor=10.0
        )

    memo = blame.Memo(values=base)
    assert diagnose(base, memo) == diagnose(base, None)
    assert memo.solved  # b's check was solved once, for every diagnosis of the memo's values
    assert diagnose(other, memo) == diagnose(other, None) != diagnose(base, None)


def test_a_claim_no_value_of_which_repairs_a_sum_is_not_a_suspect(make_kb: Make) -> None:
    # Shares of a training mix that add up to 110%: only a share of 10 points or more can be the one
    # written wrong (77 for 67); the small ones would have to be negative, so they are not suspects.
    shares = {"web": "77", "c4": "15", "code": "4.5", "wiki": "4.5", "books": "9"}
    share = {"unit": "percent", "quantity": "ratio", "qualifier": "exactly"}
    body = "".join(claim(k, v, **share) for k, v in shares.items())
    inputs = ", ".join(f"{k}: {k}" for k in shares)
    rel = f"- {{id: mix, formula: 'web + c4 + code + wiki + books = 100 percent', inputs: {{{inputs}}}}}\n"
    r = run(make_kb, body, rel)
    suspects = sorted(c for c, x in r.claims.items() if x.verdict == "inconsistent")
    assert suspects == ["c4", "web"]
    assert r.claims["web"].alternatives == [["c4"]]
    assert r.claims["code"].standing == "explained"
    web = r.claims["web"].suggested
    assert web is not None and (web.lo, web.hi) == pytest.approx((67.0, 67.0))


def test_a_claim_its_other_relations_pin_is_not_blamed_for_a_relation_it_cannot_repair(make_kb: Make) -> None:
    # params = layers * 12 * width^2 holds width twice in the formula (it cannot be solved for), and
    # width = heads * head width pins it: width cannot make up a parameter count written in millions
    # for billions, nor can 96 layers (a tenth of a layer is no model), so the count alone is blamed,
    # with the value that would hold.
    body = (
        claim("layers", "96", unit="layer", quantity="layers", qualifier="exactly")
        + claim("heads", "96", unit='"1"', quantity="ratio", qualifier="exactly")
        + claim("head-width", "128", unit='"1"', quantity="ratio", qualifier="exactly")
        + claim("width", "12288", unit='"1"', quantity="ratio", qualifier="exactly")
        + check("heads-times-head-width", "h * w", "h: heads, w: head-width")
        + claim("params", "174", unit="million parameter", qualifier="exactly")
    )
    rel = (
        "- {id: shape, formula: 'p = 12 [parameter/layer] * l * (w * w)', "
        "inputs: {p: params, l: layers, w: width}, "
        "tolerance: {relative: 0.05, reason: biases and embeddings}}\n"
    )
    r = run(make_kb, body, rel)
    p = r.claims["params"]
    assert p.verdict == "inconsistent" and p.standing == "condemned" and not p.alternatives
    assert r.claims["width"].verdict != "inconsistent"
    assert p.suggested is not None and 165_000 < p.suggested.lo < p.suggested.hi < 184_000


def test_solving_tells_a_relation_no_value_repairs_from_one_it_cannot_solve(make_kb: Make) -> None:
    # t = a * (b + c * x): with t far below a * b, no x >= 0 gets there (NO_VALUE); in d = x - y, x
    # can move the difference across zero, which solving (keeping each step's sign) does not do: None.
    ratio = {"unit": '"1"', "quantity": "ratio", "qualifier": "exactly"}
    body = claim("a", "10", **ratio) + claim("b", "100", qualifier="exactly")
    body += claim("c", "3", **ratio) + claim("x", "7", qualifier="exactly")
    body += claim("t", "5", qualifier="exactly") + check("shape", "a * (b + c * x)", "a: a, b: b, c: c, x: x")
    spec, values = _one_relation(make_kb, body)
    assert solve.solve(spec, "x", values) is solve.NO_VALUE
    assert solve.solve(spec, "t", values) is not None
    body = claim("p", "10", qualifier="exactly") + claim("q", "95", qualifier="exactly")
    body += claim("d", "5", qualifier="exactly") + check("diff", "x - y", "x: p, y: q")
    spec, values = _one_relation(make_kb, body)
    assert solve.solve(spec, "p", values) is None


def test_a_whole_count_is_no_suspect_where_no_whole_number_repairs_it(make_kb: Make) -> None:
    # 8 GPUs at $10,000 each cannot cost $84,000: 8.4 GPUs would, and no model has 8.4 GPUs.
    body = (
        claim("gpus", "8", unit="GPU", quantity="gpu_count", qualifier="exactly")
        + claim("price", "10000", unit="USD/GPU", quantity="gpu_price", qualifier="exactly")
        + claim("total", "84000", unit="USD", quantity="hardware_cost")
        + check("gpus-times-price", "g * p", "g: gpus, p: price")
    )
    r = run(make_kb, body)
    assert r.claims["gpus"].verdict == "unverified" and r.claims["gpus"].standing is None  # not blamed
    assert {r.claims["total"].standing, r.claims["price"].standing} == {"suspect"}
    assert r.claims["price"].alternatives == [["total"]]


def test_a_whole_counts_fix_holds_whole_numbers_only(make_kb: Make) -> None:
    # $90,000 at $10,000 per GPU (both preferred: better trusted than the count) is 9 GPUs, not 2.
    ranked = {"rank": "preferred", "rank_reason": "the invoice"}
    body = (
        claim("gpus", "2", unit="GPU", quantity="gpu_count", qualifier="exactly")
        + claim("price", "10000", unit="USD/GPU", quantity="gpu_price", qualifier="exactly", **ranked)
        + claim("total", "90000", unit="USD", quantity="hardware_cost", qualifier="exactly", **ranked)
        + check("gpus-times-price", "g * p", "g: gpus, p: price")
    )
    gpus = run(make_kb, body).claims["gpus"]
    assert gpus.standing == "condemned" and gpus.suggested is not None
    assert (gpus.suggested.lo, gpus.suggested.hi) == (9.0, 9.0)
    # At $84,000 no whole count repairs it: the count is not blamed, the figures are.
    gpus = run(make_kb, body.replace("value: 90000", "value: 84000")).claims["gpus"]
    assert gpus.standing != "condemned" and gpus.suggested is None


def test_a_small_tolerance_is_said_as_written(make_kb: Make) -> None:
    """A relative tolerance of 0.001 was shown as '±0%' (kb show, the site)."""
    item = "{id: same, formula: x, inputs: {x: a}, tolerance: {relative: 0.001, reason: a config's rounding}}"
    r = run(make_kb, claim("a", "6.053") + claim("b", "6.05") + f"    checks:\n      - {item}\n")
    assert r.by_key["check:b/same"].tolerance == "±0.1%: a config's rounding"
