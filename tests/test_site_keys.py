"""Page keys: a rebuild renders a page again whenever anything it shows changed, so that after any
edit the site equals a build from scratch, byte for byte; and the keys are made with few digests."""

from __future__ import annotations

from pathlib import Path

import pytest
from site_helpers import BASE_URL, FIXTURE, build_site, copy_fixture, site_files

from kb import checks, contents
from kb.site import keys as page_keys_module
from kb.site.build import build
from kb.site.keys import DigestMemo, page_keys, with_protection
from kb.site.memory import Memory, remember
from kb.site.options import BuildOptions
from kb.site.pages import plan
from kb.site.resolve import resolve

EDITS = {
    # what is edited: (file under claims/, old text, new text)
    "a value": ("gpt-4/leak.yaml", "value: 111", "value: 112"),
    "a claim's notes": ("gpt-4/leak.yaml", "dropped a factor of ten.", "dropped a factor of ten (edited)."),
    "a check's note": ("gpt-4/leak.yaml", "Total = 16 experts", "Total = sixteen experts"),
    "a tolerance": ("gpt-4/leak.yaml", "relative: 0.1,", "relative: 0.3,"),
    "a translation": ("gpt-4/leak.yaml", "about 6.3 million US dollars", "some 6.3 million US dollars"),
    "a subject": (
        "gpt-4/leak.yaml",
        "    subject: GPT-4\n    quantity: layers",
        "    subject: GPT-4o\n    quantity: layers",
    ),
    "an as-of date": (
        "gpt-4/leak.yaml",
        "as_of: 2023-07\n    sources:\n      - source: leak-zh",
        "as_of: 2023-08\n    sources:\n      - source: leak-zh",
    ),
    "a source's title": (
        "sources/leak-en.yaml",
        'title: "GPT-4 Details Have Been Leaked!"',
        'title: "GPT-4 details leaked"',
    ),
    "a source's description": ("sources/nvidia-a100-datasheet.yaml", "Not archived here.", "Not kept here."),
    "a quantity's label": ("quantities.yaml", "label: Training cost,", "label: Cost of training,"),
}


@pytest.mark.parametrize("edit", list(EDITS), ids=list(EDITS))
def test_after_any_edit_a_rebuild_equals_a_fresh_build(tmp_path: Path, edit: str) -> None:
    claims = copy_fixture(tmp_path / "claims")
    out, cache = tmp_path / "site", tmp_path / "cache" / "charts"
    first = build_site(out, claims, cache=cache)
    _edited(claims, edit)
    again = build_site(out, claims, cache=cache)
    assert again.pages_rendered < first.pages  # pages were reused: their keys decided which
    build_site(tmp_path / "fresh", claims)
    assert site_files(out) == site_files(tmp_path / "fresh")


def _edited(claims: Path, edit: str) -> None:
    name, old, new = EDITS[edit]
    path = claims / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.parametrize("edit", list(EDITS), ids=list(EDITS))
def test_after_any_edit_keys_kept_from_the_last_build_equal_fresh_ones(tmp_path: Path, edit: str) -> None:
    """kb serve's memo: a claim whose inputs compare equal keeps its digests; every key still equals
    the one a build without memo computes, and most claims were not digested again."""
    claims = copy_fixture(tmp_path / "claims")
    memo = DigestMemo()
    ctx, site_plan = _context(claims)
    page_keys(ctx, site_plan.pages, memo=memo)
    remembered = {cid: found[1:] for cid, found in memo.claims.items()}
    _edited(claims, edit)
    ctx, site_plan = _context(claims)
    assert page_keys(ctx, site_plan.pages, memo=memo) == page_keys(ctx, site_plan.pages)
    kept = [cid for cid, found in memo.claims.items() if remembered.get(cid) == found[1:]]
    assert len(kept) > len(ctx.claims) / 2


def test_a_rebuild_with_memory_equals_a_fresh_build(tmp_path: Path) -> None:
    claims = copy_fixture(tmp_path / "claims")
    out, cache = tmp_path / "site", tmp_path / "cache" / "charts"
    memory = Memory()
    opts = BuildOptions(claims, out, search=False, base_url=BASE_URL, cache=cache)
    build(opts, memory=memory)
    assert memory.digests.claims
    _edited(claims, "a value")
    again = build(opts, memory=memory)
    assert 0 < again.pages_rendered < again.pages
    build_site(tmp_path / "fresh", claims)
    assert site_files(out) == site_files(tmp_path / "fresh")


def test_remembering_keeps_what_a_build_keeps(tmp_path: Path) -> None:
    """kb serve, finding its site up to date at start, fills its memory without building."""
    opts = BuildOptions(FIXTURE, tmp_path / "site", search=False, base_url=BASE_URL)
    built, remembered = Memory(), Memory()
    remember(opts, remembered)
    assert not opts.out.exists()  # nothing written
    build(opts, memory=built)
    digests = {cid: found[1:] for cid, found in built.digests.claims.items()}
    assert digests and {cid: found[1:] for cid, found in remembered.digests.claims.items()} == digests


def _context(claims: Path = FIXTURE):  # type: ignore[no-untyped-def]
    kb = contents.load(claims, use_cache=False)
    ctx = resolve(kb, checks.run(kb), kb.readme, protect=False)
    return ctx, plan(ctx, "https://kb.example.org/")


def test_a_neighbours_verdict_changes_the_key_of_a_page_that_shows_it() -> None:
    ctx, site_plan = _context()
    before = page_keys(ctx, site_plan.pages)
    cv = ctx.claims["gpt4-en-gpus"]
    assert cv.rested_on_by  # other claims' pages show it as an input of their checks
    cv.result.verdict = "inconsistent" if cv.result.verdict != "inconsistent" else "consistent"  # type: ignore[assignment]
    after = page_keys(ctx, site_plan.pages)
    changed = {path for path in before if before[path] != after[path]}
    assert cv.url in changed
    assert {ctx.claims[c].url for c in cv.rested_on_by} <= changed
    assert "claims/gpt4-en-release.html" not in changed  # a claim unrelated to it


def test_protection_changes_only_its_claims_page_key() -> None:
    ctx, site_plan = _context()
    keys = page_keys(ctx, site_plan.pages)
    before = with_protection(keys, site_plan.pages)
    from kb.mutations import Mutation

    ctx.claims["gpt4-en-gpus"].protection = [Mutation("gpt4-en-gpus", 10.0, caught=True, flagged=True)]
    after = with_protection(keys, site_plan.pages)
    assert {path for path in before if before[path] != after[path]} == {"claims/gpt4-en-gpus.html"}


def test_each_digest_is_made_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """One blake2b per digest of a claim, a source or a group, and one per page: counted, the
    digests grow with the knowledge base, not with how often pages show them."""
    ctx, site_plan = _context()
    made = []
    real = page_keys_module.blake2b

    def counted(data: bytes = b"", **kw: int) -> object:
        made.append(len(data))
        return real(data, **kw)

    monkeypatch.setattr(page_keys_module, "blake2b", counted)
    keys = page_keys(ctx, site_plan.pages)
    claims, sources, groups = len(ctx.claims), len(ctx.kb.sources), len(ctx.groups)
    cited = {c.source_id for cv in ctx.claims.values() for c in cv.citations}
    # shown + own per claim, one per source cited or listed, one per group, two per keyed page, the salt
    most = 2 * claims + len(cited | set(ctx.kb.sources)) + groups + 2 * len(keys) + 1
    assert len(made) <= most
    assert sources > 0 and len(keys) > claims
