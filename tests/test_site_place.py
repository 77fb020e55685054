"""A rebuild of a few pages updates the site in place, file by file, and ends as a fresh build would."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kb.site import fingerprint, place
from tests.site_helpers import build_site, copy_fixture, site_files


def manifest_is_exact(site: Path) -> bool:
    """The manifest lists every file of the site with its size, as a walk finds them."""
    manifest = fingerprint.read_manifest(site)
    assert manifest is not None and manifest["fingerprint"]
    return {rel: entry[0] for rel, entry in manifest["files"].items()} == fingerprint.sizes(site)


def edit(claims: Path, old: str, new: str) -> None:
    leak = claims / "gpt-4" / "leak.yaml"
    text = leak.read_text(encoding="utf-8")
    assert old in text
    leak.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_value_change_updates_the_site_in_place_as_a_fresh_build_would(tmp_path: Path) -> None:
    claims = copy_fixture(tmp_path / "claims")
    out = tmp_path / "site"
    first = build_site(out, claims)
    folder = out.stat().st_ino
    (out / "stale.html").write_text("not kb's", encoding="utf-8")
    edit(claims, "value: 111", "value: 112")
    again = build_site(out, claims)
    assert again.pages_rendered < first.pages // 2
    assert out.stat().st_ino == folder  # updated in place, not a new folder swapped in
    assert not (out / "stale.html").exists()
    build_site(tmp_path / "fresh", claims)
    assert site_files(out) == site_files(tmp_path / "fresh")
    assert not list(tmp_path.glob(".site.build-*"))  # the staging folder is gone
    assert manifest_is_exact(out)


def test_a_removed_claim_loses_its_page(tmp_path: Path) -> None:
    claims = copy_fixture(tmp_path / "claims")
    out = tmp_path / "site"
    build_site(out, claims)
    page = out / "claims" / "gpt4-en-gpus.html"
    assert page.is_file()
    edit(claims, "- id: gpt4-en-gpus", "- id: gpt4-en-gpus-renamed")
    build_site(out, claims)
    assert not page.exists() and (out / "claims" / "gpt4-en-gpus-renamed.html").is_file()
    build_site(tmp_path / "fresh", claims)
    assert site_files(out) == site_files(tmp_path / "fresh")


def test_an_update_interrupted_half_way_is_completed_by_the_next_build(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    claims = copy_fixture(tmp_path / "claims")
    out = tmp_path / "site"
    build_site(out, claims)
    edit(claims, "value: 111", "value: 112")
    real = place._move
    moved: list[Path] = []

    def fail_on_second(src: Path, dst: Path) -> None:
        if moved:  # one claim page is in place, the others not: the site is half updated
            raise OSError("disk gone")
        if dst.parent.name == "claims":
            moved.append(dst)
        real(src, dst)

    monkeypatch.setattr(place, "_move", fail_on_second)
    with pytest.raises(OSError):
        build_site(out, claims)
    assert moved
    monkeypatch.setattr(place, "_move", real)
    edit(claims, "value: 112", "value: 111")  # back as the manifest knew it: its old keys match again
    build_site(out, claims)
    build_site(tmp_path / "fresh", claims)
    assert site_files(out) == site_files(tmp_path / "fresh")


def test_search_bundles_of_unchanged_shards_stay_and_changed_ones_are_replaced(tmp_path: Path) -> None:
    claims = copy_fixture(tmp_path / "claims")
    out = tmp_path / "site"
    build_site(out, claims, search=True)
    entry = out / "pagefind" / "pagefind-entry.json"
    before = entry.stat().st_ino
    edit(claims, "value: 111", "value: 112")
    again = build_site(out, claims, search=True)
    assert again.shards_indexed == 1
    assert entry.is_file() and entry.stat().st_ino != before  # the one shard's bundle was exchanged
    assert again.shards_indexed <= again.shards
    fresh = build_site(tmp_path / "fresh", claims, search=True)
    assert site_files(out) == site_files(tmp_path / "fresh") and fresh.shards == again.shards
    assert manifest_is_exact(out)


def test_a_quote_of_a_claim_others_rest_on_renders_only_its_own_pages(tmp_path: Path) -> None:
    claims = copy_fixture(tmp_path / "claims")
    out = tmp_path / "site"
    build_site(out, claims)
    baseline = build_site(out, claims).pages_rendered  # the pages that summarise everything
    a100 = claims / "reference" / "a100.yaml"
    text = a100.read_text(encoding="utf-8")
    old = 'locator: "Table: Technical specifications, BF16 Tensor Core"'
    assert old in text  # edited on its line: a line added would move the claims below it
    a100.write_text(text.replace(old, old[:-1] + ' (edited)"', 1), encoding="utf-8")
    again = build_site(out, claims)
    assert again.pages_rendered == baseline + 2  # its page and its source's page, not its dependents'
    build_site(tmp_path / "fresh", claims)
    assert site_files(out) == site_files(tmp_path / "fresh")


def test_with_kb_caches_a_rebuild_equals_a_build_without_any(tmp_path: Path) -> None:
    claims = copy_fixture(tmp_path / "claims")
    out = tmp_path / "site"
    cache = tmp_path / "cache" / "charts"  # beside it: the search records and the protection
    build_site(out, claims, cache=cache)
    assert (cache.parent / "protection.json").is_file()
    edit(claims, "value: 111", "value: 112")
    build_site(out, claims, cache=cache)
    build_site(tmp_path / "fresh", claims)
    assert site_files(out) == site_files(tmp_path / "fresh")


def test_a_failed_export_fails_the_build_and_keeps_the_previous_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kb import export

    claims = copy_fixture(tmp_path / "claims")
    out = tmp_path / "site"
    build_site(out, claims)
    before = site_files(out)

    def broken(*args: object) -> None:
        raise RuntimeError("no space left")

    monkeypatch.setattr(export, "write", broken)
    edit(claims, "value: 111", "value: 112")
    with pytest.raises(RuntimeError, match="no space left"):
        build_site(out, claims, workers=2)  # the exports are written by a process of their own
    assert site_files(out) == before
    assert not list(tmp_path.glob(".site.build-*"))


def test_a_build_waits_for_another_on_the_same_folder(tmp_path: Path) -> None:
    import threading

    from kb.atomic import locked

    claims = copy_fixture(tmp_path / "claims")
    out = tmp_path / "site"
    done = threading.Event()
    with locked(tmp_path):  # as another kb build of this folder would hold it
        worker = threading.Thread(target=lambda: (build_site(out, claims), done.set()))
        worker.start()
        assert not done.wait(1.0)
        assert not out.exists()
    worker.join(60)
    assert done.is_set() and (out / "index.html").is_file()


def test_a_value_change_renders_the_page_of_a_paged_list_that_shows_it_not_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from benchmarks.generate import generate
    from benchmarks.run import change_one_value
    from kb.site import paging

    monkeypatch.setattr(paging, "ROWS_PER_PAGE", 10)
    generate(tmp_path / "kb", 200, 4)
    claims, out = tmp_path / "kb" / "claims", tmp_path / "site"
    build_site(out, claims)
    before = fingerprint.read_manifest(out)
    edited = change_one_value(tmp_path / "kb", 0)
    build_site(out, claims)
    after = fingerprint.read_manifest(out)
    assert before is not None and after is not None
    changed = {p for p, entry in after["files"].items() if p.startswith("quantities/") and entry[1]}
    changed = {p for p in changed if before["files"].get(p, [0, ""])[1] != after["files"][p][1]}
    later = sorted(p for p in after["files"] if re.fullmatch(r"quantities/[^/]+/\d+\.html", p))
    assert len(later) >= 4  # the quantity of the edited claim spans several pages
    assert 0 < len(changed & set(later)) <= 2  # the page(s) holding its group, not every page
    assert edited
    build_site(tmp_path / "fresh", claims)
    assert site_files(out) == site_files(tmp_path / "fresh")
