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
CLAIMS = Path(__file__).resolve().parent.parent / "claims"


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
    assert "caught and blamed alone (not one of several suspects): 33%" in out  # of all mutations
    assert "unprotected claims (no mutation caught: add a check or a relation): 2" in out
    assert main(["check", "--claims", str(root), "--mutations", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["mutations"]["unprotected"] == ["a", "c"]
    assert data["mutations"]["by_factor"]["10.0"] == pytest.approx(1 / 3)


def _outcomes(found: dict[str, list[mutations.Mutation]]) -> dict[str, list[tuple[object, ...]]]:
    return {
        cid: [(m.factor, m.caught, m.flagged, m.alone, m.by, m.blamed) for m in ms]
        for cid, ms in found.items()
    }


def _synthetic(tmp_path: Path, claims: int) -> Path:
    from benchmarks.generate import generate

    return generate(tmp_path / "synthetic", claims, 10)


@pytest.mark.parametrize("where", ["bundled", "synthetic"])
def test_mutating_without_explaining_blames_the_same_claims(where: str, tmp_path: Path) -> None:
    root = CLAIMS if where == "bundled" else _synthetic(tmp_path, 400)
    kb = contents.load(root, use_cache=False)
    explained, bare = mutations.Mutator(kb, explain=True), mutations.Mutator(kb, explain=False)
    ids = explained.candidates()
    assert ids == bare.candidates() and len(ids) > 100
    full = {cid: [explained.mutate(cid, f) for f in mutations.FACTORS] for cid in ids}
    quick = {cid: [bare.mutate(cid, f) for f in mutations.FACTORS] for cid in ids}
    assert _outcomes(quick) == _outcomes(full)
    assert any(m.flagged and not m.caught for ms in full.values() for m in ms) or where == "synthetic"
    assert sum(m.caught for ms in full.values() for m in ms) > len(ids)  # findings, not a trivial KB


def _set_value(root: Path, claim_id: str, value: str) -> None:
    """Write the claim's value as `value` (its quote then no longer matches: no matter here)."""
    for path in root.rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        at = text.find(f"id: {claim_id}\n")
        if at >= 0:
            start = text.index("value: ", at) + len("value: ")
            end = text.index("\n", start)
            path.write_text(text[:start] + value + text[end:], encoding="utf-8")
            return
    raise AssertionError(claim_id)


def test_a_change_renews_the_protection_keys_of_its_component_only(tmp_path: Path) -> None:
    root = _synthetic(tmp_path, 1000)
    before = mutations.protection_keys(contents.load(root, use_cache=False))
    # Subject 200's ratio claim: its relations share claims with its subject's, and the reference
    # (in every subject's compute check) does not link them to the others.
    _set_value(root, "model-f0-0-compute-per-param", "[2.0e14, 2.2e14]")
    kb = contents.load(root, use_cache=False)
    after = mutations.protection_keys(kb)
    assert before.claims.keys() == after.claims.keys()
    renewed = {cid for cid in after.claims if after.claims[cid] != before.claims[cid]}
    subject = {f"model-f0-0-{q}" for q in ("params", "tokens", "compute", "compute-per-param")}
    assert renewed == subject | {"syn-flop-per-param-token"}  # the reference reaches every subject
    assert after.world != before.world


@pytest.mark.parametrize("where", ["bundled", "synthetic"])
def test_protection_from_the_cache_equals_protection_computed_afresh(where: str, tmp_path: Path) -> None:
    import json
    import shutil

    if where == "bundled":
        root = tmp_path / "claims"
        shutil.copytree(CLAIMS, root)
        claim_id, value = "gpt4-leak-en-total-params", "18"
    else:
        root = _synthetic(tmp_path, 400)
        claim_id, value = "model-a5-0-tokens", "250"
    cache: dict[str, object] = {}
    first = mutations.protection_cached(contents.load(root, use_cache=False), cache)
    assert _outcomes(first) == _outcomes(mutations.protection(contents.load(root, use_cache=False)))
    _set_value(root, claim_id, value)
    kb = contents.load(root, use_cache=False)
    kept = json.loads(json.dumps(cache))  # as a build keeps it between runs
    keys = mutations.protection_keys(kb)
    reused = [cid for cid in keys.claims if cid in kept and keys.fresh(cid, kept[cid]["key"])]
    assert 0 < len(reused) < len(keys.claims)
    again = mutations.protection_cached(kb, kept)
    assert _outcomes(again) == _outcomes(mutations.protection(kb))
    assert _outcomes(again) != _outcomes(first) or where == "synthetic"  # the change moved a result


def test_as_data_keeps_every_field_and_reads_back() -> None:
    # as_data is written out field by field: a field added to Mutation must not be dropped.
    import dataclasses

    found = [
        mutations.Mutation("a", 10.0, True, True, alone=True, by=["r1"], blamed=[]),
        mutations.Mutation("b", 0.1, False, True, by=["r2", "r3"], blamed=["c"]),
    ]
    data = mutations.as_data(found)
    assert data == [dataclasses.asdict(m) for m in found]
    assert json.loads(json.dumps(data)) == data
    assert mutations.from_data(data) == found
    data[1]["blamed"].append("d")  # a copy: the mutation itself is unchanged
    assert found[1].blamed == ["c"]


def test_the_rejudged_outcomes_read_as_a_chainmap_of_them() -> None:
    from collections import ChainMap

    from kb.mutations import _Rejudged

    base = {f"r{i}": object() for i in range(6)}
    changed = {"r4": object(), "r1": object()}
    chained = ChainMap(changed, base)  # type: ignore[arg-type]
    rejudged = _Rejudged(changed, base)  # type: ignore[arg-type]
    assert list(rejudged) == list(chained) and len(rejudged) == len(chained)
    assert list(rejudged.items()) == list(chained.items())
    assert ("r4" in rejudged, "x" in rejudged) == ("r4" in chained, "x" in chained) == (True, False)


@pytest.mark.parametrize("where", ["bundled", "synthetic"])
def test_mutations_sharing_what_every_diagnosis_reads_are_those_without(where: str, tmp_path: Path) -> None:
    """The Mutator keeps which claims link components, and their documents, from one mutation to the
    next (blame.Memo): the same mutations as a Mutator that forgets them each time."""
    from kb import blame

    root = CLAIMS if where == "bundled" else _synthetic(tmp_path, 400)
    kb = contents.load(root, use_cache=False)
    shared, forgetful = mutations.Mutator(kb), mutations.Mutator(kb)
    for cid in shared.candidates():
        for factor in mutations.PROTECTION_FACTORS:
            forgetful.memo = blame.Memo()
            assert shared.mutate(cid, factor) == forgetful.mutate(cid, factor), (cid, factor)


def test_a_mutation_never_reuses_a_solution_its_own_scale_moves(make_kb: Make) -> None:
    """d = b - a holds for a = 100 and a /10 (b - a stays above zero), not for a x10 (below zero,
    where solving keeps the side of zero and finds nothing): the x10 mutation's answer for a must
    not serve the /10 one, which then finds a's two checks disagree (e wants 200)."""
    from kb import blame

    body = claim("a", "100", qualifier="exactly") + claim("b", "105", qualifier="exactly")
    body += claim("d", "5", qualifier="exactly") + check("diff", "y - x", "x: a, y: b")
    body += claim("e", "200", qualifier="exactly") + check("vs-a", "x", "x: a")
    kb = contents.load(make_kb("claims:\n" + body))
    shared, forgetful = mutations.Mutator(kb), mutations.Mutator(kb)
    for factor in mutations.FACTORS:
        forgetful.memo = blame.Memo()
        assert shared.mutate("a", factor) == forgetful.mutate("a", factor), factor
    assert ("check:d/diff", "a") in shared.memo.unsteady


def test_a_common_cause_weighed_against_its_least_witnesses_is_blamed_as_against_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The synthetic constant written x10 fails every subject's compute check: the least its
    witnesses (100 documents) can weigh already outweighs it, so few of their trusts are worked out;
    the mutations are those that weigh every witness in full."""
    from benchmarks.generate import generate
    from kb import blame

    kb = contents.load(generate(tmp_path / "synthetic", 400, 100), use_cache=False)  # 100 documents
    hub = "syn-flop-per-param-token"
    quick = mutations.Mutator(kb)
    found = {f: quick.mutate(hub, f) for f in mutations.FACTORS}
    assert found[10.0].caught and found[10.0].alone and len(found[10.0].by) == 100
    assert len(quick.trust) > 250  # /1000 is not caught: each failure is searched, its claims weighed
    once = mutations.Mutator(kb)
    once.mutate(hub, 10.0)
    assert len(once.trust) < 100  # of the 300 claims of the failed checks
    monkeypatch.setattr(blame, "_least_witnesses", lambda ctx, keys, cid: None)
    full = mutations.Mutator(kb)
    assert {f: full.mutate(hub, f) for f in mutations.FACTORS} == found
