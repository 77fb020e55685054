"""The search index: one pagefind service indexes the shards from records held in memory.

What the browser finds is tested in test_browser.py; here, that the bundles hold what the pagefind
command makes of the same records, and that every way pagefind can fail is a KbError that leaves
no process and no previous site changed."""

from __future__ import annotations

import gzip
import json
import re
import stat
import subprocess
import threading
from pathlib import Path

import pytest
from site_helpers import FIXTURE, build_site

from kb.errors import KbError
from kb.site import search, search_records
from kb.site.pagefind_service import Service
from kb.site.pages import plan
from kb.site.resolve import resolve
from kb.site.search_records import Record


def _fixture_shards(tmp_path: Path) -> list[search.Shard]:
    outcome = build_site(tmp_path / "plain", search=False)
    ctx = resolve(outcome.kb, outcome.results)
    return search.shard_records(plan(ctx).pages, ctx)


def _fragments(bundle: Path) -> list[bytes]:
    """A bundle's fragments (one per page: its URL, text, title and filters), decompressed."""
    return sorted(gzip.decompress(f.read_bytes()) for f in (bundle / "fragment").iterdir())


def _names(bundle: Path) -> set[str]:
    return {re.sub(r"_[0-9a-f]+\.pf_meta$", ".pf_meta", p.name) for p in bundle.iterdir()}


def _record(text: str) -> Record:
    return Record(text, None, (text,))


def _fake_pagefind(tmp_path: Path, script: str) -> tuple[str, ...]:
    path = tmp_path / "fake-pagefind"
    path.write_text("#!/bin/sh\n" + script + "\n", encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IXUSR)
    return (str(path),)


def test_the_service_indexes_the_records_as_the_pagefind_command_indexes_their_files(tmp_path: Path) -> None:
    shards = _fixture_shards(tmp_path)
    site = tmp_path / "site"
    search.Indexer(site, shards).start().wait()
    records = tmp_path / "records"
    for path, rec in shards[0]:
        (records / path).parent.mkdir(parents=True, exist_ok=True)
        (records / path).write_text(search_records.html(rec), encoding="utf-8")
    command = tmp_path / "command"
    subprocess.run(
        [
            *search._pagefind(),
            "--site",
            str(records),
            "--output-path",
            str(command),
            "--silent",
            "--force-language",
            "en",
        ],
        check=True,
    )
    assert len(_fragments(site / "pagefind")) == len(shards[0]) > 10
    assert _fragments(site / "pagefind") == _fragments(command)  # same URLs, text, titles, verdicts
    # The same files but for the metadata's hash: pages are numbered in the order they came (the
    # command takes them in the order the folder lists them).
    assert _names(site / "pagefind") == _names(command)


def test_an_empty_shard_still_gets_a_bundle_the_search_page_can_merge(tmp_path: Path) -> None:
    shards: list[search.Shard] = [[("a.html", _record("one page"))], []]
    search.Indexer(tmp_path, shards).start().wait()
    assert (tmp_path / "pagefind" / "pagefind-entry.json").is_file()
    assert (tmp_path / "pagefind-1" / "pagefind-entry.json").is_file()
    assert not (tmp_path / "pagefind-1" / "pagefind-ui.js").exists()  # the first bundle's serves it


def test_indexing_starts_no_thread_in_the_process_that_forks_the_render_workers(tmp_path: Path) -> None:
    shards = [[(f"p{i}.html", _record(f"page {i}")) for i in range(50)]]
    before = threading.active_count()
    indexer = search.Indexer(tmp_path, shards).start()
    indexer.poll()
    assert threading.active_count() == before
    indexer.wait()
    assert indexer.service is None and (tmp_path / "pagefind" / "pagefind-entry.json").is_file()


def test_a_rebuild_indexes_only_the_shard_whose_records_changed(tmp_path: Path) -> None:
    shards = [[(f"s{s}/p{i}.html", _record(f"shard {s} page {i}")) for i in range(5)] for s in range(3)]
    first = search.Indexer(tmp_path / "one", shards).start()
    first.wait()
    shards[1][0] = ("s1/p0.html", _record("changed"))
    again = search.Indexer(tmp_path / "two", shards, tmp_path / "one", first.keys).start()
    again.wait()
    assert again.indexed_shards == [1] and again.kept == ["pagefind", "pagefind-2"]
    entry = "pagefind-entry.json"
    assert (tmp_path / "two" / "pagefind" / entry).stat().st_ino == (
        tmp_path / "one" / "pagefind" / entry
    ).stat().st_ino
    assert b"changed" in b"".join(_fragments(tmp_path / "two" / "pagefind-1"))


def test_pagefind_missing_is_an_error_saying_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    search._pagefind.cache_clear()
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", "/nonexistent/pagefind")
    try:
        with pytest.raises(KbError) as raised:
            search.Indexer(Path("/nonexistent/site"), [[("a.html", _record("a"))]]).start()
    finally:
        search._pagefind.cache_clear()
    assert "pagefind" in str(raised.value) and "pip install" in raised.value.hint


def test_pagefind_ending_early_is_an_error_with_what_it_said(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(
        search, "_pagefind", lambda: _fake_pagefind(tmp_path, "echo 'broken index' >&2; exit 3")
    )
    indexer = search.Indexer(tmp_path / "site", [[("a.html", _record("a"))]])
    with pytest.raises(KbError, match=r"exit 3.*broken index") as raised:
        indexer.start().wait()
    assert "--no-search" in raised.value.hint
    assert indexer.service is None


def test_a_request_pagefind_refuses_is_an_error() -> None:
    service = Service(search._pagefind())
    try:
        service.send({"type": "AddFile", "index_id": 7, "file_path": "a.html", "file_contents": "<p>a</p>"})
        with pytest.raises(KbError, match="refused"):
            for _ in range(100):
                service.wait(0.1)
                service.pump()
    finally:
        service.kill()
    assert service.proc.returncode is not None


def test_pagefind_that_never_answers_times_out_and_is_ended(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "_pagefind", lambda: _fake_pagefind(tmp_path, "exec sleep 60"))
    monkeypatch.setattr(search, "TIMEOUT", 0.2)
    indexer = search.Indexer(tmp_path / "site", [[("a.html", _record("a"))]]).start()
    proc = indexer.service.proc if indexer.service else None
    with pytest.raises(KbError, match="longer than"):
        indexer.wait()
    assert proc is not None and proc.returncode is not None  # killed, not left behind


def test_a_failed_index_leaves_the_previous_site_and_nothing_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    build_site(out, search=True)
    before = sorted(p.relative_to(out) for p in out.rglob("*"))
    index = (out / "index.html").stat().st_ino
    monkeypatch.setattr(search, "_pagefind", lambda: _fake_pagefind(tmp_path, "exit 1"))
    with pytest.raises(KbError):
        build_site(out, search=True, reuse=False)
    assert sorted(p.relative_to(out) for p in out.rglob("*")) == before
    assert (out / "index.html").stat().st_ino == index
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fake-pagefind", "site"]


def test_no_search_starts_no_pagefind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse() -> tuple[str, ...]:
        raise AssertionError("pagefind started")

    monkeypatch.setattr(search, "_pagefind", refuse)
    outcome = build_site(tmp_path / "site", search=False)
    assert outcome.built and outcome.shards == 0
    assert not any(p.name.startswith("pagefind") for p in (tmp_path / "site").iterdir())


def test_bundle_files_outside_their_folder_are_refused(tmp_path: Path) -> None:
    with pytest.raises(KbError, match="outside"):
        search.write_bundle(tmp_path, [{"path": "../escape.js", "content": ""}], merged=False)
    assert not (tmp_path.parent / "escape.js").exists()


def _bundle(folder: Path) -> dict[str, bytes]:
    """A bundle's fragments and word indexes, decompressed (its metadata names the filter files)."""
    return {str(p.relative_to(folder)): gzip.decompress(p.read_bytes()) for p in folder.rglob("*.pf_*")}


def test_records_sent_as_digests_index_exactly_as_their_html(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    odd = [  # what the parse does to text: entities, full stops after word characters, white space
        Record('AT&T <b> "quoted" it\'s', "Consistent", ("a & b < c > d 'x'", 'it\'s "done"')),
        Record("ends with '", None, ("ends with &", "中文 参数 1.8 万亿个参数", "kbzhwords 参数 数")),
        Record("title  with   spaces ", "In  consistent", ("x) y$ z*", "tab\there")),
        Record("lit &amp; &lt;x&gt;", "V &amp;", ("literal &amp; and &#39; and &lt;tag&gt;",)),
    ]
    shards = _fixture_shards(tmp_path)
    shards[0] += [(f"odd/{i}.html", r) for i, r in enumerate(odd)]
    shards[0].append(("odd/index.html", _record("a folder's page: its URL is the folder's")))
    search.Indexer(tmp_path / "digests", shards).start().wait()

    def as_html(path: str, rec: Record) -> dict[str, object]:  # the document pagefind parses
        return {"type": "AddFile", "file_path": path, "file_contents": search_records.html(rec)}

    monkeypatch.setattr(search_records, "request", as_html)
    search.Indexer(tmp_path / "html", shards).start().wait()
    for i in range(len(shards)):
        digests, html = (
            _bundle(tmp_path / "digests" / search.bundle_dir(i)),
            _bundle(tmp_path / "html" / search.bundle_dir(i)),
        )
        assert {k: v for k, v in digests.items() if "filter/" not in k and "pf_meta" not in k} == {
            k: v for k, v in html.items() if "filter/" not in k and "pf_meta" not in k
        }
        # A filter file lists its values in the order of a hash map pagefind seeds anew each run.
        assert sorted(sorted(v) for k, v in digests.items() if "filter/" in k) == sorted(
            sorted(v) for k, v in html.items() if "filter/" in k
        )


def test_pagefind_holds_the_records_of_a_few_shards_at_a_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shards = [[(f"s{s}/p{i}.html", _record(f"shard {s} page {i}")) for i in range(3)] for s in range(6)]
    sent: list[int] = []
    real = search.Indexer._send_records

    def counting(indexer: search.Indexer, i: int, index_id: int) -> None:
        sent.append(indexer.sending)  # shards out before this one
        real(indexer, i, index_id)

    monkeypatch.setattr(search.Indexer, "_send_records", counting)
    search.Indexer(tmp_path, shards).start().wait()
    assert len(sent) == 6 and max(sent) == search.IN_FLIGHT - 1
    assert all((tmp_path / search.bundle_dir(i) / "pagefind-entry.json").is_file() for i in range(6))


def test_records_are_made_once_and_a_cache_of_another_format_is_ignored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    outcome = build_site(tmp_path / "plain", search=False)
    ctx = resolve(outcome.kb, outcome.results)
    pages = plan(ctx).pages
    keys = {p.path: f"key of {p.path}" for p in pages}
    cache = tmp_path / "search-records.json"
    cache.write_text(json.dumps({keys[p.path]: "<p>a record as HTML</p>" for p in pages}), encoding="utf-8")
    made = search_records.records(pages, ctx, keys, cache)
    expected = {p.path: r for p in pages if (r := search_records.record(p, ctx)) is not None}
    assert made == expected and len(made) > 10
    written = json.loads(cache.read_text(encoding="utf-8"))
    assert written["format"] == search_records.FORMAT and len(written["records"]) == len(made)
    damaged = next(iter(written["records"]))
    written["records"][damaged] = ["a heading", None, [1, 2]]  # not a record: made again
    cache.write_text(json.dumps(written), encoding="utf-8")
    assert search_records.records(pages, ctx, keys, cache) == made

    def refuse(page: object, ctx: object) -> None:
        raise AssertionError("a record made again")

    monkeypatch.setattr(search_records, "record", refuse)
    assert search_records.records(pages, ctx, keys, cache) == made  # every one from the cache


def test_a_record_counts_one_claim_in_the_singular() -> None:
    """A subject, quantity or source with one claim: "1 claim", as the pages say, not "1 claims"."""
    from kb import checks, contents

    kb = contents.load(FIXTURE, use_cache=False)
    ctx = resolve(kb, checks.run(kb), protect=False)
    texts = {p.path: " ".join(r.paragraphs) for p in plan(ctx).pages if (r := search_records.record(p, ctx))}
    assert texts and not any(re.search(r"\b1 claims\b", t) for t in texts.values())
    assert any(re.search(r"\b1 claim\b", t) for t in texts.values())
