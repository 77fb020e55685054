"""The knowledge base kept smaller in memory (issue 14) is the same knowledge base: compacted claims
equal what was validated, dump the same, and a worker's collector leaves what it inherited alone."""

from __future__ import annotations

import gc
from pathlib import Path

from kb import contents, procs
from kb.model import Claim, compact

CLAIMS = Path(__file__).resolve().parent.parent / "claims"

DATA = {
    "id": "m-params",
    "subject": "Model\u2011M ",
    "quantity": "total_parameters",
    "value": 12,
    "unit": "billion parameter",
    "sources": [{"source": "s", "quote": "12 billion parameters"}],
    "checks": [{"id": "c", "formula": "a * 2", "inputs": {"a": "m-half"}}],
}


def test_a_compacted_claim_is_the_claim_it_was() -> None:
    claim, same = Claim.model_validate(DATA), Claim.model_validate(DATA)
    compact(claim)
    assert claim == same
    assert claim.model_dump_json() == same.model_dump_json()
    assert repr(claim) == repr(same)
    assert claim.model_fields_set == same.model_fields_set
    assert claim.sources[0].model_fields_set == same.sources[0].model_fields_set


def test_compacted_claims_share_field_sets_and_text_without_mixing_them() -> None:
    a, b = Claim.model_validate(DATA), Claim.model_validate({**DATA, "id": "m-other", "notes": "x"})
    c = Claim.model_validate({**DATA, "id": "m-third"})
    for claim in (a, b, c):
        compact(claim)
    assert a.model_fields_set is c.model_fields_set  # the same fields given: one set
    assert a.model_fields_set is not b.model_fields_set and "notes" in b.model_fields_set
    assert a.sources[0].model_fields_set is b.sources[0].model_fields_set
    assert a.unit is b.unit and a.subject is b.subject
    changed = a.model_copy(update={"notes": "changed"})  # a copy with changes copies its set
    assert "notes" in changed.model_fields_set and "notes" not in c.model_fields_set


def test_the_loaded_claims_dump_as_validated() -> None:
    kb = contents.load(CLAIMS, use_cache=False)
    for entry in kb.claims.values():
        fresh = Claim.model_validate(entry.claim.model_dump(exclude_unset=True))
        assert fresh == entry.claim
        assert fresh.model_dump_json() == entry.claim.model_dump_json()


def test_a_worker_keeps_the_collector_off_what_it_inherited() -> None:
    try:
        procs.keep_inherited()
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
