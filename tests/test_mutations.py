"""The mutation report: a claim written x10 or /1000 by its source, would kb blame that claim?"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from kb import contents, mutations
from kb.cli import main
from tests.test_blame import check, claim

Make = Callable[[str], Path]


def kb_text() -> str:
    # b is checked against a reference: a slip in b is caught. c has no relation: unprotected.
    body = claim("a", "123", kind="reference") + claim("b", "123") + check("vs-a", "x", "x: a")
    return "claims:\n" + body + claim("c", "456")


def test_a_slip_in_a_checked_claim_is_caught_and_blamed_on_it(make_kb: Make) -> None:
    report = mutations.run(contents.load(make_kb(kb_text())))
    b = {m.factor: m for m in report.of("b")}
    assert set(b) == set(mutations.FACTORS)
    assert all(m.caught and m.by == ["check:b/vs-a"] for m in b.values())
    # A slip in the reference is flagged, but the blame falls on the article's claim.
    a = report.of("a")
    assert all(m.flagged and not m.caught and m.blamed == ["b"] for m in a)
    assert not any(m.flagged for m in report.of("c"))
    assert report.unprotected() == ["a", "c"]
    assert report.rate == pytest.approx(4 / 12)


def test_kb_check_mutations_prints_the_rate_and_the_unprotected_claims(
    make_kb: Make, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_kb(kb_text())
    assert main(["check", "--claims", str(root), "--mutations", "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "caught (kb blames the mutated claim): 33%" in out
    assert "unprotected claims (no mutation caught: add a check or a relation): 2" in out
    assert main(["check", "--claims", str(root), "--mutations", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["mutations"]["unprotected"] == ["a", "c"]
    assert data["mutations"]["by_factor"]["10.0"] == pytest.approx(1 / 3)
