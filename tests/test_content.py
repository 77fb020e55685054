"""The bundled knowledge base: no errors, and the verdicts that matter most follow from the numbers.

These verdicts are computed by the engine from the claims' numbers; the test pins the ones whose
correctness matters most, so a change to the engine or the data that flips them is noticed.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kb import checks, contents
from kb.results import Results

CLAIMS = Path(__file__).resolve().parent.parent / "claims"


@pytest.fixture(scope="module")
def results() -> Results:
    return checks.run(contents.load(CLAIMS, use_cache=False))


def factor_of(results: Results, claim_id: str, check_id: str | None = None) -> float:
    r = results.claims[claim_id]
    check = next(c for c in r.checks if check_id is None or c.check_id == check_id)
    assert check.factor is not None
    return check.factor


def test_the_bundled_knowledge_base_has_no_errors(results: Results) -> None:
    assert [str(p) for p in results.problems] == []


def test_every_seed_document_is_covered(results: Results) -> None:
    kb = contents.load(CLAIMS, use_cache=False)
    per_source: dict[str, int] = {}
    for e in kb.claims.values():
        per_source[e.claim.sources[0].source] = per_source.get(e.claim.sources[0].source, 0) + 1
    for sid in (
        "gpt4-cost-power-qa",
        "aiedge-gpt4-newsletter",
        "csdn-chatgpt-cost-zh",
        "kdnuggets-gpt4-leak-zh",
    ):
        assert per_source.get(sid, 0) >= 5 or sid == "aiedge-gpt4-newsletter", (sid, per_source.get(sid))


def test_translated_flop_per_token_is_off_by_a_thousand(results: Results) -> None:
    r = results.claims["gpt4-leak-zh-forward-flop-per-token"]
    assert r.verdict == "inconsistent"
    assert factor_of(results, "gpt4-leak-zh-forward-flop-per-token", "two-n") == pytest.approx(1e-3, rel=0.2)
    assert next(c for c in r.checks if c.check_id == "two-n").slip == "tflop-gflop"


def test_translation_dropped_the_thousand_in_the_gpu_count(results: Results) -> None:
    assert results.claims["gpt4-leak-zh-gpu-count"].verdict == "inconsistent"
    f = factor_of(results, "gpt4-leak-zh-gpu-count")
    assert 700 < f < 1500


def test_translated_training_cost_fails_only_because_of_the_25_gpus(results: Results) -> None:
    r = results.claims["gpt4-leak-zh-training-cost"]
    assert r.verdict == "consistent"  # its check against the English original holds
    assert r.standing == "explained" and r.explained_by == ["gpt4-leak-zh-gpu-count"]
    assert factor_of(results, "gpt4-leak-zh-training-cost", "gpu-hours-times-price") < 2e-3


def test_the_translations_25_gpus_are_blamed_with_a_dropped_thousand(results: Results) -> None:
    r = results.claims["gpt4-leak-zh-gpu-count"]
    assert r.verdict == "inconsistent" and r.standing == "condemned"
    assert r.suggested is not None and r.suggested.slip == "thousand"
    assert r.suggested.lo <= 25_000 <= r.suggested.hi and r.suggested.multiplier == 1000
    assert r.severity == "severe"


def test_attention_55_yi_is_blamed_with_a_suggested_550_yi(results: Results) -> None:
    r = results.claims["gpt4-leak-zh-attention-params"]
    assert r.verdict == "inconsistent" and r.standing == "condemned"
    assert r.suggested is not None and r.suggested.unit == "yi parameter"
    assert r.suggested.lo <= 550 <= r.suggested.hi and r.suggested.slip == "ten"


def test_attention_parameters_lost_a_factor_of_ten(results: Results) -> None:
    assert results.claims["gpt4-leak-zh-attention-params"].verdict == "inconsistent"
    assert factor_of(results, "gpt4-leak-zh-attention-params") == pytest.approx(10, rel=0.1)


def test_english_original_training_compute_follows_both_ways(results: Results) -> None:
    r = results.claims["gpt4-leak-en-training-compute"]
    assert r.verdict == "consistent"
    assert len(r.checks) >= 2  # 6·N·D and GPUs × peak × time × utilization


@pytest.mark.parametrize(
    "claim_id",
    [
        "gpt4-leak-en-training-cost",
        "gpt4-leak-zh-total-params",
        "gpt4-leak-zh-batch-tokens-per-expert",
        "gpt4-aiedge-months-training-to-release",
        "gpt4-qa-simple-query-energy-kwh",
        "chatgpt-zh-cost-per-1k-tokens-self-built",
    ],
)
def test_claims_that_follow_from_their_inputs(results: Results, claim_id: str) -> None:
    assert results.claims[claim_id].verdict == "consistent"


@pytest.mark.parametrize(
    "claim_id",
    ["gpt4-aiedge-rumoured-params", "gpt4-leak-zh-gpt3-params", "gpt4-qa-long-response-cost"],
)
def test_claims_that_do_not(results: Results, claim_id: str) -> None:
    assert results.claims[claim_id].verdict == "inconsistent"


def test_conflicting_parameter_counts_for_gpt4_are_reported(results: Results) -> None:
    pairs = {
        frozenset((c.a, c.b))
        for c in results.conflicts
        if c.subject == "GPT-4" and c.quantity == "total_parameters"
    }
    # The leak's 1.8 trillion, "hundreds of billions" and the 100-trillion rumour disagree pairwise.
    assert frozenset(("gpt4-leak-en-total-params", "gpt4-qa-total-params")) in pairs
    assert frozenset(("gpt4-leak-en-total-params", "gpt4-aiedge-rumoured-params")) in pairs
    assert frozenset(("gpt4-qa-total-params", "gpt4-aiedge-rumoured-params")) in pairs


def test_chatgpt_and_gpt4_are_never_compared_as_one(results: Results) -> None:
    kb = contents.load(CLAIMS, use_cache=False)
    for c in results.conflicts:
        assert kb.claims[c.a].claim.subject == kb.claims[c.b].claim.subject


def test_chinese_quotes_carry_translations() -> None:
    kb = contents.load(CLAIMS, use_cache=False)
    for e in kb.claims.values():
        for s in e.claim.sources:
            if s.quote and kb.sources[s.source].meta.language != "en":
                assert s.translation, e.id


def test_assumption_dependent_verdicts_say_so(results: Results) -> None:
    kb = contents.load(CLAIMS, use_cache=False)
    assumptions = {cid for cid, e in kb.claims.items() if e.claim.kind == "assumption"}
    for r in results.claims.values():
        for c in r.checks:
            assert set(c.assumptions) == {i.claim_id for i in c.inputs} & assumptions


def test_the_translations_280_billion_active_parameters_agree_with_the_original(results: Results) -> None:
    r = results.claims["gpt4-leak-zh-active-params"]
    assert r.verdict == "consistent" and r.standing is None
    assert next(c for c in r.checks if c.check_id == "original").verdict == "consistent"


def test_reading_on_other_cores_gives_what_reading_here_gives(
    claims_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large knowledge bases are parsed in forked processes while this one resolves what is parsed:
    the same claims, values, problems (in the same order) and verdicts as reading everything here."""
    (claims_copy / "gpt-4" / "broken.yaml").write_text(
        "claims:\n  - id: x\n    value: [1\n", encoding="utf-8"
    )
    (claims_copy / "gpt-4" / "twice.yaml").write_text(
        (claims_copy / "gpt-4" / "leak-en.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    here = contents.load(claims_copy, use_cache=False)
    monkeypatch.setattr(contents, "PARALLEL_BYTES", 0)
    forked = contents.load(claims_copy, use_cache=False)
    assert [str(p) for p in forked.all_problems()] == [str(p) for p in here.all_problems()]
    assert len([p for p in here.all_problems() if p.code == "duplicate-id"]) > 3
    assert {k: (e.claim, e.value, e.quoted) for k, e in forked.claims.items()} == {
        k: (e.claim, e.value, e.quoted) for k, e in here.claims.items()
    }
    verdicts = {k: r.verdict for k, r in checks.run(here).claims.items()}
    assert {k: r.verdict for k, r in checks.run(forked).claims.items()} == verdicts


def test_the_quick_quote_check_answers_as_the_full_one(tmp_path: Path) -> None:
    """quotes.value_stated looks at a quote's single numbers first: the same answer as value_in_quote,
    on every quote of the bundled claims, and on each with the value of another claim."""
    from kb.quotes import value_in_quote, value_stated

    kb = contents.load(CLAIMS, use_cache=False)
    entries = [e for e in kb.claims.values() if e.value is not None and e.unit is not None]
    quotes = [c.quote for e in entries for c in e.claim.sources if c.quote]
    pairs = [(e, c.quote) for e in entries for c in e.claim.sources if c.quote]
    pairs += [(e, quotes[(i * 7) % len(quotes)]) for i, e in enumerate(entries)]
    answers = [value_stated(e.value, e.unit, q) for e, q in pairs if e.value and e.unit]
    assert answers == [value_in_quote(e.value, e.unit, q)[0] for e, q in pairs if e.value and e.unit]
    assert 50 < sum(answers) < len(answers)
