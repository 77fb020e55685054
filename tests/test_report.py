"""Reports: the JSON report is json.dumps(indent=1) byte for byte, written faster."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path
from typing import Any

from kb import report
from kb.verdicts import Severity, Verdict


def _value(rng: random.Random, depth: int) -> Any:
    leaves: list[Any] = [None, True, False, 0, -7, 2**70, 0.0, -0.0, 1.5e300, 1e-320, math.inf, -math.inf]
    leaves += [math.nan, "", "plain", 'q"uote\\', "tab\tnew\nline", "万亿 ∞ 𝜋", "\x00\x1f\u2028"]
    leaves += [Verdict.CONSISTENT, Severity.MAJOR, Path("claims/x.yaml"), 3.0, 123456789.125]
    if depth > 3 or rng.random() < 0.4:
        return rng.choice(leaves)
    if rng.random() < 0.5:
        items = [_value(rng, depth + 1) for _ in range(rng.randint(0, 4))]
        return tuple(items) if rng.random() < 0.2 else items
    keys: list[Any] = ["a", "b", "ключ", "", 1, 2.5, True, False, None, -3, math.inf]
    return {rng.choice(keys): _value(rng, depth + 1) for _ in range(rng.randint(0, 4))}


def test_the_json_report_is_the_standard_librarys_byte_for_byte() -> None:
    rng = random.Random(11)
    for _ in range(3000):
        data = _value(rng, 0)
        assert report._indented(data) == json.dumps(data, ensure_ascii=False, indent=1, default=str), data


def test_two_independent_failures_are_two_findings_not_one_of_four() -> None:
    # Two failed relations with nothing in common, each between two equally trusted claims: the
    # explanations pair one claim of each, so each suspect's alternatives name all four. The report
    # must say "either A or B" and "either C or D", not "one of these 4 is wrong" (two are).
    from kb.results import ClaimResult
    from kb.verdicts import Standing

    def suspect(cid: str, relation: str, alternatives: list[list[str]]) -> ClaimResult:
        return ClaimResult(
            cid,
            Verdict.INCONSISTENT,
            standing=Standing.SUSPECT,
            condemned_by=[relation],
            alternatives=alternatives,
            severity=Severity.MINOR,
        )

    weights = suspect("weights", "relation:size", [["params", "cost"], ["params", "start"]])
    params = suspect("params", "relation:size", [["weights", "cost"], ["weights", "start"]])
    cost = suspect("cost", "relation:price", [["weights", "start"], ["params", "start"]])
    start = suspect("start", "relation:price", [["weights", "cost"], ["params", "cost"]])
    groups = report.findings([weights, params, cost, start])
    assert sorted(sorted(r.claim_id for r in g) for g in groups) == [["cost", "start"], ["params", "weights"]]
